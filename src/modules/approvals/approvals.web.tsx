// Staff pages of the approval engine (/demandes…), listed with their access in
// approvals.routes.ts: the routes ask for portal access; the service decides who sees a request
// (requester, approvers, approvals:admin: 404 for anyone else) and who may act on it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type FieldErrors } from '../../platform/errors.js';
import { idParam, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import * as q from './approvals.queries.js';
import { STATUSES, type ApprovalsDb, type RequestStatus } from './approvals.table.js';
import { setDeputy } from './absence.service.js';
import * as engine from './engine.service.js';
import { MAX_ATTACHMENT_BYTES, rawFromPayload, type RawValues } from './fields.js';
import type { Uploads } from './uploads.js';
import { readStored } from '../content/index.js';
import { actByLink, peekAction } from './link.service.js';
import { ChooseTypePage, DeputyPage, LinkPage, ListPage, RequestFormPage, RequestPageView } from './views/pages.js';
import type { FieldDefinition } from './definition.js';

type Ctx = ModuleContext<ApprovalsDb>;

const requestId = (req: FastifyRequest) => requireId(req, 'id', 'approvals.not_found');
const versionOf = (req: FastifyRequest) => Number(str(req.body, 'version', 12));

function listQuery(req: FastifyRequest) {
  const query = req.query as Record<string, unknown>;
  const type = typeof query.type === 'string' ? query.type.slice(0, 40) : '';
  const status = typeof query.status === 'string' && (STATUSES as readonly string[]).includes(query.status) ? (query.status as RequestStatus) : undefined;
  const page = idParam(query.page) ?? 1;
  return { type, status, page, echo: { type: type || undefined, status } };
}

async function listPage(req: FastifyRequest, reply: FastifyReply, ctx: Ctx, mode: 'mine' | 'to_approve') {
  const f = listQuery(req);
  // Lists grow with the years: read on the heavy-read lane, not the request path's connection.
  const page = await engine.listRequestsFor(ctx.reads, req.actor, { scope: mode, typeCode: f.type || undefined, status: f.status }, f.page, 25);
  const types = await q.listTypes(ctx.db);
  return reply.render(<ListPage ctx={req.view()} mode={mode} page={page} types={types} query={f.echo} />);
}

export async function handleMyRequests(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return listPage(req, reply, ctx, 'mine');
}

export async function handleToApprove(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return listPage(req, reply, ctx, 'to_approve');
}

export async function handleChooseType(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ChooseTypePage ctx={req.view()} types={await q.listTypes(db, { activeOnly: true, owner: 'approvals' })} />);
}

async function formType(db: ApprovalsDb, code: string) {
  const type = (await q.listTypes(db, { activeOnly: true, owner: 'approvals' })).find((t) => t.code === code);
  if (!type) throw new AppError('not_found', 'approvals.type_not_found');
  return { type, fields: (JSON.parse(type.definition) as { fields: FieldDefinition[] }).fields ?? [] };
}

/** The form's values as typed: every field of the type (a date range has two inputs). */
function rawValues(body: unknown, fields: FieldDefinition[]): RawValues {
  const out: RawValues = { _title: str(body, '_title', 200), _submit: str(body, '_submit', 2), version: str(body, 'version', 12) };
  for (const f of fields) {
    if (f.kind === 'daterange') {
      out[`${f.name}_from`] = str(body, `${f.name}_from`, 20);
      out[`${f.name}_to`] = str(body, `${f.name}_to`, 20);
    } else if (f.kind !== 'attachment') out[f.name] = str(body, f.name, 6000);
  }
  return out;
}

/**
 * The form, urlencoded or multipart (a type with attachments): values and files. A file over the
 * limit is cut by the reader and reported on its field, with the form again (422), not a 413.
 */
