// Rate limits kept in the database (the platform's sign_in_attempts table), so they hold across
// several app instances and restarts, unlike an in-memory counter.
import { nowIso } from '../../platform/db/index.js';
import { AppError } from '../../platform/errors.js';
import type { ExtranetDb } from './extranet.table.js';


export interface Limit {
  /** counted key, e.g. `signup-ip:1.2.3.4` */
  key: string;
  max: number;
  windowSeconds: number;
  /**
   * i18n key of the message naming this limit (params `max`, `until`), for limits a person
   * should understand; without it the generic "too many attempts".
   */
  message?: string;
}

/** Where one limit stands: how many are left in the window, and when the oldest counted one leaves it. */
export interface Allowance {
  limit: Limit;
  used: number;
  remaining: number;
  /** ISO time at which one more becomes possible (null when nothing is counted) */
  until: string | null;
}

async function standing(db: ExtranetDb, l: Limit): Promise<Allowance> {
  const since = new Date(Date.now() - l.windowSeconds * 1000).toISOString();
  const row = await db
    .selectFrom('sign_in_attempts')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('at').as('oldest')])
    .where('email', '=', `x:${l.key}`)
    .where('audience', '=', 'member')
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  const used = Number(row.n);
  const oldest = row.oldest ? new Date(row.oldest as string | Date) : null;
  return { limit: l, used, remaining: Math.max(0, l.max - used), until: oldest ? new Date(oldest.getTime() + l.windowSeconds * 1000).toISOString() : null };
}

/** The tightest of the limits (fewest left), to tell a person before they hit it. */
export async function allowance(db: ExtranetDb, limits: Limit[]): Promise<Allowance> {
  const all = await Promise.all(limits.map((l) => standing(db, l)));
  return all.reduce((a, b) => (b.remaining < a.remaining ? b : a));
}

/**
 * Refuses (429) when any of the limits is reached in its window, otherwise counts one event
 * for each key. Checked before the work, so a refused attempt costs nothing. The error names
 * the limit (its message key) and when it lifts (`until`, ISO), so the page can say both.
 */
export async function takeToken(db: ExtranetDb, ip: string, limits: Limit[]): Promise<void> {
  for (const l of limits) {
    const s = await standing(db, l);
    if (s.remaining === 0) throw new AppError('rate_limited', l.message ?? 'common.rate_limited', {}, { max: l.max, until: s.until ?? nowIso() });
  }
  const at = nowIso();
  // success = 1: these are not failed sign-ins and must not count toward the IP lockout.
  await db
    .insertInto('sign_in_attempts')
    .values(limits.map((l) => ({ at, ip, email: `x:${l.key}`, audience: 'member', success: 1 })))
    .execute();
}
