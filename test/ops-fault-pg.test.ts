// Fault test (#20): PostgreSQL going away under traffic. The pool must reconnect by itself;
// requests in flight fail cleanly with 503 (Retry-After, a message in the visitor's language,
// never a 500 with a stack, never a hang), and later requests succeed without restarting the app.
//
// 1. (every PostgreSQL run) The server ends the app's connections (pg_terminate_backend on the
//    test's own database — what a restart does to them) while two requests are in flight.
// 2. (PG_RESTART_TEST=1 only; .ci/run's last step) A real stop and start of PostgreSQL while a
//    server process serves traffic. The test starts its own throwaway cluster (initdb in a temp
//    folder, as the postgres user when run as root) on a free port, so it never disturbs the
//    PostgreSQL that the other test files share.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { createUser } from '../src/platform/auth/users.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import type { ConsulaireModule } from '../src/platform/module.js';
import { createTestApp, onPostgres, type TestApp } from './helpers.js';
import { Browser, freePort, startServer, until, type ServerProcess } from './ops-helpers.js';

const FR = 'La base de données est momentanément injoignable. Réessayez dans 5 secondes.';
const EN = 'The database cannot be reached for a moment. Try again in 5 seconds.';

describe.skipIf(!onPostgres)('connections ended by the server under requests', () => {
  let t: TestApp;
  let dbName = '';
  const probe: ConsulaireModule = {
    name: 'opspg',
    web: async (app, ctx) => {
      // A request that holds its connection for a while: in flight when the server ends it.
      app.get('/ops-test/slow', { config: { public: true } }, async () => {
        await sql`select pg_sleep(3)`.execute(ctx.db);
        return { slept: true };
      });
      app.get('/ops-test/users', { config: { public: true } }, async () => ({ n: (await sql<{ n: number }>`select count(*)::int as n from users`.execute(ctx.db)).rows[0].n }));
    },
  };

  beforeAll(async () => {
    t = await createTestApp({ modules: [probe] });
    dbName = new URL(t.database.url!).pathname.slice(1);
  });
  afterAll(async () => t?.close());

  it('answers the requests in flight 503 in their language, then serves the next ones on new connections', async () => {
    expect((await t.app.fastify.inject({ url: '/ops-test/users' })).statusCode).toBe(200);
    const fr = t.app.fastify.inject({ url: '/ops-test/slow' });
    const en = t.app.fastify.inject({ url: '/ops-test/slow', cookies: { lang: 'en' } });
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      await until('both requests to hold a connection', async () => (await admin.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and query like '%pg_sleep%'`, [dbName])).rows[0].n >= 2, 10_000, 50);
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [dbName]);
    } finally {
      await admin.end();
    }
    for (const [res, text] of [
      [await fr, FR],
      [await en, EN],
    ] as const) {
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toContain(text);
      expect(res.body).not.toMatch(/at \S+ \(|terminating connection|57P01/);
    }
    // The pool drops the dead connections as their end reaches it (an idle one taken in that
    // instant answers one more clean 503): within a moment, requests are served on new ones.
    const statuses: number[] = [];
    await until('a request served again', async () => {
      statuses.push((await t.app.fastify.inject({ url: '/ops-test/users' })).statusCode);
      return statuses.at(-1) === 200;
    }, 3000, 50);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    for (let i = 0; i < 10; i++) expect((await t.app.fastify.inject({ url: '/ops-test/users' })).statusCode).toBe(200);
  }, 30_000);
});

// ---------------------------------------------------------------- a real restart, gated

const gated = process.env.PG_RESTART_TEST === '1';

function pgBin(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries not found (set PG_BIN_DIR)');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/** A private PostgreSQL cluster in a temp folder: initdb, pg_ctl start/stop, as postgres when root. */
class Cluster {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'ops-pg-'));
  readonly data = path.join(this.dir, 'data');
  port = 0;
  private readonly asPostgres = process.getuid?.() === 0;
  // Asynchronous: the test's own HTTP clients keep running while pg_ctl waits.
  private async run(tool: string, args: string[]): Promise<void> {
    const cmd = path.join(pgBin(), tool);
    const [file, argv] = this.asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    await promisify(execFile)(file, argv, { encoding: 'utf8' });
  }
  async init(): Promise<void> {
    if (this.asPostgres) chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
    this.port = await freePort();
    await this.run('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await this.start();
  }
  start(): Promise<void> {
    return this.run('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'log'), '-w', '-t', '30', '-o', `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off`, 'start']);
  }
  /** -m fast: every session ended at once (57P01), what a restart does to the connections */
  stop(): Promise<void> {
    return this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  }
  url(db: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${db}`;
  }
  async destroy(): Promise<void> {
    await this.stop().catch(() => {}); // already stopped
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Hit {
  at: number;
  end?: number;
  status: number | 'timeout' | 'error';
  url?: string;
  body?: string;
}

describe.skipIf(!gated)('PostgreSQL stopped and started under traffic (real server process)', () => {
  const cluster = new Cluster();
  let server: ServerProcess | undefined;
  let dataDir = '';
  const PASSWORD = 'a long restart password';

  beforeAll(async () => {
    useFastHashingForTests();
    await cluster.init();
    const admin = new pg.Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    await admin.query('create database consulaire');
    await admin.end();
    dataDir = mkdtempSync(path.join(tmpdir(), 'ops-pg-data-'));
    const database = openDatabase({ databaseUrl: cluster.url('consulaire'), dataDir, poolSize: 2 });
    await migrateToLatest(database.db);
    await createUser(database.db, SYSTEM_ACTOR, { email: 'agent@restart.test', name: 'Agent', roles: ['staff'], password: PASSWORD });
    await createUser(database.db, SYSTEM_ACTOR, { email: 'adjoint@restart.test', name: 'Adjoint', roles: ['staff'], password: PASSWORD });
    await database.close();
    server = await startServer({ dataDir, url: cluster.url('consulaire') });
  }, 90_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await cluster.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('requests in flight and during the outage get 503 in time; the pool reconnects; no restart of the app', async () => {
    const s = server!;
    const browsers = [new Browser(s.base), new Browser(s.base)];
    await browsers[0].signIn('agent@restart.test', PASSWORD);
    await browsers[1].signIn('adjoint@restart.test', PASSWORD);
    browsers[1].cookies.set('lang', 'en');
    const hits: Hit[] = [];
    let stop = false;
    // Staff pages (session, navigation, lists) and an audited write, from two people at once.
    const pages = ['/portail', '/demandes', '/demandes/suppleant', '/annuaire'];
    const client = async (b: Browser, n: number) => {
      for (let k = 0; !stop; k++) {
        const hit: Hit = { at: Date.now(), status: 'error' };
        try {
          const r = k % 5 === 4 ? await b.request('POST', '/demandes/suppleant', { deputy: '' }, AbortSignal.timeout(15_000)) : await b.request('GET', pages[(k + n) % pages.length], undefined, AbortSignal.timeout(15_000));
          hit.status = r.status;
          hit.url = k % 5 === 4 ? 'POST /demandes/suppleant' : pages[(k + n) % pages.length];
          if (r.status >= 400) hit.body = r.body + `\nretry-after: ${r.headers.get('retry-after')}`;
        } catch (e) {
          hit.status = (e as Error).name === 'TimeoutError' ? 'timeout' : 'error';
        }
        hit.end = Date.now();
        hits.push(hit);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const clients = [0, 1, 2, 3].map((n) => client(browsers[n % 2], n));
    await new Promise((r) => setTimeout(r, 1500));
    const stopAt = Date.now();
    await cluster.stop();
    const downAt = Date.now();
    // Down long enough for the 5-second settings cache to expire: every request then needs the database.
    await new Promise((r) => setTimeout(r, 6000));
    const startAt = Date.now();
    await cluster.start();
    const upAt = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    stop = true;
    await Promise.all(clients);

    const before = hits.filter((h) => h.end! < stopAt);
    // Caught by the stop: a request under way at some moment while the server shuts down
    // (backends terminated, then the checkpoint). Requests now take a few milliseconds between
    // 20 ms pauses, so at the single instant `stopAt` all four clients may well be pausing.
    const inFlight = hits.filter((h) => h.at < downAt && h.end! >= stopAt);
    const outage = hits.filter((h) => h.at >= stopAt && h.at < upAt);
    expect(inFlight.length).toBeGreaterThan(0);
    const after = hits.filter((h) => h.at >= upAt);
    const ok = (h: Hit) => h.status === 200 || h.status === 302;
    expect(before.length).toBeGreaterThan(5);
    expect(before.filter((h) => !ok(h)).map((h) => [h.status, h.url])).toEqual([]);
    // Never a hang, a dropped connection or a 500: a success or a clean 503.
    expect(hits.filter((h) => !ok(h) && h.status !== 503), s.output().slice(-4000)).toEqual([]);
    const unavailable = hits.filter((h) => h.status === 503);
    expect(outage.filter((h) => h.status === 503).length).toBeGreaterThan(0);
    for (const h of unavailable) {
      expect(h.body).toMatch(new RegExp(`${FR}|${EN}`));
      expect(h.body).toContain('retry-after: 5');
    }
    expect(unavailable.some((h) => h.body!.includes(FR))).toBe(true);
    expect(unavailable.some((h) => h.body!.includes(EN))).toBe(true);
    // Back within seconds of the start, by itself; from then on every request succeeds.
    const firstOk = after.find(ok);
    expect(firstOk).toBeDefined();
    expect(firstOk!.at - upAt).toBeLessThan(3000);
    const settled = after.filter((h) => h.at > firstOk!.at + 1000);
    expect(settled.length).toBeGreaterThan(5);
    expect(settled.every(ok)).toBe(true);
    expect((await fetch(`${s.base}/ready`)).status).toBe(200);
    expect(s.child.exitCode).toBeNull(); // the same process throughout
    expect(s.output()).not.toContain('unhandled error');
    console.info(
      `PostgreSQL restart: ${before.length} requests before, ${inFlight.length} in flight at the stop (${inFlight.map((h) => h.status).join(', ')}), ${outage.length} during the ${((upAt - stopAt) / 1000).toFixed(1)} s outage (stop took ${((downAt - stopAt) / 1000).toFixed(1)} s, start ${((upAt - startAt) / 1000).toFixed(1)} s; ${unavailable.length} × 503), first success ${firstOk!.at - upAt} ms after the start, ${after.length} after`,
    );
  }, 60_000);
});
