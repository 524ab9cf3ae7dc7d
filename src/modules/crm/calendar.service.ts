// iCalendar feed per adviser: their visits and open tasks, at a secret URL a calendar client
// subscribes to. Only the token's SHA-256 is stored; creating a new one revokes the old one.
import ical, { ICalCalendarMethod } from 'ical-generator';
import { record, type Actor } from '../../platform/audit/audit.js';
import { newToken, sha256 } from '../../platform/auth/secrets.js';
import { nowIso } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import type { CrmDb } from './crm.table.js';
import { addDays, todayParis } from './dates.js';


export async function activeCalendarToken(db: CrmDb, userId: number): Promise<{ id: number; created_at: string } | undefined> {
  return db.selectFrom('crm_calendar_tokens').select(['id', 'created_at']).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
}

async function revokeAll(db: CrmDb, userId: number): Promise<number> {
  const res = await db.updateTable('crm_calendar_tokens').set({ revoked_at: nowIso() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** A new secret feed URL token (shown once); any previous one stops working. */
export async function createCalendarToken(db: CrmDb, actor: Actor): Promise<string> {
  if (actor.id === null) throw new AppError('forbidden', 'common.forbidden');
  await revokeAll(db, actor.id);
  const token = newToken(24);
  const row = await db.insertInto('crm_calendar_tokens').values({ user_id: actor.id, token_hash: sha256(token), created_at: nowIso(), revoked_at: null }).returning('id').executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'crm_calendar_token', entityId: row.id, action: 'create', after: { user_id: actor.id } });
  return token;
}

export async function revokeCalendarToken(db: CrmDb, actor: Actor): Promise<void> {
  if (actor.id === null) throw new AppError('forbidden', 'common.forbidden');
  if ((await revokeAll(db, actor.id)) > 0) await record(db, actor, { entity: 'crm_calendar_token', entityId: actor.id, action: 'revoke', after: { user_id: actor.id } });
}

/** The owner of a feed token, if it is valid and its owner still active. */
export async function calendarOwner(db: CrmDb, token: string): Promise<{ id: number; name: string } | undefined> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
  return db
    .selectFrom('crm_calendar_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.id', 'u.name'])
    .where('t.token_hash', '=', sha256(token))
    .where('t.revoked_at', 'is', null)
    .where('u.status', '=', 'active')
    .executeTakeFirst();
}

/** The .ics text: visits from 6 months back to a year ahead, open tasks; all-day events. */
export async function calendarFeed(db: CrmDb, user: { id: number; name: string }, opts: { publicUrl: string; companyName: (id: number) => Promise<string>; title: string; visitLabel: string; taskLabel: string; today?: string }): Promise<string> {
  const today = opts.today ?? todayParis();
  const [visits, tasks] = await Promise.all([
    db
      .selectFrom('crm_visits')
      .select(['id', 'company_id', 'visit_date', 'notes', 'updated_at'])
      .where('owner_id', '=', user.id)
      .where('visit_date', '>=', addDays(today, -183))
      .where('visit_date', '<=', addDays(today, 366))
      .orderBy('visit_date')
      .limit(2000)
      .execute(),
    db.selectFrom('crm_tasks').select(['id', 'company_id', 'title', 'due_date', 'updated_at']).where('owner_id', '=', user.id).where('done_at', 'is', null).orderBy('due_date').limit(2000).execute(),
  ]);
  const cal = ical({ name: `${opts.title} — ${user.name}`, prodId: { company: 'Consulaire', product: 'crm', language: 'FR' }, method: ICalCalendarMethod.PUBLISH, ttl: 3600 });
  const host = new URL(opts.publicUrl).host;
  // All-day events: a calendar date has no time zone, so the date is given as written.
  const day = (s: string) => new Date(s + 'T00:00:00Z');
  for (const v of visits) {
    const name = await opts.companyName(v.company_id);
    cal.createEvent({
      id: `crm-visit-${v.id}@${host}`,
      start: day(v.visit_date),
      end: day(addDays(v.visit_date, 1)),
      allDay: true,
      summary: `${opts.visitLabel} — ${name}`,
      description: v.notes.slice(0, 2000),
      url: `${opts.publicUrl}/crm/visites/${v.id}`,
      lastModified: new Date(v.updated_at),
      stamp: new Date(v.updated_at),
    });
  }
  for (const t of tasks) {
    const name = t.company_id ? await opts.companyName(t.company_id) : '';
    cal.createEvent({
      id: `crm-task-${t.id}@${host}`,
      start: day(t.due_date),
      end: day(addDays(t.due_date, 1)),
      allDay: true,
      summary: `${opts.taskLabel} — ${t.title}${name ? ` (${name})` : ''}`,
      url: `${opts.publicUrl}/crm/taches`,
      lastModified: new Date(t.updated_at),
      stamp: new Date(t.updated_at),
    });
  }
  return cal.toString();
}
