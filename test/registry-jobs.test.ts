// Upload of SIRENE files in the portal: a background job with progress; only the documentation
// service may import; the demo seed stays quick.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryModule } from '../src/modules/registry/index.js';
import { agent, count, createTestApp, makeUser, type TestApp } from './helpers.js';
import { multipart, SAMPLE } from './registry-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('import in the portal', () => {
  it('refuses advisers; runs the upload as a job with progress and a summary for the documentation service', async () => {
    const adv = agent(t);
    await adv.signIn((await makeUser(t.db, ['adviser'])).email);
    expect((await adv.get('/registre/imports')).status).toBe(403);
    const doc = agent(t);
    await doc.signIn((await makeUser(t.db, ['documentation'])).email);
    expect((await doc.get('/registre/imports')).status).toBe(200);
    const files = { unites: ['StockUniteLegale_utf8.csv', readFileSync(path.join(SAMPLE, 'StockUniteLegale_utf8.csv'))], etablissements: ['StockEtablissement_utf8.csv', readFileSync(path.join(SAMPLE, 'StockEtablissement_utf8.csv'))] } as Record<string, [string, Buffer]>;
    const mp = multipart(files, doc.csrf);
    const cookie = [...doc.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.fastify.inject({ method: 'POST', url: `/registre/imports?_csrf=${encodeURIComponent(doc.csrf)}`, headers: { cookie, 'content-type': mp.type }, payload: mp.body });
    expect(res.statusCode).toBe(302);
    const page = res.headers.location as string;
    expect(page).toMatch(/^\/registre\/imports\/\d+$/);
    const before = await doc.get(page);
    expect(before.body).toContain('hx-trigger="every 1s"');
    expect(await count(t.db, 'establishments')).toBe(0);
    expect(await t.app.jobs.tick()).toBeGreaterThanOrEqual(1);
    const after = await doc.get(page, { 'hx-request': 'true' });
    expect(after.body).toContain('Terminé');
    expect(after.body).not.toContain('every 1s');
    expect(after.body).toMatch(/Durée par étape \(s\)<\/dt>\s*<dd>\s*lecture des établissements [\d,]+ · unités légales [\d,]+ · enregistrement [\d,]+ · index [\d,]+/);
    expect(after.body).not.toContain('[object Object]');
    expect(await count(t.db, 'establishments')).toBeGreaterThan(80);
    const full = await doc.get(page);
    expect(full.body).toContain('clé de contrôle (Luhn) invalide');
  });

  it('refuses a file with a missing column before queueing anything', async () => {
    const doc = agent(t);
    await doc.signIn((await makeUser(t.db, ['documentation'])).email);
    const broken = readFileSync(path.join(SAMPLE, 'StockEtablissement_utf8.csv'), 'utf8').replace('siret,', 'sirette,');
    const mp = multipart({ unites: ['u.csv', readFileSync(path.join(SAMPLE, 'StockUniteLegale_utf8.csv'))], etablissements: ['e.csv', Buffer.from(broken)] }, doc.csrf);
    const jobs = await count(t.db, 'jobs');
    const cookie = [...doc.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.fastify.inject({ method: 'POST', url: `/registre/imports?_csrf=${encodeURIComponent(doc.csrf)}`, headers: { cookie, 'content-type': mp.type }, payload: mp.body });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Une colonne obligatoire manque');
    expect(await count(t.db, 'jobs')).toBe(jobs);
  });
});

describe('import job beside the requests', () => {
  // Regression (issue #22): on SQLite the job wrote 10,000-row transactions back to back on the
  // server's one connection, and every request (the session lookup, `select 1`) waited behind
  // whole batches — 22 s at p50 during a 20,000-row import. In a job the batches are short and
  // the event loop turns between them: a request waiting for the connection gets it after the
  // batch in progress, so it sees the registry grow batch by batch. (PostgreSQL serves requests
  // on other connections; the check is SQLite's.)
  it.skipIf(Boolean(process.env.TEST_DATABASE_URL))('lets a waiting request through between short batches', async () => {
    const { generateSireneFiles } = await import('../src/modules/registry/generator.js');
    const { sql } = await import('kysely');
    const other = await createTestApp();
    try {
      const doc = agent(other);
      await doc.signIn((await makeUser(other.db, ['documentation'])).email);
      const u = path.join(other.database.dataDir, 'u.csv');
      const e = path.join(other.database.dataDir, 'e.csv');
      await generateSireneFiles(u, e, { establishments: 2600, territory: ['42', '69'], seed: 5 });
      const mp = multipart({ unites: ['u.csv', readFileSync(u)], etablissements: ['e.csv', readFileSync(e)] }, doc.csrf);
      const cookie = [...doc.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await other.app.fastify.inject({ method: 'POST', url: `/registre/imports?_csrf=${encodeURIComponent(doc.csrf)}`, headers: { cookie, 'content-type': mp.type }, payload: mp.body });
      expect(res.statusCode).toBe(302);
      const seen = new Set<number>();
      let done = false;
      const probe = (async () => {
        while (!done) {
          await new Promise((r) => setTimeout(r, 2));
          const r = await sql<{ n: number }>`select count(*) as n from establishments`.execute(other.db);
          seen.add(Number(r.rows[0]!.n));
        }
      })();
      await other.app.jobs.tick();
      done = true;
      await probe;
      const total = await count(other.db, 'establishments');
      expect(total).toBeGreaterThan(2500);
      const between = [...seen].filter((n) => n > 0 && n < total).sort((a, b) => a - b);
      // batches of at most 1,000 rows, sized to ~25 ms: the probe saw the registry grow batch by
      // batch (with one 10,000-row batch it saw 0, then everything)
      expect(between.length).toBeGreaterThanOrEqual(3);
    } finally {
      await other.close();
    }
  });
});

describe('command line', () => {
  it('import sirene prints a progress line and a summary, and writes the rejects report', async () => {
    const other = await createTestApp();
    const logs: string[] = [];
    const errs: string[] = [];
    const log = console.log;
    const write = process.stderr.write.bind(process.stderr);
    console.log = (...a: unknown[]) => void logs.push(a.join(' '));
    process.stderr.write = ((s: string) => (errs.push(String(s)), true)) as never;
    const report = path.join(other.database.dataDir, 'rejets.csv');
    try {
      const { importSireneCommand } = await import('../src/modules/registry/registry.cli.js');
      await importSireneCommand(other.app.ctx, { unites: path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), etablissements: path.join(SAMPLE, 'StockEtablissement_utf8.csv'), report });
    } finally {
      console.log = log;
      process.stderr.write = write;
      await other.close().catch(() => {});
    }
    expect(errs.join('')).toMatch(/lignes\/s/);
    expect(logs.join('\n')).toMatch(/Import SIRENE terminé/);
    expect(logs.join('\n')).toMatch(/lignes rejetées : 2/);
  });
});

describe('demo seed', () => {
  it('imports the sample and generated establishments', async () => {
    const other = await createTestApp();
    try {
      const t0 = Date.now();
      await registryModule.seedDemo!(other.app.ctx, () => {});
      const secs = (Date.now() - t0) / 1000;
      expect(await count(other.db, 'establishments')).toBeGreaterThan(2500);
      expect(await count(other.db, 'contacts')).toBeGreaterThan(100);
      console.log(`demo seed: ${secs.toFixed(1)} s`);
    } finally {
      await other.close();
    }
  });
});
