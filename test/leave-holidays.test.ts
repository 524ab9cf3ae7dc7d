// Public holidays and leave counting: pure functions, checked exhaustively against an
// independent Easter computation (Gauss's method with its two exceptions, written here and
// sharing nothing with the code's Meeus/Jones/Butcher), and against known vectors.
import { describe, expect, it } from 'vitest';
import { countLeaveDays, leaveDayLines, type CountInput } from '../src/modules/leave/counting.js';
import { easterSunday, holidays, isCalendarDate, weekdayOf } from '../src/modules/leave/holidays.js';

/** Gauss's Easter algorithm (Gregorian), with the exceptions of 26 and 25 April. */
function gaussEaster(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = year % 4;
  const c = year % 7;
  const k = Math.floor(year / 100);
  const p = Math.floor((13 + 8 * k) / 25);
  const q = Math.floor(k / 4);
  const M = (15 - p + k - q) % 30;
  const N = (4 + k - q) % 7;
  const d = (19 * a + M) % 30;
  const e = (2 * b + 4 * c + 6 * d + N) % 7;
  let month = 3;
  let day = 22 + d + e;
  if (day > 31) {
    month = 4;
    day = d + e - 9;
  }
  if (month === 4 && d === 29 && e === 6) day = 19;
  if (month === 4 && d === 28 && e === 6 && (11 * M + 11) % 30 < 19) day = 18;
  return { month, day };
}

/** Date arithmetic written differently from the code: a Date moved with setUTCDate. */
function shift(year: number, month: number, day: number, by: number): string {
  const dt = new Date(Date.UTC(year, month - 1, day, 12));
  dt.setUTCDate(dt.getUTCDate() + by);
  return dt.toISOString().slice(0, 10);
}
const p2 = (n: number) => String(n).padStart(2, '0');

function expectedHolidays(year: number, alsace: boolean): { date: string; name: string }[] {
  const { month, day } = gaussEaster(year);
  const fixed = (m: number, d: number) => `${year}-${p2(m)}-${p2(d)}`;
  const list = [
    { date: fixed(1, 1), name: 'Jour de l’an' },
    { date: shift(year, month, day, 1), name: 'Lundi de Pâques' },
    { date: fixed(5, 1), name: 'Fête du Travail' },
    { date: fixed(5, 8), name: 'Victoire 1945' },
    { date: shift(year, month, day, 39), name: 'Ascension' },
    { date: shift(year, month, day, 50), name: 'Lundi de Pentecôte' },
    { date: fixed(7, 14), name: 'Fête nationale' },
    { date: fixed(8, 15), name: 'Assomption' },
    { date: fixed(11, 1), name: 'Toussaint' },
    { date: fixed(11, 11), name: 'Armistice 1918' },
    { date: fixed(12, 25), name: 'Noël' },
  ];
  if (alsace) list.push({ date: shift(year, month, day, -2), name: 'Vendredi saint' }, { date: fixed(12, 26), name: 'Saint-Étienne' });
  // stable sort by date: the order of equal dates (Ascension on 1 May 2008) is the list's
  return list.map((h, i) => ({ ...h, i })).sort((x, y) => x.date.localeCompare(y.date) || x.i - y.i).map(({ date, name }) => ({ date, name }));
}

describe('public holidays', () => {
  it('match an independent computation for every year 2000–2100, on both calendars', () => {
    for (let year = 2000; year <= 2100; year++) {
      const g = gaussEaster(year);
      expect(easterSunday(year), `Easter ${year}`).toEqual([g.month, g.day]);
      for (const alsace of [false, true]) {
        const got = holidays(year, alsace ? 'alsace-moselle' : 'general').map(({ date, name }) => ({ date, name }));
        expect(got, `${year} ${alsace ? 'alsace-moselle' : 'general'}`).toEqual(expectedHolidays(year, alsace));
      }
    }
  });

  it('Gauss and the code agree on Easter over four Gregorian centuries (the exceptional years included)', () => {
    const years = Array.from({ length: 4099 - 1583 + 1 }, (_, i) => 1583 + i);
    expect(years.map((y) => easterSunday(y))).toEqual(years.map((y) => [gaussEaster(y).month, gaussEaster(y).day]));
    // 1981 and 2076: Gauss's 19 April exception; 1954 and 2049: the 18 April one
    expect(easterSunday(1981)).toEqual([4, 19]);
    expect(easterSunday(2076)).toEqual([4, 19]);
    expect(easterSunday(1954)).toEqual([4, 18]);
    expect(easterSunday(2049)).toEqual([4, 18]);
  });

  it('known dates', () => {
    const easter = (y: number) => easterSunday(y).map(p2).join('-');
    expect(easter(2000)).toBe('04-23');
    expect(easter(2008)).toBe('03-23');
    expect(easter(2011)).toBe('04-24');
    expect(easter(2024)).toBe('03-31');
    expect(easter(2025)).toBe('04-20');
    expect(easter(2026)).toBe('04-05');
    expect(easter(2038)).toBe('04-25'); // the latest possible
    expect(easter(2285)).toBe('03-22'); // the earliest possible
    expect(holidays(2026, 'general').map((h) => h.date)).toEqual([
      '2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25',
    ]);
    expect(holidays(2026, 'alsace-moselle').map((h) => h.date)).toEqual([
      '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25', '2026-12-26',
    ]);
    // 2008: Ascension on 1 May, both kept
    expect(holidays(2008).filter((h) => h.date === '2008-05-01').map((h) => h.name)).toEqual(['Fête du Travail', 'Ascension']);
    expect(() => holidays(1500)).toThrow(RangeError);
    expect(() => holidays(2026.5)).toThrow(RangeError);
  });

  it('calendar dates are checked for real', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(weekdayOf('2026-12-07')).toBe(1); // a Monday
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(weekdayOf('1969-12-28')).toBe(0);
  });
});

