// One Kysely instance over SQLite (embedded, default) or PostgreSQL (DATABASE_URL).
// Every difference between the two dialects lives in this folder: modules write one query.
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import path from 'node:path';
import pg from 'pg';
import { inProcessReads, PostgresReadPool, WorkerReadPool, type ReadOptions, type ReadPool } from './reads.js';
import { withStatementCache } from './statements.js';

export type Dialect = 'sqlite' | 'postgres';

/** The database handle passed to every service. Modules narrow it to their own table types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

export interface Database {
  db: AnyDb;
  /**
   * Heavy reads (searches with counts, exports, reports), off the request path: SQLite worker
   * threads or a PostgreSQL read pool, with a time limit per statement (reads.ts, ADR 0009).
   * Sees every write committed before the read starts; never use it inside a transaction of `db`.
   */
  reads: AnyDb;
  /** Record pages that read many rows but must stay instant: a lane no heavy read can fill. */
  quickReads: AnyDb;
  /** the read path's figures, for the operators' health page */
  readPool: ReadPool;
  dialect: Dialect;
  /** human-readable location, never containing a password */
  describe: string;
  /** the main pool's connections (PostgreSQL), for /metrics */
  poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

// PostgreSQL answers counts as strings and timestamps as Date objects; SQLite gives numbers and
// the ISO strings we store. Make PostgreSQL answer like SQLite so services see one shape.
pg.types.setTypeParser(20, (v) => Number(v)); // int8 (count(*), sums)
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric
pg.types.setTypeParser(1184, (v) => new Date(v).toISOString()); // timestamptz
pg.types.setTypeParser(1114, (v) => new Date(v + 'Z').toISOString()); // timestamp
pg.types.setTypeParser(1082, (v) => v); // date stays 'YYYY-MM-DD'

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** SQLite file name inside dataDir; ':memory:' for a private in-memory database */
  sqliteFile?: string;
  poolSize?: number;
  /** the read path: workers or read pool size, time limit, queue bound (reads.ts) */
  reads?: ReadOptions;
}

