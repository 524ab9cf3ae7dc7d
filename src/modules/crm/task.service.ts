// Tasks: follow-ups of a visit, next steps of a deal, or a reminder on a company. Each has one
// owner and a due date; "my tasks" lists the overdue ones first.
import { permissionsOf } from '../../platform/access/permissions.js';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { findCompany } from '../registry/index.js';
import type { CrmDb, TaskRow } from './crm.table.js';
import { addDays, isDate, todayParis } from './dates.js';
import { assertCanEditTask } from './policy.js';
import { auditableSharing, checkSharing, type SharingInput } from './sharing.js';


/** A task can be given to any active colleague who uses the CRM. */
export async function validateTaskOwner(db: CrmDb, userId: number): Promise<boolean> {
  if (!Number.isInteger(userId) || userId <= 0) return false;
  const u = await db.selectFrom('users').select(['id', 'status']).where('id', '=', userId).executeTakeFirst();
  if (!u || u.status !== 'active') return false;
  const roles = (await db.selectFrom('user_roles').select('role').where('user_id', '=', userId).execute()).map((r) => r.role);
  return permissionsOf(roles).has('crm:use');
}

/** Colleagues a task may be given to (form choices). */
export async function listCrmUsers(db: CrmDb): Promise<{ id: number; name: string; manager_id: number | null }[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.manager_id', 'user_roles.role'])
    .where('users.status', '=', 'active')
    .orderBy('users.name')
    .execute();
  const out = new Map<number, { id: number; name: string; manager_id: number | null }>();
  for (const r of rows) if (permissionsOf([r.role]).has('crm:use')) out.set(r.id, { id: r.id, name: r.name, manager_id: r.manager_id });
  return [...out.values()];
}

export interface TaskInput extends SharingInput {
  title: string;
  due: string;
  ownerId?: number;
  companyId?: number;
  dealId?: number;
}

export async function createTask(db: CrmDb, actor: Actor, input: TaskInput, today = todayParis()): Promise<TaskRow> {
  if (actor.id === null) throw new AppError('forbidden', 'common.forbidden');
  const fields: Record<string, string> = {};
  const title = input.title.trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 200) fields.title = 'field.too_long';
  if (!isDate(input.due)) fields.due = 'field.date';
  else if (input.due < addDays(today, -1) || input.due > addDays(today, 3 * 366)) fields.due = 'crm.task_due_range';
  const ownerId = input.ownerId ?? actor.id;
  if (!(await validateTaskOwner(db, ownerId))) fields.owner_id = 'crm.task_owner_unknown';
  if (input.companyId !== undefined && !(await findCompany(db, input.companyId))) fields.company_id = 'crm.company_unknown';
  let companyId = input.companyId ?? null;
  if (input.dealId !== undefined) {
    const deal = await db.selectFrom('crm_deals').select(['id', 'company_id']).where('id', '=', input.dealId).executeTakeFirst();
    if (!deal) fields.deal_id = 'crm.deal_not_found';
    else companyId = deal.company_id;
  }
  const sharing = checkSharing(fields, input);
  if (sharing.shared_with_company && companyId === null && !fields.company_id && !fields.deal_id) fields.shared_with_company = 'crm.sharing.no_company';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 200 });
  const now = nowIso();
  const row = await db
    .insertInto('crm_tasks')
    .values({ owner_id: ownerId, created_by: actor.id, company_id: companyId, visit_id: null, deal_id: input.dealId ?? null, title, due_date: input.due, done_at: null, ...sharing, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'crm_task', entityId: row.id, action: 'create', after: { title, due_date: input.due, owner_id: ownerId, company_id: companyId, deal_id: input.dealId ?? null, ...auditableSharing(sharing) } });
  return row;
}

export interface TaskUpdate extends SharingInput {
  title?: string;
  due?: string;
  ownerId?: number;
  version: number;
}

/**
 * Changes a task: its wording, due date, owner, and what the company sees of it. The owner,
 * whoever created it, the owner's managers and direction may; fields not given stay as they are.
 */
