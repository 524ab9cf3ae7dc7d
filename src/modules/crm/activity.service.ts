// What a member may see of the CCI's relationship with their company (extranet): the deals,
// visits and tasks staff shared with the company, under their member-facing wording. Never the
// internal title, notes (confidential or not), owner, probability, stage names or lost reasons;
// a deal's amount only when its own flag says so. This is the only CRM read the extranet makes.
import { sql } from 'kysely';
import type { CrmDb, StageKind } from './crm.table.js';


export interface MemberActivity {
  kind: 'deal' | 'visit' | 'task';
  id: number;
  /** 'YYYY-MM-DD': a deal's closing day (else the day it was opened), a visit's day, a task's due day */
  date: string;
  title: string;
  summary: string;
  /** deals: where it stands, in words for the member (not the pipeline's stage names) */
  status?: StageKind;
  /** deals whose amount is shared only */
  amountCents?: number;
  /** tasks */
  done?: boolean;
}

/** Newest first; on the same day, by kind then newest id: a total order, so pages never overlap. */
export function compareMemberActivity(a: { date: string; kind: string; id: number }, b: { date: string; kind: string; id: number }): number {
  if (a.date !== b.date) return a.date < b.date ? 1 : -1;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return b.id - a.id;
}

/**
 * The first `limit` shared items of a company (newest first) and how many there are in all. Each
 * kind is read in the same order with the same limit, so merging them gives the exact first
 * `limit`: a page of a longer list merged with other sources is the slice of the first
 * page × size items.
 */
export async function listMemberVisibleActivity(db: CrmDb, companyId: number, opts: { limit?: number } = {}): Promise<{ items: MemberActivity[]; total: number }> {
  const limit = Math.max(1, Math.min(opts.limit ?? 50, 10_000));
  // A deal's day: closed_on is a day; created_at a moment (timestamptz on PostgreSQL), cast to text.
  const dealDay = sql<string>`coalesce(dl.closed_on, substr(cast(dl.created_at as text), 1, 10))`;
  const [deals, visits, tasks, counts] = await Promise.all([
    db
      .selectFrom('crm_deals as dl')
      .innerJoin('crm_stages as s', 's.id', 'dl.stage_id')
      .select(['dl.id', dealDay.as('day'), 'dl.member_title', 'dl.member_summary', 'dl.amount_cents', 'dl.amount_shared_with_company', 's.kind'])
      .where('dl.company_id', '=', companyId)
      .where('dl.shared_with_company', '=', 1)
      .orderBy(dealDay, 'desc')
      .orderBy('dl.id', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('crm_visits')
      .select(['id', 'visit_date', 'member_title', 'member_summary'])
      .where('company_id', '=', companyId)
      .where('shared_with_company', '=', 1)
      .orderBy('visit_date', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('crm_tasks')
      .select(['id', 'due_date', 'member_title', 'member_summary', 'done_at'])
      .where('company_id', '=', companyId)
      .where('shared_with_company', '=', 1)
      .orderBy('due_date', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    Promise.all(
      (['crm_deals', 'crm_visits', 'crm_tasks'] as const).map((table) =>
        db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('company_id', '=', companyId)
          .where('shared_with_company', '=', 1)
          .executeTakeFirstOrThrow(),
      ),
    ),
  ]);
  const items: MemberActivity[] = [
    ...deals.map((x): MemberActivity => ({
      kind: 'deal',
      id: x.id,
      date: x.day,
      title: x.member_title,
      summary: x.member_summary,
      status: x.kind,
      ...(x.amount_shared_with_company === 1 ? { amountCents: Number(x.amount_cents) } : {}),
    })),
    ...visits.map((v): MemberActivity => ({ kind: 'visit', id: v.id, date: v.visit_date, title: v.member_title, summary: v.member_summary })),
    ...tasks.map((t): MemberActivity => ({ kind: 'task', id: t.id, date: t.due_date, title: t.member_title, summary: t.member_summary, done: t.done_at !== null })),
  ];
  items.sort(compareMemberActivity);
  return { items: items.slice(0, limit), total: counts.reduce((n, c) => n + Number(c.n), 0) };
}
