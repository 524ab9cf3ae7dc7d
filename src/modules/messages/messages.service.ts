// Conversations ("fils de discussion"): between staff, and between staff and a member company.
// Rules in policy.ts; this file loads the facts, checks the input, writes (with its audit row,
// in the caller's transaction) and queues the notifications — which carry a link, never the
// content: mail leaves our hands, the portal and the extranet are where the content lives.
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { AppError, forbidden, invalid, notFound } from '../../platform/errors.js';
import type { Translate } from '../../platform/i18n/index.js';
import type { Mailer } from '../../platform/mail/index.js';
import { listServices, serviceMembers, serviceOfUser } from '../directory/index.js';
import type { CheckedFile } from '../extranet/index.js';
import { companyMembers } from '../extranet/index.js';
import { findCompanies, findCompany } from '../registry/index.js';
import { maySee, mayWriteToCompanies, type Ties } from './policy.js';
import type { MessagesDb, PostRow, ThreadRow, ThreadStatus } from './messages.table.js';

export const PER_PAGE = 25;
export const MAX_SUBJECT = 200;
export const MAX_BODY = 20_000;
export const MAX_PARTICIPANTS = 30;
/** New conversations a member account may start in an hour, and posts it may write: enough for any real need, too few to flood the CCI. */
export const MEMBER_THREADS_PER_HOUR = 10;
export const MEMBER_POSTS_PER_HOUR = 60;

/** Who reads or writes: the actor, and for a member the account (members' actors carry no user id). */
export interface Reader {
  actor: Actor;
  /** the member account, for a member */
  accountId?: number;
  name: string;
}

export interface MailDeps {
  mailer: Mailer;
  publicUrl: string;
  t: Translate;
}

export const BOXES = ['all', 'mine', 'assigned', 'service', 'companies', 'unassigned'] as const;
export type Box = (typeof BOXES)[number];

function readerKey(r: Reader): string {
  if (r.actor.kind === 'member' && r.accountId) return `m:${r.accountId}`;
  if (r.actor.kind === 'staff' && r.actor.id !== null) return `u:${r.actor.id}`;
  throw forbidden();
}

// ——— loading and seeing ———

async function tiesOf(db: MessagesDb, actor: Actor, threadId: number): Promise<Ties> {
  if (actor.kind !== 'staff' || actor.id === null) return { participant: false, serviceId: null };
  const [p, serviceId] = await Promise.all([
    db.selectFrom('message_participants').select('user_id').where('thread_id', '=', threadId).where('user_id', '=', actor.id).executeTakeFirst(),
    serviceOfUser(db, actor.id),
  ]);
  return { participant: p !== undefined, serviceId };
}

/** The conversation if the reader may see it; otherwise "not found" (its existence is not told). */
export async function openThread(db: MessagesDb, actor: Actor, id: number): Promise<{ thread: ThreadRow; ties: Ties }> {
  const thread = await db.selectFrom('message_threads').selectAll().where('id', '=', id).executeTakeFirst();
  if (!thread) throw notFound('messages.not_found');
  const ties = await tiesOf(db, actor, id);
  if (!maySee(actor, thread, ties)) throw notFound('messages.not_found');
  return { thread, ties };
}

export interface ThreadView {
  thread: ThreadRow;
  ties: Ties;
  companyName: string | null;
  posts: (PostRow & { files: { id: number; file_name: string; size: number }[] })[];
  participants: { id: number; name: string }[];
  assigneeName: string | null;
  assigneeServiceName: string | null;
}

