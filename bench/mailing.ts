// Mailing benchmark (#14): N personalised messages (100,000 by default) to a local SMTP sink
// running in its own process, first with nodemailer alone (pooled transport, same number of
// connections, same messages in flight, personalisation by string concatenation: the raw send
// rate), then through the module's sender (recipients written from a list of N subscribers,
// lease, claims, sent marks grouped by 25, the compiled template, List-Unsubscribe headers, VERP,
// each message's final dot held until its send-journal line is written: ADR 0012), in the same run. Reports messages/s of each, their ratio, and the RSS of the
// process sampled during our send (flat memory: the send holds one batch at a time).
// Usage: npx tsx bench/mailing.ts   [N=100000] [CONNECTIONS=5]
//        TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres for a throwaway PostgreSQL database
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadavg } from 'node:os';
import nodemailer from 'nodemailer';
import { readMailingConfig } from '../src/modules/mailing/mailing.config.js';
import type { MailingDb } from '../src/modules/mailing/mailing.table.js';
import { closeTransports, sendUntilDone, type SendDeps } from '../src/modules/mailing/send.service.js';
import { testDatabase } from '../test/helpers.js';
import { machine, writeResult } from './lib.js';

const N = Number(process.env.N ?? 100_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 5);
const onPg = Boolean(process.env.TEST_DATABASE_URL);

/** The sink: smtp-server in a child process, accepting and discarding every message. */
async function startSinkProcess(): Promise<{ port: number; stop(): void }> {
  const code = `const { SMTPServer } = require('smtp-server');
const s = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, onData(stream, _s, cb) { stream.on('data', () => {}); stream.on('end', () => cb()); } });
s.on('error', () => {});
s.listen(0, '127.0.0.1', () => console.log(s.server.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { port, stop: () => child.kill() };
}

async function rawRate(port: number): Promise<number> {
  const t = nodemailer.createTransport({ pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity, host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const window = CONNECTIONS * 4;
  const inFlight = new Set<Promise<unknown>>();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    while (inFlight.size >= window) await Promise.race(inFlight);
    const name = `Prénom${i}`;
    const p = t
      .sendMail({ from: 'CCI <lettre@cci.test>', to: `abonne${i}@entreprise${i % 50}.fr`, subject: `Bonjour ${name}`, text: `Bonjour ${name},\n\nLes nouvelles du mois.\n`, html: `<!doctype html><html lang="fr"><body><main><h1>Nouvelles</h1><p>Bonjour ${name},</p><p>Les nouvelles du mois.</p></main></body></html>` })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const s = (performance.now() - t0) / 1000;
  t.close();
  return N / s;
}

const sink = await startSinkProcess();
const database = await testDatabase();
try {
  const load0 = loadavg()[0];
  const raw = await rawRate(sink.port);
  console.log(`raw nodemailer: ${raw.toFixed(0)} msg/s`);

  const db: MailingDb = database.db;
  const now = new Date().toISOString();
  const list = await db.insertInto('mailing_lists').values({ name: 'Lettre', description: '', kind: 'subscription', segment_id: null, public: 1, wording: 'J’accepte.', archived: 0, created_by: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  for (let i = 0; i < N; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ list_id: list.id, email: `abonne${i + k}@entreprise${(i + k) % 50}.fr`, email_norm: `abonne${i + k}@entreprise${(i + k) % 50}.fr`, first_name: `Prénom${i + k}`, last_name: '', contact_id: null, status: 'confirmed' as const, source: 'public' as const, wording: 'J’accepte.', ip: null, requested_at: now, confirmed_at: now, unsubscribed_at: null, updated_at: now }));
    await db.insertInto('mailing_subscribers').values(rows).execute();
  }
  const campaign = await db
    .insertInto('mailing_campaigns')
    .values({ name: 'Bench', list_id: list.id, subject: 'Bonjour {{ contact.first_name | "Madame, Monsieur" }}', body: '# Nouvelles\n\nBonjour {{ contact.first_name | "Madame, Monsieur" }},\n\nLes nouvelles du mois.', status: 'sending', scheduled_at: null, approval_id: null, created_by: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const deps: SendDeps = { smtpUrl: `smtp://127.0.0.1:${sink.port}`, mailFrom: 'CCI <lettre@cci.test>', publicUrl: 'https://cci.test', secret: 'x'.repeat(40), cciName: 'CCI', journalDir: path.join(database.dataDir, 'mailing', 'journal'), cfg: { ...readMailingConfig({}), ratePerSecond: 0, ratePerDomain: 0, connections: CONNECTIONS } };
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 250);
  const t0 = performance.now();
  let prepared = 0;
  const state = await sendUntilDone(db, deps, campaign.id, () => {
    if (!prepared) prepared = performance.now();
  });
  const total = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  closeTransports();
  const sent = Number((await db.selectFrom('mailing_recipients').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaign.id).where('status', '=', 'sent').executeTakeFirstOrThrow()).n);
  if (state !== 'finished' || sent !== N) throw new Error(`send ended ${state} with ${sent} of ${N} sent`);
  const prepareS = prepared ? (prepared - t0) / 1000 : 0;
  const ours = N / total;
  const oursSend = N / (total - prepareS);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  const q = (p: number) => rss[Math.min(rss.length - 1, Math.floor((rss.length - 1) * p))] ?? 0;
  const lines = [
    `# Mailing bench (${onPg ? 'PostgreSQL' : 'SQLite'}), ${new Date().toISOString().slice(0, 16)}Z`,
    '',
    machine(),
    `Load average at start: ${load0.toFixed(1)}; ${CONNECTIONS} SMTP connections; sink in its own process.`,
    '',
    `| | messages/s | ratio to raw |`,
    `|---|---|---|`,
    `| nodemailer alone (raw) | ${raw.toFixed(0)} | 1.00 |`,
    `| module, whole send (recipients written + sent) | ${ours.toFixed(0)} | ${(ours / raw).toFixed(2)} |`,
    `| module, sending phase (after ${prepareS.toFixed(1)} s writing ${N} recipients) | ${oursSend.toFixed(0)} | ${(oursSend / raw).toFixed(2)} |`,
    '',
    `RSS during our send: start ${mb(q(0))}, 25 % ${mb(q(0.25))}, 50 % ${mb(q(0.5))}, 75 % ${mb(q(0.75))}, end ${mb(q(1))}, max ${mb(Math.max(...rss))}.`,
  ];
  console.log(lines.join('\n'));
  writeResult(`mailing-${onPg ? 'pg' : 'sqlite'}`, lines.join('\n'));
} finally {
  sink.stop();
  await database.drop();
}
