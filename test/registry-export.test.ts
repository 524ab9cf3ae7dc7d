// Registry exports at speed without losing anything: the CSV written field by field matches
// csv-stringify byte for byte and round-trips ';', quotes and line breaks through csv-parse;
// the streamed rows (JSON rows on SQLite, keyset pages read ahead) are exactly the search's
// rows; CSV and XLSX carry the same cells, partial-diffusion masking included; a writer facing
// a full output stops reading pages, and stops altogether when the client goes.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { writeExport, writeExportPages, type Cell, type ExportColumn } from '../src/platform/export.js';
import { createManualCompany } from '../src/modules/registry/company.service.js';
import { EXPORT_HEADER, exportRow } from '../src/modules/registry/export.service.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { parseSearch, searchEstablishments, streamSearch, type SearchItem } from '../src/modules/registry/search.service.js';
import { agent, createTestApp, makeUser, type TestApp } from './helpers.js';

const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules', 'registry', 'reference', 'sample');
const TRICKY = 'Café "Le Zinc"; bar\nà vins\r\net ;;';

describe('CSV writer', () => {
  const cells: Cell[][] = [
    ['plain', 'with;semicolon', 'with "quotes"', 'line\nbreak', 'carriage\rreturn', '"', ';', ''],
    [0, -1.5, 45.747823, 1e21, 0.1 + 0.2, null, undefined, ' spaces kept '],
    ['Société Générale', 'ÉÀÇ€', '=1+1', '-3', 'tab\there', "l'apostrophe", TRICKY, 'x'],
  ];
  const columns: ExportColumn<Cell[]>[] = ['a', 'b;c', 'd"e', 'f', 'g', 'h', 'i', 'j'].map((header, i) => ({ header, value: (r) => r[i] }));

  async function csvOf(rows: Cell[][]): Promise<string> {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeExport('csv', (async function* () {
      yield* rows;
    })(), columns, out);
    return Buffer.concat(chunks).toString('utf8');
  }

  it('writes what csv-stringify wrote (BOM, ;, LF, quoting), byte for byte', async () => {
    const expected = stringify([columns.map((c) => c.header), ...cells.map((r) => r.map((v) => v ?? ''))], { delimiter: ';', bom: true, escape_formulas: true });
    expect(await csvOf(cells)).toBe(expected);
  });

  it('defuses text that a spreadsheet would run as a formula, never numbers', async () => {
    const rows = parse((await csvOf(cells)).slice(1), { delimiter: ';' }) as string[][];
    expect(rows[3].slice(2, 5)).toEqual(["'=1+1", "'-3", 'tab\there']);
    expect(rows[2][1]).toBe('-1.5');
    const more = parse((await csvOf([['@SUM(A1)', '+33 4 77 00 00 00', '\uFF1Dcmd', '\tx', 'a=b', '']])).slice(1), { delimiter: ';' }) as string[][];
    expect(more[1].slice(0, 6)).toEqual(["'@SUM(A1)", "'+33 4 77 00 00 00", "'\uFF1Dcmd", "'\tx", 'a=b', '']);
  });

  it('round-trips a field holding ;, " and line breaks through csv-parse', async () => {
    const rows = parse((await csvOf(cells)).slice(1), { delimiter: ';' }) as string[][];
    expect(rows).toHaveLength(cells.length + 1);
    expect(rows[0]).toEqual(['a', 'b;c', 'd"e', 'f', 'g', 'h', 'i', 'j']);
    expect(rows[1]).toEqual(cells[0]);
    expect(rows[3][6]).toBe(TRICKY);
    expect(rows[2]).toEqual(['0', '-1.5', '45.747823', '1e+21', '0.30000000000000004', '', '', ' spaces kept ']);
  });
});

describe('backpressure', () => {
  // 50 pages of 100 rows of 1,000 characters that do not compress (XLSX is zipped): each page
  // is more than the buffers between the writer and the client
  const noise = (n: number) => {
    let x = n + 1;
    let s = '';
    for (let i = 0; i < 1000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      s += String.fromCharCode(48 + (x % 75));
    }
    return s;
  };
  const columns: ExportColumn<number>[] = [
    { header: 'n', value: (n) => n },
    { header: 'text', value: noise },
  ];
  function source() {
    const state = { pulled: 0, finished: false };
    const pages = (async function* () {
      try {
        for (let p = 0; p < 50; p++) {
          state.pulled++;
          yield Array.from({ length: 100 }, (_, i) => p * 100 + i);
        }
      } finally {
        state.finished = true;
      }
    })();
    return { state, pages };
  }
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 5));
  };

  for (const format of ['csv', 'xlsx'] as const) {
    it(`${format}: reads no further page while the output is full, and stops when the client goes`, async () => {
      const out = new PassThrough(); // nobody reads it: a client that stalls
      const { state, pages } = source();
      const done = writeExportPages(format, pages, columns, out);
      await turns(40);
      // CSV: the page written fills the output; XLSX: the zip keeps up to 256 KiB of XML
      // waiting to be compressed and its own buffers behind it, a few of these 100 kB pages
      const bound = format === 'csv' ? 2 : 6;
      expect(state.pulled).toBeGreaterThan(0);
      expect(state.pulled).toBeLessThanOrEqual(bound);
      out.destroy(); // the client closes the connection
      await done;
      expect(state.finished).toBe(true);
      expect(state.pulled).toBeLessThanOrEqual(bound + 1);
    });

    it(`${format}: with a reader, every page is written`, async () => {
      const out = new PassThrough();
      let bytes = 0;
      out.on('data', (c: Buffer) => (bytes += c.length));
      const { state, pages } = source();
      expect(await writeExportPages(format, pages, columns, out)).toBe(5000);
      expect(state.pulled).toBe(50);
      expect(bytes).toBeGreaterThan(format === 'csv' ? 5000 * 1000 : 5000 * 500);
    });
  }
});

