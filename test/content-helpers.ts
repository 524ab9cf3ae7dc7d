// Factories for the content tests: items published through the real service (as the system).
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import type { AnyDb } from '../src/platform/db/index.js';
import * as svc from '../src/modules/content/content.service.js';
import type { Kind } from '../src/modules/content/content.table.js';

let n = 0;
export async function publishedItem(db: AnyDb, kind: Kind, audiences: string[], extra: svc.ItemInput = {}): Promise<number> {
  n++;
  const input: svc.ItemInput = { title: `${kind} ${audiences.join('+')} ${n}`, summary: `résumé ${n}`, body: `<p>corps ${n}</p>`, audiences, ...(kind === 'event' ? { event_start: '2099-06-01T10:00' } : {}), ...extra };
  return db.transaction().execute(async (trx) => {
    let it = await svc.createItem(trx, SYSTEM_ACTOR, kind, input);
    it = await svc.submitItem(trx, SYSTEM_ACTOR, it.id, it.version);
    it = await svc.publishItem(trx, SYSTEM_ACTOR, it.id, it.version);
    return it.id;
  });
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');

export async function publishedDocument(db: AnyDb, dataDir: string, audiences: string[], title: string): Promise<{ id: number; fileId: number }> {
  return db.transaction().execute(async (trx) => {
    let it = await svc.createItem(trx, SYSTEM_ACTOR, 'document', { title, audiences });
    it = await svc.addDocumentVersion(trx, dataDir, SYSTEM_ACTOR, it.id, it.version, { bytes: PDF, filename: `${title}.pdf`, note: '' });
    it = await svc.submitItem(trx, SYSTEM_ACTOR, it.id, it.version);
    it = await svc.publishItem(trx, SYSTEM_ACTOR, it.id, it.version);
    return { id: it.id, fileId: it.document_file_id! };
  });
}

/** Multipart body for app.inject. */
export function multipart(fields: Record<string, string>, file?: { name: string; filename: string; bytes: Buffer; type?: string }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----consulaire' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\ncontent-type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
