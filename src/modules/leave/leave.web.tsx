// Leave handlers (/conges…), listed with their access in leave.routes.ts: staff see their own
// leave and the team calendar (leave:use); HR manage settings, balances, sickness and the payroll
// export (leave:hr). The services check each record.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type FieldErrors } from '../../platform/errors.js';
import { isExportFormat, sendExport, fromArray } from '../../platform/export.js';
import { idParam, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { searchPeople } from '../directory/index.js';
import { icalOf, payrollRows, teamMonth } from './calendar.service.js';
import * as config from './config.service.js';
import { isMonth, todayInParis } from './dates.js';
import * as q from './leave.queries.js';
import type { LeaveDb } from './leave.table.js';
import { mayManageLeave } from './policy.js';
import * as svc from './requests.service.js';
import { HrPage, MyLeavePage, QuoteBox, RequestPage, TeamPage, type RequestFormValues } from './views/pages.js';

type Ctx = ModuleContext<LeaveDb>;
const leaveId = (req: FastifyRequest) => requireId(req, 'id', 'leave.not_found');

function formValues(src: unknown): RequestFormValues {
  return { kind: str(src, 'kind', 12), start: str(src, 'start', 10), startHalf: str(src, 'startHalf', 9), end: str(src, 'end', 10), endHalf: str(src, 'endHalf', 9), comment: str(src, 'comment', 1000) };
}

async function myLeavePage(req: FastifyRequest, db: LeaveDb, extra: { values?: RequestFormValues; errors?: FieldErrors; quote?: svc.Quote } = {}) {
  const uid = req.actor.id ?? 0;
  const [balances, member, kinds, requests] = await Promise.all([svc.balancesOf(db, uid), q.findMember(db, uid), q.listKinds(db), q.requestsOf(db, uid)]);
  return <MyLeavePage ctx={req.view()} balances={balances} hasGroup={Boolean(member)} kinds={kinds} requests={requests} {...extra} />;
}

export async function handleMyLeave(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await myLeavePage(req, db));
}

/** The quote shown while the form is filled (htmx): the box alone, with the first problem if any. */
export async function handleQuoteFragment(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = formValues(req.query);
  try {
    const quote = await svc.quote(db, req.actor, req.actor.id ?? 0, values);
    return reply.render(<QuoteBox ctx={req.view()} quote={quote} />);
  } catch (e) {
    // An incomplete form is normal while typing: the box says what is missing, the page stays.
    if (isAppError(e) && e.kind === 'invalid') return reply.render(<QuoteBox ctx={req.view()} error={Object.values(e.fields)[0] ?? e.code} />);
    throw e;
  }
}

/** "Count the days" shows the quote on the page (works without JavaScript); "Send" files the request. */
export async function handleCreateLeave(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = formValues(req.body);
  if (str(req.body, 'step', 10) === 'quote') {
    return onInvalid(
      reply,
      async () => reply.render(await myLeavePage(req, db, { values, quote: await svc.quote(db, req.actor, req.actor.id ?? 0, values) })),
      (errors) => myLeavePage(req, db, { values, errors }),
    );
  }
  return onInvalid(
    reply,
    async () => {
      const row = await db.transaction().execute((trx) => svc.requestLeave(trx, req.actor, values));
      reply.flash('success', 'leave.created');
      return reply.redirect(`/conges/${row.id}`);
    },
    (errors) => myLeavePage(req, db, { values, errors }),
  );
}

async function requestPage(req: FastifyRequest, db: LeaveDb, id: number, extra: { values?: RequestFormValues; errors?: FieldErrors; quote?: svc.Quote } = {}) {
  const row = await svc.getLeave(db, req.actor, id);
  return <RequestPage ctx={req.view()} row={row} mine={row.user_id === req.actor.id} hr={mayManageLeave(req.actor)} kinds={await q.listKinds(db)} {...extra} />;
}

export async function handleLeave(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await requestPage(req, db, leaveId(req)));
}

export async function handleWithdrawLeave(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = leaveId(req);
  await db.transaction().execute((trx) => svc.withdrawLeave(trx, req.actor, id));
  reply.flash('success', 'leave.withdrawn');
  return reply.redirect(`/conges/${id}`);
}

