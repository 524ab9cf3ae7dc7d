// Handlers of /api/v1/visits, /deals, /tasks (listed with their access in crm.routes.ts): parse
// (TypeBox) → service → serialize. Reading needs a token with the crm:read scope, writing the
// crm:write scope.
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { requireId } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { listStages } from './catalogue.service.js';
import type { CrmDb, DealRow, TaskRow } from './crm.table.js';
import { DealIn, DealOut, DealQuery, IdParams, Problem, SharingIn, StageMoveIn, TaskDoneIn, TaskIn, TaskOut, TaskQuery, VisitIn, VisitOut, VisitQuery } from './crm.schemas.js';
import { createDeal, getDealRow, listDeals, moveDeal } from './deal.service.js';
import { weightedCents } from './money.js';
import { updateSharing, type SharedKind } from './sharing.service.js';
import { createTask, getTask, listTasks, setTaskDone } from './task.service.js';
import { getVisit, getVisitRow, listVisits, recordVisit, type VisitListItem } from './visit.service.js';

type Ctx = ModuleContext<CrmDb>;

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };
const schema = (summary: string, s: Omit<FastifySchema, 'tags' | 'summary'>): FastifySchema => ({ tags: ['crm'], summary, ...s });

export const visitsSchema = schema('Visit reports, newest first (without confidential notes)', { querystring: VisitQuery, response: { 200: Type.Object({ items: Type.Array(VisitOut), total: Type.Integer() }), ...errors } });
export const visitSchema = schema('One visit report', { params: IdParams, response: { 200: VisitOut, ...errors } });
export const recordVisitSchema = schema('Record a visit report (idempotent on clientId)', { body: VisitIn, response: { 200: VisitOut, 201: VisitOut, ...errors } });
export const dealsSchema = schema('Deals', { querystring: DealQuery, response: { 200: Type.Object({ items: Type.Array(DealOut), total: Type.Integer() }), ...errors } });
export const dealSchema = schema('One deal', { params: IdParams, response: { 200: DealOut, ...errors } });
export const createDealSchema = schema('Create a deal', { body: DealIn, response: { 201: DealOut, ...errors } });
export const moveDealSchema = schema('Move a deal to another stage (recorded in its history)', { params: IdParams, body: StageMoveIn, response: { 200: DealOut, ...errors } });
export const tasksSchema = schema('Tasks by due date (overdue first); default: the token owner’s open tasks', { querystring: TaskQuery, response: { 200: Type.Object({ items: Type.Array(TaskOut) }), ...errors } });
export const createTaskSchema = schema('Create a task', { body: TaskIn, response: { 201: TaskOut, ...errors } });
export const taskDoneSchema = schema('Mark a task done or open', { params: IdParams, body: TaskDoneIn, response: { 200: TaskOut, ...errors } });
// What the company sees of a record, and nothing else: shared or not, the member wording and,
// for a deal, whether its amount is shown.
const sharingSchema = (kind: SharedKind, out: typeof DealOut | typeof VisitOut | typeof TaskOut) =>
  schema(`Share a ${kind} with its company (extranet) or stop sharing it`, { params: IdParams, body: SharingIn, response: { 200: out, ...errors } });
export const dealSharingSchema = sharingSchema('deal', DealOut);
export const visitSharingSchema = sharingSchema('visit', VisitOut);
export const taskSharingSchema = sharingSchema('task', TaskOut);

const sharingOut = (r: { shared_with_company: number; member_title: string; member_summary: string }) => ({ sharedWithCompany: r.shared_with_company === 1, memberTitle: r.member_title, memberSummary: r.member_summary });

function visitOut(v: VisitListItem & { client_id?: string | null }, extra: { contactIds?: number[]; confidentialNotes?: string } = {}) {
  return { id: v.id, clientId: v.client_id ?? null, companyId: v.company_id, ownerId: v.owner_id, date: v.visit_date, topics: JSON.parse(v.topics) as string[], notes: v.notes, needs: v.needs, ...sharingOut(v), version: v.version, updatedAt: v.updated_at, ...extra };
}

function taskOut(t: TaskRow) {
  return { id: t.id, ownerId: t.owner_id, companyId: t.company_id, visitId: t.visit_id, dealId: t.deal_id, title: t.title, due: t.due_date, done: t.done_at !== null, ...sharingOut(t), version: t.version };
}

const stageLabels = async (db: CrmDb) => new Map((await listStages(db)).map((s) => [s.id, s.label]));

