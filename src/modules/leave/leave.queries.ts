// SQL of the leave module: (db: LeaveDb, …) → rows. Services and handlers call these.
import { sql } from 'kysely';
import { HOLDING, type LeaveDb, type LeaveStatus } from './leave.table.js';

export const listKinds = (db: LeaveDb, activeOnly = true) => {
  let q = db.selectFrom('leave_kinds').selectAll().orderBy('position').orderBy('id');
  if (activeOnly) q = q.where('active', '=', 1);
  return q.execute();
};
export const findKind = (db: LeaveDb, id: number) => db.selectFrom('leave_kinds').selectAll().where('id', '=', id).executeTakeFirst();
export const findKindByCode = (db: LeaveDb, code: string) => db.selectFrom('leave_kinds').selectAll().where('code', '=', code).executeTakeFirst();

export const listGroups = (db: LeaveDb) => db.selectFrom('leave_groups').selectAll().orderBy('name').execute();
export const findGroup = (db: LeaveDb, id: number) => db.selectFrom('leave_groups').selectAll().where('id', '=', id).executeTakeFirst();

export const listAccruals = (db: LeaveDb) =>
  db.selectFrom('leave_accruals as a').innerJoin('leave_groups as g', 'g.id', 'a.group_id').innerJoin('leave_kinds as k', 'k.id', 'a.kind_id').select(['a.id', 'a.group_id', 'a.kind_id', 'a.valid_from', 'a.per_month', 'a.carry_over_max', 'g.name as group_name', 'k.code as kind_code']).orderBy('g.name').orderBy('k.code').orderBy('a.valid_from').execute();
export const accrualRules = (db: LeaveDb, groupId: number, kindId: number) =>
  db.selectFrom('leave_accruals').select(['valid_from', 'per_month', 'carry_over_max']).where('group_id', '=', groupId).where('kind_id', '=', kindId).orderBy('valid_from').execute();

export const findMember = (db: LeaveDb, userId: number) =>
  db.selectFrom('leave_members as m').innerJoin('leave_groups as g', 'g.id', 'm.group_id').select(['m.user_id', 'm.group_id', 'm.non_working_days', 'm.starts_on', 'm.version', 'g.name as group_name', 'g.unit', 'g.calendar']).where('m.user_id', '=', userId).executeTakeFirst();
export const listMembers = (db: LeaveDb) =>
  db.selectFrom('users as u').leftJoin('leave_members as m', 'm.user_id', 'u.id').leftJoin('leave_groups as g', 'g.id', 'm.group_id').select(['u.id', 'u.name', 'u.email', 'm.group_id', 'm.non_working_days', 'm.starts_on', 'g.name as group_name']).where('u.status', '=', 'active').orderBy('u.name').execute();

/** A write on the person's member row: held until commit, so two requests of one person are checked one after the other. */
export const lockMember = (db: LeaveDb, userId: number) =>
  db.updateTable('leave_members').set({ updated_at: sql<string>`updated_at` }).where('user_id', '=', userId).execute();

export const findRequest = (db: LeaveDb, id: number) =>
  db.selectFrom('leave_requests as r').innerJoin('leave_kinds as k', 'k.id', 'r.kind_id').innerJoin('users as u', 'u.id', 'r.user_id').selectAll('r').select(['k.code as kind_code', 'k.name_fr as kind_fr', 'k.name_en as kind_en', 'u.name as user_name', 'u.manager_id']).where('r.id', '=', id).executeTakeFirst();
export const findRequestByApproval = (db: LeaveDb, approvalId: number) => db.selectFrom('leave_requests').selectAll().where('approval_id', '=', approvalId).executeTakeFirst();

export const requestsOf = (db: LeaveDb, userId: number, limit = 200) =>
  db.selectFrom('leave_requests as r').innerJoin('leave_kinds as k', 'k.id', 'r.kind_id').selectAll('r').select(['k.code as kind_code', 'k.name_fr as kind_fr', 'k.name_en as kind_en']).where('r.user_id', '=', userId).orderBy('r.start_date', 'desc').limit(limit).execute();

