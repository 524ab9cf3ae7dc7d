// Heavy reads off the request path (platform/db/reads.ts, ADR 0009): the read handle answers
// like the main one and sees committed writes; a read past its time limit, a lost worker or a
// full queue answer 503 with Retry-After in the reader's language, and the pool works after;
// /health answers while every read worker is busy.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../src/modules/index.js';
import { openDatabase, type AnyDb, type Database, type Dialect } from '../src/platform/db/index.js';
import type { WorkerReadPool } from '../src/platform/db/reads.js';
import { defineModule } from '../src/platform/module.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { agent, makeUser, onPostgres, TEST_SECRET, testDatabase, type TestApp, type TestDatabase } from './helpers.js';

/** A statement that runs about `seconds` (SQLite: a recursive count the thread cannot skip). */
function longRead(db: AnyDb, dialect: Dialect, seconds: number) {
  if (dialect === 'postgres') return sql<{ n: number }>`select 1 as n from pg_sleep(${seconds})`.execute(db);
  // Counted generously (a quiet machine counts 3 million rows in well under a second): the
  // statement must outlast the time limit on any machine; a stopped one is interrupted anyway.
  return sql<{ n: number }>`with recursive c(i) as (select 1 union all select i + 1 from c where i < ${Math.round(seconds * 12_000_000)}) select count(*) as n from c`.execute(db);
}

// Routes reading through the module context, as a module would.
const probe = defineModule({
  name: 'probe',
  web(app, ctx) {
    app.get('/essai/lecture-longue', { config: { public: true } }, async (req) => {
      const seconds = Number((req.query as { s?: string }).s ?? 3);
      await longRead(ctx.reads, ctx.dialect, seconds);
      return { done: true };
    });
    app.get('/essai/lecture-rapide-longue', { config: { public: true } }, async (req) => {
      await longRead(ctx.quickReads, ctx.dialect, Number((req.query as { s?: string }).s ?? 0.6));
      return { done: true };
    });
    app.get('/essai/utilisateurs', { config: { public: true } }, async () => {
      const rows = await ctx.reads.selectFrom('users').select(['id', 'email']).orderBy('id').execute();
      return { rows };
    });
  },
});

/** createTestApp, with the database's read path opened from the configuration. */
async function appWithReads(env: Record<string, string>): Promise<TestApp> {
  useFastHashingForTests();
  const tdb = await testDatabase();
  const config = loadConfig({ DATA_DIR: tdb.dataDir, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', CONSULAIRE_DEMO: '0', ...env } as NodeJS.ProcessEnv, { databaseUrl: tdb.url });
  const reopened = openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir, reads: config.reads });
  const database: TestDatabase = { ...tdb, ...reopened, drop: async () => {
    await reopened.close();
    await tdb.drop();
  } };
  const app = await buildApp({ config, database, modules: [...MODULES, probe], logger: false });
  await app.fastify.ready();
  return { app, db: database.db, config, database, close: async () => {
    await app.close();
    await database.drop();
  } };
}

