// Pure rules of expense claims: the fiscal mileage scale (barème kilométrique) by horsepower and
// yearly distance band, the electric bonus, the person's cumulative yearly distance, and the
// ceilings of meals and lodging. No database here: the rates come in as arguments (they are
// dated configuration, table expense_rates), so `test/expenses-rules.test.ts` checks them alone.
import type { Category, RateKind } from './expenses.table.js';

/** One distance band of a horsepower class: allowance = d × perKm + fixed (euros), for d ≤ upToKm. */
export interface MileageBand {
  /** last kilometre of the band; null: no upper bound */
  upToKm: number | null;
  perKm: number;
  fixed: number;
}
export interface MileageClass {
  /** highest fiscal horsepower of the class (3 for "3 CV and less"); null: the rest (7 CV and more) */
  maxCv: number | null;
  bands: MileageBand[];
}
/** Stored as JSON in expense_rates.scale (kind 'mileage'). */
export interface MileageScale {
  classes: MileageClass[];
  /** electric cars: the allowance is raised by this percentage (20) */
  electricBonusPct: number;
}

/** The class of a car: the first whose maxCv is at least its horsepower, classes in increasing order. */
export function classFor(scale: MileageScale, cv: number): MileageClass {
  const sorted = [...scale.classes].sort((a, b) => (a.maxCv ?? Infinity) - (b.maxCv ?? Infinity));
  return sorted.find((c) => c.maxCv === null || cv <= c.maxCv) ?? sorted[sorted.length - 1];
}

export function bandFor(cls: MileageClass, km: number): MileageBand {
  const sorted = [...cls.bands].sort((a, b) => (a.upToKm ?? Infinity) - (b.upToKm ?? Infinity));
  return sorted.find((b) => b.upToKm === null || km <= b.upToKm) ?? sorted[sorted.length - 1];
}

/** Euros with up to 3 decimals as integer thousandths: the scale's 0.529 €/km is 529, exactly. */
const milli = (euros: number) => Math.round(euros * 1000);

/**
 * The yearly allowance in cents for `km` kilometres driven in the year with a car of `cv`
 * fiscal horsepower: the band of the whole yearly distance applies to all of it (that is how
 * the fiscal scale reads), +electricBonusPct for an electric car, rounded to the cent once.
 */
export function yearlyAllowanceCents(scale: MileageScale, cv: number, electric: boolean, km: number): number {
  if (km <= 0) return 0;
  const band = bandFor(classFor(scale, cv), km);
  const thousandths = km * milli(band.perKm) + milli(band.fixed); // of a euro
  const pct = 100 + (electric ? scale.electricBonusPct : 0);
  // cents = thousandths / 10, raised by pct/100; one rounding, half up.
  return Math.round((thousandths * pct) / 1000);
}

/**
 * A mileage line's allowance: the yearly amount at the new cumulative distance minus what the
 * person has already been granted for the year (their earlier lines). The band is the one of the
 * cumulative distance, so crossing 5,000 km re-prices the year; never negative.
 */
export function mileageLineCents(scale: MileageScale, cv: number, electric: boolean, kmBefore: number, refundedBeforeCents: number, km: number): number {
  return Math.max(0, yearlyAllowanceCents(scale, cv, electric, kmBefore + km) - refundedBeforeCents);
}

/** The ceiling that applies to a category, if any. */
export function ceilingKind(category: Category): RateKind | null {
  switch (category) {
    case 'meal_workplace':
    case 'meal_travel':
    case 'meal_restaurant':
    case 'lodging_paris':
    case 'lodging_other':
      return category;
    default:
      return null;
  }
}

/** What is refunded for an amount under a ceiling: capped at it, and flagged when it was. */
export function applyCeiling(amountCents: number, ceilingCents: number | null): { refund: number; capped: boolean } {
  if (ceilingCents === null || amountCents <= ceilingCents) return { refund: amountCents, capped: false };
  return { refund: ceilingCents, capped: true };
}

/** The rate in force on a day: the latest valid_from on or before it; before the first one, the first one. */
export function rateOn<T extends { valid_from: string }>(rates: T[], day: string): T | undefined {
  const sorted = [...rates].sort((a, b) => a.valid_from.localeCompare(b.valid_from));
  let pick: T | undefined = sorted[0];
  for (const r of sorted) if (r.valid_from <= day) pick = r;
  return pick;
}

