// The backup file: one file, written in one pass, optionally encrypted.
//
//   plain:     "CSLBAK1\n" | entry bytes… | manifest JSON | u32 BE manifest length | "CSLEND1\n"
//   encrypted: "CSLBAKE\n" | 12-byte IV | AES-256-GCM(plain container) | 16-byte tag
//
// The manifest is written last (each entry's SHA-256 and size are known once it is written),
// so a file cut short (kill -9, full disk) has no trailer and is refused as a whole. Reading
// checks every entry's SHA-256 before anything is written anywhere. An encrypted file is
// decrypted to a temporary file whose GCM tag is checked before the container is read: a byte
// changed anywhere fails the whole file. Only node:crypto — no tar, no external tool.
import { createCipheriv, createDecipheriv, createHash, randomBytes, type CipherGCM } from 'node:crypto';
import { createReadStream, createWriteStream, closeSync, openSync, readSync, fstatSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';

const MAGIC = Buffer.from('CSLBAK1\n');
const MAGIC_ENCRYPTED = Buffer.from('CSLBAKE\n');
const TRAILER = Buffer.from('CSLEND1\n');

export interface EntryInfo {
  name: string;
  size: number;
  sha256: string;
}

export class BackupFormatError extends Error {}

/** Writes a container to `file`; entries one after the other, then `finish(manifest)`. */
export class ArchiveWriter {
  private readonly out: WriteStream;
  private readonly cipher?: CipherGCM;
  private failed?: Error;
  readonly entries: EntryInfo[] = [];

  constructor(file: string, key?: Buffer) {
    this.out = createWriteStream(file, { flags: 'wx' });
    this.out.on('error', (e) => (this.failed = e));
    if (key) {
      const iv = randomBytes(12);
      this.cipher = createCipheriv('aes-256-gcm', key, iv);
      this.rawWrite(MAGIC_ENCRYPTED);
      this.rawWrite(iv);
      this.cipher.on('data', (d: Buffer) => this.rawWrite(d));
    }
    this.write(MAGIC);
  }

  private rawWrite(b: Buffer): void {
    this.out.write(b);
  }

  private async drained(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('error', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('error', done);
      });
    }
    if (this.failed) throw this.failed;
  }

  private write(b: Buffer): void {
    if (this.cipher) this.cipher.write(b);
    else this.rawWrite(b);
  }

  /** Adds the bytes of `source` (a file path) as entry `name`. */
  async addFile(name: string, source: string): Promise<EntryInfo> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      hash.update(b);
      size += b.length;
      this.write(b);
      await this.drained();
    }
    const info = { name, size, sha256: hash.digest('hex') };
    this.entries.push(info);
    return info;
  }

  /** Writes the manifest and the trailer, flushes and closes. */
  async finish(manifest: object): Promise<void> {
    const json = Buffer.from(JSON.stringify(manifest));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    this.write(json);
    this.write(len);
    this.write(TRAILER);
    if (this.cipher) {
      this.cipher.end();
      await once(this.cipher, 'end');
      this.rawWrite(this.cipher.getAuthTag());
    }
    this.out.end();
    await Promise.race([once(this.out, 'finish'), once(this.out, 'error')]);
    if (this.failed) throw this.failed;
    await new Promise<void>((resolve, reject) => this.out.close((e) => (e ? reject(e) : resolve())));
  }

  /** Gives up (an error during the backup): closes the file, which the caller removes. */
  async abort(): Promise<void> {
    this.cipher?.destroy();
    if (!this.out.closed) await new Promise<void>((r) => this.out.destroy() && this.out.once('close', () => r()));
  }
}

/** true when the file starts like an encrypted backup. */
export function isEncrypted(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    return head.equals(MAGIC_ENCRYPTED);
  } finally {
    closeSync(fd);
  }
}

