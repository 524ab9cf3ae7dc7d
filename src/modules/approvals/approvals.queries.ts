// SQL of the approval engine: reads only (writes are in the services, with their audit rows).
import { sql } from 'kysely';
import type { ApprovalAssignmentRow, ApprovalHistoryRow, ApprovalRequestRow, ApprovalsDb, ApprovalTypeRow, ApprovalTypeVersionRow, RequestStatus } from './approvals.table.js';

export function findTypeByCode(db: ApprovalsDb, code: string): Promise<ApprovalTypeRow | undefined> {
  return db.selectFrom('approval_types').selectAll().where('code', '=', code).executeTakeFirst();
}

export function findTypeById(db: ApprovalsDb, id: number): Promise<ApprovalTypeRow | undefined> {
  return db.selectFrom('approval_types').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findVersion(db: ApprovalsDb, id: number): Promise<ApprovalTypeVersionRow | undefined> {
  return db.selectFrom('approval_type_versions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function typeVersions(db: ApprovalsDb, typeId: number): Promise<ApprovalTypeVersionRow[]> {
  return db.selectFrom('approval_type_versions').selectAll().where('type_id', '=', typeId).orderBy('number', 'desc').execute();
}

export interface TypeSummary {
  id: number;
  code: string;
  owner: string;
  active: number;
  version: number;
  version_id: number;
  number: number;
  name_fr: string;
  name_en: string;
  definition: string;
}

/** Every type with its current version (a few dozen at most). */
export function listTypes(db: ApprovalsDb, opts: { activeOnly?: boolean; owner?: string } = {}): Promise<TypeSummary[]> {
  let q = db
    .selectFrom('approval_types as t')
    .innerJoin('approval_type_versions as v', 'v.id', 't.current_version_id')
    .select(['t.id', 't.code', 't.owner', 't.active', 't.version', 'v.id as version_id', 'v.number', 'v.name_fr', 'v.name_en', 'v.definition'])
    .orderBy('v.name_fr');
  if (opts.activeOnly) q = q.where('t.active', '=', 1);
  if (opts.owner) q = q.where('t.owner', '=', opts.owner);
  return q.execute();
}

export function findRequest(db: ApprovalsDb, id: number): Promise<ApprovalRequestRow | undefined> {
  return db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface PersonRow {
  id: number;
  name: string;
  email: string;
  locale: string;
  status: string;
  manager_id: number | null;
}

export function findPerson(db: ApprovalsDb, id: number): Promise<PersonRow | undefined> {
  return db.selectFrom('users').select(['id', 'name', 'email', 'locale', 'status', 'manager_id']).where('id', '=', id).executeTakeFirst();
}

export function peopleByIds(db: ApprovalsDb, ids: number[]): Promise<PersonRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('users').select(['id', 'name', 'email', 'locale', 'status', 'manager_id']).where('id', 'in', ids).execute();
}

export async function activeHoldersOf(db: ApprovalsDb, role: string): Promise<number[]> {
  const rows = await db
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select('u.id')
    .where('r.role', '=', role)
    .where('u.status', '=', 'active')
    .orderBy('u.id')
    .execute();
  return rows.map((r) => r.id);
}

export async function rolesOf(db: ApprovalsDb, userId: number): Promise<string[]> {
  return (await db.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute()).map((r) => r.role);
}

export function activeStaff(db: ApprovalsDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
}

/** The users absent on `day` (ISO date) among `ids`. */
export async function absentOn(db: ApprovalsDb, ids: number[], day: string): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('approval_absences').select('user_id').where('user_id', 'in', ids).where('from_date', '<=', day).where('to_date', '>=', day).execute();
  return new Set(rows.map((r) => r.user_id));
}

export async function deputyOf(db: ApprovalsDb, userId: number): Promise<number | undefined> {
  return (await db.selectFrom('approval_deputies').select('deputy_id').where('user_id', '=', userId).executeTakeFirst())?.deputy_id;
}

export function seatsOf(db: ApprovalsDb, requestId: number): Promise<(ApprovalAssignmentRow & { approver_name: string })[]> {
  return db
    .selectFrom('approval_assignments as a')
    .innerJoin('users as u', 'u.id', 'a.approver_id')
    .selectAll('a')
    .select('u.name as approver_name')
    .where('a.request_id', '=', requestId)
    .orderBy('a.id')
    .execute();
}

export function openSeats(db: ApprovalsDb, req: Pick<ApprovalRequestRow, 'id' | 'round' | 'phase' | 'step_index'>): Promise<ApprovalAssignmentRow[]> {
  return db
    .selectFrom('approval_assignments')
    .selectAll()
    .where('request_id', '=', req.id)
    .where('round', '=', req.round)
    .where('phase', '=', req.phase)
    .where('step_index', '=', req.step_index ?? -1)
    .where('state', '=', 'open')
    .orderBy('id')
    .execute();
}

export function findSeat(db: ApprovalsDb, id: number): Promise<ApprovalAssignmentRow | undefined> {
  return db.selectFrom('approval_assignments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Who approved which step in this round and phase (separation of duties). */
export function actedSeats(db: ApprovalsDb, requestId: number, round: number, phase: 'approval' | 'cancellation'): Promise<{ step_index: number; approver_id: number }[]> {
  return db
    .selectFrom('approval_assignments')
    .select(['step_index', 'approver_id'])
    .where('request_id', '=', requestId)
    .where('round', '=', round)
    .where('phase', '=', phase)
    .where('state', '=', 'approved')
    .execute();
}

export function historyOf(db: ApprovalsDb, requestId: number): Promise<ApprovalHistoryRow[]> {
  return db.selectFrom('approval_history').selectAll().where('request_id', '=', requestId).orderBy('id').execute();
}

export async function lastSendBackStep(db: ApprovalsDb, requestId: number): Promise<number | null> {
  const row = await db.selectFrom('approval_history').select('step_index').where('request_id', '=', requestId).where('action', '=', 'send_back').orderBy('id', 'desc').executeTakeFirst();
  return row?.step_index ?? null;
}

export async function hasSeat(db: ApprovalsDb, requestId: number, userId: number): Promise<boolean> {
  return Boolean(await db.selectFrom('approval_assignments').select('id').where('request_id', '=', requestId).where('approver_id', '=', userId).executeTakeFirst());
}

export interface RequestListRow {
  id: number;
  title: string;
  status: RequestStatus;
  phase: string;
  step_index: number | null;
  requester_id: number;
  requester_name: string;
  type_code: string;
  name_fr: string;
  name_en: string;
  submitted_at: string | null;
  step_opened_at: string | null;
  updated_at: string;
  owner_ref: string | null;
  version: number;
}

export interface ListQuery {
  requesterId?: number;
  openSeatOf?: number;
  typeCode?: string;
  status?: RequestStatus;
  ownerRef?: string;
  /** types of these owners left out ("every request" of approvals:admin: hooks.ts keepRequestsToTheirRoute) */
  excludeOwners?: string[];
}

function listBase(db: ApprovalsDb, f: ListQuery) {
  let q = db
    .selectFrom('approval_requests as r')
    .innerJoin('approval_types as t', 't.id', 'r.type_id')
    .innerJoin('approval_type_versions as v', 'v.id', 'r.type_version_id')
    .innerJoin('users as u', 'u.id', 'r.requester_id');
  if (f.requesterId !== undefined) q = q.where('r.requester_id', '=', f.requesterId);
  if (f.openSeatOf !== undefined) {
    // Driven by the approver's open seats (index approver_id, state, request_id): a handful of
    // rows, where EXISTS per request walked every request of the table (bench/approvals-todo.ts).
    const uid = f.openSeatOf;
    q = q.where('r.id', 'in', (eb) => eb.selectFrom('approval_assignments as a').select('a.request_id').where('a.approver_id', '=', uid).where('a.state', '=', 'open'));
  }
  if (f.typeCode) q = q.where('t.code', '=', f.typeCode);
  if (f.status) q = q.where('r.status', '=', f.status);
  if (f.ownerRef !== undefined) q = q.where('r.owner_ref', '=', f.ownerRef);
  if (f.excludeOwners?.length) q = q.where('t.owner', 'not in', f.excludeOwners);
  return q;
}

export async function listRequests(db: ApprovalsDb, f: ListQuery, page: number, perPage: number): Promise<{ items: RequestListRow[]; total: number }> {
  const total = Number((await listBase(db, f).select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
  const items = await listBase(db, f)
    .select(['r.id', 'r.title', 'r.status', 'r.phase', 'r.step_index', 'r.requester_id', 'u.name as requester_name', 't.code as type_code', 'v.name_fr', 'v.name_en', 'r.submitted_at', 'r.step_opened_at', 'r.updated_at', 'r.owner_ref', 'r.version'])
    .orderBy('r.id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { items, total };
}

/** Export pages of one type's requests, keyset on id. */
export function typeRequestsPage(db: ApprovalsDb, typeId: number, after: number | undefined, limit: number) {
  return db
    .selectFrom('approval_requests as r')
    .innerJoin('users as u', 'u.id', 'r.requester_id')
    .select(['r.id', 'r.title', 'r.status', 'r.payload', 'r.submitted_at', 'r.decided_at', 'r.type_version_id', 'u.name as requester_name'])
    .where('r.type_id', '=', typeId)
    .where('r.id', '>', after ?? 0)
    .orderBy('r.id')
    .limit(limit)
    .execute();
}

/**
 * Pending steps opened before `before` and not yet escalated, a page after `afterId`: the sweep
 * walks them all by id, since a type without reminders leaves its requests in this set for good.
 */
export function pendingStepsOpenedBefore(db: ApprovalsDb, before: string, afterId = 0, limit = 500): Promise<ApprovalRequestRow[]> {
  return db
    .selectFrom('approval_requests')
    .selectAll()
    .where('status', 'in', ['pending', 'cancellation_pending'])
    .where('step_opened_at', '<', before)
    .where('escalated_at', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Open seats of users absent on `day`. */
export function openSeatsOfAbsent(db: ApprovalsDb, day: string) {
  return db
    .selectFrom('approval_assignments as a')
    .innerJoin('approval_absences as b', 'b.user_id', 'a.approver_id')
    .selectAll('a')
    .where('a.state', '=', 'open')
    .where('b.from_date', '<=', day)
    .where('b.to_date', '>=', day)
    .execute();
}
