// Files sent with a request of an admin-defined type: checked and kept by the content module's
// storage (type read from the bytes, not the name), at most 10 MB each.
import { invalid, isAppError } from '../../platform/errors.js';
import { storeDocument } from '../content/index.js';
import type { FieldDefinition } from './definition.js';
import { MAX_ATTACHMENT_BYTES, type AttachmentRef } from './fields.js';

export interface Uploads {
  dataDir: string;
  /** by field name; `tooBig` when the upload was cut at the size limit */
  files: Record<string, { bytes: Buffer; filename: string; tooBig?: boolean }>;
}

export function storeUploads(fields: FieldDefinition[], uploads: Uploads): Record<string, AttachmentRef> {
  const out: Record<string, AttachmentRef> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    if (f.kind !== 'attachment') continue;
    const file = uploads.files[f.name];
    if (!file || !file.filename || file.bytes.length === 0) continue;
    if (file.tooBig || file.bytes.length > MAX_ATTACHMENT_BYTES) {
      errors[f.name] = 'approvals.field.file_too_big';
      continue;
    }
    try {
      const s = storeDocument(uploads.dataDir, file.bytes, file.filename);
      out[f.name] = { storageKey: s.storageKey, name: s.name, mime: s.mime, size: s.size };
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') errors[f.name] = e.fields.file === 'content.file_too_big' ? 'approvals.field.file_too_big' : 'approvals.field.file_type';
      else throw e;
    }
  }
  if (Object.keys(errors).length) throw invalid('approvals.form_invalid', errors);
  return out;
}
