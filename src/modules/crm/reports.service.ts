// Management views: visits per adviser per month, companies visited vs portfolio size, pipeline
// by stage and by service, won/lost by month with reasons. Filters: period, team, territory
// (département), NAF section. Aggregated in code from narrow rows, so that the territory and
// NAF filters can go through the registry's public functions.
import { teamOf } from '../../platform/auth/users.js';
import { findCompany, type CompanySummary } from '../registry/index.js';
import type { CrmDb } from './crm.table.js';
import { monthsBetween } from './dates.js';
import { weightedCents } from './money.js';


/** NAF rev. 2 division (2 digits) → section letter. */
const SECTIONS: [number, number, string][] = [
  [1, 3, 'A'], [5, 9, 'B'], [10, 33, 'C'], [35, 35, 'D'], [36, 39, 'E'], [41, 43, 'F'], [45, 47, 'G'], [49, 53, 'H'], [55, 56, 'I'], [58, 63, 'J'],
  [64, 66, 'K'], [68, 68, 'L'], [69, 75, 'M'], [77, 82, 'N'], [84, 84, 'O'], [85, 85, 'P'], [86, 88, 'Q'], [90, 93, 'R'], [94, 96, 'S'], [97, 98, 'T'], [99, 99, 'U'],
];
export const NAF_SECTIONS = SECTIONS.map((s) => s[2]);

export function nafSection(code: string | null | undefined): string | null {
  const div = Number((code ?? '').slice(0, 2));
  if (!Number.isInteger(div) || div <= 0) return null;
  return SECTIONS.find(([a, b]) => div >= a && div <= b)?.[2] ?? null;
}

export function departmentOf(communeCode: string | null | undefined): string | null {
  if (!communeCode) return null;
  return communeCode.startsWith('97') ? communeCode.slice(0, 3) : communeCode.slice(0, 2);
}

export interface ReportFilter {
  /** 'YYYY-MM' inclusive */
  from: string;
  to: string;
  /** a manager's id: the manager and their (transitive) reports */
  teamOf?: number;
  department?: string;
  nafSection?: string;
}

export interface Reports {
  months: string[];
  advisers: { id: number; name: string }[];
  visitsPerAdviser: { adviserId: number; perMonth: Record<string, number>; total: number }[];
  coverage: { adviserId: number; portfolio: number; visitedInPortfolio: number; companiesVisited: number }[];
  pipelineByStage: { stageId: number; label: string; kind: string; count: number; amountCents: number; weightedCents: number }[];
  pipelineByService: { service: string; count: number; amountCents: number; weightedCents: number }[];
  wonLost: { month: string; won: number; wonCents: number; lost: number; lostCents: number }[];
  lostReasons: { reason: string; count: number }[];
}

async function companyGate(db: CrmDb, f: ReportFilter): Promise<(id: number) => Promise<boolean>> {
  if (!f.department && !f.nafSection) return async () => true;
  const cache = new Map<number, CompanySummary | undefined>();
  return async (id) => {
    if (!cache.has(id)) cache.set(id, await findCompany(db, id));
    const c = cache.get(id);
    if (!c) return false;
    if (f.department && departmentOf(c.communeCode) !== f.department) return false;
    if (f.nafSection && nafSection(c.nafCode) !== f.nafSection) return false;
    return true;
  };
}

async function filterRows<T extends { company_id: number }>(rows: T[], gate: (id: number) => Promise<boolean>): Promise<T[]> {
  const out: T[] = [];
  for (const r of rows) if (await gate(r.company_id)) out.push(r);
  return out;
}

