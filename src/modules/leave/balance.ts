// Balances, pure: what a person has for a kind in a reference period, from dated accrual rules,
// the carry-over of earlier periods, HR adjustments and the requests that hold days.
//
// - A reference period starts on the 1st of the kind's start month (1 June for CP) and lasts a
//   year; it is named by its first day ('2026-06-01').
// - Each month of the period credits the rate in force that month (the rule with the latest
//   `valid_from` on or before it), from the month the person's accrual starts. A month is credited
//   on its first day, so "accrued by the month the leave starts" lets summer leave be planned in
//   spring within what the summer months will have given.
// - What is left of a period passes to the next one, capped by `carry_over_max` of the rule in
//   force when the next period starts (null: all; a debt always passes whole).
// - A request counts in the period its first day belongs to.
export interface AccrualRule {
  valid_from: string;
  per_month: number;
  carry_over_max: number | null;
}
export interface HeldDays {
  period_start: string;
  days: number;
  taken: boolean;
}
export interface Adjustment {
  period_start: string;
  days: number;
}
export interface BalanceInput {
  periodStartMonth: number;
  /** 'YYYY-MM-DD': accrual starts the month of this date */
  accrualStart: string;
  rules: readonly AccrualRule[];
  held: readonly HeldDays[];
  adjustments: readonly Adjustment[];
}
export interface Balance {
  period: string;
  periodEnd: string;
  carried: number;
  accrued: number;
  /** what the whole period gives (accrued by its last month) */
  accruedFullPeriod: number;
  adjusted: number;
  taken: number;
  pending: number;
  available: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const month = (iso: string) => iso.slice(0, 7);
function addMonths(ym: string, n: number): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  const t = y * 12 + (m - 1) + n;
  return `${String(Math.floor(t / 12)).padStart(4, '0')}-${String((t % 12) + 1).padStart(2, '0')}`;
}

/** The first day of the reference period a date belongs to. */
export function periodOf(date: string, periodStartMonth: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const startYear = m >= periodStartMonth ? y : y - 1;
  return `${String(startYear).padStart(4, '0')}-${String(periodStartMonth).padStart(2, '0')}-01`;
}
export function periodEndOf(period: string): string {
  const last = addMonths(month(period), 11);
  const [y, m] = last.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${last}-${String(days).padStart(2, '0')}`;
}

function ruleAt(rules: readonly AccrualRule[], ym: string): AccrualRule | undefined {
  let best: AccrualRule | undefined;
  for (const r of rules) if (month(r.valid_from) <= ym && (!best || r.valid_from > best.valid_from)) best = r;
  return best;
}

function accruedIn(input: BalanceInput, period: string, untilYm: string): number {
  const from = month(period);
  const last = addMonths(from, 11);
  const until = untilYm < last ? untilYm : last;
  const startYm = month(input.accrualStart);
  let sum = 0;
  for (let ym = from; ym <= until; ym = addMonths(ym, 1)) if (ym >= startYm) sum += ruleAt(input.rules, ym)?.per_month ?? 0;
  return sum;
}

/** The balance of one period, with months credited up to and including `asOf`'s month. */
export function balanceFor(input: BalanceInput, period: string, asOf: string): Balance {
  const sumOf = (p: string, f: (h: HeldDays) => boolean) => input.held.filter((h) => h.period_start === p && f(h)).reduce((s, h) => s + h.days, 0);
  const adjOf = (p: string) => input.adjustments.filter((a) => a.period_start === p).reduce((s, a) => s + a.days, 0);
  // Walk from the first period that has anything (accrual start, a request, an adjustment),
  // at most ten years back, carrying what is left forward.
  const firsts = [periodOf(input.accrualStart, input.periodStartMonth), ...input.held.map((h) => h.period_start), ...input.adjustments.map((a) => a.period_start)].sort();
  const tenYearsBack = `${String(Number(period.slice(0, 4)) - 10).padStart(4, '0')}${period.slice(4)}`;
  let p = firsts[0] && firsts[0] > tenYearsBack ? periodOf(firsts[0], input.periodStartMonth) : tenYearsBack;
  let carried = 0;
  while (p < period) {
    const left = carried + accruedIn(input, p, addMonths(month(p), 11)) + adjOf(p) - sumOf(p, () => true);
    const next = `${String(Number(p.slice(0, 4)) + 1).padStart(4, '0')}${p.slice(4)}`;
    const cap = ruleAt(input.rules, month(next))?.carry_over_max;
    carried = left < 0 ? left : cap === null || cap === undefined ? left : Math.min(left, cap);
    p = next;
  }
  const accrued = accruedIn(input, period, month(asOf));
  const adjusted = adjOf(period);
  const taken = sumOf(period, (h) => h.taken);
  const pending = sumOf(period, (h) => !h.taken);
  return {
    period,
    periodEnd: periodEndOf(period),
    carried: round2(carried),
    accrued: round2(accrued),
    accruedFullPeriod: round2(accruedIn(input, period, addMonths(month(period), 11))),
    adjusted: round2(adjusted),
    taken: round2(taken),
    pending: round2(pending),
    available: round2(carried + accrued + adjusted - taken - pending),
  };
}
