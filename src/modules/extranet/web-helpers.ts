// HTTP helpers shared by the extranet's member and staff routes: multipart reading with file
// checks, refusal of fields a form does not offer (mass assignment), audit of refused access.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { record } from '../../platform/audit/audit.js';
import type { AnyDb } from '../../platform/db/index.js';
import { AppError, forbidden } from '../../platform/errors.js';
import { checkFile, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, type CheckedFile } from './attachments.js';

export interface FormWithFiles {
  fields: Record<string, string>;
  files: CheckedFile[];
  /** i18n key of the first problem with the files, if any */
  fileError?: string;
}

/**
 * Reads a form that may carry attachments (multipart) or not (urlencoded). Files are checked by
 * size and by content; a form that names a field outside `allowed` is refused (403).
 */
export async function readForm(req: FastifyRequest, allowed: readonly string[]): Promise<FormWithFiles> {
  const ok = new Set([...allowed, '_csrf']);
  if (!req.isMultipart()) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    assertOnly(Object.keys(body), ok);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) fields[k] = String(Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).slice(0, 20_000);
    return { fields, files: [] };
  }
  const out: FormWithFiles = { fields: {}, files: [] };
  try {
    for await (const part of req.parts({ limits: { fileSize: MAX_ATTACHMENT_BYTES, files: MAX_ATTACHMENTS, fields: 20, fieldSize: 40_000 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'attachments') {
          await part.toBuffer().catch(() => undefined);
          throw forbidden('extranet.forbidden_fields');
        }
        const data = await part.toBuffer();
        if (!part.filename && data.length === 0) continue; // the empty file input of a form
        if (part.file.truncated) {
          out.fileError ??= 'extranet.attachment_too_large';
          continue;
        }
        const checked = checkFile(part.filename, data);
        if ('error' in checked) out.fileError ??= checked.error;
        else out.files.push(checked);
      } else {
        if (!ok.has(part.fieldname)) throw forbidden('extranet.forbidden_fields');
        out.fields[part.fieldname] = String(part.value ?? '').replace(/\u0000/g, '').slice(0, 20_000);
      }
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') return { ...out, fileError: 'extranet.attachment_too_large' };
    if (code === 'FST_FILES_LIMIT') return { ...out, fileError: 'extranet.attachment_too_many' };
    throw e;
  }
  return out;
}

function assertOnly(keys: string[], ok: Set<string>): void {
  if (keys.some((k) => !ok.has(k))) throw forbidden('extranet.forbidden_fields');
}

/** Refuses (403) an urlencoded body naming any field the form does not offer. */
export function allowOnly(req: FastifyRequest, allowed: readonly string[]): void {
  assertOnly(Object.keys((req.body ?? {}) as Record<string, unknown>), new Set([...allowed, '_csrf']));
}

const PREFIXES = ['/extranet', '/gestion-extranet'];
const onOurRoutes = (url: string) => {
  const path = url.split('?')[0];
  return PREFIXES.some((p) => path === p || path.startsWith(p + '/'));
};

/**
 * Every refused request on the extranet's routes (401 or a redirect to sign-in, 403, 404, 429) leaves an audit row:
 * probing another company's ids must be visible to the people who watch the audit log.
 * Written before the answer leaves (onSend, not onResponse): when the client has its refusal,
 * the row is there — an onResponse row could still be on its way, and a test counting them
 * right after the last request missed one on PostgreSQL.
 */
export function auditRefusals(app: FastifyInstance, db: AnyDb): void {
  app.addHook('onSend', async (req, reply, payload) => {
    await auditIfRefused(req, reply, db);
    return payload;
  });
}

async function auditIfRefused(req: FastifyRequest, reply: FastifyReply, db: AnyDb): Promise<void> {
  const status = reply.statusCode;
  // A page asked with the other audience's session answers with a redirect to a sign-in
  // page (a plain visitor without any session is not worth a row).
  const toSignIn = status === 302 && Boolean(req.cookies.sid || req.cookies.msid) && /^\/(extranet\/)?connexion\?next=/.test(String(reply.getHeader('location') ?? ''));
  if (![401, 403, 404, 429].includes(status) && !toSignIn) return;
  if (!onOurRoutes(req.url)) return;
  const path = req.url.split('?')[0];
  try {
    await record(db, req.actor ?? { id: null, label: 'anonyme', kind: 'anonymous', roles: [], permissions: new Set() }, {
      entity: 'extranet_access',
      entityId: path.replace(/[A-Za-z0-9_-]{24,}/g, '…').slice(0, 200),
      action: 'denied',
      changes: { method: req.method, status: toSignIn ? 401 : status, company: req.actor?.memberOf?.current ?? null },
    });
  } catch (e) {
    req.log.error({ err: e }, 'could not audit a refused extranet request');
  }
}

export function isAppErrorOf(e: unknown, kind: AppError['kind']): e is AppError {
  return e instanceof AppError && e.kind === kind;
}
