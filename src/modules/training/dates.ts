// Calendar dates as YYYY-MM-DD strings, computed in UTC so no time zone moves a day.
export const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
export const isMonth = (s: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(s);
export function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
export const daysBetween = (a: string, b: string): number => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
/** 0 = Sunday … 6 = Saturday */
export const weekdayOf = (iso: string): number => new Date(`${iso}T00:00:00Z`).getUTCDay();
export function todayInParis(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
export function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}
export function previousMonth(iso: string): string {
  const [y, m] = iso.slice(0, 7).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
/** Start and end times of a half day (local time): morning 9:00–12:30, afternoon 13:30–17:00. */
export const HALF_TIMES = { am: ['09:00', '12:30'], pm: ['13:30', '17:00'] } as const;
export const HALF_HOURS = 3.5;
/** "12/03/2027" */
export const frDate = (iso: string): string => (iso && iso.length >= 10 ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : iso);
/** 123456 → "1 234,56 €" (narrow no-break spaces replaced by plain ones for PDFs' standard fonts) */
export function euros(cents: number): string {
  const s = (cents / 100).toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${s.replace(/[\u202f\u00a0]/g, ' ')} €`;
}
export const hoursText = (h: number): string => `${String(Math.round(h * 100) / 100).replace('.', ',')} h`;
