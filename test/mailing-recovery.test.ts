// Crash recovery of a campaign send from the runs' send journals (#14, ADR 0012), against the
// real loopback SMTP sink and a real database: a dead run's claims are settled from its journal
// (journaled → sent, presumed, not sent again; not journaled → sent again once; no journal on
// this host → sent again, counted as uncertain), and the journal line of a message is written
// only on the DATA path, before the server's acceptance.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMailingConfig } from '../src/modules/mailing/mailing.config.js';
import type { MailingDb } from '../src/modules/mailing/mailing.table.js';
import { holdFinalDot, journalFile, readJournal } from '../src/modules/mailing/send-journal.js';
import { closeTransports, prepareRecipients, sendSlice, transportFor, type SendDeps } from '../src/modules/mailing/send.service.js';
import { testDatabase, type TestDatabase } from './helpers.js';
import { startSink, type Sink } from './mailing-helpers.js';

let database: TestDatabase;
let sink: Sink;
let db: MailingDb;
let deps: SendDeps;
let journalDir: string;

beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
  sink = await startSink({ tempFailOnce: (a) => a.startsWith('grey'), rejectData: (a) => a.startsWith('refuse') });
  journalDir = path.join(database.dataDir, 'mailing', 'journal');
  deps = { smtpUrl: sink.url, mailFrom: 'CCI <lettre@cci.test>', publicUrl: 'https://cci.test', secret: 'x'.repeat(40), cciName: 'CCI', journalDir, cfg: { ...readMailingConfig({}), ratePerSecond: 0, ratePerDomain: 0, connections: 2, retrySeconds: 0 } };
});
afterAll(async () => {
  closeTransports();
  await sink?.close();
  await database?.drop();
});

