// How many days a leave request counts ("décompte"): pure, on calendar dates.
//
// - unit 'ouvrables': Monday–Saturday are countable (Sunday never); 'ouvres': Monday–Friday.
// - public holidays of the person's calendar are never counted, nor the person's own
//   non-working weekdays (a part-time Wednesday).
// - halves: `startHalf: 'afternoon'` means the leave begins at noon on the first day (that day
//   counts ½); `endHalf: 'morning'` means it ends at noon on the last day (½). `'morning'` at the
//   start and `'afternoon'` at the end, like null, mean the whole day. A single half day is
//   start = end with one of the two halves set (afternoon start, or morning end).
import { dayNumber, holidayDates, isCalendarDate, isoOfDay, weekdayOf, type HolidayCalendar } from './holidays.js';

export const UNITS = ['ouvrables', 'ouvres'] as const;
export type LeaveUnit = (typeof UNITS)[number];
export type Half = 'morning' | 'afternoon';

/** The longest span one request may cover, so a typo (2062 for 2026) cannot make a huge loop. */
export const MAX_SPAN_DAYS = 400;

export interface CountInput {
  start: string;
  startHalf: Half | null;
  end: string;
  endHalf: Half | null;
  unit: LeaveUnit;
  calendar: HolidayCalendar;
  /** 0 = Sunday … 6 = Saturday */
  nonWorkingWeekdays: readonly number[];
}

export type SkipReason = 'weekend' | 'holiday' | 'non_working';
export interface DayLine {
  date: string;
  /** 1, 0.5 or 0 */
  counts: number;
  skipped?: SkipReason;
  /** the holiday's id when skipped for one (leave.holiday.<id>) */
  holiday?: string;
}

/** Day by day: what each date of the span counts and why a date does not. */
export function leaveDayLines(input: CountInput): DayLine[] {
  const { start, end, startHalf, endHalf, unit, calendar } = input;
  if (!isCalendarDate(start) || !isCalendarDate(end)) throw new RangeError('invalid date');
  const first = dayNumber(start);
  const last = dayNumber(end);
  if (last < first) throw new RangeError('end before start');
  if (last - first + 1 > MAX_SPAN_DAYS) throw new RangeError('span too long');
  if (first === last && startHalf === 'afternoon' && endHalf === 'morning') throw new RangeError('empty half day');
  const offWeekdays = new Set(input.nonWorkingWeekdays);
  const weekend = unit === 'ouvrables' ? new Set([0]) : new Set([0, 6]);
  const hol = holidayDates(start, end, calendar);
  const lines: DayLine[] = [];
  for (let n = first; n <= last; n++) {
    const date = isoOfDay(n);
    const wd = weekdayOf(date);
    if (weekend.has(wd)) lines.push({ date, counts: 0, skipped: 'weekend' });
    else if (hol.has(date)) lines.push({ date, counts: 0, skipped: 'holiday', holiday: hol.get(date) });
    else if (offWeekdays.has(wd)) lines.push({ date, counts: 0, skipped: 'non_working' });
    else {
      let counts = 1;
      if (n === first && startHalf === 'afternoon') counts -= 0.5;
      if (n === last && endHalf === 'morning') counts -= 0.5;
      lines.push({ date, counts });
    }
  }
  return lines;
}

/** The days a request counts, halves included (e.g. 4.5). */
export function countLeaveDays(input: CountInput): number {
  return leaveDayLines(input).reduce((sum, l) => sum + l.counts, 0);
}
