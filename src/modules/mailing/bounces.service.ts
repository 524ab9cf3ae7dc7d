// Bounces and complaints: delivery status notifications (RFC 3464) received by the inbound SMTP
// listener on the VERP return path, events posted by relay providers to the webhook, and
// refusals at send time. Hard → the address is suppressed at once; soft → after N of them;
// a complaint (abuse report, RFC 5965) → suppressed. Mail to the List-Unsubscribe mailto
// address unsubscribes (same as the one-click link).
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Readable } from 'node:stream';
import { SYSTEM_ACTOR, record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { checkAddress, normalise } from './addresses.js';
import type { MailingConfig } from './mailing.config.js';
import type { BounceKind, MailingDb } from './mailing.table.js';
import { unsubscribeEverywhere } from './lists.service.js';
import { readUnsubscribeToken, readVerp } from './tokens.js';
import { unsubscribeRecipient } from './unsubscribe.service.js';

export interface BounceInput {
  emailNorm: string;
  campaignId: number | null;
  recipientId: number | null;
  kind: BounceKind;
  status: string;
  diagnostic: string;
  source: 'dsn' | 'webhook' | 'smtp';
}

/** Records a bounce; marks the recipient bounced (hard, complaint) and suppresses the address when the rules say so. Returns whether it is now suppressed. */
export async function recordBounce(db: MailingDb, cfg: Pick<MailingConfig, 'softBounceLimit'>, b: BounceInput): Promise<boolean> {
  const now = nowIso();
  await db.insertInto('mailing_bounces').values({ email_norm: b.emailNorm, campaign_id: b.campaignId, recipient_id: b.recipientId, kind: b.kind, status: b.status.slice(0, 20), diagnostic: b.diagnostic.slice(0, 500), source: b.source, at: now }).execute();
  if (b.recipientId && b.kind !== 'soft') await db.updateTable('mailing_recipients').set({ status: 'bounced', error: `${b.status} ${b.diagnostic}`.slice(0, 500) }).where('id', '=', b.recipientId).where('status', 'in', ['sent', 'claimed', 'queued']).execute();
  let reason: 'hard_bounce' | 'soft_bounces' | 'complaint' | null = b.kind === 'hard' ? 'hard_bounce' : b.kind === 'complaint' ? 'complaint' : null;
  if (!reason) {
    const soft = await db.selectFrom('mailing_bounces').select((eb) => eb.fn.countAll<number>().as('n')).where('email_norm', '=', b.emailNorm).where('kind', '=', 'soft').executeTakeFirstOrThrow();
    if (Number(soft.n) >= cfg.softBounceLimit) reason = 'soft_bounces';
  }
  if (reason) {
    const res = await db.insertInto('mailing_suppressions').values({ email_norm: b.emailNorm, reason, detail: `${b.status} ${b.diagnostic}`.trim().slice(0, 200), created_at: now }).onConflict((oc) => oc.column('email_norm').doNothing()).executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0n) > 0) await record(db, SYSTEM_ACTOR, { entity: 'mailing_suppression', entityId: b.emailNorm, action: reason, changes: { source: b.source, status: b.status, campaign: b.campaignId } });
  }
  return reason !== null;
}

// ————— DSN parsing —————

export interface ParsedReport {
  kind: BounceKind;
  recipient: string | null;
  status: string;
  diagnostic: string;
}

/** Hard unless the status is temporary (4.x.x) or a full mailbox (5.2.2, retried by most senders); `delayed` is no bounce. */
export function classifyStatus(status: string, action = 'failed'): BounceKind | null {
  if (/^(delayed|relayed|delivered|expanded)$/i.test(action.trim())) return null;
  if (status.startsWith('4') || status === '5.2.2') return 'soft';
  if (status.startsWith('5')) return 'hard';
  return action.trim().toLowerCase() === 'failed' ? 'hard' : null;
}

function field(block: string, name: string): string {
  const m = new RegExp(`^${name}:\\s*(.+(?:\\r?\\n[ \\t].+)*)`, 'im').exec(block);
  return m ? m[1].replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}

/**
 * Reads a delivery status notification (multipart/report; report-type=delivery-status) or an
 * abuse report (report-type=feedback-report); null when it is neither. mailparser gives the
 * machine-readable part inside the text (or as an attachment, depending on its version): both
 * are read.
 */
export function readReport(mail: ParsedMail): ParsedReport | null {
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (ct?.value?.toLowerCase() !== 'multipart/report') return null;
  const reportType = (ct.params?.['report-type'] ?? '').toLowerCase();
  const parts = [mail.text ?? '', ...(mail.attachments ?? []).filter((a) => /^message\/(global-)?(delivery-status|feedback-report)$/i.test(a.contentType)).map((a) => a.content.toString('utf8'))].join('\n\n');
  if (reportType === 'feedback-report') {
    const rcpt = field(parts, 'Original-Rcpt-To');
    return { kind: 'complaint', recipient: rcpt || null, status: field(parts, 'Feedback-Type') || 'abuse', diagnostic: field(parts, 'User-Agent') };
  }
  if (reportType !== 'delivery-status') return null;
  // One block per recipient (after the per-message fields): the first that failed.
  for (const block of parts.split(/\r?\n\s*\r?\n/)) {
    if (!/^Status:/im.test(block)) continue;
    const status = (/\d\.\d{1,3}\.\d{1,3}/.exec(field(block, 'Status')) ?? [''])[0];
    const kind = classifyStatus(status, field(block, 'Action') || 'failed');
    if (!kind) continue;
    const rcpt = field(block, 'Final-Recipient') || field(block, 'Original-Recipient');
    return { kind, recipient: rcpt.includes(';') ? rcpt.split(';')[1].trim() : rcpt || null, status, diagnostic: field(block, 'Diagnostic-Code').slice(0, 500) };
  }
  return null;
}