async function readForm(req: FastifyRequest, fields: FieldDefinition[], dataDir: string): Promise<{ values: RawValues; uploads?: Uploads }> {
  if (!req.isMultipart()) return { values: rawValues(req.body, fields) };
  const body: Record<string, string> = {};
  const files: Uploads['files'] = {};
  const attachmentNames = new Set(fields.filter((f) => f.kind === 'attachment').map((f) => f.name));
  // throwFileSizeLimit: false lets a file over the limit arrive cut (`truncated`) instead of failing the whole
  // request with a 413; @fastify/multipart reads the option here although its type for parts() omits it.
  const options = { limits: { fileSize: MAX_ATTACHMENT_BYTES + 1, files: 10 }, throwFileSizeLimit: false };
  for await (const part of req.parts(options)) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (attachmentNames.has(part.fieldname) && part.filename) files[part.fieldname] = { bytes, filename: part.filename, tooBig: part.file.truncated };
    } else body[part.fieldname] = String(part.value ?? '').slice(0, 6000);
  }
  return { values: rawValues(body, fields), uploads: { dataDir, files } };
}

const codeParam = (req: FastifyRequest) => String((req.params as { code?: string }).code ?? '').slice(0, 40);

export async function handleNewRequestForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const code = codeParam(req);
  const { type, fields } = await formType(db, code);
  const name = req.view().locale === 'en' ? type.name_en : type.name_fr;
  return reply.render(<RequestFormPage ctx={req.view()} typeName={name} action={`/demandes/nouvelle/${encodeURIComponent(code)}`} fields={fields} values={{}} />);
}

export async function handleFileRequest(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const code = codeParam(req);
  const { type, fields } = await formType(db, code);
  const { values, uploads } = await readForm(req, fields, config.dataDir);
  const submit = values._submit !== '0';
  const name = req.view().locale === 'en' ? type.name_en : type.name_fr;
  return onInvalid(
    reply,
    async () => {
      const r = await db.transaction().execute((trx) => engine.fileFromForm(trx, req.actor, code, values, submit, uploads));
      reply.flash('success', submit ? 'approvals.done.submit' : 'approvals.done.draft');
      return reply.redirect(`/demandes/${r.id}`);
    },
    (errors) => <RequestFormPage ctx={req.view()} typeName={name} action={`/demandes/nouvelle/${encodeURIComponent(code)}`} fields={fields} values={values} errors={errors} />,
  );
}

async function requestPage(req: FastifyRequest, db: ApprovalsDb, id: number, errors?: FieldErrors) {
  return <RequestPageView ctx={req.view()} view={await engine.getRequestView(db, req.actor, id)} errors={errors} />;
}

export async function handleRequest(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await requestPage(req, db, requestId(req)));
}

/** A transition from the request page: done → back to the page; bad input → 422, stale or wrong state → 409, with the page. */
async function transition(req: FastifyRequest, reply: FastifyReply, db: ApprovalsDb, run: (trx: ApprovalsDb, id: number) => Promise<unknown>, flash: string) {
  const id = requestId(req);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => run(trx, id));
      reply.flash('success', flash);
      return reply.redirect(`/demandes/${id}`);
    },
    (errors) => requestPage(req, db, id, errors),
    { conflict: true },
  );
}

const DECISIONS = { approve: 'approve', refuse: 'refuse', send_back: 'send_back' } as const;

export async function handleDecide(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const decision = DECISIONS[str(req.body, 'decision', 20) as keyof typeof DECISIONS];
  if (!decision) throw new AppError('invalid', 'common.invalid');
  return transition(req, reply, db, (trx, id) => engine.act(trx, req.actor, id, versionOf(req), decision, str(req.body, 'comment', 2000)), `approvals.done.${decision}`);
}

export async function handleWithdraw(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return transition(req, reply, db, (trx, id) => engine.withdraw(trx, req.actor, id, versionOf(req)), 'approvals.done.withdraw');
}

export async function handleResubmit(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return transition(req, reply, db, (trx, id) => engine.resubmit(trx, req.actor, id, versionOf(req)), 'approvals.done.submit');
}

export async function handleCancel(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return transition(req, reply, db, (trx, id) => engine.requestCancellation(trx, req.actor, id, versionOf(req), str(req.body, 'reason', 2000)), 'approvals.done.cancel');
}

async function editable(req: FastifyRequest, db: ApprovalsDb, id: number) {
  const view = await engine.getRequestView(db, req.actor, id);
  if (!view.can.edit) throw new AppError('conflict', 'approvals.cannot_resubmit');
  const name = req.view().locale === 'en' ? view.typeVersion.name_en : view.typeVersion.name_fr;
  return { view, name };
}

