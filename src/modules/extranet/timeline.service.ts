// "Suivi des affaires": what the CCI does with and for the member's company, in one timeline —
// deals and shareable visits (from the CRM's member-safe export), the company's requests and
// correction requests. Always for the scope's company only; never notes or staff-only fields.
import type { Kysely } from 'kysely';
import type { AnyDb } from '../../platform/db/index.js';
import { listMemberVisibleActivity } from '../crm/index.js';
import type { ExtranetTables, RequestStatus } from './extranet.table.js';

const x = (db: AnyDb) => db as Kysely<ExtranetTables>;

export type TimelineItem =
  | { kind: 'deal'; id: number; date: string; title: string; stage?: string; amountCents?: number; documents?: { name: string; href: string }[] }
  | { kind: 'visit'; id: number; date: string; title: string }
  | { kind: 'request'; id: number; date: string; title: string; status: RequestStatus }
  | { kind: 'correction'; id: number; date: string; status: string };

export async function companyTimeline(db: AnyDb, companyId: number, limit?: number): Promise<TimelineItem[]> {
  const [activity, requests, corrections] = await Promise.all([
    listMemberVisibleActivity(db, companyId),
    x(db).selectFrom('member_requests').select(['id', 'subject', 'status', 'created_at']).where('company_id', '=', companyId).orderBy('created_at', 'desc').limit(limit ?? 500).execute(),
    x(db).selectFrom('member_change_requests').select(['id', 'status', 'created_at', 'decided_at']).where('company_id', '=', companyId).orderBy('created_at', 'desc').limit(limit ?? 200).execute(),
  ]);
  const items: TimelineItem[] = [
    ...activity.map((a): TimelineItem => (a.kind === 'deal' ? { kind: 'deal', id: a.id, date: a.date, title: a.title, stage: a.stage, amountCents: a.amountCents, documents: a.documents } : { kind: 'visit', id: a.id, date: a.date, title: a.title })),
    ...requests.map((r): TimelineItem => ({ kind: 'request', id: r.id, date: r.created_at, title: r.subject, status: r.status })),
    ...corrections.map((c): TimelineItem => ({ kind: 'correction', id: c.id, date: c.decided_at ?? c.created_at, status: c.status })),
  ];
  // Dates are 'YYYY-MM-DD' (CRM) or ISO timestamps: both sort as strings on their first 10 chars.
  items.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
  return limit ? items.slice(0, limit) : items;
}
