// Leave requests: the quote (days and balance before sending), filing through the approval
// engine, HR's sickness records, withdrawal and cancellation, and the engine's decisions
// mirrored on the request (status, balance, absence for the routing to deputies).
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { forbidden, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import * as approvals from '../approvals/index.js';
import { balanceFor, periodOf, type Balance } from './balance.js';
import { leaveDayLines, MAX_SPAN_DAYS, type DayLine, type Half, type LeaveUnit } from './counting.js';
import { addDays, todayInParis } from './dates.js';
import { dayNumber, isCalendarDate, type HolidayCalendar } from './holidays.js';
import * as q from './leave.queries.js';
import { TAKEN, type LeaveDb, type LeaveKind, type LeaveStatus } from './leave.table.js';
import { maySeeRequest, mayManageLeave } from './policy.js';

/** How far ahead a request may start: beyond, a typo in the year is more likely than a plan. */
export const MAX_DAYS_AHEAD = 730;

export interface RequestInput {
  kind: string;
  start: string;
  startHalf: string;
  end: string;
  endHalf: string;
  comment?: string;
}

export interface Quote {
  kind: LeaveKind;
  userId: number;
  unit: LeaveUnit;
  calendar: HolidayCalendar;
  start: string;
  startHalf: Half | null;
  end: string;
  endHalf: Half | null;
  days: number;
  lines: DayLine[];
  period: string;
  /** null for kinds without a balance (sickness, other) */
  balance: Balance | null;
  after: number | null;
}

const half = (v: string): Half | null | 'bad' => (v === '' || v === undefined ? null : v === 'morning' || v === 'afternoon' ? v : 'bad');
const nonWorking = (s: string) => s.split(',').filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n <= 6);

/** The balance of a person for a kind in the period of `date`, months credited through `asOf`. */
export async function balanceOf(db: LeaveDb, userId: number, kind: LeaveKind, date: string, asOf = date, exceptRequestId?: number): Promise<Balance | null> {
  if (!kind.has_balance) return null;
  const member = await q.findMember(db, userId);
  if (!member) return null;
  const [rules, held, adjustments] = await Promise.all([q.accrualRules(db, member.group_id, kind.id), q.heldDays(db, userId, kind.id, exceptRequestId), q.adjustmentsOf(db, userId, kind.id)]);
  return balanceFor(
    { periodStartMonth: kind.period_start_month, accrualStart: member.starts_on, rules, held: held.map((h) => ({ period_start: h.period_start, days: h.days, taken: TAKEN.includes(h.status) })), adjustments },
    periodOf(date, kind.period_start_month),
    asOf,
  );
}

/** Balances of every kind that has one, for today's period (what "Mes congés" shows). */
export async function balancesOf(db: LeaveDb, userId: number, today = todayInParis()): Promise<{ kind: LeaveKind; balance: Balance }[]> {
  const out: { kind: LeaveKind; balance: Balance }[] = [];
  for (const kind of await q.listKinds(db)) {
    const balance = await balanceOf(db, userId, kind, today);
    if (balance) out.push({ kind, balance });
  }
  return out;
}

/**
 * Checks the input and counts the request for `userId`; every rule that does not depend on the
 * other requests (dates, halves, span, window, zero days). Throws `invalid` with field errors.
 */
