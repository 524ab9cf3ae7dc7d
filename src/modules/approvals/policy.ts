// Pure rules of the approval engine. Who approves a request is decided by its steps, not by a
// permission; defining types (and reading every request, exporting) takes approvals:admin.
import type { Actor } from '../../platform/audit/audit.js';
import { can } from '../../platform/access/index.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { adminReadsRequestsOf } from './hooks.js';

export const mayAdministerTypes = (actor: Actor) => can(actor, 'approvals:admin');

export function assertCanAdministerTypes(actor: Actor): void {
  if (!mayAdministerTypes(actor)) throw forbidden('approvals.not_allowed');
}

/** Reading every request of a type (list, export): approvals:admin, and not a type kept to its route (hooks.ts). */
export function assertMayReadEveryRequestOf(actor: Actor, owner: string): void {
  assertCanAdministerTypes(actor);
  if (!adminReadsRequestsOf(owner)) throw notFound('approvals.not_found');
}

/** Deputies and absences: one's own, or anyone's with approvals:admin (HR). */
export function assertMayManageAbsenceOf(actor: Actor, userId: number): void {
  if (actor.kind === 'system') return;
  if (actor.id === userId || mayAdministerTypes(actor)) return;
  throw forbidden('approvals.not_allowed');
}
