// What the registry benches share: a fresh database per run, and the bare-insert baseline that
// import rates are compared with.
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type AnyDb } from '../src/platform/db/index.js';
import { bulkInsert, type BulkValue } from '../src/platform/db/bulk.js';

export const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** An empty database: SQLite in `dir`, or a PostgreSQL database `consulaire_<label>_<pid>` dropped by `drop`. */
export async function freshDb(dialect: string, dir: string, label = 'bench') {
  if (dialect === 'sqlite') return { database: openDatabase({ dataDir: dir }), dir, url: undefined, drop: async () => {} };
  const name = `consulaire_${label}_${process.pid}`;
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  return {
    database: openDatabase({ databaseUrl: u.toString(), dataDir: dir, poolSize: 4 }),
    dir,
    url: u.toString(),
    drop: async () => {
      const c2 = new pg.Client({ connectionString: PG_ADMIN });
      await c2.connect();
      await c2.query(`drop database if exists ${name} with (force)`);
      await c2.end();
    },
  };
}

/**
 * Raw insert baseline: the rows the import just wrote (same columns, same values), read back and
 * inserted again into a table without any index, constraint or trigger, by the plain bulk insert
 * (one prepared statement on SQLite, unnest batches on PostgreSQL) — no parsing, no validation,
 * no lookups, no index build. Only the inserts are timed. Rows per second.
 */
export async function rawInsertRate(db: AnyDb): Promise<number> {
  const cols = Object.keys((await db.selectFrom('establishments').selectAll().limit(1).executeTakeFirstOrThrow()) as object).filter((c) => c !== 'id' && c !== 'search_text_tsv');
  await sql`drop table if exists bench_raw`.execute(db);
  await sql`create table bench_raw as select ${sql.join(cols.map((c) => sql.ref(c)))} from establishments where 1 = 0`.execute(db);
  let after = 0;
  let secs = 0;
  let n = 0;
  for (;;) {
    const page = (await db.selectFrom('establishments').select(['id', ...cols]).where('id', '>', after).orderBy('id').limit(10_000).execute()) as Record<string, BulkValue>[];
    if (!page.length) break;
    after = page[page.length - 1].id as number;
    const rows = page.map((r) => cols.map((c) => r[c]));
    const t0 = performance.now();
    await bulkInsert(db, 'bench_raw', cols, rows);
    secs += (performance.now() - t0) / 1000;
    n += rows.length;
  }
  await sql`drop table bench_raw`.execute(db);
  return n / secs;
}

/** Issue #12's search mix (query strings of /registre); the SIREN/SIRET are those of an establishment of the registry. */
export function searchMix(siret: string): [string, string][] {
  return [
    ['word', 'q=boulangerie'],
    ['two words', 'q=restaurant+lyon'],
    ['prefix', 'q=boul'],
    ['prefix, accent', 'q=meca'],
    ['contact name', 'q=chevalier'],
    ['street', 'q=rue+victor+hugo'],
    ['SIREN with spaces', `q=${siret.slice(0, 3)}+${siret.slice(3, 6)}+${siret.slice(6, 9)}`],
    ['SIRET', `q=${siret}`],
    ['facet only (broad)', 'department=69'],
    ['facets (narrow)', 'section=I&commune=42218'],
    ['everything (no filter)', ''],
    ['word + facet + sort', 'q=conseil&department=42&sort=name'],
  ];
}