describe('registry export', () => {
  let t: TestApp;
  let tricky: number;
  let sole: number;
  let partialFirm: number;
  beforeAll(async () => {
    t = await createTestApp();
    await importSireneStock(t.db, { unitsFile: path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), establishmentsFile: path.join(SAMPLE, 'StockEtablissement_utf8.csv'), territory: ['42', '69'], actor: SYSTEM_ACTOR });
    const make = (name: string, legalForm?: string) => t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name, legalForm, postalCode: '42000', communeCode: '42218', streetName: 'Rue des Tests', streetNumber: '3' }));
    tricky = await make('Tricky');
    sole = await make('Jeanne Secret', '1000');
    partialFirm = await make('Secret Industries', '5710');
    // values a form would not let through, but the export must carry intact
    await t.db.updateTable('companies').set({ name: TRICKY }).where('id', '=', tricky).execute();
    await t.db.updateTable('establishments').set({ sign: 'Enseigne "; ici', latitude: 45.76404215231234, longitude: -0.000012 }).where('company_id', '=', tricky).execute();
    await t.db.updateTable('companies').set({ diffusion: 'partial' }).where('id', 'in', [sole, partialFirm]).execute();
    await t.db.updateTable('establishments').set({ diffusion: 'partial', sign: 'Chez Jeanne' }).where('company_id', 'in', [sole, partialFirm]).execute();
  });
  afterAll(async () => t?.close());

  async function allItems(): Promise<SearchItem[]> {
    return (await searchEstablishments(t.db, parseSearch({ status: 'all' }, 1000), { facets: false })).items;
  }

  it('streams exactly the rows the search reads, whatever the page size', async () => {
    const expected = (await allItems()).sort((a, b) => a.id - b.id);
    expect(expected.length).toBeGreaterThan(50);
    for (const size of [7, 1000]) {
      const got: SearchItem[] = [];
      for await (const page of streamSearch(t.db, parseSearch({ status: 'all' }), size)) got.push(...page);
      expect(got).toEqual(expected);
    }
    const active: SearchItem[] = [];
    for await (const page of streamSearch(t.db, parseSearch({ department: '42' }), 5)) active.push(...page);
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((x) => x.status === 'active' && x.postalCode?.startsWith('42'))).toBe(true);
  });

  it('writes the same cells in CSV and XLSX, the search’s rows, with partial units masked', async () => {
    const m = agent(t);
    await m.signIn((await makeUser(t.db, ['manager'])).email);
    const csvRes = await m.get('/registre/export.csv?status=all');
    expect(csvRes.status).toBe(200);
    expect(csvRes.headers['content-type']).toContain('text/csv');
    const csv = parse(csvRes.body.slice(1), { delimiter: ';' }) as string[][];
    expect(csv[0]).toEqual(EXPORT_HEADER);

    const expected = (await allItems()).map((x) => exportRow(x).map((v) => (v === null || v === undefined ? '' : String(v))));
    const key = (r: string[]) => JSON.stringify(r);
    expect(csv.slice(1).map(key).sort()).toEqual(expected.map(key).sort());

    const row = (name: string) => csv.find((r) => r[2] === name)!;
    const trickyRow = row(TRICKY);
    expect(trickyRow[3]).toBe('Enseigne "; ici');
    expect(trickyRow.slice(16)).toEqual(['45.76404215231234', '-0.000012']);
    // sole traders of the sample with partial diffusion, and ours
    const masked = csv.filter((r) => r[2] === 'Unité non diffusible');
    expect(masked.length).toBeGreaterThan(1);
    for (const r of masked) expect([r[3], r[6], r[7], r[16], r[17]]).toEqual(['', 'partielle', '', '', '']);
    const firm = row('Secret Industries'); // not a person: the name stays, the rest is masked
    expect([firm[3], firm[6], firm[7], firm[16]]).toEqual(['', 'partielle', '', '']);
    expect(csvRes.body).not.toMatch(/Jeanne/);

    const xlsxRes = await t.app.fastify.inject({ url: '/registre/export.xlsx?status=all', headers: { cookie: [...m.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(xlsxRes.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsxRes.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Registre')!;
    const xlsx: string[][] = [];
    ws.eachRow({ includeEmpty: false }, (r) => xlsx.push(EXPORT_HEADER.map((_, i) => String(r.getCell(i + 1).value ?? ''))));
    // XML reads a CR LF in text back as LF (exceljs writes it raw): the one known difference
    expect(xlsx.map(key)).toEqual(csv.map((r) => r.map((v) => v.replace(/\r\n/g, '\n'))).map(key));
  });
});
