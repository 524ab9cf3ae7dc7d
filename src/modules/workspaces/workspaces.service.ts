// Workspaces: only members see a workspace and everything in it; leads manage the members.
// Queries and rules together (a small module). Every write is audited.
import { sql } from 'kysely';
import { can } from '../../platform/access/index.js';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.js';
import { storeDocument } from '../content/index.js';
import { KINDS, type WorkspaceKind, type WorkspacesDb } from './workspaces.table.js';

export type Workspace = { id: number; name: string; kind: WorkspaceKind; description: string; archived: number; version: number; created_at: string };

async function nameOf(db: WorkspacesDb, actor: Actor): Promise<string> {
  if (!actor.id) return actor.label;
  return (await db.selectFrom('users').select('name').where('id', '=', actor.id).executeTakeFirst())?.name ?? actor.label;
}

/** Active staff, for the choice of a new member or a task's owner. */
export async function activeUsers(db: WorkspacesDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
}

export async function membership(db: WorkspacesDb, workspaceId: number, userId: number | null): Promise<'lead' | 'member' | undefined> {
  if (!userId) return undefined;
  return (await db.selectFrom('workspace_members').select('role').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst())?.role;
}

/** The workspace, if the actor is one of its members (others get a 404: existence is not told). */
export async function openWorkspace(db: WorkspacesDb, actor: Actor, id: number): Promise<{ ws: Workspace; role: 'lead' | 'member' }> {
  const ws = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
  const role = actor.kind === 'staff' ? await membership(db, id, actor.id) : undefined;
  if (!ws || !role) throw notFound('workspaces.not_found');
  return { ws, role };
}

export async function myWorkspaces(db: WorkspacesDb, actor: Actor) {
  if (!actor.id) return [];
  return db
    .selectFrom('workspaces as w')
    .innerJoin('workspace_members as m', 'm.workspace_id', 'w.id')
    .where('m.user_id', '=', actor.id)
    .select(['w.id', 'w.name', 'w.kind', 'w.description', 'w.archived', 'm.role'])
    .select((eb) => eb.selectFrom('workspace_tasks as t').whereRef('t.workspace_id', '=', 'w.id').where('t.status', '=', 'open').select((e) => e.fn.countAll().as('n')).as('open_tasks'))
    .orderBy('w.archived')
    .orderBy('w.name')
    .execute();
}

