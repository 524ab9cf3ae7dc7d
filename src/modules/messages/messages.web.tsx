// Handlers of the messages' pages (listed with their access in messages.routes.ts): the staff
// inbox and conversations under /messages, the member's under /extranet/messages. Forms may
// carry attachments (multipart), read and checked by the extranet's form reader.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { AppError, invalid, type FieldErrors } from '../../platform/errors.js';
import { idParam, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { memberPage, readMemberForm, sendAttachment, type FormWithFiles } from '../extranet/index.js';
import { companyIdForSiret, findCompany } from '../registry/index.js';
import * as svc from './messages.service.js';
import { mayWriteToCompanies } from './policy.js';
import type { MessagesDb } from './messages.table.js';
import { InboxPage, MemberList, MemberNewForm, MemberThread, NewThreadPage, ThreadPage, type NewThreadValues } from './views.js';

type Ctx = ModuleContext<MessagesDb>;

const threadId = (req: FastifyRequest) => requireId(req, 'id', 'messages.not_found');
const mailDeps = (req: FastifyRequest, { mailer, config }: Ctx): svc.MailDeps => ({ mailer, publicUrl: config.publicUrl, t: req.t });
const staffReader = (req: FastifyRequest): svc.Reader => ({ actor: req.actor, name: req.user?.name ?? req.actor.label });
const memberReader = (req: FastifyRequest): svc.Reader => ({ actor: req.actor, accountId: req.user?.id, name: req.user?.name ?? req.actor.label });

/** `?page=`: a positive whole number (1 when absent); anything else is no such page. */
function pageOf(req: FastifyRequest): number {
  const asked = (req.query as Record<string, unknown>).page;
  if (asked === undefined) return 1;
  const page = idParam(asked);
  if (page === undefined || page < 1) throw new AppError('not_found', 'common.not_found');
  return page;
}

/** A form with attachments: its first problem with the files refuses the post (422), like a bad field. */
async function readPost(req: FastifyRequest, allowed: readonly string[]): Promise<FormWithFiles> {
  return readMemberForm(req, allowed);
}

// ——— staff ———

export async function handleInbox(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Record<string, string | undefined>;
  const box = (svc.BOXES as readonly string[]).includes(q.boite ?? '') ? (q.boite as svc.Box) : 'all';
  const unread = q['non-lus'] === '1';
  const page = pageOf(req);
  const list = await svc.inbox(db, req.actor, { box, unread }, page);
  return reply.render(<InboxPage ctx={req.view()} box={box} unread={unread} items={list.items} total={list.total} page={page} canCompanies={mayWriteToCompanies(req.actor)} query={{ boite: box, 'non-lus': unread ? '1' : undefined }} />);
}

async function newThreadPage(req: FastifyRequest, db: MessagesDb, values: NewThreadValues, errors?: FieldErrors) {
  const { users } = await svc.choices(db);
  const me = req.actor.id;
  return <NewThreadPage ctx={req.view()} values={values} errors={errors} users={users.filter((u) => u.id !== me)} canCompanies={mayWriteToCompanies(req.actor)} />;
}

export async function handleNewThreadForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const asked = idParam((req.query as Record<string, unknown>).entreprise);
  const company = asked !== undefined && mayWriteToCompanies(req.actor) ? await findCompany(db, asked) : undefined;
  const values: NewThreadValues = company ? { kind: 'company', company: company.siren ?? '' } : { kind: 'internal' };
  return reply.render(await newThreadPage(req, db, values));
}

/** The company named in the form: a SIREN (9 digits) or a SIRET (14 digits) of the registry. */
async function companyOf(db: MessagesDb, value: string): Promise<number> {
  const digits = value.replace(/\s+/g, '');
  if (!/^(\d{9}|\d{14})$/.test(digits)) throw invalid('common.invalid', { company: digits ? 'messages.company_format' : 'field.required' });
  const id = await companyIdForSiret(db, digits);
  if (id === undefined) throw invalid('common.invalid', { company: 'messages.company_unknown' });
  return id;
}

export async function handleCreateThread(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  const form = await readPost(req, ['kind', 'subject', 'body', 'participants', 'company', 'confidential']);
  const f = form.fields;
  const values: NewThreadValues = { kind: f.kind === 'company' ? 'company' : 'internal', subject: f.subject, body: f.body, participants: form.lists.participants ?? [], company: f.company, confidential: f.confidential };
  return onInvalid(
    reply,
    async () => {
      svc.checkFiles(form.fileError);
      const id = await db.transaction().execute(async (trx) => {
        if (values.kind === 'company') {
          const companyId = await companyOf(trx, f.company ?? '');
          return svc.startWithCompany(trx, staffReader(req), { companyId, subject: f.subject ?? '', body: f.body ?? '', confidential: f.confidential === '1' }, form.files, mailDeps(req, ctx));
        }
        const participantIds = (values.participants ?? []).map((v) => idParam(v) ?? -1);
        if (participantIds.includes(-1)) throw invalid('common.invalid', { participants: 'field.invalid' });
        return svc.startInternal(trx, staffReader(req), { subject: f.subject ?? '', body: f.body ?? '', participantIds, confidential: f.confidential === '1' }, form.files, mailDeps(req, ctx));
      });
      reply.flash('success', 'messages.sent');
      return reply.redirect(`/messages/${id}`);
    },
    (errors) => newThreadPage(req, db, values, errors),
  );
}

async function threadPage(req: FastifyRequest, db: MessagesDb, id: number, errors?: FieldErrors, body?: string) {
  const [view, { users, services }] = await Promise.all([svc.threadView(db, req.actor, id), svc.choices(db)]);
  return <ThreadPage ctx={req.view()} view={view} users={users} services={services} errors={errors} body={body} />;
}

