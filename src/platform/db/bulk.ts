// Bulk inserts for imports (ADR 0007). A query builder compiles a 500-row INSERT into a
// 15,000-parameter statement for every chunk, which SQLite then prepares: the earlier bench
// baseline inserting rows that way ran at 24 k rows/s, the same kind of rows through one
// prepared statement at 150–170 k rows/s (bench/registry.ts). Here the statement is written
// once per table and column list and the rows are handed to the driver as they are:
//  - SQLite: one prepared statement (cached per connection), run row by row inside the
//    transaction — better-sqlite3 is synchronous, so the loop never yields to other work;
//  - PostgreSQL: one `INSERT … SELECT * FROM unnest($1::type[], $2::type[], …)` per batch:
//    one parameter per column whatever the number of rows, so neither the 65,535-parameter
//    limit nor per-row round trips apply.
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { dialectOf, sqliteHandle, type AnyDb } from './index.js';

export type BulkValue = string | number | null;

const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

function prepared(raw: SQLite.Database, text: string): SQLite.Statement {
  let cache = statements.get(raw);
  if (!cache) statements.set(raw, (cache = new Map()));
  let st = cache.get(text);
  if (!st) cache.set(text, (st = raw.prepare(text)));
  return st;
}

/** PostgreSQL column types of a table, for the array casts of `unnest` (asked once per table). */
const pgTypes = new WeakMap<object, Map<string, Map<string, string>>>();
async function pgColumnTypes(db: AnyDb, table: string): Promise<Map<string, string>> {
  const key = db.getExecutor().adapter;
  let byTable = pgTypes.get(key);
  if (!byTable) pgTypes.set(key, (byTable = new Map()));
  let types = byTable.get(table);
  if (!types) {
    const r = await sql<{ column_name: string; udt_name: string }>`select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db);
    types = new Map(r.rows.map((x) => [x.column_name, x.udt_name]));
    byTable.set(table, types);
  }
  return types;
}

/**
 * Inserts `rows` (values in the order of `columns`) into `table`. With `keyColumn`, resolves
 * with the new rows' [key, id] pairs (e.g. SIREN → id). Called with a transaction, it writes
 * inside it; called with the database, it opens one transaction for the whole batch.
 */
export async function bulkInsert(db: AnyDb, table: string, columns: readonly string[], rows: readonly BulkValue[][], keyColumn?: string): Promise<[BulkValue, number][]> {
  if (!rows.length) return [];
  const keyAt = keyColumn ? columns.indexOf(keyColumn) : -1;
  if (keyColumn && keyAt < 0) throw new Error(`bulkInsert: ${keyColumn} is not inserted`);
  if (dialectOf(db) === 'postgres') {
    const types = await pgColumnTypes(db, table);
    const arrays = columns.map((c, i) => {
      const t = types.get(c);
      if (!t) throw new Error(`bulkInsert: no column ${table}.${c}`);
      return sql`${rows.map((r) => r[i])}::${sql.raw(t)}[]`;
    });
    const insert = sql<{ id: number; k: BulkValue }>`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) select * from unnest(${sql.join(arrays)})${keyColumn ? sql` returning id, ${sql.ref(keyColumn)} as k` : sql``}`;
    const r = db.isTransaction ? await insert.execute(db) : await db.transaction().execute((trx) => insert.execute(trx));
    return r.rows.map((x) => [x.k, x.id]);
  }
  const raw = sqliteHandle(db);
  const st = prepared(raw, `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`);
  const run = (): [BulkValue, number][] => {
    const ids: [BulkValue, number][] = [];
    for (const r of rows) {
      const info = st.run(r);
      if (keyAt >= 0) ids.push([r[keyAt], Number(info.lastInsertRowid)]);
    }
    return ids;
  };
  // Inside a Kysely transaction the one SQLite connection is already ours (and in the
  // transaction). Otherwise hold the connection so no other query interleaves, and make the
  // batch one transaction.
  if (db.isTransaction) return run();
  return db.connection().execute(async () => raw.transaction(run)());
}

/**
 * Updates rows by id: each row is `[id, ...values in the order of columns]`; `also` is a constant
 * SET clause added to every row (e.g. `version = version + 1`). SQLite: one prepared UPDATE run
 * per row; PostgreSQL: one `UPDATE … FROM unnest(…)` per call. Like `bulkInsert`, it writes in the
 * caller's transaction when given one, else in one of its own. A re-import updates the few
 * changed rows of a million this way instead of one built query each.
 */
export async function bulkUpdate(db: AnyDb, table: string, columns: readonly string[], rows: readonly BulkValue[][], also?: 'version = version + 1'): Promise<void> {
  if (!rows.length) return;
  if (dialectOf(db) === 'postgres') {
    const types = await pgColumnTypes(db, table);
    const arrays = ['id', ...columns].map((c, i) => {
      const t = types.get(c);
      if (!t) throw new Error(`bulkUpdate: no column ${table}.${c}`);
      return sql`${rows.map((r) => r[i])}::${sql.raw(t)}[]`;
    });
    const sets = columns.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`);
    if (also) sets.push(sql.raw(also));
    const update = sql`update ${sql.table(table)} as t set ${sql.join(sets)} from unnest(${sql.join(arrays)}) as v(${sql.join(['id', ...columns].map((c) => sql.ref(c)))}) where t.id = v.id`;
    if (db.isTransaction) await update.execute(db);
    else await db.transaction().execute((trx) => update.execute(trx));
    return;
  }
  const raw = sqliteHandle(db);
  const sets = columns.map((c) => `"${c}" = ?`);
  if (also) sets.push(also);
  const st = prepared(raw, `update "${table}" set ${sets.join(', ')} where id = ?`);
  const run = (): void => {
    for (const r of rows) st.run([...r.slice(1), r[0]]);
  };
  if (db.isTransaction) return run();
  await db.connection().execute(async () => raw.transaction(run)());
}

