// Handlers of the CRM's HTML routes, listed with their access in crm.routes.ts. Routes declare the
// coarse permission (crm:use, crm:write…); the services check the records (policy.ts), and views
// show or hide actions with the same policy functions.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VNode } from 'preact';
import type { Actor } from '../../platform/audit/audit.js';
import { teamOf } from '../../platform/auth/users.js';
import { AppError, isAppError, notFound, type FieldErrors } from '../../platform/errors.js';
import { fromArray, sendExport } from '../../platform/export.js';
import { int, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import { safeNext } from '../../platform/http/lifecycle.js';
import type { ModuleContext } from '../../platform/module.js';
import type { Option } from '../../platform/ui/components.js';
import { findCompany, listContacts, searchCompaniesForPicker, type CompanySummary } from '../registry/index.js';
import { activeCalendarToken, calendarFeed, calendarOwner, createCalendarToken, revokeCalendarToken } from './calendar.service.js';
import { listServices, listStages, listTopics, saveService, saveStage, saveTopic } from './catalogue.service.js';
import { companyNamer, companyNames, companySummaries } from './companies.js';
import type { CrmDb } from './crm.table.js';
import { addDays, isDate, todayParis } from './dates.js';
import { board, createDeal, forecast, getDeal, listDeals, moveDeal, updateDeal, type DealFilter, type DealInput } from './deal.service.js';
import { centsToInput, parseEuros } from './money.js';
import { addCompanyNote } from './note.service.js';
import { canEditTask, mayManageTeam, mayWriteCrm, type ConfidentialRow } from './policy.js';
import { assignPortfolio, companyIdsFromRegistrySearch, listPortfolio, MAX_BULK } from './portfolio.service.js';
import { buildReports, NAF_SECTIONS } from './reports.service.js';
import { createTask, getTask, listCrmUsers, listTasks, listTasksOfDeal, listTasksOfVisit, setTaskDone, updateTask } from './task.service.js';
import { companyTimeline, isTimelineKind } from './timeline.service.js';
import { getVisit, listVisits, ownerNames, recordVisit, updateVisit, VISIT_MAX_FUTURE_DAYS, type VisitInput } from './visit.service.js';
import type { SharingValues } from './views/common.js';
import { BoardPage, DealFormPage, DealPage, DealsPage, type DealFilterValues, type DealFormValues } from './views/deals.js';
import { AssignPage, CalendarPage, HomePage, PortfolioPage, TaskFormPage, TasksPage, type TaskFormValues } from './views/home.js';
import { reportTables, ReportsPage, type ReportFilterValues } from './views/reports.js';
import { SettingsPage } from './views/settings.js';
import { PanelTimeline, TimelinePage } from './views/timeline.js';
import { CompanyChoices, FOLLOW_UP_ROWS, PeopleChoices, VisitFormPage, VisitPage, VisitsPage, type VisitFormValues } from './views/visits.js';

type Ctx = ModuleContext<CrmDb>;
type Query = Record<string, string | undefined>;
type Scope = 'mine' | 'team' | 'all';

const SW_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public', 'crm-sw.js');

// ——— shared steps ———

function scopeOf(q: Query, actor: Actor): Scope {
  const s = q.portee;
  if (s === 'all') return 'all';
  if (s === 'team' && mayManageTeam(actor)) return 'team';
  return 'mine';
}

/** The owners a scope covers; undefined = everybody. */
async function ownersOf(db: CrmDb, actor: Actor, scope: Scope): Promise<number[] | undefined> {
  if (scope === 'all') return undefined;
  if (scope === 'team') return [actor.id!, ...(await teamOf(db, actor.id!))];
  return [actor.id!];
}

function pageOf(q: Query): number {
  const p = Number(q.page);
  return Number.isInteger(p) && p > 0 && p < 100000 ? p : 1;
}

const optInt = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined);

async function userOptions(db: CrmDb): Promise<Option[]> {
  return (await listCrmUsers(db)).map((u) => ({ value: String(u.id), label: u.name }));
}

function wantsJson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('application/json');
}

/**
 * The JSON twin of onInvalid, for crm-offline.js and crm-board.js (`Accept: application/json`):
 * a refused input (or, with `conflict`, a stale version) answers 422 / 409 with `answer(e)`.
 */
async function onInvalidJson(reply: FastifyReply, action: () => Promise<unknown>, answer: (e: AppError) => unknown, opts: { conflict?: boolean } = {}): Promise<unknown> {
  try {
    return await action();
  } catch (e) {
    if (isAppError(e) && (e.kind === 'invalid' || (opts.conflict && e.kind === 'conflict'))) return reply.code(e.kind === 'invalid' ? 422 : 409).send(answer(e));
    throw e;
  }
}

const has = (body: unknown, name: string) => typeof body === 'object' && body !== null && name in body;