export async function handleCancelLeave(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = leaveId(req);
  await db.transaction().execute((trx) => svc.cancelLeave(trx, req.actor, id, str(req.body, 'reason', 1000)));
  reply.flash('success', 'leave.cancel_requested');
  return reply.redirect(`/conges/${id}`);
}

export async function handleResubmitLeave(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = leaveId(req);
  const values = formValues(req.body);
  if (str(req.body, 'step', 10) === 'quote') {
    return onInvalid(
      reply,
      async () => reply.render(await requestPage(req, db, id, { values, quote: await svc.quote(db, req.actor, req.actor.id ?? 0, values, { exceptRequestId: id }) })),
      (errors) => requestPage(req, db, id, { values, errors }),
    );
  }
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => svc.resubmitLeave(trx, req.actor, id, values));
      reply.flash('success', 'leave.resubmitted');
      return reply.redirect(`/conges/${id}`);
    },
    (errors) => requestPage(req, db, id, { values, errors }),
  );
}

/** ?mois=YYYY-MM (this month by default) &service=<directory service id>. */
function monthAndService(req: FastifyRequest): { month: string; serviceId?: number; page: number } {
  const query = req.query as Record<string, unknown>;
  const month = typeof query.mois === 'string' && query.mois ? query.mois : todayInParis().slice(0, 7);
  if (!isMonth(month)) throw Object.assign(new Error('invalid month'), { statusCode: 400, validation: [{ instancePath: '/mois', message: 'leave.month_param_invalid', params: {} }] });
  return { month, serviceId: idParam(query.service), page: idParam(query.page) ?? 1 };
}

export async function handleTeamCalendar(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const { month, serviceId, page } = monthAndService(req);
  return reply.render(<TeamPage ctx={req.view()} data={await teamMonth(reads, req.actor, month, serviceId, page)} serviceId={serviceId} query={req.query as Record<string, string>} />);
}

function sendIcal(reply: FastifyReply, body: string, name: string) {
  return reply.header('content-type', 'text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="${name}.ics"`).header('cache-control', 'no-store').send(body);
}
const kindNamer = (req: FastifyRequest) => (code: string, fr: string, en: string) => (req.view().locale === 'en' ? en : fr) || code;

export async function handleMyIcal(req: FastifyRequest, reply: FastifyReply, { reads, config: cfg }: Ctx) {
  const body = await icalOf(reads, req.actor, { userIds: [req.actor.id ?? 0], title: `${req.t('leave.title')} — ${req.actor.label}`, publicUrl: cfg.publicUrl, absentLabel: (name) => req.t('leave.ical.absent', { name }), kindName: kindNamer(req) });
  return sendIcal(reply, body, 'conges');
}

export async function handleTeamIcal(req: FastifyRequest, reply: FastifyReply, { reads, config: cfg }: Ctx) {
  const serviceId = idParam((req.query as Record<string, unknown>).service);
  const people = serviceId ? (await searchPeople(reads, { serviceId }, 2000)).items.map((p) => p.id) : null;
  const body = await icalOf(reads, req.actor, { userIds: people, title: req.t('leave.team.title'), publicUrl: cfg.publicUrl, absentLabel: (name) => req.t('leave.ical.absent', { name }), kindName: kindNamer(req) });
  return sendIcal(reply, body, 'conges-equipe');
}

// ——— HR ———

async function hrPage(req: FastifyRequest, db: LeaveDb, form?: string, errors?: FieldErrors, values?: Record<string, string>) {
  const [kinds, groups, rules, members] = await Promise.all([q.listKinds(db, false), q.listGroups(db), q.listAccruals(db), q.listMembers(db)]);
  return <HrPage ctx={req.view()} kinds={kinds} groups={groups} rules={rules} members={members} form={form} errors={errors} values={values} />;
}

export async function handleHr(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await hrPage(req, db));
}

