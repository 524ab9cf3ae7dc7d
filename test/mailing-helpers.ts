// Test helpers of the mailing module: a loopback SMTP sink that keeps each message's envelope,
// headers and Message-ID (counts per recipient: "exactly once"), and can answer a temporary
// failure (451) the first time it sees some addresses.
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

export interface SinkMessage {
  from: string;
  to: string[];
  mail: ParsedMail;
}

export interface Sink {
  url: string;
  port: number;
  messages: SinkMessage[];
  /** raw count of accepted messages (also when not parsed) */
  accepted: number;
  waitFor(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

/** `rejectData`: messages to these recipients refused after DATA (554, a permanent failure of the message). `tempFailOnce`: recipients (by address and envelope sender) answered 451 at RCPT the first time (a greylisting server). `parse`: false keeps counts only (fast, for thousands). */
export async function startSink(opts: { tempFailOnce?: (rcpt: string, from: string) => boolean; rejectData?: (rcpt: string, from: string) => boolean; parse?: boolean; onMessageId?: (id: string) => void } = {}): Promise<Sink> {
  const messages: SinkMessage[] = [];
  const seen = new Set<string>();
  const sink = { accepted: 0 } as Sink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, session, callback) {
      if (opts.tempFailOnce?.(address.address, session.envelope.mailFrom ? session.envelope.mailFrom.address : '') && !seen.has(address.address)) {
        seen.add(address.address);
        return callback(Object.assign(new Error('4.7.1 Greylisted, try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const to = session.envelope.rcptTo.map((r) => r.address);
      if (to.some((a) => opts.rejectData?.(a, from))) {
        stream.on('data', () => {});
        stream.on('end', () => callback(Object.assign(new Error('5.6.0 Message refused by policy'), { responseCode: 554 })));
        return;
      }
      if (opts.parse === false) {
        // Only the Message-ID header, read from the head of the stream.
        let head = '';
        stream.on('data', (c: Buffer) => {
          if (head.length < 4096) head += c.toString('latin1');
        });
        stream.on('end', () => {
          sink.accepted++;
          const m = /^Message-ID:\s*(<[^>]+>)/im.exec(head);
          if (m) opts.onMessageId?.(m[1]);
          callback();
        });
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          sink.accepted++;
          messages.push({ from, to, mail });
          callback();
        })
        .catch(callback);
    },
  });
  // A sender killed mid-conversation (the fault test) resets its connections: not an error here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return Object.assign(sink, {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    async waitFor(n: number, timeoutMs = 8000) {
      const end = Date.now() + timeoutMs;
      while (messages.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      if (messages.length < n) throw new Error(`expected ${n} messages, got ${messages.length}`);
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** A delivery status notification (RFC 3464) as a receiving MTA would send it back to the return path. */
export function dsn(opts: { to: string; recipient: string; status: string; action?: string; diagnostic?: string }): string {
  const boundary = 'dsn-boundary-42';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.exemple.fr>',
    `To: ${opts.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This is the mail system at host mx.exemple.fr. Your message could not be delivered.',
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.exemple.fr',
    'Arrival-Date: Mon, 7 Dec 2026 01:00:00 +0100',
    '',
    `Final-Recipient: rfc822; ${opts.recipient}`,
    `Original-Recipient: rfc822; ${opts.recipient}`,
    `Action: ${opts.action ?? 'failed'}`,
    `Status: ${opts.status}`,
    `Diagnostic-Code: smtp; ${opts.diagnostic ?? `550 ${opts.status} User unknown`}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    'Subject: original',
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** Sends raw mail over SMTP to the bounce listener (a real SMTP conversation). */
export async function sendRaw(port: number, envelope: { from: string; to: string }, raw: string): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await t.sendMail({ envelope, raw });
  } finally {
    t.close();
  }
}
