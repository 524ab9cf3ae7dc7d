// Signed action links from the notification e-mail: a platform one-time link bound to one seat
// (approver + step). Opening it shows what is asked; acting consumes it, as that approver, after
// checking again that the seat is open, the request still at that step, and the approver still
// active with portal access.
import { permissionsOf } from '../../platform/access/permissions.js';
import type { Actor } from '../../platform/audit/audit.js';
import { consumeLink, peekLink } from '../../platform/auth/links.js';
import { AppError } from '../../platform/errors.js';
import * as q from './approvals.queries.js';
import type { ApprovalAssignmentRow, ApprovalRequestRow, ApprovalsDb } from './approvals.table.js';
import { act, type Action } from './engine.service.js';
import { LINK_PURPOSE } from './notify.service.js';

export interface LiveAction {
  linkId: number;
  seat: ApprovalAssignmentRow;
  request: ApprovalRequestRow;
  requesterName: string;
  approver: Actor;
}

/** The link's seat and request if acting on it is still possible; undefined otherwise (the page says "no longer valid"). */
export async function peekAction(db: ApprovalsDb, token: string): Promise<LiveAction | undefined> {
  const link = await peekLink(db, LINK_PURPOSE, token);
  if (!link) return undefined;
  const seat = await q.findSeat(db, link.subjectId);
  if (!seat || seat.state !== 'open') return undefined;
  const request = await q.findRequest(db, seat.request_id);
  if (!request || request.round !== seat.round || request.phase !== seat.phase || request.step_index !== seat.step_index) return undefined;
  if (request.status !== 'pending' && request.status !== 'cancellation_pending') return undefined;
  const user = await q.findPerson(db, seat.approver_id);
  if (!user || user.status !== 'active' || user.email !== link.email) return undefined;
  const roles = await q.rolesOf(db, user.id);
  const permissions = permissionsOf(roles);
  if (!permissions.has('portal:use')) return undefined;
  const requester = await q.findPerson(db, request.requester_id);
  return { linkId: link.id, seat, request, requesterName: requester?.name ?? '', approver: { id: user.id, label: user.email, kind: 'staff', roles, permissions } };
}

/** Acts through the link (in the caller's transaction): consumed only if the decision is recorded. */
export async function actByLink(db: ApprovalsDb, token: string, decision: Action, comment: string, meta: { requestId?: string; ip?: string }): Promise<ApprovalRequestRow> {
  const live = await peekAction(db, token);
  if (!live) throw new AppError('conflict', 'approvals.link.invalid');
  const result = await act(db, { ...live.approver, requestId: meta.requestId, ip: meta.ip }, live.request.id, live.request.version, decision, comment);
  if (!(await consumeLink(db, live.linkId))) throw new AppError('conflict', 'approvals.link.invalid');
  return result;
}
