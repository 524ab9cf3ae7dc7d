// The staff's follow-up board (apprenticeship:follow), the export and each school's results.
// Heavy reads: the handlers pass `ctx.reads` (ADR 0009); each aggregate is one GROUP BY.
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { findCompanies } from '../registry/index.js';
import type { ApprenticeshipDb, Campaign } from './apprenticeship.table.js';
import { campaignOfYear, campaignSchools, getSchool } from './campaign.service.js';
import { assertFollow, assertSeeSchool } from './policy.js';

export interface Totals {
  targets: number;
  contacted: number;
  declared: number;
  pledging: number;
  confirming: number;
  pledgedCents: number;
  confirmedCents: number;
}

export interface SchoolLine {
  schoolId: number;
  name: string;
  goalCents: number;
  companies: number;
  pledgedCents: number;
  confirmedCents: number;
  lastYearPledgedCents: number | null;
  lastYearConfirmedCents: number | null;
}

export interface GroupLine {
  key: string | null;
  label: string | null;
  targets: number;
  contacted: number;
  pledging: number;
  pledgedCents: number;
  confirmedCents: number;
}

export interface Board {
  campaign: Campaign;
  lastYear?: Campaign;
  totals: Totals;
  lastYearTotals?: Totals;
  schools: SchoolLine[];
  byAdviser: GroupLine[];
  bySector: GroupLine[];
  byTerritory: GroupLine[];
  notContacted: { id: number; company_id: number; name: string; department: string | null }[];
  notContactedTotal: number;
}

const n = (v: unknown) => Number(v ?? 0);

async function pledgeTotalsOf(db: ApprenticeshipDb, campaignId: number): Promise<Pick<Totals, 'pledging' | 'confirming' | 'pledgedCents' | 'confirmedCents'>> {
  const p = await db
    .selectFrom('apprenticeship_pledges')
    .select([
      sql<number>`count(distinct case when pledged_bp > 0 then company_id end)`.as('pledging'),
      sql<number>`count(distinct case when confirmed_bp is not null then company_id end)`.as('confirming'),
      sql<number>`coalesce(sum(pledged_cents), 0)`.as('pledged'),
      sql<number>`coalesce(sum(confirmed_cents), 0)`.as('confirmed'),
    ])
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return { pledging: n(p.pledging), confirming: n(p.confirming), pledgedCents: n(p.pledged), confirmedCents: n(p.confirmed) };
}

async function declaredOf(db: ApprenticeshipDb, campaignId: number): Promise<number> {
  return n((await db.selectFrom('apprenticeship_declarations').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow()).n);
}

/** A campaign's totals (last year's, beside this year's on the board). */
export async function totalsOf(db: ApprenticeshipDb, campaignId: number): Promise<Totals> {
  const [t, declared, p] = await Promise.all([
    db
      .selectFrom('apprenticeship_targets')
      .select((eb) => [eb.fn.countAll<number>().as('targets'), eb.fn.count<number>('contacted_at').as('contacted')])
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow(),
    declaredOf(db, campaignId),
    pledgeTotalsOf(db, campaignId),
  ]);
  return { targets: n(t.targets), contacted: n(t.contacted), declared, ...p };
}

async function bySchool(db: ApprenticeshipDb, campaignId: number) {
  const rows = await db
    .selectFrom('apprenticeship_pledges')
    .select(['school_id', sql<number>`count(distinct company_id)`.as('companies'), sql<number>`coalesce(sum(pledged_cents), 0)`.as('pledged'), sql<number>`coalesce(sum(confirmed_cents), 0)`.as('confirmed')])
    .where('campaign_id', '=', campaignId)
    .groupBy('school_id')
    .execute();
  return new Map(rows.map((r) => [r.school_id, { companies: n(r.companies), pledged: n(r.pledged), confirmed: n(r.confirmed) }]));
}

interface TargetCell {
  adviser: number | null;
  sector: string | null;
  department: string | null;
  targets: number;
  contacted: number;
  pledging: number;
  pledged: number;
  confirmed: number;
}

