// One timeline per company: visits, deals (and their stage changes), tasks, CRM notes and the
// registry's own change history, newest first, filterable by kind.
import type { Actor } from '../../platform/audit/audit.js';
import { listCompanyChanges } from '../registry/index.js';
import type { CrmDb } from './crm.table.js';
import { maySeeConfidential } from './policy.js';


export const TIMELINE_KINDS = ['visit', 'deal', 'task', 'note', 'registry'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEvent {
  kind: TimelineKind;
  /** 'YYYY-MM-DD' (visits, tasks) or an ISO timestamp; sorts as text */
  at: string;
  title: string;
  detail?: string;
  /** only when the actor may read it */
  confidential?: string;
  href?: string;
  who?: string;
  /** tasks: done or not */
  done?: boolean;
  stage?: string;
}

export function isTimelineKind(v: unknown): v is TimelineKind {
  return typeof v === 'string' && (TIMELINE_KINDS as readonly string[]).includes(v);
}

export async function companyTimeline(db: CrmDb, actor: Actor, companyId: number, opts: { kinds?: TimelineKind[]; limit?: number } = {}): Promise<TimelineEvent[]> {
  const limit = Math.min(opts.limit ?? 200, 500);
  const want = (k: TimelineKind) => !opts.kinds?.length || opts.kinds.includes(k);
  const none = Promise.resolve([] as never[]);

  const [visits, deals, history, tasks, notes, changes, stages, topics] = await Promise.all([
    want('visit')
      ? db
          .selectFrom('crm_visits as v')
          .innerJoin('users as u', 'u.id', 'v.owner_id')
          .select(['v.id', 'v.visit_date', 'v.owner_id', 'v.topics', 'v.notes', 'v.needs', 'v.confidential_notes', 'u.name'])
          .where('v.company_id', '=', companyId)
          .orderBy('v.visit_date', 'desc')
          .orderBy('v.id', 'desc')
          .limit(limit)
          .execute()
      : none,
    want('deal')
      ? db
          .selectFrom('crm_deals as dl')
          .innerJoin('users as u', 'u.id', 'dl.owner_id')
          .select(['dl.id', 'dl.title', 'dl.created_at', 'dl.amount_cents', 'dl.stage_id', 'dl.owner_id', 'u.name'])
          .where('dl.company_id', '=', companyId)
          .orderBy('dl.created_at', 'desc')
          .limit(limit)
          .execute()
      : none,
    want('deal')
      ? db
          .selectFrom('crm_deal_stage_history as h')
          .innerJoin('crm_deals as dl', 'dl.id', 'h.deal_id')
          .leftJoin('users as u', 'u.id', 'h.changed_by')
          .select(['h.id', 'h.deal_id', 'h.changed_at', 'h.to_stage_id', 'h.lost_reason', 'dl.title', 'u.name'])
          .where('dl.company_id', '=', companyId)
          .where('h.from_stage_id', 'is not', null)
          .orderBy('h.changed_at', 'desc')
          .limit(limit)
          .execute()
      : none,
    want('task')
      ? db
          .selectFrom('crm_tasks as t')
          .innerJoin('users as u', 'u.id', 't.owner_id')
          .select(['t.id', 't.title', 't.due_date', 't.done_at', 'u.name'])
          .where('t.company_id', '=', companyId)
          .orderBy('t.due_date', 'desc')
          .limit(limit)
          .execute()
      : none,
    want('note')
      ? db
          .selectFrom('crm_notes as n')
          .innerJoin('users as u', 'u.id', 'n.author_id')
          .select(['n.id', 'n.body', 'n.confidential', 'n.author_id', 'n.created_at', 'u.name'])
          .where('n.company_id', '=', companyId)
          .orderBy('n.created_at', 'desc')
          .limit(limit)
          .execute()
      : none,
    want('registry') ? listCompanyChanges(db, companyId, limit) : none,
    db.selectFrom('crm_stages').select(['id', 'label']).execute(),
    db.selectFrom('crm_topics').select(['code', 'label']).execute(),
  ]);
  const stageLabel = new Map(stages.map((s) => [s.id, s.label]));
  const topicLabel = new Map(topics.map((t) => [t.code, t.label]));
  const out: TimelineEvent[] = [];
  for (const v of visits) {
    const codes = JSON.parse(v.topics) as string[];
    out.push({
      kind: 'visit',
      at: v.visit_date,
      title: codes.map((c) => topicLabel.get(c) ?? c).join(', '),
      detail: [v.notes, v.needs].filter(Boolean).join('\n'),
      confidential: maySeeConfidential(actor, v) && v.confidential_notes ? v.confidential_notes : undefined,
      href: `/crm/visites/${v.id}`,
      who: v.name,
    });
  }
  for (const x of deals) out.push({ kind: 'deal', at: x.created_at, title: x.title, href: `/crm/affaires/${x.id}`, who: x.name, stage: stageLabel.get(x.stage_id), detail: String(x.amount_cents) });
  for (const h of history) out.push({ kind: 'deal', at: h.changed_at, title: h.title, href: `/crm/affaires/${h.deal_id}`, who: h.name ?? undefined, stage: stageLabel.get(h.to_stage_id), detail: h.lost_reason ?? undefined });
  for (const t of tasks) out.push({ kind: 'task', at: t.due_date, title: t.title, who: t.name, done: t.done_at !== null });
  for (const n of notes) {
    if (n.confidential && !maySeeConfidential(actor, n)) continue;
    out.push({ kind: 'note', at: n.created_at, title: '', detail: n.confidential ? undefined : n.body, confidential: n.confidential ? n.body : undefined, who: n.name });
  }
  for (const c of changes) {
    const fields = Object.keys(c.changes ?? {});
    // title 'entity:action' (e.g. 'establishment:close'), translated by the view.
    out.push({ kind: 'registry', at: c.at, title: `${c.entity}:${c.action}`, detail: fields.join(', '), who: c.actor_label });
  }
  // Newest first; a day ('YYYY-MM-DD') sorts after the moments of the same day that precede it.
  out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return out.slice(0, limit);
}