/** The "shared with the company" part of the deal, visit and task forms. */
function sharingValues(body: unknown): SharingValues {
  return {
    sharedWithCompany: str(body, 'shared_with_company') === '1',
    memberTitle: str(body, 'member_title', 300),
    memberSummary: str(body, 'member_summary', 3000),
    amountSharedWithCompany: str(body, 'amount_shared_with_company') === '1',
  };
}
const NOT_SHARED: SharingValues = { sharedWithCompany: false, memberTitle: '', memberSummary: '', amountSharedWithCompany: false };
const sharingOf = (r: { shared_with_company: number; member_title: string; member_summary: string; amount_shared_with_company?: number }): SharingValues => ({
  sharedWithCompany: r.shared_with_company === 1,
  memberTitle: r.member_title,
  memberSummary: r.member_summary,
  amountSharedWithCompany: r.amount_shared_with_company === 1,
});

// ——— service worker, home, company pickers ———

/** The service worker must be served from /crm/ to control the CRM's pages (public/crm-sw.js). */
export async function handleServiceWorker(_req: FastifyRequest, reply: FastifyReply) {
  return reply.header('service-worker-allowed', '/crm/').header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(await readFile(SW_FILE, 'utf8'));
}

export async function handleHome(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const me = req.actor.id!;
  const today = todayParis();
  const [tasks, visits, portfolio] = await Promise.all([listTasks(db, { ownerIds: [me], open: true }, 20), listVisits(db, { ownerIds: [me] }, 1, 8), listPortfolio(db, [me], 1, 10)]);
  const names = await companyNames(db, [...tasks.map((x) => x.company_id ?? 0), ...visits.items.map((v) => v.company_id), ...portfolio.items.map((p) => p.company_id)]);
  return reply.render(<HomePage ctx={req.view()} tasks={tasks} visits={visits.items} portfolio={portfolio.items} portfolioTotal={portfolio.total} names={names} today={today} />);
}

/** Company picker (htmx): two keystrokes are enough. */
export async function handleCompanyChoices(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = String((req.query as Record<string, unknown>).company_q ?? (req.query as Record<string, unknown>).q ?? '').trim().slice(0, 100);
  const companies = q.length >= 2 ? await searchCompaniesForPicker(db, q, 10) : [];
  return reply.render(<CompanyChoices ctx={req.view()} companies={companies} q={q} />);
}

export async function handlePeopleChoices(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req);
  if (!(await findCompany(db, id))) throw notFound('crm.company_unknown');
  return reply.render(<PeopleChoices ctx={req.view()} contacts={await listContacts(db, id)} selected={[]} />);
}

// ——— visits ———

function visitValues(body: unknown): VisitFormValues {
  return {
    clientId: str(body, 'client_id', 80),
    companyId: optInt(str(body, 'company_id', 12)),
    companyQ: str(body, 'company_q', 100),
    date: str(body, 'date', 20),
    topics: list(body, 'topics'),
    contactIds: list(body, 'contact_ids').map(Number).filter((n) => Number.isInteger(n) && n > 0),
    newContact: { firstName: str(body, 'new_contact_first_name', 200), lastName: str(body, 'new_contact_last_name', 200), role: str(body, 'new_contact_role', 300), email: str(body, 'new_contact_email', 300), phone: str(body, 'new_contact_phone', 50) },
    notes: str(body, 'notes', 25_000),
    needs: str(body, 'needs', 25_000),
    confidentialNotes: has(body, 'confidential_notes') ? str(body, 'confidential_notes', 25_000) : undefined,
    ...sharingValues(body),
    followUps: Array.from({ length: FOLLOW_UP_ROWS }, (_, i) => ({ title: str(body, `followup_${i}_title`, 300), due: str(body, `followup_${i}_due`, 20), ownerId: optInt(str(body, `followup_${i}_owner`, 12)) })),
    version: int(body, 'version'),
  };
}

function visitInput(v: VisitFormValues): VisitInput {
  return {
    clientId: v.clientId || undefined,
    companyId: v.companyId,
    date: v.date,
    topics: v.topics,
    contactIds: v.contactIds,
    newContact: v.newContact,
    notes: v.notes,
    needs: v.needs,
    confidentialNotes: v.confidentialNotes,
    sharedWithCompany: v.sharedWithCompany,
    memberTitle: v.memberTitle,
    memberSummary: v.memberSummary,
    followUps: v.followUps,
    version: v.version,
  };
}

