// What a member may see of the CCI's relationship with their company (extranet): deals and the
// visits an adviser flagged as shareable. Never notes, confidential or not, nor owners or amounts
// of visits; this is the only CRM read the extranet makes.
import type { AnyDb } from '../../platform/db/index.js';
import type { CrmDb } from './crm.tables.js';

const d = (db: AnyDb) => db as CrmDb;

export interface MemberActivity {
  kind: 'deal' | 'visit';
  id: number;
  /** 'YYYY-MM-DD' */
  date: string;
  title: string;
  stage?: string;
  amountCents?: number;
  documents?: { name: string; href: string }[];
}

export async function listMemberVisibleActivity(db: AnyDb, companyId: number): Promise<MemberActivity[]> {
  const [deals, visits, topics] = await Promise.all([
    d(db)
      .selectFrom('crm_deals as dl')
      .innerJoin('crm_stages as s', 's.id', 'dl.stage_id')
      .leftJoin('crm_services as sv', 'sv.id', 'dl.service_id')
      .select(['dl.id', 'dl.title', 'dl.created_at', 'dl.closed_on', 'dl.amount_cents', 's.label as stage', 'sv.name as service'])
      .where('dl.company_id', '=', companyId)
      .execute(),
    d(db).selectFrom('crm_visits').select(['id', 'visit_date', 'topics']).where('company_id', '=', companyId).where('shareable', '=', 1).execute(),
    d(db).selectFrom('crm_topics').select(['code', 'label']).execute(),
  ]);
  const label = new Map(topics.map((t) => [t.code, t.label]));
  const out: MemberActivity[] = [
    ...deals.map((x) => ({ kind: 'deal' as const, id: x.id, date: x.closed_on ?? x.created_at.slice(0, 10), title: x.service ?? x.title, stage: x.stage, amountCents: Number(x.amount_cents) })),
    ...visits.map((v) => ({ kind: 'visit' as const, id: v.id, date: v.visit_date, title: (JSON.parse(v.topics) as string[]).map((c) => label.get(c) ?? c).join(', ') })),
  ];
  return out.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.id - a.id));
}