export async function updateTask(db: CrmDb, actor: Actor, id: number, input: TaskUpdate, today = todayParis()): Promise<void> {
  const before = await db.selectFrom('crm_tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound('crm.task_not_found');
  await assertCanEditTask(db, actor, before);
  const fields: Record<string, string> = {};
  const title = (input.title ?? before.title).trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 200) fields.title = 'field.too_long';
  const due = input.due ?? before.due_date;
  // An old due date may stay as it is; a changed one follows the creation rule.
  if (!isDate(due)) fields.due = 'field.date';
  else if (due !== before.due_date && (due < addDays(today, -1) || due > addDays(today, 3 * 366))) fields.due = 'crm.task_due_range';
  const ownerId = input.ownerId ?? before.owner_id;
  // As at creation, a task may be given to any colleague who uses the CRM.
  if (ownerId !== before.owner_id && !(await validateTaskOwner(db, ownerId))) fields.owner_id = 'crm.task_owner_unknown';
  const sharing = checkSharing(fields, input, before);
  if (sharing.shared_with_company && before.company_id === null) fields.shared_with_company = 'crm.sharing.no_company';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 200 });
  const patch = { title, due_date: due, owner_id: ownerId, ...sharing };
  await updateWithVersion(db, 'crm_tasks', id, input.version, patch);
  await record(db, actor, {
    entity: 'crm_task',
    entityId: id,
    action: 'update',
    before: { title: before.title, due_date: before.due_date, owner_id: before.owner_id, ...auditableSharing(before) },
    after: { title, due_date: due, owner_id: ownerId, ...auditableSharing(sharing) },
  });
}

export async function getTask(db: CrmDb, id: number): Promise<TaskRow> {
  const task = await db.selectFrom('crm_tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!task) throw notFound('crm.task_not_found');
  return task;
}

/** Marks a task done (or open again). The owner, whoever created it, managers and direction may. */
export async function setTaskDone(db: CrmDb, actor: Actor, id: number, done: boolean, version: number): Promise<void> {
  const task = await db.selectFrom('crm_tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!task) throw notFound('crm.task_not_found');
  await assertCanEditTask(db, actor, task);
  const doneAt = done ? nowIso() : null;
  await updateWithVersion(db, 'crm_tasks', id, version, { done_at: doneAt });
  await record(db, actor, { entity: 'crm_task', entityId: id, action: done ? 'complete' : 'reopen', before: { done_at: task.done_at }, after: { done_at: doneAt } });
}

export interface TaskFilter {
  ownerIds?: number[];
  companyId?: number;
  open?: boolean;
  dueBy?: string;
}

/** Open tasks by due date (so the overdue ones come first), then the recently done. */
export async function listTasks(db: CrmDb, filter: TaskFilter, limit = 200): Promise<TaskRow[]> {
  let q = db.selectFrom('crm_tasks').selectAll();
  if (filter.ownerIds) q = q.where('owner_id', 'in', filter.ownerIds.length ? filter.ownerIds : [-1]);
  if (filter.companyId !== undefined) q = q.where('company_id', '=', filter.companyId);
  if (filter.open === true) q = q.where('done_at', 'is', null);
  if (filter.open === false) q = q.where('done_at', 'is not', null);
  if (filter.dueBy) q = q.where('due_date', '<=', filter.dueBy);
  if (filter.open === false) return q.orderBy('done_at', 'desc').limit(limit).execute();
  return q.orderBy('due_date').orderBy('id').limit(limit).execute();
}

export async function listTasksOfVisit(db: CrmDb, visitId: number): Promise<TaskRow[]> {
  return db.selectFrom('crm_tasks').selectAll().where('visit_id', '=', visitId).orderBy('due_date').orderBy('id').execute();
}

export async function listTasksOfDeal(db: CrmDb, dealId: number): Promise<TaskRow[]> {
  return db.selectFrom('crm_tasks').selectAll().where('deal_id', '=', dealId).orderBy('due_date').orderBy('id').execute();
}
