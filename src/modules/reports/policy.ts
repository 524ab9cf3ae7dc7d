// Who may do what with reports: pure rules the service enforces and the views share.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden, notFound } from '../../platform/errors.js';
import type { ReportRow } from './reports.table.js';
import { SUBJECT_OF, type SubjectKey } from './subjects.js';

export const mayUseReports = (actor: Actor) => can(actor, 'reports:use');
/** A subject is offered to whoever may see it in its own module. */
export const maySeeSubject = (actor: Actor, subject: SubjectKey) => can(actor, SUBJECT_OF[subject].permission);
/** A report opens for its owner and for holders of the role it is shared with. */
export const mayOpenReport = (actor: Actor, r: Pick<ReportRow, 'owner_id' | 'shared_role'>) => actor.id !== null && (r.owner_id === actor.id || (r.shared_role !== null && actor.roles.includes(r.shared_role)));
/** Only its owner changes, shares, schedules or deletes a report. */
export const mayManageReport = (actor: Actor, r: Pick<ReportRow, 'owner_id'>) => actor.id !== null && r.owner_id === actor.id;

export function assertCanOpen(actor: Actor, r: Pick<ReportRow, 'owner_id' | 'shared_role'>): void {
  // invisible reports do not exist for the actor
  if (!mayOpenReport(actor, r)) throw notFound('reports.not_found');
}
export function assertCanManage(actor: Actor, r: Pick<ReportRow, 'owner_id'>): void {
  if (!mayManageReport(actor, r)) throw forbidden('reports.not_owner');
}
export function assertCanSeeSubject(actor: Actor, subject: SubjectKey): void {
  if (!maySeeSubject(actor, subject)) throw forbidden('reports.subject_forbidden');
}
