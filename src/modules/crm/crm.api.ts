// /api/v1/visits, /deals, /tasks: parse (TypeBox) → service → serialize. Reading needs a token
// with the crm:read scope, writing the crm:write scope.
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../platform/module.js';
import { listStages } from './catalogue.service.js';
import { type CrmDb, type DealRow, type TaskRow } from './crm.tables.js';
import { DealIn, DealOut, DealQuery, IdParams, Problem, SharingIn, StageMoveIn, TaskDoneIn, TaskIn, TaskOut, TaskQuery, VisitIn, VisitOut, VisitQuery } from './crm.schemas.js';
import { updateSharing, type SharedKind } from './sharing.service.js';
import { createDeal, listDeals, moveDeal } from './deal.service.js';
import { weightedCents } from './money.js';
import { createTask, listTasks, setTaskDone } from './task.service.js';
import { getVisit, listVisits, recordVisit, type VisitListItem } from './visit.service.js';
import { notFound } from '../../platform/errors.js';

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };
const READ = { permission: 'crm:use' as const };
const WRITE = { permission: 'crm:write' as const };

const sharingOut = (r: { shared_with_company: number; member_title: string; member_summary: string }) => ({ sharedWithCompany: r.shared_with_company === 1, memberTitle: r.member_title, memberSummary: r.member_summary });

function visitOut(v: VisitListItem & { client_id?: string | null }, extra: { contactIds?: number[]; confidentialNotes?: string } = {}) {
  return { id: v.id, clientId: v.client_id ?? null, companyId: v.company_id, ownerId: v.owner_id, date: v.visit_date, topics: JSON.parse(v.topics) as string[], notes: v.notes, needs: v.needs, ...sharingOut(v), version: v.version, updatedAt: v.updated_at, ...extra };
}

function taskOut(t: TaskRow) {
  return { id: t.id, ownerId: t.owner_id, companyId: t.company_id, visitId: t.visit_id, dealId: t.deal_id, title: t.title, due: t.due_date, done: t.done_at !== null, ...sharingOut(t), version: t.version };
}

