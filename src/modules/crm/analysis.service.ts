// Narrow rows of visits and deals for other modules' analyses (the map's CRM layers, the reports
// module's subjects). Anyone who may use the CRM reads every visit and deal (crm:use, README
// "Permissions"); confidential notes are never part of these rows.
import { forbidden } from '../../platform/errors.js';
import type { Actor } from '../../platform/audit/audit.js';
import type { CrmDb } from './crm.table.js';
import { mayUseCrm } from './policy.js';

export interface AnalysisFilter {
  /** YYYY-MM-DD, inclusive */
  from?: string;
  to?: string;
  ownerId?: number;
}

export interface VisitFact {
  id: number;
  companyId: number;
  ownerId: number;
  ownerName: string;
  date: string;
}

export interface DealFact {
  id: number;
  companyId: number;
  ownerId: number;
  ownerName: string;
  title: string;
  stage: string;
  stageKind: 'open' | 'won' | 'lost';
  amountCents: number;
  expectedClose: string | null;
  closedOn: string | null;
  createdAt: string;
}

const LIMIT = 50_000;

/** Visits of a period (by visit date), at most 50,000. */
export async function visitFacts(db: CrmDb, actor: Actor, f: AnalysisFilter): Promise<VisitFact[]> {
  if (!mayUseCrm(actor)) throw forbidden();
  let q = db.selectFrom('crm_visits as v').innerJoin('users as u', 'u.id', 'v.owner_id').select(['v.id', 'v.company_id as companyId', 'v.owner_id as ownerId', 'u.name as ownerName', 'v.visit_date as date']);
  if (f.from) q = q.where('v.visit_date', '>=', f.from);
  if (f.to) q = q.where('v.visit_date', '<=', f.to);
  if (f.ownerId) q = q.where('v.owner_id', '=', f.ownerId);
  return (await q.orderBy('v.visit_date').orderBy('v.id').limit(LIMIT).execute()).map((r) => ({ ...r, date: String(r.date).slice(0, 10) }));
}

/** Deals (open ones only when asked), created in the period when one is given, at most 50,000. */
export async function dealFacts(db: CrmDb, actor: Actor, f: AnalysisFilter & { openOnly?: boolean }): Promise<DealFact[]> {
  if (!mayUseCrm(actor)) throw forbidden();
  let q = db
    .selectFrom('crm_deals as d')
    .innerJoin('users as u', 'u.id', 'd.owner_id')
    .innerJoin('crm_stages as s', 's.id', 'd.stage_id')
    .select(['d.id', 'd.company_id as companyId', 'd.owner_id as ownerId', 'u.name as ownerName', 'd.title', 's.label as stage', 's.kind as stageKind', 'd.amount_cents as amountCents', 'd.expected_close_date as expectedClose', 'd.closed_on as closedOn', 'd.created_at as createdAt']);
  if (f.openOnly) q = q.where('s.kind', '=', 'open');
  if (f.from) q = q.where('d.created_at', '>=', f.from);
  if (f.to) q = q.where('d.created_at', '<', `${f.to}T23:59:59.999Z`);
  if (f.ownerId) q = q.where('d.owner_id', '=', f.ownerId);
  return (await q.orderBy('d.id').limit(LIMIT).execute()).map((r) => ({ ...r, amountCents: Number(r.amountCents), createdAt: String(r.createdAt), closedOn: r.closedOn ? String(r.closedOn).slice(0, 10) : null, expectedClose: r.expectedClose ? String(r.expectedClose).slice(0, 10) : null }));
}
