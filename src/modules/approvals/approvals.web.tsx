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
import { rawFromPayload, type RawValues } from './fields.js';
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
function rawValues(req: FastifyRequest, fields: FieldDefinition[]): RawValues {
  const out: RawValues = { _title: str(req.body, '_title', 200) };
  for (const f of fields) {
    if (f.kind === 'daterange') {
      out[`${f.name}_from`] = str(req.body, `${f.name}_from`, 20);
      out[`${f.name}_to`] = str(req.body, `${f.name}_to`, 20);
    } else out[f.name] = str(req.body, f.name, 6000);
  }
  return out;
}

const codeParam = (req: FastifyRequest) => String((req.params as { code?: string }).code ?? '').slice(0, 40);

export async function handleNewRequestForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const code = codeParam(req);
  const { type, fields } = await formType(db, code);
  const name = req.view().locale === 'en' ? type.name_en : type.name_fr;
  return reply.render(<RequestFormPage ctx={req.view()} typeName={name} action={`/demandes/nouvelle/${encodeURIComponent(code)}`} fields={fields} values={{}} />);
}

export async function handleFileRequest(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const code = codeParam(req);
  const { type, fields } = await formType(db, code);
  const values = rawValues(req, fields);
  const submit = str(req.body, '_submit', 2) !== '0';
  const name = req.view().locale === 'en' ? type.name_en : type.name_fr;
  return onInvalid(
    reply,
    async () => {
      const r = await db.transaction().execute((trx) => engine.fileFromForm(trx, req.actor, code, values, submit));
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

export async function handleEdit(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requestId(req);
  const { view, name } = await editable(req, db, id);
  const values = rawValues(req, view.definition.fields);
  const submit = str(req.body, '_submit', 2) !== '0';
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => engine.editFromForm(trx, req.actor, id, versionOf(req), values, submit));
      reply.flash('success', submit ? 'approvals.done.submit' : 'approvals.done.draft');
      return reply.redirect(`/demandes/${id}`);
    },
    (errors) => <RequestFormPage ctx={req.view()} typeName={name} action={`/demandes/${id}/modifier`} fields={view.definition.fields} values={values} errors={errors} version={versionOf(req)} />,
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