export function crmApi(api: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;
  const stageLabels = async () => new Map((await listStages(db)).map((s) => [s.id, s.label]));
  const dealOut = (d: Omit<DealRow, 'notes' | 'confidential_notes' | 'confidential_author_id'>, labels: Map<number, string>) => ({
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
  });

  api.get('/visits', { config: READ, schema: { tags: ['crm'], summary: 'Visit reports, newest first (without confidential notes)', querystring: VisitQuery, response: { 200: Type.Object({ items: Type.Array(VisitOut), total: Type.Integer() }), ...errors } } }, async (req) => {
    const q = req.query as Static<typeof VisitQuery>;
    const { items, total } = await listVisits(db, { ownerIds: q.ownerId ? [q.ownerId] : undefined, companyId: q.companyId, from: q.from, to: q.to }, q.page ?? 1);
    return { items: items.map((v) => visitOut(v)), total };
  });

  api.get('/visits/:id', { config: READ, schema: { tags: ['crm'], summary: 'One visit report', params: IdParams, response: { 200: VisitOut, ...errors } } }, async (req) => {
    const v = await getVisit(db, req.actor, Number((req.params as { id: string }).id));
    return visitOut(v, { contactIds: v.participants.map((c) => c.id), ...(v.showConfidential ? { confidentialNotes: v.confidential_notes } : {}) });
  });

  api.post('/visits', { config: WRITE, schema: { tags: ['crm'], summary: 'Record a visit report (idempotent on clientId)', body: VisitIn, response: { 200: VisitOut, 201: VisitOut, ...errors } } }, async (req, reply) => {
    const b = req.body as Static<typeof VisitIn>;
    const { visit, created } = await db.transaction().execute((trx) =>
      recordVisit(trx, req.actor, { clientId: b.clientId, companyId: b.companyId, date: b.date, topics: b.topics ?? [], contactIds: b.contactIds ?? [], notes: b.notes, needs: b.needs, confidentialNotes: b.confidentialNotes, sharedWithCompany: b.sharedWithCompany, memberTitle: b.memberTitle, memberSummary: b.memberSummary, followUps: b.followUps }),
    );
    return reply.code(created ? 201 : 200).send(visitOut(visit, { confidentialNotes: visit.confidential_notes }));
  });

  api.get('/deals', { config: READ, schema: { tags: ['crm'], summary: 'Deals', querystring: DealQuery, response: { 200: Type.Object({ items: Type.Array(DealOut), total: Type.Integer() }), ...errors } } }, async (req) => {
    const q = req.query as Static<typeof DealQuery>;
    const { items, total } = await listDeals(db, { ownerIds: q.ownerId ? [q.ownerId] : undefined, companyId: q.companyId, stageIds: q.stageId ? [q.stageId] : undefined, serviceId: q.serviceId, status: q.status }, q.page ?? 1);
    const labels = await stageLabels();
    return { items: items.map((d) => dealOut(d, labels)), total };
  });

  api.get('/deals/:id', { config: READ, schema: { tags: ['crm'], summary: 'One deal', params: IdParams, response: { 200: DealOut, ...errors } } }, async (req) => {
    const row = await (db as CrmDb).selectFrom('crm_deals').selectAll().where('id', '=', Number((req.params as { id: string }).id)).executeTakeFirst();
    if (!row) throw notFound('crm.deal_not_found');
    return dealOut(row, await stageLabels());
  });

  api.post('/deals', { config: WRITE, schema: { tags: ['crm'], summary: 'Create a deal', body: DealIn, response: { 201: DealOut, ...errors } } }, async (req, reply) => {
    const b = req.body as Static<typeof DealIn>;
    const row = await db.transaction().execute((trx) => createDeal(trx, req.actor, { ...b, title: b.title }));
    return reply.code(201).send(dealOut(row, await stageLabels()));
  });

  api.post('/deals/:id/stage', { config: WRITE, schema: { tags: ['crm'], summary: 'Move a deal to another stage (recorded in its history)', params: IdParams, body: StageMoveIn, response: { 200: DealOut, ...errors } } }, async (req) => {
    const id = Number((req.params as { id: string }).id);
    const b = req.body as Static<typeof StageMoveIn>;
    await db.transaction().execute((trx) => moveDeal(trx, req.actor, id, b));
    const row = await (db as CrmDb).selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return dealOut(row, await stageLabels());
  });

  api.get('/tasks', { config: READ, schema: { tags: ['crm'], summary: 'Tasks by due date (overdue first); default: the token owner’s open tasks', querystring: TaskQuery, response: { 200: Type.Object({ items: Type.Array(TaskOut) }), ...errors } } }, async (req) => {
    const q = req.query as Static<typeof TaskQuery>;
    const items = await listTasks(db, { ownerIds: [q.ownerId ?? req.actor.id!], companyId: q.companyId, open: q.open ?? true });
    return { items: items.map(taskOut) };
  });

  api.post('/tasks', { config: WRITE, schema: { tags: ['crm'], summary: 'Create a task', body: TaskIn, response: { 201: TaskOut, ...errors } } }, async (req, reply) => {
    const b = req.body as Static<typeof TaskIn>;
    const row = await db.transaction().execute((trx) => createTask(trx, req.actor, b));
    return reply.code(201).send(taskOut(row));
  });

  api.post('/tasks/:id/done', { config: WRITE, schema: { tags: ['crm'], summary: 'Mark a task done or open', params: IdParams, body: TaskDoneIn, response: { 200: TaskOut, ...errors } } }, async (req) => {
    const id = Number((req.params as { id: string }).id);
    const b = req.body as Static<typeof TaskDoneIn>;
    await db.transaction().execute((trx) => setTaskDone(trx, req.actor, id, b.done, b.version));
    const row = await (db as CrmDb).selectFrom('crm_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return taskOut(row);
  });

  // What the company sees of a record, and nothing else: shared or not, the member wording and,
  // for a deal, whether its amount is shown.
  const sharingRoute = <T>(kind: SharedKind, path: string, out: T, read: (id: number) => Promise<unknown>) =>
    api.post(path, { config: WRITE, schema: { tags: ['crm'], summary: `Share a ${kind} with its company (extranet) or stop sharing it`, params: IdParams, body: SharingIn, response: { 200: out, ...errors } } }, async (req) => {
      const id = Number((req.params as { id: string }).id);
      await db.transaction().execute((trx) => updateSharing(trx, req.actor, kind, id, req.body as Static<typeof SharingIn>));
      return read(id);
    });
  sharingRoute('deal', '/deals/:id/sharing', DealOut, async (id) => dealOut(await (db as CrmDb).selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirstOrThrow(), await stageLabels()));
  sharingRoute('visit', '/visits/:id/sharing', VisitOut, async (id) => visitOut(await (db as CrmDb).selectFrom('crm_visits').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
  sharingRoute('task', '/tasks/:id/sharing', TaskOut, async (id) => taskOut(await (db as CrmDb).selectFrom('crm_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
}
