// Registry search at a million (#12, ADR 0013), on registries loaded once and kept:
//   1. each query of the mix through the HTTP stack in process (session, reads lane, render):
//      p50/p95/p99 cold (count cache cleared before every request), the facet panel fetched
//      apart (/registre/facettes) cold, and the bare full-text query of the same words (first 25
//      ids + count(*) of every match) measured in the same run;
//   2. throughput: the BUILT server (dist/main.js, heap flag of `npm start`), 16 clients
//      (autocannon) for --seconds over the mix, searches/s and p50/p95/p99.
//   npx tsx bench/registry-search.ts --sqlite-dir DIR --database-url postgres://…/db [--db both]
//        [--repeat 20] [--seconds 20] [--clients 16]
// Load the registries first (minutes at 1 M):
//   DATA_DIR=DIR npx tsx src/main.ts migrate && DATA_DIR=DIR npx tsx src/main.ts seed --establishments 1000000
// Writes bench/results/registry-search.md.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { searchMix } from './registry-lib.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MODULES } from '../src/modules/index.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { createUser } from '../src/platform/auth/users.js';
import { openDatabase, type AnyDb } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { fullTextMatch, searchTerms } from '../src/platform/db/search.js';
import { invalidateSearchCache, parseSearch, searchEstablishments } from '../src/modules/registry/search.service.js';
import { csrfTokenFor } from '../src/platform/http/lifecycle.js';
import { serverNodeFlags } from '../scripts/node-flags.mjs';
import { machine, stats, writeResult } from './lib.js';
import { processCpuSeconds, signIn, startServer, stopServer, threadCpuSeconds } from './registry-server.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'both' },
    'sqlite-dir': { type: 'string' },
    'database-url': { type: 'string' },
    repeat: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '16' },
  },
});
const REPEAT = Number(values.repeat);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const EMAIL = 'bench-search@test.cci.fr';
const PASSWORD = 'bench search password 2026';
const log = (s: string) => console.error(`[registry-search] ${s}`);

/** The mix of bench/registry.ts (issue #12's queries), plus a plural and a later page. */
function mixOf(siret: string): [string, string][] {
  return [...searchMix(siret), ['plural', 'q=boulangeries'], ['word, page 3', 'q=boulangerie&page=3']];
}

const f1 = (n: number) => (Number.isNaN(n) ? '—' : n.toLocaleString('en-GB', { maximumFractionDigits: 1, minimumFractionDigits: 1 }));

async function ensureUser(db: AnyDb) {
  const found = await db.selectFrom('users').select('id').where('email', '=', EMAIL).executeTakeFirst();
  if (!found) await createUser(db, SYSTEM_ACTOR, { email: EMAIL, name: 'Bench search', roles: ['direction', 'adviser'], password: PASSWORD });
}

