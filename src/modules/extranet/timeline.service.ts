// "Suivi des affaires": what the CCI does with and for the member's company, in one timeline —
// the deals, visits and tasks staff shared with the company (from the CRM's member-safe export,
// in their member wording), the company's requests and correction requests. Always for the
// scope's company only; never notes or staff-only fields. Paged: a company's history grows.
import { compareMemberActivity, listMemberVisibleActivity } from '../crm/index.js';
import type { ExtranetDb, RequestStatus } from './extranet.table.js';


export const TIMELINE_PER_PAGE = 25;

export type TimelineItem =
  | { kind: 'deal'; id: number; date: string; title: string; summary: string; status?: 'open' | 'won' | 'lost'; amountCents?: number }
  | { kind: 'visit'; id: number; date: string; title: string; summary: string }
  | { kind: 'task'; id: number; date: string; title: string; summary: string; done: boolean }
  | { kind: 'request'; id: number; date: string; title: string; status: RequestStatus }
  | { kind: 'correction'; id: number; date: string; status: string }
  /** an entry another module contributed (training, messages…): its own label, title, link and status */
  | { kind: 'module'; source: string; id: number; date: string; label: string; title: string; href: string; status?: string };

/** Another module's entries for one company, already bound to its context and the reader's language. */
export interface ExtraTimelineSource {
  count(companyId: number): Promise<number>;
  list(companyId: number, limit: number): Promise<{ kind: string; id: number; date: string; label: string; title: string; href: string; status?: string }[]>;
}

export interface TimelinePage {
  items: TimelineItem[];
  total: number;
  /** the page served: the one asked for, or the last one when asked past the end */
  page: number;
  perPage: number;
}

/**
 * One page of the company's timeline, newest first. Each source is read in the timeline's own
 * order up to the end of the page asked for, so merging them gives that page exactly; a page past
 * the end gives the last page (the counts are read first).
 */
export async function companyTimeline(db: ExtranetDb, companyId: number, opts: { page?: number; perPage?: number } = {}, extra: ExtraTimelineSource[] = []): Promise<TimelinePage> {
  const perPage = Math.max(1, Math.min(opts.perPage ?? TIMELINE_PER_PAGE, 100));
  const [requestCount, correctionCount] = await Promise.all([
    db.selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow(),
    db.selectFrom('member_change_requests').select((eb) => eb.fn.countAll().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow(),
  ]);
  // The CRM's count comes with its items; read a first page to know it (cheap: one small page).
  const first = await listMemberVisibleActivity(db, companyId, { limit: perPage });
  const extraCounts = await Promise.all(extra.map((x) => x.count(companyId)));
  const total = first.total + Number(requestCount.n) + Number(correctionCount.n) + extraCounts.reduce((a, b) => a + b, 0);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1)), pages);
  const upTo = page * perPage;
  const [activity, requests, corrections, ...others] = await Promise.all([
    page === 1 ? first : listMemberVisibleActivity(db, companyId, { limit: upTo }),
    db.selectFrom('member_requests').select(['id', 'subject', 'status', 'created_at']).where('company_id', '=', companyId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(upTo).execute(),
    db
      .selectFrom('member_change_requests')
      .select(['id', 'status', (eb) => eb.fn.coalesce('decided_at', 'created_at').as('at')])
      .where('company_id', '=', companyId)
      .orderBy((eb) => eb.fn.coalesce('decided_at', 'created_at'), 'desc')
      .orderBy('id', 'desc')
      .limit(upTo)
      .execute(),
    ...extra.map((x, i) => (extraCounts[i] ? x.list(companyId, upTo) : Promise.resolve([]))),
  ]);
  const items: TimelineItem[] = [
    ...activity.items.map((a): TimelineItem =>
      a.kind === 'deal'
        ? { kind: 'deal', id: a.id, date: a.date, title: a.title, summary: a.summary, status: a.status, ...(a.amountCents !== undefined ? { amountCents: a.amountCents } : {}) }
        : a.kind === 'task'
          ? { kind: 'task', id: a.id, date: a.date, title: a.title, summary: a.summary, done: a.done ?? false }
          : { kind: 'visit', id: a.id, date: a.date, title: a.title, summary: a.summary },
    ),
    ...requests.map((r): TimelineItem => ({ kind: 'request', id: r.id, date: r.created_at, title: r.subject, status: r.status })),
    ...corrections.map((c): TimelineItem => ({ kind: 'correction', id: c.id, date: String(c.at), status: c.status })),
    // A module's kind orders its entries among equal dates (the order its own list uses).
    ...others.flat().map(({ kind, ...e }): TimelineItem => ({ ...e, kind: 'module', source: kind })),
  ];
  // Days ('YYYY-MM-DD', CRM) and moments (ISO timestamps) sort as text, newest first; the same
  // total order as each source's query, so consecutive pages neither overlap nor skip.
  items.sort((a, b) => compareMemberActivity(sortKey(a), sortKey(b)));
  return { items: items.slice(upTo - perPage, upTo), total, page, perPage };
}

/** A module's entry sorts by its own kind name, so each source keeps its own order. */
function sortKey(i: TimelineItem): { date: string; kind: string; id: number } {
  return i.kind === 'module' ? { date: i.date, kind: i.source, id: i.id } : i;
}