async function visitForm(req: FastifyRequest, db: CrmDb, values: VisitFormValues, opts: { errors?: FieldErrors; visitId?: number; confidentialOf?: ConfidentialRow } = {}): Promise<VNode> {
  const [topics, users] = await Promise.all([listTopics(db, { activeOnly: opts.visitId === undefined }), userOptions(db)]);
  const company = values.companyId ? await findCompany(db, values.companyId) : undefined;
  let candidates: CompanySummary[] = [];
  if (!company && values.companyQ && values.companyQ.length >= 2) candidates = await searchCompaniesForPicker(db, values.companyQ, 10);
  else if (!company && opts.visitId === undefined) {
    // Offline-friendly start: the adviser's own companies are on the form without a search.
    const mine = await listPortfolio(db, [req.actor.id!], 1, 8);
    candidates = [...(await companySummaries(db, mine.items.map((i) => i.company_id))).values()];
  }
  const contacts = company ? await listContacts(db, company.id) : [];
  return <VisitFormPage ctx={req.view()} values={values} errors={opts.errors} topics={topics} company={company} candidates={candidates} contacts={contacts} users={users} visitId={opts.visitId} maxDate={addDays(todayParis(), VISIT_MAX_FUTURE_DAYS)} confidentialOf={opts.confidentialOf} />;
}

export async function handleVisits(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Query;
  const scope = scopeOf(q, req.actor);
  const page = pageOf(q);
  const { items, total } = await listVisits(db, { ownerIds: await ownersOf(db, req.actor, scope) }, page);
  const [names, owners, topics] = await Promise.all([companyNames(db, items.map((v) => v.company_id)), ownerNames(db, items.map((v) => v.owner_id)), listTopics(db)]);
  return reply.render(<VisitsPage ctx={req.view()} items={items} total={total} page={page} scope={scope} canTeam={mayManageTeam(req.actor)} names={names} owners={owners} topics={topics} />);
}

export async function handleNewVisitForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Query;
  const values: VisitFormValues = {
    clientId: '',
    companyId: optInt(q.entreprise),
    date: todayParis(),
    topics: [],
    contactIds: [],
    newContact: { firstName: '', lastName: '', role: '', email: '', phone: '' },
    notes: '',
    needs: '',
    confidentialNotes: '',
    ...NOT_SHARED,
    followUps: [],
  };
  return reply.render(await visitForm(req, db, values));
}

/** A report from the form, or from crm-offline.js (JSON answer): stored once per client id. */
export async function handleRecordVisit(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = visitValues(req.body);
  if (str(req.body, 'action') === 'search') return reply.render(await visitForm(req, db, { ...values, companyId: undefined }));
  const save = () => db.transaction().execute((trx) => recordVisit(trx, req.actor, visitInput(values)));
  if (wantsJson(req)) {
    return onInvalidJson(
      reply,
      async () => {
        const { visit, created } = await save();
        return reply.code(created ? 201 : 200).send({ id: visit.id, created, href: `/crm/visites/${visit.id}` });
      },
      (e) => ({ code: e.code, errors: Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, req.t(v, e.params)])) }),
    );
  }
  return onInvalid(
    reply,
    async () => {
      const { visit, created } = await save();
      reply.flash('success', created ? 'crm.visit.saved' : 'crm.visit.already_saved');
      return reply.redirect(`/crm/visites/${visit.id}`);
    },
    (errors) => visitForm(req, db, values, { errors }),
  );
}

export async function handleVisit(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const visit = await getVisit(db, req.actor, requireId(req, 'id', 'crm.visit_not_found'));
  const tasks = await listTasksOfVisit(db, visit.id);
  const [topics, owners] = await Promise.all([listTopics(db), ownerNames(db, tasks.map((x) => x.owner_id))]);
  return reply.render(<VisitPage ctx={req.view()} visit={visit} topics={topics} tasks={tasks} taskOwners={owners} />);
}

export async function handleEditVisitForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const visit = await getVisit(db, req.actor, requireId(req, 'id', 'crm.visit_not_found'));
  if (!visit.canEdit) throw new AppError('forbidden', 'crm.not_owner');
  const values: VisitFormValues = {
    clientId: visit.client_id ?? '',
    companyId: visit.company_id,
    date: visit.visit_date,
    topics: visit.topicCodes,
    contactIds: visit.participants.map((c) => c.id),
    newContact: { firstName: '', lastName: '', role: '', email: '', phone: '' },
    notes: visit.notes,
    needs: visit.needs,
    // Only their author (or crm:confidential) sees, hence edits, the confidential notes.
    confidentialNotes: visit.showConfidential ? visit.confidential_notes : undefined,
    ...sharingOf(visit),
    followUps: [],
    version: visit.version,
  };
  return reply.render(await visitForm(req, db, values, { visitId: visit.id, confidentialOf: visit }));
}

