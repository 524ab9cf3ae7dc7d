// Personal API tokens: scoped, expiring, revocable, hashed at rest. The token string is shown
// once, at creation. It starts with a recognisable prefix so leaked tokens can be spotted.
import { isScope, API_SCOPES, permissionsOf, type ApiScope, type Permission } from '../access/permissions.js';
import { record, type Actor } from '../audit/audit.js';
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import type { ApiTokenRow } from '../db/tables.js';
import { invalid, notFound } from '../errors.js';
import { newToken, sha256 } from './secrets.js';
import { getUser, type User } from './users.js';

// Callers pass any module's handle (AnyDb); it is queried over the platform's tables, no cast.
const d = (db: AnyDb): PlatformDb => db;
const PREFIX = 'csl_';

export interface NewToken {
  name: string;
  scopes: string[];
  days?: number;
}

export async function createApiToken(db: AnyDb, actor: Actor, userId: number, input: NewToken): Promise<{ token: string; row: ApiTokenRow }> {
  const fields: Record<string, string> = {};
  const name = input.name.trim();
  if (!name) fields.name = 'field.required';
  else if (name.length > 80) fields.name = 'field.too_long';
  const scopes = [...new Set(input.scopes.map((s) => s.trim()).filter(Boolean))];
  if (scopes.length === 0) fields.scopes = 'admin.scope_required';
  else if (!scopes.every(isScope)) fields.scopes = 'admin.scope_unknown';
  const days = input.days ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > 366) fields.days = 'admin.token_days';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 80 });
  const user = await getUser(db, userId);
  // A token never carries more than its owner may do.
  const owner = permissionsOf(user.roles);
  const beyond = scopes.filter((s) => !API_SCOPES[s as ApiScope].every((p) => owner.has(p)));
  if (beyond.length) throw invalid('common.invalid', { scopes: 'admin.scope_beyond_role' });
  const token = PREFIX + newToken(24);
  const row = await d(db)
    .insertInto('api_tokens')
    .values({
      user_id: userId,
      name,
      token_hash: sha256(token),
      prefix: token.slice(0, 10),
      scopes: scopes.sort().join(','),
      created_at: nowIso(),
      expires_at: new Date(Date.now() + days * 86400_000).toISOString(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'api_token', entityId: row.id, action: 'create', after: { user_id: userId, name, scopes: row.scopes, expires_at: row.expires_at } });
  return { token, row };
}

export async function listApiTokens(db: AnyDb, userId?: number): Promise<(ApiTokenRow & { user_name: string })[]> {
  let q = d(db).selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').selectAll('api_tokens').select('users.name as user_name');
  if (userId !== undefined) q = q.where('user_id', '=', userId);
  return q.orderBy('api_tokens.created_at', 'desc').execute();
}

export async function revokeApiToken(db: AnyDb, actor: Actor, tokenId: number, onlyOwnerId?: number): Promise<void> {
  let q = d(db).selectFrom('api_tokens').selectAll().where('id', '=', tokenId);
  if (onlyOwnerId !== undefined) q = q.where('user_id', '=', onlyOwnerId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('admin.token_not_found');
  if (row.revoked_at) return;
  const at = nowIso();
  await d(db).updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', tokenId).execute();
  await record(db, actor, { entity: 'api_token', entityId: tokenId, action: 'revoke', before: { revoked_at: null }, after: { revoked_at: at } });
}

export interface TokenIdentity {
  user: User;
  token: ApiTokenRow;
  permissions: Set<Permission>;
}

/** The identity behind a bearer token, or undefined if unknown, revoked, expired or disabled. */
export async function authenticateToken(db: AnyDb, bearer: string): Promise<TokenIdentity | undefined> {
  if (!bearer.startsWith(PREFIX) || bearer.length > 100) return undefined;
  const token = await d(db).selectFrom('api_tokens').selectAll().where('token_hash', '=', sha256(bearer)).executeTakeFirst();
  if (!token || token.revoked_at || (token.expires_at && token.expires_at < nowIso())) return undefined;
  const user = await getUser(db, token.user_id).catch(() => undefined);
  if (!user || user.status !== 'active') return undefined;
  const owner = permissionsOf(user.roles);
  const permissions = new Set<Permission>();
  for (const s of token.scopes.split(',')) {
    if (!isScope(s)) continue;
    for (const p of API_SCOPES[s]) if (owner.has(p)) permissions.add(p);
  }
  // Recording use at most hourly keeps reads from turning into writes.
  if (!token.last_used_at || Date.now() - new Date(token.last_used_at).getTime() > 3600_000) {
    await d(db).updateTable('api_tokens').set({ last_used_at: nowIso() }).where('id', '=', token.id).execute();
  }
  return { user, token, permissions };
}
