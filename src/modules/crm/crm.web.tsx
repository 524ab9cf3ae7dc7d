// HTML routes of the CRM. Each route declares its permission; services check the records.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { teamOf } from '../../platform/auth/users.js';
import type { AnyDb } from '../../platform/db/index.js';
import { AppError, isAppError, notFound } from '../../platform/errors.js';
import { idParam, int, list, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import type { Option } from '../../platform/ui/components.js';
import { findCompany, listContacts, searchCompaniesForPicker, type CompanySummary } from '../registry/index.js';
import { calendarFeed, calendarOwner, activeCalendarToken, createCalendarToken, revokeCalendarToken } from './calendar.service.js';
import { listServices, listStages, listTopics, saveService, saveStage, saveTopic } from './catalogue.service.js';
import { companyNamer, companyNames, companySummaries } from './companies.js';
import { addDays, isDate, todayParis } from './dates.js';
import { board, createDeal, forecast, getDeal, listDeals, moveDeal, updateDeal, type DealFilter, type DealInput } from './deal.service.js';
import { parseEuros, centsToInput } from './money.js';
import { addCompanyNote } from './note.service.js';
import { adviserOf, assignPortfolio, companyIdsFromRegistrySearch, listPortfolio, MAX_BULK } from './portfolio.service.js';
import { buildReports, NAF_SECTIONS } from './reports.service.js';
import { companyTimeline, isTimelineKind } from './timeline.service.js';
import { createTask, getTask, listCrmUsers, listTasks, listTasksOfDeal, listTasksOfVisit, setTaskDone, updateTask } from './task.service.js';
import { canEdit, type ConfidentialRow } from './policy.js';
import { getVisit, listVisits, ownerNames, recordVisit, updateVisit, VISIT_MAX_FUTURE_DAYS, type VisitInput } from './visit.service.js';
import { BoardPage, DealFormPage, DealPage, DealsPage, type DealFilterValues, type DealFormValues } from './views/deals.js';
import { AssignPage, CalendarPage, HomePage, PortfolioPage, TaskFormPage, TasksPage, type TaskFormValues } from './views/home.js';
import type { SharingValues } from './views/common.js';
import { ReportsPage, type ReportFilterValues } from './views/reports.js';
import { reportTables } from './views/reports.js';
import { SettingsPage } from './views/settings.js';
import { PanelTimeline, TimelinePage } from './views/timeline.js';
import { CompanyChoices, FOLLOW_UP_ROWS, PeopleChoices, VisitFormPage, VisitPage, VisitsPage, type VisitFormValues } from './views/visits.js';
import { fromArray, sendExport } from '../../platform/export.js';

const SW_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'public', 'crm-sw.js');

type Scope = 'mine' | 'team' | 'all';
const USE = { config: { permission: 'crm:use' as const } };
const WRITE = { config: { permission: 'crm:write' as const } };

function scopeOf(q: Record<string, string | undefined>, actor: Actor): Scope {
  const s = q.portee;
  if (s === 'all') return 'all';
  if (s === 'team' && (can(actor, 'crm:manage') || can(actor, 'crm:all'))) return 'team';
  return 'mine';
}

/** The owners a scope covers; undefined = everybody. */
async function ownersOf(db: AnyDb, actor: Actor, scope: Scope): Promise<number[] | undefined> {
  if (scope === 'all') return undefined;
  if (scope === 'team') return [actor.id!, ...(await teamOf(db, actor.id!))];
  return [actor.id!];
}

function routeId(req: FastifyRequest, code = 'common.not_found'): number {
  const id = idParam((req.params as { id?: string }).id);
  if (id === undefined) throw notFound(code);
  return id;
}

function pageOf(q: Record<string, string | undefined>): number {
  const p = Number(q.page);
  return Number.isInteger(p) && p > 0 && p < 100000 ? p : 1;
}

const optInt = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined);

async function userOptions(db: AnyDb): Promise<Option[]> {
  return (await listCrmUsers(db)).map((u) => ({ value: String(u.id), label: u.name }));
}

function wantsJson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('application/json');
}

