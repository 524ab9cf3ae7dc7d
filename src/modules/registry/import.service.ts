// SIRENE stock import (units + establishments), streaming, in three passes:
//  1. establishments file: keep the rows of the territory, validate them, write them to a
//     temporary NDJSON file and collect their SIRENs (the national file has 30 M rows; a CCI
//     keeps ~1 M, so the expensive CSV is read once and what matters is kept on disk, not RAM);
//  2. units file: upsert the legal units that own one of those establishments;
//  3. the kept establishments: upsert them.
// Every batch is one transaction: an interruption leaves whole records, and running the import
// again finishes the work (upserts by SIREN/SIRET are idempotent). Each insert/update writes a
// line of history with what changed; unchanged records (same content hash) are not touched.
import { stringify } from 'csv-stringify/sync';
import { createReadStream, createWriteStream, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { parse as parseSync } from 'csv-parse/sync';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { dialectOf, nowIso, type AnyDb } from '../../platform/db/index.js';
import { invalid } from '../../platform/errors.js';
import { resumeFullTextIndex, suspendFullTextIndex } from '../../platform/db/search.js';
import type { CompanyRow, EstablishmentRow, RegistryDb } from './registry.table.js';
import { derivedColumns } from './search-text.js';
import { invalidateSearchCache } from './search.service.js';
import { establishmentColumns, mapEstablishment, mapUnit, placeEstablishment, Rejection, unitColumns, type MappedCompany, type MappedEstablishment } from './sirene.mapping.js';

const r = (db: AnyDb) => db as unknown as RegistryDb;

export interface ImportProgress {
  phase: 'establishments' | 'units' | 'saving' | 'done';
  rows: number;
  rate: number;
  percent: number;
  etaSeconds: number | null;
}

export interface RejectedRow {
  file: 'units' | 'establishments';
  line: number;
  key: string;
  reason: string;
  detail: string;
}

export interface ImportStats {
  establishmentRows: number;
  unitRows: number;
  kept: number;
  outOfTerritory: number;
  foreign: number;
  rejected: number;
  duplicates: number;
  companiesCreated: number;
  companiesUpdated: number;
  companiesUnchanged: number;
  establishmentsCreated: number;
  establishmentsUpdated: number;
  establishmentsUnchanged: number;
  establishmentsClosed: number;
  seconds: number;
  establishmentsPerSecond: number;
}

export interface ImportOptions {
  unitsFile: string;
  establishmentsFile: string;
  territory: readonly string[];
  actor: Actor;
  reportFile?: string;
  onProgress?: (p: ImportProgress) => void | Promise<void>;
  /** registry_imports row to update (created here when absent) */
  importId?: number;
  batchSize?: number;
  /** rows from which a load into a (nearly) empty registry rebuilds indexes at the end */
  bulkThreshold?: number;
}

export interface ImportResult {
  importId: number;
  stats: ImportStats;
  /** the first rejected rows (all of them are in the report file) */
  rejected: RejectedRow[];
}

const KEEP_REJECTED = 1000;

/**
 * Facet and sort indexes of establishments (same names as the migration). A first load of a
 * large registry drops them and builds them once at the end (sorting once beats updating ten
 * B-trees and the full-text index row by row); `ensureSearchIndexes` repairs an interrupted load.
 */
const FACET_INDEX_COLUMNS = ['naf_section', 'naf_division', 'department', 'commune_code', 'headcount_band', 'legal_form', 'sort_name', 'creation_date'];
const BULK_THRESHOLD = 20_000;

export async function ensureSearchIndexes(db: AnyDb): Promise<void> {
  for (const col of FACET_INDEX_COLUMNS) await sql`create index if not exists ${sql.ref(`establishments_${col}_idx`)} on establishments (status, ${sql.ref(col)})`.execute(db);
  await sql`create index if not exists establishments_facets_idx on establishments (status, department, commune_code, naf_section, naf_division, headcount_band, legal_form)`.execute(db);
  await resumeFullTextIndex(db, 'establishments', 'search_text');
}

async function dropSearchIndexes(db: AnyDb): Promise<void> {
  await suspendFullTextIndex(db, 'establishments');
  for (const col of FACET_INDEX_COLUMNS) await sql`drop index if exists ${sql.ref(`establishments_${col}_idx`)}`.execute(db);
  await sql`drop index if exists establishments_facets_idx`.execute(db);
}

/** Header of a CSV file (first line), parsed with the same rules as the rows. */
function readHeader(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    const rows = parseSync(firstLine, { bom: true, relax_quotes: true }) as string[][];
    return rows[0] ?? [];
  } finally {
    closeSync(fd);
  }
}