export async function threadView(db: MessagesDb, actor: Actor, id: number): Promise<ThreadView> {
  const { thread, ties } = await openThread(db, actor, id);
  const [posts, files, participants, company, assignee, services] = await Promise.all([
    db.selectFrom('message_posts').selectAll().where('thread_id', '=', id).orderBy('id').execute(),
    db.selectFrom('message_files').select(['id', 'post_id', 'file_name', 'size']).where('thread_id', '=', id).orderBy('id').execute(),
    db.selectFrom('message_participants as p').innerJoin('users as u', 'u.id', 'p.user_id').select(['u.id', 'u.name']).where('p.thread_id', '=', id).orderBy('u.name').execute(),
    thread.company_id !== null ? findCompany(db, thread.company_id) : Promise.resolve(undefined),
    thread.assignee_user_id !== null ? db.selectFrom('users').select('name').where('id', '=', thread.assignee_user_id).executeTakeFirst() : Promise.resolve(undefined),
    thread.assignee_service_id !== null ? serviceNames(db) : Promise.resolve(new Map<number, string>()),
  ]);
  return {
    thread,
    ties,
    companyName: company?.name ?? null,
    posts: posts.map((p) => ({ ...p, files: files.filter((f) => f.post_id === p.id) })),
    // Members never see who at the CCI takes part: the CCI answers as the CCI.
    participants: actor.kind === 'staff' ? participants : [],
    assigneeName: actor.kind === 'staff' ? (assignee?.name ?? null) : null,
    assigneeServiceName: actor.kind === 'staff' && thread.assignee_service_id !== null ? (services.get(thread.assignee_service_id) ?? null) : null,
  };
}

async function serviceNames(db: MessagesDb): Promise<Map<number, string>> {
  return new Map((await listServices(db)).map((s) => [s.id, s.name]));
}

// ——— lists ———

export interface ThreadListItem {
  id: number;
  kind: ThreadRow['kind'];
  subject: string;
  confidential: number;
  status: ThreadStatus;
  company_id: number | null;
  companyName: string | null;
  last_post_at: string;
  unread: boolean;
  assignee_user_id: number | null;
  assignee_service_id: number | null;
}

/** The unread test for one reader: a post after their read mark, not written by them. */
function unreadExpr(key: string, author: { userId?: number; accountId?: number }) {
  return sql<boolean>`exists (select 1 from message_posts mp where mp.thread_id = t.id and mp.id > coalesce((select r.last_post_id from message_reads r where r.thread_id = t.id and r.reader = ${key}), 0) and ${
    author.userId !== undefined ? sql`(mp.author_user_id is null or mp.author_user_id <> ${author.userId})` : sql`(mp.author_account_id is null or mp.author_account_id <> ${author.accountId ?? 0})`
  })`;
}

/**
 * A staff member's inbox: the conversations they may see, filtered by box, newest activity first.
 * The visibility test is policy.maySee written as SQL (the list must agree with the page).
 */
export async function inbox(db: MessagesDb, actor: Actor, filter: { box: Box; unread?: boolean; status?: ThreadStatus }, page: number): Promise<{ items: ThreadListItem[]; total: number }> {
  if (actor.kind !== 'staff' || actor.id === null) throw forbidden();
  const me = actor.id;
  const serviceId = await serviceOfUser(db, me);
  const companies = mayWriteToCompanies(actor);
  const key = `u:${me}`;
  let q = db.selectFrom('message_threads as t').where((eb) => {
    const participant = eb.exists(eb.selectFrom('message_participants as p').select('p.user_id').whereRef('p.thread_id', '=', 't.id').where('p.user_id', '=', me));
    const ors = [participant, eb('t.assignee_user_id', '=', me)];
    if (serviceId !== null) ors.push(eb('t.assignee_service_id', '=', serviceId));
    if (companies) ors.push(eb.and([eb('t.kind', '=', 'company'), eb('t.confidential', '=', 0)]));
    return eb.or(ors);
  });
  if (filter.box === 'mine') q = q.where((eb) => eb.exists(eb.selectFrom('message_participants as p').select('p.user_id').whereRef('p.thread_id', '=', 't.id').where('p.user_id', '=', me)));
  if (filter.box === 'assigned') q = q.where('t.assignee_user_id', '=', me);
  if (filter.box === 'service') q = serviceId === null ? q.where(sql<boolean>`1 = 0`) : q.where('t.assignee_service_id', '=', serviceId);
  if (filter.box === 'companies') q = q.where('t.kind', '=', 'company');
  if (filter.box === 'unassigned') q = q.where('t.kind', '=', 'company').where('t.assignee_user_id', 'is', null).where('t.assignee_service_id', 'is', null);
  if (filter.status) q = q.where('t.status', '=', filter.status);
  if (filter.unread) q = q.where(unreadExpr(key, { userId: me }));
  const [count, rows] = await Promise.all([
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    q
      .select(['t.id', 't.kind', 't.subject', 't.confidential', 't.status', 't.company_id', 't.last_post_at', 't.assignee_user_id', 't.assignee_service_id'])
      .select(unreadExpr(key, { userId: me }).as('unread'))
      .orderBy('t.last_post_at', 'desc')
      .orderBy('t.id', 'desc')
      .limit(PER_PAGE)
      .offset((page - 1) * PER_PAGE)
      .execute(),
  ]);
  return { items: await withCompanyNames(db, rows), total: Number(count.n) };
}

