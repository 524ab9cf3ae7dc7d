// Who may do what with the accounts: pure rules the services enforce and the views use.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';

export const mayReadAccounting = (actor: Actor) => can(actor, 'accounting:read');
export const mayManageAccounting = (actor: Actor) => can(actor, 'accounting:manage');

export function assertCanRead(actor: Actor): void {
  if (!mayReadAccounting(actor)) throw forbidden('accounting.not_allowed');
}
export function assertCanManage(actor: Actor): void {
  if (!mayManageAccounting(actor)) throw forbidden('accounting.not_allowed');
}

/**
 * Paying a batch is accounting's job (the command line and jobs run as the system actor). And in a
 * CCI the one who orders spending is not the one who pays it (DOMAIN.md): the actor must not be the
 * `ordered_by` of any order of the batch.
 */
export function mayPay(actor: Actor): boolean {
  return actor.kind === 'system' || mayManageAccounting(actor);
}
export function orderedByActor(actor: Actor, orders: readonly { ordered_by: number }[]): boolean {
  return actor.id !== null && orders.some((o) => o.ordered_by === actor.id);
}
