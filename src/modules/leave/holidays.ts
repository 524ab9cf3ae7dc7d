// French public holidays ("jours fériés", Code du travail L3133-1), computed, never stored:
// eleven fixed or Easter-based days, plus Good Friday and 26 December in Alsace-Moselle
// (Bas-Rhin, Haut-Rhin, Moselle: local law). Everything here works on calendar dates
// ('YYYY-MM-DD' strings and UTC-noon-free day arithmetic), never on timestamps, so no time
// zone or daylight-saving change can move a holiday by a day.

export const CALENDARS = ['general', 'alsace-moselle'] as const;
export type HolidayCalendar = (typeof CALENDARS)[number];

export const MIN_YEAR = 1583; // the first full Gregorian year: the Easter rule below holds from there
export const MAX_YEAR = 9999;

export interface Holiday {
  date: string;
  /** the message key of the holiday's name (leave.holiday.<id>) */
  id: HolidayId;
  name: string;
}

export type HolidayId =
  | 'new_year'
  | 'good_friday'
  | 'easter_monday'
  | 'labour_day'
  | 'victory_1945'
  | 'ascension'
  | 'whit_monday'
  | 'bastille_day'
  | 'assumption'
  | 'all_saints'
  | 'armistice_1918'
  | 'christmas'
  | 'saint_stephen';

/** French names, the reference (the API answers them; the web views translate the id). */
export const HOLIDAY_NAMES_FR: Record<HolidayId, string> = {
  new_year: 'Jour de l’an',
  good_friday: 'Vendredi saint',
  easter_monday: 'Lundi de Pâques',
  labour_day: 'Fête du Travail',
  victory_1945: 'Victoire 1945',
  ascension: 'Ascension',
  whit_monday: 'Lundi de Pentecôte',
  bastille_day: 'Fête nationale',
  assumption: 'Assomption',
  all_saints: 'Toussaint',
  armistice_1918: 'Armistice 1918',
  christmas: 'Noël',
  saint_stephen: 'Saint-Étienne',
};

export function isCalendar(v: unknown): v is HolidayCalendar {
  return v === 'general' || v === 'alsace-moselle';
}

export function isValidYear(y: number): boolean {
  return Number.isInteger(y) && y >= MIN_YEAR && y <= MAX_YEAR;
}

/**
 * Easter Sunday of a Gregorian year, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
 * Returns [month 1-12, day].
 */
export function easterSunday(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return [month, day];
}

// Day numbers: days since 1970-01-01 of a calendar date, through Date.UTC only (no local time).
export function dayNumber(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / 86400_000);
}
export function isoOfDay(n: number): string {
  const dt = new Date(n * 86400_000);
  return `${String(dt.getUTCFullYear()).padStart(4, '0')}-${String(dt.getUTCMonth() + 1).padStart(2, '0')}-${String(dt.getUTCDate()).padStart(2, '0')}`;
}
export function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
/** 0 = Sunday … 6 = Saturday, of a calendar date. */
export function weekdayOf(iso: string): number {
  return (((dayNumber(iso) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}
/** A real calendar date 'YYYY-MM-DD' (rejects 2026-02-30). */
export function isCalendarDate(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const [y, m, d] = v.split('-').map(Number) as [number, number, number];
  return y >= MIN_YEAR && isoOfDay(dayNumber(v)) === isoDate(y, m, d);
}

/** The public holidays of a year on a calendar, in date order. Throws RangeError on a bad year. */
export function holidays(year: number, calendar: HolidayCalendar = 'general'): Holiday[] {
  if (!isValidYear(year)) throw new RangeError(`year out of range: ${year}`);
  const [em, ed] = easterSunday(year);
  const easter = dayNumber(isoDate(year, em, ed));
  const fromEaster = (n: number) => isoOfDay(easter + n);
  const list: [string, HolidayId][] = [
    [isoDate(year, 1, 1), 'new_year'],
    [fromEaster(1), 'easter_monday'],
    [isoDate(year, 5, 1), 'labour_day'],
    [isoDate(year, 5, 8), 'victory_1945'],
    [fromEaster(39), 'ascension'],
    [fromEaster(50), 'whit_monday'],
    [isoDate(year, 7, 14), 'bastille_day'],
    [isoDate(year, 8, 15), 'assumption'],
    [isoDate(year, 11, 1), 'all_saints'],
    [isoDate(year, 11, 11), 'armistice_1918'],
    [isoDate(year, 12, 25), 'christmas'],
  ];
  if (calendar === 'alsace-moselle') list.push([fromEaster(-2), 'good_friday'], [isoDate(year, 12, 26), 'saint_stephen']);
  // Ascension may fall on 1 May (2008) or 8 May: both entries stay, same date; counting goes
  // through a set of dates, so the day is still left out once.
  return list.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([date, id]) => ({ date, id, name: HOLIDAY_NAMES_FR[id] }));
}

/** Date → holiday id, for every year a date range touches (for counting). */
export function holidayDates(fromIso: string, toIso: string, calendar: HolidayCalendar): Map<string, HolidayId> {
  const out = new Map<string, HolidayId>();
  const y0 = Number(fromIso.slice(0, 4));
  const y1 = Number(toIso.slice(0, 4));
  for (let y = y0; y <= y1; y++) for (const h of holidays(y, calendar)) if (!out.has(h.date)) out.set(h.date, h.id);
  return out;
}