describe('counting leave days', () => {
  const base: CountInput = { start: '', startHalf: null, end: '', endHalf: null, unit: 'ouvres', calendar: 'general', nonWorkingWeekdays: [] };
  const count = (start: string, end: string, more: Partial<CountInput> = {}) => countLeaveDays({ ...base, start, end, ...more });

  it('weeks: ouvrés count Monday–Friday, ouvrables Monday–Saturday, Sunday never', () => {
    // Monday 7 – Sunday 13 December 2026
    expect(count('2026-12-07', '2026-12-13')).toBe(5);
    expect(count('2026-12-07', '2026-12-13', { unit: 'ouvrables' })).toBe(6);
    // Friday to Monday across a weekend
    expect(count('2026-12-11', '2026-12-14')).toBe(2);
    expect(count('2026-12-11', '2026-12-14', { unit: 'ouvrables' })).toBe(3);
    expect(count('2026-12-12', '2026-12-13')).toBe(0); // a weekend only
    expect(count('2026-12-13', '2026-12-13', { unit: 'ouvrables' })).toBe(0); // a Sunday
  });

  it('public holidays are not counted, per calendar', () => {
    // Christmas week 2026: Friday 25 is Christmas; Saturday 26 is Saint-Étienne in Alsace-Moselle
    expect(count('2026-12-21', '2026-12-27')).toBe(4);
    expect(count('2026-12-21', '2026-12-27', { unit: 'ouvrables' })).toBe(5);
    expect(count('2026-12-21', '2026-12-27', { unit: 'ouvrables', calendar: 'alsace-moselle' })).toBe(4);
    // Easter 2026: Good Friday 3 April counts in general, not in Alsace-Moselle; Monday 6 never
    expect(count('2026-03-30', '2026-04-10')).toBe(9);
    expect(count('2026-03-30', '2026-04-10', { calendar: 'alsace-moselle' })).toBe(8);
    // Ascension Thursday 14 May 2026 and the "pont" Friday
    expect(count('2026-05-14', '2026-05-15')).toBe(1);
  });

  it('a request on a holiday only counts 0', () => {
    expect(count('2026-07-14', '2026-07-14')).toBe(0);
    expect(count('2026-05-01', '2026-05-01', { unit: 'ouvrables', startHalf: 'afternoon' })).toBe(0);
    expect(leaveDayLines({ ...base, start: '2026-07-14', end: '2026-07-14' })).toEqual([{ date: '2026-07-14', counts: 0, skipped: 'holiday', holiday: 'bastille_day' }]);
  });

  it('half days at either end, and a single half day', () => {
    expect(count('2026-12-07', '2026-12-11', { startHalf: 'afternoon' })).toBe(4.5);
    expect(count('2026-12-07', '2026-12-11', { endHalf: 'morning' })).toBe(4.5);
    expect(count('2026-12-07', '2026-12-11', { startHalf: 'afternoon', endHalf: 'morning' })).toBe(4);
    expect(count('2026-12-07', '2026-12-11', { startHalf: 'morning', endHalf: 'afternoon' })).toBe(5);
    expect(count('2026-12-08', '2026-12-08', { endHalf: 'morning' })).toBe(0.5);
    expect(count('2026-12-08', '2026-12-08', { startHalf: 'afternoon' })).toBe(0.5);
    expect(count('2026-12-08', '2026-12-08', { startHalf: 'morning', endHalf: 'morning' })).toBe(0.5);
    expect(count('2026-12-08', '2026-12-08', { startHalf: 'afternoon', endHalf: 'afternoon' })).toBe(0.5);
    expect(count('2026-12-08', '2026-12-08')).toBe(1);
    expect(() => count('2026-12-08', '2026-12-08', { startHalf: 'afternoon', endHalf: 'morning' })).toThrow(RangeError);
    // a half day falling on a weekend counts nothing
    expect(count('2026-12-12', '2026-12-14', { startHalf: 'afternoon' })).toBe(1);
  });

  it('month and year ends', () => {
    // Monday 30 November – Wednesday 2 December 2026
    expect(count('2026-11-30', '2026-12-02')).toBe(3);
    // Monday 28 December 2026 – Friday 8 January 2027: 1 January is a holiday
    expect(count('2026-12-28', '2027-01-08')).toBe(9);
    expect(count('2026-12-28', '2027-01-08', { unit: 'ouvrables' })).toBe(10); // 11 days Monday–Saturday, less 1 January
    // 28 February in a leap year and not
    expect(count('2028-02-28', '2028-03-01')).toBe(3);
    expect(count('2027-02-26', '2027-03-01')).toBe(2);
  });

  it('the person’s non-working days are never counted', () => {
    // part time, off on Wednesdays
    expect(count('2026-12-07', '2026-12-13', { nonWorkingWeekdays: [3] })).toBe(4);
    expect(count('2026-12-09', '2026-12-09', { nonWorkingWeekdays: [3] })).toBe(0);
    expect(count('2026-12-07', '2026-12-13', { unit: 'ouvrables', nonWorkingWeekdays: [3] })).toBe(5);
  });

  it('bad spans are refused', () => {
    expect(() => count('2026-12-10', '2026-12-09')).toThrow(RangeError);
    expect(() => count('2026-02-30', '2026-03-02')).toThrow(RangeError);
    expect(() => count('2026-01-01', '2028-01-01')).toThrow(RangeError);
  });
});
