// PostgreSQL: rows of a bulk load sent by COPY FROM STDIN (pg-copy-streams) on the import's own
// transaction (#12, ADR 0015 amended 2026-12-07). Why: `INSERT … SELECT * FROM unnest($1, …)`
// makes the client build and the server parse one array literal per column, row values
// escaped twice; COPY streams the rows once in the text format, which the server reads fastest.
// Used where the import inserts into a table with no row to conflict with (a first load), so no
// staging table and no ON CONFLICT are needed. Same transaction, so the one-transaction
// guarantee of the command line holds (a kill -9 leaves nothing).
import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { pgClientOf } from '../../platform/db/index.js';
import type { RegistryDb } from './registry.table.js';
import type { BulkValue } from '../../platform/db/bulk.js';
import { lineChunks } from './import-lines.js';

const copyStreams = createRequire(import.meta.url)('pg-copy-streams') as { from: (text: string) => Writable & pg.Submittable; to: (text: string) => Readable & pg.Submittable };
const copyFrom = copyStreams.from;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;

/** A value in COPY's text format: \N for null, backslash escapes for the four special characters. */
function field(v: BulkValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  return SPECIAL.test(v) ? v.replace(SPECIALS, (c) => ESCAPES[c]) : v;
}

/** The transaction's client, asked once per transaction (one round trip). */
const clients = new WeakMap<RegistryDb, Promise<pg.PoolClient>>();
function clientOf(trx: RegistryDb): Promise<pg.PoolClient> {
  let client = clients.get(trx);
  if (!client) clients.set(trx, (client = pgClientOf(trx)));
  return client;
}

/**
 * Runs `fn` while the transaction's connection is ours: Kysely queues the transaction's other
 * statements (the next batches' reads, in flight beside this one) until it returns, so nothing
 * is sent on the client during the COPY (pg 8 warns about that, pg 9 refuses it).
 */
function exclusively<T>(trx: RegistryDb, fn: () => Promise<T>): Promise<T> {
  return trx.getExecutor().provideConnection(() => fn());
}

/** Appends `rows` (values in the order of `columns`) to `table` by COPY, inside the transaction `trx`. */
export async function copyRows(trx: RegistryDb, table: string, columns: readonly string[], rows: readonly BulkValue[][]): Promise<void> {
  if (!rows.length) return;
  if (!/^[a-z_]+$/.test(table) || columns.some((c) => !/^[a-z0-9_]+$/.test(c))) throw new Error(`copyRows: bad name in ${table}`);
  const client = await clientOf(trx);
  await exclusively(trx, async () => {
    const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
    const done = new Promise<void>((res, rej) => {
      stream.on('finish', res);
      stream.on('error', rej);
    });
    // A failed COPY (a constraint) rejects `done` and ends the writing at its next chunk.
    await Promise.all([writeRows(stream, rows), done]);
  });
}

async function writeRows(stream: Writable, rows: readonly BulkValue[][]): Promise<void> {
  // Chunks of ~1 MB: fewer writes than one a row, without building the whole batch as one string.
  let chunk = '';
  for (const r of rows) {
    let line = field(r[0]);
    for (let i = 1; i < r.length; i++) line += '\t' + field(r[i]);
    chunk += line + '\n';
    if (chunk.length > 1 << 20) {
      if (!stream.write(chunk)) await once(stream, 'drain'); // rejects on the stream's error
      chunk = '';
    }
  }
  stream.end(chunk);
}

/**
 * (key, value) pairs of `table`, sorted by key, both read as numbers: one COPY TO STDOUT of the
 * two columns streamed into growing Float64Arrays. The re-import's stored line fingerprints
 * (1.7 M at a million establishments): keyset pages of row objects cost ~1 s more there.
 */
export async function copyKeyPairs(trx: RegistryDb, table: string, keyCol: string, valueCol: string): Promise<{ keys: Float64Array; hashes: Float64Array }> {
  if (![table, keyCol, valueCol].every((n) => /^[a-z_]+$/.test(n))) throw new Error(`copyKeyPairs: bad name in ${table}`);
  const client = await clientOf(trx);
  return exclusively(trx, () => readPairs(client.query(copyStreams.to(`copy (select ${keyCol}, ${valueCol} from ${table} where ${valueCol} is not null order by ${keyCol}) to stdout`))));
}

async function readPairs(stream: Readable): Promise<{ keys: Float64Array; hashes: Float64Array }> {
  let keys = new Float64Array(1 << 16);
  let hashes = new Float64Array(1 << 16);
  let n = 0;
  const take = (line: string) => {
    const tab = line.indexOf('\t');
    if (tab < 0) return;
    if (n === keys.length) {
      const k2 = new Float64Array(keys.length * 2);
      k2.set(keys);
      keys = k2;
      const h2 = new Float64Array(hashes.length * 2);
      h2.set(hashes);
      hashes = h2;
    }
    keys[n] = Number(line.slice(0, tab));
    hashes[n++] = Number(line.slice(tab + 1));
  };
  stream.setEncoding('utf8');
  for await (const lines of lineChunks(stream as AsyncIterable<string>)) for (const line of lines) take(line);
  return { keys: keys.subarray(0, n), hashes: hashes.subarray(0, n) };
}