export async function quote(db: LeaveDb, actor: Actor, userId: number, input: RequestInput, opts: { exceptRequestId?: number; today?: string } = {}): Promise<Quote> {
  const fields: FieldErrors = {};
  const kind = input.kind ? await q.findKindByCode(db, input.kind) : undefined;
  if (!input.kind) fields.kind = 'field.required';
  else if (!kind || !kind.active) fields.kind = 'leave.kind_unknown';
  else if (kind.hr_only && !mayManageLeave(actor)) fields.kind = 'leave.kind_hr_only';
  const startHalf = half(input.startHalf);
  const endHalf = half(input.endHalf);
  if (!input.start) fields.start = 'field.required';
  else if (!isCalendarDate(input.start)) fields.start = 'leave.date_invalid';
  if (!input.end) fields.end = 'field.required';
  else if (!isCalendarDate(input.end)) fields.end = 'leave.date_invalid';
  if (startHalf === 'bad') fields.startHalf = 'leave.half_invalid';
  if (endHalf === 'bad') fields.endHalf = 'leave.half_invalid';
  if (!fields.start && !fields.end) {
    const span = dayNumber(input.end) - dayNumber(input.start);
    if (span < 0) fields.end = 'leave.end_before_start';
    else if (span + 1 > MAX_SPAN_DAYS) fields.end = 'leave.span_too_long';
    else if (span === 0 && startHalf === 'afternoon' && endHalf === 'morning') fields.endHalf = 'leave.half_empty';
  }
  const today = opts.today ?? todayInParis();
  if (kind && !fields.start) {
    if (input.start < addDays(today, -kind.past_days_allowed)) fields.start = 'leave.too_far_past';
    else if (input.start > addDays(today, MAX_DAYS_AHEAD)) fields.start = 'leave.too_far_ahead';
  }
  const member = await q.findMember(db, userId);
  if (!member) fields._form = userId === actor.id ? 'leave.no_group' : 'leave.no_group_other';
  if (Object.keys(fields).length || !kind || !member || startHalf === 'bad' || endHalf === 'bad') throw invalid('common.invalid', fields);
  const lines = leaveDayLines({ start: input.start, startHalf, end: input.end, endHalf, unit: member.unit, calendar: member.calendar, nonWorkingWeekdays: nonWorking(member.non_working_days) });
  const days = lines.reduce((s, l) => s + l.counts, 0);
  if (days === 0) throw invalid('common.invalid', { start: 'leave.zero_days' });
  const balance = await balanceOf(db, userId, kind, input.start, input.start, opts.exceptRequestId);
  return {
    kind,
    userId,
    unit: member.unit,
    calendar: member.calendar,
    start: input.start,
    startHalf,
    end: input.end,
    endHalf,
    days,
    lines,
    period: periodOf(input.start, kind.period_start_month),
    balance,
    after: balance ? Math.round((balance.available - days) * 100) / 100 : null,
  };
}

/** Half-day slots: a request covers [first, last] where each day has a morning (even) and an afternoon (odd) slot. */
function slots(r: { start_date: string; start_half: string | null; end_date: string; end_half: string | null }): [number, number] {
  return [dayNumber(r.start_date) * 2 + (r.start_half === 'afternoon' ? 1 : 0), dayNumber(r.end_date) * 2 + (r.end_half === 'morning' ? 0 : 1)];
}

/** The rules that depend on other requests: overlap and balance. */
async function checkAgainstOthers(db: LeaveDb, qt: Quote, exceptId?: number): Promise<void> {
  const mine = slots({ start_date: qt.start, start_half: qt.startHalf, end_date: qt.end, end_half: qt.endHalf });
  for (const other of await q.holdingBetween(db, qt.userId, qt.start, qt.end, exceptId)) {
    const [a, b] = slots(other);
    if (a <= mine[1] && mine[0] <= b) throw invalid('leave.overlap', { start: 'leave.overlap_field' }, { start: other.start_date, end: other.end_date });
  }
  if (qt.balance && !qt.kind.allow_negative && qt.after !== null && qt.after < 0) {
    throw invalid('leave.over_balance', { end: 'leave.over_balance_field' }, { days: qt.days, available: qt.balance.available });
  }
}

const titleOf = (qt: Quote) => `${qt.kind.code} ${qt.start}${qt.end !== qt.start ? ` → ${qt.end}` : ''} (${String(qt.days).replace('.', ',')} j)`;

/**
 * The leave type of the engine, created on first use (then admins may edit its steps from the
 * approvals pages; requests under way keep their version): the manager, then HR.
 */
export const LEAVE_TYPE: approvals.SystemTypeInput = {
  code: 'leave',
  owner: 'leave',
  name: { fr: 'Congés', en: 'Leave' },
  steps: [
    { id: 'manager', label: { fr: 'Responsable', en: 'Manager' }, mode: 'any', approvers: [{ kind: 'manager' }] },
    { id: 'hr', label: { fr: 'Ressources humaines', en: 'HR' }, mode: 'any', approvers: [{ kind: 'role', role: 'hr' }] },
  ],
  options: { remindAfterDays: 2, escalateAfterDays: 5 },
};

