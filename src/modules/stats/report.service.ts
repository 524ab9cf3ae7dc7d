// The monthly report: its subscribers, the archive, and when it is due (the first working day of
// a month, Paris time: Monday–Friday and not a public holiday of the general calendar).
import { permissionsOf } from '../../platform/access/permissions.js';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { notFound } from '../../platform/errors.js';
import { assertCanRead } from './policy.js';
import { addMonths, parisDay } from './periods.js';
import type { Report, StatsDb } from './stats.table.js';

export async function isSubscribed(db: StatsDb, userId: number): Promise<boolean> {
  return !!(await db.selectFrom('stats_subscriptions').select('user_id').where('user_id', '=', userId).executeTakeFirst());
}

export async function setSubscription(db: StatsDb, actor: Actor, subscribe: boolean): Promise<void> {
  assertCanRead(actor);
  if (actor.id === null) throw notFound();
  const was = await isSubscribed(db, actor.id);
  if (was === subscribe) return;
  if (subscribe) await db.insertInto('stats_subscriptions').values({ user_id: actor.id, created_at: nowIso() }).execute();
  else await db.deleteFrom('stats_subscriptions').where('user_id', '=', actor.id).execute();
  await record(db, actor, { entity: 'stats_subscription', entityId: actor.id, action: subscribe ? 'subscribe' : 'unsubscribe', changes: { subscribed: [was, subscribe] } });
}

/** Subscribers who may still read the statistics (role changed since: left out), active accounts only. */
export async function subscribers(db: StatsDb): Promise<{ id: number; email: string; name: string; locale: string }[]> {
  const rows = await db
    .selectFrom('stats_subscriptions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.name', 'u.locale'])
    .where('u.status', '=', 'active')
    .orderBy('u.id')
    .execute();
  const roles = rows.length ? await db.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', rows.map((r) => r.id)).execute() : [];
  return rows.filter((r) => permissionsOf(roles.filter((x) => x.user_id === r.id).map((x) => x.role)).has('stats:read'));
}

export function listReports(db: StatsDb): Promise<Pick<Report, 'id' | 'month' | 'recipients' | 'created_at'>[]> {
  return db.selectFrom('stats_reports').select(['id', 'month', 'recipients', 'created_at']).orderBy('month', 'desc').execute();
}

export async function getReport(db: StatsDb, month: string): Promise<Report> {
  const r = await db.selectFrom('stats_reports').selectAll().where('month', '=', month).executeTakeFirst();
  if (!r) throw notFound('stats.report_not_found');
  return r;
}

export async function findReport(db: StatsDb, month: string): Promise<Report | undefined> {
  return db.selectFrom('stats_reports').selectAll().where('month', '=', month).executeTakeFirst();
}

/** Archives a built report; false when another instance archived this month first. */
export async function archiveReport(db: StatsDb, r: { month: string; html: string; pdf: Buffer; recipients: number }): Promise<boolean> {
  const row = await db
    .insertInto('stats_reports')
    .values({ month: r.month, html: r.html, pdf_base64: r.pdf.toString('base64'), recipients: r.recipients, created_at: nowIso() })
    .onConflict((oc) => oc.column('month').doNothing())
    .returning('id')
    .executeTakeFirst();
  return !!row;
}

/**
 * The month a report is due for at `now`: the previous month, when today is the first working day
 * of the current month (Paris); null on any other day.
 */
export function reportDue(now: Date, isHoliday: (day: string) => boolean): string | null {
  const today = parisDay(now);
  const month = today.slice(0, 7);
  for (let d = 1; d <= 7; d++) {
    const day = `${month}-${String(d).padStart(2, '0')}`;
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6 || isHoliday(day)) continue;
    return day === today ? addMonths(month, -1) : null;
  }
  return null;
}
