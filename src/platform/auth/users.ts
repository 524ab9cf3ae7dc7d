// Staff accounts: queries and the business verbs around them. Every write is audited.
import { record, type Actor } from '../audit/audit.js';
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import { updateWithVersion } from '../db/locking.js';
import type { UserRow } from '../db/tables.js';
import { AppError, invalid, notFound } from '../errors.js';
import { isRole, ROLES, type Role } from '../access/permissions.js';
import { hashPassword, passwordProblem } from './password.js';

// Callers pass any module's handle (AnyDb); it is queried over the platform's tables, no cast.
const d = (db: AnyDb): PlatformDb => db;

export interface User extends UserRow {
  roles: string[];
}

const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_RE.test(email);
}

async function rolesOf(db: AnyDb, userId: number): Promise<string[]> {
  const rows = await d(db).selectFrom('user_roles').select('role').where('user_id', '=', userId).orderBy('role').execute();
  return rows.map((r) => r.role);
}

export async function findUserById(db: AnyDb, id: number): Promise<User | undefined> {
  const u = await d(db).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return u ? { ...u, roles: await rolesOf(db, u.id) } : undefined;
}

export async function getUser(db: AnyDb, id: number): Promise<User> {
  const u = await findUserById(db, id);
  if (!u) throw notFound('admin.user_not_found');
  return u;
}

export async function findUserByEmail(db: AnyDb, email: string): Promise<User | undefined> {
  const u = await d(db).selectFrom('users').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
  return u ? { ...u, roles: await rolesOf(db, u.id) } : undefined;
}

export interface UserFilter {
  q?: string;
  role?: string;
  status?: string;
}

export async function listUsers(db: AnyDb, filter: UserFilter, page = 1, perPage = 50): Promise<{ items: User[]; total: number }> {
  let q = d(db).selectFrom('users');
  if (filter.q) {
    const needle = `%${filter.q.toLowerCase()}%`;
    q = q.where((eb) => eb.or([eb(eb.fn('lower', ['name']), 'like', needle), eb('email', 'like', needle)]));
  }
  if (filter.status) q = q.where('status', '=', filter.status as UserRow['status']);
  if (filter.role) q = q.where('id', 'in', d(db).selectFrom('user_roles').select('user_id').where('role', '=', filter.role));
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.selectAll().orderBy('name').limit(perPage).offset((page - 1) * perPage).execute();
  const roles = rows.length
    ? await d(db).selectFrom('user_roles').selectAll().where('user_id', 'in', rows.map((r) => r.id)).execute()
    : [];
  return { items: rows.map((r) => ({ ...r, roles: roles.filter((x) => x.user_id === r.id).map((x) => x.role).sort() })), total };
}

export interface NewUserInput {
  email: string;
  name: string;
  roles: string[];
  password?: string;
  locale?: string;
}

function validateUserInput(input: { email?: string; name?: string; roles?: string[] }): { email: string; name: string; roles: Role[] } {
  const fields: Record<string, string> = {};
  const email = normaliseEmail(input.email ?? '');
  const name = (input.name ?? '').trim();
  if (!email) fields.email = 'field.required';
  else if (!isEmail(email)) fields.email = 'field.email';
  if (!name) fields.name = 'field.required';
  else if (name.length > 120) fields.name = 'field.too_long';
  const roles = (input.roles ?? []).filter((r) => r !== '');
  if (roles.length === 0) fields.roles = 'admin.role_required';
  else if (!roles.every(isRole)) fields.roles = 'admin.role_unknown';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return { email, name, roles: roles as Role[] };
}