export async function handleThread(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = threadId(req);
  const page = await threadPage(req, db, id);
  await svc.markRead(db, staffReader(req), id);
  return reply.render(page);
}

/**
 * A reply from either side: read the form (files checked), write in a transaction, back to the
 * conversation at the new post; or the conversation again with the form's errors (422).
 */
async function replyOnPage(req: FastifyRequest, reply: FastifyReply, ctx: Ctx, who: svc.Reader, base: string, again: (id: number, errors: FieldErrors, body?: string) => Promise<VNode>) {
  const { db } = ctx;
  const id = threadId(req);
  const form = await readPost(req, ['body']);
  return onInvalid(
    reply,
    async () => {
      svc.checkFiles(form.fileError);
      const postId = await db.transaction().execute((trx) => svc.reply(trx, who, id, form.fields.body ?? '', form.files, mailDeps(req, ctx)));
      reply.flash('success', 'messages.sent');
      return reply.redirect(`${base}/${id}#post-${postId}`);
    },
    (errors) => again(id, errors, form.fields.body),
  );
}

export async function handleReply(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return replyOnPage(req, reply, ctx, staffReader(req), '/messages', (id, errors, body) => threadPage(req, ctx.db, id, errors, body));
}

/** The small forms of the conversation page: run in a transaction, back to the page, or the page with its error (422). */
async function manage(req: FastifyRequest, reply: FastifyReply, db: MessagesDb, run: (trx: MessagesDb, id: number) => Promise<void>) {
  const id = threadId(req);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => run(trx, id));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/messages/${id}`);
    },
    (errors) => threadPage(req, db, id, errors),
  );
}

export async function handleAssign(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const value = str(req.body, 'assignee', 20);
  return manage(req, reply, db, (trx, id) => {
    if (value === '') return svc.assign(trx, req.actor, id, {});
    const m = /^([us]):(\d{1,9})$/.exec(value);
    if (!m) throw invalid('common.invalid', { assignee: 'field.invalid' });
    return svc.assign(trx, req.actor, id, m[1] === 'u' ? { userId: Number(m[2]) } : { serviceId: Number(m[2]) });
  });
}

export async function handleAddParticipant(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const userId = idParam(str(req.body, 'user_id', 12));
  return manage(req, reply, db, (trx, id) => {
    if (userId === undefined) throw invalid('common.invalid', { participant: 'field.invalid' });
    return svc.addParticipant(trx, req.actor, id, userId);
  });
}

export async function handleClose(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return manage(req, reply, db, (trx, id) => svc.setStatus(trx, req.actor, id, 'closed'));
}

export async function handleReopen(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return manage(req, reply, db, (trx, id) => svc.setStatus(trx, req.actor, id, 'open'));
}

export async function handleFile(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const file = await svc.getFile(db, req.actor, threadId(req), requireId(req, 'file', 'messages.not_found'));
  return sendAttachment(reply, file);
}

// ——— members ———

function companyOfMember(req: FastifyRequest): number {
  const c = req.actor.memberOf?.current;
  if (c === undefined) throw new AppError('forbidden', 'extranet.no_company');
  return c;
}

export async function handleMemberList(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const page = pageOf(req);
  const list = await svc.companyThreads(db, memberReader(req), companyOfMember(req), page);
  return reply.render(await memberPage(req, db, req.t('messages.member_title'), (ctx) => <MemberList ctx={ctx} items={list.items} total={list.total} page={page} />));
}

export async function handleMemberNewForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  companyOfMember(req);
  return reply.render(await memberPage(req, db, req.t('messages.member_new'), (ctx) => <MemberNewForm ctx={ctx} values={{}} />, [{ label: req.t('messages.member_title'), href: '/extranet/messages' }, { label: req.t('messages.member_new') }]));
}

export async function handleMemberCreate(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  companyOfMember(req);
  const form = await readPost(req, ['subject', 'body']);
  const values = { subject: form.fields.subject, body: form.fields.body };
  return onInvalid(
    reply,
    async () => {
      svc.checkFiles(form.fileError);
      const id = await db.transaction().execute((trx) => svc.startFromMember(trx, memberReader(req), { subject: values.subject ?? '', body: values.body ?? '' }, form.files, mailDeps(req, ctx)));
      reply.flash('success', 'messages.sent');
      return reply.redirect(`/extranet/messages/${id}`);
    },
    (errors) => memberPage(req, db, req.t('messages.member_new'), (v) => <MemberNewForm ctx={v} values={values} errors={errors} />),
  );
}

async function memberThreadPage(req: FastifyRequest, db: MessagesDb, id: number, errors?: FieldErrors, body?: string) {
  const view = await svc.threadView(db, req.actor, id);
  return memberPage(req, db, view.thread.subject, (ctx) => <MemberThread ctx={ctx} view={view} errors={errors} body={body} />, [{ label: req.t('messages.member_title'), href: '/extranet/messages' }, { label: view.thread.subject }]);
}

export async function handleMemberThread(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = threadId(req);
  const page = await memberThreadPage(req, db, id);
  await svc.markRead(db, memberReader(req), id);
  return reply.render(page);
}

export async function handleMemberReply(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return replyOnPage(req, reply, ctx, memberReader(req), '/extranet/messages', (id, errors, body) => memberThreadPage(req, ctx.db, id, errors, body));
}

export async function handleMemberFile(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const file = await svc.getFile(db, req.actor, threadId(req), requireId(req, 'file', 'messages.not_found'));
  return sendAttachment(reply, file);
}
