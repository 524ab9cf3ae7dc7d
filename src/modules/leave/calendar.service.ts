// The team calendar (a month, one row per person), the iCalendar exports and the payroll export.
// Heavy reads: the handlers pass `ctx.reads`.
import ical, { ICalCalendarMethod } from 'ical-generator';
import type { Actor } from '../../platform/audit/audit.js';
import { searchPeople } from '../directory/index.js';
import { leaveDayLines } from './counting.js';
import { addDays, monthBounds, todayInParis } from './dates.js';
import { dayNumber, holidayDates, isoOfDay, weekdayOf, type HolidayId } from './holidays.js';
import * as q from './leave.queries.js';
import { HOLDING, TAKEN, type LeaveDb } from './leave.table.js';
import { maySeeKind } from './policy.js';

/** A cell of the month grid: A (all day), M (morning), AM (afternoon); `pending` when not yet approved. */
export interface Cell {
  code: '' | 'A' | 'M' | 'AM';
  pending: boolean;
  kind: string | null;
  /** a public holiday of this person's calendar only (Good Friday, 26 December in Alsace-Moselle) */
  holiday: HolidayId | null;
}
/** People per page of the team calendar: a grid of 50 × 31 cells stays light to render and to read on a phone. */
export const TEAM_PAGE = 50;

export interface TeamMonth {
  month: string;
  page: number;
  total: number;
  days: { date: string; weekday: number; holiday: string | null }[];
  people: { id: number; name: string; cells: Cell[] }[];
  absences: (q.CalendarRow & { kindVisible: boolean })[];
  services: { id: number; name: string }[];
}

// The filter's list of services reads every person of the directory: kept 30 s per process and
// database handle (services are created a few times a year; a new one shows within 30 s).
const servicesCache = new WeakMap<object, { at: number; value: Promise<{ id: number; name: string }[]> }>();

/** The services people belong to (from the directory), for the filter. */
export function servicesOf(db: LeaveDb): Promise<{ id: number; name: string }[]> {
  const hit = servicesCache.get(db);
  if (hit && Date.now() - hit.at < 30_000) return hit.value;
  const value = readServices(db);
  servicesCache.set(db, { at: Date.now(), value });
  value.catch(() => servicesCache.delete(db));
  return value;
}