/** Requests of a person that hold dates between two days (overlap candidates). */
export const holdingBetween = (db: LeaveDb, userId: number, from: string, to: string, exceptId?: number) => {
  let q = db.selectFrom('leave_requests').select(['id', 'start_date', 'start_half', 'end_date', 'end_half', 'status']).where('user_id', '=', userId).where('status', 'in', HOLDING).where('start_date', '<=', to).where('end_date', '>=', from);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.execute();
};

/** Days held per period of a person and a kind (for the balance). */
export const heldDays = (db: LeaveDb, userId: number, kindId: number, exceptId?: number) => {
  let q = db.selectFrom('leave_requests').select(['period_start', 'days', 'status']).where('user_id', '=', userId).where('kind_id', '=', kindId).where('status', 'in', HOLDING);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.execute();
};
export const adjustmentsOf = (db: LeaveDb, userId: number, kindId: number) => db.selectFrom('leave_adjustments').select(['period_start', 'days']).where('user_id', '=', userId).where('kind_id', '=', kindId).execute();
export const adjustmentsList = (db: LeaveDb, userId: number) =>
  db.selectFrom('leave_adjustments as a').innerJoin('leave_kinds as k', 'k.id', 'a.kind_id').select(['a.id', 'a.period_start', 'a.days', 'a.reason', 'a.created_at', 'k.code as kind_code']).where('a.user_id', '=', userId).orderBy('a.created_at', 'desc').execute();

export interface CalendarRow {
  id: number;
  user_id: number;
  user_name: string;
  user_email: string;
  kind_code: string;
  kind_fr: string;
  kind_en: string;
  start_date: string;
  start_half: string | null;
  end_date: string;
  end_half: string | null;
  days: number;
  status: LeaveStatus;
  hr_only: number;
}
/** Requests that hold dates within [from, to], for some people (or everyone when null). */
export function absencesBetween(db: LeaveDb, from: string, to: string, userIds: readonly number[] | null, statuses: readonly LeaveStatus[] = HOLDING): Promise<CalendarRow[]> {
  let q = db
    .selectFrom('leave_requests as r')
    .innerJoin('leave_kinds as k', 'k.id', 'r.kind_id')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.id', 'r.user_id', 'u.name as user_name', 'u.email as user_email', 'k.code as kind_code', 'k.name_fr as kind_fr', 'k.name_en as kind_en', 'r.start_date', 'r.start_half', 'r.end_date', 'r.end_half', 'r.days', 'r.status', 'k.hr_only'])
    .where('r.status', 'in', statuses)
    .where('r.start_date', '<=', to)
    .where('r.end_date', '>=', from);
  if (userIds) q = userIds.length ? q.where('r.user_id', 'in', userIds) : q.where(sql<boolean>`1 = 0`);
  return q.orderBy('u.name').orderBy('r.start_date').orderBy('r.id').execute() as Promise<CalendarRow[]>;
}

export const allMembers = (db: LeaveDb) => db.selectFrom('leave_members as m').innerJoin('leave_groups as g', 'g.id', 'm.group_id').select(['m.user_id', 'm.non_working_days', 'g.unit', 'g.calendar']).execute();
export const activeStaff = (db: LeaveDb) => db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
export const findUser = (db: LeaveDb, id: number) => db.selectFrom('users').select(['id', 'name', 'email', 'manager_id', 'status']).where('id', '=', id).executeTakeFirst();
export const reportsOf = (db: LeaveDb, managerId: number) => db.selectFrom('users').select('id').where('manager_id', '=', managerId).execute();

/** The holiday calendar of each person's staff group (people without a group are on the general calendar). */
export const calendarsOf = (db: LeaveDb, userIds: number[]) =>
  userIds.length
    ? db.selectFrom('leave_members as m').innerJoin('leave_groups as g', 'g.id', 'm.group_id').select(['m.user_id', 'g.calendar']).where('m.user_id', 'in', userIds).execute()
    : Promise.resolve([]);
