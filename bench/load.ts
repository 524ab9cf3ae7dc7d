// The portal under load (issue #22): does one user's heavy work become everyone's wait?
// Starts the BUILT server (dist/main.js, NODE_ENV=production, the heap flag of `npm start`) on a
// registry of N establishments, then, per database:
//   1. the probe alone: /health, the staff home and a company page, twice a second for 10 s;
//   2. the registry search mix from 16 clients (autocannon) for 30 s, the probe running beside;
//   3. the probe while a SIRENE import of 100,000 new establishments runs as a background job;
//   4. the probe while a CSV export of the whole registry downloads.
// Prints searches/s, search p50/p95 and the probe's p50/p99 in each phase; writes
// bench/results/load.md. Goals: probe p99 under load ≤ 50 ms, ≥ 200 searches/s.
//   npx tsx bench/load.ts [--size 1000000] [--db sqlite|postgres|both] [--seconds 30]
//        [--sqlite-dir DIR] [--database-url postgres://…/consulaire_load] [--no-build]
// The registries are loaded once (`consulaire seed --establishments N`, minutes at 1 M) into
// --sqlite-dir and the --database-url database, and reused by later runs.
import autocannon from 'autocannon';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { machine, stats, writeResult, type Stats } from './lib.js';
import { download, request, sampler, signIn, startServer, stopServer } from './registry-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    db: { type: 'string', default: 'both' },
    seconds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '16' },
    'sqlite-dir': { type: 'string' },
    'database-url': { type: 'string' },
    'import-size': { type: 'string', default: '100000' },
    'no-build': { type: 'boolean' },
  },
});
const SIZE = Number(values.size);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const IMPORT_SIZE = Number(values['import-size']);
const PASSWORD = 'load bench password 2026';
const EMAIL = 'bench-load@test.cci.fr';
const sqliteDir = values['sqlite-dir'] ?? path.join(tmpdir(), `consulaire-load-${SIZE}`);
const pgAdmin = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseUrl = values['database-url'] ?? (() => {
  const u = new URL(pgAdmin);
  u.pathname = `/consulaire_load_${SIZE}`;
  return u.toString();
})();

