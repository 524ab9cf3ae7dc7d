// Who may do what in the training centre: pure rules the services enforce and the views use.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';

/** Catalogue, sessions, rooms, trainers, enrolments, attendance, invoices, trainers' hours. */
export const mayManageTraining = (actor: Actor) => can(actor, 'training:manage');
/** Fill rates, revenue, margins, hours, BPF. */
export const mayReadTrainingReports = (actor: Actor) => can(actor, 'training:reports');

export function assertManage(actor: Actor): void {
  if (!mayManageTraining(actor)) throw forbidden('training.not_allowed');
}
export function assertReports(actor: Actor): void {
  if (!mayReadTrainingReports(actor)) throw forbidden('training.not_allowed');
}

/**
 * The company a member acts for: the one the extranet's resolver verified on this request
 * (actor.memberOf.current). Every member-side read and write filters on it.
 */
export function memberCompanyOf(actor: Actor): number {
  const id = actor.memberOf?.current;
  if (actor.kind !== 'member' || id === undefined || !actor.permissions.has('member:use')) throw forbidden('training.no_company');
  return id;
}

/** An enrolment is seen by the training staff, and by members of the company it belongs to. */
export function maySeeEnrolment(actor: Actor, row: { company_id: number | null }): boolean {
  if (actor.kind === 'member') return row.company_id !== null && row.company_id === actor.memberOf?.current && actor.permissions.has('member:use');
  return mayManageTraining(actor);
}
