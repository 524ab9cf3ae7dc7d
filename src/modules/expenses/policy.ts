// Who may do what with expenses: pure rules used by the services and the views.
// Staff file their own claims and spending requests (expenses:use to read, expenses:write to
// file); accounting checks, pays and posts (expenses:check); budget lines and rates are
// configuration (expenses:admin). Approvers are decided by the engine's steps, not a permission.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';

export const mayCheck = (actor: Actor) => can(actor, 'expenses:check');
export const mayAdminister = (actor: Actor) => can(actor, 'expenses:admin');

export function assertCheck(actor: Actor): void {
  if (!mayCheck(actor)) throw forbidden('expenses.not_allowed');
}
export function assertAdmin(actor: Actor): void {
  if (!mayAdminister(actor)) throw forbidden('expenses.not_allowed');
}
export function assertWrite(actor: Actor): void {
  if (actor.id === null || actor.kind !== 'staff' || !can(actor, 'expenses:write')) throw forbidden('expenses.not_allowed');
}

/**
 * A claim or spending request is seen by its owner, the owner's manager, accounting (claims) and
 * whoever holds or held a seat on its approval (`approver`, checked by the caller with the engine).
 */
export function maySee(actor: Actor, row: { user_id: number; manager_id?: number | null }, opts: { approver: boolean; accounting: boolean }): boolean {
  if (actor.id === null) return false;
  return actor.id === row.user_id || (row.manager_id != null && actor.id === row.manager_id) || opts.approver || (opts.accounting && mayCheck(actor));
}
