// HR's settings of leave: kinds, staff groups (unit, holiday calendar), dated accrual rules,
// each person's group and non-working weekdays, and audited adjustments of balances.
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, type FieldErrors } from '../../platform/errors.js';
import { periodOf } from './balance.js';
import { UNITS, type LeaveUnit } from './counting.js';
import { isMonth } from './dates.js';
import { CALENDARS, isCalendarDate, type HolidayCalendar } from './holidays.js';
import * as q from './leave.queries.js';
import type { LeaveDb } from './leave.table.js';
import { assertHr } from './policy.js';

const fail = (fields: FieldErrors) => {
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
};
/** A number of days written the French way or not ("2,5" or "2.5"), or NaN. */
export function parseDays(v: string): number {
  const s = v.trim().replace(',', '.');
  return /^-?\d{1,4}(\.\d{1,2})?$/.test(s) ? Number(s) : NaN;
}

export async function createKind(db: LeaveDb, actor: Actor, input: { code: string; name_fr: string; name_en: string; has_balance: boolean; allow_negative: boolean; hr_only: boolean; past_days_allowed: string; period_start_month: string }) {
  assertHr(actor);
  const fields: FieldErrors = {};
  const code = input.code.trim().toUpperCase();
  if (!/^[A-Z0-9_]{2,12}$/.test(code)) fields.code = 'leave.code_invalid';
  else if (await q.findKindByCode(db, code)) fields.code = 'leave.code_taken';
  if (!input.name_fr.trim()) fields.name_fr = 'field.required';
  const past = Number(input.past_days_allowed);
  if (!Number.isInteger(past) || past < 0 || past > 366) fields.past_days_allowed = 'leave.past_days_invalid';
  const month = Number(input.period_start_month);
  if (!Number.isInteger(month) || month < 1 || month > 12) fields.period_start_month = 'leave.month_invalid';
  fail(fields);
  const now = nowIso();
  const values = { code, name_fr: input.name_fr.trim(), name_en: input.name_en.trim() || input.name_fr.trim(), hr_only: input.hr_only ? 1 : 0, has_balance: input.has_balance ? 1 : 0, allow_negative: input.allow_negative ? 1 : 0, past_days_allowed: past, period_start_month: month, position: 100, active: 1 };
  const row = await db.insertInto('leave_kinds').values({ ...values, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'leave_kind', entityId: row.id, action: 'create', after: values });
  return row;
}

export async function createGroup(db: LeaveDb, actor: Actor, input: { name: string; unit: string; calendar: string }) {
  assertHr(actor);
  const fields: FieldErrors = {};
  const name = input.name.trim();
  if (!name) fields.name = 'field.required';
  else if ((await q.listGroups(db)).some((g) => g.name.toLowerCase() === name.toLowerCase())) fields.name = 'leave.group_taken';
  if (!(UNITS as readonly string[]).includes(input.unit)) fields.unit = 'leave.unit_invalid';
  if (!(CALENDARS as readonly string[]).includes(input.calendar)) fields.calendar = 'leave.calendar_invalid';
  fail(fields);
  const now = nowIso();
  const row = await db.insertInto('leave_groups').values({ name, unit: input.unit as LeaveUnit, calendar: input.calendar as HolidayCalendar, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'leave_group', entityId: row.id, action: 'create', after: { name, unit: row.unit, calendar: row.calendar } });
  return row;
}

/** A rate from a month on (dated: earlier months keep the rate they had). */
export async function addAccrualRule(db: LeaveDb, actor: Actor, input: { group_id: string; kind: string; valid_from: string; per_month: string; carry_over_max: string }) {
  assertHr(actor);
  const fields: FieldErrors = {};
  const group = /^\d+$/.test(input.group_id) ? await q.findGroup(db, Number(input.group_id)) : undefined;
  if (!group) fields.group_id = 'leave.group_unknown';
  const kind = await q.findKindByCode(db, input.kind);
  if (!kind) fields.kind = 'leave.kind_unknown';
  else if (!kind.has_balance) fields.kind = 'leave.kind_no_balance';
  if (!isMonth(input.valid_from)) fields.valid_from = 'leave.month_invalid';
  const perMonth = parseDays(input.per_month);
  if (!Number.isFinite(perMonth) || perMonth < 0 || perMonth > 31) fields.per_month = 'leave.days_invalid';
  const cap = input.carry_over_max.trim() === '' ? null : parseDays(input.carry_over_max);
  if (cap !== null && (!Number.isFinite(cap) || cap < 0 || cap > 366)) fields.carry_over_max = 'leave.days_invalid';
  fail(fields);
  const validFrom = `${input.valid_from}-01`;
  if (await db.selectFrom('leave_accruals').select('id').where('group_id', '=', group!.id).where('kind_id', '=', kind!.id).where('valid_from', '=', validFrom).executeTakeFirst()) throw invalid('common.invalid', { valid_from: 'leave.rule_exists' });
  const row = await db.insertInto('leave_accruals').values({ group_id: group!.id, kind_id: kind!.id, valid_from: validFrom, per_month: perMonth, carry_over_max: cap, created_by: actor.id, created_at: nowIso() }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'leave_accrual', entityId: row.id, action: 'create', after: { group: group!.name, kind: kind!.code, valid_from: validFrom, per_month: perMonth, carry_over_max: cap } });
  return row;
}

