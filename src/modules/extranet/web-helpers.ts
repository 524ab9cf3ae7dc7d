// HTTP helpers shared by the extranet's member and staff routes: multipart reading with file
// checks, refusal of fields a form does not offer (mass assignment), audit of refused access.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { record } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';
import { findContact } from '../registry/index.js';
import { checkFile, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, type CheckedFile } from './attachments.js';
import { companyOfRow, type CompanyOwnedTable } from './extranet.queries.js';
import type { ExtranetDb } from './extranet.table.js';

export interface FormWithFiles {
  fields: Record<string, string>;
  /** every value of each field, in order (a multiple select, repeated checkboxes); `fields` keeps the last */
  lists: Record<string, string[]>;
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
    const lists: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(body)) {
      fields[k] = String(Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).slice(0, 20_000);
      lists[k] = (Array.isArray(v) ? v : [v]).slice(0, 200).map((x) => String(x ?? '').slice(0, 20_000));
    }
    return { fields, lists, files: [] };
  }
  const out: FormWithFiles = { fields: {}, lists: {}, files: [] };
  try {
    for await (const part of req.parts({ limits: { fileSize: MAX_ATTACHMENT_BYTES, files: MAX_ATTACHMENTS, fields: 60, fieldSize: 40_000 } })) {
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
        (out.lists[part.fieldname] ??= []).push(out.fields[part.fieldname]);
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
export function auditRefusals(app: FastifyInstance, db: ExtranetDb): void {
  app.addHook('onSend', async (req, reply, payload) => {
    await auditIfRefused(req, reply, db);
    return payload;
  });
}

/**
 * The record a refused URL aimed at, and the company it belongs to: a member of company 64
 * probing `/extranet/demandes/17` (a request of company 204) is an attempt on 204, and the
 * audit must say so — the current company is only the context it came from.
 * Each pattern names the table holding the id of the URL, whose row gives the company.
 */
const TARGETS: { pattern: RegExp; entity: string; table: CompanyOwnedTable | 'contacts' }[] = [
  { pattern: /^\/(?:extranet|gestion-extranet)\/demandes\/(\d{1,12})(?:\/|$)/, entity: 'member_request', table: 'member_requests' },
  { pattern: /^\/(?:extranet|gestion-extranet)\/pieces-jointes\/(\d{1,12})$/, entity: 'member_attachment', table: 'member_attachments' },
  { pattern: /^\/extranet\/mon-entreprise\/corrections\/(\d{1,12})$/, entity: 'member_change_request', table: 'member_change_requests' },
  { pattern: /^\/gestion-extranet\/corrections\/(\d{1,12})(?:\/|$)/, entity: 'member_change_request', table: 'member_change_requests' },
  { pattern: /^\/extranet\/contacts\/(\d{1,12})(?:\/|$)/, entity: 'contact', table: 'contacts' },
  { pattern: /^\/extranet\/equipe\/invitations\/(\d{1,12})(?:\/|$)/, entity: 'member_invitation', table: 'member_invitations' },
  { pattern: /^\/gestion-extranet\/invitations\/(\d{1,12})(?:\/|$)/, entity: 'member_invitation', table: 'member_invitations' },
  { pattern: /^\/extranet\/equipe\/(\d{1,12})(?:\/|$)/, entity: 'member_membership', table: 'member_memberships' },
  { pattern: /^\/gestion-extranet\/acces\/(\d{1,12})(?:\/|$)/, entity: 'member_membership', table: 'member_memberships' },
];

export interface RefusedTarget {
  entity: string | null;
  id: number | null;
  /** the company the refused URL or record belongs to; null when the record does not exist */
  company: number | null;
}

export async function refusedTarget(db: ExtranetDb, req: FastifyRequest, path: string): Promise<RefusedTarget | null> {
  // Switching to a company: the target is the one named in the form.
  if (path === '/extranet/entreprise-courante') {
    const wanted = Number((req.body as Record<string, unknown> | undefined)?.company_id);
    return Number.isSafeInteger(wanted) && wanted > 0 ? { entity: 'company', id: wanted, company: wanted } : null;
  }
  const byQuery = Number((req.query as Record<string, unknown> | undefined)?.entreprise);
  for (const t of TARGETS) {
    const m = t.pattern.exec(path);
    if (!m) continue;
    const id = Number(m[1]);
    // Contacts are the registry's: read through its contract, not its table.
    if (t.table === 'contacts') return { entity: t.entity, id, company: (await findContact(db, id))?.companyId ?? null };
    return { entity: t.entity, id, company: (await companyOfRow(db, t.table, id)) ?? null };
  }
  if (path === '/gestion-extranet/demandes' && Number.isSafeInteger(byQuery) && byQuery > 0) return { entity: 'company', id: byQuery, company: byQuery };
  return null;
}

async function auditIfRefused(req: FastifyRequest, reply: FastifyReply, db: ExtranetDb): Promise<void> {
  const status = reply.statusCode;
  // A page asked with the other audience's session answers with a redirect to a sign-in
  // page (a plain visitor without any session is not worth a row).
  const toSignIn = status === 302 && Boolean(req.cookies.sid || req.cookies.msid) && /^\/(extranet\/)?connexion\?next=/.test(String(reply.getHeader('location') ?? ''));
  if (![401, 403, 404, 429].includes(status) && !toSignIn) return;
  if (!onOurRoutes(req.url)) return;
  const path = req.url.split('?')[0];
  try {
    const current = req.actor?.memberOf?.current ?? null;
    const target = await refusedTarget(db, req, path);
    await record(db, req.actor ?? { id: null, label: 'anonyme', kind: 'anonymous', roles: [], permissions: new Set() }, {
      entity: 'extranet_access',
      entityId: path.replace(/[A-Za-z0-9_-]{24,}/g, '…').slice(0, 200),
      action: 'denied',
      // `company`: the company whose data was refused (the record's, or the URL's); without a
      // record in the URL, the page was one of the current company. `current_company`: where
      // the member stood when trying.
      changes: {
        method: req.method,
        status: toSignIn ? 401 : status,
        company: target ? target.company : current,
        ...(target ? { target: `${target.entity}:${target.id}` } : {}),
        current_company: current,
      },
    });
  } catch (e) {
    req.log.error({ err: e }, 'could not audit a refused extranet request');
  }
}


/** Sends a stored attachment as a download, never rendered inline (no stored XSS via a PDF/SVG). */
export function sendFile(reply: FastifyReply, f: { fileName: string; contentType: string; data: Buffer }) {
  const ascii = f.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .header('content-type', f.contentType)
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.fileName)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(f.data);
}
