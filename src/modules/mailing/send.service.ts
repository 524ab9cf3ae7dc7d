// Sending a campaign: a durable, resumable loop over its recipients (mailing_recipients).
//
// State of a recipient: queued → claimed → sent | bounced | failed (queued again after a
// temporary failure, with back-off). A sender first takes the campaign's lease (one sender per
// campaign, across processes), claims a small batch (status 'claimed', its run id), sends each
// message through a pooled nodemailer transport and marks the accepted ones 'sent' in small
// groups. The lease is renewed between batches; a sender that stops (crash, kill -9) stops
// renewing it, and the next one — the schedule `mailing.tick` or the command line — takes the
// campaign over once it expired.
//
// Exactly once at the sink (ADR 0012, send-journal.ts): the last stage of each message's stream
// is a gate, so that the SMTP terminator (the final dot, the server's point of acceptance) leaves
// only after a line "<recipient> <attempt>" went to the run's send journal. A recipient the dead
// run had claimed is then 'sent' presumed if journaled (its dot may have left), sent again if not
// (no dot ever left: the server discarded it). Only a run whose journal is not on this host (a
// sender on another machine sharing PostgreSQL) falls back to sending its claims again with the
// SAME Message-ID (deterministic: tokens.ts `messageId`), so a mail store that de-duplicates
// on Message-ID shows one message; their number is kept on the campaign (`resent_uncertain`).
import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { SYSTEM_ACTOR, record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { enqueue } from '../../platform/jobs/index.js';
import { CompiledTemplate, type Frame, type Links, type MergeValues } from './blocks.js';
import { listAudience } from './lists.service.js';
import type { MailingConfig } from './mailing.config.js';
import type { Campaign, MailingDb, MailingList, Recipient } from './mailing.table.js';
import { text, type Lang } from './messages.js';
import { recordBounce } from './bounces.service.js';
import { holdFinalDot, installFinalDotGate, journalFile, readJournal, removeJournal, SendJournal, sweepJournals } from './send-journal.js';
import { clickSig, messageId, openSig, preferencesToken, unsubscribeToken, verpAddress } from './tokens.js';

export interface SendDeps {
  smtpUrl?: string;
  mailFrom: string;
  publicUrl: string;
  secret: string;
  cfg: MailingConfig;
  cciName: string;
  /** where the runs' send journals are kept (`<DATA_DIR>/mailing/journal`); unset: no journal, every claim of a dead run is resent as uncertain */
  journalDir?: string;
}

// ————— transport (one pool per SMTP URL and process) —————

const pools = new Map<string, Transporter>();

export function transportFor(smtpUrl: string, connections: number): Transporter {
  const key = `${smtpUrl}#${connections}`;
  let t = pools.get(key);
  if (!t) {
    const u = new URL(smtpUrl);
    const secure = u.protocol === 'smtps:';
    t = nodemailer.createTransport({
      pool: true,
      maxConnections: connections,
      maxMessages: Infinity,
      host: u.hostname,
      port: Number(u.port || (secure ? 465 : 25)),
      secure,
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      tls: { rejectUnauthorized: u.searchParams.get('tls') !== 'insecure' ? !['127.0.0.1', 'localhost', '::1'].includes(u.hostname) : false },
    });
    installFinalDotGate(t);
    pools.set(key, t);
  }
  return t;
}

export function closeTransports(): void {
  for (const t of pools.values()) t.close();
  pools.clear();
}

export function senderDomain(deps: Pick<SendDeps, 'mailFrom' | 'cfg'>): string {
  if (deps.cfg.bounceDomain) return deps.cfg.bounceDomain;
  const m = /@([^>\s]+)>?\s*$/.exec(deps.mailFrom);
  return m ? m[1] : 'localhost';
}

// ————— what a message says —————

export function frameFor(lang: Lang, list: MailingList, deps: Pick<SendDeps, 'cciName'>, title: string): Frame {
  return {
    lang,
    title,
    sender: text(lang, 'mailing.frame.sender', { cci: deps.cciName }),
    why: list.kind === 'segment' ? text(lang, 'mailing.frame.why_b2b', { cci: deps.cciName }) : text(lang, 'mailing.frame.why_subscription', { list: list.name }),
    unsubscribeLabel: text(lang, 'mailing.frame.unsubscribe'),
    preferencesLabel: text(lang, 'mailing.frame.preferences'),
    archiveLabel: text(lang, 'mailing.frame.archive'),
  };
}

export function linksFor(deps: Pick<SendDeps, 'publicUrl' | 'secret'>, campaign: Pick<Campaign, 'id' | 'tracking'>, recipientId: number, emailNorm: string): Links {
  const base = deps.publicUrl;
  return {
    unsubscribe: `${base}/desabonnement/${unsubscribeToken(deps.secret, recipientId)}`,
    preferences: `${base}/abonnements/preferences/${preferencesToken(deps.secret, emailNorm)}`,
    archive: `${base}/lettres-information/${campaign.id}`,
    click: campaign.tracking ? (i) => `${base}/m/clic/${campaign.id}.${i}.${clickSig(deps.secret, campaign.id, i)}` : undefined,
    openPixel: campaign.tracking ? `${base}/m/ouverture/${campaign.id}.${openSig(deps.secret, campaign.id)}.gif` : undefined,
  };
}

export interface BuiltMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  envelope: { from: string; to: string };
  headers: Record<string, string>;
}