/** Files a request for oneself and submits it to the approval engine. */
export async function requestLeave(db: LeaveDb, actor: Actor, input: RequestInput) {
  if (actor.id === null) throw forbidden('leave.not_allowed');
  await q.lockMember(db, actor.id);
  const qt = await quote(db, actor, actor.id, input);
  if (qt.kind.hr_only) throw invalid('common.invalid', { kind: 'leave.kind_hr_only' });
  await checkAgainstOthers(db, qt);
  const now = nowIso();
  const row = await db
    .insertInto('leave_requests')
    .values({ user_id: actor.id, kind_id: qt.kind.id, start_date: qt.start, start_half: qt.startHalf, end_date: qt.end, end_half: qt.endHalf, days: qt.days, period_start: qt.period, status: 'pending', comment: (input.comment ?? '').trim().slice(0, 1000), created_by: actor.id, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'leave_request', entityId: row.id, action: 'create', after: { kind: qt.kind.code, start: qt.start, start_half: qt.startHalf, end: qt.end, end_half: qt.endHalf, days: qt.days } });
  await approvals.defineSystemType(db, LEAVE_TYPE);
  const approval = await approvals.submitRequest(db, actor, 'leave', { days: qt.days, kind: qt.kind.code, period: { from: qt.start, to: qt.end } }, String(row.id), { title: titleOf(qt), href: `/conges/${row.id}` });
  await db.updateTable('leave_requests').set({ approval_id: approval.id }).where('id', '=', row.id).execute();
  // The engine may approve at once (no step applies): its hook has mirrored the status already.
  return (await q.findRequest(db, row.id))!;
}

/** After a send back: the requester corrects the dates (or not) and the route starts again. */
export async function resubmitLeave(db: LeaveDb, actor: Actor, id: number, input: RequestInput) {
  const row = await getLeave(db, actor, id);
  if (row.user_id !== actor.id) throw forbidden('leave.not_allowed');
  if (row.status !== 'changes_requested' || !row.approval_id) throw invalid('leave.wrong_state');
  await q.lockMember(db, row.user_id);
  const qt = await quote(db, actor, row.user_id, input, { exceptRequestId: row.id });
  if (qt.kind.hr_only) throw invalid('common.invalid', { kind: 'leave.kind_hr_only' });
  await checkAgainstOthers(db, qt, row.id);
  const before = { kind: row.kind_code, start: row.start_date, start_half: row.start_half, end: row.end_date, end_half: row.end_half, days: row.days };
  await db.updateTable('leave_requests').set((eb) => ({ kind_id: qt.kind.id, start_date: qt.start, start_half: qt.startHalf, end_date: qt.end, end_half: qt.endHalf, days: qt.days, period_start: qt.period, comment: (input.comment ?? row.comment).trim().slice(0, 1000), updated_at: nowIso(), version: eb('version', '+', 1) })).where('id', '=', row.id).execute();
  await record(db, actor, { entity: 'leave_request', entityId: row.id, action: 'update', before, after: { kind: qt.kind.code, start: qt.start, start_half: qt.startHalf, end: qt.end, end_half: qt.endHalf, days: qt.days } });
  const view = await approvals.getRequest(db, actor, row.approval_id);
  await approvals.resubmit(db, actor, row.approval_id, view.request.version, { days: qt.days, kind: qt.kind.code, period: { from: qt.start, to: qt.end } });
  const after = (await approvals.getRequest(db, actor, row.approval_id)).request;
  const now = (await q.findRequest(db, id))!;
  if (now.status === 'changes_requested' && after.status === 'pending') await setStatus(db, actor, row.id, 'changes_requested', 'pending', 'resubmit');
  return (await q.findRequest(db, id))!;
}

/** HR records an absence of a kind recorded by HR only (sickness): no approval, no balance. */
export async function recordByHr(db: LeaveDb, actor: Actor, userId: number, input: RequestInput) {
  if (!mayManageLeave(actor)) throw forbidden('leave.not_allowed');
  const user = await q.findUser(db, userId);
  if (!user) throw invalid('common.invalid', { user: 'leave.user_unknown' });
  await q.lockMember(db, userId);
  const qt = await quote(db, actor, userId, input);
  if (!qt.kind.hr_only) throw invalid('common.invalid', { kind: 'leave.kind_not_hr' });
  await checkAgainstOthers(db, qt);
  const now = nowIso();
  const row = await db
    .insertInto('leave_requests')
    .values({ user_id: userId, kind_id: qt.kind.id, start_date: qt.start, start_half: qt.startHalf, end_date: qt.end, end_half: qt.endHalf, days: qt.days, period_start: qt.period, status: 'recorded', comment: (input.comment ?? '').trim().slice(0, 1000), created_by: actor.id, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'leave_request', entityId: row.id, action: 'record', after: { user_id: userId, kind: qt.kind.code, start: qt.start, end: qt.end, days: qt.days } });
  await approvals.recordAbsence(db, actor, userId, qt.start, qt.end, `leave:${row.id}`, 'absence');
  return row;
}

