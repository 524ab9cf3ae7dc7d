// "Mes demandes": a member writes to the CCI; the request lands in a staff queue routed by
// category, becomes a conversation, and both sides are told by e-mail — with a link only,
// never the content (mail leaves our hands; the extranet is where the content lives).
import { record, type Actor } from '../../platform/audit/audit.js';
import { ROLE_GRANTS, type Permission } from '../../platform/access/permissions.js';
import { nowIso, sql } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { conflict, invalid, notFound } from '../../platform/errors.js';
import type { MailDeps } from './accounts.service.js';
import type { CheckedFile } from './attachments.js';
import type { ExtranetDb, MemberRequestRow, RequestMessageRow, RequestStatus } from './extranet.table.js';
import { allowance, takeToken, type Allowance, type Limit } from './extranet.rate.js';
import type { MemberScope } from './scope.js';


export const REQUEST_CATEGORIES = ['formalities', 'training', 'international', 'funding', 'other'] as const;
export type RequestCategory = (typeof REQUEST_CATEGORIES)[number];
export const REQUEST_STATUSES: readonly RequestStatus[] = ['new', 'in_progress', 'waiting_member', 'closed'];

/**
 * Requests a member account may file in an hour: more than any real need, few enough that one
 * account (or a stolen password) cannot flood the CCI's queue or its mailboxes.
 */
export const REQUESTS_PER_MEMBER_PER_HOUR = 10;
/**
 * Requests a whole company may file in an hour. Counted per account first, so one colleague at
 * their limit never blocks the others; this higher ceiling still bounds a company whose many
 * accounts (or an administrator inviting throwaway ones) would flood the queue together.
 */
export const REQUESTS_PER_COMPANY_PER_HOUR = 60;

/** The limits a new request counts against, each with the message that names it. */
export function requestLimits(scope: { accountId: number; companyId: number }): Limit[] {
  return [
    { key: `request-account:${scope.accountId}`, max: REQUESTS_PER_MEMBER_PER_HOUR, windowSeconds: 3600, message: 'extranet.requests.limit_account' },
    { key: `request-company:${scope.companyId}`, max: REQUESTS_PER_COMPANY_PER_HOUR, windowSeconds: 3600, message: 'extranet.requests.limit_company' },
  ];
}

/** Below this many requests left, the form says so (and which limit, and until when). */
export const REQUESTS_LEFT_NOTICE = 3;

/**
 * What the request form should say about the limits: nothing while plenty are left; how many
 * are left (and under which limit) when few; that the limit is reached (and until when) at 0.
 * `until` is an ISO time, formatted by the page.
 */
export async function requestLimitNotice(db: ExtranetDb, scope: { accountId: number; companyId: number }): Promise<{ code: string; params: { max: number; remaining: number; until: string }; blocked: boolean } | undefined> {
  const a: Allowance = await allowance(db, requestLimits(scope));
  if (a.remaining > REQUESTS_LEFT_NOTICE || !a.until) return undefined;
  const blocked = a.remaining === 0;
  const code = blocked ? a.limit.message! : a.limit.message!.replace('.limit_', '.allowance_');
  return { code, params: { max: a.limit.max, remaining: a.remaining, until: a.until }, blocked };
}

export function isCategory(v: string): v is RequestCategory {
  return (REQUEST_CATEGORIES as readonly string[]).includes(v);
}

export interface AttachmentMeta {
  id: number;
  messageId: number;
  fileName: string;
  contentType: string;
  size: number;
}

export interface RequestThread {
  request: MemberRequestRow;
  messages: (RequestMessageRow & { attachments: AttachmentMeta[] })[];
}

function validateMessage(body: string): string {
  const b = body.trim();
  if (!b) throw invalid('common.invalid', { body: 'field.required' });
  if (b.length > 20_000) throw invalid('common.invalid', { body: 'field.too_long' });
  return b;
}