export async function createWorkspace(db: WorkspacesDb, actor: Actor, input: { name: string; kind: string; description: string }): Promise<Workspace> {
  if (!can(actor, 'workspace:create')) throw forbidden();
  const fields: Record<string, string> = {};
  const name = input.name.trim();
  if (!name) fields.name = 'field.required';
  else if (name.length > 120) fields.name = 'workspaces.too_long';
  if (!(KINDS as readonly string[]).includes(input.kind)) fields.kind = 'field.required';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const now = nowIso();
  const ws = await db
    .insertInto('workspaces')
    .values({ name, kind: input.kind as Workspace['kind'], description: input.description.trim().slice(0, 2000), archived: 0, created_by: actor.id, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  // The creator leads the workspace.
  if (actor.id) await db.insertInto('workspace_members').values({ workspace_id: ws.id, user_id: actor.id, role: 'lead', added_at: now }).execute();
  await record(db, actor, { entity: 'workspace', entityId: ws.id, action: 'create', after: { name, kind: input.kind } });
  return ws;
}

export async function setMember(db: WorkspacesDb, actor: Actor, workspaceId: number, userId: number, role: 'lead' | 'member' | 'none'): Promise<void> {
  const { role: mine } = await openWorkspace(db, actor, workspaceId);
  if (mine !== 'lead') throw forbidden('workspaces.lead_only');
  if (!(await db.selectFrom('users').select('id').where('id', '=', userId).where('status', '=', 'active').executeTakeFirst())) throw invalid('common.invalid', { user_id: 'field.invalid' });
  const before = await membership(db, workspaceId, userId);
  if (role !== 'lead' && before === 'lead') {
    const leads = await db.selectFrom('workspace_members').select('user_id').where('workspace_id', '=', workspaceId).where('role', '=', 'lead').execute();
    if (leads.length === 1) throw conflict('workspaces.last_lead');
  }
  await db.deleteFrom('workspace_members').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).execute();
  if (role !== 'none') await db.insertInto('workspace_members').values({ workspace_id: workspaceId, user_id: userId, role, added_at: nowIso() }).execute();
  await record(db, actor, { entity: 'workspace', entityId: workspaceId, action: 'members', changes: { user_id: userId, role: [before ?? 'none', role] } });
}

export async function members(db: WorkspacesDb, workspaceId: number) {
  return db.selectFrom('workspace_members as m').innerJoin('users as u', 'u.id', 'm.user_id').where('m.workspace_id', '=', workspaceId).select(['u.id', 'u.name', 'u.email', 'm.role']).orderBy('m.role').orderBy('u.name').execute();
}

export async function postMessage(db: WorkspacesDb, actor: Actor, workspaceId: number, body: string): Promise<void> {
  await openWorkspace(db, actor, workspaceId);
  const text = body.trim();
  if (!text) throw invalid('common.invalid', { body: 'field.required' });
  if (text.length > 5000) throw invalid('common.invalid', { body: 'workspaces.too_long' });
  const row = await db.insertInto('workspace_messages').values({ workspace_id: workspaceId, author_id: actor.id, author_name: await nameOf(db, actor), body: text, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'workspace_message', entityId: row.id, action: 'create', after: { workspace_id: workspaceId, length: text.length } });
}

export async function messages(db: WorkspacesDb, workspaceId: number, limit = 100) {
  return (await db.selectFrom('workspace_messages').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).reverse();
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function recordDecision(db: WorkspacesDb, actor: Actor, workspaceId: number, input: { decided_on: string; title: string; detail: string; decided_by: string }): Promise<void> {
  await openWorkspace(db, actor, workspaceId);
  const fields: Record<string, string> = {};
  if (!DATE.test(input.decided_on) || Number.isNaN(Date.parse(input.decided_on))) fields.decided_on = 'field.date';
  const title = input.title.trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 300) fields.title = 'workspaces.too_long';
  const who = input.decided_by.trim();
  if (!who) fields.decided_by = 'field.required';
  else if (who.length > 200) fields.decided_by = 'workspaces.too_long';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const row = await db
    .insertInto('workspace_decisions')
    .values({ workspace_id: workspaceId, decided_on: input.decided_on, title, detail: input.detail.trim().slice(0, 5000), decided_by: who, recorded_by: actor.id, recorded_by_name: await nameOf(db, actor), created_at: nowIso() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'workspace_decision', entityId: row.id, action: 'create', after: { workspace_id: workspaceId, decided_on: input.decided_on, title, decided_by: who } });
}

export async function decisions(db: WorkspacesDb, workspaceId: number) {
  return db.selectFrom('workspace_decisions').selectAll().where('workspace_id', '=', workspaceId).orderBy('decided_on', 'desc').orderBy('id', 'desc').execute();
}

export async function addTask(db: WorkspacesDb, actor: Actor, workspaceId: number, input: { title: string; owner_id?: number; due_on?: string }): Promise<void> {
  await openWorkspace(db, actor, workspaceId);
  const fields: Record<string, string> = {};
  const title = input.title.trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 300) fields.title = 'workspaces.too_long';
  if (input.owner_id && !(await membership(db, workspaceId, input.owner_id))) fields.owner_id = 'workspaces.owner_not_member';
  if (input.due_on && (!DATE.test(input.due_on) || Number.isNaN(Date.parse(input.due_on)))) fields.due_on = 'field.date';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const now = nowIso();
  const row = await db.insertInto('workspace_tasks').values({ workspace_id: workspaceId, title, owner_id: input.owner_id ?? null, due_on: input.due_on || null, status: 'open', created_by: actor.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'workspace_task', entityId: row.id, action: 'create', after: { workspace_id: workspaceId, title, owner_id: input.owner_id ?? null, due_on: input.due_on || null } });
}

export async function setTaskStatus(db: WorkspacesDb, actor: Actor, workspaceId: number, taskId: number, version: number, status: 'open' | 'done'): Promise<void> {
  await openWorkspace(db, actor, workspaceId);
  const task = await db.selectFrom('workspace_tasks').selectAll().where('id', '=', taskId).where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!task) throw notFound('workspaces.task_not_found');
  await updateWithVersion(db, 'workspace_tasks', taskId, version, { status });
  await record(db, actor, { entity: 'workspace_task', entityId: taskId, action: 'status', changes: { status: [task.status, status] } });
}

export async function tasks(db: WorkspacesDb, workspaceId: number) {
  return db
    .selectFrom('workspace_tasks as t')
    .leftJoin('users as u', 'u.id', 't.owner_id')
    .where('t.workspace_id', '=', workspaceId)
    .selectAll('t')
    .select('u.name as owner_name')
    .orderBy('t.status', 'desc')
    .orderBy(sql`coalesce(t.due_on, '9999-12-31')`)
    .orderBy('t.id')
    .execute();
}

