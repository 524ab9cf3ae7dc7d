// Load test (#20): a realistic mix against real server processes on loopback, bounded in time.
//
//   npx tsx bench/load-mix.ts [--duration 60] [--warmup 0] [--db sqlite|postgres] [--instances 1|2] [--connections 16] [--built]
//
// The demo CCI is seeded into a fresh database, then 1 or 2 instances are started (two: behind
// nginx when installed, otherwise each gets half the clients). The mix, cycled by every client:
// public pages (home, sign-in), a staff search of the register and a company page (signed in as
// the demo staff member), the member extranet (signed in as the demo member) and a write (a note
// added to a company: a transaction with its audit entry). Reported: requests/s, latency
// p50/p95/p99, non-2xx/3xx answers and errors, and each instance's RSS sampled every second —
// the mean of the first minute against the last (the issue asks no growth between them).
// PostgreSQL: DATABASE_URL_ADMIN (default postgres://postgres@127.0.0.1:5432/postgres) gets a
// throwaway database.
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { csrfTokenFor } from '../src/platform/http/lifecycle.js';
import { DEMO_PASSWORD } from '../src/platform/seed.js';
import { serverNodeFlags } from '../scripts/node-flags.mjs';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '60' }, db: { type: 'string', default: 'sqlite' }, instances: { type: 'string', default: '1' }, connections: { type: 'string', default: '16' }, built: { type: 'boolean', default: false }, warmup: { type: 'string', default: '0' } } });
const WARMUP = Number(values.warmup);
const DURATION = Number(values.duration);
const INSTANCES = Number(values.instances);
const CONNECTIONS = Number(values.connections);
const ROOT = path.resolve(import.meta.dirname, '..');
const SECRET = 'load-mix-secret-load-mix-secret-42';
const PASSWORD = DEMO_PASSWORD;

