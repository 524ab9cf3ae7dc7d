// The approval request behind a claim or a spending request, as the actor may see it.
import type { Actor } from '../../platform/audit/audit.js';
import { isAppError } from '../../platform/errors.js';
import * as approvals from '../approvals/index.js';
import type { ExpensesDb } from './expenses.table.js';

/**
 * The request with its route, or null when there is none or the actor is not on it. The engine
 * shows the module's requests to their requester and approvers only (index.ts registers
 * `keepRequestsToTheirRoute('expenses')`): approvals:admin (HR) has no business reading expense
 * claims or purchases.
 */
export async function approvalOnRoute(db: ExpensesDb, actor: Actor, approvalId: number | null): Promise<approvals.RequestView | null> {
  if (!approvalId) return null;
  try {
    return await approvals.getRequest(db, actor, approvalId);
  } catch (e) {
    if (isAppError(e) && e.kind === 'not_found') return null;
    throw e;
  }
}