/** Puts a person in a staff group, with their non-working weekdays and the date accrual starts. */
export async function setMember(db: LeaveDb, actor: Actor, input: { user_id: string; group_id: string; non_working_days: string[]; starts_on: string }) {
  assertHr(actor);
  const fields: FieldErrors = {};
  const user = /^\d+$/.test(input.user_id) ? await q.findUser(db, Number(input.user_id)) : undefined;
  if (!user) fields.user_id = 'leave.user_unknown';
  const group = /^\d+$/.test(input.group_id) ? await q.findGroup(db, Number(input.group_id)) : undefined;
  if (!group) fields.group_id = 'leave.group_unknown';
  const days = [...new Set(input.non_working_days)];
  if (!days.every((d) => /^[0-6]$/.test(d))) fields.non_working_days = 'leave.weekdays_invalid';
  else if (days.length > 5) fields.non_working_days = 'leave.weekdays_too_many';
  if (!isCalendarDate(input.starts_on)) fields.starts_on = 'leave.date_invalid';
  fail(fields);
  const nonWorking = days.sort().join(',');
  const now = nowIso();
  const before = await q.findMember(db, user!.id);
  if (before) await db.updateTable('leave_members').set((eb) => ({ group_id: group!.id, non_working_days: nonWorking, starts_on: input.starts_on, updated_at: now, version: eb('version', '+', 1) })).where('user_id', '=', user!.id).execute();
  else await db.insertInto('leave_members').values({ user_id: user!.id, group_id: group!.id, non_working_days: nonWorking, starts_on: input.starts_on, created_at: now, updated_at: now }).execute();
  await record(db, actor, { entity: 'leave_member', entityId: user!.id, action: before ? 'update' : 'create', before: before ? { group_id: before.group_id, non_working_days: before.non_working_days, starts_on: before.starts_on } : null, after: { group_id: group!.id, non_working_days: nonWorking, starts_on: input.starts_on } });
}

/** Adds (or removes, when negative) days to a person's balance of a kind, for the period of a date; reason required. */
export async function addAdjustment(db: LeaveDb, actor: Actor, input: { user_id: string; kind: string; date: string; days: string; reason: string }) {
  assertHr(actor);
  const fields: FieldErrors = {};
  const user = /^\d+$/.test(input.user_id) ? await q.findUser(db, Number(input.user_id)) : undefined;
  if (!user) fields.user_id = 'leave.user_unknown';
  const kind = await q.findKindByCode(db, input.kind);
  if (!kind) fields.kind = 'leave.kind_unknown';
  else if (!kind.has_balance) fields.kind = 'leave.kind_no_balance';
  if (!isCalendarDate(input.date)) fields.date = 'leave.date_invalid';
  const days = parseDays(input.days);
  if (!Number.isFinite(days) || days === 0 || Math.abs(days) > 366) fields.days = 'leave.days_invalid';
  const reason = input.reason.trim();
  if (!reason) fields.reason = 'field.required';
  fail(fields);
  const period = periodOf(input.date, kind!.period_start_month);
  const row = await db.insertInto('leave_adjustments').values({ user_id: user!.id, kind_id: kind!.id, period_start: period, days, reason: reason.slice(0, 500), created_by: actor.id, created_at: nowIso() }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'leave_adjustment', entityId: row.id, action: 'create', after: { user_id: user!.id, kind: kind!.code, period, days, reason } });
  return row;
}