async function withCompanyNames<T extends { company_id: number | null; unread: unknown }>(db: MessagesDb, rows: T[]): Promise<(Omit<T, 'unread'> & { companyName: string | null; unread: boolean })[]> {
  const names = await findCompanies(db, rows.flatMap((r) => (r.company_id !== null ? [r.company_id] : [])));
  return rows.map((r) => ({ ...r, companyName: r.company_id !== null ? (names.get(r.company_id)?.name ?? null) : null, unread: Boolean(Number(r.unread)) }));
}

/** A member company's conversations (every member of the company sees them all), newest first. */
export async function companyThreads(db: MessagesDb, reader: Reader, companyId: number, page: number): Promise<{ items: ThreadListItem[]; total: number }> {
  const key = readerKey(reader);
  const q = db.selectFrom('message_threads as t').where('t.kind', '=', 'company').where('t.company_id', '=', companyId);
  const [count, rows] = await Promise.all([
    q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    q
      .select(['t.id', 't.kind', 't.subject', 't.confidential', 't.status', 't.company_id', 't.last_post_at', 't.assignee_user_id', 't.assignee_service_id'])
      .select(unreadExpr(key, reader.accountId !== undefined ? { accountId: reader.accountId } : { userId: reader.actor.id ?? 0 }).as('unread'))
      .orderBy('t.last_post_at', 'desc')
      .orderBy('t.id', 'desc')
      .limit(PER_PAGE)
      .offset((page - 1) * PER_PAGE)
      .execute(),
  ]);
  return { items: await withCompanyNames(db, rows), total: Number(count.n) };
}

/** A company's conversations that this staff member may see, for the company page. */
export async function companyThreadsForStaff(db: MessagesDb, actor: Actor, companyId: number, limit = 10): Promise<{ id: number; subject: string; status: ThreadStatus; last_post_at: string; confidential: number }[]> {
  if (actor.kind !== 'staff' || actor.id === null) return [];
  const rows = await db
    .selectFrom('message_threads')
    .select(['id', 'subject', 'status', 'last_post_at', 'confidential', 'kind', 'company_id', 'assignee_user_id', 'assignee_service_id'])
    .where('kind', '=', 'company')
    .where('company_id', '=', companyId)
    .orderBy('last_post_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  const out = [];
  for (const r of rows) {
    if (out.length >= limit) break;
    if (maySee(actor, r, await tiesOf(db, actor, r.id))) out.push(r);
  }
  return out;
}

/** Conversations with something new for this staff member (the "À traiter" count). */
export async function unreadCount(db: MessagesDb, actor: Actor): Promise<{ unread: number; unassigned: number }> {
  if (actor.kind !== 'staff' || actor.id === null) return { unread: 0, unassigned: 0 };
  const [unread, unassigned] = await Promise.all([
    inbox(db, actor, { box: 'all', unread: true, status: 'open' }, 1).then((r) => r.total),
    mayWriteToCompanies(actor) ? inbox(db, actor, { box: 'unassigned', status: 'open' }, 1).then((r) => r.total) : Promise.resolve(0),
  ]);
  return { unread, unassigned };
}

// ——— input checks ———

function checkText(input: { subject?: string; body: string }, withSubject: boolean): { subject: string; body: string } {
  const fields: Record<string, string> = {};
  const subject = (input.subject ?? '').trim();
  const body = input.body.trim();
  if (withSubject) {
    if (!subject) fields.subject = 'field.required';
    else if (subject.length > MAX_SUBJECT) fields.subject = 'field.too_long';
    // A subject goes into notification headers: no line breaks, ever.
    else if (/[\r\n]/.test(subject)) fields.subject = 'field.invalid';
  }
  if (!body) fields.body = 'field.required';
  else if (body.length > MAX_BODY) fields.body = 'field.too_long';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return { subject, body };
}

/** Files as the form reader checked them; its first problem (too large, wrong type) refuses the whole post. */
export function checkFiles(fileError: string | undefined): void {
  if (fileError) throw invalid('common.invalid', { attachments: fileError });
}

async function activeUserIds(db: MessagesDb, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).where('status', '=', 'active').execute();
  return rows.map((r) => r.id);
}

