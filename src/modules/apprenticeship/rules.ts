// The apprenticeship-tax computation, pure: a rule set per year range (its rates are data, kept
// in `apprenticeship_rate_sets`, dated), code per regime. Amounts are exact integer arithmetic
// (BigInt) on cents; each part is rounded to the cent, then to the euro once, at the end.
//
// Rates are in millionths of the payroll ("ppm": 0.59 % = 5,900) and shares in basis points of
// the tax (51 % = 5,100), so no rate is ever a binary fraction.

/** The two regimes the code knows: since the 2018 reform (in force 2022) and the OCTA years. */
export const REGIMES = ['since2022', 'octa2014'] as const;
export type Regime = (typeof REGIMES)[number];

/** CSA (contribution supplémentaire à l'apprentissage): companies of `minEmployees`+ under `ratioCapPct` % work-study staff. */
export interface CsaRates {
  minEmployees: number;
  /** the first band's rate doubles up from this headcount (0.4 % → 0.6 %) */
  largeEmployees: number;
  /** bands by work-study ratio, ascending: below `belowPct` % the rate applies */
  bands: { belowPct: number; ppm: number; largePpm?: number }[];
  /** Alsace-Moselle's own rates, same bands */
  alsaceBands: { belowPct: number; ppm: number; largePpm?: number }[];
}

export interface Since2022Rates {
  /** part principale, 0.59 % */
  mainPpm: number;
  /** solde, 0.09 % */
  soldePpm: number;
  /** Alsace-Moselle: 0.44 %, no solde */
  alsaceMainPpm: number;
  csa: CsaRates;
}

export interface Octa2014Rates {
  /** taxe d'apprentissage 0.68 % (Alsace-Moselle 0.44 %) */
  taxPpm: number;
  alsaceTaxPpm: number;
  /** shares of the tax, in basis points: fraction régionale, quota, hors-quota (barème) */
  regionalBp: number;
  quotaBp: number;
  horsQuotaBp: number;
  /** Alsace-Moselle owed no hors-quota: regional and quota only */
  alsaceRegionalBp: number;
  alsaceQuotaBp: number;
  csa: CsaRates;
}

export type RateSet =
  | { regime: 'since2022'; fromYear: number; toYear: number | null; rates: Since2022Rates }
  | { regime: 'octa2014'; fromYear: number; toYear: number | null; rates: Octa2014Rates };

const CSA: CsaRates = {
  minEmployees: 250,
  largeEmployees: 2000,
  bands: [
    { belowPct: 1, ppm: 4000, largePpm: 6000 },
    { belowPct: 2, ppm: 2000 },
    { belowPct: 3, ppm: 1000 },
    { belowPct: 5, ppm: 500 },
  ],
  alsaceBands: [
    { belowPct: 1, ppm: 2080, largePpm: 3120 },
    { belowPct: 2, ppm: 1040 },
    { belowPct: 3, ppm: 520 },
    { belowPct: 5, ppm: 260 },
  ],
};

/**
 * The rule sets a new database starts with (the migration writes the same figures; staff read
 * them on the campaign settings page). DOMAIN.md "Apprenticeship tax".
 */
export const DEFAULT_RATE_SETS: RateSet[] = [
  { regime: 'since2022', fromYear: 2022, toYear: null, rates: { mainPpm: 5900, soldePpm: 900, alsaceMainPpm: 4400, csa: CSA } },
  {
    regime: 'octa2014',
    fromYear: 2014,
    toYear: 2019,
    rates: { taxPpm: 6800, alsaceTaxPpm: 4400, regionalBp: 5100, quotaBp: 2600, horsQuotaBp: 2300, alsaceRegionalBp: 5100, alsaceQuotaBp: 4900, csa: CSA },
  },
];

export interface TaxInput {
  year: number;
  /** gross payroll (masse salariale brute), in cents */
  payrollCents: number;
  /** average annual headcount, in hundredths (DSN's effectif moyen annuel may have decimals) */
  employees100: number;
  workStudy100: number;
  alsaceMoselle: boolean;
}

export interface TaxParts {
  /** cents, each rounded to the cent */
  mainCents: number;
  soldeCents: number;
  csaCents: number;
  /** octa2014 only: the split of the tax */
  parts?: { regionalCents: number; quotaCents: number; horsQuotaCents: number };
}