async function measure(dialect: 'sqlite' | 'postgres', dataDir: string, databaseUrl?: string): Promise<string> {
  const database = openDatabase(dialect === 'sqlite' ? { dataDir } : { databaseUrl, dataDir, poolSize: 4 });
  const db = database.db;
  await migrateToLatest(db);
  await ensureUser(db);
  const total = Number(((await db.selectFrom('establishments').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()) as { n: number }).n);
  const sample = await db.selectFrom('establishments').select(['siret']).where('status', '=', 'active').where('siret', 'is not', null).orderBy('id').offset(Math.floor(total / 3)).limit(1).executeTakeFirstOrThrow();
  const mix = mixOf(sample.siret!);
  if (dialect === 'postgres') idCorrelation = Number((await sql<{ c: number }>`select correlation as c from pg_stats where tablename = 'establishments' and attname = 'id'`.execute(db)).rows[0]?.c ?? NaN);
  // The server's buffer pool decides whether a scan's pages stay cached: a table larger than a
  // quarter of shared_buffers is scanned through a 256 KB ring and read again from the kernel.
  const serverSetting = dialect === 'postgres'
    ? (await sql<{ v: string }>`select 'PostgreSQL ' || current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers') || ', establishments table ' || pg_size_pretty(pg_relation_size('establishments')) || '.' as v`.execute(db)).rows[0]?.v ?? ''
    : '';

  // 1. in process, through the HTTP stack
  const appDir = mkdtempSync(path.join(tmpdir(), 'registry-search-app-'));
  const config = loadConfig({ DATA_DIR: appDir, SESSION_SECRET: 'bench-secret-bench-secret-bench-secret', LOG_LEVEL: 'silent', CONSULAIRE_DEMO: '0' } as NodeJS.ProcessEnv, { databaseUrl });
  const app = await buildApp({ config, database, modules: MODULES, logger: false });
  await app.fastify.ready();
  const login = await app.fastify.inject({ url: '/connexion' });
  const csrf = String(login.headers['set-cookie'] as string[] | string).match(/csrf=([^;]+)/)![1];
  const signin = await app.fastify.inject({ method: 'POST', url: '/connexion', headers: { cookie: `csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ email: EMAIL, password: PASSWORD, _csrf: csrfTokenFor(config.sessionSecret, csrf) }).toString() });
  const sid = String(signin.headers['set-cookie']).match(/sid=([^;]+)/)![1];
  const cookie = `sid=${sid}; csrf=${csrf}`;
  const get = (url: string) => app.fastify.inject({ url, headers: { cookie } });
  const cold = async (url: string) => {
    await get(url); // warm-up (plans, pages of the database in the cache)
    const times: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      invalidateSearchCache();
      const t0 = performance.now();
      const r = await get(url);
      times.push(performance.now() - t0);
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode}`);
    }
    return stats(times);
  };
  const rows: string[] = [];
  let worst = 0;
  for (const [label, qs] of mix) {
    log(`${dialect}: ${label}`);
    const page = await cold(`/registre?${qs}`);
    worst = Math.max(worst, page.p95);
    const res = await get(`/registre?${qs}`);
    const shown = /class="results-count"[^>]*>([^<]*)/.exec(res.body)?.[1]?.replace(/&nbsp;|\u202f/g, ' ').trim() ?? '';
    const lazy = res.body.includes('hx-get="/registre/facettes');
    const facets = lazy ? await cold(`/registre/facettes?${qs}`) : undefined;
    // the bare full-text query of the same words: first 25 ids, and count(*) of every match
    const terms = searchTerms(new URLSearchParams(qs).get('q') ?? '');
    let bare = NaN;
    if (terms.length && !/^\d{3}/.test(terms[0])) {
      const q = () => db.selectFrom('establishments as e').where(fullTextMatch(db, 'establishments', 'e', 'search_text', terms) as never);
      const bt: number[] = [];
      for (let i = 0; i < Math.min(REPEAT, 10); i++) {
        const t0 = performance.now();
        await Promise.all([q().select('e.id').limit(25).execute(), q().select(sql`count(*)`.as('n')).execute()]);
        bt.push(performance.now() - t0);
      }
      bare = stats(bt).p50;
    }
    // the first result, by SIRET (ids differ between the two imports), to compare the databases
    // Through the read path, as the server searches: on PostgreSQL the main pool keeps
    // synchronized scans, which start a scan where the last one stopped (other first matches).
    if (terms.length) tops.set(`${label}|${qs}|${dialect}`, (await searchEstablishments(database.reads as never, parseSearch(Object.fromEntries(new URLSearchParams(qs))), { facets: false })).items[0]?.siret ?? '');
    rows.push(`| ${label} | \`${qs || '—'}\` | ${shown} | ${f1(page.p50)} | ${f1(page.p95)} | ${f1(page.p99)} | ${facets ? `${f1(facets.p50)} / ${f1(facets.p95)}` : 'in the page (summary)'} | ${f1(bare)} |`);
  }
  await app.close();

  // 2. throughput against the built server (--seconds 0: skipped)
  if (SECONDS <= 0) {
    await database.close();
    return [`### ${dialect} — ${total.toLocaleString('en-GB')} establishments (in process only)`, '', `Worst p95: ${f1(worst)} ms`, '', '| query | URL | count shown | p50 | p95 | p99 | facets | bare |', '|---|---|---|---|---|---|---|---|', ...rows, ''].join('\n');
  }
  const entry = existsSync(path.join(process.cwd(), 'dist', 'main.js')) ? 'dist/main.js' : undefined;
  log(`${dialect}: ${entry ?? 'src/main.ts'} with ${CLIENTS} clients for ${SECONDS} s`);
  const { child, port } = await startServer({ dialect, databaseUrl, dataDir, email: EMAIL, password: PASSWORD, entry, env: { NODE_OPTIONS: serverNodeFlags().join(' '), NODE_ENV: 'production', RUN_JOBS: '0' } });
  let load = '';
  try {
    const serverCookie = await signIn(port, EMAIL, PASSWORD);
    const urls = mix.map(([, qs]) => `/registre?${qs}`);
    const statuses: Record<number, number> = {};
    const times: number[] = [];
    let i = 0;
    const cpu0 = { ...threadCpuSeconds(child.pid!), database: processCpuSeconds('postgres'), client: process.cpuUsage() };
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        { url: `http://127.0.0.1:${port}`, connections: CLIENTS, duration: SECONDS, headers: { cookie: serverCookie }, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: urls[i++ % urls.length] }) }] },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      inst.on('response', (_c, statusCode, _b, ms) => {
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
        times.push(ms);
      });
    });
    const st = stats(times);
    // The server's CPU per search, by thread: 200 searches/s on 2 cores leaves 10 ms in all.
    // The database server's backends (PostgreSQL; SQLite runs in the server's threads) and the
    // bench client (autocannon, in this process) share the same 2 cores.
    const cpu1 = { ...threadCpuSeconds(child.pid!), database: processCpuSeconds('postgres'), client: process.cpuUsage(cpu0.client) };
    const per = (a: number, b: number) => f1(((b - a) * 1000) / Math.max(1, result.requests.total));
    const database = dialect === 'postgres' ? per(cpu0.database, cpu1.database) : '—';
    load = `| ${CLIENTS} clients, ${SECONDS} s, the ${urls.length} searches in turn (\`${entry ?? 'src/main.ts'}\`) | ${f1(result.requests.total / SECONDS)} searches/s | ${f1(st.p50)} / ${f1(st.p95)} / ${f1(st.p99)} ms | ${per(cpu0.main, cpu1.main)} / ${per(cpu0.others, cpu1.others)} / ${database} / ${per(0, (cpu1.client.user + cpu1.client.system) / 1e6)} ms | ${Object.entries(statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} |`;
  } finally {
    await stopServer(child);
  }
  await database.close();
  const name = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  return [
    `### ${name} — ${total.toLocaleString('en-GB')} establishments`,
    '',
    ...(serverSetting ? [serverSetting.trim(), ''] : []),
    `Worst p95 of the mix (page): **${f1(worst)} ms** (target ≤ 100 ms, aim 50).`,
    '',
    '| query | URL | count shown | p50 ms | p95 ms | p99 ms | facet panel p50 / p95 ms (fetched apart) | bare FTS: 25 ids + count(*) of all, p50 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '| throughput | searches/s | p50 / p95 / p99 | CPU per search: server main thread / its other threads (read workers, GC) / PostgreSQL backends / bench client | answers |',
    '|---|---|---|---|---|',
    load,
    '',
  ].join('\n');
}