async function campaignTo(emails: string[]): Promise<number> {
  const now = new Date().toISOString();
  const list = await db.insertInto('mailing_lists').values({ name: `Liste ${Math.random()}`, description: '', kind: 'subscription', segment_id: null, public: 1, wording: 'J’accepte.', archived: 0, created_by: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('mailing_subscribers')
    .values(emails.map((email) => ({ list_id: list.id, email, email_norm: email, first_name: '', last_name: '', contact_id: null, status: 'confirmed' as const, source: 'public' as const, wording: 'J’accepte.', ip: null, requested_at: now, confirmed_at: now, unsubscribed_at: null, updated_at: now })))
    .execute();
  const c = await db.insertInto('mailing_campaigns').values({ name: 'Lettre', list_id: list.id, subject: 'Nouvelles', body: 'Bonjour.', status: 'sending', scheduled_at: null, approval_id: null, created_by: null, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await prepareRecipients(db, c);
  return c.id;
}

const received = (campaignId: number, recipientId: number) => sink.messages.filter((m) => m.mail.messageId === `<campaign-${campaignId}.recipient-${recipientId}@cci.test>`).length;

describe('recovery of a dead run', () => {
  it('journaled → sent (presumed), not journaled → sent again once, no journal here → sent again as uncertain; journals deleted; audited', async () => {
    const emails = Array.from({ length: 10 }, (_, i) => `personne${i}@entreprise.fr`);
    const id = await campaignTo(emails);
    const r = await db.selectFrom('mailing_recipients').select(['id', 'email']).where('campaign_id', '=', id).orderBy('id').execute();
    const ids = r.map((x) => x.id);
    // What a SIGKILLed run leaves: claims, and its journal (lines written before each final dot).
    await db.updateTable('mailing_recipients').set({ status: 'claimed', claimed_by: 's-dead0000001' }).where('id', 'in', ids.slice(0, 4)).execute();
    await db.updateTable('mailing_recipients').set({ attempts: 1 }).where('id', '=', ids[3]).execute(); // its line below is of attempt 0: a 451 after the dot, then claimed again
    mkdirSync(journalDir, { recursive: true });
    writeFileSync(journalFile(journalDir, 's-dead0000001'), `${ids[0]} 0\n${ids[1]} 0\n${ids[3]} 0\n`);
    // A run on another host sharing the database: its journal is not here.
    await db.updateTable('mailing_recipients').set({ status: 'claimed', claimed_by: 's-elsewhere01' }).where('id', 'in', ids.slice(4, 6)).execute();
    const before = sink.messages.length;

    const res = await sendSlice(db, deps, id, 20_000);
    expect(res.state).toBe('finished');
    await sink.waitFor(before + 8);

    const after = await db.selectFrom('mailing_recipients').select(['id', 'status', 'presumed']).where('campaign_id', '=', id).orderBy('id').execute();
    expect(after.every((x) => x.status === 'sent')).toBe(true);
    expect(after.filter((x) => x.presumed === 1).map((x) => x.id)).toEqual([ids[0], ids[1]]);
    // Presumed delivered: not sent again. Everyone else: exactly once.
    expect(received(id, ids[0])).toBe(0);
    expect(received(id, ids[1])).toBe(0);
    for (const rid of ids.slice(2)) expect(received(id, rid)).toBe(1);
    const c = await db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(c.presumed_sent).toBe(2);
    expect(c.resent_uncertain).toBe(2);
    expect(c.status).toBe('finished');
    // The dead run's journal and the finishing run's own are gone.
    expect(existsSync(journalFile(journalDir, 's-dead0000001'))).toBe(false);
    expect(readdirSync(journalDir).filter((f) => f.endsWith('.log'))).toEqual([]);
    const audit = await db.selectFrom('audit_log').select(['action', 'changes']).where('entity', '=', 'mailing_campaign').where('entity_id', '=', String(id)).where('action', '=', 'recover_claims').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(String(audit[0].changes))).toMatchObject({ presumed: 2, requeued: 2, uncertain: 2 });
  });

  it('a run that died before its first final dot (empty journal): every claim is sent again, none is uncertain', async () => {
    const id = await campaignTo(['a@vide.fr', 'b@vide.fr']);
    const ids = (await db.selectFrom('mailing_recipients').select('id').where('campaign_id', '=', id).orderBy('id').execute()).map((x) => x.id);
    await db.updateTable('mailing_recipients').set({ status: 'claimed', claimed_by: 's-dead0000002' }).where('id', 'in', ids).execute();
    writeFileSync(journalFile(journalDir, 's-dead0000002'), '');
    const before = sink.messages.length;
    expect((await sendSlice(db, deps, id, 20_000)).state).toBe('finished');
    await sink.waitFor(before + 2);
    for (const rid of ids) expect(received(id, rid)).toBe(1);
    const c = await db.selectFrom('mailing_campaigns').select(['presumed_sent', 'resent_uncertain']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(c).toEqual({ presumed_sent: 0, resent_uncertain: 0 });
  });
});

describe('the held final dot', () => {
  async function sendGated(to: string, html = '<p>Bonjour</p>'): Promise<{ journaled: boolean; acceptedWhenJournaled: number | undefined; error?: { responseCode?: number } }> {
    let acceptedWhenJournaled: number | undefined;
    const envelope = holdFinalDot({ from: 'bounces@cci.test', to }, () => (acceptedWhenJournaled = sink.accepted));
    try {
      await transportFor(sink.url, 1).sendMail({ from: 'CCI <lettre@cci.test>', to, subject: 'S', text: 'Bonjour', html, messageId: `<gate-${to}>`, envelope });
      return { journaled: acceptedWhenJournaled !== undefined, acceptedWhenJournaled };
    } catch (e) {
      return { journaled: acceptedWhenJournaled !== undefined, acceptedWhenJournaled, error: e as { responseCode?: number } };
    }
  }

  it('journals after the envelope is accepted and before the server accepts the message; never for a refused envelope', async () => {
    const before = sink.accepted;
    const ok = await sendGated('lecteur@entreprise.fr');
    expect(ok.error).toBeUndefined();
    expect(ok.journaled).toBe(true);
    expect(ok.acceptedWhenJournaled).toBe(before); // the server had not accepted it yet
    expect(sink.accepted).toBe(before + 1);

    const grey = await sendGated('grey@entreprise.fr'); // 451 at RCPT: no DATA, no dot, no line
    expect(grey.error?.responseCode).toBe(451);
    expect(grey.journaled).toBe(false);

    const refused = await sendGated('refuse@entreprise.fr'); // 554 after the dot: the line was written (the dot did leave)
    expect(refused.error?.responseCode).toBe(554);
    expect(refused.journaled).toBe(true);
  });

  it('a message larger than the streams’ buffers arrives whole (backpressure inside the gate)', async () => {
    const big = `<p>${'Des nouvelles de la CCI. '.repeat(20_000)}</p>`; // ~500 KB
    const res = await sendGated('grand@entreprise.fr', big);
    expect(res.error).toBeUndefined();
    expect(res.journaled).toBe(true);
    const m = await sink.waitFor(sink.messages.length);
    const got = m.find((x) => x.mail.messageId === '<gate-grand@entreprise.fr>');
    expect(got?.mail.html).toContain('Des nouvelles de la CCI. '.repeat(100));
    expect(String(got?.mail.html).length).toBeGreaterThanOrEqual(big.length);
  });

  it('reads a journal line by line; a line of another shape is ignored', () => {
    writeFileSync(journalFile(journalDir, 's-read0000001'), '12 0\n12 1\nbroken\n13 0\n');
    expect(readJournal(journalDir, 's-read0000001')).toEqual(new Map([[12, new Set([0, 1])], [13, new Set([0])]]));
    expect(readJournal(journalDir, 's-absent00001')).toBeUndefined();
    expect(() => journalFile(journalDir, '../etc/passwd')).toThrow();
  });
});