export async function handleEditForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requestId(req);
  const { view, name } = await editable(req, db, id);
  const values = { ...rawFromPayload(view.definition.fields, view.payload), _title: view.request.title };
  return reply.render(<RequestFormPage ctx={req.view()} typeName={name} action={`/demandes/${id}/modifier`} fields={view.definition.fields} values={values} version={view.request.version} />);
}

export async function handleEdit(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const id = requestId(req);
  const { view, name } = await editable(req, db, id);
  const { values, uploads } = await readForm(req, view.definition.fields, config.dataDir);
  const submit = values._submit !== '0';
  const version = Number(values.version);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => engine.editFromForm(trx, req.actor, id, version, values, submit, uploads));
      reply.flash('success', submit ? 'approvals.done.submit' : 'approvals.done.draft');
      return reply.redirect(`/demandes/${id}`);
    },
    (errors) => <RequestFormPage ctx={req.view()} typeName={name} action={`/demandes/${id}/modifier`} fields={view.definition.fields} values={{ ...rawFromPayload(view.definition.fields, view.payload), ...values }} errors={errors} version={version} />,
    { conflict: true },
  );
}

export async function handleDeputyForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<DeputyPage ctx={req.view()} people={await q.activeStaff(db)} current={req.actor.id === null ? undefined : await q.deputyOf(db, req.actor.id)} />);
}

export async function handleSetDeputy(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const raw = str(req.body, 'deputy', 12);
  const deputy = raw ? (idParam(raw) ?? -1) : null;
  const me = req.actor.id;
  if (me === null) throw new AppError('forbidden', 'approvals.staff_only');
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => setDeputy(trx, req.actor, me, deputy));
      reply.flash('success', 'approvals.deputy.saved');
      return reply.redirect('/demandes/suppleant');
    },
    async (errors) => <DeputyPage ctx={req.view()} people={await q.activeStaff(db)} current={deputy ?? undefined} errors={errors} />,
  );
}

/** An attached file, to whoever may see the request; never rendered inline as a page of ours. */
export async function handleAttachment(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const field = String((req.params as { field?: string }).field ?? '').slice(0, 40);
  const file = await engine.attachmentOf(db, req.actor, requestId(req), field);
  return reply
    .type(file.mime)
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', `${file.mime === 'application/pdf' || file.mime.startsWith('image/') ? 'inline' : 'attachment'}; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`)
    .send(readStored(config.dataDir, file.storageKey));
}

const tokenParam = (req: FastifyRequest) => String((req.params as { token?: string }).token ?? '').slice(0, 100);

/** GET never acts: it shows what the link is for, or that it no longer works. */
export async function handleLinkPage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const token = tokenParam(req);
  const live = await peekAction(db, token);
  reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  if (!live) return reply.render(<LinkPage ctx={req.view()} token={token} invalid />, 410);
  return reply.render(<LinkPage ctx={req.view()} token={token} title={live.request.title} requester={live.requesterName} canSendBack={live.request.phase === 'approval'} />);
}

export async function handleLinkAct(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const token = tokenParam(req);
  const decision = DECISIONS[str(req.body, 'decision', 20) as keyof typeof DECISIONS];
  reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  if (!decision) throw new AppError('invalid', 'common.invalid');
  const comment = str(req.body, 'comment', 2000);
  try {
    await db.transaction().execute((trx) => actByLink(trx, token, decision, comment, { requestId: req.actor.requestId, ip: req.actor.ip }));
  } catch (e) {
    if (isAppError(e) && e.kind === 'invalid') {
      const live = await peekAction(db, token);
      return reply.render(<LinkPage ctx={req.view()} token={token} title={live?.request.title} requester={live?.requesterName} canSendBack={live?.request.phase === 'approval'} errors={e.fields} invalid={!live} />, 422);
    }
    if (isAppError(e) && (e.kind === 'conflict' || e.kind === 'forbidden')) return reply.render(<LinkPage ctx={req.view()} token={token} invalid />, 409);
    throw e;
  }
  return reply.render(<LinkPage ctx={req.view()} token={token} done />);
}
