// A real SMTP exchange for the reset link, and two instances on one database behaving as one
// (sessions, jobs claimed once, schedules firing once per slot).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { buildApp } from '../src/app.js';
import { MODULES } from '../src/modules/index.js';
import { openDatabase } from '../src/platform/db/index.js';
import type { PlatformTables } from '../src/platform/db/tables.js';
import { enqueue, JobRunner } from '../src/platform/jobs/index.js';
import { agent, createTestApp, makeUser, type TestApp } from './helpers.js';
import { startSmtp, type Inbox } from './smtp.js';

let t: TestApp;
let inbox: Inbox;
beforeAll(async () => {
  inbox = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: inbox.url } });
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

describe('mail over SMTP', () => {
  it('sends the password-reset e-mail through the outbox job to a real SMTP server', async () => {
    const u = await makeUser(t.db, ['staff']);
    await agent(t).post('/mot-de-passe-oublie', { email: u.email });
    const row = await (t.db as Kysely<PlatformTables>).selectFrom('mail_outbox').selectAll().where('to_address', '=', u.email).executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    await t.app.jobs.tick();
    const [mail] = await inbox.waitFor(1);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain(u.email);
    expect(mail.subject).toBe('Consulaire — réinitialisation de votre mot de passe');
    const link = mail.text!.match(/http:\/\/localhost:\d+(\/mot-de-passe\/\S+)/)![1];
    expect((await agent(t).get(link)).status).toBe(200);
    const after = await (t.db as Kysely<PlatformTables>).selectFrom('mail_outbox').select(['status', 'sent_at']).where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('sent');
    expect(after.sent_at).not.toBeNull();
  });
});

describe('two instances, one database', () => {
  it('a session opened on one instance works on the other; a job runs once', async () => {
    const database2 = openDatabase({ databaseUrl: t.database.url, dataDir: t.database.dataDir });
    const app2 = await buildApp({ config: t.config, database: database2, modules: MODULES, logger: false });
    try {
      const u = await makeUser(t.db, ['staff']);
      const a = agent(t);
      await a.signIn(u.email);
      const res = await app2.fastify.inject({ method: 'GET', url: '/portail', headers: { cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(u.name);

      let runs = 0;
      const handler = { 'test.count': async () => void runs++ };
      const r1 = new JobRunner(t.db, handler, [{ kind: 'test.count', everySeconds: 3600 }]);
      const r2 = new JobRunner(database2.db, handler, [{ kind: 'test.count', everySeconds: 3600 }]);
      const now = new Date();
      await Promise.all([r1.tick(now), r2.tick(now)]);
      expect(runs).toBe(1); // the schedule slot is enqueued once, claimed once
      for (let i = 0; i < 10; i++) await enqueue(t.db, 'test.count', {});
      await Promise.all([r1.tick(), r2.tick()]);
      expect(runs).toBe(11); // ten jobs, each claimed by exactly one instance
    } finally {
      await app2.close();
      await database2.close();
    }
  });

  it('retries a failing job with back-off, then marks it failed', async () => {
    let attempts = 0;
    const runner = new JobRunner(t.db, { 'test.fail': async () => { attempts++; throw new Error('boom'); } }, [], { error: () => {}, info: () => {} });
    const id = (await enqueue(t.db, 'test.fail', {}, { maxAttempts: 2 }))!;
    await runner.tick();
    const d = t.db as Kysely<PlatformTables>;
    let row = await d.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('queued');
    expect(row.last_error).toBe('boom');
    await runner.tick(new Date(Date.now() + 10 * 60_000));
    row = await d.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(attempts).toBe(2);
  });
});
