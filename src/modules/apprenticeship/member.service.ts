// The member side (extranet): a company's declaration for a campaign (entered or imported from
// a CSV of its DSN totals), the tax computed with the rules of the payroll year and the
// company's territory, pledges of the solde to the CCI's schools (≤ 100 %, changeable until
// the last window closes), and the confirmation of what was really allocated on SOLTéA.
// Every service takes the company the extranet's resolver verified (policy.memberCompany).
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, type FieldErrors } from '../../platform/errors.js';
import { findCompany, type CompanySummary } from '../registry/index.js';
import type { ApprenticeshipDb, Campaign, CampaignWindow, Declaration, Pledge } from './apprenticeship.table.js';
import { campaignSchools, windowsOf, type CampaignSchool } from './campaign.service.js';
import { todayParis } from './dates.js';
import { checkTaxInput, loadRateSets, parseDecimal } from './quote.service.js';
import { computeTax, isAlsaceMoselle, pledgeCents } from './rules.js';

export type Phase = 'before' | 'open' | 'between' | 'closed';

/** Where the campaign stands today: before the first window, in one, between two, or over. */
export function phaseOf(windows: readonly CampaignWindow[], today = todayParis()): { phase: Phase; window?: CampaignWindow; next?: CampaignWindow } {
  if (windows.length === 0) return { phase: 'closed' };
  const open = windows.find((w) => w.opens_on <= today && today <= w.closes_on);
  if (open) return { phase: 'open', window: open };
  const next = windows.find((w) => today < w.opens_on);
  if (!next) return { phase: 'closed' };
  return { phase: next === windows[0] ? 'before' : 'between', next };
}

/** Pledges can change until the last window closes; confirmations once the first has opened. */
export function mayPledge(windows: readonly CampaignWindow[], today = todayParis()): boolean {
  return windows.length > 0 && today <= windows[windows.length - 1].closes_on;
}
export function mayConfirm(windows: readonly CampaignWindow[], today = todayParis()): boolean {
  return windows.length > 0 && windows[0].opens_on <= today;
}

export interface MemberState {
  campaign: Campaign;
  company: CompanySummary;
  alsaceMoselle: boolean;
  windows: CampaignWindow[];
  schools: CampaignSchool[];
  declaration?: Declaration;
  pledges: Pledge[];
}

export async function memberState(db: ApprenticeshipDb, companyId: number, campaign: Campaign): Promise<MemberState> {
  const company = await findCompany(db, companyId);
  if (!company) throw invalid('common.invalid', { _form: 'apprenticeship.no_company' });
  const [windows, schools, declaration, pledges] = await Promise.all([
    windowsOf(db, campaign.id),
    campaignSchools(db, campaign.id),
    findDeclaration(db, campaign.id, companyId),
    pledgesOf(db, campaign.id, companyId),
  ]);
  return { campaign, company, alsaceMoselle: isAlsaceMoselle(company.communeCode?.slice(0, 2) ?? company.postalCode?.slice(0, 2)), windows, schools, declaration, pledges };
}

export function findDeclaration(db: ApprenticeshipDb, campaignId: number, companyId: number): Promise<Declaration | undefined> {
  return db.selectFrom('apprenticeship_declarations').selectAll().where('campaign_id', '=', campaignId).where('company_id', '=', companyId).executeTakeFirst();
}

export function pledgesOf(db: ApprenticeshipDb, campaignId: number, companyId: number): Promise<Pledge[]> {
  return db.selectFrom('apprenticeship_pledges').selectAll().where('campaign_id', '=', campaignId).where('company_id', '=', companyId).orderBy('school_id').execute();
}

export interface DeclarationInput {
  payroll: string;
  employees: string;
  workStudyEmployees: string;
}

