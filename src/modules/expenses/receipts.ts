// Receipts and quotes: the type is read from the bytes (content's detectType), photos are
// downscaled with sharp (at most 2000 px on their long side, JPEG, rotated upright, metadata
// dropped) and PDFs kept as sent; the file goes to content's storage, named by its hash. The
// SHA-256 kept for duplicate detection is the one of the file as sent.
import { createHash } from 'node:crypto';
import { detectType, storeDocument } from '../content/index.js';

/** Largest receipt or quote accepted, as sent (a phone photo is 2–8 MB; a scanned PDF rarely more). */
export const MAX_RECEIPT_BYTES = 10 * 1024 * 1024;
export const RECEIPT_MAX_SIDE = 2000;

export interface Upload {
  bytes: Buffer;
  filename: string;
  /** cut by the reader at the size limit */
  tooBig?: boolean;
}

export interface StoredFile {
  storageKey: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
}

/** Checks and stores one file; an error is an i18n key for the field (too big, wrong type). */
export async function storeReceipt(dataDir: string, upload: Upload): Promise<StoredFile | { error: string }> {
  if (upload.tooBig || upload.bytes.length > MAX_RECEIPT_BYTES) return { error: 'expenses.receipt_too_big' };
  if (upload.bytes.length === 0) return { error: 'expenses.receipt_empty' };
  const kind = detectType(upload.bytes, upload.filename);
  const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
  if (kind?.mime === 'application/pdf') {
    const s = storeDocument(dataDir, upload.bytes, upload.filename);
    return { storageKey: s.storageKey, name: s.name, mime: s.mime, size: s.size, sha256 };
  }
  if (!kind || !['image/jpeg', 'image/png', 'image/webp', 'image/gif'].includes(kind.mime)) return { error: 'expenses.receipt_type' };
  let out: Buffer;
  try {
    // Loaded on the first photo only: sharp costs ~0.2 s at start-up otherwise.
    const { default: sharp } = await import('sharp');
    out = await sharp(upload.bytes, { animated: false, limitInputPixels: 60_000_000 })
      .rotate()
      .resize({ width: RECEIPT_MAX_SIDE, height: RECEIPT_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80, mozjpeg: true })
      .toBuffer();
  } catch {
    return { error: 'expenses.receipt_type' };
  }
  const s = storeDocument(dataDir, out, upload.filename.replace(/\.[^.]*$/, '') + '.jpg');
  return { storageKey: s.storageKey, name: s.name, mime: s.mime, size: s.size, sha256 };
}