export async function createUser(db: AnyDb, actor: Actor, input: NewUserInput): Promise<User> {
  const { email, name, roles } = validateUserInput(input);
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, email);
    if (problem) throw invalid('common.invalid', { password: problem });
  }
  if (await findUserByEmail(db, email)) throw invalid('common.invalid', { email: 'admin.email_taken' });
  const now = nowIso();
  const row = await d(db)
    .insertInto('users')
    .values({
      email,
      name,
      password_hash: input.password ? await hashPassword(input.password) : null,
      status: input.password ? 'active' : 'invited',
      locale: input.locale === 'en' ? 'en' : 'fr',
      totp_enabled: 0,
      failed_sign_ins: 0,
      created_at: now,
      updated_at: now,
      password_changed_at: input.password ? now : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await d(db).insertInto('user_roles').values(roles.map((role) => ({ user_id: row.id, role }))).execute();
  await record(db, actor, { entity: 'user', entityId: row.id, action: 'create', after: { email, name, status: row.status, roles } });
  return { ...row, roles };
}

export interface UserUpdate {
  name: string;
  email: string;
  roles: string[];
  version: number;
  /** undefined: unchanged; null: no manager */
  managerId?: number | null;
}

export async function updateUser(db: AnyDb, actor: Actor, id: number, input: UserUpdate): Promise<void> {
  const before = await getUser(db, id);
  const { email, name, roles } = validateUserInput(input);
  const other = await findUserByEmail(db, email);
  if (other && other.id !== id) throw invalid('common.invalid', { email: 'admin.email_taken' });
  if (actor.id === id && before.roles.includes('admin') && !roles.includes('admin')) {
    throw invalid('common.invalid', { roles: 'admin.cannot_drop_own_admin' });
  }
  const managerId = input.managerId === undefined ? before.manager_id : input.managerId;
  if (managerId !== before.manager_id) await assertValidManager(db, id, managerId);
  await updateWithVersion(db, 'users', id, input.version, { name, email, manager_id: managerId });
  await d(db).deleteFrom('user_roles').where('user_id', '=', id).execute();
  await d(db).insertInto('user_roles').values(roles.map((role) => ({ user_id: id, role }))).execute();
  await record(db, actor, {
    entity: 'user',
    entityId: id,
    action: 'update',
    before: { name: before.name, email: before.email, roles: before.roles, manager_id: before.manager_id },
    after: { name, email, roles: [...roles].sort(), manager_id: managerId },
  });
}

export async function setUserStatus(db: AnyDb, actor: Actor, id: number, status: 'active' | 'disabled', version: number): Promise<void> {
  const before = await getUser(db, id);
  if (actor.id === id && status === 'disabled') throw invalid('admin.cannot_disable_self');
  if (status === 'active' && before.status === 'invited') throw invalid('admin.still_invited');
  await updateWithVersion(db, 'users', id, version, { status, failed_sign_ins: 0, locked_until: null });
  if (status === 'disabled') await d(db).deleteFrom('sessions').where('audience', '=', 'staff').where('subject_id', '=', id).execute();
  await record(db, actor, { entity: 'user', entityId: id, action: status === 'disabled' ? 'deactivate' : 'activate', before: { status: before.status }, after: { status } });
}

export async function unlockUser(db: AnyDb, actor: Actor, id: number): Promise<void> {
  const before = await getUser(db, id);
  await d(db).updateTable('users').set({ failed_sign_ins: 0, locked_until: null, updated_at: nowIso() }).where('id', '=', id).execute();
  // Forget the failures that caused the lock, so the next attempt starts afresh.
  await d(db).deleteFrom('sign_in_attempts').where('email', '=', before.email).where('success', '=', 0).execute();
  await record(db, actor, { entity: 'user', entityId: id, action: 'unlock', before: { locked_until: before.locked_until }, after: { locked_until: null } });
}

export async function setPassword(db: AnyDb, actor: Actor, userId: number, password: string, opts: { activate?: boolean } = {}): Promise<void> {
  const user = await getUser(db, userId);
  const problem = passwordProblem(password, user.email);
  if (problem) throw invalid('common.invalid', { password: problem });
  const now = nowIso();
  await d(db)
    .updateTable('users')
    .set({
      password_hash: await hashPassword(password),
      password_changed_at: now,
      updated_at: now,
      failed_sign_ins: 0,
      locked_until: null,
      ...(opts.activate && user.status === 'invited' ? { status: 'active' as const } : {}),
    })
    .where('id', '=', userId)
    .execute();
  await record(db, actor, { entity: 'user', entityId: userId, action: 'password_change', changes: { password: ['•••', '•••'] } });
}

export async function setLocale(db: AnyDb, userId: number, locale: 'fr' | 'en'): Promise<void> {
  await d(db).updateTable('users').set({ locale }).where('id', '=', userId).execute();
}

export { ROLES, AppError };

/** Ids of the people managed by `managerId`, directly or through intermediate managers. */
export async function teamOf(db: AnyDb, managerId: number): Promise<number[]> {
  const all = await d(db).selectFrom('users').select(['id', 'manager_id']).where('manager_id', 'is not', null).execute();
  const out = new Set<number>();
  let frontier = [managerId];
  while (frontier.length) {
    const next = all.filter((u) => u.manager_id !== null && frontier.includes(u.manager_id) && !out.has(u.id)).map((u) => u.id);
    next.forEach((id) => out.add(id));
    frontier = next;
  }
  out.delete(managerId);
  return [...out];
}

/** A manager must exist, not be the person, and not report to the person (no loops). */
async function assertValidManager(db: AnyDb, userId: number, managerId: number | null): Promise<void> {
  if (managerId === null) return;
  if (managerId === userId) throw invalid('common.invalid', { manager_id: 'admin.manager_self' });
  if (!(await findUserById(db, managerId))) throw invalid('common.invalid', { manager_id: 'field.invalid' });
  if ((await teamOf(db, userId)).includes(managerId)) throw invalid('common.invalid', { manager_id: 'admin.manager_cycle' });
}

export async function setManager(db: AnyDb, actor: Actor, userId: number, managerId: number | null): Promise<void> {
  const before = await getUser(db, userId);
  await assertValidManager(db, userId, managerId);
  await d(db).updateTable('users').set({ manager_id: managerId, updated_at: nowIso() }).where('id', '=', userId).execute();
  await record(db, actor, { entity: 'user', entityId: userId, action: 'update', before: { manager_id: before.manager_id }, after: { manager_id: managerId } });
}
