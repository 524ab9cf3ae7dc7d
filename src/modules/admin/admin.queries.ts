// Read queries of the admin screens (the writes are platform services: users, tokens, settings).
import type { AuditRow, JobRow, MailRow } from '../../platform/db/tables.js';
import type { AdminDb } from './admin.table.js';

export interface AuditFilter {
  actor?: number;
  entity?: string;
  entityId?: string;
  action?: string;
  /** YYYY-MM-DD, inclusive, Paris days approximated as UTC days */
  from?: string;
  to?: string;
}

export async function listAudit(db: AdminDb, f: AuditFilter, page: number, perPage = 50): Promise<{ items: AuditRow[]; total: number }> {
  let q = db.selectFrom('audit_log');
  if (f.actor !== undefined) q = q.where('actor_id', '=', f.actor);
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.from) q = q.where('at', '>=', `${f.from}T00:00:00.000Z`);
  if (f.to) q = q.where('at', '<=', `${f.to}T23:59:59.999Z`);
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = await q.selectAll().orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage).execute();
  return { items, total };
}

export async function auditFacets(db: AdminDb): Promise<{ entities: string[]; actions: string[] }> {
  const [entities, actions] = await Promise.all([
    db.selectFrom('audit_log').select('entity').distinct().orderBy('entity').execute(),
    db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute(),
  ]);
  return { entities: entities.map((e) => e.entity), actions: actions.map((a) => a.action) };
}

export async function listOutbox(db: AdminDb, page: number, perPage = 50): Promise<{ items: MailRow[]; total: number }> {
  const total = Number((await db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = await db.selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage).execute();
  return { items, total };
}

export async function findMail(db: AdminDb, id: number): Promise<MailRow | undefined> {
  return db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listJobs(db: AdminDb, limit = 100): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(limit).execute();
}

/** Choices of a manager: the active staff, by name. */
export function listActiveUsers(db: AdminDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
}

/** Choices of the audit log's "who" filter: every staff member, past ones included. */
export function listUserNames(db: AdminDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).orderBy('name').execute();
}