/**
 * The targets in one pass, grouped by adviser × sector × département at once, each with its
 * companies' pledges (one sub-aggregate per company): the three breakdowns and the target
 * totals are sums of these cells (a few thousand at most), not three scans of the targets.
 */
async function targetCells(db: ApprenticeshipDb, campaignId: number): Promise<TargetCell[]> {
  const perCompany = db
    .selectFrom('apprenticeship_pledges')
    .select(['company_id', sql<number>`sum(pledged_cents)`.as('pledged'), sql<number>`sum(confirmed_cents)`.as('confirmed'), sql<number>`max(pledged_bp)`.as('max_bp')])
    .where('campaign_id', '=', campaignId)
    .groupBy('company_id')
    .as('pc');
  const rows = await db
    .selectFrom('apprenticeship_targets as t')
    .leftJoin(perCompany, 'pc.company_id', 't.company_id')
    .select([
      't.adviser_id',
      't.naf_section',
      't.department',
      sql<number>`count(*)`.as('targets'),
      sql<number>`count(t.contacted_at)`.as('contacted'),
      sql<number>`count(case when pc.max_bp > 0 then 1 end)`.as('pledging'),
      sql<number>`coalesce(sum(pc.pledged), 0)`.as('pledged'),
      sql<number>`coalesce(sum(pc.confirmed), 0)`.as('confirmed'),
    ])
    .where('t.campaign_id', '=', campaignId)
    .groupBy(['t.adviser_id', 't.naf_section', 't.department'])
    .execute();
  return rows.map((r) => ({ adviser: r.adviser_id, sector: r.naf_section, department: r.department, targets: n(r.targets), contacted: n(r.contacted), pledging: n(r.pledging), pledged: n(r.pledged), confirmed: n(r.confirmed) }));
}

function groupBy(cells: readonly TargetCell[], key: (c: TargetCell) => string | number | null): GroupLine[] {
  const out = new Map<string, GroupLine>();
  for (const c of cells) {
    const k = key(c);
    const id = k === null ? '\u0000' : String(k);
    const g = out.get(id) ?? { key: k === null ? null : String(k), label: k === null ? null : String(k), targets: 0, contacted: 0, pledging: 0, pledgedCents: 0, confirmedCents: 0 };
    g.targets += c.targets;
    g.contacted += c.contacted;
    g.pledging += c.pledging;
    g.pledgedCents += c.pledged;
    g.confirmedCents += c.confirmed;
    out.set(id, g);
  }
  return [...out.values()].sort((a, b) => b.targets - a.targets || String(a.key).localeCompare(String(b.key)));
}

export async function board(db: ApprenticeshipDb, actor: Actor, campaign: Campaign): Promise<Board> {
  assertFollow(actor);
  const lastYear = await campaignOfYear(db, campaign.year - 1);
  const [pledgeTotals, declared, lastYearTotals, schools, sums, lastSums, cells, notContacted] = await Promise.all([
    pledgeTotalsOf(db, campaign.id),
    declaredOf(db, campaign.id),
    lastYear ? totalsOf(db, lastYear.id) : Promise.resolve(undefined),
    campaignSchools(db, campaign.id),
    bySchool(db, campaign.id),
    lastYear ? bySchool(db, lastYear.id) : Promise.resolve(undefined),
    targetCells(db, campaign.id),
    db
      .selectFrom('apprenticeship_targets')
      .select(['id', 'company_id', 'name', 'department'])
      .where('campaign_id', '=', campaign.id)
      .where('contacted_at', 'is', null)
      .orderBy('name')
      .orderBy('id')
      .limit(10)
      .execute(),
  ]);
  const byAdviser = groupBy(cells, (c) => c.adviser);
  const adviserIds = byAdviser.map((a) => a.key).filter((k): k is string => k !== null).map(Number);
  const names = adviserIds.length ? new Map((await db.selectFrom('users').select(['id', 'name']).where('id', 'in', adviserIds).execute()).map((u) => [String(u.id), u.name])) : new Map<string, string>();
  const targets = cells.reduce((a, c) => a + c.targets, 0);
  const contacted = cells.reduce((a, c) => a + c.contacted, 0);
  return {
    campaign,
    lastYear,
    totals: { targets, contacted, declared, ...pledgeTotals },
    lastYearTotals,
    schools: schools.map((s) => {
      const cur = sums.get(s.id);
      const last = lastSums?.get(s.id);
      return {
        schoolId: s.id,
        name: s.name,
        goalCents: n(s.goal_cents),
        companies: cur?.companies ?? 0,
        pledgedCents: cur?.pledged ?? 0,
        confirmedCents: cur?.confirmed ?? 0,
        lastYearPledgedCents: lastSums ? (last?.pledged ?? 0) : null,
        lastYearConfirmedCents: lastSums ? (last?.confirmed ?? 0) : null,
      };
    }),
    byAdviser: byAdviser.map((a) => ({ ...a, label: a.key === null ? null : (names.get(a.key) ?? a.key) })),
    bySector: groupBy(cells, (c) => c.sector),
    byTerritory: groupBy(cells, (c) => c.department),
    notContacted,
    notContactedTotal: targets - contacted,
  };
}