// What advisers type (issue #12's mix): broad words, narrow words, a département filter, no words.
const SEARCHES = ['q=boulangerie', 'q=boul', 'q=restaurant+lyon', 'q=rue+victor+hugo', 'q=conseil&department=42', 'q=plomberie', 'q=martin', 'department=69', '', 'section=I&commune=42218', 'status=all&sort=created', 'q=garage&department=69'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => console.error(`[load] ${s}`);

/** Runs the CLI of the built server against a data dir / database (seed, migrate). */
function cli(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=2048', path.join(ROOT, 'dist', 'main.js'), ...args], { cwd: ROOT, env: { ...process.env, CONSULAIRE_DEMO: '0', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`consulaire ${args.join(' ')} failed (${r.status})`);
}

/** Loads the registry to SIZE establishments once, and a user allowed to search, import and export. */
async function prepare(dialect: 'sqlite' | 'postgres'): Promise<{ env: Record<string, string>; companyId: number; territory: string[] }> {
  const env: Record<string, string> = dialect === 'sqlite' ? { DATA_DIR: sqliteDir } : { DATA_DIR: sqliteDir + '-pg', DATABASE_URL: databaseUrl };
  mkdirSync(env.DATA_DIR, { recursive: true });
  if (dialect === 'postgres') {
    const c = new pg.Client({ connectionString: pgAdmin });
    await c.connect();
    const name = new URL(databaseUrl).pathname.slice(1);
    if (!(await c.query('select 1 from pg_database where datname = $1', [name])).rowCount) await c.query(`create database ${name}`);
    await c.end();
  }
  cli(['migrate'], env);
  const { openDatabase } = await import('../src/platform/db/index.js');
  const database = openDatabase({ dataDir: env.DATA_DIR, databaseUrl: env.DATABASE_URL });
  try {
    const count = async () => Number(((await database.db.selectFrom('establishments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()) as { n: number }).n);
    const have = await count();
    if (have < SIZE * 0.95) {
      log(`${dialect}: loading ${SIZE - have} establishments (once; minutes at a million)`);
      cli(['seed', '--establishments', String(SIZE - have)], env);
    }
    const { createUser } = await import('../src/platform/auth/users.js');
    const { SYSTEM_ACTOR } = await import('../src/platform/audit/audit.js');
    const exists = await database.db.selectFrom('users').select('id').where('email', '=', EMAIL).executeTakeFirst();
    if (!exists) await database.db.transaction().execute((trx) => createUser(trx, SYSTEM_ACTOR, { email: EMAIL, name: 'Bench load', roles: ['documentation'], password: PASSWORD }));
    // a company with several establishments: the probe's record page
    const row = (await database.db.selectFrom('establishments').select('company_id').groupBy('company_id').having((eb) => eb.fn.countAll(), '>', 2).orderBy('company_id').limit(1).executeTakeFirst()) as { company_id: number } | undefined;
    const { Settings } = await import('../src/platform/settings.js');
    const territory = (await new Settings(database.db).get('cci.territory')) as string[];
    return { env, companyId: row?.company_id ?? 1, territory };
  } finally {
    await database.close();
  }
}

interface ProbeSample {
  kind: 'health' | 'home' | 'company';
  ms: number;
  status: number;
}

/** Every 500 ms, the three cheap requests at once; until stop() is called. */
function probe(port: number, cookie: string, companyId: number) {
  const samples: ProbeSample[] = [];
  let running = true;
  const pending: Promise<unknown>[] = [];
  const one = async (kind: ProbeSample['kind'], url: string, headers: Record<string, string>) => {
    const t0 = performance.now();
    const r = await request(port, 'GET', url, headers);
    samples.push({ kind, ms: performance.now() - t0, status: r.status });
  };
  const loop = (async () => {
    while (running) {
      pending.push(one('health', '/health', {}), one('home', '/portail', { cookie }), one('company', `/registre/entreprises/${companyId}`, { cookie }));
      await sleep(500);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await Promise.all(pending);
      return samples;
    },
  };
}

interface ProbeFigures {
  all: Stats;
  byKind: Record<ProbeSample['kind'], Stats>;
  errors: number;
  /** the requests not answered 200: "kind status" → count */
  failures: Record<string, number>;
}
function probeFigures(samples: ProbeSample[]): ProbeFigures {
  const of = (k?: ProbeSample['kind']) => stats(samples.filter((s) => !k || s.kind === k).map((s) => s.ms));
  const failures: Record<string, number> = {};
  for (const s of samples) if (s.status !== 200) failures[`${s.kind} ${s.status}`] = (failures[`${s.kind} ${s.status}`] ?? 0) + 1;
  return { all: of(), byKind: { health: of('health'), home: of('home'), company: of('company') }, errors: samples.filter((s) => s.status !== 200).length, failures };
}

/** A SIRENE import uploaded as a browser does (multipart, CSRF header); returns the import's id. */
async function uploadImport(port: number, cookie: string, territory: string[]): Promise<{ id: number; files: string }> {
  const { generateSireneFiles } = await import('../src/modules/registry/generator.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'consulaire-load-import-'));
  const units = path.join(dir, 'unites.csv');
  const ests = path.join(dir, 'etablissements.csv');
  // new SIRENs, far from the seeded ones
  await generateSireneFiles(units, ests, { establishments: IMPORT_SIZE, territory, seed: 7_000 + Date.now() % 1000, sirenStart: 80_000_000 + (Date.now() % 1000) * 10_000 });
  const page = await request(port, 'GET', '/registre/imports', { cookie });
  const token = (/name="_csrf"[^>]*value="([^"]+)"/.exec(page.body)?.[1] ?? '').replace(/&amp;/g, '&');
  const boundary = `----load${Date.now()}`;
  const part = (name: string, file: string) => Buffer.concat([Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${path.basename(file)}"\r\ncontent-type: text/csv\r\n\r\n`), readFileSync(file), Buffer.from('\r\n')]);
  const body = Buffer.concat([part('unites', units), part('etablissements', ests), Buffer.from(`--${boundary}--\r\n`)]);
  const res = await new Promise<{ status: number; location?: string }>((resolve, reject) => {
    import('node:http').then(({ default: http }) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/registre/imports', headers: { cookie, 'x-csrf-token': token, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) } }, (r) => {
        r.resume();
        r.on('end', () => resolve({ status: r.statusCode ?? 0, location: r.headers.location }));
      });
      req.on('error', reject);
      req.end(body);
    }, reject);
  });
  const id = Number(/\/registre\/imports\/(\d+)/.exec(res.location ?? '')?.[1]);
  if (res.status !== 302 || !id) throw new Error(`import upload refused: HTTP ${res.status}`);
  return { id, files: dir };
}

async function importStatus(env: Record<string, string>, importId: number): Promise<string> {
  const { openDatabase } = await import('../src/platform/db/index.js');
  const database = openDatabase({ dataDir: env.DATA_DIR, databaseUrl: env.DATABASE_URL, reads: { workers: 1 } });
  try {
    const row = (await database.db.selectFrom('registry_imports').select('status').where('id', '=', importId).executeTakeFirst()) as { status: string } | undefined;
    return row?.status ?? 'missing';
  } finally {
    await database.close();
  }
}

interface Run {
  dialect: 'sqlite' | 'postgres';
  idle: ProbeFigures;
  load: { searchesPerSecond: number; search: Stats; non2xx: number; statuses: Record<string, number>; probe: ProbeFigures; peakRssMiB: number };
  importRun: { seconds: number; status: string; probe: ProbeFigures };
  exportRun: { seconds: number; rows: number; status: number; probe: ProbeFigures };
  loadAverage: number;
}

async function measure(dialect: 'sqlite' | 'postgres'): Promise<Run> {
  const { env, companyId, territory } = await prepare(dialect);
  log(`${dialect}: starting the built server`);
  const { child, port } = await startServer({
    dialect,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    email: EMAIL,
    password: PASSWORD,
    entry: 'dist/main.js',
    env: { NODE_ENV: 'production', NODE_OPTIONS: '--max-old-space-size=256', LOG_LEVEL: 'warn' },
  });
  const rss = sampler(child.pid!);
  try {
    const cookie = await signIn(port, EMAIL, PASSWORD);
    // warm: every search once, the probe's pages once
    for (const q of SEARCHES) await request(port, 'GET', `/registre?${q}`, { cookie });
    await request(port, 'GET', `/registre/entreprises/${companyId}`, { cookie });

    log(`${dialect}: probe alone, 10 s`);
    let p = probe(port, cookie, companyId);
    await sleep(10_000);
    const idle = probeFigures(await p.stop());

    log(`${dialect}: ${CLIENTS} clients searching for ${SECONDS} s, probe beside`);
    const loadStart = performance.now();
    p = probe(port, cookie, companyId);
    const searchMs: number[] = [];
    const statuses: Record<string, number> = {};
    let i = 0;
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        {
          url: `http://127.0.0.1:${port}`,
          connections: CLIENTS,
          duration: SECONDS,
          headers: { cookie },
          requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/registre?${SEARCHES[i++ % SEARCHES.length]}` }) }],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
      inst.on('response', (_client, statusCode, _bytes, responseTime) => {
        statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
        if (statusCode === 200) searchMs.push(responseTime);
      });
    });
    const probeLoad = probeFigures(await p.stop());
    const peakRssMiB = rss.peak(loadStart);

    log(`${dialect}: probe during an import of ${IMPORT_SIZE} establishments`);
    const imp = await uploadImport(port, cookie, territory);
    const impStart = performance.now();
    p = probe(port, cookie, companyId);
    let status = 'running';
    while ((status === 'running' || status === 'queued') && performance.now() - impStart < 600_000) {
      await sleep(1000);
      status = await importStatus(env, imp.id);
    }
    const importRun = { seconds: (performance.now() - impStart) / 1000, status, probe: probeFigures(await p.stop()) };
    rmSync(imp.files, { recursive: true, force: true });

    log(`${dialect}: probe during a CSV export of the whole registry`);
    p = probe(port, cookie, companyId);
    const dl = await download(port, '/registre/export.csv?status=all', cookie);
    const exportRun = { seconds: dl.seconds, rows: dl.lines - 1, status: dl.status, probe: probeFigures(await p.stop()) };

    return {
      dialect,
      idle,
      load: { searchesPerSecond: (statuses['200'] ?? 0) / SECONDS, search: stats(searchMs), non2xx: result.non2xx, statuses, probe: probeLoad, peakRssMiB },
      importRun,
      exportRun,
      loadAverage: loadavg()[0],
    };
  } finally {
    rss.stop();
    await stopServer(child);
  }
}

const f = (v: number) => (Number.isFinite(v) ? (v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US')) : '—');
const pp = (s: Stats) => `${f(s.p50)} / ${f(s.p99)} ms`;

function report(runs: Run[]): string {
  const col = (fn: (r: Run) => string) => runs.map(fn).join(' | ');
  const head = `| | ${runs.map((r) => (r.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL')).join(' | ')} | goal |\n|---|${runs.map(() => '---|').join('')}---|`;
  const lines = [
    `| searches/s (${CLIENTS} clients, ${SECONDS} s, HTTP 200 only) | ${col((r) => f(r.load.searchesPerSecond))} | ≥ 200 |`,
    `| search p50 / p95 | ${col((r) => `${f(r.load.search.p50)} / ${f(r.load.search.p95)} ms`)} | — |`,
    `| searches answered 503 (time limit or queue full) | ${col((r) => String(r.load.statuses['503'] ?? 0))} | — |`,
    `| probe p50 / p99, no load | ${col((r) => pp(r.idle.all))} | — |`,
    `| **probe p50 / p99, under the search load** | ${col((r) => `**${pp(r.load.probe.all)}**`)} | p99 ≤ 50 ms |`,
    `| — /health | ${col((r) => pp(r.load.probe.byKind.health))} | |`,
    `| — staff home /portail | ${col((r) => pp(r.load.probe.byKind.home))} | |`,
    `| — company page | ${col((r) => pp(r.load.probe.byKind.company))} | |`,
    `| probe p50 / p99 during an import of ${IMPORT_SIZE.toLocaleString('en-US')} establishments (job in the server) | ${col((r) => `${pp(r.importRun.probe.all)} (import ${f(r.importRun.seconds)} s, ${r.importRun.status})`)} | p99 ≤ 50 ms |`,
    `| probe p50 / p99 during a CSV export of the registry | ${col((r) => `${pp(r.exportRun.probe.all)} (${r.exportRun.rows.toLocaleString('en-US')} rows in ${f(r.exportRun.seconds)} s)`)} | p99 ≤ 50 ms |`,
    `| probe requests not answered 200 (all phases) | ${col((r) => { const all = [r.idle, r.load.probe, r.importRun.probe, r.exportRun.probe]; const n = all.reduce((a, x) => a + x.errors, 0); const sum: Record<string, number> = {}; for (const x of all) for (const [k, v] of Object.entries(x.failures)) sum[k] = (sum[k] ?? 0) + v; const what = Object.entries(sum).map(([k, v]) => `${k}: ${v}`).join(', '); return what ? `${n} (${what})` : String(n); })} | 0 |`,
    `| server peak RSS under the search load | ${col((r) => `${f(r.load.peakRssMiB)} MiB`)} | ≤ 300 MB |`,
  ];
  return [
    `# Load: the portal under heavy reads (bench/load.ts)`,
    '',
    `${machine()}; ${SIZE.toLocaleString('en-US')} establishments; built server (\`dist/main.js\`, NODE_ENV=production, --max-old-space-size=256); autocannon and the probe on loopback, on the same 2 cores as the server (and the database). Probe: \`/health\`, \`/portail\` and a company page, all three every 500 ms. Load average at the end: ${col((r) => r.loadAverage.toFixed(1))}.`,
    '',
    head,
    ...lines,
    '',
  ].join('\n');
}

async function main() {
  if (!values['no-build']) {
    // The build type-checks everything; it still emits when another part of the tree has type errors.
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    } catch (e) {
      if (!existsSync(path.join(ROOT, 'dist', 'platform', 'db', 'read-worker.js'))) throw e;
      log('build reported errors; dist/ was emitted and is used');
    }
  }
  const which = values.db === 'both' ? (['sqlite', 'postgres'] as const) : ([values.db] as ('sqlite' | 'postgres')[]);
  const runs: Run[] = [];
  for (const d of which) runs.push(await measure(d));
  console.log(JSON.stringify(runs, null, 2));
  writeResult('load', report(runs));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
