// Password sign-in with rate limiting per IP and progressive lockout per e-mail address.
// The lockout is counted per address whether or not an account exists, and the answer for an
// unknown address is the answer for a wrong password: nobody learns which addresses exist.
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import { AppError } from '../errors.js';
import { verifyPassword } from './password.js';
import { findUserByEmail, normaliseEmail, type User } from './users.js';

// Callers pass any module's handle (AnyDb); it is queried over the platform's tables, no cast.
const d = (db: AnyDb): PlatformDb => db;

/** Failures allowed before the first lock; each further failure doubles the lock. */
export const FREE_FAILURES = 5;
const MAX_LOCK_MINUTES = 60;
/** Failures from one IP, across addresses, within 15 minutes, before it is refused. */
export const IP_FAILURE_LIMIT = 50;

export function lockMinutes(consecutiveFailures: number): number {
  if (consecutiveFailures < FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MINUTES, 2 ** (consecutiveFailures - FREE_FAILURES));
}

async function consecutiveFailures(db: AnyDb, key: string, audience: string): Promise<{ count: number; last?: string }> {
  const lastSuccess = await d(db)
    .selectFrom('sign_in_attempts')
    .select('at')
    .where('email', '=', key)
    .where('audience', '=', audience)
    .where('success', '=', 1)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const dayAgo = new Date(Date.now() - 24 * 3600_000).toISOString();
  const since = lastSuccess && lastSuccess.at > dayAgo ? lastSuccess.at : dayAgo;
  const row = await d(db)
    .selectFrom('sign_in_attempts')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('at').as('last')])
    .where('email', '=', key)
    .where('audience', '=', audience)
    .where('success', '=', 0)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), last: (row.last as string | null) ?? undefined };
}

/**
 * Throws rate_limited when the IP has failed too often, or when `key` (an address, or
 * `totp:<address>` for the second factor) is locked out. Shared by staff and members.
 */
export async function assertNotLocked(db: AnyDb, key: string, ip: string, audience: string): Promise<{ failures: number }> {
  const quarter = new Date(Date.now() - 15 * 60_000).toISOString();
  const ipFailures = await d(db)
    .selectFrom('sign_in_attempts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('ip', '=', ip)
    .where('success', '=', 0)
    .where('at', '>', quarter)
    .executeTakeFirstOrThrow();
  if (Number(ipFailures.n) >= IP_FAILURE_LIMIT) throw new AppError('rate_limited', 'common.rate_limited');
  const failures = await consecutiveFailures(db, key, audience);
  const lock = lockMinutes(failures.count);
  if (lock > 0 && failures.last) {
    const until = new Date(failures.last).getTime() + lock * 60_000;
    if (until > Date.now()) throw new AppError('rate_limited', 'auth.locked', {}, { minutes: Math.ceil((until - Date.now()) / 60_000) });
  }
  return { failures: failures.count };
}

export async function noteAttempt(db: AnyDb, key: string, ip: string, audience: string, success: boolean): Promise<void> {
  await d(db).insertInto('sign_in_attempts').values({ at: nowIso(), ip, email: key, audience, success: success ? 1 : 0 }).execute();
}

export interface SignInResult {
  user: User;
}

/**
 * Checks the credentials. Throws AppError: rate_limited (IP or address locked, with minutes)
 * or unauthenticated 'auth.bad_credentials'.
 */
export async function signInWithPassword(db: AnyDb, emailInput: string, password: string, ip: string, audience = 'staff'): Promise<SignInResult> {
  const email = normaliseEmail(emailInput).slice(0, 254);
  const { failures } = await assertNotLocked(db, email, ip, audience);
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(user?.password_hash ?? null, password);
  const success = ok && user !== undefined && user.status === 'active';
  await noteAttempt(db, email, ip, audience, success);

  if (!success) {
    if (user) {
      const n = failures + 1;
      const minutes = lockMinutes(n);
      // Mirror the state on the account so administrators see who is locked out.
      await d(db)
        .updateTable('users')
        .set({ failed_sign_ins: n, locked_until: minutes > 0 ? new Date(Date.now() + minutes * 60_000).toISOString() : null })
        .where('id', '=', user.id)
        .execute();
    }
    throw new AppError('unauthenticated', 'auth.bad_credentials');
  }
  await d(db).updateTable('users').set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: nowIso() }).where('id', '=', user.id).execute();
  return { user };
}

/** Keeps the attempts table small: a week of history is enough for lockout and review. */
export async function purgeOldAttempts(db: AnyDb): Promise<void> {
  await d(db).deleteFrom('sign_in_attempts').where('at', '<', new Date(Date.now() - 7 * 24 * 3600_000).toISOString()).execute();
}