// ——— export: one row per target company, then companies that declared without being targets ———

export interface ExportRow {
  companyId: number;
  name: string;
  adviser: string;
  sector: string;
  department: string;
  contactedAt: string;
  payrollCents: number | null;
  soldeCents: number | null;
  pledgedBp: number;
  pledgedCents: number;
  confirmedCents: number | null;
  confirmedAt: string;
}

export async function exportPage(db: ApprenticeshipDb, actor: Actor, campaignId: number, after: number | undefined, limit: number): Promise<(ExportRow & { key: number })[]> {
  assertFollow(actor);
  const perCompany = db
    .selectFrom('apprenticeship_pledges')
    .select(['company_id', sql<number>`sum(pledged_bp)`.as('bp'), sql<number>`sum(pledged_cents)`.as('pledged'), sql<number>`sum(confirmed_cents)`.as('confirmed')])
    .where('campaign_id', '=', campaignId)
    .groupBy('company_id')
    .as('pc');
  const rows = await db
    .selectFrom('apprenticeship_targets as t')
    .leftJoin(perCompany, 'pc.company_id', 't.company_id')
    .leftJoin('apprenticeship_declarations as d', (j) => j.onRef('d.company_id', '=', 't.company_id').on('d.campaign_id', '=', campaignId))
    .leftJoin('users as u', 'u.id', 't.adviser_id')
    .select(['t.id as key', 't.company_id', 't.name', 'u.name as adviser', 't.naf_section', 't.department', 't.contacted_at', 'd.payroll_cents', 'd.solde_cents', 'd.confirmed_at', 'pc.bp', 'pc.pledged', 'pc.confirmed'])
    .where('t.campaign_id', '=', campaignId)
    .where('t.id', '>', after ?? 0)
    .orderBy('t.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    key: r.key,
    companyId: r.company_id,
    name: r.name,
    adviser: r.adviser ?? '',
    sector: r.naf_section ?? '',
    department: r.department ?? '',
    contactedAt: r.contacted_at ? String(r.contacted_at).slice(0, 10) : '',
    payrollCents: r.payroll_cents === null ? null : n(r.payroll_cents),
    soldeCents: r.solde_cents === null ? null : n(r.solde_cents),
    pledgedBp: n(r.bp),
    pledgedCents: n(r.pledged),
    confirmedCents: r.confirmed === null ? null : n(r.confirmed),
    confirmedAt: r.confirmed_at ? String(r.confirmed_at).slice(0, 10) : '',
  }));
}