async function insertMessage(db: ExtranetDb, requestId: number, companyId: number, author: { kind: 'member' | 'staff'; accountId?: number; userId?: number; name: string }, body: string, files: CheckedFile[]): Promise<number> {
  const now = nowIso();
  const m = await db
    .insertInto('member_request_messages')
    .values({ request_id: requestId, author_kind: author.kind, author_account_id: author.accountId ?? null, author_user_id: author.userId ?? null, author_name: author.name, body, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const f of files) {
    await db
      .insertInto('member_attachments')
      .values({ company_id: companyId, request_id: requestId, message_id: m.id, file_name: f.fileName, content_type: f.contentType, size: f.size, sha256: f.sha256, data: f.data, created_at: now })
      .execute();
  }
  return m.id;
}

/** Active staff users who may answer requests: the routed person, or everyone with the permission. */
async function staffRecipients(db: ExtranetDb, category: string, assigneeId: number | null): Promise<string[]> {
  const target = assigneeId ?? (await db.selectFrom('member_request_routes').select('user_id').where('category', '=', category).executeTakeFirst())?.user_id ?? null;
  if (target !== null) {
    const u = await db.selectFrom('users').select('email').where('id', '=', target).where('status', '=', 'active').executeTakeFirst();
    if (u) return [u.email];
  }
  const roles = Object.entries(ROLE_GRANTS)
    .filter(([, perms]) => (perms as readonly Permission[]).includes('extranet:requests'))
    .map(([r]) => r);
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select('users.email')
    .distinct()
    .where('user_roles.role', 'in', roles)
    .where('users.status', '=', 'active')
    .limit(50)
    .execute();
  return rows.map((r) => r.email);
}

async function notifyStaff(db: ExtranetDb, req: MemberRequestRow, mail: MailDeps, key: 'new' | 'reply'): Promise<void> {
  for (const to of await staffRecipients(db, req.category, req.assignee_id)) {
    await mail.mailer.queue(db, {
      to,
      subject: mail.t(`extranet.mail.staff_${key}.subject`, { id: req.id }),
      text: mail.t(`extranet.mail.staff_${key}.body`, { id: req.id, link: `${mail.publicUrl}/gestion-extranet/demandes/${req.id}` }),
    });
  }
}

export async function createRequest(db: ExtranetDb, scope: MemberScope, ip: string, input: { category: string; subject: string; body: string }, files: CheckedFile[], mail: MailDeps): Promise<number> {
  const fields: Record<string, string> = {};
  if (!isCategory(input.category)) fields.category = input.category ? 'field.invalid' : 'field.required';
  const subject = input.subject.trim();
  if (!subject) fields.subject = 'field.required';
  else if (subject.length > 200) fields.subject = 'field.too_long';
  let body = '';
  try {
    body = validateMessage(input.body);
  } catch (e) {
    Object.assign(fields, (e as { fields: Record<string, string> }).fields);
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  await takeToken(db, ip, requestLimits(scope));
  const now = nowIso();
  const routed = await db.selectFrom('member_request_routes').select('user_id').where('category', '=', input.category).executeTakeFirst();
  const row = await db
    .insertInto('member_requests')
    .values({
      company_id: scope.companyId,
      account_id: scope.accountId,
      category: input.category,
      subject,
      status: 'new',
      assignee_id: routed?.user_id ?? null,
      first_response_at: null,
      last_message_at: now,
      closed_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await insertMessage(db, row.id, scope.companyId, { kind: 'member', accountId: scope.accountId, name: scope.name }, body, files);
  await record(db, scope.actor, { entity: 'member_request', entityId: row.id, action: 'create', after: { company_id: scope.companyId, category: input.category, subject, attachments: files.length } });
  await notifyStaff(db, row, mail, 'new');
  return row.id;
}

/** The company's requests; those waiting for the member's answer first. */
export async function listCompanyRequests(db: ExtranetDb, companyId: number, limit = 200): Promise<MemberRequestRow[]> {
  return db
    .selectFrom('member_requests')
    .selectAll()
    .where('company_id', '=', companyId)
    .orderBy(sql`case when status = 'waiting_member' then 0 else 1 end`)
    .orderBy('last_message_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

async function loadThread(db: ExtranetDb, request: MemberRequestRow): Promise<RequestThread> {
  const messages = await db.selectFrom('member_request_messages').selectAll().where('request_id', '=', request.id).orderBy('created_at').orderBy('id').execute();
  const files = await db
    .selectFrom('member_attachments')
    .select(['id', 'message_id', 'file_name', 'content_type', 'size'])
    .where('request_id', '=', request.id)
    .orderBy('id')
    .execute();
  return {
    request,
    messages: messages.map((m) => ({
      ...m,
      attachments: files.filter((f) => f.message_id === m.id).map((f) => ({ id: f.id, messageId: f.message_id, fileName: f.file_name, contentType: f.content_type, size: f.size })),
    })),
  };
}

/** A request of the member's current company; any other id is "not found" (never "forbidden"). */
export async function getMemberRequest(db: ExtranetDb, scope: MemberScope, id: number): Promise<RequestThread> {
  const r = await db.selectFrom('member_requests').selectAll().where('id', '=', id).where('company_id', '=', scope.companyId).executeTakeFirst();
  if (!r) throw notFound();
  return loadThread(db, r);
}

export async function getStaffRequest(db: ExtranetDb, id: number): Promise<RequestThread> {
  const r = await db.selectFrom('member_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound();
  return loadThread(db, r);
}

export async function addMemberMessage(db: ExtranetDb, scope: MemberScope, ip: string, id: number, body: string, files: CheckedFile[], mail: MailDeps): Promise<void> {
  const { request } = await getMemberRequest(db, scope, id);
  if (request.status === 'closed') throw conflict('extranet.request_closed');
  const text = validateMessage(body);
  await takeToken(db, ip, [{ key: `message-account:${scope.accountId}`, max: 60, windowSeconds: 3600 }]);
  await insertMessage(db, request.id, scope.companyId, { kind: 'member', accountId: scope.accountId, name: scope.name }, text, files);
  const status: RequestStatus = request.status === 'waiting_member' ? 'in_progress' : request.status;
  await updateWithVersion(db, 'member_requests', request.id, request.version, { status, last_message_at: nowIso() });
  await record(db, scope.actor, { entity: 'member_request', entityId: request.id, action: 'member_reply', changes: { status: [request.status, status], attachments: files.length } });
  await notifyStaff(db, { ...request, status }, mail, 'reply');
}

export async function closeMemberRequest(db: ExtranetDb, scope: MemberScope, id: number): Promise<void> {
  const { request } = await getMemberRequest(db, scope, id);
  if (request.status === 'closed') return;
  await updateWithVersion(db, 'member_requests', request.id, request.version, { status: 'closed', closed_at: nowIso() });
  await record(db, scope.actor, { entity: 'member_request', entityId: request.id, action: 'close', changes: { status: [request.status, 'closed'] } });
}

// ——— staff side ———

export interface QueueFilter {
  category?: string;
  status?: string;
  assignee?: 'me' | 'none';
  companyId?: number;
}

export interface QueueRow extends MemberRequestRow {
  assignee_name: string | null;
}

export async function listQueue(db: ExtranetDb, actor: Actor, filter: QueueFilter, limit = 200): Promise<QueueRow[]> {
  let q = db.selectFrom('member_requests').leftJoin('users', 'users.id', 'member_requests.assignee_id').selectAll('member_requests').select('users.name as assignee_name');
  if (filter.category && isCategory(filter.category)) q = q.where('member_requests.category', '=', filter.category);
  if (filter.status && (REQUEST_STATUSES as readonly string[]).includes(filter.status)) q = q.where('member_requests.status', '=', filter.status as RequestStatus);
  else q = q.where('member_requests.status', '!=', 'closed');
  if (filter.assignee === 'me' && actor.id !== null) q = q.where('member_requests.assignee_id', '=', actor.id);
  if (filter.assignee === 'none') q = q.where('member_requests.assignee_id', 'is', null);
  if (filter.companyId !== undefined) q = q.where('member_requests.company_id', '=', filter.companyId);
  return q.orderBy('member_requests.last_message_at', 'desc').limit(limit).execute() as Promise<QueueRow[]>;
}

async function notifyMember(db: ExtranetDb, request: MemberRequestRow, mail: MailDeps): Promise<void> {
  const account = await db.selectFrom('member_accounts').select(['email', 'name', 'status']).where('id', '=', request.account_id).executeTakeFirst();
  if (!account || account.status !== 'active') return;
  await mail.mailer.queue(db, {
    to: account.email,
    subject: mail.t('extranet.mail.member_reply.subject', { cci: mail.cciName }),
    text: mail.t('extranet.mail.member_reply.body', { name: account.name, cci: mail.cciName, link: `${mail.publicUrl}/extranet/demandes/${request.id}` }),
  });
}

export async function staffReply(db: ExtranetDb, actor: Actor, id: number, input: { body: string; status: string; version: number | undefined }, files: CheckedFile[], mail: MailDeps): Promise<void> {
  const { request } = await getStaffRequest(db, id);
  if (request.status === 'closed') throw conflict('extranet.request_closed');
  const text = validateMessage(input.body);
  const status: RequestStatus = input.status === 'in_progress' ? 'in_progress' : input.status === 'closed' ? 'closed' : 'waiting_member';
  const now = nowIso();
  await updateWithVersion(db, 'member_requests', request.id, input.version ?? -1, {
    status,
    last_message_at: now,
    first_response_at: request.first_response_at ?? now,
    assignee_id: request.assignee_id ?? actor.id,
    closed_at: status === 'closed' ? now : null,
  });
  const user = actor.id !== null ? await db.selectFrom('users').select('name').where('id', '=', actor.id).executeTakeFirst() : undefined;
  await insertMessage(db, request.id, request.company_id, { kind: 'staff', userId: actor.id ?? undefined, name: user?.name ?? actor.label }, text, files);
  await record(db, actor, { entity: 'member_request', entityId: request.id, action: 'staff_reply', changes: { status: [request.status, status], attachments: files.length } });
  await notifyMember(db, { ...request, status }, mail);
}

export async function assignRequest(db: ExtranetDb, actor: Actor, id: number, userId: number | null, version: number | undefined): Promise<void> {
  const { request } = await getStaffRequest(db, id);
  if (userId !== null) {
    const u = await db.selectFrom('users').select('id').where('id', '=', userId).where('status', '=', 'active').executeTakeFirst();
    if (!u) throw invalid('common.invalid', { assignee_id: 'field.invalid' });
  }
  const status: RequestStatus = request.status === 'new' && userId !== null ? 'in_progress' : request.status;
  await updateWithVersion(db, 'member_requests', request.id, version ?? -1, { assignee_id: userId, status });
  await record(db, actor, { entity: 'member_request', entityId: request.id, action: 'assign', changes: { assignee_id: [request.assignee_id, userId], status: [request.status, status] } });
}

export async function closeStaffRequest(db: ExtranetDb, actor: Actor, id: number, version: number | undefined): Promise<void> {
  const { request } = await getStaffRequest(db, id);
  if (request.status === 'closed') throw conflict('extranet.request_closed');
  await updateWithVersion(db, 'member_requests', request.id, version ?? -1, { status: 'closed', closed_at: nowIso() });
  await record(db, actor, { entity: 'member_request', entityId: request.id, action: 'close', changes: { status: [request.status, 'closed'] } });
}

export async function setRoute(db: ExtranetDb, actor: Actor, category: string, userId: number | null): Promise<void> {
  if (!isCategory(category)) throw notFound();
  if (userId !== null) {
    const u = await db.selectFrom('users').select('id').where('id', '=', userId).where('status', '=', 'active').executeTakeFirst();
    if (!u) throw invalid('common.invalid', { [`route_${category}`]: 'field.invalid' });
  }
  const before = await db.selectFrom('member_request_routes').select('user_id').where('category', '=', category).executeTakeFirst();
  await db
    .insertInto('member_request_routes')
    .values({ category, user_id: userId, updated_at: nowIso() })
    .onConflict((oc) => oc.column('category').doUpdateSet({ user_id: userId, updated_at: nowIso() }))
    .execute();
  await record(db, actor, { entity: 'member_request_route', entityId: category, action: 'update', changes: { user_id: [before?.user_id ?? null, userId] } });
}

export async function listRoutes(db: ExtranetDb): Promise<Record<string, number | null>> {
  const rows = await db.selectFrom('member_request_routes').selectAll().execute();
  return Object.fromEntries(rows.map((r) => [r.category, r.user_id]));
}

/** Staff who may be assigned requests (holders of a role granting extranet:requests). */
export async function listAssignableStaff(db: ExtranetDb): Promise<{ id: number; name: string }[]> {
  const roles = Object.entries(ROLE_GRANTS)
    .filter(([, perms]) => (perms as readonly Permission[]).includes('extranet:requests'))
    .map(([r]) => r);
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name'])
    .distinct()
    .where('user_roles.role', 'in', roles)
    .where('users.status', '=', 'active')
    .orderBy('users.name')
    .limit(500)
    .execute();
}

export interface ResponseStats {
  category: string;
  total: number;
  answered: number;
  /** minutes from the request to the first staff answer */
  medianMinutes: number | null;
  averageMinutes: number | null;
}

/** First-response times by category over the last `days` days (computed in JS: portable). */
export async function responseStats(db: ExtranetDb, days = 90): Promise<ResponseStats[]> {
  const since = new Date(Date.now() - days * 86400_000).toISOString();
  const rows = await db.selectFrom('member_requests').select(['category', 'created_at', 'first_response_at']).where('created_at', '>', since).execute();
  return REQUEST_CATEGORIES.map((category) => {
    const mine = rows.filter((r) => r.category === category);
    const mins = mine
      .filter((r) => r.first_response_at)
      .map((r) => (new Date(r.first_response_at!).getTime() - new Date(r.created_at).getTime()) / 60_000)
      .sort((a, b) => a - b);
    const median = mins.length ? (mins.length % 2 ? mins[(mins.length - 1) / 2] : (mins[mins.length / 2 - 1] + mins[mins.length / 2]) / 2) : null;
    return {
      category,
      total: mine.length,
      answered: mins.length,
      medianMinutes: median === null ? null : Math.round(median),
      averageMinutes: mins.length ? Math.round(mins.reduce((a, b) => a + b, 0) / mins.length) : null,
    };
  });
}

export interface AttachmentFile {
  fileName: string;
  contentType: string;
  data: Buffer;
}

/** An attachment of the member's current company only. */
export async function getMemberAttachment(db: ExtranetDb, scope: MemberScope, id: number): Promise<AttachmentFile> {
  const a = await db.selectFrom('member_attachments').select(['file_name', 'content_type', 'data']).where('id', '=', id).where('company_id', '=', scope.companyId).executeTakeFirst();
  if (!a) throw notFound();
  return { fileName: a.file_name, contentType: a.content_type, data: Buffer.from(a.data) };
}

export async function getStaffAttachment(db: ExtranetDb, id: number): Promise<AttachmentFile> {
  const a = await db.selectFrom('member_attachments').select(['file_name', 'content_type', 'data']).where('id', '=', id).executeTakeFirst();
  if (!a) throw notFound();
  return { fileName: a.file_name, contentType: a.content_type, data: Buffer.from(a.data) };
}

export async function countOpenRequests(db: ExtranetDb, companyId?: number): Promise<number> {
  let q = db.selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('status', '!=', 'closed');
  if (companyId !== undefined) q = q.where('company_id', '=', companyId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