export function openDatabase(opts: OpenOptions): Database {
  if (opts.databaseUrl) {
    // A request never waits forever for a connection: past 10 s it is answered 503 (http/errors).
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, connectionTimeoutMillis: 10_000 });
    // An idle client that errors (server restart) must not crash the process.
    pool.on('error', () => {});
    const readPool = new PostgresReadPool(opts.databaseUrl, opts.reads);
    // Nor may a client in use: when the server ends its connection (restart, failover), pg fails
    // the query and also emits 'error' on the client, which nobody listens to while it is checked
    // out — an uncaught exception that killed the whole process. The query's own error still
    // reaches the request (503, http/errors.tsx) and the pool drops the dead client on release.
    for (const p of [pool, readPool.pool]) p.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }) as AnyDb;
    // The main pool's clients by backend pid, so that a transaction's own client can be found
    // for what Kysely cannot send (COPY FROM STDIN, pgClientOf below).
    const clients = new Map<number, pg.PoolClient>();
    pool.on('connect', (client) => {
      const pid = (client as pg.PoolClient & { processID?: number }).processID;
      if (pid) clients.set(pid, client);
    });
    pool.on('remove', (client) => clients.delete((client as pg.Client & { processID?: number }).processID ?? 0));
    pgClients.set(db.getExecutor().adapter, clients);
    const reads = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: readPool }) }) as AnyDb;
    const u = new URL(opts.databaseUrl);
    return {
      db,
      reads,
      // The main pool no longer serves heavy reads, so a record page there waits for none.
      quickReads: db,
      readPool,
      dialect: 'postgres',
      describe: `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: async () => {
        await reads.destroy();
        await db.destroy();
      },
    };
  }
  const file = opts.sqliteFile === ':memory:' ? ':memory:' : path.join(opts.dataDir, opts.sqliteFile ?? 'consulaire.sqlite');
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = NORMAL');
  // 32 MiB page cache: the server's memory budget is 300 MB with a million establishments.
  // Going from 64 to 32 MiB cut the server's idle RSS by ~35 MiB there. Search times stayed
  // within the run-to-run noise (one run each, bench/registry-server.ts).
  raw.pragma('cache_size = -32768');
  // Temporary tables and sorts spill to temporary files (the OS page cache), not the process
  // heap. Measured with the earlier facet counting at 1M, RSS after searches was 339 MiB with an
  // in-memory temp store and 229 MiB with files.
  raw.pragma('temp_store = FILE');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) }) as AnyDb;
  sqliteHandles.set(db.getExecutor().adapter, raw);
  // A private in-memory database cannot be opened by another thread: it reads in process.
  if (file === ':memory:') return { db, reads: db, quickReads: db, readPool: inProcessReads, dialect: 'sqlite', describe: `sqlite:${file}`, close: () => db.destroy() };
  const pool = new WorkerReadPool(file, opts.reads);
  return {
    db,
    reads: pool.kysely('heavy') as AnyDb,
    quickReads: pool.kysely('quick') as AnyDb,
    readPool: pool,
    dialect: 'sqlite',
    describe: `sqlite:${file}`,
    close: async () => {
      await pool.close();
      await db.destroy();
    },
  };
}

// The better-sqlite3 handle behind a Kysely instance, for bulk writes (bulk.ts). Keyed by the
// adapter, which a transaction shares with the database it was opened on.
const sqliteHandles = new WeakMap<object, SQLite.Database>();
export function sqliteHandle(db: AnyDb): SQLite.Database {
  const raw = sqliteHandles.get(db.getExecutor().adapter);
  if (!raw) throw new Error('not a SQLite database opened by openDatabase');
  return raw;
}

const pgClients = new WeakMap<object, Map<number, pg.PoolClient>>();
/**
 * The raw `pg` client behind a PostgreSQL transaction opened on a database from openDatabase
 * (found by the backend's pid), for statements Kysely cannot send — COPY FROM STDIN of a bulk
 * load (registry import). What is sent on it is part of the transaction.
 */
export async function pgClientOf(trx: AnyDb): Promise<pg.PoolClient> {
  if (!trx.isTransaction) throw new Error('pgClientOf: only inside a transaction');
  const clients = pgClients.get(trx.getExecutor().adapter);
  const pid = Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid);
  const client = clients?.get(pid);
  if (!client) throw new Error('pgClientOf: not a PostgreSQL database opened by openDatabase');
  return client;
}

/** Which dialect a Kysely instance speaks (migrations receive only the instance). */
export function dialectOf(db: AnyDb): Dialect {
  const name = db.getExecutor().adapter.constructor.name;
  return name.startsWith('Postgres') ? 'postgres' : 'sqlite';
}

/** Current UTC time as stored in every timestamp column. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Case- and accent-insensitive "contains" on a column, for small lists (users, services…). */
export function ilike(db: AnyDb, column: string, needle: string): RawBuilder<boolean> {
  const pattern = `%${needle.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  if (dialectOf(db) === 'postgres') return sql<boolean>`${sql.ref(column)} ilike ${pattern} escape '\\'`;
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

export { sql };

/**
 * Runs `fn` with the rows of `select` copied into a temporary table `name`, seen only by the
 * handle `fn` receives (use it, never the outer one: on SQLite the one connection is held for
 * the whole of `fn`). For work that reads the same expensive set several times, e.g. a search
 * page counting facets, paging and sorting the matches of one full-text query: the matches are
 * looked up once instead of once per query. SQLite: a temp table on the held connection;
 * PostgreSQL: a temp table dropped at the end of a transaction of its own.
 */
export async function withTempTable<T>(db: AnyDb, name: string, select: { compile(): { sql: string; parameters: readonly unknown[] } }, fn: (db: AnyDb) => Promise<T>): Promise<T> {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`withTempTable: bad name ${name}`);
  const { sql: text, parameters } = select.compile();
  const run = async (conn: AnyDb) => {
    await conn.executeQuery(CompiledQuery.raw(`drop table if exists ${name}`));
    await conn.executeQuery(CompiledQuery.raw(`create temp table ${name} as ${text}`, [...parameters]));
    try {
      return await fn(conn);
    } finally {
      await conn.executeQuery(CompiledQuery.raw(`drop table if exists ${name}`));
    }
  };
  if (dialectOf(db) === 'postgres') return db.isTransaction ? run(db) : db.transaction().execute(run);
  return db.isTransaction ? run(db) : db.connection().execute(run);
}

/**
 * How many rows of `rows` (a select builder, no select list yet) hold each value of each of
 * `columns`, and how many rows there are: { total, byColumn: column → value → count }. Null
 * values are left out. PostgreSQL counts everything in one scan (GROUPING SETS). SQLite has no
 * grouping sets: it runs one GROUP BY per column (each can follow that column's index), or with
 * `combined` one GROUP BY over the columns' combinations summed here — the right choice when
 * the rows are filtered and one covering index holds every column (a per-column GROUP BY would
 * then follow the column's index and fetch each row to test the filter).
 */
export async function countByColumns(db: AnyDb, rows: () => { select: (s: never) => unknown }, columns: readonly string[], opts: { combined?: boolean } = {}): Promise<{ total: number; byColumn: Map<string, Map<string, number>> }> {
  const byColumn = new Map(columns.map((c) => [c, new Map<string, number>()]));
  const q = () => rows() as unknown as SelectQueryBuilder<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (dialectOf(db) === 'postgres') {
    const refs = columns.map((c) => sql.ref(c));
    const found = (await q()
      .select([...refs.map((r, i) => r.as(`v${i}`)), sql<number>`grouping(${sql.join(refs)})`.as('g'), sql<number>`count(*)`.as('n')])
      .groupBy(sql`grouping sets (${sql.join([...refs.map((r) => sql`(${r})`), sql`()`])})` as never)
      .execute()) as Record<string, unknown>[];
    let total = 0;
    for (const row of found) {
      const g = Number(row.g);
      const n = Number(row.n);
      // grouping() has one bit per column, the first column highest; 0 = grouped by it.
      const i = columns.findIndex((_, k) => ((g >> (columns.length - 1 - k)) & 1) === 0);
      if (i < 0) total = n;
      else if (row[`v${i}`] !== null) byColumn.get(columns[i])!.set(String(row[`v${i}`]), n);
    }
    return { total, byColumn };
  }
  if (opts.combined) {
    const refs = columns.map((c) => sql.ref(c));
    const combos = (await q()
      .select([...refs.map((r, i) => r.as(`v${i}`)), sql<number>`count(*)`.as('n')])
      .groupBy(refs as never)
      .execute()) as Record<string, unknown>[];
    let total = 0;
    for (const row of combos) {
      const n = Number(row.n);
      total += n;
      columns.forEach((c, i) => {
        const v = row[`v${i}`];
        if (v === null || v === undefined) return;
        const m = byColumn.get(c)!;
        m.set(String(v), (m.get(String(v)) ?? 0) + n);
      });
    }
    return { total, byColumn };
  }
  const t = (await q().select(sql<number>`count(*)`.as('n')).executeTakeFirst()) as { n: number } | undefined;
  for (const c of columns) {
    const found = (await q().select([sql.ref(c).as('v'), sql<number>`count(*)`.as('n')]).where(sql.ref(c), 'is not', null).groupBy(sql.ref(c) as never).execute()) as { v: unknown; n: number }[];
    for (const r of found) byColumn.get(c)!.set(String(r.v), Number(r.n));
  }
  return { total: Number(t?.n ?? 0), byColumn };
}

/**
 * Runs `query` selecting `columns` (result key → column reference) and returns the rows as
 * plain objects. For wide rows read by the thousand (exports). SQLite: each row comes as one
 * `json_object(…)` string for JSON.parse — better-sqlite3 builds a twenty-property row object
 * property by property, which was half of a CSV export's time; this reads the same rows 1.5×
 * faster (200,000 rows), and reals survive (SQLite writes 17 significant digits). PostgreSQL:
 * pg's row objects are already the fastest way (json_build_array was slower).
 */
export async function selectWide<T>(db: AnyDb, query: { select: (s: never) => { execute(): Promise<unknown[]> } }, columns: Record<string, string>): Promise<T[]> {
  if (dialectOf(db) === 'sqlite') {
    const pairs = Object.entries(columns).map(([key, col]) => sql`${sql.lit(key)}, ${sql.ref(col)}`);
    const rows = (await query.select(sql<string>`json_object(${sql.join(pairs)})`.as('j') as never).execute()) as { j: string }[];
    return rows.map((r) => JSON.parse(r.j) as T);
  }
  return (await query.select(Object.entries(columns).map(([key, col]) => `${col} as ${key}`) as never).execute()) as T[];
}

/**
 * `table as alias` for selectFrom, telling SQLite which index to read rows through
 * (`INDEXED BY`): its planner always visits a table by rowid when it has the ids, even when a
 * narrow covering index led by the id would read far fewer pages. PostgreSQL: the plain table.
 * The index must exist on SQLite (the query fails otherwise).
 */
export function tableThroughIndex(db: AnyDb, table: string, alias: string, sqliteIndex: string): RawBuilder<unknown> | string {
  if (dialectOf(db) === 'postgres') return `${table} as ${alias}`;
  for (const name of [table, alias, sqliteIndex]) if (!/^[a-z_]+$/.test(name)) throw new Error(`tableThroughIndex: bad name ${name}`);
  return sql.raw(`${table} as ${alias} indexed by ${sqliteIndex}`);
}

/**
 * Fresh planner statistics after a bulk change of these tables. PostgreSQL plans from
 * statistics that only ANALYZE (or autovacuum, which a server may run late or not at all)
 * refreshes: measured at 1 M establishments after repeated imports with autovacuum off, the
 * registry's search throughput was 2.7× lower (1.4 against 3.8 searches/s) until `vacuum analyze`. SQLite: nothing — the registry's
 * hot queries name their index (tableThroughIndex), and statistics trade one plan for another:
 * measured at 1 M (#12, 2026-12-07, loaded), a full ANALYZE (3.2 s) made a two-facet count
 * 40–51 ms instead of 122–171 but `conseil` + département sorted by name 160–188 ms instead of
 * 10–16; a sampled one (analysis_limit 1000) made both worse.
 */
export async function refreshPlannerStatistics(db: AnyDb, tables: readonly string[], opts: { onlyWhereMissing?: boolean } = {}): Promise<void> {
  if (dialectOf(db) !== 'postgres' || tables.length === 0) return;
  for (const t of tables) if (!/^[a-z_]+$/.test(t)) throw new Error(`refreshPlannerStatistics: bad name ${t}`);
  if (opts.onlyWhereMissing) {
    // Only the tables never analysed on purpose (autovacuum's own pass is not counted: its timing
    // is not ours to rely on).
    const missing = await sql<{ relname: string }>`select relname from pg_stat_user_tables where relname in (${sql.join(tables.map((t) => sql.lit(t)))}) and last_analyze is null`.execute(db);
    tables = missing.rows.map((r) => r.relname);
    if (!tables.length) return;
  }
  await sql.raw(`analyze ${tables.join(', ')}`).execute(db);
}