/** Open tasks owned by the actor, across their workspaces (the portal's "à traiter"). */
export async function myOpenTasks(db: WorkspacesDb, actor: Actor) {
  if (!actor.id) return [];
  return db
    .selectFrom('workspace_tasks as t')
    .innerJoin('workspaces as w', 'w.id', 't.workspace_id')
    .innerJoin('workspace_members as m', (j) => j.onRef('m.workspace_id', '=', 't.workspace_id').on('m.user_id', '=', actor.id!))
    .where('t.owner_id', '=', actor.id)
    .where('t.status', '=', 'open')
    .select(['t.id', 't.title', 't.due_on', 't.workspace_id', 'w.name as workspace_name'])
    .orderBy(sql`coalesce(t.due_on, '9999-12-31')`)
    .limit(20)
    .execute();
}

export async function addDocument(db: WorkspacesDb, dataDir: string, actor: Actor, workspaceId: number, input: { title: string; documentId?: number; note: string; bytes: Buffer; filename: string }): Promise<void> {
  await openWorkspace(db, actor, workspaceId);
  let documentId = input.documentId;
  if (documentId) {
    if (!(await db.selectFrom('workspace_documents').select('id').where('id', '=', documentId).where('workspace_id', '=', workspaceId).executeTakeFirst())) throw notFound('workspaces.document_not_found');
  } else {
    const title = input.title.trim();
    if (!title) throw invalid('common.invalid', { title: 'field.required' });
    if (title.length > 200) throw invalid('common.invalid', { title: 'workspaces.too_long' });
  }
  const stored = storeDocument(dataDir, input.bytes, input.filename);
  const now = nowIso();
  if (!documentId) {
    documentId = (await db.insertInto('workspace_documents').values({ workspace_id: workspaceId, title: input.title.trim(), created_by: actor.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  } else {
    await db.updateTable('workspace_documents').set({ updated_at: now, version: sql`version + 1` }).where('id', '=', documentId).execute();
  }
  const last = await db.selectFrom('workspace_document_versions').select((eb) => eb.fn.max('number').as('n')).where('document_id', '=', documentId).executeTakeFirst();
  const number = Number(last?.n ?? 0) + 1;
  await db
    .insertInto('workspace_document_versions')
    .values({ document_id: documentId, number, name: stored.name, mime: stored.mime, size: stored.size, storage_key: stored.storageKey, note: input.note.trim().slice(0, 300) || null, uploaded_by: actor.id, uploaded_by_name: await nameOf(db, actor), created_at: now })
    .execute();
  await record(db, actor, { entity: 'workspace_document', entityId: documentId, action: number === 1 ? 'create' : 'new_version', after: { workspace_id: workspaceId, name: stored.name, size: stored.size, number } });
}

export async function documents(db: WorkspacesDb, workspaceId: number) {
  const docs = await db.selectFrom('workspace_documents').selectAll().where('workspace_id', '=', workspaceId).orderBy('title').execute();
  const versions = docs.length ? await db.selectFrom('workspace_document_versions').selectAll().where('document_id', 'in', docs.map((x) => x.id)).orderBy('number', 'desc').execute() : [];
  return docs.map((doc) => ({ ...doc, versions: versions.filter((v) => v.document_id === doc.id) }));
}

/** A version's file, if the actor is a member of its workspace. */
export async function documentVersion(db: WorkspacesDb, actor: Actor, workspaceId: number, versionId: number) {
  await openWorkspace(db, actor, workspaceId);
  const v = await db
    .selectFrom('workspace_document_versions as v')
    .innerJoin('workspace_documents as doc', 'doc.id', 'v.document_id')
    .where('v.id', '=', versionId)
    .where('doc.workspace_id', '=', workspaceId)
    .selectAll('v')
    .executeTakeFirst();
  if (!v) throw notFound('workspaces.document_not_found');
  return v;
}

export async function setArchived(db: WorkspacesDb, actor: Actor, workspaceId: number, version: number, archived: boolean): Promise<void> {
  const { role } = await openWorkspace(db, actor, workspaceId);
  if (role !== 'lead') throw forbidden('workspaces.lead_only');
  await updateWithVersion(db, 'workspaces', workspaceId, version, { archived: archived ? 1 : 0 });
  await record(db, actor, { entity: 'workspace', entityId: workspaceId, action: archived ? 'archive' : 'reopen', changes: {} });
}
