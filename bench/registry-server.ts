// The registry as the server runs it (issue 3: RSS ≤ 300 MB with the registry loaded, CSV
// export ≥ 100,000 rows/s with flat memory): starts the REAL server (`src/main.ts serve`) as a
// child process on an already-loaded database, signs in over HTTP like a browser (CSRF cookie +
// form), runs a few searches, then downloads the full CSV export (status=all) over HTTP while
// the child's RSS is sampled from /proc every 50 ms.
//   npx tsx bench/registry-server.ts --data-dir DIR [--database-url postgres://…] [--email E --password P]
//        [--entry dist/main.js] [--slow] [--xlsx]
// Without --email a user with the export right (role manager) is created in the database first. The lead's
// bench/registry.ts calls measureServer() with the database it has just loaded.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 2 ** 20;

export interface ServerMeasureOptions {
  /** 'postgres' needs databaseUrl; 'sqlite' reads `consulaire.sqlite` in dataDir */
  dialect: 'sqlite' | 'postgres';
  databaseUrl?: string;
  /** the server's DATA_DIR (the SQLite file, session secret, uploads) */
  dataDir: string;
  /** a staff user allowed to export (role manager, direction or documentation) */
  email: string;
  password: string;
  /** the server's entry: default `src/main.ts` through tsx; `dist/main.js` measures the built server */
  entry?: string;
  /** searches run before the idle RSS is read (query strings of /registre) */
  searches?: string[];
  /** also download the XLSX export and report its rate and peak RSS */
  xlsx?: boolean;
  /** also read a CSV export slowly (~2 MB/s for a few seconds) to show that memory stays flat */
  slowClient?: boolean;
  /** extra environment for the server (LOG_LEVEL, RUN_JOBS…) */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface ServerMeasure {
  /** RSS once started, before any request (MiB) */
  startRssMiB: number;
  /** RSS after the searches, the server idle (MiB, median of 1 s of samples) */
  idleRssMiB: number;
  /** highest RSS while the CSV export was downloading (MiB) */
  exportPeakRssMiB: number;
  /** data rows of the CSV export (header excluded) and their rate over HTTP */
  exportRows: number;
  exportRowsPerSecond: number;
  exportMiB: number;
  /** time to the first byte of the export (ms) */
  exportFirstByteMs: number;
  /** the searches: url, status, milliseconds */
  searches: { url: string; status: number; ms: number }[];
  xlsx?: { bytes: number; seconds: number; rowsPerSecond: number; peakRssMiB: number };
  /** a client reading ~2 MB/s for 6 s, then closing: peak RSS, and the server's CPU in the second after */
  slowClient?: { seconds: number; bytesRead: number; peakRssMiB: number; cpuAfterAbortPercent: number };
  /** RSS at the end, after the exports (MiB) */
  endRssMiB: number;
}

const DEFAULT_SEARCHES = ['', 'q=boulangerie', 'q=restaurant+lyon', 'q=boul', 'department=69', 'section=I&commune=42218', 'q=conseil&department=42&sort=name', 'status=all&sort=created'];

/** CPU seconds used so far by a process, or by one of its threads (user + system, from /proc/<pid>[/task/<tid>]/stat). */
function cpuSeconds(pid: number, tid?: number): number {
  try {
    const fields = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return NaN;
  }
}

/**
 * CPU seconds used so far by every process named `name` (PostgreSQL's backends: `postgres`),
 * from /proc — a search's cost on PostgreSQL is mostly there, outside the server's threads. A
 * backend that ends during a measure takes its CPU with it: the read pool's stay open.
 */
export function processCpuSeconds(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) total += cpuSeconds(Number(entry)) || 0;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/**
 * CPU seconds used so far by a server's main thread (the thread whose id is the process id: HTTP,
 * sessions, rendering) and by all its other threads together (read workers, GC, libuv pool).
 */
export function threadCpuSeconds(pid: number): { main: number; others: number } {
  let others = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) if (Number(t) !== pid) others += cpuSeconds(pid, Number(t)) || 0;
  return { main: cpuSeconds(pid, pid), others };
}

export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN; // process gone
  }
}

/** RSS samples of a process every 50 ms; `peak(since)` is the highest since a mark. */
export function sampler(pid: number) {
  const samples: { at: number; mib: number }[] = [];
  const timer = setInterval(() => {
    const mib = rssMiB(pid);
    if (!Number.isNaN(mib)) samples.push({ at: performance.now(), mib });
  }, 50);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    peak: (from: number, to = Infinity) => Math.max(0, ...samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.mib)),
    median: (from: number, to: number) => {
      const xs = samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.mib).sort((a, b) => a - b);
      return xs.length ? xs[Math.floor(xs.length / 2)] : rssMiB(pid);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request, the whole body as text (pages, redirects). */
