// Outgoing mail. Every message is written to the outbox first (so nothing is lost if the SMTP
// server is down), then sent by the 'mail.send' job. Without SMTP_URL, messages are "kept":
// readable by admins on the outbox page in demo mode, never sent.
import nodemailer, { type Transporter } from 'nodemailer';
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import { enqueue, type JobHandler } from '../jobs/index.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * extra header lines (List-Unsubscribe, List-Unsubscribe-Post…); names and values without
   * CR/LF (refused here: a header built from data must not split the message)
   */
  headers?: Record<string, string>;
  /** files sent with the message (a report's PDF); kept in the outbox with it */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

type StoredAttachment = { filename: string; contentType: string; base64: string };

export class Mailer {
  private transport?: Transporter;

  constructor(
    private readonly smtpUrl: string | undefined,
    private readonly from: string,
  ) {
    if (smtpUrl) {
      const u = new URL(smtpUrl);
      const secure = u.protocol === 'smtps:';
      this.transport = nodemailer.createTransport({
        host: u.hostname,
        port: Number(u.port || (secure ? 465 : 25)),
        secure,
        auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
        // Loopback test servers and internal relays often have no certificate worth checking.
        tls: { rejectUnauthorized: u.searchParams.get('tls') !== 'insecure' ? !['127.0.0.1', 'localhost', '::1'].includes(u.hostname) : false },
      });
    }
  }

  get sends(): boolean {
    return this.transport !== undefined;
  }

  /** Writes the message to the outbox and, when SMTP is configured, queues its sending. */
  async queue(caller: AnyDb, mail: OutgoingMail): Promise<number> {
    const db: PlatformDb = caller;
    const row = await db
      .insertInto('mail_outbox')
      .values({
        to_address: mail.to,
        subject: mail.subject,
        text_body: mail.text,
        html_body: mail.html ?? null,
        attachments: mail.attachments?.length ? JSON.stringify(mail.attachments.map((a): StoredAttachment => ({ filename: a.filename, contentType: a.contentType, base64: a.content.toString('base64') }))) : null,
        headers: mail.headers && Object.keys(mail.headers).length ? JSON.stringify(checkedHeaders(mail.headers)) : null,
        status: this.sends ? 'queued' : 'kept',
        created_at: nowIso(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (this.sends) await enqueue(db, 'mail.send', { id: row.id }, { maxAttempts: 8 });
    return row.id;
  }

  /** Job handler: sends one outbox message. */
  readonly sendJob: JobHandler = async (payload: { id: number }, { db, job }) => {
    const d: PlatformDb = db;
    const m = await d.selectFrom('mail_outbox').selectAll().where('id', '=', payload.id).executeTakeFirst();
    if (!m || m.status === 'sent' || !this.transport) return;
    try {
      const attachments = m.attachments ? (JSON.parse(m.attachments) as StoredAttachment[]).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.base64, 'base64') })) : undefined;
      await this.transport.sendMail({ from: this.from, to: m.to_address, subject: m.subject, text: m.text_body, html: m.html_body ?? undefined, headers: m.headers ? (JSON.parse(m.headers) as Record<string, string>) : undefined, attachments });
      await d.updateTable('mail_outbox').set({ status: 'sent', sent_at: nowIso(), error: null }).where('id', '=', m.id).execute();
    } catch (e) {
      // SMTP down: the mail keeps waiting while the job has attempts left (the error shown).
      const willRetry = job.attempts < job.max_attempts;
      await d.updateTable('mail_outbox').set({ status: willRetry ? 'queued' : 'failed', error: (e as Error).message }).where('id', '=', m.id).execute();
      throw e;
    }
  };

  close(): void {
    this.transport?.close();
  }
}

/** Header names are tokens and values one line: anything else is a bug of the caller, refused. */
function checkedHeaders(headers: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[A-Za-z0-9-]{1,76}$/.test(name) || /[\r\n]/.test(value)) throw new Error(`mail: header ${JSON.stringify(name)} refused`);
  }
  return headers;
}