/** Companies that declared but are not among the targets (they came on their own). */
export async function untargetedDeclarations(db: ApprenticeshipDb, actor: Actor, campaignId: number): Promise<ExportRow[]> {
  assertFollow(actor);
  const rows = await db
    .selectFrom('apprenticeship_declarations as d')
    .leftJoin('apprenticeship_targets as t', (j) => j.onRef('t.company_id', '=', 'd.company_id').on('t.campaign_id', '=', campaignId))
    .select(['d.company_id', 'd.payroll_cents', 'd.solde_cents', 'd.confirmed_at'])
    .where('d.campaign_id', '=', campaignId)
    .where('t.id', 'is', null)
    .orderBy('d.company_id')
    .limit(5000)
    .execute();
  if (!rows.length) return [];
  const pledges = await db
    .selectFrom('apprenticeship_pledges')
    .select(['company_id', sql<number>`sum(pledged_bp)`.as('bp'), sql<number>`sum(pledged_cents)`.as('pledged'), sql<number>`sum(confirmed_cents)`.as('confirmed')])
    .where('campaign_id', '=', campaignId)
    .where('company_id', 'in', rows.map((r) => r.company_id))
    .groupBy('company_id')
    .execute();
  const byCompany = new Map(pledges.map((p) => [p.company_id, p]));
  const names = await findCompanies(db, rows.map((r) => r.company_id));
  return rows.map((r) => {
    const p = byCompany.get(r.company_id);
    return {
      companyId: r.company_id,
      name: names.get(r.company_id)?.name ?? String(r.company_id),
      adviser: '',
      sector: names.get(r.company_id)?.nafCode?.slice(0, 2) ?? '',
      department: names.get(r.company_id)?.communeCode?.slice(0, 2) ?? '',
      contactedAt: '',
      payrollCents: n(r.payroll_cents),
      soldeCents: n(r.solde_cents),
      pledgedBp: n(p?.bp),
      pledgedCents: n(p?.pledged),
      confirmedCents: p?.confirmed === null || p?.confirmed === undefined ? null : n(p.confirmed),
      confirmedAt: r.confirmed_at ? String(r.confirmed_at).slice(0, 10) : '',
    };
  });
}

// ——— a school's results (its director, or staff who follow the campaign) ———

export interface SchoolResults {
  school: Awaited<ReturnType<typeof getSchool>>;
  campaign: Campaign;
  goalCents: number;
  pledgedCents: number;
  confirmedCents: number;
  lastYearPledgedCents: number | null;
  lastYearConfirmedCents: number | null;
  companies: { companyId: number; name: string; pledgedBp: number; pledgedCents: number; confirmedBp: number | null; confirmedCents: number | null }[];
}

export async function schoolResults(db: ApprenticeshipDb, actor: Actor, grants: readonly number[], schoolId: number, campaign: Campaign): Promise<SchoolResults> {
  assertSeeSchool(actor, grants, schoolId);
  const school = await getSchool(db, schoolId);
  const lastYear = await campaignOfYear(db, campaign.year - 1);
  const [goal, pledges, last] = await Promise.all([
    db.selectFrom('apprenticeship_campaign_schools').select('goal_cents').where('campaign_id', '=', campaign.id).where('school_id', '=', schoolId).executeTakeFirst(),
    db.selectFrom('apprenticeship_pledges').selectAll().where('campaign_id', '=', campaign.id).where('school_id', '=', schoolId).orderBy('pledged_cents', 'desc').limit(2000).execute(),
    lastYear ? bySchool(db, lastYear.id) : Promise.resolve(undefined),
  ]);
  const names = await findCompanies(db, pledges.map((p) => p.company_id));
  return {
    school,
    campaign,
    goalCents: n(goal?.goal_cents),
    pledgedCents: pledges.reduce((a, p) => a + n(p.pledged_cents), 0),
    confirmedCents: pledges.reduce((a, p) => a + n(p.confirmed_cents), 0),
    lastYearPledgedCents: last ? (last.get(schoolId)?.pledged ?? 0) : null,
    lastYearConfirmedCents: last ? (last.get(schoolId)?.confirmed ?? 0) : null,
    companies: pledges.map((p) => ({
      companyId: p.company_id,
      name: names.get(p.company_id)?.name ?? `#${p.company_id}`,
      pledgedBp: p.pledged_bp,
      pledgedCents: n(p.pledged_cents),
      confirmedBp: p.confirmed_bp,
      confirmedCents: p.confirmed_cents === null ? null : n(p.confirmed_cents),
    })),
  };
}
