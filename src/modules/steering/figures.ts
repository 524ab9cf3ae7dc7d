// The figures of a scenario, always computed from its lines (pure: unit-tested). A "stated"
// total (as written in a plan, or typed) is only compared with the computed one and flagged
// when they disagree; it is never shown as the total.

/** The legal conversion rate of the franc (1 € = 6.55957 F, fixed on 31 December 1998). */
export const FRANCS_PER_EURO = 6.55957;

/** Francs (as written in the historic plan) → euro cents, rounded to the cent. */
export function francsToCents(francs: number): number {
  return Math.round((francs * 100) / FRANCS_PER_EURO);
}

export interface LineLike {
  kind: 'investment' | 'running' | 'gain';
  amount_cents: number;
  francs: number | null;
}

export interface Totals {
  investment: number;
  running: number;
  gain: number;
}

export interface Figures {
  /** euro cents, sums of the lines */
  totals: Totals;
  /** francs, sums of the lines typed in francs (historic plan), else null */
  francs: Totals | null;
  /** kinds whose stated total disagrees with the lines: the stated value and the difference (cents) */
  discrepancies: { kind: keyof Totals; stated: number; computed: number; difference: number }[];
  /** yearly gain minus yearly running cost (cents) */
  yearlyNet: number;
  /** years until the gains repay the investment; null when the yearly net is not positive */
  paybackYears: number | null;
  /** investment + N years of running cost (cents) */
  cost3: number;
  cost5: number;
  /** N years of gains minus the N-year cost (cents) */
  net3: number;
  net5: number;
}

export function figuresOf(lines: readonly LineLike[], stated: Partial<Record<keyof Totals, number | null>> = {}): Figures {
  const totals: Totals = { investment: 0, running: 0, gain: 0 };
  const francs: Totals = { investment: 0, running: 0, gain: 0 };
  let anyFrancs = false;
  for (const l of lines) {
    totals[l.kind] += l.amount_cents;
    if (l.francs !== null) {
      francs[l.kind] += l.francs;
      anyFrancs = true;
    }
  }
  const discrepancies: Figures['discrepancies'] = [];
  for (const kind of ['investment', 'running', 'gain'] as const) {
    const s = stated[kind];
    // A stated total agrees when it is within a cent per line (rounding francs → euros line by line).
    const tolerance = lines.filter((l) => l.kind === kind).length;
    if (s !== null && s !== undefined && Math.abs(s - totals[kind]) > tolerance) {
      discrepancies.push({ kind, stated: s, computed: totals[kind], difference: s - totals[kind] });
    }
  }
  const yearlyNet = totals.gain - totals.running;
  const cost = (years: number) => totals.investment + years * totals.running;
  return {
    totals,
    francs: anyFrancs ? francs : null,
    discrepancies,
    yearlyNet,
    paybackYears: yearlyNet > 0 ? Math.round((totals.investment / yearlyNet) * 100) / 100 : null,
    cost3: cost(3),
    cost5: cost(5),
    net3: 3 * totals.gain - cost(3),
    net5: 5 * totals.gain - cost(5),
  };
}
