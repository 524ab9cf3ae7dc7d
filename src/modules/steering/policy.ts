// Who may do what in steering: pure rules the services enforce and the views use.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';

export const mayReadSteering = (actor: Actor) => can(actor, 'steering:read');
export const mayManageSteering = (actor: Actor) => can(actor, 'steering:manage');

export function assertCanManage(actor: Actor): void {
  if (!mayManageSteering(actor)) throw forbidden('steering.not_allowed');
}