/** Accounts of the chart (PCG) debited for each category; 421 (personnel) is credited. */
export const ACCOUNT_OF: Record<Category, { account: string; label: string }> = {
  meal_workplace: { account: '6256', label: 'Missions' },
  meal_travel: { account: '6256', label: 'Missions' },
  meal_restaurant: { account: '6256', label: 'Missions' },
  lodging_paris: { account: '6256', label: 'Missions' },
  lodging_other: { account: '6256', label: 'Missions' },
  train: { account: '6251', label: 'Voyages et déplacements' },
  taxi: { account: '6251', label: 'Voyages et déplacements' },
  parking: { account: '6251', label: 'Voyages et déplacements' },
  tolls: { account: '6251', label: 'Voyages et déplacements' },
  mileage: { account: '6251', label: 'Voyages et déplacements' },
  other: { account: '6257', label: 'Réceptions' },
};

/** A scale as typed on the admin page, one class a line: `3 | 0,529 | 0,316 + 1065 | 0,370` (maxCv, then each band's € per km [+ fixed]); the last class's cv is "7+". Bands end at 5,000 and 20,000 km. */
export function parseScaleLines(text: string, electricBonusPct: number): MileageScale | { error: string } {
  const classes: MileageClass[] = [];
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length < 1 || lines.length > 10) return { error: 'expenses.rates.scale_invalid' };
  const num = (s: string) => (/^\d{1,5}([.,]\d{1,4})?$/.test(s.trim()) ? Number(s.trim().replace(',', '.')) : NaN);
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i].split('|').map((c) => c.trim());
    if (cells.length !== 4) return { error: 'expenses.rates.scale_invalid' };
    const last = i === lines.length - 1;
    const cv = last && /^\d+\s*\+$/.test(cells[0]) ? null : /^\d{1,2}$/.test(cells[0]) ? Number(cells[0]) : NaN;
    if (cv !== null && Number.isNaN(cv)) return { error: 'expenses.rates.scale_invalid' };
    const bands: MileageBand[] = [];
    const ends = [5000, 20000, null];
    for (let b = 0; b < 3; b++) {
      const [a, f] = cells[b + 1].split('+');
      const perKm = num(a);
      const fixed = f === undefined ? 0 : num(f);
      if (!Number.isFinite(perKm) || !Number.isFinite(fixed) || perKm <= 0 || perKm > 10) return { error: 'expenses.rates.scale_invalid' };
      bands.push({ upToKm: ends[b], perKm, fixed });
    }
    classes.push({ maxCv: cv, bands });
  }
  if (classes[classes.length - 1].maxCv !== null) return { error: 'expenses.rates.scale_last_open' };
  if (!Number.isInteger(electricBonusPct) || electricBonusPct < 0 || electricBonusPct > 100) return { error: 'expenses.rates.bonus_invalid' };
  return { classes, electricBonusPct };
}

/** The admin form's text of a scale (the inverse of parseScaleLines). */
export function scaleLines(scale: MileageScale): string {
  const fmt = (n: number) => String(n).replace('.', ',');
  return scale.classes.map((c) => [c.maxCv === null ? `${(scale.classes[scale.classes.length - 2]?.maxCv ?? 6) + 1}+` : String(c.maxCv), ...c.bands.map((b) => `${fmt(b.perKm)}${b.fixed ? ` + ${fmt(b.fixed)}` : ''}`)].join(' | ')).join('\n');
}

/** A stored scale, or undefined when its JSON is not one. */
export function parseScale(json: string | null): MileageScale | undefined {
  if (!json) return undefined;
  try {
    const s = JSON.parse(json) as MileageScale;
    return Array.isArray(s.classes) && s.classes.length ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Euros typed the French way or not ("12,50", "12.5", "1 234,5") → cents, or NaN. */
export function parseEuros(v: string): number {
  const s = v.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^-?\d{1,9}(\.\d{1,2})?$/.test(s)) return NaN;
  return Math.round(Number(s) * 100);
}