function dealOut(d: Omit<DealRow, 'notes' | 'confidential_notes' | 'confidential_author_id'>, labels: Map<number, string>) {
  return {
    id: d.id,
    companyId: d.company_id,
    ownerId: d.owner_id,
    serviceId: d.service_id,
    stageId: d.stage_id,
    stage: labels.get(d.stage_id) ?? '',
    title: d.title,
    amountCents: Number(d.amount_cents),
    probability: d.probability,
    weightedCents: weightedCents(Number(d.amount_cents), d.probability),
    expectedCloseDate: d.expected_close_date,
    closedOn: d.closed_on,
    lostReason: d.lost_reason,
    ...sharingOut(d),
    amountSharedWithCompany: d.amount_shared_with_company === 1,
    version: d.version,
    updatedAt: d.updated_at,
  };
}

const dealAnswer = async (db: CrmDb, id: number) => dealOut(await getDealRow(db, id), await stageLabels(db));

// ——— visits ———

export async function handleVisitsApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Static<typeof VisitQuery>;
  const { items, total } = await listVisits(db, { ownerIds: q.ownerId ? [q.ownerId] : undefined, companyId: q.companyId, from: q.from, to: q.to }, q.page ?? 1);
  return { items: items.map((v) => visitOut(v)), total };
}

export async function handleVisitApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const v = await getVisit(db, req.actor, requireId(req, 'id', 'crm.visit_not_found'));
  return visitOut(v, { contactIds: v.participants.map((c) => c.id), ...(v.showConfidential ? { confidentialNotes: v.confidential_notes } : {}) });
}

export async function handleRecordVisitApi(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const b = req.body as Static<typeof VisitIn>;
  const { visit, created } = await db.transaction().execute((trx) =>
    recordVisit(trx, req.actor, { clientId: b.clientId, companyId: b.companyId, date: b.date, topics: b.topics ?? [], contactIds: b.contactIds ?? [], notes: b.notes, needs: b.needs, confidentialNotes: b.confidentialNotes, sharedWithCompany: b.sharedWithCompany, memberTitle: b.memberTitle, memberSummary: b.memberSummary, followUps: b.followUps }),
  );
  return reply.code(created ? 201 : 200).send(visitOut(visit, { confidentialNotes: visit.confidential_notes }));
}

// ——— deals ———

export async function handleDealsApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Static<typeof DealQuery>;
  const { items, total } = await listDeals(db, { ownerIds: q.ownerId ? [q.ownerId] : undefined, companyId: q.companyId, stageIds: q.stageId ? [q.stageId] : undefined, serviceId: q.serviceId, status: q.status }, q.page ?? 1);
  const labels = await stageLabels(db);
  return { items: items.map((d) => dealOut(d, labels)), total };
}

export async function handleDealApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return dealAnswer(db, requireId(req, 'id', 'crm.deal_not_found'));
}

export async function handleCreateDealApi(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const b = req.body as Static<typeof DealIn>;
  const row = await db.transaction().execute((trx) => createDeal(trx, req.actor, { ...b, title: b.title }));
  return reply.code(201).send(dealOut(row, await stageLabels(db)));
}

export async function handleMoveDealApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'crm.deal_not_found');
  const b = req.body as Static<typeof StageMoveIn>;
  await db.transaction().execute((trx) => moveDeal(trx, req.actor, id, b));
  return dealAnswer(db, id);
}

// ——— tasks ———

export async function handleTasksApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Static<typeof TaskQuery>;
  const items = await listTasks(db, { ownerIds: [q.ownerId ?? req.actor.id!], companyId: q.companyId, open: q.open ?? true });
  return { items: items.map(taskOut) };
}

export async function handleCreateTaskApi(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const b = req.body as Static<typeof TaskIn>;
  const row = await db.transaction().execute((trx) => createTask(trx, req.actor, b));
  return reply.code(201).send(taskOut(row));
}

export async function handleTaskDoneApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'crm.task_not_found');
  const b = req.body as Static<typeof TaskDoneIn>;
  await db.transaction().execute((trx) => setTaskDone(trx, req.actor, id, b.done, b.version));
  return taskOut(await getTask(db, id));
}

// ——— sharing with the company ———

async function share(req: FastifyRequest, db: CrmDb, kind: SharedKind): Promise<number> {
  const id = requireId(req, 'id', `crm.${kind}_not_found`);
  await db.transaction().execute((trx) => updateSharing(trx, req.actor, kind, id, req.body as Static<typeof SharingIn>));
  return id;
}

export async function handleShareDealApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return dealAnswer(db, await share(req, db, 'deal'));
}

export async function handleShareVisitApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return visitOut(await getVisitRow(db, await share(req, db, 'visit')));
}

export async function handleShareTaskApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return taskOut(await getTask(db, await share(req, db, 'task')));
}
