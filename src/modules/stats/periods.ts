// Calendar buckets in Europe/Paris (pure, unit-tested across month ends and DST changes). Hours
// are keyed by the UTC instant of their start (the autumn night has two local 02:00 hours: two
// buckets, never merged); days and months by their Paris calendar date, their bounds computed
// from the local midnights (a day lasts 23, 24 or 25 hours).
const TZ = 'Europe/Paris';
const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function parts(t: number): { y: number; m: number; d: number; h: number; min: number } {
  const p: Record<string, string> = {};
  for (const x of fmt.formatToParts(new Date(t))) p[x.type] = x.value;
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), min: Number(p.minute) };
}

/** Minutes Paris is ahead of UTC at instant t (60 or 120). */
function offsetMs(t: number): number {
  const p = parts(t);
  const local = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min);
  return local - Math.floor(t / 60_000) * 60_000;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function parisDay(t: Date | number | string): string {
  const p = parts(new Date(t).getTime());
  return `${p.y}-${pad(p.m)}-${pad(p.d)}`;
}

export function parisMonth(t: Date | number | string): string {
  return parisDay(t).slice(0, 7);
}

/** The UTC instant (ISO) at which the hour containing t starts. */
export function hourBucket(t: Date | number | string): string {
  const ms = new Date(t).getTime();
  return new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString();
}

/** The UTC instant of local midnight starting a Paris calendar day 'YYYY-MM-DD'. */
export function parisMidnight(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  // Paris changes time at 02:00/03:00, never at midnight: the offset two hours before is the one.
  let t = wall - offsetMs(wall - 2 * 3_600_000);
  if (parisDay(t) !== day || parts(t).h !== 0) t = wall - offsetMs(t);
  return t;
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

/** [from, to) of a Paris day as UTC ISO instants. */
export function dayBounds(day: string): { from: string; to: string } {
  return { from: new Date(parisMidnight(day)).toISOString(), to: new Date(parisMidnight(addDays(day, 1))).toISOString() };
}

/** [from, to) of a Paris month 'YYYY-MM' as UTC ISO instants. */
export function monthBounds(month: string): { from: string; to: string; fromDate: string; toDate: string } {
  const next = addMonths(month, 1);
  return { from: new Date(parisMidnight(`${month}-01`)).toISOString(), to: new Date(parisMidnight(`${next}-01`)).toISOString(), fromDate: `${month}-01`, toDate: `${next}-01` };
}

export function isMonth(v: unknown): v is string {
  return typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(v) && Number(v.slice(0, 4)) >= 2000 && Number(v.slice(0, 4)) <= 2100;
}