async function readServices(db: LeaveDb): Promise<{ id: number; name: string }[]> {
  const { items } = await searchPeople(db, {}, 2000);
  const seen = new Map<number, string>();
  for (const p of items) if (p.service_id && p.service_name) seen.set(p.service_id, p.service_name);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

async function peopleOf(db: LeaveDb, serviceId: number | undefined): Promise<{ id: number; name: string }[]> {
  if (serviceId) return (await searchPeople(db, { serviceId }, 2000)).items.map((p) => ({ id: p.id, name: p.name }));
  return q.activeStaff(db);
}

export async function teamMonth(db: LeaveDb, actor: Actor, month: string, serviceId?: number, page = 1): Promise<TeamMonth> {
  const { from, to } = monthBounds(month);
  const [everyone, services] = await Promise.all([peopleOf(db, serviceId), servicesOf(db)]);
  const pages = Math.max(1, Math.ceil(everyone.length / TEAM_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const people = everyone.slice((current - 1) * TEAM_PAGE, current * TEAM_PAGE);
  const [rows, calendars] = await Promise.all([q.absencesBetween(db, from, to, people.map((p) => p.id), HOLDING), q.calendarsOf(db, people.map((p) => p.id))]);
  const hol = holidayDates(from, to, 'general');
  // The Alsace-Moselle calendar's own days (Good Friday, 26 December), shown on the rows of its people.
  const local = new Map([...holidayDates(from, to, 'alsace-moselle')].filter(([date]) => !hol.has(date)));
  const onLocal = new Set(calendars.filter((c) => c.calendar === 'alsace-moselle').map((c) => c.user_id));
  const days: TeamMonth['days'] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) {
    const date = isoOfDay(n);
    days.push({ date, weekday: weekdayOf(date), holiday: hol.get(date) ?? null });
  }
  const index = new Map(days.map((d, i) => [d.date, i]));
  const grid = new Map<number, Cell[]>(people.map((p) => [p.id, days.map((d) => ({ code: '' as const, pending: false, kind: null, holiday: onLocal.has(p.id) ? (local.get(d.date) ?? null) : null }))]));
  for (const r of rows) {
    const cells = grid.get(r.user_id);
    if (!cells) continue;
    const pending = !(TAKEN as readonly string[]).includes(r.status);
    const kind = maySeeKind(actor, r.user_id) ? r.kind_code : null;
    for (let n = Math.max(dayNumber(r.start_date), dayNumber(from)); n <= Math.min(dayNumber(r.end_date), dayNumber(to)); n++) {
      const date = isoOfDay(n);
      const d = days[index.get(date)!]!;
      if (d.weekday === 0 || d.weekday === 6 || d.holiday || cells[index.get(date)!]!.holiday) continue;
      let code: Cell['code'] = 'A';
      if (date === r.start_date && r.start_half === 'afternoon') code = 'AM';
      if (date === r.end_date && r.end_half === 'morning') code = code === 'AM' ? 'A' : 'M';
      const cell = cells[index.get(date)!]!;
      // morning + afternoon of two requests on one day make a whole day
      cell.code = cell.code && cell.code !== code ? 'A' : code;
      cell.pending = cell.pending || pending;
      cell.kind = kind;
    }
  }
  return {
    month,
    page: current,
    total: everyone.length,
    days,
    people: people.map((p) => ({ ...p, cells: grid.get(p.id)! })),
    absences: rows.map((r) => ({ ...r, kindVisible: maySeeKind(actor, r.user_id) })),
    services,
  };
}

/** All-day events of absences; the kind only where the reader may see it. */
export async function icalOf(db: LeaveDb, actor: Actor, opts: { userIds: number[] | null; title: string; publicUrl: string; absentLabel: (name: string) => string; kindName: (code: string, fr: string, en: string) => string }): Promise<string> {
  const today = todayInParis();
  const rows = await q.absencesBetween(db, addDays(today, -90), addDays(today, 400), opts.userIds, ['approved', 'cancellation_pending', 'recorded']);
  const cal = ical({ name: opts.title, prodId: { company: 'Consulaire', product: 'leave', language: 'FR' }, method: ICalCalendarMethod.PUBLISH, ttl: 3600 });
  const host = new URL(opts.publicUrl).host;
  const day = (s: string) => new Date(s + 'T00:00:00Z');
  for (const r of rows) {
    const visible = maySeeKind(actor, r.user_id);
    cal.createEvent({
      id: `leave-${r.id}@${host}`,
      start: day(r.start_date),
      end: day(addDays(r.end_date, 1)),
      allDay: true,
      summary: visible ? `${r.user_name} — ${opts.kindName(r.kind_code, r.kind_fr, r.kind_en)}` : opts.absentLabel(r.user_name),
      description: [r.start_half === 'afternoon' ? `${r.start_date} PM` : '', r.end_half === 'morning' ? `${r.end_date} AM` : ''].filter(Boolean).join(' · ') || undefined,
      url: visible ? `${opts.publicUrl}/conges/${r.id}` : undefined,
    });
  }
  return cal.toString();
}

/** Payroll: every absence taken in the month, with the days that fall in it (the person's unit and calendar). */
export async function payrollRows(db: LeaveDb, month: string) {
  const { from, to } = monthBounds(month);
  const [rows, members] = await Promise.all([q.absencesBetween(db, from, to, null, TAKEN), q.allMembers(db)]);
  const byUser = new Map(members.map((m) => [m.user_id, m]));
  return rows.map((r) => {
    const m = byUser.get(r.user_id);
    const lines = m
      ? leaveDayLines({ start: r.start_date, startHalf: r.start_half as 'morning' | 'afternoon' | null, end: r.end_date, endHalf: r.end_half as 'morning' | 'afternoon' | null, unit: m.unit, calendar: m.calendar, nonWorkingWeekdays: m.non_working_days.split(',').filter(Boolean).map(Number) })
      : [];
    const inMonth = m ? lines.filter((l) => l.date >= from && l.date <= to).reduce((s, l) => s + l.counts, 0) : r.days;
    return { ...r, days_in_month: inMonth };
  });
}
