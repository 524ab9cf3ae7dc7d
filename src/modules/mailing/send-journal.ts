// The send journal and the held final dot (ADR 0012): what makes a crash recovery send nobody twice.
//
// An SMTP server accepts a message when it receives the end of DATA (CRLF.CRLF); a connection
// that drops before discards it. nodemailer writes that terminator (smtp-connection/data-stream.js
// `_flush`) only when the message stream it is fed ENDS. So the last stage of each campaign
// message's stream (`FinalDotGate`, added to the transport as a 'stream' plugin) ends only once
// the DATA stream has taken every byte, and just before ending it appends "<recipient> <attempt>"
// to the run's journal with a synchronous write. What follows — our 'end', DataStream's flush,
// the socket write of '.\r\n' — is a chain of nextTicks: no I/O wait in between.
//
// After a crash, a recipient still 'claimed' by the dead run is:
// - in its journal: the terminator may have left, the server may have accepted it → 'sent',
//   presumed (counted and listed on the campaign);
// - not in it: no terminator ever left, the server cannot have accepted it → sent again, safely;
// - the run has no journal here (a run on another host sharing PostgreSQL): unknown → sent
//   again with the same Message-ID (`resent_uncertain`), as before the journal.
//
// writeSync puts the line in the kernel's page cache: it survives the process being killed
// (SIGKILL, OOM killer, a crash), not a power cut or a kernel panic (no fsync per message: it
// would cost a disk flush per message).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import type { Transporter } from 'nodemailer';

/** The journal of one run (one sender slice): `<dir>/<owner>.log`, one "<recipient id> <attempt>" line per final dot. */
export class SendJournal {
  private fd: number | undefined;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    // Created before anything is claimed: "file present" tells a recovery this host holds the run's journal,
    // even when the run died before its first final dot (then every one of its claims is safe to resend).
    this.fd = openSync(file, 'a');
  }

  static forRun(dir: string, owner: string): SendJournal {
    return new SendJournal(journalFile(dir, owner));
  }

  /** One line per message, in ONE write (O_APPEND): a crash cannot leave half a line that parses as another id. */
  append(recipientId: number, attempt: number): void {
    if (this.fd === undefined) throw new Error('send journal closed');
    writeSync(this.fd, `${recipientId} ${attempt}\n`);
  }

  /** Closes it; `remove`: the run's claims are all resolved in the database, the journal has nothing left to say. */
  close(remove: boolean): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (remove) removeJournal(this.file);
  }
}

export function journalFile(dir: string, owner: string): string {
  // The owner is ours (`s-` + hex), never user input; checked anyway so a stray value cannot name another path.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(owner)) throw new Error(`send journal: bad run owner "${owner}"`);
  return path.join(dir, `${owner}.log`);
}

/** What a dead run's journal says: recipient id → attempts whose final dot may have left; undefined when this host has no journal for that run. */
export function readJournal(dir: string, owner: string): Map<number, Set<number>> | undefined {
  const file = journalFile(dir, owner);
  if (!existsSync(file)) return undefined;
  const out = new Map<number, Set<number>>();
  for (const line of readFileSync(file, 'latin1').split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (!m) continue; // the empty tail after the last newline
    const id = Number(m[1]);
    let set = out.get(id);
    if (!set) out.set(id, (set = new Set()));
    set.add(Number(m[2]));
  }
  return out;
}

export function removeJournal(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Journals of runs older than `olderThanMs` (by last write), for which `hasClaims(owner)` says no
 * recipient is still claimed: left by a run killed when none of its claims was pending (between
 * two batches). Nothing reads them any more.
 */
export async function sweepJournals(dir: string, olderThanMs: number, hasClaims: (owner: string) => Promise<boolean>): Promise<number> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    const m = /^([A-Za-z0-9_-]{1,64})\.log$/.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    try {
      if (Date.now() - statSync(file).mtimeMs < olderThanMs) continue;
    } catch {
      continue;
    }
    if (await hasClaims(m[1])) continue;
    removeJournal(file);
    n++;
  }
  return n;
}

// ————— the held final dot —————

// nodemailer's DATA stream: the only destination whose end writes the terminator. When the envelope is
// refused, nodemailer drains the message into a throwaway PassThrough instead: no journal line then.
// (A deep require: the class is not exported; the fault test fails loudly if this path ever changes.)
const DataStream = createRequire(import.meta.url)('nodemailer/lib/smtp-connection/data-stream.js') as new () => Writable;

/**
 * The last stage of a campaign message's stream. Pull-based with a high-water mark of 0: it takes a
 * chunk from upstream only when its reader asks, so nothing is read before nodemailer pipes it
 * into the DATA stream (after the server's 354, the envelope accepted) — the stages before it
 * (MimeNode's PassThrough, LastNewline) buffer the whole message much earlier, during MAIL FROM
 * and RCPT TO. Its end, hence the terminator, comes only when the DATA stream asks for more
 * after the last byte; `onFinalDot` is called right then, synchronously.
 */
export class FinalDotGate extends Readable {
  private upstreamEnded = false;
  private waiting = false;
  private toData = false;

  constructor(
    private readonly upstream: Readable,
    private readonly onFinalDot: () => void,
  ) {
    super({ highWaterMark: 0 });
    upstream.on('readable', () => this.wake());
    upstream.on('end', () => {
      this.upstreamEnded = true;
      this.wake();
    });
    upstream.on('error', (e) => this.destroy(e));
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    this.toData = destination instanceof DataStream;
    return super.pipe(destination, options);
  }

  override _read(): void {
    const chunk: Buffer | null = this.upstream.read();
    if (chunk !== null) {
      this.push(chunk);
      return;
    }
    if (this.upstreamEnded) {
      this.release();
      return;
    }
    this.waiting = true;
  }

  private wake(): void {
    if (!this.waiting) return;
    this.waiting = false;
    this._read();
  }

  /** Every byte taken by the DATA stream, which asks for more: journal, then end (the terminator follows in the same tick chain). */
  private release(): void {
    if (this.toData) {
      try {
        this.onFinalDot();
      } catch (e) {
        // No journal line, no terminator: the message is abandoned and stays unaccepted (a 'claimed' the recovery resends).
        this.destroy(e as Error);
        return;
      }
    }
    this.push(null);
  }
}

/**
 * A message to gate, registered under its envelope object: nodemailer copies the mail options
 * shallowly (mailer/mail-message.js), so the plugin finds the same object as `mail.data.envelope`.
 */
const gated = new WeakMap<object, () => void>();

export function holdFinalDot<E extends object>(envelope: E, onFinalDot: () => void): E {
  gated.set(envelope, onFinalDot);
  return envelope;
}

/**
 * Installs the gate on a transport, for the messages registered with `holdFinalDot` (other mails —
 * test sends — pass untouched). Added as the 'stream' step's last process function: with DKIM
 * configured on the transport nodemailer would add its signer after it; none is (the CCI's relay signs).
 */
export function installFinalDotGate(transport: Transporter): void {
  transport.use('stream', (mail, done) => {
    const envelope = mail.data.envelope;
    const onFinalDot = envelope ? gated.get(envelope) : undefined;
    if (onFinalDot) mail.message.processFunc((upstream) => new FinalDotGate(upstream, onFinalDot));
    done();
  });
}