/** Decrypts an encrypted backup into `plainFile`; throws when the key is wrong or a byte changed. */
export async function decryptTo(file: string, key: Buffer | undefined, plainFile: string): Promise<void> {
  if (!key) throw new BackupFormatError('this backup is encrypted: set BACKUP_KEY to the key it was made with');
  const fd = openSync(file, 'r');
  let size: number;
  const iv = Buffer.alloc(12);
  const tag = Buffer.alloc(16);
  try {
    size = fstatSync(fd).size;
    if (size < 8 + 12 + 16) throw new BackupFormatError('encrypted backup cut short');
    readSync(fd, iv, 0, 12, 8);
    readSync(fd, tag, 0, 16, size - 16);
  } finally {
    closeSync(fd);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    await pipeline(createReadStream(file, { start: 20, end: size - 17 }), decipher, createWriteStream(plainFile, { mode: 0o600 }));
  } catch (e) {
    throw new BackupFormatError(`cannot decrypt the backup (wrong BACKUP_KEY, or the file was changed or cut short): ${(e as Error).message}`);
  }
}

export interface OpenedArchive {
  file: string;
  manifest: Record<string, unknown> & { entries: EntryInfo[] };
  /** byte offset of each entry in `file` */
  offsets: Map<string, { start: number; size: number; sha256: string }>;
}

/** Reads the trailer and manifest of a plain container. */
export function openArchive(file: string): OpenedArchive {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    if (head.equals(MAGIC_ENCRYPTED)) throw new BackupFormatError('encrypted backup: decrypt first');
    if (!head.equals(MAGIC)) throw new BackupFormatError('not a Consulaire backup file');
    const tail = Buffer.alloc(12);
    if (size < 8 + 12) throw new BackupFormatError('backup cut short (no manifest)');
    readSync(fd, tail, 0, 12, size - 12);
    if (!tail.subarray(4).equals(TRAILER)) throw new BackupFormatError('backup cut short or damaged: its end marker is missing (interrupted while it was written?)');
    const len = tail.readUInt32BE(0);
    if (len > size - 20) throw new BackupFormatError('backup damaged: manifest length out of range');
    const json = Buffer.alloc(len);
    readSync(fd, json, 0, len, size - 12 - len);
    let manifest: OpenedArchive['manifest'];
    try {
      manifest = JSON.parse(json.toString('utf8'));
    } catch {
      throw new BackupFormatError('backup damaged: its manifest is not readable');
    }
    if (manifest.format !== 'consulaire-backup' || !Array.isArray(manifest.entries)) throw new BackupFormatError('backup damaged: unknown manifest');
    const offsets = new Map<string, { start: number; size: number; sha256: string }>();
    let at = 8;
    for (const e of manifest.entries) {
      offsets.set(e.name, { start: at, size: e.size, sha256: e.sha256 });
      at += e.size;
    }
    if (at !== size - 12 - len) throw new BackupFormatError('backup damaged: entry sizes do not add up to the file');
    return { file, manifest, offsets };
  } finally {
    closeSync(fd);
  }
}

/** Checks every entry's SHA-256 against the manifest; returns the names that differ. */
export async function checkEntries(a: OpenedArchive): Promise<string[]> {
  const bad: string[] = [];
  for (const [name, o] of a.offsets) {
    const hash = createHash('sha256');
    if (o.size > 0) for await (const chunk of createReadStream(a.file, { start: o.start, end: o.start + o.size - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== o.sha256) bad.push(name);
  }
  return bad;
}

/** Copies entry `name` to `target` (a new file). */
export async function extractEntry(a: OpenedArchive, name: string, target: string): Promise<void> {
  const o = a.offsets.get(name);
  if (!o) throw new BackupFormatError(`backup has no entry ${name}`);
  const out = createWriteStream(target, { flags: 'w', mode: 0o600 });
  if (o.size === 0) {
    out.end();
    await once(out, 'close');
    return;
  }
  await pipeline(createReadStream(a.file, { start: o.start, end: o.start + o.size - 1, highWaterMark: 1 << 20 }), out);
}
