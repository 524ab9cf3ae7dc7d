// Daily digest: each CRM user with open tasks due today or overdue gets one e-mail listing them.
// Runs as a schedule (every hour); a per-user-per-day unique job key makes it fire once a day.
import { enqueue } from '../../platform/jobs/index.js';
import type { Mailer } from '../../platform/mail/index.js';
import type { CrmDb } from './crm.table.js';
import { todayParis } from './dates.js';


/** Hour (Paris) from which the day's digest may leave. */
export const DIGEST_HOUR = 7;

/** Schedule handler: queues one 'crm.digest.send' per user who has something due, once a day. */
export async function planDigests(db: CrmDb, now: Date = new Date(), force = false): Promise<number> {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hour12: false }).format(now));
  if (!force && hour < DIGEST_HOUR) return 0;
  const today = todayParis(now);
  const owners = await db
    .selectFrom('crm_tasks as t')
    .innerJoin('users as u', 'u.id', 't.owner_id')
    .select('t.owner_id')
    .distinct()
    .where('t.done_at', 'is', null)
    .where('t.due_date', '<=', today)
    .where('u.status', '=', 'active')
    .execute();
  let n = 0;
  for (const o of owners) if ((await enqueue(db, 'crm.digest.send', { userId: o.owner_id, day: today }, { uniqueKey: `crm.digest:${o.owner_id}:${today}` })) !== null) n++;
  return n;
}

export interface DigestText {
  subject: (count: number) => string;
  intro: (name: string) => string;
  overdue: string;
  today: string;
  footer: string;
}

/** Job handler: writes the digest of one user to the outbox (sent by the platform's mailer). */
export async function sendDigest(db: CrmDb, mailer: Mailer, publicUrl: string, textFor: (locale: string) => DigestText, userId: number, day: string, companyName: (id: number) => Promise<string>): Promise<boolean> {
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'status', 'locale']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.status !== 'active') return false;
  const text = textFor(user.locale);
  const tasks = await db.selectFrom('crm_tasks').select(['id', 'title', 'due_date', 'company_id']).where('owner_id', '=', userId).where('done_at', 'is', null).where('due_date', '<=', day).orderBy('due_date').limit(200).execute();
  if (tasks.length === 0) return false;
  const line = async (t: (typeof tasks)[number]) => `- ${t.due_date.split('-').reverse().join('/')} · ${t.title}${t.company_id ? ` (${await companyName(t.company_id)})` : ''}`;
  const overdue = tasks.filter((t) => t.due_date < day);
  const due = tasks.filter((t) => t.due_date === day);
  const parts = [text.intro(user.name), ''];
  if (overdue.length) parts.push(text.overdue, ...(await Promise.all(overdue.map(line))), '');
  if (due.length) parts.push(text.today, ...(await Promise.all(due.map(line))), '');
  parts.push(`${text.footer} ${publicUrl}/crm/taches`);
  await mailer.queue(db, { to: user.email, subject: text.subject(tasks.length), text: parts.join('\n') });
  return true;
}
