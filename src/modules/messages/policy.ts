// Who sees and acts on a conversation. Pure rules: the service loads the facts (participants,
// the reader's service) and asks here; views ask the same functions to show or hide actions.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import type { ThreadRow } from './messages.table.js';

/** What the service knows of the reader's ties to a conversation. */
export interface Ties {
  participant: boolean;
  /** the reader's directory service, if any */
  serviceId: number | null;
}

/**
 * A member sees the conversations of the company they act for (every member of the company, as
 * with requests); a staff member sees an internal conversation if they take part in it or it is
 * assigned to them or their service; a company conversation also if they answer companies
 * (`messages:companies`) — unless it is confidential, which stays with its participants and
 * assignees.
 */
export function maySee(actor: Actor, thread: Pick<ThreadRow, 'kind' | 'company_id' | 'confidential' | 'assignee_user_id' | 'assignee_service_id'>, ties: Ties): boolean {
  if (actor.kind === 'member') return thread.kind === 'company' && thread.company_id !== null && thread.company_id === actor.memberOf?.current;
  if (actor.kind !== 'staff' || actor.id === null) return false;
  if (ties.participant || thread.assignee_user_id === actor.id) return true;
  if (thread.assignee_service_id !== null && thread.assignee_service_id === ties.serviceId) return true;
  return thread.kind === 'company' && !thread.confidential && can(actor, 'messages:companies');
}

/** Staff who see a conversation may assign it, add a colleague, close and reopen it. */
export function mayManage(actor: Actor, thread: Parameters<typeof maySee>[1], ties: Ties): boolean {
  return actor.kind === 'staff' && maySee(actor, thread, ties);
}

/** Starting a conversation with a company is for those who answer companies. */
export function mayWriteToCompanies(actor: Actor): boolean {
  return actor.kind === 'staff' && can(actor, 'messages:companies');
}
