// Who may do what with leave: pure rules the services enforce and the views use to show or hide.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';

export const mayManageLeave = (actor: Actor) => can(actor, 'leave:hr');
export function assertHr(actor: Actor): void {
  if (!mayManageLeave(actor)) throw forbidden('leave.not_allowed');
}

/** A request is seen by its owner, HR and the owner's manager (the approvers see it in the engine). */
export function maySeeRequest(actor: Actor, row: { user_id: number; manager_id: number | null }): boolean {
  return actor.id !== null && (actor.id === row.user_id || actor.id === row.manager_id || mayManageLeave(actor));
}

/**
 * The kind of someone else's absence is personal data (a sick leave is health data): the team
 * calendar shows "absent" to colleagues, the kind only to the person and to HR.
 */
export function maySeeKind(actor: Actor, userId: number): boolean {
  return actor.id === userId || mayManageLeave(actor);
}
