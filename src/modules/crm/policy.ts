// Record rules of the CRM. Every adviser reads every visit and deal (a shared view of who does
// what with whom) but a visit report, a deal or a task is changed only by its owner, the owner's
// manager (users.manager_id, transitively) or direction (crm:all). Confidential notes are
// narrower: their author, plus whoever holds crm:confidential (admin only, by default) — not the
// author's managers, not direction (issue #19).
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { teamOf } from '../../platform/auth/users.js';
import { AppError } from '../../platform/errors.js';
import type { CrmDb, TaskRow } from './crm.table.js';

/** Reads the CRM at all (its pages, the company panel). */
export const mayUseCrm = (actor: Actor): boolean => can(actor, 'crm:use');

/** Records visits, deals, tasks and notes: the forms and quick actions shown to this actor. */
export const mayWriteCrm = (actor: Actor): boolean => can(actor, 'crm:write');

/** Lists "my team" (managers) besides "mine" and "all", and may assign portfolios in bulk. */
export const mayManageTeam = (actor: Actor): boolean => can(actor, 'crm:manage') || can(actor, 'crm:all');

/** The people whose records the actor may change besides their own (their reports). */
export async function managedBy(db: CrmDb, actor: Actor): Promise<Set<number>> {
  if (actor.id === null) return new Set();
  return new Set(await teamOf(db, actor.id));
}

/** Pure rule, given the actor's team (so lists compute the team once). */
export function mayEdit(actor: Actor, ownerId: number, team: ReadonlySet<number>): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'staff' || !can(actor, 'crm:use')) return false;
  return actor.id === ownerId || can(actor, 'crm:all') || team.has(ownerId);
}

/**
 * A row carrying confidential notes: a company note (`author_id`), a deal (who wrote its notes,
 * `confidential_author_id`, else its owner) or a visit (its owner wrote the whole report).
 */
export type ConfidentialRow = { author_id: number } | { confidential_author_id: number | null; owner_id: number } | { owner_id: number };

export function confidentialAuthor(row: ConfidentialRow): number {
  if ('author_id' in row) return row.author_id;
  if ('confidential_author_id' in row) return row.confidential_author_id ?? row.owner_id;
  return row.owner_id;
}

/**
 * Confidential notes: their author, and `crm:confidential` (the one way to read a colleague's).
 * Services blank the field with this rule and views hide it with the same one.
 */
export function maySeeConfidential(actor: Actor, row: ConfidentialRow): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'staff' || !can(actor, 'crm:use')) return false;
  return can(actor, 'crm:confidential') || (actor.id !== null && actor.id === confidentialAuthor(row));
}

export async function canEdit(db: CrmDb, actor: Actor, ownerId: number): Promise<boolean> {
  if (actor.id === ownerId || actor.kind === 'system' || can(actor, 'crm:all')) return mayEdit(actor, ownerId, new Set());
  return mayEdit(actor, ownerId, await managedBy(db, actor));
}

export async function assertCanEdit(db: CrmDb, actor: Actor, ownerId: number): Promise<void> {
  if (!(await canEdit(db, actor, ownerId))) throw new AppError('forbidden', 'crm.not_owner');
}

/** A task is also changed by whoever created it (a colleague asked to follow up). */
export async function canEditTask(db: CrmDb, actor: Actor, task: Pick<TaskRow, 'created_by' | 'owner_id'>): Promise<boolean> {
  return (task.created_by !== null && task.created_by === actor.id) || (await canEdit(db, actor, task.owner_id));
}

export async function assertCanEditTask(db: CrmDb, actor: Actor, task: Pick<TaskRow, 'created_by' | 'owner_id'>): Promise<void> {
  if (!(await canEditTask(db, actor, task))) throw new AppError('forbidden', 'crm.not_owner');
}