export async function handleSaveVisit(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'crm.visit_not_found');
  const values = visitValues(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => updateVisit(trx, req.actor, id, visitInput(values)));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/crm/visites/${id}`);
    },
    (errors) => visitForm(req, db, values, { errors, visitId: id }),
    { conflict: true },
  );
}

// ——— tasks ———

async function tasksPage(req: FastifyRequest, db: CrmDb, errors?: FieldErrors, values?: { title: string; due: string; ownerId?: string }): Promise<VNode> {
  const scope = scopeOf(req.query as Query, req.actor);
  const ownerIds = await ownersOf(db, req.actor, scope);
  const [open, done, users] = await Promise.all([listTasks(db, { ownerIds, open: true }), listTasks(db, { ownerIds, open: false }, 30), userOptions(db)]);
  const names = await companyNames(db, [...open, ...done].map((x) => x.company_id ?? 0));
  const owners = await ownerNames(db, [...open, ...done].map((x) => x.owner_id));
  return <TasksPage ctx={req.view()} open={open} done={done} names={names} owners={owners} today={todayParis()} scope={scope} canTeam={mayManageTeam(req.actor)} users={users} errors={errors} values={values} />;
}

export async function handleTasks(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await tasksPage(req, db));
}

export async function handleCreateTask(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { title: str(req.body, 'title', 300), due: str(req.body, 'due', 20), ownerId: str(req.body, 'owner_id', 12) || undefined };
  const dealId = optInt(str(req.body, 'deal_id', 12));
  const next = str(req.body, 'next', 200);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => createTask(trx, req.actor, { title: values.title, due: values.due, ownerId: optInt(values.ownerId), dealId }));
      reply.flash('success', 'crm.task.added');
      return reply.redirect(/^\/crm\/affaires\/\d+$/.test(next) ? next : '/crm/taches');
    },
    (errors) => tasksPage(req, db, errors, values),
  );
}

async function taskForm(req: FastifyRequest, db: CrmDb, id: number, values?: TaskFormValues, errors?: FieldErrors): Promise<VNode> {
  const task = await getTask(db, id);
  // The same circle as updateTask: whoever created it, its owner, their managers, direction.
  if (!(await canEditTask(db, req.actor, task))) throw new AppError('forbidden', 'crm.not_owner');
  const [users, names] = await Promise.all([userOptions(db), companyNames(db, task.company_id ? [task.company_id] : [])]);
  const v = values ?? { title: task.title, due: task.due_date, ownerId: String(task.owner_id), version: task.version, ...sharingOf(task) };
  return <TaskFormPage ctx={req.view()} task={task} values={v} users={users} companyName={task.company_id ? names.get(task.company_id) : undefined} errors={errors} />;
}

export async function handleEditTaskForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await taskForm(req, db, requireId(req, 'id', 'crm.task_not_found')));
}

export async function handleSaveTask(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'crm.task_not_found');
  const values: TaskFormValues = { title: str(req.body, 'title', 300), due: str(req.body, 'due', 20), ownerId: str(req.body, 'owner_id', 12), version: int(req.body, 'version') ?? -1, ...sharingValues(req.body) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) =>
        updateTask(trx, req.actor, id, { title: values.title, due: values.due, ownerId: optInt(values.ownerId), sharedWithCompany: values.sharedWithCompany, memberTitle: values.memberTitle, memberSummary: values.memberSummary, version: values.version }),
      );
      reply.flash('success', 'common.saved');
      return reply.redirect('/crm/taches');
    },
    (errors) => taskForm(req, db, id, values, errors),
    { conflict: true },
  );
}

async function setDone(req: FastifyRequest, reply: FastifyReply, db: CrmDb, done: boolean) {
  const id = requireId(req, 'id', 'crm.task_not_found');
  await db.transaction().execute((trx) => setTaskDone(trx, req.actor, id, done, int(req.body, 'version') ?? -1));
  reply.flash('success', done ? 'crm.task.completed' : 'crm.task.reopened');
  // Back to the CRM page the task was ticked on; the Referer is a redirect target like any
  // other, so it goes through the one safeNext (and must stay in the CRM).
  const from = req.headers.referer ? safeNext(new URL(req.headers.referer, 'http://x').pathname, '/crm/taches') : '/crm/taches';
  return reply.redirect(from.startsWith('/crm') ? from : '/crm/taches');
}

export async function handleCompleteTask(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return setDone(req, reply, db, true);
}

export async function handleReopenTask(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return setDone(req, reply, db, false);
}

// ——— deals ———

function dealFilterValues(req: FastifyRequest): DealFilterValues {
  const q = req.query as Query;
  return { portee: scopeOf(q, req.actor), stage: q.stage?.slice(0, 12), service: q.service?.slice(0, 12), status: ['open', 'won', 'lost'].includes(q.status ?? '') ? q.status : undefined, from: isDate(q.from) ? q.from : undefined, to: isDate(q.to) ? q.to : undefined };
}

async function dealFilter(req: FastifyRequest, db: CrmDb, f: DealFilterValues): Promise<DealFilter> {
  return {
    ownerIds: await ownersOf(db, req.actor, f.portee as Scope),
    stageIds: optInt(f.stage) ? [optInt(f.stage)!] : undefined,
    serviceId: optInt(f.service),
    status: f.status as DealFilter['status'],
    closeFrom: f.from,
    closeTo: f.to,
  };
}

export async function handleDeals(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const f = dealFilterValues(req);
  const filter = await dealFilter(req, db, f);
  const page = pageOf(req.query as Query);
  const [{ items, total }, fc, stages, services] = await Promise.all([listDeals(db, filter, page), forecast(db, { ...filter, status: filter.status ?? 'open' }), listStages(db), listServices(db)]);
  const [names, owners] = await Promise.all([companyNames(db, items.map((d) => d.company_id)), ownerNames(db, items.map((d) => d.owner_id))]);
  return reply.render(<DealsPage ctx={req.view()} items={items} total={total} page={page} f={f} stages={stages} services={services} names={names} owners={owners} forecast={fc} canTeam={mayManageTeam(req.actor)} />);
}

export async function handleBoard(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const f = dealFilterValues(req);
  const filter = await dealFilter(req, db, f);
  const [columns, stages, services] = await Promise.all([board(db, { ...filter, stageIds: undefined, status: undefined, closeFrom: undefined, closeTo: undefined }), listStages(db, { activeOnly: true }), listServices(db)]);
  const names = await companyNames(db, columns.flatMap((c) => c.deals.map((d) => d.company_id)));
  return reply.render(<BoardPage ctx={req.view()} columns={columns} f={f} stages={stages} services={services} names={names} canTeam={mayManageTeam(req.actor)} perColumn={50} />);
}

function dealValues(body: unknown): DealFormValues {
  return {
    companyId: optInt(str(body, 'company_id', 12)),
    companyQ: str(body, 'company_q', 100),
    title: str(body, 'title', 300),
    serviceId: str(body, 'service_id', 12) || undefined,
    amount: str(body, 'amount', 40),
    probability: str(body, 'probability', 10),
    expectedCloseDate: str(body, 'expected_close_date', 20),
    stageId: str(body, 'stage_id', 12) || undefined,
    lostReason: str(body, 'lost_reason', 600),
    ownerId: str(body, 'owner_id', 12) || undefined,
    contactIds: list(body, 'contact_ids').map(Number).filter((n) => Number.isInteger(n) && n > 0),
    notes: str(body, 'notes', 25_000),
    confidentialNotes: has(body, 'confidential_notes') ? str(body, 'confidential_notes', 25_000) : undefined,
    ...sharingValues(body),
    version: int(body, 'version'),
  };
}

function dealInput(v: DealFormValues): DealInput {
  const prob = v.probability === '' ? undefined : /^\d{1,3}$/.test(v.probability) ? Number(v.probability) : NaN;
  return {
    companyId: v.companyId,
    title: v.title,
    serviceId: optInt(v.serviceId),
    amountCents: parseEuros(v.amount),
    probability: prob,
    expectedCloseDate: v.expectedCloseDate,
    stageId: optInt(v.stageId),
    lostReason: v.lostReason,
    ownerId: optInt(v.ownerId),
    contactIds: v.contactIds,
    notes: v.notes,
    confidentialNotes: v.confidentialNotes,
    sharedWithCompany: v.sharedWithCompany,
    memberTitle: v.memberTitle,
    memberSummary: v.memberSummary,
    amountSharedWithCompany: v.amountSharedWithCompany,
    version: v.version,
  };
}

async function dealForm(req: FastifyRequest, db: CrmDb, values: DealFormValues, opts: { errors?: FieldErrors; dealId?: number; confidentialOf?: ConfidentialRow } = {}): Promise<VNode> {
  const [services, stages, users] = await Promise.all([listServices(db, { activeOnly: true }), listStages(db, { activeOnly: true }), userOptions(db)]);
  const company = values.companyId ? await findCompany(db, values.companyId) : undefined;
  const candidates = !company && values.companyQ && values.companyQ.length >= 2 ? await searchCompaniesForPicker(db, values.companyQ, 10) : [];
  const contacts = company ? await listContacts(db, company.id) : [];
  return <DealFormPage ctx={req.view()} values={values} errors={opts.errors} company={company} candidates={candidates} contacts={contacts} services={services} stages={stages} users={users} dealId={opts.dealId} confidentialOf={opts.confidentialOf} />;
}

export async function handleNewDealForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const companyId = optInt((req.query as Query).entreprise);
  return reply.render(await dealForm(req, db, { companyId, title: '', amount: '', probability: '', expectedCloseDate: '', lostReason: '', contactIds: [], notes: '', confidentialNotes: '', ...NOT_SHARED }));
}

export async function handleCreateDeal(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = dealValues(req.body);
  if (str(req.body, 'action') === 'search') return reply.render(await dealForm(req, db, { ...values, companyId: undefined }));
  return onInvalid(
    reply,
    async () => {
      const deal = await db.transaction().execute((trx) => createDeal(trx, req.actor, dealInput(values)));
      reply.flash('success', 'crm.deal.saved');
      return reply.redirect(`/crm/affaires/${deal.id}`);
    },
    (errors) => dealForm(req, db, values, { errors }),
  );
}

async function dealPage(req: FastifyRequest, db: CrmDb, id: number, moveErrors?: FieldErrors, lostReason?: string): Promise<VNode> {
  const [deal, stages, tasks] = await Promise.all([getDeal(db, req.actor, id), listStages(db, { activeOnly: true }), listTasksOfDeal(db, id)]);
  return <DealPage ctx={req.view()} deal={deal} stages={stages} tasks={tasks} moveErrors={moveErrors} lostReason={lostReason} />;
}

export async function handleDeal(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await dealPage(req, db, requireId(req, 'id', 'crm.deal_not_found')));
}

export async function handleEditDealForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const d = await getDeal(db, req.actor, requireId(req, 'id', 'crm.deal_not_found'));
  if (!d.canEdit) throw new AppError('forbidden', 'crm.not_owner');
  const values: DealFormValues = {
    companyId: d.company_id,
    title: d.title,
    serviceId: d.service_id ? String(d.service_id) : undefined,
    amount: centsToInput(Number(d.amount_cents)),
    probability: String(d.probability),
    expectedCloseDate: d.expected_close_date ?? '',
    stageId: String(d.stage_id),
    lostReason: d.lost_reason ?? '',
    ownerId: String(d.owner_id),
    contactIds: d.contacts.map((c) => c.id),
    notes: d.notes,
    confidentialNotes: d.showConfidential ? d.confidential_notes : undefined,
    ...sharingOf(d),
    version: d.version,
  };
  return reply.render(await dealForm(req, db, values, { dealId: d.id, confidentialOf: d }));
}

export async function handleSaveDeal(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'crm.deal_not_found');
  const values = dealValues(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => updateDeal(trx, req.actor, id, dealInput(values)));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/crm/affaires/${id}`);
    },
    (errors) => dealForm(req, db, values, { errors, dealId: id }),
    { conflict: true },
  );
}