/** Each HR form: run in a transaction, back to the HR page, or the page again with the form's errors (422). */
async function hrSave(req: FastifyRequest, reply: FastifyReply, db: LeaveDb, form: string, values: Record<string, string>, run: (trx: LeaveDb) => Promise<unknown>) {
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute(run);
      reply.flash('success', 'leave.hr.saved');
      return reply.redirect(`/conges/rh#hr-${form === 'member' ? 'members' : form === 'kind' ? 'kinds' : form === 'rule' ? 'rules' : form === 'group' ? 'groups' : form}`);
    },
    (errors) => hrPage(req, db, form, errors, values),
  );
}

export async function handleCreateGroup(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { name: str(req.body, 'name', 120), unit: str(req.body, 'unit', 12), calendar: str(req.body, 'calendar', 20) };
  return hrSave(req, reply, db, 'group', values, (trx) => config.createGroup(trx, req.actor, values));
}

export async function handleAddRule(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { group_id: str(req.body, 'group_id', 12), kind: str(req.body, 'kind', 12), valid_from: str(req.body, 'valid_from', 7), per_month: str(req.body, 'per_month', 10), carry_over_max: str(req.body, 'carry_over_max', 10) };
  return hrSave(req, reply, db, 'rule', values, (trx) => config.addAccrualRule(trx, req.actor, values));
}

export async function handleSetMember(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { user_id: str(req.body, 'user_id', 12), group_id: str(req.body, 'group_id', 12), starts_on: str(req.body, 'starts_on', 10) };
  return hrSave(req, reply, db, 'member', values, (trx) => config.setMember(trx, req.actor, { ...values, non_working_days: list(req.body, 'non_working_days').slice(0, 7) }));
}

export async function handleAdjust(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { user_id: str(req.body, 'user_id', 12), kind: str(req.body, 'kind', 12), date: str(req.body, 'date', 10), days: str(req.body, 'days', 10), reason: str(req.body, 'reason', 500) };
  return hrSave(req, reply, db, 'adjust', values, (trx) => config.addAdjustment(trx, req.actor, values));
}

export async function handleRecordAbsence(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { user_id: str(req.body, 'user_id', 12), kind: str(req.body, 'kind', 12), start: str(req.body, 'start', 10), end: str(req.body, 'end', 10) };
  const userId = idParam(values.user_id) ?? 0;
  return hrSave(req, reply, db, 'record', values, (trx) => svc.recordByHr(trx, req.actor, userId, { ...values, startHalf: '', endHalf: '' }));
}

export async function handleCreateKind(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { code: str(req.body, 'code', 12), name_fr: str(req.body, 'name_fr', 120), name_en: str(req.body, 'name_en', 120), past_days_allowed: str(req.body, 'past_days_allowed', 4), period_start_month: str(req.body, 'period_start_month', 2) };
  const flag = (n: string) => str(req.body, n, 1) === '1';
  return hrSave(req, reply, db, 'kind', values, (trx) => config.createKind(trx, req.actor, { ...values, has_balance: flag('has_balance'), allow_negative: flag('allow_negative'), hr_only: flag('hr_only') }));
}

/** Payroll: the absences taken in a month, days in that month, CSV or XLSX. */
export async function handlePayrollExport(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const { month } = monthAndService(req);
  const format = (req.query as Record<string, unknown>).format ?? 'csv';
  if (!isExportFormat(format)) throw Object.assign(new Error('invalid format'), { statusCode: 400, validation: [{ instancePath: '/format', message: 'common.invalid', params: {} }] });
  const rows = await payrollRows(reads, month);
  const t = req.t;
  return sendExport(reply, format, `conges-paie-${month}`, fromArray(rows), [
    { header: t('leave.export.name'), value: (r) => r.user_name },
    { header: t('leave.export.email'), value: (r) => r.user_email },
    { header: t('leave.export.kind'), value: (r) => r.kind_code },
    { header: t('leave.export.start'), value: (r) => `${r.start_date}${r.start_half === 'afternoon' ? ' PM' : ''}` },
    { header: t('leave.export.end'), value: (r) => `${r.end_date}${r.end_half === 'morning' ? ' AM' : ''}` },
    { header: t('leave.export.days_in_month'), value: (r) => r.days_in_month },
    { header: t('leave.export.status'), value: (r) => t(`leave.status.${r.status}`) },
  ]);
}
