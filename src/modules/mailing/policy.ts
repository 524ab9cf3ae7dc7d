// Who may do what in mailings (pure). Roles and grants: platform/access/permissions.ts.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';

/** lists, templates, campaign drafts, previews, test sends, letters */
export const mayWriteMailing = (actor: Actor) => can(actor, 'mailing:write');
/** starting, scheduling, pausing, resuming, cancelling a send; retrying failures */
export const maySendMailing = (actor: Actor) => can(actor, 'mailing:send');
/** tracking setting, suppression list */
export const mayAdminMailing = (actor: Actor) => can(actor, 'mailing:admin');

export function assertCanWrite(actor: Actor): void {
  if (!mayWriteMailing(actor)) throw forbidden('mailing.not_allowed');
}
export function assertCanSend(actor: Actor): void {
  if (!maySendMailing(actor)) throw forbidden('mailing.not_allowed');
}
export function assertCanAdmin(actor: Actor): void {
  if (!mayAdminMailing(actor)) throw forbidden('mailing.not_allowed');
}