/** Move form (keyboard, no JS) and drag and drop (crm-board.js posts the same form, asking JSON). */
export async function handleMoveDeal(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'crm.deal_not_found');
  const stageId = optInt(str(req.body, 'stage_id', 12)) ?? -1;
  const lostReason = str(req.body, 'lost_reason', 600);
  const move = () => db.transaction().execute((trx) => moveDeal(trx, req.actor, id, { stageId, lostReason, version: int(req.body, 'version') ?? -1 }));
  if (wantsJson(req)) {
    return onInvalidJson(
      reply,
      async () => {
        await move();
        return reply.send({ ok: true });
      },
      (e) => ({ code: e.code, errors: e.fields, href: `/crm/affaires/${id}` }),
      { conflict: true },
    );
  }
  return onInvalid(
    reply,
    async () => {
      await move();
      reply.flash('success', 'crm.deal.moved');
      const back = str(req.body, 'back', 200);
      return reply.redirect(back === 'board' || (req.headers.referer ?? '').includes('/crm/affaires/tableau') ? '/crm/affaires/tableau' : `/crm/affaires/${id}`);
    },
    (errors) => dealPage(req, db, id, errors, lostReason),
    { conflict: true },
  );
}

// ——— portfolio ———

export async function handlePortfolio(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Query;
  const scope = scopeOf(q, req.actor);
  const page = pageOf(q);
  const owners = (await ownersOf(db, req.actor, scope)) ?? (await listCrmUsers(db)).map((u) => u.id);
  const { items, total } = await listPortfolio(db, owners, page);
  const [names, advisers] = await Promise.all([companyNames(db, items.map((i) => i.company_id)), ownerNames(db, items.map((i) => i.adviser_id))]);
  return reply.render(<PortfolioPage ctx={req.view()} rows={items} total={total} page={page} names={names} advisers={advisers} scope={scope} canTeam={mayManageTeam(req.actor)} canAssign={mayManageTeam(req.actor)} />);
}

