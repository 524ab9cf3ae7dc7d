// Single-use, expiring links bound to an e-mail address (password reset, invitation).
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import { newToken, sha256 } from './secrets.js';

// Callers pass any module's handle (AnyDb); it is queried over the platform's tables, no cast.
const d = (db: AnyDb): PlatformDb => db;

export type LinkPurpose = 'password_reset' | 'invitation' | (string & {});

export async function createLink(
  db: AnyDb,
  purpose: LinkPurpose,
  audience: string,
  subjectId: number,
  email: string,
  validSeconds: number,
): Promise<string> {
  // A new link replaces the unused ones of the same purpose: only the latest e-mail works.
  await d(db)
    .updateTable('one_time_links')
    .set({ used_at: nowIso() })
    .where('purpose', '=', purpose)
    .where('audience', '=', audience)
    .where('subject_id', '=', subjectId)
    .where('used_at', 'is', null)
    .execute();
  const token = newToken();
  await d(db)
    .insertInto('one_time_links')
    .values({
      token_hash: sha256(token),
      purpose,
      audience,
      subject_id: subjectId,
      email,
      created_at: nowIso(),
      expires_at: new Date(Date.now() + validSeconds * 1000).toISOString(),
    })
    .execute();
  return token;
}

export interface LiveLink {
  id: number;
  subjectId: number;
  email: string;
}

/** The link if it exists, is unused and unexpired; does not consume it. */
export async function peekLink(db: AnyDb, purpose: LinkPurpose, token: string): Promise<LiveLink | undefined> {
  if (!token || token.length > 100) return undefined;
  const row = await d(db)
    .selectFrom('one_time_links')
    .select(['id', 'subject_id', 'email', 'expires_at', 'used_at'])
    .where('token_hash', '=', sha256(token))
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at < nowIso()) return undefined;
  return { id: row.id, subjectId: row.subject_id, email: row.email };
}

/** Marks the link used; false if another request used it first. */
export async function consumeLink(db: AnyDb, id: number): Promise<boolean> {
  const res = await d(db).updateTable('one_time_links').set({ used_at: nowIso() }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
