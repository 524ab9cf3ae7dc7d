// Who may read what in the statistics: pure rules the services enforce and the views use.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';

/** The dashboard, the reports and the subscription (direction, managers, webmaster). */
export const mayReadStats = (actor: Actor) => can(actor, 'stats:read');
/** Figures broken down by adviser and team (direction); managers see the totals. */
export const mayReadBreakdowns = (actor: Actor) => can(actor, 'stats:all');

export function assertCanRead(actor: Actor): void {
  if (!mayReadStats(actor)) throw forbidden('stats.not_allowed');
}
