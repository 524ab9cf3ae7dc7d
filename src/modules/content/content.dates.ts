// Editors type dates and times in Paris time (datetime-local inputs); the database keeps UTC.
const TZ = 'Europe/Paris';
const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

function parts(date: Date): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(date)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Minutes Paris is ahead of UTC at that instant (60 in winter, 120 in summer). */
function offsetMinutes(date: Date): number {
  const p = parts(date);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** '2026-12-01T10:00' (Paris) → ISO UTC; undefined when not a valid date-time. */
export function parisToUtc(local: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?$/.exec(local.trim());
  if (!m) return undefined;
  const [y, mo, da, h, mi] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59) return undefined;
  const guess = Date.UTC(y, mo - 1, da, h, mi);
  let t = guess - offsetMinutes(new Date(guess)) * 60000;
  t = guess - offsetMinutes(new Date(t)) * 60000;
  const out = new Date(t);
  return Number.isNaN(out.getTime()) ? undefined : out.toISOString();
}

/** ISO UTC → '2026-12-01T10:00' in Paris time, for datetime-local inputs. */
export function utcToParis(iso: string | null | undefined): string {
  if (!iso) return '';
  const p = parts(new Date(iso));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

export function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(new Date(s + 'T00:00:00Z').getTime());
}

/** Today's calendar date in Paris. */
export function todayParis(now = new Date()): string {
  return utcToParis(now.toISOString()).slice(0, 10);
}
