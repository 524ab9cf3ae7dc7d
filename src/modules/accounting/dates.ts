// Calendar dates as 'YYYY-MM-DD' strings (no time zone: an entry's date is a day).

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value && value >= '1900-01-01' && value <= '2999-12-31';
}

/** 2026-12-07 → 20261207 (FEC dates). */
export function compactDate(iso: string): string {
  return iso.replaceAll('-', '');
}

/** Today in Paris (the CCI's day), YYYY-MM-DD. */
export function todayInParis(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
