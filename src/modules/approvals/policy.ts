// Pure rules of the approval engine. Who approves a request is decided by its steps, not by a
// permission; defining types (and reading every request, exporting) takes approvals:admin.
import type { Actor } from '../../platform/audit/audit.js';
import { can } from '../../platform/access/index.js';
import { forbidden } from '../../platform/errors.js';

export const mayAdministerTypes = (actor: Actor) => can(actor, 'approvals:admin');

export function assertCanAdministerTypes(actor: Actor): void {
  if (!mayAdministerTypes(actor)) throw forbidden('approvals.not_allowed');
}

/** Deputies and absences: one's own, or anyone's with approvals:admin (HR). */
export function assertMayManageAbsenceOf(actor: Actor, userId: number): void {
  if (actor.kind === 'system') return;
  if (actor.id === userId || mayAdministerTypes(actor)) return;
  throw forbidden('approvals.not_allowed');
}