/** One recipient's message: the same bytes whichever attempt sends it (Message-ID included). */
export function buildMessage(deps: SendDeps, tpl: CompiledTemplate, frame: Frame, campaign: Pick<Campaign, 'id' | 'tracking' | 'list_id'>, r: Pick<Recipient, 'id' | 'email' | 'email_norm'>, values: MergeValues): BuiltMessage {
  const domain = senderDomain(deps);
  const links = linksFor(deps, campaign, r.id, r.email_norm);
  const token = unsubscribeToken(deps.secret, r.id);
  return {
    from: deps.mailFrom,
    to: r.email,
    subject: tpl.subjectFor(values),
    text: tpl.text(values, frame, links),
    html: tpl.html(values, frame, links),
    messageId: messageId(campaign.id, r.id, domain),
    envelope: { from: verpAddress(deps.secret, domain, campaign.id, r.id), to: r.email },
    headers: {
      'List-Unsubscribe': `<${links.unsubscribe}>, <mailto:unsubscribe+${token}@${domain}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `<list-${campaign.list_id}.${domain}>`,
      Precedence: 'bulk',
    },
  };
}

// ————— preparing the recipients (the list is resolved at send time) —————

/**
 * Writes the campaign's recipients from its list as it is now. Pages of 500 rows, each its own
 * statement (ADR 0009: no long write holding SQLite's writer while requests wait), idempotent
 * (unique per campaign and address): a crash half-way is resumed by writing again.
 */
export async function prepareRecipients(db: MailingDb, campaign: Campaign): Promise<number> {
  const list = await db.selectFrom('mailing_lists').selectAll().where('id', '=', campaign.list_id).executeTakeFirstOrThrow();
  const now = nowIso();
  for await (const page of listAudience(db, list)) {
    const rows = page.map((m) => ({ campaign_id: campaign.id, email: m.email, email_norm: m.norm, domain: m.domain, contact_id: m.contactId, company_id: m.companyId, subscriber_id: m.subscriberId, fields: JSON.stringify(m.fields), status: 'queued' as const, next_attempt_at: now }));
    for (let i = 0; i < rows.length; i += 500) {
      await db.insertInto('mailing_recipients').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['campaign_id', 'email_norm']).doNothing()).execute();
    }
  }
  const n = Number((await db.selectFrom('mailing_recipients').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow()).n);
  await db.updateTable('mailing_campaigns').set({ prepared: 1, audience: n, updated_at: nowIso() }).where('id', '=', campaign.id).execute();
  return n;
}

// ————— throttle —————

/**
 * Messages per second for the campaign and per recipient domain (0: no limit). `reserve` books
 * the next free slot of both for one message and says how long to wait for it: slots are spaced
 * 1/rate apart, so a burst is spread out and a slow domain does not get more than its share.
 */
export class Throttle {
  private next = 0;
  private readonly domains = new Map<string, number>();
  private readonly gap: number;
  private readonly domainGap: number;

  constructor(perSecond: number, perDomain: number) {
    this.gap = perSecond > 0 ? 1000 / perSecond : 0;
    this.domainGap = perDomain > 0 ? 1000 / perDomain : 0;
  }

  /** Milliseconds to wait before sending to `domain` at `now`; the slot is taken. */
  reserve(domain: string, now: number): number {
    let at = now;
    if (this.gap) {
      at = Math.max(this.next, now);
      this.next = at + this.gap;
    }
    if (this.domainGap) {
      const d = Math.max(this.domains.get(domain) ?? 0, at);
      this.domains.set(domain, d + this.domainGap);
      at = d;
      if (this.domains.size > 10_000) this.domains.clear(); // a campaign to many domains: forget old slots (they are in the past)
    }
    return at - now;
  }
}

// ————— the loop —————

export interface SliceResult {
  /** 'finished': every recipient sent, bounced or failed; 'more': call again (at `retryAt` for back-off); 'busy': another sender holds the lease; 'stopped': paused or cancelled */
  state: 'finished' | 'more' | 'busy' | 'stopped';
  sent: number;
  retryAt?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends for at most `maxMs` (then returns 'more'), holding the campaign's lease. Safe to call
 * from several processes at once: only the holder of the lease sends.
 */
export async function sendSlice(db: MailingDb, deps: SendDeps, campaignId: number, maxMs = 20_000, onProgress?: (sent: number) => void, signal?: AbortSignal): Promise<SliceResult> {
  if (!deps.smtpUrl) return { state: 'stopped', sent: 0 };
  const owner = `s-${randomUUID().slice(0, 12)}`;
  const leaseMs = deps.cfg.leaseSeconds * 1000;
  const leaseUntil = () => new Date(Date.now() + leaseMs).toISOString();
  const now0 = nowIso();
  const took = await db
    .updateTable('mailing_campaigns')
    .set({ lease_owner: owner, lease_until: leaseUntil() })
    .where('id', '=', campaignId)
    .where('status', '=', 'sending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now0)]))
    .executeTakeFirst();
  if (Number(took.numUpdatedRows) === 0) {
    const c = await db.selectFrom('mailing_campaigns').select('status').where('id', '=', campaignId).executeTakeFirst();
    return { state: c?.status === 'sending' ? 'busy' : 'stopped', sent: 0 };
  }
  // Claimed by a run that is gone (we hold the lease now): settled from its send journal.
  await recoverClaims(db, deps, campaignId);
  if (deps.journalDir) {
    // A run killed between two batches (nothing claimed) leaves a journal nobody will read: an hour later, it goes.
    await sweepJournals(deps.journalDir, 3_600_000, async (o) => Boolean(await db.selectFrom('mailing_recipients').select('id').where('claimed_by', '=', o).where('status', '=', 'claimed').limit(1).executeTakeFirst()));
  }
  let campaign = await db.selectFrom('mailing_campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow();
  if (!campaign.prepared) {
    await prepareRecipients(db, campaign);
    campaign = await db.selectFrom('mailing_campaigns').selectAll().where('id', '=', campaignId).executeTakeFirstOrThrow();
  }
  const list = await db.selectFrom('mailing_lists').selectAll().where('id', '=', campaign.list_id).executeTakeFirstOrThrow();
  const tpl = new CompiledTemplate(campaign.subject, campaign.body);
  const frame = frameFor('fr', list, deps, campaign.name);
  const transport = transportFor(deps.smtpUrl, deps.cfg.connections);
  const window = deps.cfg.connections * 4;
  const started = Date.now();
  let sent = 0;
  let lost = false;

  // Opened before the first claim (its presence tells a recovery that this host has the run's journal).
  let journal: SendJournal | undefined;
  try {
    journal = deps.journalDir ? SendJournal.forRun(deps.journalDir, owner) : undefined;
  } catch (e) {
    await db.updateTable('mailing_campaigns').set({ lease_owner: null, lease_until: null }).where('id', '=', campaignId).where('lease_owner', '=', owner).execute();
    throw e;
  }

  const throttle = new Throttle(deps.cfg.ratePerSecond, deps.cfg.ratePerDomain);
  const inFlight = new Set<Promise<void>>();

  // Accepted messages are marked sent in small groups (one UPDATE per 25 messages or per batch):
  // one statement per message was most of the sender's cost next to nodemailer's. A crash
  // between the acceptance and the group's UPDATE leaves those recipients 'claimed' — and in the
  // journal, which is what the recovery reads (this UPDATE is no longer the safety net).
  let accepted: number[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flushSent = (): Promise<void> => {
    if (!accepted.length) return flushing;
    const ids = accepted;
    accepted = [];
    const at = nowIso();
    flushing = flushing.then(async () => {
      await db.updateTable('mailing_recipients').set({ status: 'sent', sent_at: at, claimed_by: null, error: null }).where('id', 'in', ids).execute();
      sent += ids.length;
    });
    return flushing;
  };
  const finishOne = async (r: Recipient, ok: boolean, err?: { responseCode?: number; code?: string; message?: string; response?: string }) => {
    if (ok) {
      accepted.push(r.id);
      if (accepted.length >= 25) void flushSent().catch(() => undefined); // a failure is met again at the next await
      return;
    }
    const code = err?.responseCode ?? 0;
    const detail = (err?.response ?? err?.message ?? 'error').slice(0, 500);
    if (code >= 500 && err?.code === 'EENVELOPE') {
      // The server refused the recipient outright: a hard bounce at send time.
      await db.updateTable('mailing_recipients').set({ status: 'bounced', claimed_by: null, error: detail }).where('id', '=', r.id).execute();
      await recordBounce(db, deps.cfg, { emailNorm: r.email_norm, campaignId: r.campaign_id, recipientId: r.id, kind: 'hard', status: String(code), diagnostic: detail, source: 'smtp' });
      return;
    }
    const attempts = r.attempts + 1;
    if (code >= 500 || attempts >= deps.cfg.maxAttempts) {
      await db.updateTable('mailing_recipients').set({ status: 'failed', attempts, claimed_by: null, error: detail }).where('id', '=', r.id).execute();
      return;
    }
    // 4xx or a connection error: later, with back-off.
    const at = new Date(Date.now() + deps.cfg.retrySeconds * 1000 * 2 ** (attempts - 1)).toISOString();
    await db.updateTable('mailing_recipients').set({ status: 'queued', attempts, next_attempt_at: at, claimed_by: null, error: detail }).where('id', '=', r.id).execute();
  };

  const sendOne = async (r: Recipient) => {
    let values: MergeValues = {};
    try {
      values = JSON.parse(r.fields) as MergeValues;
    } catch {
      values = {};
    }
    const msg = buildMessage(deps, tpl, frame, campaign, r, values);
    try {
      // The final dot leaves only after this recipient's line is in the journal (send-journal.ts).
      if (journal) holdFinalDot(msg.envelope, () => journal.append(r.id, r.attempts));
      await transport.sendMail(msg);
      await finishOne(r, true);
    } catch (e) {
      await finishOne(r, false, e as { responseCode?: number; code?: string; message?: string; response?: string });
    }
  };

  try {
    outer: for (;;) {
      if (Date.now() - started > maxMs || signal?.aborted) break; // the process is shutting down: stop at a batch's end
      // Heartbeat, and the campaign's state (paused or cancelled by someone meanwhile).
      const beat = await db.updateTable('mailing_campaigns').set({ lease_until: leaseUntil() }).where('id', '=', campaignId).where('lease_owner', '=', owner).where('status', '=', 'sending').executeTakeFirst();
      if (Number(beat.numUpdatedRows) === 0) {
        lost = true;
        break;
      }
      const now = nowIso();
      const ids = (await db.selectFrom('mailing_recipients').select('id').where('campaign_id', '=', campaignId).where('status', '=', 'queued').where('next_attempt_at', '<=', now).orderBy('id').limit(200).execute()).map((x) => x.id);
      if (!ids.length) break;
      const batch = await db.updateTable('mailing_recipients').set({ status: 'claimed', claimed_by: owner }).where('id', 'in', ids).where('status', '=', 'queued').returningAll().execute();
      batch.sort((a, b) => a.id - b.id);
      for (const r of batch) {
        if (Date.now() - started > maxMs + 5000) break outer;
        const wait = throttle.reserve(r.domain, Date.now());
        if (wait > 0) await sleep(wait);
        while (inFlight.size >= window) await Promise.race(inFlight);
        const p = sendOne(r).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await flushSent();
      onProgress?.(sent);
    }
    await Promise.all(inFlight);
    await flushSent();
  } finally {
    await Promise.allSettled(inFlight);
    let settled = false;
    try {
      await flushSent();
      // Claimed and never sent because the slice ended early: back to the queue (this run is alive,
      // every message's fate is known: no final dot is still on its way).
      await db.updateTable('mailing_recipients').set({ status: 'queued', claimed_by: null }).where('campaign_id', '=', campaignId).where('claimed_by', '=', owner).where('status', '=', 'claimed').execute();
      settled = true;
    } finally {
      // Kept when a statement above failed: recipients may still be 'claimed' by this run, and only the journal tells which may have been accepted.
      journal?.close(settled);
      await db.updateTable('mailing_campaigns').set({ lease_owner: null, lease_until: null }).where('id', '=', campaignId).where('lease_owner', '=', owner).execute();
    }
  }
  if (lost) return { state: 'stopped', sent };
  const left = await db
    .selectFrom('mailing_recipients')
    .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.min('next_attempt_at').as('next')])
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['queued', 'claimed'])
    .executeTakeFirstOrThrow();
  if (Number(left.n) > 0) return { state: 'more', sent, retryAt: left.next ?? undefined };
  const done = await db.updateTable('mailing_campaigns').set({ status: 'finished', finished_at: nowIso(), updated_at: nowIso() }).where('id', '=', campaignId).where('status', '=', 'sending').executeTakeFirst();
  if (Number(done.numUpdatedRows)) await record(db, SYSTEM_ACTOR, { entity: 'mailing_campaign', entityId: campaignId, action: 'finish', changes: await statusCounts(db, campaignId) });
  return { state: 'finished', sent };
}

export interface Recovery {
  /** journaled by the dead run: its final dot may have left → 'sent', presumed */
  presumed: number;
  /** claimed, not journaled: the server cannot have accepted it → queued again (safe) */
  requeued: number;
  /** the run's journal is not on this host (another machine) → queued again, same Message-ID */
  uncertain: number;
}

/**
 * Settles the recipients left 'claimed' by senders that are gone (the caller holds the campaign's
 * lease, so no live sender of this campaign claims anything now), from each dead run's send
 * journal; then deletes those journals. One transaction, audited.
 */
export async function recoverClaims(db: MailingDb, deps: Pick<SendDeps, 'journalDir'>, campaignId: number): Promise<Recovery> {
  const claims = await db.selectFrom('mailing_recipients').select(['id', 'attempts', 'claimed_by']).where('campaign_id', '=', campaignId).where('status', '=', 'claimed').execute();
  const out: Recovery = { presumed: 0, requeued: 0, uncertain: 0 };
  if (!claims.length) return out;
  const presumed: number[] = [];
  const safe: number[] = [];
  const uncertain: number[] = [];
  const journals = new Map<string, Map<number, Set<number>> | undefined>();
  for (const c of claims) {
    const owner = c.claimed_by ?? '';
    if (!journals.has(owner)) journals.set(owner, deps.journalDir && /^[A-Za-z0-9_-]{1,64}$/.test(owner) ? readJournal(deps.journalDir, owner) : undefined);
    const journal = journals.get(owner);
    if (!journal) uncertain.push(c.id);
    // The attempt must match: a line from an earlier attempt of this recipient (a 4xx after the dot, then claimed again) says nothing about this one.
    else if (journal.get(c.id)?.has(c.attempts)) presumed.push(c.id);
    else safe.push(c.id);
  }
  const at = nowIso();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < presumed.length; i += 500) {
      const res = await trx.updateTable('mailing_recipients').set({ status: 'sent', sent_at: at, claimed_by: null, error: null, presumed: 1 }).where('id', 'in', presumed.slice(i, i + 500)).where('status', '=', 'claimed').executeTakeFirst();
      out.presumed += Number(res.numUpdatedRows);
    }
    for (const [ids, key] of [[safe, 'requeued'], [uncertain, 'uncertain']] as const) {
      for (let i = 0; i < ids.length; i += 500) {
        const res = await trx.updateTable('mailing_recipients').set({ status: 'queued', claimed_by: null }).where('id', 'in', ids.slice(i, i + 500)).where('status', '=', 'claimed').executeTakeFirst();
        out[key] += Number(res.numUpdatedRows);
      }
    }
    await trx
      .updateTable('mailing_campaigns')
      .set((eb) => ({ presumed_sent: eb('presumed_sent', '+', out.presumed), resent_uncertain: eb('resent_uncertain', '+', out.uncertain) }))
      .where('id', '=', campaignId)
      .execute();
    await record(trx, SYSTEM_ACTOR, { entity: 'mailing_campaign', entityId: campaignId, action: 'recover_claims', changes: { ...out, runs: [...journals.keys()].join(' ') } });
  });
  // Settled in the database: the dead runs' journals have nothing left to say.
  if (deps.journalDir) for (const [owner, j] of journals) if (j) removeJournal(journalFile(deps.journalDir, owner));
  return out;
}

export async function statusCounts(db: MailingDb, campaignId: number): Promise<Record<string, number>> {
  const rows = await db.selectFrom('mailing_recipients').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('campaign_id', '=', campaignId).groupBy('status').execute();
  const out: Record<string, number> = { queued: 0, claimed: 0, sent: 0, bounced: 0, failed: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

/**
 * The job: one slice, then the next one queued (at once, or when the earliest retry is due).
 * On shutdown (the runner's signal) the slice stops after its batch, releases the lease and
 * says `interrupted`: the runner puts this job back, the next start resumes the campaign.
 */
export async function sendJob(db: MailingDb, deps: SendDeps, campaignId: number, maxMs: number, signal?: AbortSignal): Promise<SliceResult & { interrupted?: true }> {
  const res = await sendSlice(db, deps, campaignId, maxMs, undefined, signal);
  if (signal?.aborted && res.state === 'more') return { ...res, interrupted: true };
  if (res.state === 'more') await enqueue(db, 'mailing.send', { campaignId }, { runAt: res.retryAt && res.retryAt > nowIso() ? new Date(res.retryAt) : new Date(), maxAttempts: 3 });
  return res;
}

/** Until the campaign is finished, paused or cancelled (the command line; the fault test kills it). */
export async function sendUntilDone(db: MailingDb, deps: SendDeps, campaignId: number, log: (line: string) => void = () => {}): Promise<SliceResult['state']> {
  for (;;) {
    const res = await sendSlice(db, deps, campaignId, 60_000, (n) => log(`sent ${n}`));
    if (res.state === 'finished' || res.state === 'stopped') return res.state;
    if (res.state === 'busy') await sleep(Math.min(deps.cfg.leaseSeconds * 1000, 2000));
    else if (res.retryAt && res.retryAt > nowIso()) await sleep(Math.min(Date.parse(res.retryAt) - Date.now(), 60_000));
  }
}
