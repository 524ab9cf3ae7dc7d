// Attachment checks: size, and type by content (magic bytes), never by the name or the type
// the browser claims. Anything that is not one of the few document types members need is refused.
import { createHash } from 'node:crypto';

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 3;

export interface CheckedFile {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  data: Buffer;
}

const OFFICE_ZIP: Record<string, string> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
};

const startsWith = (b: Buffer, bytes: number[], at = 0) => bytes.every((v, i) => b[at + i] === v);

/** The content type read from the bytes, or undefined when the file is not accepted. */
export function sniffType(data: Buffer, fileName: string): string | undefined {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (startsWith(data, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'; // %PDF-
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(data, [0x52, 0x49, 0x46, 0x46]) && startsWith(data, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  // Office documents are zip files: accepted only under an office extension, with the zip's
  // local-header signature (an .exe renamed .docx does not start with it).
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04]) && OFFICE_ZIP[ext]) return OFFICE_ZIP[ext];
  if ((ext === 'txt' || ext === 'csv') && isPlainText(data)) return ext === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8';
  return undefined;
}

function isPlainText(data: Buffer): boolean {
  if (data.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/** A file name safe to show and to send back in Content-Disposition. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').trim().slice(0, 150);
  return clean || 'piece-jointe';
}

export function checkFile(fileName: string, data: Buffer): CheckedFile | { error: string } {
  if (data.length === 0) return { error: 'extranet.attachment_empty' };
  if (data.length > MAX_ATTACHMENT_BYTES) return { error: 'extranet.attachment_too_large' };
  const name = cleanFileName(fileName);
  const type = sniffType(data, name);
  if (!type) return { error: 'extranet.attachment_type' };
  return { fileName: name, contentType: type, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), data };
}
