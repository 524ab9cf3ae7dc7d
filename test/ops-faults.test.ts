// Faults and instances (#20): SMTP down then back (mails wait in the outbox, leave once), and a
// settings write on one instance seen at once by another (PostgreSQL LISTEN/NOTIFY; without it
// the other would serve its cached value for up to 5 s).
import type { Kysely } from 'kysely';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { MODULES } from '../src/modules/index.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { openDatabase } from '../src/platform/db/index.js';
import type { PlatformTables } from '../src/platform/db/tables.js';
import { createTestApp, onPostgres, type TestApp } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let t: TestApp;
let smtpPort: number;
beforeAll(async () => {
  smtpPort = await freePort();
  t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } });
});
afterAll(async () => {
  await t?.close();
});

describe('SMTP down, then back', () => {
  it('keeps the mails in the outbox while the server is down and sends each once when it is back', async () => {
    const db = t.db as Kysely<PlatformTables>;
    for (let i = 0; i < 3; i++) await t.db.transaction().execute((trx) => t.app.ctx.mailer.queue(trx, { to: `down${i}@test.cci.fr`, subject: `Retard ${i}`, text: 'x' }));
    await t.app.jobs.tick();
    const waiting = await db.selectFrom('jobs').selectAll().where('kind', '=', 'mail.send').execute();
    expect(waiting.every((j) => j.status === 'queued' && j.attempts === 1 && j.last_error)).toBe(true);
    expect(await db.selectFrom('mail_outbox').select('status').where('status', '=', 'queued').execute()).toHaveLength(3);

    // The server comes back on the same address; the retry time arrives.
    const back = await startSmtpOn(smtpPort);
    try {
      await db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('kind', '=', 'mail.send').execute();
      await t.app.jobs.tick();
      await t.app.jobs.tick();
      await new Promise((r) => setTimeout(r, 500));
      expect(back.subjects.sort()).toEqual(['Retard 0', 'Retard 1', 'Retard 2']);
      expect(await db.selectFrom('mail_outbox').select('status').where('status', '=', 'sent').execute()).toHaveLength(3);
    } finally {
      await back.close();
    }
  }, 30_000);
});

/** A loopback SMTP server on a given port (the one the app was configured with). */
async function startSmtpOn(port: number): Promise<{ subjects: string[]; close(): Promise<void> }> {
  const { SMTPServer } = await import('smtp-server');
  const { simpleParser } = await import('mailparser');
  const subjects: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      simpleParser(stream).then((m) => {
        subjects.push(m.subject ?? '');
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { subjects, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.skipIf(!onPostgres)('settings across instances', () => {
  it('a write on one instance drops the cache of the other at once (LISTEN/NOTIFY)', async () => {
    const database2 = openDatabase({ databaseUrl: t.database.url, dataDir: t.database.dataDir });
    const app2 = await buildApp({ config: t.config, database: database2, modules: MODULES, logger: false });
    try {
      await new Promise((r) => setTimeout(r, 500)); // the listener connects
      expect(await app2.ctx.settings.get('cci.name')).not.toBe('CCI Renommée');
      await t.db.transaction().execute((trx) => t.app.ctx.settings.set(SYSTEM_ACTOR, 'cci.name', 'CCI Renommée', trx));
      const start = Date.now();
      while ((await app2.ctx.settings.get('cci.name')) !== 'CCI Renommée' && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
      // Well under the 5 s the cache would otherwise keep the old name.
      expect(Date.now() - start).toBeLessThan(2000);
      expect(await app2.ctx.settings.get('cci.name')).toBe('CCI Renommée');
    } finally {
      await app2.close();
      await database2.close();
    }
  }, 30_000);
});