/** Memory a bulk load may use for its page cache (SQLite) or index builds (PostgreSQL), in MiB. */
const BULK_MEMORY_MIB = 256;

/**
 * Runs a bulk load (`fn`, given the transaction) with more memory than the server keeps: the
 * command-line import is its own process, so the server's 300 MB budget does not bind it.
 * SQLite: the connection's page cache (32 MiB for the server) is raised for the load and put
 * back after — inserts into the unique indexes and the index rebuilds then stay in memory
 * instead of going back and forth to the file. PostgreSQL: `maintenance_work_mem` for the
 * transaction (the index builds sort in memory), reset by its end.
 */
export async function withBulkMemory<T>(db: AnyDb, fn: (trx: AnyDb) => Promise<T>): Promise<T> {
  if (dialectOf(db) === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql.raw(`set local maintenance_work_mem = '${BULK_MEMORY_MIB}MB'`).execute(trx);
      return fn(trx);
    });
  }
  const raw = sqliteHandle(db);
  const before = raw.pragma('cache_size', { simple: true }) as number;
  raw.pragma(`cache_size = -${BULK_MEMORY_MIB * 1024}`);
  try {
    return await db.transaction().execute(fn);
  } finally {
    raw.pragma(`cache_size = ${before}`);
  }
}

/**
 * Drops the secondary indexes of `table` (not unique, not the primary key) and answers the
 * statements that build them again; `rebuildIndexes` runs those at the end of a bulk load. Each
 * row then writes its table and unique keys only, and each index is built once from sorted keys
 * instead of updated a million times in random order (the map's (longitude, latitude) index).
 * Only inside a transaction that a failure rolls back: the statements are held in memory, so an
 * interrupted load that committed would lose the indexes.
 */
export async function dropSecondaryIndexes(trx: AnyDb, table: string): Promise<string[]> {
  if (!trx.isTransaction) throw new Error('dropSecondaryIndexes: only inside a transaction');
  if (!/^[a-z_]+$/.test(table)) throw new Error(`dropSecondaryIndexes: bad name ${table}`);
  const found =
    dialectOf(trx) === 'postgres'
      ? (
          await sql<{ name: string; def: string }>`select i.relname as name, pg_get_indexdef(x.indexrelid) as def from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace where t.relname = ${table} and n.nspname = current_schema() and not x.indisunique and not x.indisprimary`.execute(trx)
        ).rows
      : (await sql<{ name: string; def: string }>`select name, sql as def from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null and sql not like 'create unique%' collate nocase`.execute(trx)).rows;
  for (const x of found) await sql`drop index ${sql.ref(x.name)}`.execute(trx);
  return found.map((x) => x.def);
}

export async function rebuildIndexes(trx: AnyDb, statements: readonly string[]): Promise<void> {
  for (const s of statements) await sql.raw(s).execute(trx);
}
