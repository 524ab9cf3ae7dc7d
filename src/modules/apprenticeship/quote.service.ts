// The quote: raw input (the API's JSON or a form's strings) checked field by field, the rule set
// of the year read from the dated rate sets, the tax computed by its regime's code (rules.ts).
import { invalid, type FieldErrors } from '../../platform/errors.js';
import type { ApprenticeshipDb } from './apprenticeship.table.js';
import { computeTax, rateSetFor, type RateSet, type TaxInput, type TaxResult } from './rules.js';

/** Every rule set, oldest years first (the table is a handful of rows). */
export async function loadRateSets(db: ApprenticeshipDb): Promise<RateSet[]> {
  const rows = await db.selectFrom('apprenticeship_rate_sets').selectAll().orderBy('from_year').execute();
  const out: RateSet[] = [];
  for (const r of rows) {
    // The JSON was written by the migration (or a reviewed change): its shape is the regime's.
    const rates = JSON.parse(r.rates);
    if (r.regime === 'since2022') out.push({ regime: 'since2022', fromYear: r.from_year, toYear: r.to_year, rates });
    else if (r.regime === 'octa2014') out.push({ regime: 'octa2014', fromYear: r.from_year, toYear: r.to_year, rates });
  }
  return out;
}

/** A year is known when a rule set covers it and it is not further than next year. */
export function knownYear(sets: readonly RateSet[], year: number, today = new Date()): RateSet | undefined {
  if (!Number.isInteger(year) || year > today.getUTCFullYear() + 1) return undefined;
  return rateSetFor(sets, year);
}

/**
 * A non-negative decimal with at most `decimals` places, as an integer of 10^-decimals units:
 * a JSON number, or a string typed in a form ("1 000 000,50", spaces and a decimal comma).
 */
export function parseDecimal(v: unknown, decimals: number, max: number): number | undefined {
  let s: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    s = String(v);
    if (/e/i.test(s)) return undefined;
  } else if (typeof v === 'string') {
    s = v.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  } else return undefined;
  const m = new RegExp(`^(\\d{1,15})(?:\\.(\\d{1,${decimals}}))?$`).exec(s);
  if (!m) return undefined;
  const units = Number(m[1]) * 10 ** decimals + Number((m[2] ?? '').padEnd(decimals, '0') || '0');
  return units <= max * 10 ** decimals ? units : undefined;
}

export interface RawTaxInput {
  year?: unknown;
  payroll?: unknown;
  employees?: unknown;
  workStudyEmployees?: unknown;
  alsaceMoselle?: unknown;
}

/** The largest payroll accepted (€ 100 bn): every product stays exact. */
const MAX_PAYROLL_EUROS = 100_000_000_000;
const MAX_HEADCOUNT = 2_000_000;

/**
 * Checks raw input. Fields are named as in the API (year, payroll, employees,
 * workStudyEmployees, alsaceMoselle); messages are i18n keys. Throws `invalid` (422).
 */
export function checkTaxInput(sets: readonly RateSet[], raw: RawTaxInput, today = new Date()): { input: TaxInput; set: RateSet } {
  const fields: FieldErrors = {};
  const year = typeof raw.year === 'number' ? raw.year : typeof raw.year === 'string' && /^\d{4}$/.test(raw.year.trim()) ? Number(raw.year) : NaN;
  const set = knownYear(sets, year, today);
  if (!set) fields.year = 'apprenticeship.year_unknown';
  const payrollCents = parseDecimal(raw.payroll, 2, MAX_PAYROLL_EUROS);
  if (payrollCents === undefined) fields.payroll = 'apprenticeship.payroll_invalid';
  const employees100 = parseDecimal(raw.employees, 2, MAX_HEADCOUNT);
  if (employees100 === undefined) fields.employees = 'apprenticeship.employees_invalid';
  const workStudy100 = parseDecimal(raw.workStudyEmployees, 2, MAX_HEADCOUNT);
  if (workStudy100 === undefined) fields.workStudyEmployees = 'apprenticeship.work_study_invalid';
  else if (employees100 !== undefined && workStudy100 > employees100) fields.workStudyEmployees = 'apprenticeship.work_study_over';
  const am = raw.alsaceMoselle;
  if (am !== undefined && typeof am !== 'boolean') fields.alsaceMoselle = 'apprenticeship.alsace_invalid';
  if (Object.keys(fields).length || !set) throw invalid('common.invalid', fields);
  return { set, input: { year, payrollCents: payrollCents!, employees100: employees100!, workStudy100: workStudy100!, alsaceMoselle: am === true } };
}

/** The public calculator: nothing is saved. */
export async function quoteTax(db: ApprenticeshipDb, raw: RawTaxInput): Promise<TaxResult> {
  const { set, input } = checkTaxInput(await loadRateSets(db), raw);
  return computeTax(set, input);
}
