// Narrow rows of members' requests for the reports module: who answers members' requests
// (extranet:requests) sees every request in the back office, so the same people see them here.
// Never the messages, the subject line or the member's name.
import { can } from '../../platform/access/index.js';
import type { Actor } from '../../platform/audit/audit.js';
import { forbidden } from '../../platform/errors.js';
import type { ExtranetDb } from './extranet.table.js';

export interface RequestFact {
  id: number;
  companyId: number;
  category: string;
  status: 'new' | 'in_progress' | 'waiting_member' | 'closed';
  assignee: string | null;
  createdAt: string;
  /** hours from creation to the first staff answer, when answered */
  firstResponseHours: number | null;
}

/** Requests created in a period (YYYY-MM-DD, inclusive), at most 50,000. */
export async function requestFacts(db: ExtranetDb, actor: Actor, f: { from?: string; to?: string }): Promise<RequestFact[]> {
  if (!can(actor, 'extranet:requests')) throw forbidden();
  let q = db
    .selectFrom('member_requests as r')
    .leftJoin('users as u', 'u.id', 'r.assignee_id')
    .select(['r.id', 'r.company_id as companyId', 'r.category', 'r.status', 'u.name as assignee', 'r.created_at as createdAt', 'r.first_response_at as firstResponseAt']);
  if (f.from) q = q.where('r.created_at', '>=', f.from);
  if (f.to) q = q.where('r.created_at', '<', `${f.to}T23:59:59.999Z`);
  const rows = await q.orderBy('r.id').limit(50_000).execute();
  return rows.map((r) => {
    const created = String(r.createdAt);
    const first = r.firstResponseAt ? Date.parse(String(r.firstResponseAt)) - Date.parse(created) : null;
    return { id: r.id, companyId: r.companyId, category: r.category, status: r.status, assignee: r.assignee ?? null, createdAt: created, firstResponseHours: first === null ? null : Math.round(first / 36e5 * 10) / 10 };
  });
}
