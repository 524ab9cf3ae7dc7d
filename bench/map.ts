// Map and reports benchmark (issue #17) at the size given (the issue asks 1,000,000):
// cluster responses (whole territory and a street, with and without filters) through the real
// read path (ctx.reads: SQLite worker threads / the PostgreSQL read pool), p50/p95 against the raw
// aggregate query of the same answer in the same run; a report grouping every establishment by
// NAF section × département against its raw GROUP BY; the process's RSS; the map page's JS+CSS.
//   npx tsx bench/map.ts [--size 1000000] [--db sqlite|postgres] [--runs 30]
// Data: the registry bench's generator (bench/registry.ts, `consulaire seed`) through the real
// import (a bulk first load: the registry's summaries and the map's cells rebuilt once).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { sql } from 'kysely';
import '../src/modules/map/index.js'; // registers the map's cell summary with the registry's bulk loads
import { cellSql, levelFor, cellRange } from '../src/modules/map/cells.js';
import { clusters } from '../src/modules/map/map.service.js';
import { generateSireneFiles } from '../src/modules/registry/generator.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { parseSearch } from '../src/modules/registry/search.service.js';
import { runReport } from '../src/modules/reports/reports.service.js';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { SYSTEM_ACTOR, type Actor } from '../src/platform/audit/audit.js';
import { openDatabase, type AnyDb } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';

const { values } = parseArgs({ options: { size: { type: 'string' }, db: { type: 'string' }, runs: { type: 'string' } } });
const SIZE = Number(values.size ?? 100_000);
const RUNS = Number(values.runs ?? 30);
const DIALECT = values.db ?? 'sqlite';
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (n: number, d = 1) => n.toLocaleString('en-GB', { maximumFractionDigits: d, minimumFractionDigits: d });

