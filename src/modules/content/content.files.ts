// Uploaded files: the type is decided from the first bytes (magic numbers), never from the name
// or the browser's content type. Images are re-encoded by sharp (resized, metadata such as GPS
// position stripped), which also neutralises anything hidden in the original. Files are kept
// under DATA_DIR/content-files, named by their SHA-256 (shared storage when scaled out).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { invalid } from '../../platform/errors.js';
import { writeFileAtomic } from '../../platform/ops/files.js';

export const MAX_IMAGE_BYTES = 15 * 1024 * 1024;
export const MAX_DOCUMENT_BYTES = 40 * 1024 * 1024;
export const IMAGE_MAX_WIDTH = 1600;

export interface Detected {
  mime: string;
  ext: string;
}

const startsWith = (b: Buffer, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x);

/** What the bytes are (not what the name says). undefined → refused. */
export function detectType(bytes: Buffer, filename = ''): Detected | undefined {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { mime: 'application/pdf', ext: 'pdf' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mime: 'image/png', ext: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg' };
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return { mime: 'image/gif', ext: 'gif' };
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return { mime: 'image/webp', ext: 'webp' };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    // Office Open XML and OpenDocument are zip files: the zip's content names tell which.
    const head = bytes.subarray(0, Math.min(bytes.length, 64 * 1024)).toString('latin1');
    if (head.includes('word/')) return { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' };
    if (head.includes('xl/')) return { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' };
    if (head.includes('ppt/')) return { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: 'pptx' };
    if (head.includes('application/vnd.oasis.opendocument.text')) return { mime: 'application/vnd.oasis.opendocument.text', ext: 'odt' };
    if (head.includes('application/vnd.oasis.opendocument.spreadsheet')) return { mime: 'application/vnd.oasis.opendocument.spreadsheet', ext: 'ods' };
    if (head.includes('[Content_Types].xml')) {
      const ext = path.extname(filename).slice(1).toLowerCase();
      if (ext === 'docx' || ext === 'xlsx' || ext === 'pptx') return detectType(Buffer.from(`PK\x03\x04${ext === 'docx' ? 'word/' : ext === 'xlsx' ? 'xl/' : 'ppt/'}`, 'latin1'));
    }
    return undefined;
  }
  // Plain text / CSV: valid UTF-8, no NUL byte, no markup that a browser could run.
  const ext = path.extname(filename).slice(1).toLowerCase();
  if ((ext === 'txt' || ext === 'csv') && !bytes.includes(0)) {
    const text = bytes.toString('utf8');
    if (!text.includes('\ufffd') && !/<\s*(script|html|svg|iframe)/i.test(text)) return { mime: ext === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8', ext };
  }
  return undefined;
}

export function isImageType(d: Detected | undefined): boolean {
  return !!d && ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(d.mime);
}

export interface Stored {
  storageKey: string;
  sha256: string;
  size: number;
  mime: string;
  name: string;
  width?: number;
  height?: number;
}

function dir(dataDir: string): string {
  const d = path.join(dataDir, 'content-files');
  if (!existsSync(d)) mkdirSync(d, { recursive: true });
  return d;
}

function put(dataDir: string, bytes: Buffer, ext: string): { storageKey: string; sha256: string } {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const storageKey = `${sha256}.${ext}`;
  const file = path.join(dir(dataDir), storageKey);
  // All or nothing (a full disk must not leave a truncated file under a name trusted from then on).
  if (!existsSync(file)) writeFileAtomic(file, bytes);
  return { storageKey, sha256 };
}

export function readStored(dataDir: string, storageKey: string): Buffer {
  if (!/^[a-f0-9]{64}\.[a-z]{2,5}$/.test(storageKey)) throw new Error('bad storage key');
  return readFileSync(path.join(dir(dataDir), storageKey));
}

/** A clean, safe file name for Content-Disposition and URLs. */
export function safeName(name: string, ext: string): string {
  const base = path.basename(name).replace(/\.[^.]*$/, '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'fichier';
  return `${base}.${ext}`;
}

/** Checks, resizes (at most 1600 px wide) and re-encodes an image as WebP. */
export async function storeImage(dataDir: string, bytes: Buffer, filename: string): Promise<Stored> {
  if (bytes.length === 0) throw invalid('common.invalid', { file: 'field.required' });
  if (bytes.length > MAX_IMAGE_BYTES) throw invalid('common.invalid', { file: 'content.file_too_big' });
  const kind = detectType(bytes, filename);
  if (!isImageType(kind)) throw invalid('common.invalid', { file: 'content.image_type' });
  let out: { data: Buffer; info: { width: number; height: number } };
  try {
    // sharp is loaded on the first upload only: it costs ~0.2 s at start-up otherwise.
    const { default: sharp } = await import('sharp');
    out = await sharp(bytes, { animated: false, limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ width: IMAGE_MAX_WIDTH, withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw invalid('common.invalid', { file: 'content.image_type' });
  }
  const { storageKey, sha256 } = put(dataDir, out.data, 'webp');
  return { storageKey, sha256, size: out.data.length, mime: 'image/webp', name: safeName(filename, 'webp'), width: out.info.width, height: out.info.height };
}

/** Checks and keeps a document as sent (PDF, office files, images, text). */
export function storeDocument(dataDir: string, bytes: Buffer, filename: string): Stored {
  if (bytes.length === 0) throw invalid('common.invalid', { file: 'field.required' });
  if (bytes.length > MAX_DOCUMENT_BYTES) throw invalid('common.invalid', { file: 'content.file_too_big' });
  const kind = detectType(bytes, filename);
  if (!kind) throw invalid('common.invalid', { file: 'content.document_type' });
  const { storageKey, sha256 } = put(dataDir, bytes, kind.ext);
  return { storageKey, sha256, size: bytes.length, mime: kind.mime, name: safeName(filename, kind.ext) };
}