export function request(port: number, method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cookiesOf = (res: Res): Record<string, string> => Object.fromEntries((res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0].split('=') as [string, string]));

/** Signs in as a browser does: the sign-in page sets the CSRF cookie and carries its token. */
export async function signIn(port: number, email: string, password: string): Promise<string> {
  const page = await request(port, 'GET', '/connexion');
  const csrf = cookiesOf(page).csrf;
  const token = /name="_csrf"[^>]*value="([^"]+)"/.exec(page.body)?.[1] ?? /value="([^"]+)"[^>]*name="_csrf"/.exec(page.body)?.[1];
  if (!csrf || !token) throw new Error(`sign-in page without CSRF cookie or token (status ${page.status})`);
  const form = new URLSearchParams({ email, password, _csrf: token.replace(/&amp;/g, '&') }).toString();
  const res = await request(port, 'POST', '/connexion', { cookie: `csrf=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' }, form);
  const c = cookiesOf(res);
  if (res.status !== 302 || !c.sid) throw new Error(`sign-in refused for ${email}: HTTP ${res.status}`);
  return `sid=${c.sid}; csrf=${c.csrf ?? csrf}`;
}

/**
 * Downloads a URL as a stream, counting bytes and line feeds. `bytesPerSecond` reads slowly
 * (pausing the socket) for `maxSeconds`, then aborts: what a slow or stalled client does.
 */
export function download(port: number, url: string, cookie: string, opts: { bytesPerSecond?: number; maxSeconds?: number } = {}) {
  return new Promise<{ status: number; bytes: number; lines: number; seconds: number; firstByteMs: number; head: string }>((resolve, reject) => {
    const t0 = performance.now();
    let bytes = 0;
    let lines = 0;
    let firstByteMs = NaN;
    let head = '';
    const req = http.get({ host: '127.0.0.1', port, path: url, headers: { cookie } }, (res) => {
      const finish = () => resolve({ status: res.statusCode ?? 0, bytes, lines, seconds: (performance.now() - t0) / 1000, firstByteMs, head });
      res.on('data', (c: Buffer) => {
        if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - t0;
        if (head.length < 200) head += c.subarray(0, 200).toString('utf8');
        bytes += c.length;
        for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
        if (opts.bytesPerSecond) {
          const elapsed = (performance.now() - t0) / 1000;
          if (opts.maxSeconds && elapsed > opts.maxSeconds) {
            req.destroy();
            finish();
            return;
          }
          const ahead = bytes / opts.bytesPerSecond - elapsed;
          if (ahead > 0) {
            res.pause();
            setTimeout(() => res.resume(), ahead * 1000);
          }
        }
      });
      res.on('end', finish);
      res.on('error', (e) => (opts.maxSeconds ? finish() : reject(e)));
    });
    req.on('error', (e) => (opts.maxSeconds ? undefined : reject(e)));
  });
}

/** Starts the server on a free port; resolves when it says it listens. */
export async function startServer(o: ServerMeasureOptions): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const entry = o.entry ?? 'src/main.ts';
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry, 'serve'] : [entry, 'serve'];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: o.dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    CONSULAIRE_DEMO: '0',
    LOG_LEVEL: 'warn',
    SESSION_SECRET: 'registry-server-bench-secret-0123456789',
    ...o.env,
  };
  delete env.DATABASE_URL;
  delete env.PUBLIC_URL; // the start line then names the port it listens on
  if (o.dialect === 'postgres') {
    if (!o.databaseUrl) throw new Error('dialect postgres needs databaseUrl');
    env.DATABASE_URL = o.databaseUrl;
  }
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // keep reading the child's output (a full pipe would stall the server), keep the tail for errors
  const keep = (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${out}`)), 120_000);
    const onData = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${out}`));
    });
  });
  return { child, port, output: () => out };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Starts the real server on an existing, loaded registry and measures it; the child is always stopped. */
export async function measureServer(o: ServerMeasureOptions): Promise<ServerMeasure> {
  const log = o.log ?? ((s: string) => console.error(s));
  const { child, port, output } = await startServer(o);
  // the bench process may end abruptly (an uncaught error, a signal): the server must not outlive it
  const killChild = () => child.kill('SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    killChild();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killChild);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const pid = child.pid!;
    const rss = sampler(pid);
    await sleep(500);
    const startRssMiB = rssMiB(pid);
    log(`server pid ${pid} on port ${port}, RSS ${startRssMiB.toFixed(0)} MiB`);
    const cookie = await signIn(port, o.email, o.password);

    const searches: ServerMeasure['searches'] = [];
    for (const qs of o.searches ?? DEFAULT_SEARCHES) {
      const url = `/registre${qs ? '?' + qs : ''}`;
      const t0 = performance.now();
      const r = await request(port, 'GET', url, { cookie });
      searches.push({ url, status: r.status, ms: performance.now() - t0 });
      if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
    }
    await sleep(300);
    const idleFrom = performance.now();
    await sleep(1000);
    const idleRssMiB = rss.median(idleFrom, performance.now());
    log(`searches done, idle RSS ${idleRssMiB.toFixed(0)} MiB`);

    const csvFrom = performance.now();
    const csv = await download(port, '/registre/export.csv?status=all', cookie);
    await sleep(100);
    const exportPeakRssMiB = rss.peak(csvFrom);
    if (csv.status !== 200 || !csv.head.startsWith('\uFEFFsiret;')) throw new Error(`CSV export: HTTP ${csv.status} ${csv.head.slice(0, 80)}`);
    const exportRows = csv.lines - 1;
    log(`CSV export: ${exportRows} rows in ${csv.seconds.toFixed(2)} s = ${Math.round(exportRows / csv.seconds)} rows/s, peak RSS ${exportPeakRssMiB.toFixed(0)} MiB`);

    const result: ServerMeasure = {
      startRssMiB,
      idleRssMiB,
      exportPeakRssMiB,
      exportRows,
      exportRowsPerSecond: exportRows / csv.seconds,
      exportMiB: csv.bytes / MiB,
      exportFirstByteMs: csv.firstByteMs,
      searches,
      endRssMiB: NaN,
    };

    if (o.slowClient) {
      const from = performance.now();
      const slow = await download(port, '/registre/export.csv?status=all', cookie, { bytesPerSecond: 2 * MiB, maxSeconds: 6 });
      await sleep(500); // the server notices the closed connection and stops reading pages
      // an export that went on without its client would keep a core busy
      const cpu0 = cpuSeconds(pid);
      await sleep(1000);
      const cpuAfterAbortPercent = (cpuSeconds(pid) - cpu0) * 100;
      result.slowClient = { seconds: slow.seconds, bytesRead: slow.bytes, peakRssMiB: rss.peak(from), cpuAfterAbortPercent };
      log(`slow client: ${(slow.bytes / MiB).toFixed(1)} MiB read in ${slow.seconds.toFixed(1)} s, peak RSS ${result.slowClient.peakRssMiB.toFixed(0)} MiB; closed, then the server used ${cpuAfterAbortPercent.toFixed(0)} % CPU`);
    }
    if (o.xlsx) {
      const from = performance.now();
      const x = await download(port, '/registre/export.xlsx?status=all', cookie);
      if (x.status !== 200) throw new Error(`XLSX export: HTTP ${x.status}`);
      result.xlsx = { bytes: x.bytes, seconds: x.seconds, rowsPerSecond: exportRows / x.seconds, peakRssMiB: rss.peak(from) };
      log(`XLSX export: ${(x.bytes / MiB).toFixed(1)} MiB in ${x.seconds.toFixed(1)} s = ${Math.round(exportRows / x.seconds)} rows/s, peak RSS ${result.xlsx.peakRssMiB.toFixed(0)} MiB`);
    }
    result.endRssMiB = rssMiB(pid);
    rss.stop();
    if (child.exitCode !== null) throw new Error(`server died during the measure:\n${output()}`);
    return result;
  } finally {
    process.off('exit', killChild).off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await stopServer(child);
  }
}

// ——— alone: npx tsx bench/registry-server.ts --data-dir DIR [--database-url URL] ———
async function main() {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      entry: { type: 'string' },
      xlsx: { type: 'boolean' },
      slow: { type: 'boolean' },
    },
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error('usage: npx tsx bench/registry-server.ts --data-dir DIR [--database-url postgres://…] [--email E --password P] [--entry dist/main.js] [--xlsx] [--slow]');
  const databaseUrl = values['database-url'];
  let email = values.email;
  const password = values.password ?? 'registry server bench 123';
  if (!email) {
    // a user with the export right (left in the database: it is a benchmark's database)
    const { openDatabase } = await import('../src/platform/db/index.js');
    const { createUser } = await import('../src/platform/auth/users.js');
    const { SYSTEM_ACTOR } = await import('../src/platform/audit/audit.js');
    const database = openDatabase({ dataDir, databaseUrl });
    try {
      const user = await database.db.transaction().execute((trx) => createUser(trx, SYSTEM_ACTOR, { email: `bench-server-${Date.now()}@test.cci.fr`, name: 'Bench server', roles: ['manager'], password }));
      email = user.email;
    } finally {
      await database.close();
    }
  }
  const r = await measureServer({ dialect: databaseUrl ? 'postgres' : 'sqlite', databaseUrl, dataDir, email, password, entry: values.entry, xlsx: values.xlsx, slowClient: values.slow });
  console.log(JSON.stringify(r, null, 2));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
