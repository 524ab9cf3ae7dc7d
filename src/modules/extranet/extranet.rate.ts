// Rate limits kept in the database (the platform's sign_in_attempts table), so they hold across
// several app instances and restarts, unlike an in-memory counter.
import type { Kysely } from 'kysely';
import { nowIso, type AnyDb } from '../../platform/db/index.js';
import type { PlatformTables } from '../../platform/db/tables.js';
import { AppError } from '../../platform/errors.js';

const d = (db: AnyDb) => db as Kysely<PlatformTables>;

export interface Limit {
  /** counted key, e.g. `signup-ip:1.2.3.4` */
  key: string;
  max: number;
  windowSeconds: number;
}

/**
 * Refuses (429) when any of the limits is reached in its window, otherwise counts one event
 * for each key. Checked before the work, so a refused attempt costs nothing.
 */
export async function takeToken(db: AnyDb, ip: string, limits: Limit[]): Promise<void> {
  for (const l of limits) {
    const since = new Date(Date.now() - l.windowSeconds * 1000).toISOString();
    const row = await d(db)
      .selectFrom('sign_in_attempts')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('email', '=', `x:${l.key}`)
      .where('audience', '=', 'member')
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= l.max) throw new AppError('rate_limited', 'common.rate_limited');
  }
  const at = nowIso();
  // success = 1: these are not failed sign-ins and must not count toward the IP lockout.
  await d(db)
    .insertInto('sign_in_attempts')
    .values(limits.map((l) => ({ at, ip, email: `x:${l.key}`, audience: 'member', success: 1 })))
    .execute();
}
