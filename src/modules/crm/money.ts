// Money is integer cents everywhere; forecasts never go through floating-point euros.

/** Largest amount a deal may carry: 10 million euros (anything above is a typing mistake). */
export const MAX_AMOUNT_CENTS = 1_000_000_000;

/**
 * Parses what a person types as an amount in euros ("1 234,56", "1234.5", "12 000 €") into
 * integer cents. Returns undefined for an empty string and NaN when it is not an amount.
 */
export function parseEuros(input: string): number | undefined {
  const s = input.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (s === '') return undefined;
  const m = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return NaN;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -cents : cents;
}

/** Cents as "1234.56" for form fields (not for display: use formatMoney). */
export function centsToInput(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const a = Math.abs(cents);
  return `${sign}${Math.floor(a / 100)}${a % 100 ? ',' + String(a % 100).padStart(2, '0') : ''}`;
}

/**
 * Weighted amount of one deal, rounded half up to the cent. The SQL of the forecast computes the
 * same expression, `(amount_cents * probability + 50) / 100` in integer arithmetic, per deal.
 */
export function weightedCents(amountCents: number, probability: number): number {
  return Math.floor((amountCents * probability + 50) / 100);
}