export interface TaxResult extends TaxParts {
  regime: Regime;
  /** euros, rounded once at the end; total is the sum of the declared (rounded) lines */
  main: number;
  solde: number;
  csa: number;
  total: number;
  /** the CSA band applied, in ppm (0 when none) */
  csaPpm: number;
}

/** Half-up division of non-negative BigInts. */
function divRound(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (d * 2n);
}

/** payroll × ppm, in cents rounded to the cent. */
export function ofPayroll(payrollCents: number, ppm: number): number {
  return Number(divRound(BigInt(payrollCents) * BigInt(ppm), 1_000_000n));
}

/** cents → whole euros, half up (the declaration's rounding), once. */
export function toEuros(cents: number): number {
  return Number(divRound(BigInt(cents), 100n));
}

/** The CSA rate (ppm) of a company: none under `minEmployees` or from `ratioCapPct` % work-study staff up. */
export function csaRate(csa: CsaRates, employees100: number, workStudy100: number, alsace: boolean): number {
  if (employees100 < csa.minEmployees * 100) return 0;
  const large = employees100 >= csa.largeEmployees * 100;
  for (const band of alsace ? csa.alsaceBands : csa.bands) {
    // ratio < belowPct %  ⇔  workStudy × 100 < belowPct × employees (exact, integers)
    if (workStudy100 * 100 < band.belowPct * employees100) return large && band.largePpm !== undefined ? band.largePpm : band.ppm;
  }
  return 0;
}

function since2022(r: Since2022Rates, input: TaxInput): TaxParts & { csaPpm: number } {
  const csaPpm = csaRate(r.csa, input.employees100, input.workStudy100, input.alsaceMoselle);
  return {
    mainCents: ofPayroll(input.payrollCents, input.alsaceMoselle ? r.alsaceMainPpm : r.mainPpm),
    soldeCents: input.alsaceMoselle ? 0 : ofPayroll(input.payrollCents, r.soldePpm),
    csaCents: ofPayroll(input.payrollCents, csaPpm),
    csaPpm,
  };
}

function octa2014(r: Octa2014Rates, input: TaxInput): TaxParts & { csaPpm: number } {
  const csaPpm = csaRate(r.csa, input.employees100, input.workStudy100, input.alsaceMoselle);
  // The tax in exact millionths of a cent, split by shares, each share rounded to the cent.
  const taxPpm = BigInt(input.alsaceMoselle ? r.alsaceTaxPpm : r.taxPpm);
  const share = (bp: number) => Number(divRound(BigInt(input.payrollCents) * taxPpm * BigInt(bp), 10_000_000_000n));
  const regionalCents = share(input.alsaceMoselle ? r.alsaceRegionalBp : r.regionalBp);
  const quotaCents = share(input.alsaceMoselle ? r.alsaceQuotaBp : r.quotaBp);
  const horsQuotaCents = input.alsaceMoselle ? 0 : share(r.horsQuotaBp);
  // "main" is what the collector (OCTA) received for the region and the CFAs; "solde" the
  // hors-quota the employer allocated to schools — the same role as today's solde.
  return { mainCents: regionalCents + quotaCents, soldeCents: horsQuotaCents, csaCents: ofPayroll(input.payrollCents, csaPpm), csaPpm, parts: { regionalCents, quotaCents, horsQuotaCents } };
}

/** The rule set covering a year, if any. */
export function rateSetFor(sets: readonly RateSet[], year: number): RateSet | undefined {
  return sets.find((s) => year >= s.fromYear && (s.toYear === null || year <= s.toYear));
}

/** Computes the tax with a rule set (which must cover input.year). */
export function computeTax(set: RateSet, input: TaxInput): TaxResult {
  const p = set.regime === 'since2022' ? since2022(set.rates, input) : octa2014(set.rates, input);
  const main = toEuros(p.mainCents);
  const solde = toEuros(p.soldeCents);
  const csa = toEuros(p.csaCents);
  return { regime: set.regime, ...p, main, solde, csa, total: main + solde + csa };
}

/** Départements of Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle). */
export const ALSACE_MOSELLE = ['57', '67', '68'] as const;
export function isAlsaceMoselle(department: string | null | undefined): boolean {
  return department !== null && department !== undefined && (ALSACE_MOSELLE as readonly string[]).includes(department);
}

/** A pledge's amount: `bp` basis points of the solde, in cents (rounded to the cent). */
export function pledgeCents(soldeCents: number, bp: number): number {
  return Number(divRound(BigInt(soldeCents) * BigInt(bp), 10_000n));
}
