// Server-side sessions: the cookie carries a random token, the database keeps its hash, so any
// instance can serve any request and signing out (or deactivating a user) takes effect at once.
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import type { SessionRow } from '../db/tables.js';
import { newToken, sha256 } from './secrets.js';

// Callers pass any module's handle (AnyDb); it is queried over the platform's tables, no cast.
const d = (db: AnyDb): PlatformDb => db;

export type Audience = 'staff' | 'member';
/** 0: fully signed in; 1: password ok, TOTP code awaited */
export type SecondFactorState = 0 | 1;

export interface SessionLifetimes {
  idleSeconds: number;
  absoluteSeconds: number;
}

export async function createSession(
  db: AnyDb,
  audience: Audience,
  subjectId: number,
  lifetimes: SessionLifetimes,
  meta: { ip?: string; userAgent?: string; secondFactorPending?: SecondFactorState },
): Promise<{ token: string; row: SessionRow }> {
  const token = newToken();
  const now = new Date();
  const row: SessionRow = {
    id: sha256(token),
    audience,
    subject_id: subjectId,
    second_factor_pending: meta.secondFactorPending ?? 0,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + lifetimes.absoluteSeconds * 1000).toISOString(),
    ip: meta.ip ?? null,
    user_agent: meta.userAgent?.slice(0, 300) ?? null,
    data: '{}',
  };
  await d(db).insertInto('sessions').values(row).execute();
  return { token, row };
}

/** The live session for a cookie value, or undefined when absent, idle too long or expired. */
export async function loadSession(db: AnyDb, token: string, audience: Audience, lifetimes: SessionLifetimes): Promise<SessionRow | undefined> {
  if (!token || token.length > 100) return undefined;
  const id = sha256(token);
  const row = await d(db).selectFrom('sessions').selectAll().where('id', '=', id).where('audience', '=', audience).executeTakeFirst();
  if (!row) return undefined;
  const now = Date.now();
  const idleLimit = new Date(row.last_seen_at).getTime() + lifetimes.idleSeconds * 1000;
  if (now > idleLimit || now > new Date(row.expires_at).getTime()) {
    await d(db).deleteFrom('sessions').where('id', '=', id).execute();
    return undefined;
  }
  // Refresh the idle clock at most once a minute: a write per request would be wasted I/O.
  if (now - new Date(row.last_seen_at).getTime() > 60_000) {
    const seen = nowIso();
    await d(db).updateTable('sessions').set({ last_seen_at: seen }).where('id', '=', id).execute();
    row.last_seen_at = seen;
  }
  return row;
}

export async function destroySession(db: AnyDb, token: string): Promise<void> {
  await d(db).deleteFrom('sessions').where('id', '=', sha256(token)).execute();
}

export async function destroySessionsOf(db: AnyDb, audience: Audience, subjectId: number, exceptToken?: string): Promise<void> {
  let q = d(db).deleteFrom('sessions').where('audience', '=', audience).where('subject_id', '=', subjectId);
  if (exceptToken) q = q.where('id', '!=', sha256(exceptToken));
  await q.execute();
}

export async function completeSecondFactor(db: AnyDb, token: string): Promise<void> {
  await d(db).updateTable('sessions').set({ second_factor_pending: 0 }).where('id', '=', sha256(token)).execute();
}

export async function purgeExpiredSessions(db: AnyDb): Promise<number> {
  const res = await d(db).deleteFrom('sessions').where('expires_at', '<', nowIso()).executeTakeFirst();
  return Number(res.numDeletedRows);
}