/** First result (SIRET) of each search with words, per database: the relevance of the two compared at 1 M (ADR 0016). */
const tops = new Map<string, string>();
/** PostgreSQL: how closely the rows' physical order follows their id (1 = the same order) */
let idCorrelation: number | undefined;
function sameTops(mix: string[]): string {
  const both = mix.filter((k) => tops.has(`${k}|sqlite`) && tops.has(`${k}|postgres`));
  if (!both.length) return '';
  const same = both.filter((k) => tops.get(`${k}|sqlite`) === tops.get(`${k}|postgres`));
  const differ = both.filter((k) => !same.includes(k)).map((k) => k.split('|')[0]);
  const order = idCorrelation === undefined ? '' : ` (the correlation of the id with that order, PostgreSQL's statistics: ${idCorrelation.toFixed(2)})`;
  return `Same first result (SIRET) on both databases for ${same.length} of ${both.length} searches with words${differ.length ? ` (differs: ${differ.join(', ')})` : ''}. The candidates of a broad search are the first 1,000 matches in each engine's order: the id on SQLite (rowid), the rows' place in the table on PostgreSQL, where every update moves a row to a new place${order}.\n`;
}

async function main() {
  useFastHashingForTests();
  const dbs = values.db === 'both' ? (['sqlite', 'postgres'] as const) : [values.db as 'sqlite' | 'postgres'];
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  const parts: string[] = [];
  for (const d of dbs) {
    if (d === 'sqlite' && !values['sqlite-dir']) throw new Error('--sqlite-dir is required for sqlite');
    if (d === 'postgres' && !values['database-url']) throw new Error('--database-url is required for postgres');
    parts.push(await measure(d, d === 'sqlite' ? values['sqlite-dir']! : mkdtempSync(path.join(tmpdir(), 'registry-search-pg-')), d === 'postgres' ? values['database-url'] : undefined));
  }
  const md = [
    '# Registry search at a million (#12)',
    '',
    `Produced by \`npx tsx bench/registry-search.ts\`; ${machine()}; load average at start ${load} (2 cores shared with other work), at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}.`,
    `Cold = the one-minute count cache cleared before each request; ${REPEAT} requests per query after a warm-up. A search with words counts up to 10,000 and loads its facet panel apart (ADR 0013).`,
    '',
    ...parts,
    sameTops([...new Set([...tops.keys()].map((k) => k.split('|').slice(0, 2).join('|')))]),
  ].join('\n');
  writeResult('registry-search', md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