async function timed(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'consulaire-bench-map-'));
  let url: string | undefined;
  const pgName = `consulaire_bench_map_${process.pid}`;
  if (DIALECT === 'postgres') {
    const c = new pg.Client({ connectionString: PG_ADMIN });
    await c.connect();
    await c.query(`create database ${pgName}`);
    await c.end();
    const u = new URL(PG_ADMIN);
    u.pathname = `/${pgName}`;
    url = u.toString();
  }
  const database = openDatabase({ databaseUrl: url, dataDir: dir, poolSize: 4 });
  const db = database.db;
  const reads: AnyDb = database.reads;
  const lines: string[] = [];
  const log = (s: string) => {
    lines.push(s);
    process.stderr.write(s + '\n');
  };
  try {
    await migrateToLatest(db);
    const units = path.join(dir, 'u.csv');
    const ests = path.join(dir, 'e.csv');
    await generateSireneFiles(units, ests, { establishments: SIZE, territory: ['42', '69'], seed: 1 });
    const t0 = Date.now();
    await importSireneStock(db, { unitsFile: units, establishmentsFile: ests, territory: ['42', '69'], actor: SYSTEM_ACTOR });
    rmSync(units);
    rmSync(ests);
    const n = await db.selectFrom('establishments').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    const cells = await db.selectFrom('map_cells').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    log(`\n## ${new Date().toISOString().slice(0, 16)} — ${DIALECT}, ${fmt(Number(n.n), 0)} establishments (import with cell rebuild ${fmt((Date.now() - t0) / 1000)} s; ${fmt(Number(cells.n), 0)} cell rows), ${RUNS} runs each, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores\n`);

    // ——— clusters against the raw aggregate of the same answer ———
    const territory: [number, number, number, number] = [3.6, 45.0, 5.2, 46.4];
    const street: [number, number, number, number] = [4.826, 45.755, 4.846, 45.768];
    const rawCells = (zoom: number, where: (qb: any) => any) => () => {
      const level = levelFor(zoom, territory);
      const { cx, cy } = cellSql(level, 'e');
      const r = cellRange(level, territory);
      void r;
      return where(db.selectFrom('establishments as e'))
        .select([sql.raw(cx).as('cx'), sql.raw(cy).as('cy'), sql`count(*)`.as('n'), sql`sum(e.latitude)`.as('a'), sql`sum(e.longitude)`.as('b')])
        .where('e.latitude', 'is not', null)
        .groupBy([sql.raw(cx), sql.raw(cy)])
        .execute();
    };
    const rawPoints = (where: (qb: any) => any) => () =>
      where(db.selectFrom('establishments as e'))
        .innerJoin('companies as c', 'c.id', 'e.company_id')
        .select(['e.id', 'e.company_id', 'c.name', 'e.latitude', 'e.longitude'])
        .where('e.longitude', '>=', street[0]).where('e.longitude', '<=', street[2]).where('e.latitude', '>=', street[1]).where('e.latitude', '<=', street[3])
        .orderBy('e.id')
        .limit(1501)
        .execute();
    const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ['territory, zoom 8, no filter', () => clusters(reads, parseSearch({}), territory, 8), rawCells(8, (q) => q.where('e.status', '=', 'active'))],
      ['territory, zoom 10, section G', () => clusters(reads, parseSearch({ section: 'G' }), territory, 10), rawCells(10, (q) => q.where('e.status', '=', 'active').where('e.naf_section', '=', 'G'))],
      ['territory, zoom 10, section G + département 69', () => clusters(reads, parseSearch({ section: 'G', department: '69' }), territory, 10), rawCells(10, (q) => q.where('e.status', '=', 'active').where('e.naf_section', '=', 'G').where('e.department', '=', '69'))],
      ['street, zoom 17, no filter', () => clusters(reads, parseSearch({}), street, 17), rawPoints((q) => q.where('e.status', '=', 'active'))],
      ['street, zoom 17, section G', () => clusters(reads, parseSearch({ section: 'G' }), street, 17), rawPoints((q) => q.where('e.status', '=', 'active').where('e.naf_section', '=', 'G'))],
    ];
    log('| cluster request | features | ours p50 / p95 (ms) | raw aggregate p50 / p95 (ms) | p95 ratio ours/raw |');
    log('|---|---|---|---|---|');
    for (const [name, ours, raw] of cases) {
      const fc = (await ours()) as { features: unknown[]; source: string };
      const a = await timed(ours);
      const b = await timed(raw);
      log(`| ${name} (${fc.source}) | ${fmt(fc.features.length, 0)} | ${fmt(pct(a, 50))} / ${fmt(pct(a, 95))} | ${fmt(pct(b, 50))} / ${fmt(pct(b, 95))} | ${fmt(pct(a, 95) / pct(b, 95), 2)} |`);
    }

    // ——— a report: every establishment by NAF section × département ———
    const admin: Actor = { id: 1, label: 'bench', kind: 'staff', roles: ['admin'], permissions: permissionsOf(['admin']) };
    const def = { subject: 'establishments' as const, dims: ['section', 'department'], measure: 'count', filters: { query: 'status=all' } };
    const rep = await timed(() => runReport(reads, admin, def));
    const rawRep = await timed(() => db.selectFrom('establishments').select(['naf_section', 'department', sql`count(*)`.as('n')]).groupBy(['naf_section', 'department']).execute());
    log(`\n| report | ours p50 / p95 (ms) | raw GROUP BY p50 / p95 (ms) | p95 ratio |`);
    log('|---|---|---|---|');
    log(`| ${fmt(Number(n.n), 0)} establishments by NAF section × département | ${fmt(pct(rep, 50))} / ${fmt(pct(rep, 95))} | ${fmt(pct(rawRep, 50))} / ${fmt(pct(rawRep, 95))} | ${fmt(pct(rep, 95) / pct(rawRep, 95), 2)} |`);

    // ——— memory and the page's weight ———
    const rss = process.memoryUsage().rss / 1048576;
    const files = ['public/vendor/leaflet/leaflet.js', 'public/vendor/leaflet/leaflet.css', 'public/map-page.js', 'public/app.css', 'public/app.js'].map((f) => readFileSync(path.join(ROOT, f)));
    const raw = files.reduce((a, f) => a + f.length, 0);
    const gz = files.reduce((a, f) => a + gzipSync(f).length, 0);
    const mapOnly = files.slice(0, 3);
    log(`\nRSS of this process after the runs (database in-process, SQLite read workers included): ${fmt(rss, 0)} MB.`);
    log(`Map page JS+CSS: ${fmt(raw / 1024, 0)} KB (${fmt(gz / 1024, 0)} KB gzip), of which the map's own (Leaflet + map-page.js) ${fmt(mapOnly.reduce((a, f) => a + f.length, 0) / 1024, 0)} KB (${fmt(mapOnly.reduce((a, f) => a + gzipSync(f).length, 0) / 1024, 0)} KB gzip), loaded on /carte only.`);
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    appendFileSync(path.join(ROOT, 'bench', 'results', 'map.md'), lines.join('\n') + '\n');
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
    if (DIALECT === 'postgres') {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`drop database if exists ${pgName} with (force)`);
      await c.end();
    }
  }
}

await main();