export async function handleAssignForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<AssignPage ctx={req.view()} users={await userOptions(db)} values={{ ids: '', q: '' }} />);
}

/** Bulk assignment: ids typed or pasted, registry search words, or a registry results address. */
export async function handleAssignPortfolio(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { ids: str(req.body, 'company_ids', 100_000), q: str(req.body, 'q', 2000), adviserId: str(req.body, 'adviser_id', 12) || undefined };
  const users = await userOptions(db);
  const typed = values.ids.split(/[\s,;]+/).filter(Boolean);
  const errors: FieldErrors = {};
  if (typed.some((x) => !/^\d{1,9}$/.test(x))) errors.company_ids = 'crm.portfolio_ids_invalid';
  let ids = typed.filter((x) => /^\d{1,9}$/.test(x)).map(Number);
  if (values.q.length >= 2) ids = [...ids, ...(await companyIdsFromRegistrySearch(db, values.q))];
  if (Object.keys(errors).length) return reply.render(<AssignPage ctx={req.view()} users={users} values={values} errors={errors} />, 422);
  if (str(req.body, 'action') === 'preview') {
    const found = await companyNames(db, ids.slice(0, MAX_BULK));
    return reply.render(<AssignPage ctx={req.view()} users={users} values={values} preview={[...found].map(([id, name]) => ({ id, name }))} />);
  }
  return onInvalid(
    reply,
    async () => {
      const res = await db.transaction().execute((trx) => assignPortfolio(trx, req.actor, ids, optInt(values.adviserId) ?? null));
      reply.flash('success', 'crm.portfolio.assigned', { n: res.assigned, unchanged: res.unchanged });
      return reply.redirect('/crm/portefeuille?portee=team');
    },
    (fields) => <AssignPage ctx={req.view()} users={users} values={values} errors={fields} />,
  );
}