/** Checks both headers before anything is written: a missing column stops the import cleanly. */
export function checkSireneHeaders(unitsFile: string, establishmentsFile: string): void {
  for (const [file, cols, label] of [
    [establishmentsFile, establishmentColumns, 'StockEtablissement'],
    [unitsFile, unitColumns, 'StockUniteLegale'],
  ] as const) {
    let header: string[];
    try {
      header = readHeader(file);
    } catch {
      throw invalid('registry.import_unreadable', { file: 'registry.import_unreadable' }, { file: path.basename(file) });
    }
    const { missing } = cols(header);
    if (missing.length) throw invalid('registry.import_missing_column', { file: 'registry.import_missing_column' }, { file: label, columns: missing.join(', ') });
  }
}

/**
 * Content fingerprint (cyrb53: two 32-bit lanes and the length). Not cryptographic: it only
 * tells "same content as last import" and costs a fraction of md5 per row, which matters at 1 M.
 */
export function fingerprint(str: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 >>> 0).toString(36) + '.' + (h2 >>> 0).toString(36) + '.' + str.length.toString(36);
}

/** Records are built with a fixed key order, so their values joined are a stable content key. */
function hashOf(o: unknown): string {
  return fingerprint(Array.isArray(o) ? o.join('\u001f') : Object.values(o as object).join('\u001f'));
}

/** Multi-row INSERT in chunks (SQLite allows 32,766 bound parameters per statement). */
async function insertChunked<T>(rows: T[], size: number, run: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await run(rows.slice(i, i + size));
}

/**
 * Streams a CSV file as arrays, with the line number and bytes read so far.
 * Why not csv-parse alone: on the 54-column SIRENE rows it runs at ~15–40 k rows/s here, when
 * the import must reach 100 k/s. Almost every SIRENE line has no quote at all, so such lines are
 * split on commas directly; a line with a quote (names with commas or quotes, possibly spanning
 * lines) goes through csv-parse, so the quoting rules stay the library's.
 */
export async function* csvRows(file: string, onBytes: (n: number) => void): AsyncGenerator<{ row: string[]; line: number }> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' });
  let rest = '';
  let line = 0;
  let pending = '';
  let pendingStart = 0;
  const quotes = (s: string) => {
    let n = 0;
    for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
    return n;
  };
  function* handle(l: string): Generator<{ row: string[]; line: number }> {
    line++;
    if (pending) {
      pending += '\n' + l;
      if (quotes(pending) % 2 === 1) return;
      const rows = parseSync(pending, { relax_quotes: true, relax_column_count: true }) as string[][];
      pending = '';
      if (rows[0]) yield { row: rows[0], line: pendingStart };
      return;
    }
    if (line === 1 && l.charCodeAt(0) === 0xfeff) l = l.slice(1);
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l === '') return;
    if (l.indexOf('"') < 0) {
      yield { row: l.split(','), line };
      return;
    }
    if (quotes(l) % 2 === 1) {
      pending = l;
      pendingStart = line;
      return;
    }
    const rows = parseSync(l, { relax_quotes: true, relax_column_count: true }) as string[][];
    if (rows[0]) yield { row: rows[0], line };
  }
  for await (const chunk of stream as AsyncIterable<string>) {
    onBytes(Buffer.byteLength(chunk));
    const text = rest + chunk;
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) yield* handle(l);
  }
  if (rest) yield* handle(rest);
  if (pending) {
    const rows = parseSync(pending, { relax_quotes: true, relax_column_count: true }) as string[][];
    if (rows[0]) yield { row: rows[0], line: pendingStart };
  }
}

