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
import { createWriteStream, mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { parse as parseSync } from 'csv-parse/sync';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { dialectOf, nowIso, refreshPlannerStatistics, sqliteHandle } from '../../platform/db/index.js';
import { invalid } from '../../platform/errors.js';
import { resumeFullTextIndex, suspendFullTextIndex } from '../../platform/db/search.js';
import { bulkInsert, bulkUpdate, dropSecondaryIndexes, rebuildIndexes, withBulkMemory, type BulkValue } from '../../platform/db/bulk.js';
import { refreshCompanySearch } from './company.service.js';
import type { CompanyRow, EstablishmentRow, RegistryDb } from './registry.table.js';
import { derivedColumns, FACET_COLUMNS, type EstablishmentTextFields } from './search-text.js';
import { ensureFacetSummary, suspendFacetSummary } from './facet-summary.js';
import { invalidateSearchCache } from './search.service.js';
import { csvBatches, fingerprint53, lineChunks, type CsvRow } from './import-lines.js';
import { InlineScanner, MAPPED_EST_KEYS, ScanWorker } from './import-scan.js';
import { copyKeyPairs, copyRows } from './import-copy.js';
import { establishmentColumns, unitColumns, type MappedCompany } from './sirene.mapping.js';


export { csvBatches, fingerprint53, type CsvRow };

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
  /** seconds spent in each step: reading establishments, units (and saving companies), saving establishments, rebuilding indexes */
  phases: { establishments: number; units: number; saving: number; indexes: number };
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
  /** rows read from which planner statistics are refreshed at the end (PostgreSQL); tests lower it */
  analyzeFromRows?: number;
  /**
   * The import runs inside the server (a job), beside the requests: on SQLite its batches are
   * short transactions with a turn of the event loop between them, so a request waits one
   * batch at most (ADR 0009, "Long writes"). The command line leaves it off: nobody waits there
   * and large transactions are faster.
   */
  besideRequests?: boolean;
  /** rows from which a load into a (nearly) empty registry rebuilds indexes at the end */
  bulkThreshold?: number;
  /**
   * Aborted to cancel (Ctrl-C, the page's cancel button): the import stops at its next chunk or
   * batch and throws `ImportCancelled`; the run is marked cancelled.
   */
  signal?: AbortSignal;
  /**
   * The whole import in one transaction (default unless `besideRequests`): nothing of a cancelled,
   * failed or killed import remains. `false`: one transaction per batch (resumable: a rerun
   * converges), so that on SQLite another process's writes wait one batch, not the whole import.
   */
  atomic?: boolean;
  /**
   * Read, fingerprint and map the files in a worker thread while this thread writes (default:
   * beside the requests, so that the server's event loop is not held by parsing; the command
   * line scans in its own thread — on a busy 2-core machine the thread made it slower, see
   * ADR 0015, amended 2026-12-07).
   */
  scanThread?: boolean;
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
const FACET_INDEX_COLUMNS = [...Object.values(FACET_COLUMNS), 'sort_name', 'creation_date'];
const BULK_THRESHOLD = 20_000;
/** establishments read from which an import refreshes the planner's statistics (PostgreSQL) */
const ANALYZE_FROM_ROWS = 10_000;

export async function ensureSearchIndexes(db: RegistryDb): Promise<void> {
  const builds = [
    ...FACET_INDEX_COLUMNS.map((col) => sql`create index if not exists ${sql.ref(`establishments_${col}_idx`)} on establishments (status, ${sql.ref(col)})`),
    sql`create index if not exists establishments_facets_idx on establishments (status, department, commune_code, naf_section, naf_division, headcount_band, legal_form)`,
  ];
  // PostgreSQL builds indexes of one table side by side (CREATE INDEX takes a shared lock), one
  // per connection: the full-text one first, it is the longest. SQLite has one writer.
  if (dialectOf(db) === 'postgres') await Promise.all([resumeFullTextIndex(db, 'establishments', 'search_text'), ...builds.map((b) => b.execute(db))]);
  else {
    for (const b of builds) await b.execute(db);
    await resumeFullTextIndex(db, 'establishments', 'search_text');
  }
  await ensureFacetSummary(db);
}

async function dropSearchIndexes(db: RegistryDb): Promise<void> {
  await suspendFullTextIndex(db, 'establishments');
  await suspendFacetSummary(db);
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
 * The stored content key of a record (`sirene_hash`): its values joined by U+001F, fingerprinted,
 * with the length. The same number as `fingerprint53(values.join('\u001f'))`, computed value by
 * value without building the joined string: a first load hashes a ~300-character string per
 * row, a million rows' worth of garbage (the profile's GC was 12 % of a first load).
 */
export function fingerprint(values: readonly unknown[]): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let length = 0;
  for (let k = 0; k < values.length; k++) {
    if (k > 0) {
      h1 = Math.imul(h1 ^ 0x1f, 2654435761);
      h2 = Math.imul(h2 ^ 0x1f, 1597334677);
      length++;
    }
    const v = values[k];
    if (v === null || v === undefined) continue;
    const str = typeof v === 'string' ? v : String(v);
    for (let i = 0; i < str.length; i++) {
      const ch = str.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    length += str.length;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36) + '.' + length.toString(36);
}

/**
 * Keeps up to `depth` batch writes in flight, so the next batch is read and prepared while the
 * database writes the previous ones. On PostgreSQL (another process, several connections) this
 * overlaps our CPU with the server's; on SQLite (one synchronous connection) depth 1 is right.
 * A failed write stops the import at the next batch.
 */
class WritePipeline {
  private readonly inflight = new Set<Promise<void>>();
  private failure: unknown;
  constructor(
    private readonly depth: number,
    /** a turn of the event loop after each write, so requests queued for the connection run first */
    private readonly yieldAfterEach = false,
  ) {}
  async add(write: Promise<void>): Promise<void> {
    const p: Promise<void> = write.catch((e: unknown) => void (this.failure ??= e)).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
    if (this.inflight.size >= this.depth) await Promise.race(this.inflight);
    if (this.yieldAfterEach) await new Promise<void>((res) => setImmediate(res));
    if (this.failure) throw this.failure;
  }
  async drain(): Promise<void> {
    await Promise.all(this.inflight);
    if (this.failure) throw this.failure;
  }
}

/** Beside the requests, the time one batch may hold SQLite's connection. */
const BESIDE_REQUESTS_MS = 25;

/**
 * Rows per batch. Fixed, or, given a time to aim at, learnt from the batches written: a row's
 * cost varies fiftyfold (a first load without indexes, or an insert updating the full-text
 * index, ten indexes and ~20 facet-summary rows through the triggers: 0.3–2 ms a row on this
 * machine), so no fixed size keeps a transaction near 25 ms.
 */
class BatchSizer {
  size: number;
  constructor(
    private readonly max: number,
    private readonly targetMs?: number,
  ) {
    this.size = targetMs ? Math.min(max, 100) : max;
  }
  async timed(rows: number, write: Promise<void>): Promise<void> {
    const started = performance.now();
    await write;
    if (!this.targetMs) return;
    const perRow = Math.max(0.001, (performance.now() - started) / rows);
    this.size = Math.max(20, Math.min(this.max, Math.round(this.targetMs / perRow)));
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

/** Thrown when an import is cancelled (Ctrl-C on the command line, the page's cancel button). */
export class ImportCancelled extends Error {
  constructor() {
    super('import cancelled');
  }
}

/**
 * Mixed into the line fingerprints stored on records (`sirene_line`): raise it when the mapping
 * of a line changes, so the next import maps every line again instead of skipping it.
 */
const LINE_SEED = 1;

/**
 * The line fingerprints stored by earlier imports, sorted by key (SIRET or SIREN as a number):
 * two typed arrays cost 16 bytes a record, a Map of a million numbers ten times that.
 */
class StoredLines {
  private constructor(
    private readonly keys: Float64Array,
    private readonly hashes: Float64Array,
  ) {}
  static async load(db: RegistryDb, table: 'companies' | 'establishments', besideRequests = false): Promise<StoredLines> {
    const keyCol = table === 'companies' ? 'siren' : 'siret';
    if (dialectOf(db) === 'sqlite' && !besideRequests) return StoredLines.loadAtOnce(db, table, keyCol);
    if (dialectOf(db) === 'postgres' && db.isTransaction) {
      const { keys, hashes } = await copyKeyPairs(db, table, keyCol, 'sirene_line');
      return new StoredLines(keys, hashes);
    }
    const n = Number(((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('sirene_line', 'is not', null).executeTakeFirstOrThrow()) as { n: number }).n);
    const keys = new Float64Array(n);
    const hashes = new Float64Array(n);
    let i = 0;
    let after = '';
    // Keyset pages in key order (the unique index): sorted as they come, short reads each.
    while (i < n) {
      const page = await db.selectFrom(table).select([keyCol, 'sirene_line']).where('sirene_line', 'is not', null).where(keyCol, '>', after).orderBy(keyCol).limit(50_000).execute();
      if (!page.length) break;
      for (const r of page as { siren?: string | null; siret?: string | null; sirene_line: number | null }[]) {
        if (i >= n) break;
        keys[i] = Number(r[keyCol]);
        hashes[i++] = Number(r.sirene_line);
      }
      after = String((page[page.length - 1] as Record<string, unknown>)[keyCol]);
    }
    return new StoredLines(keys.subarray(0, i), hashes.subarray(0, i));
  }
  /**
   * SQLite, nobody waiting on the connection (the command line): one statement read in key order
   * straight into the arrays — rows as arrays, no object per row, no count first (the arrays are
   * sized by the largest id). At 200,000 rows: ~0.1 s against ~0.4 s for the keyset pages.
   * Beside the requests the pages stay: this would hold the one connection for the whole read.
   */
  private static loadAtOnce(db: RegistryDb, table: 'companies' | 'establishments', keyCol: 'siren' | 'siret'): StoredLines {
    const raw = sqliteHandle(db);
    const max = Number((raw.prepare(`select max(id) from ${table}`).pluck().get() as number | null) ?? 0);
    const keys = new Float64Array(max);
    const hashes = new Float64Array(max);
    let i = 0;
    for (const [k, h] of raw.prepare(`select ${keyCol}, sirene_line from ${table} where sirene_line is not null order by ${keyCol}`).raw().iterate() as IterableIterator<[string, number]>) {
      if (i >= max) break;
      keys[i] = Number(k);
      hashes[i++] = h;
    }
    return new StoredLines(keys.subarray(0, i), hashes.subarray(0, i));
  }
  /** What the scan looks unchanged lines up in (import-scanner sameLine); copied once to a scanning worker (16 bytes a record). */
  get arrays(): { storedKeys: Float64Array; storedHashes: Float64Array } {
    return { storedKeys: this.keys, storedHashes: this.hashes };
  }
}

/** In the caller's transaction (the command line's one transaction), else in a new one. */
function inTransaction<T>(db: RegistryDb, fn: (trx: RegistryDb) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

export async function importSireneStock(db: RegistryDb, opts: ImportOptions): Promise<ImportResult> {
  checkSireneHeaders(opts.unitsFile, opts.establishmentsFile);
  const started = Date.now();
  // One transaction per batch: bigger batches mean fewer commits (and fewer FTS5 segment
  // flushes on SQLite); statements inside are chunked under the bound-parameter limit.
  // Beside the requests on SQLite, a batch holds the one connection that every request needs,
  // so its size follows the time its writes take (see BatchSizer), and the event loop turns
  // after each batch so that the waiting requests run before the next one.
  const sizer = opts.batchSize
    ? new BatchSizer(opts.batchSize)
    : dialectOf(db) === 'postgres'
      ? new BatchSizer(5000)
      : opts.besideRequests
        ? new BatchSizer(1000, BESIDE_REQUESTS_MS)
        : new BatchSizer(10000);
  const estSize = statSync(opts.establishmentsFile).size;
  const unitSize = statSync(opts.unitsFile).size;
  // Saving the kept rows counts as a third of the reading effort, for the ETA.
  const progress = new Progress(estSize + unitSize + Math.round(estSize / 3), opts.onProgress);

  const importId =
    opts.importId ??
    (
      await db
        .insertInto('registry_imports')
        .values({ started_at: nowIso(), status: 'running', actor_label: opts.actor.label, units_file: path.basename(opts.unitsFile), establishments_file: path.basename(opts.establishmentsFile), stats: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  const stats: ImportStats = {
    establishmentRows: 0, unitRows: 0, kept: 0, outOfTerritory: 0, foreign: 0, rejected: 0, duplicates: 0,
    companiesCreated: 0, companiesUpdated: 0, companiesUnchanged: 0, establishmentsCreated: 0, establishmentsUpdated: 0,
    establishmentsUnchanged: 0, establishmentsClosed: 0, seconds: 0, establishmentsPerSecond: 0,
    phases: { establishments: 0, units: 0, saving: 0, indexes: 0 },
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
  const checkCancel = () => {
    if (opts.signal?.aborted) throw new ImportCancelled();
  };

  const work = mkdtempSync(path.join(tmpdir(), 'consulaire-sirene-'));
  const keptFile = path.join(work, 'establishments.ndjson');
  // Beside the requests, every batch is its own transaction (a request waits one batch at most):
  // an interruption leaves whole records and a rerun converges. Otherwise (command line) the
  // whole import is ONE transaction: Ctrl-C, a failure or a kill -9 leaves the registry exactly
  // as it was, indexes and summaries included (SQLite and PostgreSQL both roll DDL back).
  const atomic = opts.atomic ?? !opts.besideRequests;
  let bulk = false;
  // Batches in flight: PostgreSQL overlaps our CPU with the server's (in one transaction the
  // statements queue on its connection, still overlapping); SQLite has one synchronous writer.
  const writes = new WritePipeline(dialectOf(db) === 'postgres' ? 3 : 1, opts.besideRequests && dialectOf(db) === 'sqlite');

  // The two scanning threads (establishments, units) start now: their start-up overlaps the
  // first queries (index repair, stored fingerprints).
  const scanners = opts.scanThread ?? opts.besideRequests ?? false ? ([new ScanWorker(), new ScanWorker()] as const) : ([new InlineScanner(), new InlineScanner()] as const);

  const load = async (w: RegistryDb): Promise<void> => {
    checkCancel(); // cancelled while queued
    // A previous bulk load that was interrupted left its indexes dropped: put them back first.
    await ensureSearchIndexes(w);
    // ——— pass 1: establishments of the territory ———
    const estHeader = readHeader(opts.establishmentsFile);
    const storedEst = await StoredLines.load(w, 'establishments', opts.besideRequests);
    const kept = createWriteStream(keptFile);
    // SIRENs and SIRETs as numbers (14 digits fit a double exactly): a million keys cost a
    // fraction of the memory and garbage collection that strings do.
    const sirens = new Set<number>();
    // SIRENs of the establishments to write (changed or new lines): they need their company's id
    const dirtySirens = new Set<number>();
    // siret → fingerprint of the raw row, to tell exact duplicates from conflicting ones
    const seen = new Map<number, number>();
    const duplicate = (siret: number, h: number, line: number, key: string): boolean => {
      const previous = seen.get(siret);
      if (previous === undefined) return false;
      if (previous === h) stats.duplicates++;
      reject({ file: 'establishments', line, key, reason: previous === h ? 'duplicate' : 'duplicate_conflicting', detail: previous === h ? '' : 'first occurrence kept' });
      return true;
    };
    // The scanning worker (import-worker.ts) reads, fingerprints and maps the lines; here, in
    // file order, what needs the import's state: duplicates, the SIRENs kept, the kept file.
    for await (const b of scanners[0].scan({ kind: 'establishments', file: opts.establishmentsFile, header: estHeader, territory: opts.territory, seed: LINE_SEED, ...storedEst.arrays })) {
      checkCancel();
      progress.bytes += b.bytes;
      progress.rows += b.rows;
      stats.establishmentRows += b.rows;
      stats.outOfTerritory += b.outside;
      stats.foreign += b.foreign;
      let out = '';
      for (const e of b.events) {
        if (e.reject) {
          reject({ file: 'establishments', line: e.line, key: e.key, reason: e.reject[0], detail: e.reject[1] });
          continue;
        }
        if (duplicate(e.id, e.h, e.line, e.key)) continue;
        seen.set(e.id, e.h);
        stats.kept++;
        if (e.json === undefined) {
          // The same line as at the last import: nothing to map or write.
          sirens.add(Math.floor(e.id / 100_000));
          stats.establishmentsUnchanged++;
          continue;
        }
        sirens.add(e.parent!);
        dirtySirens.add(e.parent!);
        // An array, not the object: half the bytes to write and read back. Last: the line's fingerprint.
        out += e.json + '\n';
      }
      if (!kept.write(out)) await new Promise<void>((res) => kept.once('drain', () => res()));
      await progress.tick('establishments');
    }
    await new Promise<void>((res, rej) => kept.end((e?: Error | null) => (e ? rej(e) : res())));
    seen.clear();

    let mark = started;
    const phase = (k: keyof ImportStats['phases']) => {
      const now = Date.now();
      stats.phases[k] = Math.round((now - mark) / 100) / 10;
      mark = now;
    };
    phase('establishments');
    // ——— pass 2: legal units owning a kept establishment ———
    const unitHeader = readHeader(opts.unitsFile);
    const storedUnits = await StoredLines.load(w, 'companies', opts.besideRequests);
    const companyIds = new Map<number, number>(); // SIREN (as a number) → company id
    const seenUnits = new Map<number, number>();
    const unchangedUnits = new Set<number>();
    const renamed: number[] = []; // companies whose name or legal form changed: their establishments' search text
    let batch: UnitLine[] = [];
    // First load: nothing to compare with, so no lookup of existing rows per batch.
    const firstLoad = !(await w.selectFrom('companies').select('id').limit(1).executeTakeFirst());
    // A first load in one transaction writes companies without their secondary index (the name,
    // in random order) and builds it once after the units pass; a rollback puts it back. At 1 M
    // (715,000 companies, SQLite) the inserts took 5.2–12.5 s with it, 4.1 s + 0.5 s without.
    const companyIndexes = firstLoad && atomic && w.isTransaction ? await dropSecondaryIndexes(w, 'companies') : [];
    const duplicateUnit = (siren: number, h: number, line: number, key: string): boolean => {
      const previous = seenUnits.get(siren);
      if (previous === undefined) return false;
      if (previous === h) stats.duplicates++;
      reject({ file: 'units', line, key, reason: previous === h ? 'duplicate' : 'duplicate_conflicting', detail: previous === h ? '' : 'first occurrence kept' });
      return true;
    };
    const flushUnits = async () => {
      const b = batch;
      batch = [];
      await writes.add(sizer.timed(b.length, saveCompanies(w, opts.actor, importId, b, companyIds, stats, firstLoad, renamed)));
    };
    // The worker skips the units none of whose establishments we keep, and tells the unchanged.
    for await (const b of scanners[1].scan({ kind: 'units', file: opts.unitsFile, header: unitHeader, territory: opts.territory, seed: LINE_SEED, wanted: sirens, ...storedUnits.arrays })) {
      checkCancel();
      progress.bytes += b.bytes;
      stats.unitRows += b.rows;
      await progress.tick('units');
      for (const e of b.events) {
        if (e.reject) {
          reject({ file: 'units', line: e.line, key: e.key, reason: e.reject[0], detail: e.reject[1] });
          continue;
        }
        if (duplicateUnit(e.id, e.h, e.line, e.key)) continue;
        seenUnits.set(e.id, e.h);
        if (!e.unit) {
          unchangedUnits.add(e.id);
          stats.companiesUnchanged++;
          continue;
        }
        batch.push({ m: e.unit, line: e.h });
        if (batch.length >= sizer.size) await flushUnits();
      }
    }
    if (batch.length) await flushUnits();
    await writes.drain(); // establishments need every company id
    await rebuildIndexes(w, companyIndexes);
    if (firstLoad && w.isTransaction && dialectOf(w) === 'postgres') {
      // Every company is this import's (the table was empty): their ids in one streamed read,
      // instead of one 5,000-SIREN lookup per batch.
      const { keys, hashes: ids } = await copyKeyPairs(w, 'companies', 'siren', 'id');
      for (let i = 0; i < keys.length; i++) companyIds.set(keys[i], ids[i]);
    }
    seenUnits.clear();
    // Companies skipped as unchanged that own an establishment to write: their ids, by SIREN.
    const missing = [...dirtySirens].filter((s) => !companyIds.has(s) && unchangedUnits.has(s)).map((s) => String(s).padStart(9, '0'));
    for (let i = 0; i < missing.length; i += 1000) {
      for (const c of await w.selectFrom('companies').select(['id', 'siren']).where('siren', 'in', missing.slice(i, i + 1000)).execute()) companyIds.set(Number(c.siren), c.id);
    }
    unchangedUnits.clear();
    dirtySirens.clear();

    phase('units');
    // ——— pass 3: establishments ———
    const existingCount = Number(((await w.selectFrom('establishments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()) as { n: number }).n);
    bulk = stats.kept >= (opts.bulkThreshold ?? BULK_THRESHOLD) && existingCount < stats.kept / 2;
    // First load: nothing to compare with, so no lookup of existing rows per batch.
    const empty = existingCount === 0;
    if (bulk) await dropSearchIndexes(w);
    // In the one transaction of the command line, the other secondary indexes go too (company,
    // map coordinates, lookup) and are built once at the end; a rollback puts them back.
    const otherIndexes = bulk && atomic ? await dropSecondaryIndexes(w, 'establishments') : [];
    await progress.tick('saving', true);
    let ebatch: MappedValues[] = [];
    let savedBytes = 0;
    for await (const lines of lineChunks(keptFile)) {
      for (const l of lines) {
        savedBytes += l.length / 3;
        if (!l) continue;
        const m = JSON.parse(l) as MappedValues;
        if (!companyIds.has(Number(m[I_SIREN]))) {
          reject({ file: 'establishments', line: 0, key: String(m[0]), reason: 'unit_missing_or_rejected', detail: String(m[1]) });
          stats.kept--;
          continue;
        }
        ebatch.push(m);
        if (ebatch.length >= sizer.size) {
          checkCancel();
          await writes.add(sizer.timed(ebatch.length, saveEstablishments(w, opts.actor, importId, ebatch, companyIds, stats, empty)));
          ebatch = [];
          progress.bytes = estSize + unitSize + Math.round(savedBytes);
          await progress.tick('saving');
        }
      }
    }
    if (ebatch.length) await writes.add(sizer.timed(ebatch.length, saveEstablishments(w, opts.actor, importId, ebatch, companyIds, stats, empty)));
    await writes.drain();
    if (bulk) {
      await progress.tick('saving', true);
      phase('saving');
      await rebuildIndexes(w, otherIndexes);
    }
    // Establishments whose own line did not change still show their company's name and legal
    // form (after the rebuild: each reads its company's rows through the company index).
    for (const id of renamed) await refreshCompanySearch(w, id);
    checkCancel();
    if (bulk) {
      await ensureSearchIndexes(w);
      phase('indexes');
    } else phase('saving');
    // Searches plan from these statistics; a large import changes them more than any edit. One
    // that rewrote under a tenth of its rows leaves the distributions as they were (PostgreSQL's
    // autovacuum waits for a tenth too): then only tables never analysed are, and a 1 % re-import
    // at 1 M no longer spends 3–4 s analysing four tables.
    if (stats.establishmentRows >= (opts.analyzeFromRows ?? ANALYZE_FROM_ROWS)) {
      const written = stats.establishmentsCreated + stats.establishmentsUpdated + stats.establishmentsClosed + stats.companiesCreated + stats.companiesUpdated;
      await refreshPlannerStatistics(w, ['establishments', 'companies', 'contacts', 'registry_facet_counts'], { onlyWhereMissing: written * 10 < stats.establishmentRows });
    }
    progress.bytes = estSize + unitSize + Math.round(estSize / 3);

    stats.seconds = Math.round((Date.now() - started) / 100) / 10;
    stats.establishmentsPerSecond = Math.round(stats.establishmentRows / Math.max(0.001, (Date.now() - started) / 1000));
    // The run is "done" in the same transaction as its last writes (the command line: as all of them).
    await inTransaction(w, async (trx) => {
      await trx.updateTable('registry_imports').set({ status: 'done', finished_at: nowIso(), stats: JSON.stringify(stats) }).where('id', '=', importId).execute();
      await record(trx, opts.actor, { entity: 'registry_import', entityId: importId, action: 'import', changes: { ...stats } });
    });
  };

  try {
    // Given a transaction (a caller's seed), the import is part of it.
    if (atomic) await (db.isTransaction ? load(db) : withBulkMemory(db, load));
    else await load(db);
    invalidateSearchCache();
    await progress.tick('done', true);
    return { importId, stats, rejected };
  } catch (e) {
    await writes.drain().catch(() => {});
    const cancelled = e instanceof ImportCancelled;
    // Batch by batch, the records written so far are whole; a bulk load's indexes, full-text
    // index and summary are put back now, so searches see the registry as it is.
    if (!atomic && bulk) await ensureSearchIndexes(db).catch(() => {});
    if (atomic) stats.companiesCreated = stats.companiesUpdated = stats.establishmentsCreated = stats.establishmentsUpdated = stats.establishmentsClosed = 0; // rolled back
    await db
      .updateTable('registry_imports')
      .set({ status: cancelled ? 'cancelled' : 'failed', finished_at: nowIso(), stats: JSON.stringify(stats), error: cancelled ? null : e instanceof Error ? e.message.slice(0, 1000) : String(e) })
      .where('id', '=', importId)
      .execute();
    invalidateSearchCache();
    throw e;
  } finally {
    report?.end();
    await Promise.all(scanners.map((s) => s.close()));
    rmSync(work, { recursive: true, force: true });
  }
}

/** A unit to save and the fingerprint of its line. */
interface UnitLine {
  m: MappedCompany;
  line: number;
}

const COMPANY_FIELDS = ['name', 'acronym', 'usual_name', 'person_first_name', 'person_last_name', 'legal_form', 'naf_code', 'naf25_code', 'headcount_band', 'headcount_year', 'category', 'creation_date', 'status', 'diffusion', 'head_office_nic', 'ess', 'employer'] as const;
/** Columns a new SIRENE company is inserted with; the first ones are the mapped record, in its key order. */
const COMPANY_INSERT = ['siren', ...COMPANY_FIELDS, 'source', 'sirene_hash', 'sirene_line', 'sirene_updated_at', 'created_at', 'updated_at'] as const;
/** Company fields that establishments copy into their search text, sort name and legal-form facet. */
const COMPANY_SEARCH_FIELDS = ['name', 'acronym', 'usual_name', 'legal_form'];

function changesOf(before: object, after: object, fields: readonly string[]): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const f of fields) {
    const b = (before as Record<string, unknown>)[f] ?? null;
    const a = (after as Record<string, unknown>)[f] ?? null;
    if (b !== a && !(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-6)) out[f] = [b, a];
  }
  return out;
}

async function saveCompanies(db: RegistryDb, actor: Actor, importId: number, batch: UnitLine[], ids: Map<number, number>, stats: ImportStats, firstLoad: boolean, renamed: number[]) {
  await inTransaction(db, async (t) => {
    const existing = firstLoad ? [] : await t.selectFrom('companies').select(['id', 'siren', 'sirene_hash', 'sirene_line']).where('siren', 'in', batch.map((b) => b.m.siren)).execute();
    const bySiren = new Map(existing.map((e) => [e.siren!, e]));
    const now = nowIso();
    const fresh: BulkValue[][] = [];
    const changed: { id: number; m: MappedCompany; hash: string; line: number }[] = [];
    const relined: BulkValue[][] = [];
    for (const { m, line } of batch) {
      const values: BulkValue[] = [m.siren];
      for (const f of COMPANY_FIELDS) values.push(m[f]);
      const hash = fingerprint(values);
      const ex = bySiren.get(m.siren);
      if (!ex) {
        values.push('sirene', hash, line, now, now, now);
        fresh.push(values);
      } else {
        ids.set(Number(m.siren), ex.id);
        if (ex.sirene_hash === hash) {
          stats.companiesUnchanged++;
          // A column we do not keep changed (e.g. SIRENE's processing date): remember the new line.
          if (ex.sirene_line !== line) relined.push([ex.id, line]);
        } else changed.push({ id: ex.id, m, hash, line });
      }
    }
    // Creation is not written line by line to the history: created_at and the import row say it.
    if (firstLoad && fresh.length && dialectOf(t) === 'postgres') {
      // A first load on PostgreSQL streams its rows by COPY, then reads their ids back by SIREN
      // — in the one transaction of the command line, once for all after the units pass.
      await copyRows(t, 'companies', COMPANY_INSERT, fresh);
      if (!db.isTransaction) for (const c of await t.selectFrom('companies').select(['id', 'siren']).where('siren', 'in', fresh.map((f) => f[0] as string)).execute()) ids.set(Number(c.siren), c.id);
    } else for (const [siren, id] of await bulkInsert(t, 'companies', COMPANY_INSERT, fresh, 'siren')) ids.set(Number(siren), id);
    stats.companiesCreated += fresh.length;
    await bulkUpdate(t, 'companies', ['sirene_line'], relined);
    if (changed.length) {
      const befores = await t.selectFrom('companies').selectAll().where('id', 'in', changed.map((c) => c.id)).execute();
      const byId = new Map(befores.map((b) => [b.id, b]));
      const updates: BulkValue[][] = [];
      const history: BulkValue[][] = [];
      for (const c of changed) {
        const changes = changesOf(byId.get(c.id)!, c.m, COMPANY_FIELDS);
        updates.push([c.id, ...COMPANY_FIELDS.map((f) => c.m[f]), c.hash, c.line, now, now]);
        if (Object.keys(changes).length) {
          stats.companiesUpdated++;
          if (COMPANY_SEARCH_FIELDS.some((f) => f in changes)) renamed.push(c.id);
          history.push([c.id, 'company', c.id, now, 'sirene', importId, actor.label, 'update', JSON.stringify(changes)]);
        } else stats.companiesUnchanged++;
      }
      await bulkUpdate(t, 'companies', [...COMPANY_FIELDS, 'sirene_hash', 'sirene_line', 'sirene_updated_at', 'updated_at'], updates, 'version = version + 1');
      await bulkInsert(t, 'registry_changes', CHANGE_COLUMNS, history);
    }
  });
}

/** A line of the registry's history, as the import writes it. */
const CHANGE_COLUMNS = ['company_id', 'entity', 'entity_id', 'at', 'source', 'import_id', 'actor_label', 'action', 'changes'] as const;

const EST_FIELDS = ['diffusion', 'creation_date', 'headcount_band', 'is_head_office', 'address_complement', 'street_number', 'street_suffix', 'street_type', 'street_name', 'postal_code', 'city', 'commune_code', 'cedex', 'latitude', 'longitude', 'status', 'sign', 'usual_name', 'naf_code', 'naf25_code'] as const;
/** What an establishment row holds: the mapped keys without the SIREN, then its company and derived columns. */
const EST_COLUMNS = [...MAPPED_EST_KEYS.filter((k) => k !== 'siren'), 'company_id', 'naf_section', 'naf_division', 'department', 'legal_form', 'sort_name', 'search_text'] as const;
const EST_INSERT = [...EST_COLUMNS, 'sirene_hash', 'sirene_line', 'created_at', 'updated_at'] as const;

/** A kept establishment between passes 1 and 3: its mapped values in `MAPPED_EST_KEYS` order, then its line's fingerprint. */
type MappedValues = BulkValue[];
const at = (k: (typeof MAPPED_EST_KEYS)[number]) => MAPPED_EST_KEYS.indexOf(k);
const [I_SIRET, I_SIREN, I_SIGN, I_USUAL, I_STREET_TYPE, I_STREET, I_POSTAL, I_CITY, I_COMMUNE, I_NAF] = (['siret', 'siren', 'sign', 'usual_name', 'street_type', 'street_name', 'postal_code', 'city', 'commune_code', 'naf_code'] as const).map(at);
const I_LINE = MAPPED_EST_KEYS.length;

/**
 * PostgreSQL: the batches in flight take turns to write establishments. Each written row makes
 * the facet-summary triggers upsert ~20 summary rows, in the order of the batch's own rows, and
 * every batch touches the same rows (the totals, the big values): two batches writing side by
 * side lock them in different orders and PostgreSQL kills one ("deadlock detected"). The
 * summary's total row serialised those writes until commit anyway, so the turn costs nothing; the
 * reads and the preparation of the next batches still overlap. A transaction-level advisory
 * lock, taken after the batch's reads and held to its commit. SQLite has one writer already.
 * (In the command line's one transaction the batches share a connection: no turn needed.)
 */
const SUMMARY_TURN = 0x5e_1e_4e_01;
async function summaryTurn(trx: RegistryDb): Promise<void> {
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(${SUMMARY_TURN})`.execute(trx);
}

async function saveEstablishments(db: RegistryDb, actor: Actor, importId: number, batch: MappedValues[], companyIds: Map<number, number>, stats: ImportStats, empty = false) {
  await inTransaction(db, async (t) => {
    const cids = [...new Set(batch.map((m) => companyIds.get(Number(m[I_SIREN]))!))];
    // SIRENE files are sorted by SIREN, so a batch's companies are mostly a dense run of ids: a
    // range read then beats a 10,000-value IN list (built, bound and probed value by value).
    const lo = Math.min(...cids);
    const hi = Math.max(...cids);
    const companiesQuery = t.selectFrom('companies').select(['id', 'siren', 'name', 'acronym', 'usual_name', 'legal_form']);
    const companies = await (hi - lo < cids.length * 2 ? companiesQuery.where('id', '>=', lo).where('id', '<=', hi) : companiesQuery.where('id', 'in', cids)).execute();
    const companyById = new Map(companies.map((c) => [c.id, c]));
    const contacts = empty ? [] : await t.selectFrom('contacts').select(['company_id', 'first_name', 'last_name']).where('company_id', 'in', cids).where('erased_at', 'is', null).execute();
    const names = new Map<number, string>();
    for (const c of contacts) names.set(c.company_id, `${names.get(c.company_id) ?? ''} ${c.first_name} ${c.last_name}`);
    const existing = empty ? [] : await t.selectFrom('establishments').select(['id', 'siret', 'sirene_hash', 'sirene_line', 'company_id']).where('siret', 'in', batch.map((b) => b[I_SIRET] as string)).execute();
    const bySiret = new Map(existing.map((e) => [e.siret!, e]));
    const now = nowIso();
    const fresh: BulkValue[][] = [];
    const changed: { id: number; row: Record<string, unknown>; values: BulkValue[] }[] = [];
    const relined: BulkValue[][] = [];
    for (const m of batch) {
      const company_id = companyIds.get(Number(m[I_SIREN]))!;
      const text = { siret: m[I_SIRET], sign: m[I_SIGN], usual_name: m[I_USUAL], street_type: m[I_STREET_TYPE], street_name: m[I_STREET], postal_code: m[I_POSTAL], city: m[I_CITY], commune_code: m[I_COMMUNE], naf_code: m[I_NAF] } as EstablishmentTextFields;
      const d = derivedColumns(companyById.get(company_id)!, text, names.get(company_id) ?? '');
      // EST_COLUMNS: the mapped values without the SIREN, then the company and derived columns.
      const values: BulkValue[] = [];
      for (let i = 0; i < I_LINE; i++) if (i !== I_SIREN) values.push(m[i]);
      values.push(company_id, d.naf_section, d.naf_division, d.department, d.legal_form, d.sort_name, d.search_text);
      const hash = fingerprint(values);
      const line = m[I_LINE];
      const ex = bySiret.get(m[I_SIRET] as string);
      if (!ex) {
        values.push(hash, line, now, now);
        fresh.push(values);
      } else if (ex.sirene_hash === hash) {
        stats.establishmentsUnchanged++;
        if (ex.sirene_line !== line) relined.push([ex.id, line]);
      } else {
        const row = Object.fromEntries(EST_COLUMNS.map((c, i) => [c, values[i]]));
        values.push(hash, line, now);
        changed.push({ id: ex.id, row, values });
      }
    }
    // In one transaction (the command line) the batches share its connection: no turn to take.
    if ((fresh.length || changed.length) && !db.isTransaction) await summaryTurn(t);
    // A first load on PostgreSQL streams its rows by COPY (nothing to conflict with).
    if (empty && dialectOf(t) === 'postgres') await copyRows(t, 'establishments', EST_INSERT, fresh);
    else await bulkInsert(t, 'establishments', EST_INSERT, fresh);
    stats.establishmentsCreated += fresh.length;
    await bulkUpdate(t, 'establishments', ['sirene_line'], relined);
    if (changed.length) {
      const befores = await t.selectFrom('establishments').selectAll().where('id', 'in', changed.map((c) => c.id)).execute();
      const byId = new Map<number, EstablishmentRow>(befores.map((b) => [b.id, b]));
      const history: BulkValue[][] = [];
      // Only the columns that changed are set: SQLite fires an "update of" trigger, and rewrites
      // an index, for every column named in SET, changed or not — setting them all made each row
      // run the facet-summary and map triggers (~50 upserts) and rewrite twelve indexes (2 ms a
      // row; 25 s for the 10,000 changed rows of a 1 % re-import at 1 M). Rows are grouped by the
      // columns they change, one bulk update per group.
      const groups = new Map<string, { columns: string[]; rows: BulkValue[][] }>();
      for (const c of changed) {
        const before = byId.get(c.id)!;
        const changes = changesOf(before, c.row, [...EST_FIELDS, 'company_id']);
        if (Object.keys(changes).length) {
          const closing = before.status === 'active' && c.row.status === 'closed';
          if (closing) stats.establishmentsClosed++;
          stats.establishmentsUpdated++;
          history.push([c.row.company_id as number, 'establishment', c.id, now, 'sirene', importId, actor.label, closing ? 'close' : 'update', JSON.stringify(changes)]);
        } else stats.establishmentsUnchanged++;
        const differing = Object.keys(changesOf(before, c.row, EST_COLUMNS));
        const columns = [...differing, 'sirene_hash', 'sirene_line', 'updated_at'];
        const key = columns.join(',');
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { columns, rows: [] }));
        g.rows.push([c.id, ...differing.map((col) => c.row[col] as BulkValue), ...c.values.slice(EST_COLUMNS.length)]);
      }
      for (const g of groups.values()) await bulkUpdate(t, 'establishments', g.columns, g.rows, 'version = version + 1');
      await bulkInsert(t, 'registry_changes', CHANGE_COLUMNS, history);
    }
  });
}

export type { CompanyRow };
