// A read worker: one thread holding one read-only SQLite connection to the server's database
// file. The pool (reads.ts) sends it compiled queries one at a time and it answers with rows.
// WAL lets it read beside the one writer: every statement starts a read transaction of its own
// and sees everything committed before it began.
import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { withStatementCache } from './statements.js';

export interface ReadWorkerData {
  file: string;
  /** page cache of this connection, KiB */
  cacheKiB: number;
}

export type ReadRequest = { id: number; sql: string; parameters: unknown[] };
export type ReadResponse =
  | { id: number; rows: unknown[]; changes?: number; lastInsertRowid?: number }
  | { id: number; error: { message: string; code?: string } }
  /** sent once, when the connection is open: statements' time limits start from here */
  | { ready: true };

const { file, cacheKiB } = workerData as ReadWorkerData;
const db = new SQLite(file, { readonly: true, fileMustExist: true });
// A reader waits only during a checkpoint's brief exclusive moments; a short wait is enough.
db.pragma('busy_timeout = 1000');
db.pragma(`cache_size = -${cacheKiB}`);
// Temporary tables (a search's matches) live in temporary files, not in the process's memory.
db.pragma('temp_store = FILE');

// The same few query shapes come back all the time; a bounded cache keeps memory flat.
const statements = withStatementCache(db, 200);

// Structured cloning turns Buffers into Uint8Arrays, which better-sqlite3 does not bind.
const bindable = (v: unknown) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

parentPort!.on('message', (m: ReadRequest) => {
  let answer: ReadResponse;
  try {
    const stmt = statements.prepare(m.sql);
    const params = m.parameters.map(bindable);
    if (stmt.reader) answer = { id: m.id, rows: stmt.all(params) };
    else {
      // Temp tables (create/drop) are the only writes a read-only connection accepts.
      const r = stmt.run(params);
      answer = { id: m.id, rows: [], changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) };
    }
  } catch (e) {
    const err = e as { message?: string; code?: string };
    answer = { id: m.id, error: { message: String(err.message ?? e), code: err.code } };
  }
  parentPort!.postMessage(answer);
});
parentPort!.postMessage({ ready: true } satisfies ReadResponse);