async function limitMember(db: MessagesDb, accountId: number, what: 'thread' | 'post'): Promise<void> {
  const since = new Date(Date.now() - 3600_000).toISOString();
  const n =
    what === 'thread'
      ? await db.selectFrom('message_threads').select((eb) => eb.fn.countAll().as('n')).where('started_by_account_id', '=', accountId).where('created_at', '>', since).executeTakeFirstOrThrow()
      : await db.selectFrom('message_posts').select((eb) => eb.fn.countAll().as('n')).where('author_account_id', '=', accountId).where('created_at', '>', since).executeTakeFirstOrThrow();
  const max = what === 'thread' ? MEMBER_THREADS_PER_HOUR : MEMBER_POSTS_PER_HOUR;
  if (Number(n.n) >= max) throw new AppError('rate_limited', what === 'thread' ? 'messages.limit_threads' : 'messages.limit_posts', {}, { max });
}

// ——— writes ———

async function insertPost(db: MessagesDb, threadId: number, reader: Reader, body: string, files: CheckedFile[]): Promise<number> {
  const now = nowIso();
  const post = await db
    .insertInto('message_posts')
    .values({
      thread_id: threadId,
      author_kind: reader.actor.kind === 'member' ? 'member' : 'staff',
      author_user_id: reader.actor.kind === 'staff' ? reader.actor.id : null,
      author_account_id: reader.actor.kind === 'member' ? (reader.accountId ?? null) : null,
      author_name: reader.name,
      body,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const f of files) {
    await db.insertInto('message_files').values({ thread_id: threadId, post_id: post.id, file_name: f.fileName, content_type: f.contentType, size: f.size, sha256: f.sha256, data: f.data, created_at: now }).execute();
  }
  // The author has read what they wrote.
  await markReadUpTo(db, threadId, readerKey(reader), post.id);
  return post.id;
}

async function markReadUpTo(db: MessagesDb, threadId: number, key: string, postId: number): Promise<void> {
  const now = nowIso();
  await db
    .insertInto('message_reads')
    .values({ thread_id: threadId, reader: key, last_post_id: postId, read_at: now })
    .onConflict((oc) => oc.columns(['thread_id', 'reader']).doUpdateSet({ last_post_id: sql`case when message_reads.last_post_id > excluded.last_post_id then message_reads.last_post_id else excluded.last_post_id end`, read_at: now }))
    .execute();
}

/** Marks the conversation read up to its latest post (opening it is reading it). */
export async function markRead(db: MessagesDb, reader: Reader, threadId: number): Promise<void> {
  const last = await db.selectFrom('message_posts').select((eb) => eb.fn.max('id').as('m')).where('thread_id', '=', threadId).executeTakeFirst();
  if (last?.m) await markReadUpTo(db, threadId, readerKey(reader), Number(last.m));
}

export interface InternalInput {
  subject: string;
  body: string;
  participantIds: number[];
  confidential: boolean;
}

/** A conversation between staff: the author and the colleagues named. */
export async function startInternal(db: MessagesDb, reader: Reader, input: InternalInput, files: CheckedFile[], mail: MailDeps): Promise<number> {
  const me = reader.actor.id;
  if (reader.actor.kind !== 'staff' || me === null) throw forbidden();
  const text = checkText(input, true);
  const wanted = [...new Set(input.participantIds)].filter((id) => id !== me);
  if (wanted.length === 0) throw invalid('common.invalid', { participants: 'messages.participants_required' });
  if (wanted.length > MAX_PARTICIPANTS) throw invalid('common.invalid', { participants: 'messages.participants_too_many' });
  const active = await activeUserIds(db, wanted);
  if (active.length !== wanted.length) throw invalid('common.invalid', { participants: 'field.invalid' });
  const now = nowIso();
  const thread = await db
    .insertInto('message_threads')
    .values({ kind: 'internal', company_id: null, subject: text.subject, confidential: input.confidential ? 1 : 0, status: 'open', assignee_user_id: null, assignee_service_id: null, started_by_user_id: me, started_by_account_id: null, last_post_at: now, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const uid of [me, ...wanted]) await db.insertInto('message_participants').values({ thread_id: thread.id, user_id: uid, added_at: now }).execute();
  const postId = await insertPost(db, thread.id, reader, text.body, files);
  await record(db, reader.actor, { entity: 'message_thread', entityId: thread.id, action: 'create', after: { kind: 'internal', subject: text.subject, confidential: input.confidential, participants: [me, ...wanted], post: postId, files: files.length } });
  await notify(db, thread.id, reader, mail);
  return thread.id;
}

export interface CompanyInput {
  companyId: number;
  subject: string;
  body: string;
  confidential: boolean;
}

/** A conversation staff open with a member company: its members are told (link only). */
export async function startWithCompany(db: MessagesDb, reader: Reader, input: CompanyInput, files: CheckedFile[], mail: MailDeps): Promise<number> {
  const me = reader.actor.id;
  if (!mayWriteToCompanies(reader.actor) || me === null) throw forbidden();
  const text = checkText(input, true);
  if (!(await findCompany(db, input.companyId))) throw invalid('common.invalid', { company: 'messages.company_unknown' });
  const now = nowIso();
  const thread = await db
    .insertInto('message_threads')
    .values({ kind: 'company', company_id: input.companyId, subject: text.subject, confidential: input.confidential ? 1 : 0, status: 'open', assignee_user_id: me, assignee_service_id: null, started_by_user_id: me, started_by_account_id: null, last_post_at: now, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('message_participants').values({ thread_id: thread.id, user_id: me, added_at: now }).execute();
  const postId = await insertPost(db, thread.id, reader, text.body, files);
  await record(db, reader.actor, { entity: 'message_thread', entityId: thread.id, action: 'create', after: { kind: 'company', company: input.companyId, subject: text.subject, confidential: input.confidential, post: postId, files: files.length } });
  await notify(db, thread.id, reader, mail);
  return thread.id;
}

/** A member writes to the CCI for the company they act for: the conversation waits, unassigned, for those who answer companies. */
export async function startFromMember(db: MessagesDb, reader: Reader, input: { subject: string; body: string }, files: CheckedFile[], mail: MailDeps): Promise<number> {
  const companyId = reader.actor.memberOf?.current;
  if (reader.actor.kind !== 'member' || companyId === undefined || !reader.accountId) throw forbidden();
  const text = checkText(input, true);
  await limitMember(db, reader.accountId, 'thread');
  const now = nowIso();
  const thread = await db
    .insertInto('message_threads')
    .values({ kind: 'company', company_id: companyId, subject: text.subject, confidential: 0, status: 'open', assignee_user_id: null, assignee_service_id: null, started_by_user_id: null, started_by_account_id: reader.accountId, last_post_at: now, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const postId = await insertPost(db, thread.id, reader, text.body, files);
  await record(db, reader.actor, { entity: 'message_thread', entityId: thread.id, action: 'create', after: { kind: 'company', company: companyId, subject: text.subject, post: postId, files: files.length } });
  await notify(db, thread.id, reader, mail);
  return thread.id;
}

/** A reply. Replying to a closed conversation opens it again (the other side wrote: it is not over). */
export async function reply(db: MessagesDb, reader: Reader, threadId: number, body: string, files: CheckedFile[], mail: MailDeps): Promise<number> {
  const { thread } = await openThread(db, reader.actor, threadId);
  const text = checkText({ body }, false);
  if (reader.actor.kind === 'member' && reader.accountId) await limitMember(db, reader.accountId, 'post');
  const postId = await insertPost(db, threadId, reader, text.body, files);
  const now = nowIso();
  await db.updateTable('message_threads').set({ last_post_at: now, updated_at: now, status: 'open', version: sql`version + 1` }).where('id', '=', threadId).execute();
  await record(db, reader.actor, { entity: 'message_thread', entityId: threadId, action: 'post', changes: { post: postId, files: files.length, ...(thread.status === 'closed' ? { status: ['closed', 'open'] } : {}) } });
  await notify(db, threadId, reader, mail);
  return postId;
}

/** Assigns to a colleague, to a service, or to nobody. */
export async function assign(db: MessagesDb, actor: Actor, threadId: number, to: { userId?: number; serviceId?: number }): Promise<void> {
  const { thread } = await openThread(db, actor, threadId);
  if (actor.kind !== 'staff') throw forbidden();
  if (to.userId !== undefined && (await activeUserIds(db, [to.userId])).length === 0) throw invalid('common.invalid', { assignee: 'field.invalid' });
  if (to.serviceId !== undefined) {
    if (!(await listServices(db)).some((s) => s.id === to.serviceId)) throw invalid('common.invalid', { assignee: 'field.invalid' });
  }
  const after = { assignee_user_id: to.userId ?? null, assignee_service_id: to.serviceId ?? null };
  await db.updateTable('message_threads').set({ ...after, updated_at: nowIso(), version: sql`version + 1` }).where('id', '=', threadId).execute();
  await record(db, actor, { entity: 'message_thread', entityId: threadId, action: 'assign', before: { assignee_user_id: thread.assignee_user_id, assignee_service_id: thread.assignee_service_id }, after });
}

/** Adds a colleague to the conversation (staff side only; members never see who takes part). */
export async function addParticipant(db: MessagesDb, actor: Actor, threadId: number, userId: number): Promise<void> {
  await openThread(db, actor, threadId);
  if (actor.kind !== 'staff') throw forbidden();
  if ((await activeUserIds(db, [userId])).length === 0) throw invalid('common.invalid', { participant: 'field.invalid' });
  const there = await db.selectFrom('message_participants').select('user_id').where('thread_id', '=', threadId).where('user_id', '=', userId).executeTakeFirst();
  if (there) return;
  const count = await db.selectFrom('message_participants').select((eb) => eb.fn.countAll().as('n')).where('thread_id', '=', threadId).executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_PARTICIPANTS + 1) throw invalid('common.invalid', { participant: 'messages.participants_too_many' });
  await db.insertInto('message_participants').values({ thread_id: threadId, user_id: userId, added_at: nowIso() }).execute();
  await record(db, actor, { entity: 'message_thread', entityId: threadId, action: 'add_participant', changes: { participant: userId } });
}

export async function setStatus(db: MessagesDb, actor: Actor, threadId: number, status: ThreadStatus): Promise<void> {
  const { thread } = await openThread(db, actor, threadId);
  if (actor.kind !== 'staff') throw forbidden();
  if (thread.status === status) return;
  await db.updateTable('message_threads').set({ status, updated_at: nowIso(), version: sql`version + 1` }).where('id', '=', threadId).execute();
  await record(db, actor, { entity: 'message_thread', entityId: threadId, action: status === 'closed' ? 'close' : 'reopen', changes: { status: [thread.status, status] } });
}

/** An attachment of a conversation the reader may see. */
export async function getFile(db: MessagesDb, actor: Actor, threadId: number, fileId: number): Promise<{ fileName: string; contentType: string; data: Buffer }> {
  await openThread(db, actor, threadId);
  const f = await db.selectFrom('message_files').select(['file_name', 'content_type', 'data']).where('id', '=', fileId).where('thread_id', '=', threadId).executeTakeFirst();
  if (!f) throw notFound('messages.not_found');
  return { fileName: f.file_name, contentType: f.content_type, data: Buffer.from(f.data) };
}

// ——— notifications ———

/**
 * Tells the other side that something new is waiting, with a link. Staff: participants, the
 * assignee, or the assigned service's members (a company conversation nobody holds yet is in the
 * "to assign" box and on the home page instead). Members: every member of the company, when the
 * CCI writes. The subject is shown to staff unless the conversation is confidential; members'
 * mails never carry it (a shared mailbox is not the extranet).
 */
async function notify(db: MessagesDb, threadId: number, author: Reader, mail: MailDeps): Promise<void> {
  const thread = await db.selectFrom('message_threads').selectAll().where('id', '=', threadId).executeTakeFirstOrThrow();
  const staff = new Map<number, string>();
  const participants = await db.selectFrom('message_participants as p').innerJoin('users as u', 'u.id', 'p.user_id').select(['u.id', 'u.email']).where('p.thread_id', '=', threadId).where('u.status', '=', 'active').execute();
  for (const p of participants) staff.set(p.id, p.email);
  if (thread.assignee_user_id !== null) {
    const u = await db.selectFrom('users').select(['id', 'email']).where('id', '=', thread.assignee_user_id).where('status', '=', 'active').executeTakeFirst();
    if (u) staff.set(u.id, u.email);
  }
  if (thread.assignee_service_id !== null) for (const m of await serviceMembers(db, thread.assignee_service_id)) staff.set(m.id, m.email);
  if (author.actor.kind === 'staff' && author.actor.id !== null) staff.delete(author.actor.id);
  const link = `${mail.publicUrl}/messages/${threadId}`;
  const subject = thread.confidential ? mail.t('messages.mail.staff_subject_confidential') : mail.t('messages.mail.staff_subject', { subject: thread.subject });
  for (const to of new Set(staff.values())) await mail.mailer.queue(db, { to, subject, text: mail.t('messages.mail.staff_body', { link }) });
  if (thread.kind === 'company' && thread.company_id !== null && author.actor.kind === 'staff') {
    const memberLink = `${mail.publicUrl}/extranet/messages/${threadId}`;
    for (const m of await companyMembers(db, thread.company_id)) {
      await mail.mailer.queue(db, { to: m.email, subject: mail.t('messages.mail.member_subject'), text: mail.t('messages.mail.member_body', { link: memberLink }) });
    }
  }
}

// ——— the member's follow-up ———

export async function countCompanyThreads(db: MessagesDb, companyId: number): Promise<number> {
  const r = await db.selectFrom('message_threads').select((eb) => eb.fn.countAll().as('n')).where('kind', '=', 'company').where('company_id', '=', companyId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The company's conversations as its follow-up lists them: newest started first (their date does not move). */
export async function latestCompanyThreads(db: MessagesDb, companyId: number, limit: number): Promise<{ id: number; subject: string; status: ThreadStatus; created_at: string }[]> {
  return db
    .selectFrom('message_threads')
    .select(['id', 'subject', 'status', 'created_at'])
    .where('kind', '=', 'company')
    .where('company_id', '=', companyId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Choice lists of the thread page: active staff and the services. */
export async function choices(db: MessagesDb): Promise<{ users: { id: number; name: string }[]; services: { id: number; name: string }[] }> {
  const [users, services] = await Promise.all([db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute(), listServices(db)]);
  return { users, services: services.map((s) => ({ id: s.id, name: s.name })) };
}