export async function buildReports(db: CrmDb, f: ReportFilter): Promise<Reports> {
  const months = monthsBetween(f.from, f.to);
  const fromDay = `${f.from}-01`;
  const toDay = `${f.to}-31`;
  const owners = f.teamOf !== undefined ? [f.teamOf, ...(await teamOf(db, f.teamOf))] : undefined;
  const gate = await companyGate(db, f);
  const own = <Q extends { where: (...a: any[]) => Q }>(q: Q, col: string): Q => (owners ? q.where(col, 'in', owners) : q);

  const visits = await filterRows(
    await own(db.selectFrom('crm_visits').select(['owner_id', 'company_id', 'visit_date']).where('visit_date', '>=', fromDay).where('visit_date', '<=', toDay), 'owner_id').execute(),
    gate,
  );
  const portfolio = await filterRows(await own(db.selectFrom('crm_portfolio').select(['adviser_id', 'company_id']), 'adviser_id').execute(), gate);
  const stages = await db.selectFrom('crm_stages').selectAll().orderBy('position').execute();
  const services = await db.selectFrom('crm_services').select(['id', 'name']).execute();
  const openDeals = await filterRows(
    await own(db.selectFrom('crm_deals').select(['owner_id', 'company_id', 'stage_id', 'service_id', 'amount_cents', 'probability']).where('closed_on', 'is', null), 'owner_id').execute(),
    gate,
  );
  const closed = await filterRows(
    await own(db.selectFrom('crm_deals').select(['owner_id', 'company_id', 'stage_id', 'amount_cents', 'closed_on', 'lost_reason']).where('closed_on', '>=', fromDay).where('closed_on', '<=', toDay), 'owner_id').execute(),
    gate,
  );

  const adviserIds = [...new Set([...visits.map((v) => v.owner_id), ...portfolio.map((p) => p.adviser_id)])];
  const advisers = adviserIds.length ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', adviserIds).orderBy('name').execute() : [];

  const visitsPerAdviser = advisers.map((a) => {
    const perMonth: Record<string, number> = Object.fromEntries(months.map((m) => [m, 0]));
    let total = 0;
    for (const v of visits) if (v.owner_id === a.id) {
      const m = v.visit_date.slice(0, 7);
      if (m in perMonth) perMonth[m]++;
      total++;
    }
    return { adviserId: a.id, perMonth, total };
  });

  const coverage = advisers.map((a) => {
    const mine = new Set(portfolio.filter((p) => p.adviser_id === a.id).map((p) => p.company_id));
    const visited = new Set(visits.filter((v) => v.owner_id === a.id).map((v) => v.company_id));
    return { adviserId: a.id, portfolio: mine.size, visitedInPortfolio: [...mine].filter((c) => visited.has(c)).length, companiesVisited: visited.size };
  });

  const pipelineByStage = stages
    .filter((s) => s.kind === 'open')
    .map((s) => {
      const ds = openDeals.filter((x) => x.stage_id === s.id);
      return { stageId: s.id, label: s.label, kind: s.kind, count: ds.length, amountCents: ds.reduce((a, x) => a + Number(x.amount_cents), 0), weightedCents: ds.reduce((a, x) => a + weightedCents(Number(x.amount_cents), x.probability), 0) };
    });
  const serviceName = new Map(services.map((s) => [s.id, s.name]));
  const bySvc = new Map<string, { service: string; count: number; amountCents: number; weightedCents: number }>();
  for (const x of openDeals) {
    const key = x.service_id ? (serviceName.get(x.service_id) ?? '?') : '';
    const e = bySvc.get(key) ?? { service: key, count: 0, amountCents: 0, weightedCents: 0 };
    e.count++;
    e.amountCents += Number(x.amount_cents);
    e.weightedCents += weightedCents(Number(x.amount_cents), x.probability);
    bySvc.set(key, e);
  }
  const kindOf = new Map(stages.map((s) => [s.id, s.kind]));
  const wonLost = months.map((m) => {
    const inMonth = closed.filter((x) => x.closed_on!.startsWith(m));
    const won = inMonth.filter((x) => kindOf.get(x.stage_id) === 'won');
    const lost = inMonth.filter((x) => kindOf.get(x.stage_id) === 'lost');
    return { month: m, won: won.length, wonCents: won.reduce((a, x) => a + Number(x.amount_cents), 0), lost: lost.length, lostCents: lost.reduce((a, x) => a + Number(x.amount_cents), 0) };
  });
  const reasons = new Map<string, number>();
  for (const x of closed) if (kindOf.get(x.stage_id) === 'lost') reasons.set(x.lost_reason ?? '', (reasons.get(x.lost_reason ?? '') ?? 0) + 1);

  return {
    months,
    advisers,
    visitsPerAdviser,
    coverage,
    pipelineByStage,
    pipelineByService: [...bySvc.values()].sort((a, b) => b.amountCents - a.amountCents),
    wonLost,
    lostReasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
  };
}