describe('through the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    // One heavy worker (or read connection), one read waiting at most, a 2 s limit: the
    // variables a server reads (config.ts), passed to the database as main.ts does.
    t = await appWithReads({ READ_WORKERS: '1', READ_POOL_SIZE: '1', READ_QUEUE: '1', READ_TIMEOUT_MS: '2000' });
  });
  afterAll(async () => t?.close());

  it('answers /health while every read worker is busy with a long statement', async () => {
    let finished = false;
    await t.app.fastify.inject({ method: 'GET', url: '/essai/utilisateurs' });
    const busy = [t.app.fastify.inject({ method: 'GET', url: '/essai/lecture-longue?s=0.6' }), t.app.fastify.inject({ method: 'GET', url: '/essai/lecture-rapide-longue' })];
    void Promise.all(busy).then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const health = await t.app.fastify.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    expect(Date.now() - started).toBeLessThan(300);
    expect(finished).toBe(false);
    await Promise.all(busy);
  });

  it('a company created in one request is found by the search of the next (read through the read path)', async () => {
    const u = await makeUser(t.db, ['documentation']);
    const a = agent(t);
    await a.signIn(u.email);
    const before = t.app.ctx.loadStats().reads.reads;
    const created = await a.post('/registre/entreprises', { name: 'Zéphyrine Lecture Après Écriture', countryCode: 'CH', city: 'Genève', streetName: 'Rue du Rhône 1' });
    expect(created.status).toBe(302);
    const search = await a.get('/registre?q=zephyrine');
    expect(search.status).toBe(200);
    expect(search.body).toContain('Zéphyrine Lecture Après Écriture');
    const page = await a.get(String(created.headers.location));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Zéphyrine Lecture Après Écriture');
    if (!onPostgres) expect(t.app.ctx.loadStats().reads.reads).toBeGreaterThan(before);
  });

  it('shows the server’s health to administrators only', async () => {
    const admin = agent(t);
    await admin.signIn((await makeUser(t.db, ['admin'])).email);
    const page = await admin.get('/admin/sante');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Retard de la boucle d’événements');
    expect(page.body).toContain(onPostgres ? 'pool de lecture (PostgreSQL)' : 'fils de lecture (SQLite)');
    expect(page.body).toContain('href="/admin/sante"');
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    expect((await staff.get('/admin/sante')).status).toBe(403);
    // the public probe says up or down, nothing of the internals
    expect(Object.keys((await t.app.fastify.inject({ method: 'GET', url: '/health' })).json()).sort()).toEqual(['database', 'dialect', 'status']);
  });

  it('refuses a read at once with a 503 when the queue is full', async () => {
    // one read holds the only worker or connection, one waits, the third is refused
    await t.app.fastify.inject({ method: 'GET', url: '/essai/utilisateurs' }); // the worker is started
    const holding = t.app.fastify.inject({ method: 'GET', url: '/essai/lecture-longue?s=0.6' });
    await new Promise((r) => setTimeout(r, 100));
    const waiting = t.app.fastify.inject({ method: 'GET', url: '/essai/lecture-longue?s=0.6' });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const refused = await t.app.fastify.inject({ method: 'GET', url: '/essai/utilisateurs', cookies: { lang: 'en' } });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toContain('The server is very busy right now');
    expect(Date.now() - started).toBeLessThan(500);
    expect(t.app.ctx.loadStats().reads.refused).toBeGreaterThanOrEqual(1);
    // neither of the two hangs: both end at the time limit at the latest
    expect([200, 503]).toContain((await holding).statusCode);
    expect([200, 503]).toContain((await waiting).statusCode);
    expect((await t.app.fastify.inject({ method: 'GET', url: '/essai/utilisateurs' })).statusCode).toBe(200);
  });

  // Last: on SQLite a stopped statement still runs to its end in the retired thread.
  it('stops a read past its time limit with a 503, Retry-After and a message in the reader’s language, and reads again after', async () => {
    await t.app.fastify.inject({ method: 'GET', url: '/essai/utilisateurs' }); // a worker is ready
    const started = Date.now();
    const res = await t.app.fastify.inject({ method: 'GET', url: '/essai/lecture-longue?s=3' });
    const answeredAt = Date.now();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toContain('Cette recherche a pris trop de temps et a été arrêtée');
    // answered at the limit, not when the statement would have ended
    expect(answeredAt - started).toBeLessThan(3000);
    const en = await t.app.fastify.inject({ method: 'GET', url: '/essai/lecture-longue?s=3', cookies: { lang: 'en' } });
    expect(en.statusCode).toBe(503);
    expect(en.headers['retry-after']).toBe('5');
    expect(en.body).toContain('This search took too long and was stopped');
    // On SQLite the stopped statements still run in their retired threads for a while; while
    // as many run as the pool's size no new thread starts. The pool heals once they end.
    let after = 0;
    for (const until = Date.now() + 50_000; after !== 200 && Date.now() < until; ) {
      after = (await t.app.fastify.inject({ method: 'GET', url: '/essai/utilisateurs' })).statusCode;
      if (after !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(after).toBe(200);
    expect(t.app.ctx.loadStats().reads.timeouts).toBeGreaterThanOrEqual(2);
  }, 90_000);

});

describe('the read handle', () => {
  let tdb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    tdb = await testDatabase();
    // a second handle on the same database, with its own read path (as a server would open it)
    database = openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir, reads: { workers: 1, timeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
  });

  it('returns the same rows as the main handle, and sees a write committed just before', async () => {
    await database.db.insertInto('settings').values({ key: 'probe.a', value: '"un"', updated_at: new Date().toISOString() }).execute();
    const q = (db: AnyDb) => db.selectFrom('settings').selectAll().orderBy('key').execute();
    expect(await q(database.reads)).toEqual(await q(database.db));
    expect(await q(database.quickReads)).toEqual(await q(database.db));
    await database.db.transaction().execute(async (trx) => {
      await trx.updateTable('settings').set({ value: '"deux"' }).where('key', '=', 'probe.a').execute();
    });
    const row = await database.reads.selectFrom('settings').select('value').where('key', '=', 'probe.a').executeTakeFirst();
    expect(row?.value).toBe('"deux"');
  });

  it.skipIf(onPostgres)('replaces a worker that dies, answering its read with a 503 error', async () => {
    const pool = database.readPool as WorkerReadPool;
    await sql`select 1`.execute(database.reads);
    const reading = longRead(database.reads, 'sqlite', 0.5).then(
      () => 'answered',
      (e) => e,
    );
    await new Promise((r) => setTimeout(r, 100));
    // the thread ends as a crash would (its statement returns, then it stops)
    for (const w of pool.threads()) void w.terminate();
    const outcome = await reading;
    expect(outcome).toMatchObject({ kind: 'unavailable', code: 'common.read_failed' });
    expect(pool.stats().restarts).toBeGreaterThanOrEqual(1);
    const again = await database.reads.selectFrom('settings').select('key').where('key', '=', 'probe.a').execute();
    expect(again).toEqual([{ key: 'probe.a' }]);
  });
});
