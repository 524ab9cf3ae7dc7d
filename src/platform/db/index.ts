// One Kysely instance over SQLite (embedded, default) or PostgreSQL (DATABASE_URL).
// Every difference between the two dialects lives in this folder: modules write one query.
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type RawBuilder } from 'kysely';
import path from 'node:path';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

/** The database handle passed to every service. Modules narrow it to their own table types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

export interface Database {
  db: AnyDb;
  dialect: Dialect;
  /** human-readable location, never containing a password */
  describe: string;
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
}

export function openDatabase(opts: OpenOptions): Database {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client that errors (server restart) must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }) as AnyDb;
    const u = new URL(opts.databaseUrl);
    return {
      db,
      dialect: 'postgres',
      describe: `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`,
      close: () => db.destroy(),
    };
  }
  const file = opts.sqliteFile === ':memory:' ? ':memory:' : path.join(opts.dataDir, opts.sqliteFile ?? 'consulaire.sqlite');
  const raw = new SQLite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('cache_size = -65536'); // 64 MiB page cache
  raw.pragma('temp_store = MEMORY');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) }) as AnyDb;
  sqliteHandles.set(db.getExecutor().adapter, raw);
  return { db, dialect: 'sqlite', describe: `sqlite:${file}`, close: () => db.destroy() };
}

// The better-sqlite3 handle behind a Kysely instance, for bulk writes (bulk.ts). Keyed by the
// adapter, which a transaction shares with the database it was opened on.
const sqliteHandles = new WeakMap<object, SQLite.Database>();
export function sqliteHandle(db: AnyDb): SQLite.Database {
  const raw = sqliteHandles.get(db.getExecutor().adapter);
  if (!raw) throw new Error('not a SQLite database opened by openDatabase');
  return raw;
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
