// Streaming exports: CSV with BOM and ';' that round-trips quotes and accents; XLSX readable
// back by exceljs; keyset paging reads every row exactly once.
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { keysetPages, writeExport, type ExportColumn } from '../src/platform/export.js';

interface Row {
  id: number;
  name: string;
  amount: number;
}
const columns: ExportColumn<Row>[] = [
  { header: 'N°', value: (r) => r.id },
  { header: 'Raison sociale', value: (r) => r.name },
  { header: 'Montant', value: (r) => r.amount },
];
const all: Row[] = Array.from({ length: 12_345 }, (_, i) => ({ id: i + 1, name: i === 7 ? 'Société "Générale"; Lyon' : `Entreprise ${i + 1}`, amount: i * 10 }));
const source = () => keysetPages<Row, number>(async (after, limit) => all.filter((r) => r.id > (after ?? 0)).slice(0, limit), (r) => r.id, 1000);

async function collect(format: 'csv' | 'xlsx'): Promise<{ buf: Buffer; n: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const n = await writeExport(format, source(), columns, out, 'Entreprises');
  return { buf: Buffer.concat(chunks), n };
}

describe('exports', () => {
  it('writes CSV with a BOM, semicolons and correct quoting', async () => {
    const { buf, n } = await collect('csv');
    expect(n).toBe(all.length);
    expect(buf.subarray(0, 3).toString('hex')).toBe('efbbbf');
    const rows = parse(buf.toString('utf8').slice(1), { delimiter: ';' }) as string[][];
    expect(rows[0]).toEqual(['N°', 'Raison sociale', 'Montant']);
    expect(rows).toHaveLength(all.length + 1);
    expect(rows[8]).toEqual(['8', 'Société "Générale"; Lyon', '70']);
  });

  it('writes an XLSX workbook that reads back', async () => {
    const { buf, n } = await collect('xlsx');
    expect(n).toBe(all.length);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Entreprises')!;
    expect(ws.rowCount).toBe(all.length + 1);
    expect(ws.getRow(9).values).toEqual([undefined, 8, 'Société "Générale"; Lyon', 70]);
  });
});
