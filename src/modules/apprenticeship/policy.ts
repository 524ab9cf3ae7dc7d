// Who may do what in the apprenticeship-tax campaign: pure rules the services enforce and the
// views use to show or hide.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden, notFound } from '../../platform/errors.js';

/** Campaign settings: windows, segment, schools, goals, templates, school directors' access. */
export const mayManageCampaign = (actor: Actor) => can(actor, 'apprenticeship:manage');
/** The follow-up board, targets, exports and every school's results. */
export const mayFollowCampaign = (actor: Actor) => can(actor, 'apprenticeship:follow');

export function assertManage(actor: Actor): void {
  if (!mayManageCampaign(actor)) throw forbidden('apprenticeship.not_allowed');
}
export function assertFollow(actor: Actor): void {
  if (!mayFollowCampaign(actor)) throw forbidden('apprenticeship.not_allowed');
}

/**
 * A school's results: those who follow the campaign, and the directors granted that school —
 * a school not granted is "not found" to a director, like one that does not exist.
 */
export function maySeeSchool(actor: Actor, grantedSchoolIds: readonly number[], schoolId: number): boolean {
  return mayFollowCampaign(actor) || grantedSchoolIds.includes(schoolId);
}
export function assertSeeSchool(actor: Actor, grantedSchoolIds: readonly number[], schoolId: number): void {
  if (!maySeeSchool(actor, grantedSchoolIds, schoolId)) throw notFound('apprenticeship.school_not_found');
}

/** A member acts for the company the extranet's resolver verified for this request, only. */
export function memberCompany(actor: Actor): number {
  const id = actor.memberOf?.current;
  if (actor.kind !== 'member' || id === undefined || !actor.permissions.has('member:use')) throw forbidden('apprenticeship.no_company');
  return id;
}