export async function handleTakeCompany(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req);
  await db.transaction().execute((trx) => assignPortfolio(trx, req.actor, [id], req.actor.id));
  reply.flash('success', 'crm.portfolio.taken');
  return reply.redirect(`/registre/entreprises/${id}`);
}

// ——— timeline and notes ———

export async function handleTimeline(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req);
  const company = await findCompany(db, id);
  if (!company) throw notFound('crm.company_unknown');
  const q = req.query as Query;
  const kind = isTimelineKind(q.type) ? q.type : undefined;
  if (req.isHtmx && q.bloc === '1') {
    const latest = await companyTimeline(db, req.actor, id, { kinds: kind ? [kind] : undefined, limit: 15 });
    return reply.render(<PanelTimeline ctx={req.view()} companyId={id} events={latest} kind={kind} />);
  }
  const events = await companyTimeline(db, req.actor, id, { kinds: kind ? [kind] : undefined });
  return reply.render(<TimelinePage ctx={req.view()} company={company} events={events} kind={kind} canWrite={mayWriteCrm(req.actor)} />);
}

export async function handleAddNote(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req);
  const body = str(req.body, 'body', 6000);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => addCompanyNote(trx, req.actor, id, { body, confidential: str(req.body, 'confidential') === '1' }));
      reply.flash('success', 'crm.note.added');
      return reply.redirect(`/crm/entreprises/${id}/chronologie`);
    },
    async (errors) => {
      const company = await findCompany(db, id);
      if (!company) throw notFound('crm.company_unknown');
      const events = await companyTimeline(db, req.actor, id);
      return <TimelinePage ctx={req.view()} company={company} events={events} canWrite errors={errors} body={body} />;
    },
  );
}

// ——— calendar feed ———

export async function handleCalendar(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<CalendarPage ctx={req.view()} active={await activeCalendarToken(db, req.actor.id!)} />);
}

export async function handleCreateCalendarToken(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const token = await db.transaction().execute((trx) => createCalendarToken(trx, req.actor));
  // Shown once, on this answer only (not a redirect: the URL must not be logged in a flash).
  return reply.render(<CalendarPage ctx={req.view()} active={await activeCalendarToken(db, req.actor.id!)} url={`${config.publicUrl}/crm/calendrier/${token}.ics`} />);
}

export async function handleRevokeCalendarToken(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  await db.transaction().execute((trx) => revokeCalendarToken(trx, req.actor));
  reply.flash('success', 'crm.calendar.revoked');
  return reply.redirect('/crm/calendrier');
}

/** Calendar clients cannot sign in: the secret in the URL is the credential. */
export async function handleCalendarFeed(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const raw = String((req.params as { token: string }).token ?? '');
  const token = raw.endsWith('.ics') ? raw.slice(0, -4) : raw;
  const owner = await calendarOwner(db, token);
  if (!owner) throw notFound();
  const body = await calendarFeed(db, owner, { publicUrl: config.publicUrl, companyName: companyNamer(db), title: req.t('crm.calendar.feed_name'), visitLabel: req.t('crm.timeline.kind.visit'), taskLabel: req.t('crm.timeline.kind.task') });
  return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').header('x-robots-tag', 'noindex').send(body);
}

// ——— reports ———