// ——— visit form ———

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

export function crmWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;

  const renderVisitForm = async (req: FastifyRequest, reply: FastifyReply, values: VisitFormValues, opts: { errors?: Record<string, string>; visitId?: number; status?: number; confidentialOf?: ConfidentialRow } = {}) => {
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
    return reply.render(<VisitFormPage ctx={req.view()} values={values} errors={opts.errors} topics={topics} company={company} candidates={candidates} contacts={contacts} users={users} visitId={opts.visitId} maxDate={addDays(todayParis(), VISIT_MAX_FUTURE_DAYS)} confidentialOf={opts.confidentialOf} />, opts.status ?? (opts.errors ? 422 : 200));
  };

  // The service worker must be served from /crm/ to control the CRM's pages (public/crm-sw.js).
  app.get('/crm/sw.js', { config: { public: true } }, async (_req, reply) =>
    reply.header('service-worker-allowed', '/crm/').header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(await readFile(SW_FILE, 'utf8')),
  );

  app.get('/crm', USE, async (req, reply) => {
    const me = req.actor.id!;
    const today = todayParis();
    const [tasks, visits, portfolio] = await Promise.all([listTasks(db, { ownerIds: [me], open: true }, 20), listVisits(db, { ownerIds: [me] }, 1, 8), listPortfolio(db, [me], 1, 10)]);
    const names = await nameMap([...tasks.map((x) => x.company_id ?? 0), ...visits.items.map((v) => v.company_id), ...portfolio.items.map((p) => p.company_id)]);
    return reply.render(<HomePage ctx={req.view()} tasks={tasks} visits={visits.items} portfolio={portfolio.items} portfolioTotal={portfolio.total} names={names} today={today} />);
  });

  const nameMap = (ids: number[]) => companyNames(db, ids);

  // Company picker (htmx): two keystrokes are enough.
  app.get('/crm/entreprises/choix', USE, async (req, reply) => {
    const q = String((req.query as Record<string, unknown>).company_q ?? (req.query as Record<string, unknown>).q ?? '').trim().slice(0, 100);
    const companies = q.length >= 2 ? await searchCompaniesForPicker(db, q, 10) : [];
    return reply.render(<CompanyChoices ctx={req.view()} companies={companies} q={q} />);
  });

  app.get('/crm/entreprises/:id/personnes', USE, async (req, reply) => {
    const id = routeId(req);
    if (!(await findCompany(db, id))) throw notFound('crm.company_unknown');
    return reply.render(<PeopleChoices ctx={req.view()} contacts={await listContacts(db, id)} selected={[]} />);
  });

  // ——— visits ———
  app.get('/crm/visites', USE, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const scope = scopeOf(q, req.actor);
    const page = pageOf(q);
    const { items, total } = await listVisits(db, { ownerIds: await ownersOf(db, req.actor, scope) }, page);
    const [names, owners, topics] = await Promise.all([nameMap(items.map((v) => v.company_id)), ownerNames(db, items.map((v) => v.owner_id)), listTopics(db)]);
    return reply.render(<VisitsPage ctx={req.view()} items={items} total={total} page={page} scope={scope} canTeam={can(req.actor, 'crm:manage') || can(req.actor, 'crm:all')} names={names} owners={owners} topics={topics} />);
  });

  app.get('/crm/visites/nouvelle', WRITE, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
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
    return renderVisitForm(req, reply, values);
  });

  app.post('/crm/visites', WRITE, async (req, reply) => {
    const values = visitValues(req.body);
    if (str(req.body, 'action') === 'search') return renderVisitForm(req, reply, { ...values, companyId: undefined }, { status: 200 });
    try {
      const { visit, created } = await db.transaction().execute((trx) => recordVisit(trx, req.actor, visitInput(values)));
      if (wantsJson(req)) return reply.code(created ? 201 : 200).send({ id: visit.id, created, href: `/crm/visites/${visit.id}` });
      reply.flash('success', created ? 'crm.visit.saved' : 'crm.visit.already_saved');
      return reply.redirect(`/crm/visites/${visit.id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') {
        if (wantsJson(req)) return reply.code(422).send({ code: e.code, errors: Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, req.t(v, e.params)])) });
        return renderVisitForm(req, reply, values, { errors: e.fields });
      }
      throw e;
    }
  });

  app.get('/crm/visites/:id', USE, async (req, reply) => {
    const visit = await getVisit(db, req.actor, routeId(req, 'crm.visit_not_found'));
    const tasks = await listTasksOfVisit(db, visit.id);
    const [topics, owners] = await Promise.all([listTopics(db), ownerNames(db, tasks.map((x) => x.owner_id))]);
    return reply.render(<VisitPage ctx={req.view()} visit={visit} topics={topics} tasks={tasks} taskOwners={owners} />);
  });

  app.get('/crm/visites/:id/modifier', WRITE, async (req, reply) => {
    const visit = await getVisit(db, req.actor, routeId(req, 'crm.visit_not_found'));
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
    return renderVisitForm(req, reply, values, { visitId: visit.id, confidentialOf: visit });
  });

  app.post('/crm/visites/:id', WRITE, async (req, reply) => {
    const id = routeId(req, 'crm.visit_not_found');
    const values = visitValues(req.body);
    try {
      await db.transaction().execute((trx) => updateVisit(trx, req.actor, id, visitInput(values)));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/crm/visites/${id}`);
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) return renderVisitForm(req, reply, values, { errors: e.kind === 'invalid' ? e.fields : { _form: e.code }, visitId: id, status: e.kind === 'invalid' ? 422 : 409 });
      throw e;
    }
  });

  // ——— tasks ———
  const tasksPage = async (req: FastifyRequest, reply: FastifyReply, errors?: Record<string, string>, values?: { title: string; due: string; ownerId?: string }) => {
    const q = req.query as Record<string, string | undefined>;
    const scope = scopeOf(q, req.actor);
    const ownerIds = await ownersOf(db, req.actor, scope);
    const [open, done, users] = await Promise.all([listTasks(db, { ownerIds, open: true }), listTasks(db, { ownerIds, open: false }, 30), userOptions(db)]);
    const names = await nameMap([...open, ...done].map((x) => x.company_id ?? 0));
    const owners = await ownerNames(db, [...open, ...done].map((x) => x.owner_id));
    return reply.render(<TasksPage ctx={req.view()} open={open} done={done} names={names} owners={owners} today={todayParis()} scope={scope} canTeam={can(req.actor, 'crm:manage') || can(req.actor, 'crm:all')} users={users} errors={errors} values={values} />, errors ? 422 : 200);
  };
  app.get('/crm/taches', USE, async (req, reply) => tasksPage(req, reply));
  app.post('/crm/taches', WRITE, async (req, reply) => {
    const values = { title: str(req.body, 'title', 300), due: str(req.body, 'due', 20), ownerId: str(req.body, 'owner_id', 12) || undefined };
    const dealId = optInt(str(req.body, 'deal_id', 12));
    const next = str(req.body, 'next', 200);
    try {
      await db.transaction().execute((trx) => createTask(trx, req.actor, { title: values.title, due: values.due, ownerId: optInt(values.ownerId), dealId }));
      reply.flash('success', 'crm.task.added');
      return reply.redirect(/^\/crm\/affaires\/\d+$/.test(next) ? next : '/crm/taches');
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return tasksPage(req, reply, e.fields, values);
      throw e;
    }
  });
  const taskForm = async (req: FastifyRequest, reply: FastifyReply, id: number, values?: TaskFormValues, errors?: Record<string, string>) => {
    const task = await getTask(db, id);
    // The same circle as updateTask: whoever created it, its owner, their managers, direction.
    if (task.created_by !== req.actor.id && !(await canEdit(db, req.actor, task.owner_id))) throw new AppError('forbidden', 'crm.not_owner');
    const [users, names] = await Promise.all([userOptions(db), nameMap(task.company_id ? [task.company_id] : [])]);
    const v = values ?? { title: task.title, due: task.due_date, ownerId: String(task.owner_id), version: task.version, ...sharingOf(task) };
    return reply.render(<TaskFormPage ctx={req.view()} task={task} values={v} users={users} companyName={task.company_id ? names.get(task.company_id) : undefined} errors={errors} />, errors ? (errors._form ? 409 : 422) : 200);
  };
  app.get('/crm/taches/:id', WRITE, async (req, reply) => taskForm(req, reply, routeId(req, 'crm.task_not_found')));
  app.post('/crm/taches/:id', WRITE, async (req, reply) => {
    const id = routeId(req, 'crm.task_not_found');
    const values: TaskFormValues = { title: str(req.body, 'title', 300), due: str(req.body, 'due', 20), ownerId: str(req.body, 'owner_id', 12), version: int(req.body, 'version') ?? -1, ...sharingValues(req.body) };
    try {
      await db.transaction().execute((trx) =>
        updateTask(trx, req.actor, id, { title: values.title, due: values.due, ownerId: optInt(values.ownerId), sharedWithCompany: values.sharedWithCompany, memberTitle: values.memberTitle, memberSummary: values.memberSummary, version: values.version }),
      );
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) return taskForm(req, reply, id, values, e.kind === 'invalid' ? e.fields : { _form: e.code });
      throw e;
    }
    reply.flash('success', 'common.saved');
    return reply.redirect('/crm/taches');
  });
  for (const [path, done] of [['terminer', true], ['rouvrir', false]] as const) {
    app.post(`/crm/taches/:id/${path}`, WRITE, async (req, reply) => {
      const id = routeId(req, 'crm.task_not_found');
      await db.transaction().execute((trx) => setTaskDone(trx, req.actor, id, done, int(req.body, 'version') ?? -1));
      reply.flash('success', done ? 'crm.task.completed' : 'crm.task.reopened');
      const back = req.headers.referer && new URL(req.headers.referer, 'http://x').pathname.startsWith('/crm') ? new URL(req.headers.referer, 'http://x').pathname : '/crm/taches';
      return reply.redirect(back);
    });
  }

  // ——— deals ———
  const dealFilterValues = (req: FastifyRequest): DealFilterValues => {
    const q = req.query as Record<string, string | undefined>;
    return { portee: scopeOf(q, req.actor), stage: q.stage?.slice(0, 12), service: q.service?.slice(0, 12), status: ['open', 'won', 'lost'].includes(q.status ?? '') ? q.status : undefined, from: isDate(q.from) ? q.from : undefined, to: isDate(q.to) ? q.to : undefined };
  };
  const dealFilter = async (req: FastifyRequest, f: DealFilterValues): Promise<DealFilter> => ({
    ownerIds: await ownersOf(db, req.actor, f.portee as Scope),
    stageIds: optInt(f.stage) ? [optInt(f.stage)!] : undefined,
    serviceId: optInt(f.service),
    status: f.status as DealFilter['status'],
    closeFrom: f.from,
    closeTo: f.to,
  });
  const canTeam = (a: Actor) => can(a, 'crm:manage') || can(a, 'crm:all');

  app.get('/crm/affaires', USE, async (req, reply) => {
    const f = dealFilterValues(req);
    const filter = await dealFilter(req, f);
    const page = pageOf(req.query as Record<string, string | undefined>);
    const [{ items, total }, fc, stages, services] = await Promise.all([listDeals(db, filter, page), forecast(db, { ...filter, status: filter.status ?? 'open' }), listStages(db), listServices(db)]);
    const [names, owners] = await Promise.all([nameMap(items.map((d) => d.company_id)), ownerNames(db, items.map((d) => d.owner_id))]);
    return reply.render(<DealsPage ctx={req.view()} items={items} total={total} page={page} f={f} stages={stages} services={services} names={names} owners={owners} forecast={fc} canTeam={canTeam(req.actor)} />);
  });

  app.get('/crm/affaires/tableau', USE, async (req, reply) => {
    const f = dealFilterValues(req);
    const filter = await dealFilter(req, f);
    const [columns, stages, services] = await Promise.all([board(db, { ...filter, stageIds: undefined, status: undefined, closeFrom: undefined, closeTo: undefined }), listStages(db, { activeOnly: true }), listServices(db)]);
    const names = await nameMap(columns.flatMap((c) => c.deals.map((d) => d.company_id)));
    return reply.render(<BoardPage ctx={req.view()} columns={columns} f={f} stages={stages} services={services} names={names} canTeam={canTeam(req.actor)} perColumn={50} />);
  });

  const emptyDeal = (companyId?: number): DealFormValues => ({ companyId, title: '', amount: '', probability: '', expectedCloseDate: '', lostReason: '', contactIds: [], notes: '', confidentialNotes: '', ...NOT_SHARED });
  const dealValues = (body: unknown): DealFormValues => ({
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
  });
  const dealInput = (v: DealFormValues): DealInput => {
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
  };
  const renderDealForm = async (req: FastifyRequest, reply: FastifyReply, values: DealFormValues, opts: { errors?: Record<string, string>; dealId?: number; status?: number; confidentialOf?: ConfidentialRow } = {}) => {
    const [services, stages, users] = await Promise.all([listServices(db, { activeOnly: true }), listStages(db, { activeOnly: true }), userOptions(db)]);
    const company = values.companyId ? await findCompany(db, values.companyId) : undefined;
    const candidates = !company && values.companyQ && values.companyQ.length >= 2 ? await searchCompaniesForPicker(db, values.companyQ, 10) : [];
    const contacts = company ? await listContacts(db, company.id) : [];
    return reply.render(<DealFormPage ctx={req.view()} values={values} errors={opts.errors} company={company} candidates={candidates} contacts={contacts} services={services} stages={stages} users={users} dealId={opts.dealId} confidentialOf={opts.confidentialOf} />, opts.status ?? (opts.errors ? 422 : 200));
  };

  app.get('/crm/affaires/nouvelle', WRITE, async (req, reply) => renderDealForm(req, reply, emptyDeal(optInt((req.query as Record<string, string | undefined>).entreprise))));

  app.post('/crm/affaires', WRITE, async (req, reply) => {
    const values = dealValues(req.body);
    if (str(req.body, 'action') === 'search') return renderDealForm(req, reply, { ...values, companyId: undefined }, { status: 200 });
    try {
      const deal = await db.transaction().execute((trx) => createDeal(trx, req.actor, dealInput(values)));
      reply.flash('success', 'crm.deal.saved');
      return reply.redirect(`/crm/affaires/${deal.id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return renderDealForm(req, reply, values, { errors: e.fields });
      throw e;
    }
  });

  const dealPage = async (req: FastifyRequest, reply: FastifyReply, id: number, moveErrors?: Record<string, string>, lostReason?: string) => {
    const [deal, stages, tasks] = await Promise.all([getDeal(db, req.actor, id), listStages(db, { activeOnly: true }), listTasksOfDeal(db, id)]);
    return reply.render(<DealPage ctx={req.view()} deal={deal} stages={stages} tasks={tasks} moveErrors={moveErrors} lostReason={lostReason} />, moveErrors ? (moveErrors._form ? 409 : 422) : 200);
  };
  app.get('/crm/affaires/:id', USE, async (req, reply) => dealPage(req, reply, routeId(req, 'crm.deal_not_found')));

  app.get('/crm/affaires/:id/modifier', WRITE, async (req, reply) => {
    const d = await getDeal(db, req.actor, routeId(req, 'crm.deal_not_found'));
    if (!d.canEdit) throw new AppError('forbidden', 'crm.not_owner');
    return renderDealForm(
      req,
      reply,
      {
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
      },
      { dealId: d.id, confidentialOf: d },
    );
  });

  app.post('/crm/affaires/:id', WRITE, async (req, reply) => {
    const id = routeId(req, 'crm.deal_not_found');
    const values = dealValues(req.body);
    try {
      await db.transaction().execute((trx) => updateDeal(trx, req.actor, id, dealInput(values)));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/crm/affaires/${id}`);
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) return renderDealForm(req, reply, values, { errors: e.kind === 'invalid' ? e.fields : { _form: e.code }, dealId: id, status: e.kind === 'invalid' ? 422 : 409 });
      throw e;
    }
  });

  // Move form (keyboard, no JS) and drag and drop (crm-board.js posts the same form).
  app.post('/crm/affaires/:id/etape', WRITE, async (req, reply) => {
    const id = routeId(req, 'crm.deal_not_found');
    const stageId = optInt(str(req.body, 'stage_id', 12)) ?? -1;
    const lostReason = str(req.body, 'lost_reason', 600);
    try {
      await db.transaction().execute((trx) => moveDeal(trx, req.actor, id, { stageId, lostReason, version: int(req.body, 'version') ?? -1 }));
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) {
        if (wantsJson(req)) return reply.code(e.kind === 'invalid' ? 422 : 409).send({ code: e.code, errors: e.fields, href: `/crm/affaires/${id}` });
        return dealPage(req, reply, id, e.kind === 'invalid' ? e.fields : { _form: e.code }, lostReason);
      }
      throw e;
    }
    if (wantsJson(req)) return reply.send({ ok: true });
    reply.flash('success', 'crm.deal.moved');
    const back = str(req.body, 'back', 200);
    return reply.redirect(back === 'board' || (req.headers.referer ?? '').includes('/crm/affaires/tableau') ? '/crm/affaires/tableau' : `/crm/affaires/${id}`);
  });

  // ——— portfolio ———
  app.get('/crm/portefeuille', USE, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const scope = scopeOf(q, req.actor);
    const page = pageOf(q);
    const owners = (await ownersOf(db, req.actor, scope)) ?? (await listCrmUsers(db)).map((u) => u.id);
    const { items, total } = await listPortfolio(db, owners, page);
    const [names, advisers] = await Promise.all([nameMap(items.map((i) => i.company_id)), ownerNames(db, items.map((i) => i.adviser_id))]);
    return reply.render(<PortfolioPage ctx={req.view()} rows={items} total={total} page={page} names={names} advisers={advisers} scope={scope} canTeam={canTeam(req.actor)} canAssign={canTeam(req.actor)} />);
  });

  const MANAGE = { config: { permission: 'crm:manage' as const } };
  app.get('/crm/portefeuille/attribuer', MANAGE, async (req, reply) => reply.render(<AssignPage ctx={req.view()} users={await userOptions(db)} values={{ ids: '', q: '' }} />));
  app.post('/crm/portefeuille/attribuer', MANAGE, async (req, reply) => {
    const values = { ids: str(req.body, 'company_ids', 100_000), q: str(req.body, 'q', 2000), adviserId: str(req.body, 'adviser_id', 12) || undefined };
    const users = await userOptions(db);
    const typed = values.ids.split(/[\s,;]+/).filter(Boolean);
    const errors: Record<string, string> = {};
    if (typed.some((x) => !/^\d{1,9}$/.test(x))) errors.company_ids = 'crm.portfolio_ids_invalid';
    let ids = typed.filter((x) => /^\d{1,9}$/.test(x)).map(Number);
    if (values.q.length >= 2) ids = [...ids, ...(await companyIdsFromRegistrySearch(db, values.q))];
    if (Object.keys(errors).length) return reply.render(<AssignPage ctx={req.view()} users={users} values={values} errors={errors} />, 422);
    if (str(req.body, 'action') === 'preview') {
      const found = await companyNames(db, ids.slice(0, MAX_BULK));
      return reply.render(<AssignPage ctx={req.view()} users={users} values={values} preview={[...found].map(([id, name]) => ({ id, name }))} />);
    }
    try {
      const res = await db.transaction().execute((trx) => assignPortfolio(trx, req.actor, ids, optInt(values.adviserId) ?? null));
      reply.flash('success', 'crm.portfolio.assigned', { n: res.assigned, unchanged: res.unchanged });
      return reply.redirect('/crm/portefeuille?portee=team');
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<AssignPage ctx={req.view()} users={users} values={values} errors={Object.fromEntries(Object.entries(e.fields))} />, 422);
      throw e;
    }
  });

  app.post('/crm/entreprises/:id/portefeuille', WRITE, async (req, reply) => {
    const id = routeId(req);
    await db.transaction().execute((trx) => assignPortfolio(trx, req.actor, [id], req.actor.id));
    reply.flash('success', 'crm.portfolio.taken');
    return reply.redirect(`/registre/entreprises/${id}`);
  });

  // ——— timeline and notes ———
  app.get('/crm/entreprises/:id/chronologie', USE, async (req, reply) => {
    const id = routeId(req);
    const company = await findCompany(db, id);
    if (!company) throw notFound('crm.company_unknown');
    const type = (req.query as Record<string, string | undefined>).type;
    const kind = isTimelineKind(type) ? type : undefined;
    const q = req.query as Record<string, string | undefined>;
    if (req.isHtmx && q.bloc === '1') {
      const latest = await companyTimeline(db, req.actor, id, { kinds: kind ? [kind] : undefined, limit: 15 });
      return reply.render(<PanelTimeline ctx={req.view()} companyId={id} events={latest} kind={kind} />);
    }
    const events = await companyTimeline(db, req.actor, id, { kinds: kind ? [kind] : undefined });
    return reply.render(<TimelinePage ctx={req.view()} company={company} events={events} kind={kind} canWrite={can(req.actor, 'crm:write')} />);
  });

  app.post('/crm/entreprises/:id/notes', WRITE, async (req, reply) => {
    const id = routeId(req);
    const body = str(req.body, 'body', 6000);
    try {
      await db.transaction().execute((trx) => addCompanyNote(trx, req.actor, id, { body, confidential: str(req.body, 'confidential') === '1' }));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') {
        const company = await findCompany(db, id);
        if (!company) throw notFound('crm.company_unknown');
        const events = await companyTimeline(db, req.actor, id);
        return reply.render(<TimelinePage ctx={req.view()} company={company} events={events} canWrite errors={e.fields} body={body} />, 422);
      }
      throw e;
    }
    reply.flash('success', 'crm.note.added');
    return reply.redirect(`/crm/entreprises/${id}/chronologie`);
  });

  // ——— calendar feed ———
  app.get('/crm/calendrier', USE, async (req, reply) => reply.render(<CalendarPage ctx={req.view()} active={await activeCalendarToken(db, req.actor.id!)} />));
  app.post('/crm/calendrier', USE, async (req, reply) => {
    const token = await db.transaction().execute((trx) => createCalendarToken(trx, req.actor));
    // Shown once, on this answer only (not a redirect: the URL must not be logged in a flash).
    return reply.render(<CalendarPage ctx={req.view()} active={await activeCalendarToken(db, req.actor.id!)} url={`${ctx.config.publicUrl}/crm/calendrier/${token}.ics`} />);
  });
  app.post('/crm/calendrier/revoquer', USE, async (req, reply) => {
    await db.transaction().execute((trx) => revokeCalendarToken(trx, req.actor));
    reply.flash('success', 'crm.calendar.revoked');
    return reply.redirect('/crm/calendrier');
  });
  // Calendar clients cannot sign in: the secret in the URL is the credential.
  app.get('/crm/calendrier/:token', { config: { public: true } }, async (req, reply) => {
    const raw = String((req.params as { token: string }).token ?? '');
    const token = raw.endsWith('.ics') ? raw.slice(0, -4) : raw;
    const owner = await calendarOwner(db, token);
    if (!owner) throw notFound();
    const body = await calendarFeed(db, owner, { publicUrl: ctx.config.publicUrl, companyName: companyNamer(db), title: req.t('crm.calendar.feed_name'), visitLabel: req.t('crm.timeline.kind.visit'), taskLabel: req.t('crm.timeline.kind.task') });
    return reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300').header('x-robots-tag', 'noindex').send(body);
  });

  // ——— reports ———
  const reportFilter = async (req: FastifyRequest): Promise<{ f: ReportFilterValues; teams: Option[] }> => {
    const q = req.query as Record<string, string | undefined>;
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
  };
  const REPORTS = { config: { permission: 'crm:reports' as const } };
  app.get('/crm/rapports', REPORTS, async (req, reply) => {
    const { f, teams } = await reportFilter(req);
    const r = await buildReports(db, { from: f.from, to: f.to, teamOf: optInt(f.team), department: f.department || undefined, nafSection: f.naf || undefined });
    const territory = await ctx.settings.get('cci.territory');
    const departments = [...new Set(territory.map((c) => (c.length === 5 ? c.slice(0, c.startsWith('97') ? 3 : 2) : c)))].map((d) => ({ value: d, label: d }));
    const sections = NAF_SECTIONS.map((s) => ({ value: s, label: `${s} — ${req.t(`crm.naf.${s}`)}` }));
    return reply.render(<ReportsPage ctx={req.view()} r={r} f={f} teams={teams} departments={departments} sections={sections} />);
  });
  app.get('/crm/rapports/export', REPORTS, async (req, reply) => {
    const { f } = await reportFilter(req);
    const q = req.query as Record<string, string | undefined>;
    const r = await buildReports(db, { from: f.from, to: f.to, teamOf: optInt(f.team), department: f.department || undefined, nafSection: f.naf || undefined });
    const tables = reportTables(req.view(), r);
    const table = tables[q.report ?? ''];
    if (!table) throw notFound();
    const file = `crm-${q.report}-${f.from}-${f.to}`;
    const columns = table.head.map((header, i) => ({ header, value: (row: (string | number)[]) => row[i] }));
    return sendExport(reply, q.format === 'xlsx' ? 'xlsx' : 'csv', file, fromArray(table.rows), columns, table.title);
  });

  // ——— settings ———
  const SETTINGS = { config: { permission: 'crm:settings' as const } };
  const settingsPage = async (req: FastifyRequest, reply: FastifyReply, errors?: Record<string, string>) => {
    const [topics, services, stages] = await Promise.all([listTopics(db), listServices(db), listStages(db)]);
    return reply.render(<SettingsPage ctx={req.view()} topics={topics} services={services} stages={stages} errors={errors} />, errors ? 422 : 200);
  };
  app.get('/crm/parametres', SETTINGS, async (req, reply) => settingsPage(req, reply));
  const settingsPost = (path: string, run: (req: FastifyRequest, id: number | undefined, trx: AnyDb) => Promise<unknown>) => {
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const id = (req.params as { id?: string }).id !== undefined ? routeId(req) : undefined;
      try {
        await db.transaction().execute((trx) => run(req, id, trx));
      } catch (e) {
        if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) return settingsPage(req, reply, e.kind === 'invalid' ? e.fields : { _form: e.code });
        throw e;
      }
      reply.flash('success', 'common.saved');
      return reply.redirect('/crm/parametres');
    };
    app.post(`/crm/parametres/${path}`, SETTINGS, handler);
    app.post(`/crm/parametres/${path}/:id`, SETTINGS, handler);
  };
  settingsPost('sujets', (req, id, trx) =>
    saveTopic(trx, req.actor, id, { code: str(req.body, 'code', 60), label: str(req.body, 'label', 200), position: int(req.body, 'position') ?? 0, active: str(req.body, 'active') === '1', version: int(req.body, 'version') }),
  );
  settingsPost('prestations', (req, id, trx) =>
    saveService(trx, req.actor, id, { name: str(req.body, 'name', 200), family: str(req.body, 'family', 100), unitPriceCents: parseEuros(str(req.body, 'unit_price', 40)), active: str(req.body, 'active') === '1', version: int(req.body, 'version') }),
  );
  settingsPost('etapes', (req, id, trx) =>
      saveStage(trx, req.actor, id, { code: str(req.body, 'code', 60), label: str(req.body, 'label', 200), position: int(req.body, 'position') ?? 0, kind: str(req.body, 'kind', 10) as 'open', probability: int(req.body, 'probability') ?? 0, active: str(req.body, 'active') === '1', version: int(req.body, 'version') }),
  );
}

export { adviserOf };