const freePort = () => new Promise<number>((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => r(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'load-mix-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dir, 'data'), SESSION_SECRET: SECRET, LOG_LEVEL: 'warn', CONSULAIRE_DEMO: '1' };
  let dropDb = async () => {};
  if (values.db === 'postgres') {
    const admin = process.env.DATABASE_URL_ADMIN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `consulaire_load_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    env.DATABASE_URL = u.toString();
    dropDb = async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    };
  } else delete env.DATABASE_URL;
  const children: ChildProcess[] = [];
  try {
    // The seed's heavy reads may wait on a loaded machine: a generous read time limit for it.
    const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env: { ...env, READ_TIMEOUT_MS: '120000' }, stdio: 'pipe' }).toString();
    cli(['seed', '--demo']);
    const ports: number[] = [];
    const pids: number[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const port = await freePort();
      ports.push(port);
      // --built: the server as deployed (`npm run build` first: dist/main.js, no TypeScript loader);
      // otherwise from sources through tsx, which costs memory and start-up time of its own.
      const server = values.built ? ['dist/main.js', 'serve'] : ['--import', 'tsx', 'src/main.ts', 'serve'];
      const child = spawn(process.execPath, [...serverNodeFlags(env), ...server], { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: 'ignore' });
      children.push(child);
      pids.push(child.pid!);
    }
    for (const p of ports) for (let i = 0; i < 600 && (await fetch(`http://127.0.0.1:${p}/ready`).catch(() => undefined))?.status !== 200; i++) await sleep(200);
    let targets = ports.map((p) => `http://127.0.0.1:${p}`);
    let proxied = false;
    if (INSTANCES > 1) {
      try {
        execFileSync('nginx', ['-v'], { stdio: 'ignore' });
        const np = await freePort();
        mkdirSync(path.join(dir, 'nginx'));
        writeFileSync(path.join(dir, 'nginx', 'nginx.conf'), `worker_processes 1; daemon off; pid ${dir}/nginx/pid; error_log ${dir}/nginx/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path ${dir}/nginx/b; proxy_temp_path ${dir}/nginx/p; fastcgi_temp_path ${dir}/nginx/f; uwsgi_temp_path ${dir}/nginx/u; scgi_temp_path ${dir}/nginx/s;
  upstream app { ${ports.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 32; }
  server { listen 127.0.0.1:${np}; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $http_host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; } } }
`);
        children.push(spawn('nginx', ['-p', path.join(dir, 'nginx'), '-c', path.join(dir, 'nginx', 'nginx.conf')], { stdio: 'ignore' }));
        for (let i = 0; i < 50 && (await fetch(`http://127.0.0.1:${np}/health`).catch(() => undefined))?.status !== 200; i++) await sleep(100);
        targets = [`http://127.0.0.1:${np}`];
        proxied = true;
      } catch {
        /* no nginx: each instance gets half the clients */
      }
    }

    // Sessions: a staff member and a member of the extranet, signed in through the real forms.
    const signIn = async (base: string, page: string, email: string) => {
      const jar = new Map<string, string>();
      const keep = (res: Response) => { for (const c of res.headers.getSetCookie()) { const [pair] = c.split(';'); const i = pair.indexOf('='); jar.set(pair.slice(0, i), pair.slice(i + 1)); } };
      keep(await fetch(base + page, { redirect: 'manual' }));
      const body = new URLSearchParams({ email, password: PASSWORD, _csrf: csrfTokenFor(SECRET, jar.get('csrf')!) });
      const res = await fetch(base + page, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') }, redirect: 'manual' });
      keep(res);
      if (res.status !== 302) throw new Error(`sign-in ${email}: ${res.status}`);
      return { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), csrf: csrfTokenFor(SECRET, jar.get('csrf')!) };
    };
    const staff = await signIn(targets[0], '/connexion', 'conseiller@demo.cci.fr');
    const member = await signIn(targets[0], '/extranet/connexion', 'membre@demo-entreprise.fr');
    const companyPage = /href="(\/registre\/entreprises\/\d+)"/.exec(await (await fetch(`${targets[0]}/registre?q=a`, { headers: { cookie: staff.cookie } })).text())?.[1] ?? '/registre/entreprises/1';
    const requests: autocannon.Request[] = [
      { method: 'GET', path: '/' },
      { method: 'GET', path: '/connexion' },
      { method: 'GET', path: '/registre?q=boulangerie', headers: { cookie: staff.cookie } },
      { method: 'GET', path: companyPage, headers: { cookie: staff.cookie } },
      { method: 'GET', path: '/extranet', headers: { cookie: member.cookie } },
      { method: 'GET', path: '/registre?q=lyon', headers: { cookie: staff.cookie } },
      { method: 'POST', path: `${companyPage}/notes`, headers: { cookie: staff.cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': staff.csrf }, body: `body=${encodeURIComponent('Note de charge')}` },
      { method: 'GET', path: '/portail', headers: { cookie: staff.cookie } },
    ];

    // Every request of the mix answers as it should before the run (a 4xx would measure nothing).
    for (const r of requests) {
      const res = await fetch(targets[0] + r.path, { method: r.method, headers: r.headers as Record<string, string>, body: r.body as string | undefined, redirect: 'manual' });
      if (res.status >= 400) throw new Error(`${r.method} ${r.path}: ${res.status}`);
    }
    // --warmup S: the same mix for S seconds, not measured — start-up costs (modules loaded on first
    // use, statement caches, V8's new space and the database page caches filling) are not what
    // "RSS stable between the first and the last minute" asks about.
    if (WARMUP > 0) {
      const per = Math.max(1, Math.floor(CONNECTIONS / targets.length));
      await Promise.all(targets.map((url) => new Promise((resolve, reject) => autocannon({ url, connections: per, duration: WARMUP, requests }, (err, res) => (err ? reject(err) : resolve(res))))));
    }
    const rss: number[][] = pids.map(() => []);
    const anon: number[][] = pids.map(() => []);
    // The machine is shared: its load average, sampled with the RSS, is reported beside the figures.
    const loads: number[] = [];
    const sampler = setInterval(() => {
      loads.push(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
      pids.forEach((pid, i) => {
        try {
          const status = readFileSync(`/proc/${pid}/status`, 'utf8');
          const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
          rss[i].push(kb / 1024);
          // Anonymous memory (heaps, caches, native buffers) apart from mapped files (code, libraries).
          anon[i].push(Number(/RssAnon:\s+(\d+)/.exec(status)?.[1]) / 1024);
        } catch { /* gone */ }
      });
    }, 1000);
    // The V8 heap in use (from /metrics, loopback): RSS that grows while the heap does not is
    // native memory (SQLite cache, buffers), heap that keeps growing after full GCs is a leak.
    const heap: number[][] = ports.map(() => []);
    const heapTotal: number[][] = ports.map(() => []);
    const heapSampler = setInterval(() => {
      ports.forEach((p, i) => {
        fetch(`http://127.0.0.1:${p}/metrics`)
          .then((r) => r.text())
          .then((t) => {
            const m = /^consulaire_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(t);
            if (m) heap[i].push(Number(m[1]) / 1024 / 1024);
            const total = /^consulaire_nodejs_heap_size_total_bytes (\S+)/m.exec(t);
            if (total) heapTotal[i].push(Number(total[1]) / 1024 / 1024);
          })
          .catch(() => {});
      });
    }, 5000);
    const per = Math.max(1, Math.floor(CONNECTIONS / targets.length));
    const times: number[] = [];
    const results = await Promise.all(
      targets.map(
        (url) =>
          new Promise<autocannon.Result>((resolve, reject) => {
            const run = autocannon({ url, connections: per, duration: DURATION, requests }, (err, res) => (err ? reject(err) : resolve(res)));
            run.on('response', (_client, _status, _bytes, ms) => times.push(ms));
          }),
      ),
    );
    clearInterval(sampler);
    clearInterval(heapSampler);

    const total = results.reduce((s, r) => s + r.requests.total, 0);
    const errors = results.reduce((s, r) => s + r.errors + r.timeouts, 0);
    times.sort((x, y) => x - y);
    const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]?.toFixed(0);
    const mean = (a: number[]) => (a.length ? a.reduce((s, x) => s + x, 0) / a.length : NaN);
    const minute = Math.min(60, Math.floor(DURATION / 2));
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`load-mix: ${values.db}, ${INSTANCES} instance(s), ${values.built ? 'built server (dist)' : 'from sources (tsx)'}${INSTANCES > 1 ? (proxied ? ' behind nginx' : ' (clients split, no nginx)') : ''}, ${CONNECTIONS} connections, ${DURATION} s, load average at the end ${load}`);
    console.log(`  requests/s ${(total / DURATION).toFixed(1)} (total ${total}); latency p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, p99 ${pct(0.99)} ms, max ${times[times.length - 1]?.toFixed(0)} ms`);
    const codes: Record<string, number> = {};
    for (const r of results) for (const [code, v] of Object.entries((r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {})) codes[code] = (codes[code] ?? 0) + v.count;
    const failed = Object.entries(codes).filter(([c]) => Number(c) >= 400).reduce((n, [, k]) => n + k, 0);
    console.log(`  answers ≥ 400: ${failed}, connection errors+timeouts ${errors}; status codes ${JSON.stringify(codes)} (302: the write's redirect)`);
    rss.forEach((r, i) => console.log(`  instance ${i + 1} RSS: first ${minute} s mean ${mean(r.slice(0, minute)).toFixed(0)} MiB, last ${minute} s mean ${mean(r.slice(-minute)).toFixed(0)} MiB, max ${Math.max(...r).toFixed(0)} MiB`));
    // Minute by minute: growth that continues after the warm-up shows here, not in two means.
    const perMinute = (a: number[], samplesPerMinute: number) => Array.from({ length: Math.ceil(a.length / samplesPerMinute) }, (_, m) => mean(a.slice(m * samplesPerMinute, (m + 1) * samplesPerMinute)).toFixed(0)).join(' → ');
    rss.forEach((r, i) => console.log(`  instance ${i + 1} RSS per minute (mean MiB): ${perMinute(r, 60)}`));
    anon.forEach((r, i) => console.log(`  instance ${i + 1} anonymous RSS per minute (mean MiB): ${perMinute(r, 60)}`));
    heap.forEach((h, i) => console.log(`  instance ${i + 1} V8 heap used / total per minute (mean MiB, every 5 s): ${perMinute(h, 12)} / ${perMinute(heapTotal[i], 12)}`));
    console.log(`  1-minute load average during the run: min ${Math.min(...loads).toFixed(1)}, median ${[...loads].sort((x, y) => x - y)[Math.floor(loads.length / 2)]?.toFixed(1)}, max ${Math.max(...loads).toFixed(1)}`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await sleep(1500);
    await dropDb().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