async function reportFilter(req: FastifyRequest, db: CrmDb): Promise<{ f: ReportFilterValues; teams: Option[] }> {
  const q = req.query as Query;
  const month = /^\d{4}-(0[1-9]|1[0-2])$/;
  const now = todayParis().slice(0, 7);
  const yearAgo = addDays(`${now}-01`, -334).slice(0, 7);
  let from = q.from && month.test(q.from) ? q.from : yearAgo;
  let to = q.to && month.test(q.to) ? q.to : now;
  if (from > to) [from, to] = [to, from];
  // At most five years of months on one page.
  if (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) > 5) from = `${Number(to.slice(0, 4)) - 5}${to.slice(4)}`;
  const users = await listCrmUsers(db);
  const managers = new Set(users.map((u) => u.manager_id).filter((x): x is number => x !== null));
  const teams = users.filter((u) => managers.has(u.id)).map((u) => ({ value: String(u.id), label: u.name }));
  const team = q.team && teams.some((x) => x.value === q.team) ? q.team : '';
  const department = q.department && /^(\d{2}|2A|2B|97\d)$/.test(q.department) ? q.department : '';
  const naf = q.naf && NAF_SECTIONS.includes(q.naf) ? q.naf : '';
  return { f: { from, to, team, department, naf }, teams };
}

const reportsOf = (db: CrmDb, f: ReportFilterValues) => buildReports(db, { from: f.from, to: f.to, teamOf: optInt(f.team), department: f.department || undefined, nafSection: f.naf || undefined });

export async function handleReports(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const { f, teams } = await reportFilter(req, db);
  const r = await reportsOf(db, f);
  const territory = await settings.get('cci.territory');
  const departments = [...new Set(territory.map((c) => (c.length === 5 ? c.slice(0, c.startsWith('97') ? 3 : 2) : c)))].map((d) => ({ value: d, label: d }));
  const sections = NAF_SECTIONS.map((s) => ({ value: s, label: `${s} — ${req.t(`crm.naf.${s}`)}` }));
  return reply.render(<ReportsPage ctx={req.view()} r={r} f={f} teams={teams} departments={departments} sections={sections} />);
}

export async function handleReportExport(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const { f } = await reportFilter(req, db);
  const q = req.query as Query;
  const r = await reportsOf(db, f);
  const table = reportTables(req.view(), r)[q.report ?? ''];
  if (!table) throw notFound();
  const file = `crm-${q.report}-${f.from}-${f.to}`;
  const columns = table.head.map((header, i) => ({ header, value: (row: (string | number)[]) => row[i] }));
  return sendExport(reply, q.format === 'xlsx' ? 'xlsx' : 'csv', file, fromArray(table.rows), columns, table.title);
}

// ——— settings: topics, services catalogue, pipeline stages ———

async function settingsPage(req: FastifyRequest, db: CrmDb, errors?: FieldErrors): Promise<VNode> {
  const [topics, services, stages] = await Promise.all([listTopics(db), listServices(db), listStages(db)]);
  return <SettingsPage ctx={req.view()} topics={topics} services={services} stages={stages} errors={errors} />;
}

export async function handleSettings(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await settingsPage(req, db));
}

/** One settings row, new (`/crm/parametres/sujets`) or changed (`…/sujets/:id`). */
async function saveSetting(req: FastifyRequest, reply: FastifyReply, db: CrmDb, save: (trx: CrmDb, id: number | undefined) => Promise<unknown>) {
  const id = (req.params as { id?: string }).id !== undefined ? requireId(req) : undefined;
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => save(trx, id));
      reply.flash('success', 'common.saved');
      return reply.redirect('/crm/parametres');
    },
    (errors) => settingsPage(req, db, errors),
    { conflict: true },
  );
}

export async function handleSaveTopic(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const b = req.body;
  return saveSetting(req, reply, db, (trx, id) => saveTopic(trx, req.actor, id, { code: str(b, 'code', 60), label: str(b, 'label', 200), position: int(b, 'position') ?? 0, active: str(b, 'active') === '1', version: int(b, 'version') }));
}

export async function handleSaveService(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const b = req.body;
  return saveSetting(req, reply, db, (trx, id) => saveService(trx, req.actor, id, { name: str(b, 'name', 200), family: str(b, 'family', 100), unitPriceCents: parseEuros(str(b, 'unit_price', 40)), active: str(b, 'active') === '1', version: int(b, 'version') }));
}

export async function handleSaveStage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const b = req.body;
  return saveSetting(req, reply, db, (trx, id) =>
    saveStage(trx, req.actor, id, { code: str(b, 'code', 60), label: str(b, 'label', 200), position: int(b, 'position') ?? 0, kind: str(b, 'kind', 10) as 'open', probability: int(b, 'probability') ?? 0, active: str(b, 'active') === '1', version: int(b, 'version') }),
  );
}