class Progress {
  private last = 0;
  private readonly started = Date.now();
  constructor(
    private readonly totalBytes: number,
    private readonly cb?: (p: ImportProgress) => void | Promise<void>,
  ) {}
  bytes = 0;
  rows = 0;
  async tick(phase: ImportProgress['phase'], force = false) {
    const now = Date.now();
    if (!this.cb || (!force && now - this.last < 500)) return;
    this.last = now;
    const secs = (now - this.started) / 1000;
    const fraction = Math.min(1, this.totalBytes ? this.bytes / this.totalBytes : 0);
    await this.cb({
      phase,
      rows: this.rows,
      rate: secs > 0 ? Math.round(this.rows / secs) : 0,
      percent: Math.round(fraction * 1000) / 10,
      etaSeconds: fraction > 0.01 && phase !== 'done' ? Math.round((secs / fraction) * (1 - fraction)) : null,
    });
  }
}

export async function importSireneStock(db: AnyDb, opts: ImportOptions): Promise<ImportResult> {
  checkSireneHeaders(opts.unitsFile, opts.establishmentsFile);
  const started = Date.now();
  // One transaction per batch: bigger batches mean fewer commits (and fewer FTS5 segment
  // flushes on SQLite); statements inside are chunked under the bound-parameter limit.
  const batchSize = opts.batchSize ?? (dialectOf(db) === 'postgres' ? 5000 : 10000);
  const estSize = statSync(opts.establishmentsFile).size;
  const unitSize = statSync(opts.unitsFile).size;
  // Saving the kept rows counts as a third of the reading effort, for the ETA.
  const progress = new Progress(estSize + unitSize + Math.round(estSize / 3), opts.onProgress);

  const importId =
    opts.importId ??
    (
      await r(db)
        .insertInto('registry_imports')
        .values({ started_at: nowIso(), status: 'running', actor_label: opts.actor.label, units_file: path.basename(opts.unitsFile), establishments_file: path.basename(opts.establishmentsFile), stats: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  const stats: ImportStats = {
    establishmentRows: 0, unitRows: 0, kept: 0, outOfTerritory: 0, foreign: 0, rejected: 0, duplicates: 0,
    companiesCreated: 0, companiesUpdated: 0, companiesUnchanged: 0, establishmentsCreated: 0, establishmentsUpdated: 0,
    establishmentsUnchanged: 0, establishmentsClosed: 0, seconds: 0, establishmentsPerSecond: 0,
  };
  const rejected: RejectedRow[] = [];
  let report: WriteStream | undefined;
  if (opts.reportFile) {
    report = createWriteStream(opts.reportFile);
    report.write('\uFEFF' + stringify([['fichier', 'ligne', 'identifiant', 'motif', 'détail']], { delimiter: ';' }));
  }
  const reject = (x: RejectedRow) => {
    stats.rejected++;
    if (rejected.length < KEEP_REJECTED) rejected.push(x);
    report?.write(stringify([[x.file, x.line, x.key, x.reason, x.detail]], { delimiter: ';' }));
  };

  // A previous bulk load that was interrupted left its indexes dropped: put them back first.
  await ensureSearchIndexes(db);
  const work = mkdtempSync(path.join(tmpdir(), 'consulaire-sirene-'));
  const keptFile = path.join(work, 'establishments.ndjson');
  try {
    // ——— pass 1: establishments of the territory ———
    const estHeader = readHeader(opts.establishmentsFile);
    const { index: ex } = establishmentColumns(estHeader);
    const kept = createWriteStream(keptFile);
    const sirens = new Set<string>();
    // siret → hash of the raw row, to tell exact duplicates from conflicting ones
    const seen = new Map<string, string>();
    let first = true;
    for await (const { row, line } of csvRows(opts.establishmentsFile, (n) => (progress.bytes += n))) {
      if (first) {
        first = false;
        continue;
      }
      stats.establishmentRows++;
      progress.rows++;
      if (progress.rows % 4096 === 0) await progress.tick('establishments');
      const place = placeEstablishment(row, ex, opts.territory);
      if (place === 'outside') {
        stats.outOfTerritory++;
        continue;
      }
      if (place === 'foreign') {
        stats.foreign++;
        continue;
      }
      const m = mapEstablishment(row, ex, estHeader.length);
      const key = row[ex.siret] ?? '';
      if (m instanceof Rejection) {
        reject({ file: 'establishments', line, key, reason: m.reason, detail: m.detail });
        continue;
      }
      const h = hashOf(row);
      const previous = seen.get(m.siret);
      if (previous !== undefined) {
        if (previous === h) stats.duplicates++;
        reject({ file: 'establishments', line, key, reason: previous === h ? 'duplicate' : 'duplicate_conflicting', detail: previous === h ? '' : 'first occurrence kept' });
        continue;
      }
      seen.set(m.siret, h);
      sirens.add(m.siren);
      stats.kept++;
      if (!kept.write(JSON.stringify(m) + '\n')) await new Promise<void>((res) => kept.once('drain', () => res()));
    }
    await new Promise<void>((res, rej) => kept.end((e?: Error | null) => (e ? rej(e) : res())));
    seen.clear();

    // ——— pass 2: legal units owning a kept establishment ———
    const unitHeader = readHeader(opts.unitsFile);
    const { index: ux } = unitColumns(unitHeader);
    const companyIds = new Map<string, number>();
    const seenUnits = new Map<string, string>();
    let batch: MappedCompany[] = [];
    first = true;
    for await (const { row, line } of csvRows(opts.unitsFile, (n) => (progress.bytes += n))) {
      if (first) {
        first = false;
        continue;
      }
      stats.unitRows++;
      if (stats.unitRows % 4096 === 0) await progress.tick('units');
      const rawSiren = (row[ux.siren] ?? '').trim();
      if (!sirens.has(rawSiren)) {
        // A unit with no establishment in the territory is not ours — unless its key is broken,
        // which we cannot know without validating: report malformed keys only when they could
        // have been ours (never the 25 M other units of France).
        continue;
      }
      const m = mapUnit(row, ux, unitHeader.length);
      if (m instanceof Rejection) {
        reject({ file: 'units', line, key: rawSiren, reason: m.reason, detail: m.detail });
        continue;
      }
      const h = hashOf(row);
      const previous = seenUnits.get(m.siren);
      if (previous !== undefined) {
        if (previous === h) stats.duplicates++;
        reject({ file: 'units', line, key: rawSiren, reason: previous === h ? 'duplicate' : 'duplicate_conflicting', detail: previous === h ? '' : 'first occurrence kept' });
        continue;
      }
      seenUnits.set(m.siren, h);
      batch.push(m);
      if (batch.length >= batchSize) {
        await saveCompanies(db, opts.actor, importId, batch, companyIds, stats);
        batch = [];
      }
    }
    if (batch.length) await saveCompanies(db, opts.actor, importId, batch, companyIds, stats);
    seenUnits.clear();

    // ——— pass 3: establishments ———
    const existingCount = Number(((await r(db).selectFrom('establishments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()) as { n: number }).n);
    const bulk = stats.kept >= (opts.bulkThreshold ?? BULK_THRESHOLD) && existingCount < stats.kept / 2;
    // First load: nothing to compare with, so no lookup of existing rows per batch.
    const empty = existingCount === 0;
    if (bulk) await dropSearchIndexes(db);
    const lines = createInterface({ input: createReadStream(keptFile), crlfDelay: Infinity });
    let ebatch: MappedEstablishment[] = [];
    let savedBytes = 0;
    for await (const l of lines) {
      savedBytes += l.length / 3;
      const m = JSON.parse(l) as MappedEstablishment;
      if (!companyIds.has(m.siren)) {
        reject({ file: 'establishments', line: 0, key: m.siret, reason: 'unit_missing_or_rejected', detail: m.siren });
        stats.kept--;
        continue;
      }
      ebatch.push(m);
      if (ebatch.length >= batchSize) {
        await saveEstablishments(db, opts.actor, importId, ebatch, companyIds, stats, empty);
        ebatch = [];
        progress.bytes = estSize + unitSize + Math.round(savedBytes);
        await progress.tick('saving');
      }
    }
    if (ebatch.length) await saveEstablishments(db, opts.actor, importId, ebatch, companyIds, stats, empty);
    if (bulk) {
      await progress.tick('saving', true);
      await ensureSearchIndexes(db);
    }
    progress.bytes = estSize + unitSize + Math.round(estSize / 3);

    stats.seconds = Math.round((Date.now() - started) / 100) / 10;
    stats.establishmentsPerSecond = Math.round(stats.establishmentRows / Math.max(0.001, (Date.now() - started) / 1000));
    await db.transaction().execute(async (trx) => {
      await r(trx).updateTable('registry_imports').set({ status: 'done', finished_at: nowIso(), stats: JSON.stringify(stats) }).where('id', '=', importId).execute();
      await record(trx, opts.actor, { entity: 'registry_import', entityId: importId, action: 'import', changes: { ...stats } });
    });
    invalidateSearchCache();
    await progress.tick('done', true);
    return { importId, stats, rejected };
  } catch (e) {
    await r(db)
      .updateTable('registry_imports')
      .set({ status: 'failed', finished_at: nowIso(), stats: JSON.stringify(stats), error: e instanceof Error ? e.message.slice(0, 1000) : String(e) })
      .where('id', '=', importId)
      .execute();
    throw e;
  } finally {
    report?.end();
    rmSync(work, { recursive: true, force: true });
  }
}

const COMPANY_FIELDS = ['name', 'acronym', 'usual_name', 'person_first_name', 'person_last_name', 'legal_form', 'naf_code', 'naf25_code', 'headcount_band', 'headcount_year', 'category', 'creation_date', 'status', 'diffusion', 'head_office_nic', 'ess', 'employer'] as const;

function changesOf(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const f of fields) {
    const b = before[f] ?? null;
    const a = after[f] ?? null;
    if (b !== a && !(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-6)) out[f] = [b, a];
  }
  return out;
}

async function saveCompanies(db: AnyDb, actor: Actor, importId: number, batch: MappedCompany[], ids: Map<string, number>, stats: ImportStats) {
  await db.transaction().execute(async (trx) => {
    const t = r(trx);
    const existing = await t.selectFrom('companies').select(['id', 'siren', 'sirene_hash']).where('siren', 'in', batch.map((b) => b.siren)).execute();
    const bySiren = new Map(existing.map((e) => [e.siren!, e]));
    const now = nowIso();
    const fresh: MappedCompany[] = [];
    const changed: { id: number; m: MappedCompany; hash: string }[] = [];
    for (const m of batch) {
      const hash = hashOf(m);
      const ex = bySiren.get(m.siren);
      if (!ex) fresh.push(m);
      else {
        ids.set(m.siren, ex.id);
        if (ex.sirene_hash === hash) stats.companiesUnchanged++;
        else changed.push({ id: ex.id, m, hash });
      }
    }
    if (fresh.length) {
      await insertChunked(fresh, 700, async (chunk) => {
        const rows = await t
          .insertInto('companies')
          .values(chunk.map((m) => ({ ...m, source: 'sirene' as const, sirene_hash: hashOf(m), sirene_updated_at: now, created_at: now, updated_at: now })))
          .returning(['id', 'siren'])
          .execute();
        for (const x of rows) ids.set(x.siren!, x.id);
        // Creation is not written line by line: created_at and the import row say it.
        stats.companiesCreated += rows.length;
      });
    }
    if (changed.length) {
      const befores = await t.selectFrom('companies').selectAll().where('id', 'in', changed.map((c) => c.id)).execute();
      const byId = new Map(befores.map((b) => [b.id, b]));
      for (const c of changed) {
        const before = byId.get(c.id)! as unknown as Record<string, unknown>;
        const changes = changesOf(before, c.m as unknown as Record<string, unknown>, COMPANY_FIELDS);
        await t.updateTable('companies').set({ ...c.m, sirene_hash: c.hash, sirene_updated_at: now, updated_at: now, version: sql`version + 1` }).where('id', '=', c.id).execute();
        if (Object.keys(changes).length) {
          stats.companiesUpdated++;
          await t.insertInto('registry_changes').values({ company_id: c.id, entity: 'company', entity_id: c.id, at: now, source: 'sirene', import_id: importId, actor_label: actor.label, action: 'update', changes: JSON.stringify(changes) }).execute();
        } else stats.companiesUnchanged++;
      }
    }
  });
}

const EST_FIELDS = ['diffusion', 'creation_date', 'headcount_band', 'is_head_office', 'address_complement', 'street_number', 'street_suffix', 'street_type', 'street_name', 'postal_code', 'city', 'commune_code', 'cedex', 'latitude', 'longitude', 'status', 'sign', 'usual_name', 'naf_code', 'naf25_code'] as const;

async function saveEstablishments(db: AnyDb, actor: Actor, importId: number, batch: MappedEstablishment[], companyIds: Map<string, number>, stats: ImportStats, empty = false) {
  await db.transaction().execute(async (trx) => {
    const t = r(trx);
    const cids = [...new Set(batch.map((m) => companyIds.get(m.siren)!))];
    const companies = await t.selectFrom('companies').select(['id', 'siren', 'name', 'acronym', 'usual_name', 'legal_form']).where('id', 'in', cids).execute();
    const companyById = new Map(companies.map((c) => [c.id, c]));
    const contacts = empty ? [] : await t.selectFrom('contacts').select(['company_id', 'first_name', 'last_name']).where('company_id', 'in', cids).where('erased_at', 'is', null).execute();
    const names = new Map<number, string>();
    for (const c of contacts) names.set(c.company_id, `${names.get(c.company_id) ?? ''} ${c.first_name} ${c.last_name}`);
    const existing = empty ? [] : await t.selectFrom('establishments').select(['id', 'siret', 'sirene_hash', 'company_id']).where('siret', 'in', batch.map((b) => b.siret)).execute();
    const bySiret = new Map(existing.map((e) => [e.siret!, e]));
    const now = nowIso();
    const fresh: Record<string, unknown>[] = [];
    const changed: { id: number; row: Record<string, unknown>; hash: string }[] = [];
    for (const m of batch) {
      const company_id = companyIds.get(m.siren)!;
      const c = companyById.get(company_id)!;
      const full = { ...m, company_id, ...derivedColumns(c, m, names.get(company_id) ?? '') } as Record<string, unknown>;
      delete full.siren;
      const hash = hashOf(full);
      const ex = bySiret.get(m.siret);
      if (!ex) fresh.push({ ...full, sirene_hash: hash, created_at: now, updated_at: now });
      else if (ex.sirene_hash === hash) stats.establishmentsUnchanged++;
      else changed.push({ id: ex.id, row: full, hash });
    }
    if (fresh.length) {
      await insertChunked(fresh, 500, async (chunk) => {
        await t.insertInto('establishments').values(chunk as never).execute();
        stats.establishmentsCreated += chunk.length;
      });
    }
    if (changed.length) {
      const befores = await t.selectFrom('establishments').selectAll().where('id', 'in', changed.map((c) => c.id)).execute();
      const byId = new Map<number, EstablishmentRow>(befores.map((b) => [b.id, b]));
      for (const c of changed) {
        const before = byId.get(c.id)! as unknown as Record<string, unknown>;
        const changes = changesOf(before, c.row, [...EST_FIELDS, 'company_id']);
        await t.updateTable('establishments').set({ ...(c.row as object), sirene_hash: c.hash, updated_at: now, version: sql`version + 1` } as never).where('id', '=', c.id).execute();
        if (Object.keys(changes).length) {
          const closing = before.status === 'active' && c.row.status === 'closed';
          if (closing) stats.establishmentsClosed++;
          stats.establishmentsUpdated++;
          await t
            .insertInto('registry_changes')
            .values({ company_id: c.row.company_id as number, entity: 'establishment', entity_id: c.id, at: now, source: 'sirene', import_id: importId, actor_label: actor.label, action: closing ? 'close' : 'update', changes: JSON.stringify(changes) })
            .execute();
        } else stats.establishmentsUnchanged++;
      }
    }
  });
}

export type { CompanyRow };