/** Saves (creates or replaces) the company's declaration; pledged amounts follow the new solde. */
export async function saveDeclaration(db: ApprenticeshipDb, actor: Actor, companyId: number, campaign: Campaign, input: DeclarationInput, source: 'form' | 'csv' = 'form'): Promise<Declaration> {
  const state = await memberState(db, companyId, campaign);
  const sets = await loadRateSets(db);
  // The campaign's payroll year is in the past: its rules are known whatever today is.
  const { set, input: tax } = checkTaxInput(sets, { year: campaign.payroll_year, payroll: input.payroll, employees: input.employees, workStudyEmployees: input.workStudyEmployees, alsaceMoselle: state.alsaceMoselle }, new Date(`${campaign.payroll_year}-06-01T00:00:00Z`));
  const result = computeTax(set, tax);
  const values = {
    payroll_cents: tax.payrollCents,
    employees100: tax.employees100,
    work_study100: tax.workStudy100,
    alsace_moselle: tax.alsaceMoselle ? 1 : 0,
    main_cents: result.mainCents,
    solde_cents: result.soldeCents,
    csa_cents: result.csaCents,
    source,
  };
  const now = nowIso();
  const before = state.declaration;
  let row: Declaration;
  if (before) {
    row = await db
      .updateTable('apprenticeship_declarations')
      .set({ ...values, updated_at: now, version: sql`version + 1` })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } else {
    row = await db
      .insertInto('apprenticeship_declarations')
      .values({ ...values, campaign_id: campaign.id, company_id: companyId, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  for (const p of state.pledges) {
    await db
      .updateTable('apprenticeship_pledges')
      .set({ pledged_cents: pledgeCents(row.solde_cents, p.pledged_bp), confirmed_cents: p.confirmed_bp === null ? null : pledgeCents(row.solde_cents, p.confirmed_bp), updated_at: now })
      .where('id', '=', p.id)
      .execute();
  }
  const shown = (d?: Declaration) => (d ? { payroll_cents: Number(d.payroll_cents), employees100: d.employees100, work_study100: d.work_study100, alsace_moselle: d.alsace_moselle, main_cents: Number(d.main_cents), solde_cents: Number(d.solde_cents), csa_cents: Number(d.csa_cents), source: d.source } : null);
  await record(db, actor, { entity: 'apprenticeship_declaration', entityId: row.id, action: before ? 'update' : 'create', before: shown(before), after: { ...shown(row), company_id: companyId, year: campaign.year } });
  return row;
}

const PAYROLL_HEADERS = ['masse_salariale', 'masse salariale', 'remuneration_brute', 'rémunération brute', 'brut', 'payroll', 'gross_payroll'];
const HEADCOUNT_HEADERS = ['effectif', 'effectif_moyen', 'effectif moyen', 'salaries', 'salariés', 'employees', 'headcount'];
const WORK_STUDY_HEADERS = ['alternants', 'effectif_alternants', 'alternance', 'apprentis', 'work_study', 'workstudy'];

/**
 * A CSV of DSN totals: a header line naming the columns (payroll, headcount, work-study
 * headcount, in French or English) and one line per month (or period). The payroll is the sum
 * of the lines, the headcounts their average (the DSN's effectif moyen annuel), to the
 * hundredth. `;` or `,` separated; amounts with a decimal comma or point.
 */
export function parseDsnCsv(text: string): DeclarationInput {
  const fail = (code: string): never => {
    throw invalid('common.invalid', { file: code });
  };
  if (!text.trim()) fail('apprenticeship.csv_empty');
  if (text.length > 200_000) fail('apprenticeship.csv_too_big');
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let rows: string[][];
  try {
    rows = parse(text, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch {
    return fail('apprenticeship.csv_unreadable');
  }
  if (rows.length < 2) fail('apprenticeship.csv_empty');
  if (rows.length > 400) fail('apprenticeship.csv_too_big');
  const header = rows[0].map((h) => h.toLowerCase().trim());
  const col = (names: string[]) => header.findIndex((h) => names.includes(h));
  const [p, e, w] = [col(PAYROLL_HEADERS), col(HEADCOUNT_HEADERS), col(WORK_STUDY_HEADERS)];
  if (p < 0 || e < 0 || w < 0) fail('apprenticeship.csv_columns');
  let payroll = 0;
  let employees = 0;
  let workStudy = 0;
  const lines = rows.slice(1);
  for (const line of lines) {
    const [pc, ec, wc] = [parseDecimal(line[p] ?? '', 2, 100_000_000_000), parseDecimal(line[e] ?? '', 2, 2_000_000), parseDecimal(line[w] ?? '', 2, 2_000_000)];
    if (pc === undefined || ec === undefined || wc === undefined) fail('apprenticeship.csv_value');
    payroll += pc!;
    employees += ec!;
    workStudy += wc!;
  }
  const avg = (sum: number) => Math.round(sum / lines.length);
  const fmt = (hundredths: number) => `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
  return { payroll: fmt(payroll), employees: fmt(avg(employees)), workStudyEmployees: fmt(avg(workStudy)) };
}

/** Percent typed in a form ("60", "12,5") → basis points; empty is 0. */
function bpOf(raw: string): number | undefined {
  if (!raw.trim()) return 0;
  const v = parseDecimal(raw, 2, 100);
  return v;
}

function readShares(schools: readonly CampaignSchool[], shares: Record<string, string>): Map<number, number> {
  const fields: FieldErrors = {};
  const out = new Map<number, number>();
  const allowed = new Set(schools.map((s) => String(s.id)));
  for (const [id, raw] of Object.entries(shares)) {
    if (!allowed.has(id)) {
      fields._form = 'apprenticeship.school_not_found';
      continue;
    }
    const bp = bpOf(raw);
    if (bp === undefined) fields[`share_${id}`] = 'apprenticeship.share_invalid';
    else out.set(Number(id), bp);
  }
  const total = [...out.values()].reduce((a, b) => a + b, 0);
  if (!Object.keys(fields).length && total > 10_000) fields._form = 'apprenticeship.share_total';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return out;
}

/** The intended allocation: % of the solde per CCI school (the rest is the company's to give elsewhere). */
export async function savePledges(db: ApprenticeshipDb, actor: Actor, companyId: number, campaign: Campaign, shares: Record<string, string>, today = todayParis()): Promise<void> {
  const state = await memberState(db, companyId, campaign);
  if (!mayPledge(state.windows, today)) throw invalid('common.invalid', { _form: 'apprenticeship.window_closed' });
  if (!state.declaration) throw invalid('common.invalid', { _form: 'apprenticeship.declare_first' });
  if (Number(state.declaration.solde_cents) === 0) throw invalid('common.invalid', { _form: 'apprenticeship.no_solde' });
  const wanted = readShares(state.schools, shares);
  const solde = Number(state.declaration.solde_cents);
  const now = nowIso();
  const before = new Map(state.pledges.map((p) => [p.school_id, p]));
  for (const [schoolId, bp] of wanted) {
    const old = before.get(schoolId);
    if (old) {
      if (bp === 0 && old.confirmed_bp === null) await db.deleteFrom('apprenticeship_pledges').where('id', '=', old.id).execute();
      else await db.updateTable('apprenticeship_pledges').set({ pledged_bp: bp, pledged_cents: pledgeCents(solde, bp), updated_at: now }).where('id', '=', old.id).execute();
    } else if (bp > 0) {
      await db.insertInto('apprenticeship_pledges').values({ campaign_id: campaign.id, company_id: companyId, school_id: schoolId, pledged_bp: bp, pledged_cents: pledgeCents(solde, bp), created_at: now, updated_at: now }).execute();
    }
  }
  const names = new Map(state.schools.map((s) => [s.id, s.name]));
  await record(db, actor, {
    entity: 'apprenticeship_pledge',
    entityId: `${campaign.year}:${companyId}`,
    action: 'pledge',
    before: { shares_bp: Object.fromEntries(state.pledges.map((p) => [names.get(p.school_id) ?? p.school_id, p.pledged_bp])) },
    after: { shares_bp: Object.fromEntries([...wanted].filter(([, bp]) => bp > 0).map(([id, bp]) => [names.get(id) ?? id, bp])) },
  });
}

/** What the company really allocated on SOLTéA to each school, once the first window has opened. */
export async function confirmAllocation(db: ApprenticeshipDb, actor: Actor, companyId: number, campaign: Campaign, shares: Record<string, string>, today = todayParis()): Promise<void> {
  const state = await memberState(db, companyId, campaign);
  if (!mayConfirm(state.windows, today)) throw invalid('common.invalid', { _form: 'apprenticeship.confirm_too_early' });
  if (!state.declaration) throw invalid('common.invalid', { _form: 'apprenticeship.declare_first' });
  const wanted = readShares(state.schools, shares);
  const solde = Number(state.declaration.solde_cents);
  const now = nowIso();
  const before = new Map(state.pledges.map((p) => [p.school_id, p]));
  for (const [schoolId, bp] of wanted) {
    const old = before.get(schoolId);
    if (old) await db.updateTable('apprenticeship_pledges').set({ confirmed_bp: bp, confirmed_cents: pledgeCents(solde, bp), updated_at: now }).where('id', '=', old.id).execute();
    else if (bp > 0)
      await db
        .insertInto('apprenticeship_pledges')
        .values({ campaign_id: campaign.id, company_id: companyId, school_id: schoolId, pledged_bp: 0, pledged_cents: 0, confirmed_bp: bp, confirmed_cents: pledgeCents(solde, bp), created_at: now, updated_at: now })
        .execute();
  }
  await db.updateTable('apprenticeship_declarations').set({ confirmed_at: now, updated_at: now, version: sql`version + 1` }).where('id', '=', state.declaration.id).execute();
  const names = new Map(state.schools.map((s) => [s.id, s.name]));
  await record(db, actor, {
    entity: 'apprenticeship_pledge',
    entityId: `${campaign.year}:${companyId}`,
    action: 'confirm',
    before: { confirmed_bp: Object.fromEntries(state.pledges.filter((p) => p.confirmed_bp !== null).map((p) => [names.get(p.school_id) ?? p.school_id, p.confirmed_bp])) },
    after: { confirmed_bp: Object.fromEntries([...wanted].map(([id, bp]) => [names.get(id) ?? id, bp])) },
  });
}

/** The company's declarations, newest first, for the extranet's follow-up ("Suivi"). */
export async function declarationsOf(db: ApprenticeshipDb, companyId: number, limit: number) {
  return db
    .selectFrom('apprenticeship_declarations as d')
    .innerJoin('apprenticeship_campaigns as c', 'c.id', 'd.campaign_id')
    .leftJoin(
      db.selectFrom('apprenticeship_pledges').select(['campaign_id', sql<number>`sum(pledged_bp)`.as('bp'), sql<number>`sum(pledged_cents)`.as('cents')]).where('company_id', '=', companyId).groupBy('campaign_id').as('p'),
      'p.campaign_id',
      'd.campaign_id',
    )
    .select(['d.id', 'd.updated_at', 'd.solde_cents', 'd.confirmed_at', 'c.year', 'p.bp', 'p.cents'])
    .where('d.company_id', '=', companyId)
    .orderBy('d.updated_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute();
}

export async function countDeclarations(db: ApprenticeshipDb, companyId: number): Promise<number> {
  return Number((await db.selectFrom('apprenticeship_declarations').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).executeTakeFirstOrThrow()).n);
}
