// Read queries of the admin screens (the writes are platform services: users, tokens, settings).
import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/index.js';
import type { AuditRow, JobRow, MailRow, PlatformTables } from '../../platform/db/tables.js';

const d = (db: AnyDb) => db as Kysely<PlatformTables>;

export interface AuditFilter {
  actor?: number;
  entity?: string;
  entityId?: string;
  action?: string;
  /** YYYY-MM-DD, inclusive, Paris days approximated as UTC days */
  from?: string;
  to?: string;
}

export async function listAudit(db: AnyDb, f: AuditFilter, page: number, perPage = 50): Promise<{ items: AuditRow[]; total: number }> {
  let q = d(db).selectFrom('audit_log');
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

export async function auditFacets(db: AnyDb): Promise<{ entities: string[]; actions: string[] }> {
  const [entities, actions] = await Promise.all([
    d(db).selectFrom('audit_log').select('entity').distinct().orderBy('entity').execute(),
    d(db).selectFrom('audit_log').select('action').distinct().orderBy('action').execute(),
  ]);
  return { entities: entities.map((e) => e.entity), actions: actions.map((a) => a.action) };
}

export async function listOutbox(db: AnyDb, page: number, perPage = 50): Promise<{ items: MailRow[]; total: number }> {
  const total = Number((await d(db).selectFrom('mail_outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = await d(db).selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage).execute();
  return { items, total };
}

export async function findMail(db: AnyDb, id: number): Promise<MailRow | undefined> {
  return d(db).selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listJobs(db: AnyDb, limit = 100): Promise<JobRow[]> {
  return d(db).selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(limit).execute();
}