export async function getLeave(db: LeaveDb, actor: Actor, id: number) {
  const row = await q.findRequest(db, id);
  if (!row || !maySeeRequest(actor, row)) throw notFound('leave.not_found');
  return row;
}

/** The requester withdraws a request not yet decided (through the engine: its hook mirrors it). */
export async function withdrawLeave(db: LeaveDb, actor: Actor, id: number) {
  const row = await getLeave(db, actor, id);
  if (row.user_id !== actor.id) throw forbidden('leave.not_allowed');
  if (!['pending', 'changes_requested'].includes(row.status) || !row.approval_id) throw invalid('leave.wrong_state');
  const view = await approvals.getRequest(db, actor, row.approval_id);
  await approvals.withdraw(db, actor, row.approval_id, view.request.version);
  return (await q.findRequest(db, id))!;
}

/**
 * Cancels an approved request: the requester asks the engine (through the steps again when the
 * type says so); HR cancels a recorded sickness absence directly.
 */
export async function cancelLeave(db: LeaveDb, actor: Actor, id: number, reason = '') {
  const row = await getLeave(db, actor, id);
  if (row.status === 'recorded') {
    if (!mayManageLeave(actor)) throw forbidden('leave.not_allowed');
    await setStatus(db, actor, row.id, row.status, 'cancelled', 'cancel');
    await approvals.clearAbsence(db, actor, row.user_id, `leave:${row.id}`);
    return (await q.findRequest(db, id))!;
  }
  if (row.user_id !== actor.id) throw forbidden('leave.not_allowed');
  if (row.status !== 'approved' || !row.approval_id) throw invalid('leave.wrong_state');
  const view = await approvals.getRequest(db, actor, row.approval_id);
  // Through the steps again when the type says so: the leave stays approved (days taken, person
  // away) until the engine's `cancelled` hook; a refused or withdrawn cancellation calls no hook
  // and leaves it approved, as it should be.
  await approvals.requestCancellation(db, actor, row.approval_id, view.request.version, reason.trim().slice(0, 1000) || undefined);
  return (await q.findRequest(db, id))!;
}

async function setStatus(db: LeaveDb, actor: Actor, id: number, from: LeaveStatus, to: LeaveStatus, action: string) {
  if (from === to) return;
  await db.updateTable('leave_requests').set((eb) => ({ status: to, updated_at: nowIso(), version: eb('version', '+', 1) })).where('id', '=', id).execute();
  await record(db, actor, { entity: 'leave_request', entityId: id, action, before: { status: from }, after: { status: to } });
}

const MIRROR: Record<approvals.RequestStatus, LeaveStatus> = {
  draft: 'changes_requested',
  pending: 'pending',
  changes_requested: 'changes_requested',
  approved: 'approved',
  refused: 'refused',
  withdrawn: 'withdrawn',
  cancellation_pending: 'cancellation_pending',
  cancelled: 'cancelled',
};

/**
 * The engine decided (inside its transaction): the leave follows. Approved → absent for the
 * routing to deputies (and days taken); cancelled → the absence goes, the days come back
 * (balances are computed from the statuses, so restoring is the status change itself).
 */
export async function onApprovalEvent(db: LeaveDb, event: approvals.OwnerEvent): Promise<void> {
  const id = Number(event.request.owner_ref);
  const row = Number.isInteger(id) ? await q.findRequest(db, id) : undefined;
  if (!row) return;
  const to = MIRROR[event.request.status];
  await setStatus(db, event.actor, row.id, row.status, to, event.action === 'changesRequested' ? 'sent_back' : event.action);
  if (to === 'approved' && row.status !== 'approved' && row.status !== 'cancellation_pending') await approvals.recordAbsence(db, event.actor, row.user_id, row.start_date, row.end_date, `leave:${row.id}`);
  if (to === 'cancelled' || to === 'withdrawn' || to === 'refused') await approvals.clearAbsence(db, event.actor, row.user_id, `leave:${row.id}`);
}
