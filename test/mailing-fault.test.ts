// Fault test (#14): a 10,000-recipient campaign sent by the command line in a child process
// (`mailing send --campaign N`, the real code against the test database), killed with SIGKILL
// in the middle; a second run takes the campaign over once the dead run's lease expired and
// finishes it. At the loopback SMTP sink every recipient's message is there once (counted by
// its deterministic Message-ID), and a copy received twice can only be one of the few messages
// the dead run had claimed without recording them (resent with the same Message-ID: the one
// ambiguity of SMTP, README "Sending").
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MailingDb } from '../src/modules/mailing/mailing.table.js';
import { testDatabase, type TestDatabase } from './helpers.js';
import { startSink, type Sink } from './mailing-helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = 10_000;
let database: TestDatabase;
let sink: Sink;
const received = new Map<string, number>();

beforeAll(async () => {
  database = await testDatabase();
  sink = await startSink({ parse: false, onMessageId: (id) => received.set(id, (received.get(id) ?? 0) + 1) });
});
afterAll(async () => {
  await sink?.close();
  await database?.drop();
});

function sender(): { exited: Promise<number | null>; kill(): void } {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: database.dataDir, SESSION_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent', CONSULAIRE_DEMO: '0', SMTP_URL: sink.url, MAILING_RATE: '0', MAILING_RATE_PER_DOMAIN: '0', MAILING_LEASE_SECONDS: '1', MAILING_SMTP_CONNECTIONS: '20', MAIL_FROM: 'CCI <lettre@cci.test>' };
  if (database.url) env.DATABASE_URL = database.url;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'mailing', 'send', '--campaign', '1'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
  return {
    exited: new Promise((resolve) => child.on('exit', (code) => (code && code !== 0 ? (console.error(err), resolve(code)) : resolve(code)))),
    kill: () => child.kill('SIGKILL'),
  };
}

it('killed with SIGKILL in the middle of 10,000 recipients, the send resumes and every recipient gets its message once', { timeout: 240_000 }, async () => {
  const db: MailingDb = database.db;
  const now = new Date().toISOString();
  const list = await db.insertInto('mailing_lists').values({ name: 'Lettre', description: '', kind: 'subscription', segment_id: null, public: 1, wording: 'J’accepte.', archived: 0, created_by: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const rows = Array.from({ length: N }, (_, i) => ({ list_id: list.id, email: `abonne${i}@entreprise${i % 50}.fr`, email_norm: `abonne${i}@entreprise${i % 50}.fr`, first_name: `Prénom${i}`, last_name: '', contact_id: null, status: 'confirmed' as const, source: 'public' as const, wording: 'J’accepte.', ip: null, requested_at: now, confirmed_at: now, unsubscribed_at: null, updated_at: now }));
  for (let i = 0; i < N; i += 500) await db.insertInto('mailing_subscribers').values(rows.slice(i, i + 500)).execute();
  await db.insertInto('mailing_campaigns').values({ name: 'Grande lettre', list_id: list.id, subject: 'Bonjour {{ contact.first_name | "Madame, Monsieur" }}', body: '# Nouvelles\n\nBonjour {{ contact.first_name | "Madame, Monsieur" }}.', status: 'sending', scheduled_at: null, approval_id: null, created_by: null, created_at: now, updated_at: now }).execute();

  const first = sender();
  const end = Date.now() + 120_000;
  while (sink.accepted < 1500 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  expect(sink.accepted).toBeGreaterThanOrEqual(1500);
  first.kill();
  await first.exited;
  const atCrash = await db.selectFrom('mailing_recipients').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('campaign_id', '=', 1).groupBy('status').execute();
  const claimed = Number(atCrash.find((r) => r.status === 'claimed')?.n ?? 0);
  const sentAtCrash = Number(atCrash.find((r) => r.status === 'sent')?.n ?? 0);
  expect(sentAtCrash).toBeGreaterThan(0);
  expect(sentAtCrash).toBeLessThan(N); // killed in the middle

  const second = sender();
  expect(await second.exited).toBe(0);
  const campaign = await db.selectFrom('mailing_campaigns').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  expect(campaign.status).toBe('finished');
  expect(campaign.resent_uncertain).toBe(claimed);
  const recipients = await db.selectFrom('mailing_recipients').select(['id', 'status']).where('campaign_id', '=', 1).execute();
  expect(recipients).toHaveLength(N);
  expect(recipients.every((r) => r.status === 'sent')).toBe(true);
  // Every recipient's Message-ID reached the sink; nothing else did.
  await new Promise((r) => setTimeout(r, 200));
  const ids = new Set(recipients.map((r) => `<campaign-1.recipient-${r.id}@cci.test>`));
  expect(received.size).toBe(N);
  for (const id of received.keys()) expect(ids.has(id)).toBe(true);
  // A copy twice only for a message the dead run had claimed without recording it.
  const twice = [...received.values()].filter((n) => n > 1).length;
  expect([...received.values()].every((n) => n <= 2)).toBe(true);
  expect(twice).toBeLessThanOrEqual(claimed);
  expect(sink.accepted).toBe(N + twice);
  console.info(`mailing fault test: killed after ${sentAtCrash} sent, ${claimed} claimed and unconfirmed (resent with their Message-ID), ${twice} received twice`);
});