/** One message received by the listener, for the envelope recipients it was addressed to. */
export async function handleInbound(db: MailingDb, cfg: MailingConfig, secret: string, rcptTo: readonly string[], raw: Buffer | Readable, how = 'mailto'): Promise<'bounce' | 'unsubscribe' | 'ignored'> {
  const unsub = rcptTo.map((a) => /^unsubscribe\+([^@]+)@/i.exec(a)).find(Boolean);
  if (unsub) {
    const recipientId = readUnsubscribeToken(secret, unsub[1]);
    if (recipientId === null) return 'ignored';
    await db.transaction().execute((trx) => unsubscribeRecipient(trx, recipientId, 'list', how));
    return 'unsubscribe';
  }
  const mail = await simpleParser(raw);
  const report = readReport(mail);
  if (!report) return 'ignored';
  const verp = rcptTo.map((a) => readVerp(secret, a)).find(Boolean) ?? null;
  let emailNorm: string | null = null;
  let recipientId: number | null = null;
  let campaignId: number | null = null;
  if (verp) {
    const r = await db.selectFrom('mailing_recipients').select(['id', 'campaign_id', 'email_norm']).where('id', '=', verp.recipientId).where('campaign_id', '=', verp.campaignId).executeTakeFirst();
    if (r) [emailNorm, recipientId, campaignId] = [r.email_norm, r.id, r.campaign_id];
  }
  if (!emailNorm && report.recipient) {
    const a = checkAddress(report.recipient);
    if (a.ok) emailNorm = a.norm;
  }
  if (!emailNorm) return 'ignored';
  await db.transaction().execute((trx) => recordBounce(trx, cfg, { emailNorm: emailNorm!, campaignId, recipientId, kind: report.kind, status: report.status, diagnostic: report.diagnostic, source: 'dsn' }));
  return 'bounce';
}

/** The inbound SMTP listener: only our VERP and unsubscribe addresses are accepted (550 for anything else, no relay). */
export function startBounceListener(db: MailingDb, cfg: MailingConfig, secret: string, log: { warn(o: object, m: string): void }): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 2 * 1024 * 1024,
    banner: 'Consulaire bounce listener',
    onRcptTo(address, _session, callback) {
      const a = address.address;
      if (/^bounces\+\d+-\d+-[A-Za-z0-9_-]+@/i.test(a) || /^unsubscribe\+[^@]+@/i.test(a)) return callback();
      const err = Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 });
      return callback(err);
    },
    onData(stream, session, callback) {
      const rcpt = session.envelope.rcptTo.map((r) => r.address);
      handleInbound(db, cfg, secret, rcpt, stream)
        .then(() => callback())
        .catch((e: unknown) => {
          log.warn({ err: e instanceof Error ? e.message : String(e) }, 'bounce listener: message not processed');
          stream.resume();
          callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
        });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.bouncePort ?? 0, cfg.bounceHost, () => {
      const port = (server.server.address() as { port: number }).port;
      resolve({ port, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

// ————— relay providers' webhook —————

export interface WebhookEvent {
  type: string;
  email: string;
  status?: string;
  reason?: string;
  message_id?: string;
}

/** Events of relay providers, in a neutral shape: `bounce` (hard/soft by status), `complaint`, `unsubscribe`. Returns how many were recorded. */
export async function applyWebhookEvents(db: MailingDb, cfg: MailingConfig, events: readonly WebhookEvent[]): Promise<number> {
  let n = 0;
  for (const e of events) {
    const a = checkAddress(e.email ?? '');
    if (!a.ok) continue;
    const recipient = e.message_id ? /campaign-(\d+)\.recipient-(\d+)@/.exec(e.message_id) : null;
    const ids = recipient ? { campaignId: Number(recipient[1]), recipientId: Number(recipient[2]) } : { campaignId: null, recipientId: null };
    if (ids.recipientId) {
      const r = await db.selectFrom('mailing_recipients').select('email_norm').where('id', '=', ids.recipientId).where('campaign_id', '=', ids.campaignId!).executeTakeFirst();
      if (!r || r.email_norm !== a.norm) Object.assign(ids, { campaignId: null, recipientId: null });
    }
    const type = e.type.toLowerCase();
    if (type === 'bounce' || type === 'hard_bounce' || type === 'soft_bounce') {
      const status = e.status ?? (type === 'soft_bounce' ? '4.0.0' : '5.0.0');
      const kind = type === 'soft_bounce' ? 'soft' : (classifyStatus(status) ?? 'hard');
      await recordBounce(db, cfg, { emailNorm: a.norm, ...ids, kind, status, diagnostic: e.reason ?? '', source: 'webhook' });
      n++;
    } else if (type === 'complaint' || type === 'spam') {
      await recordBounce(db, cfg, { emailNorm: a.norm, ...ids, kind: 'complaint', status: 'abuse', diagnostic: e.reason ?? '', source: 'webhook' });
      n++;
    } else if (type === 'unsubscribe') {
      await unsubscribeEverywhere(db, normalise(a.norm), 'relais');
      n++;
    }
  }
  return n;
}
