// TOTP second factor (RFC 6238, 30 s, 6 digits, SHA-1: what every authenticator app reads).
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Kysely } from 'kysely';
import { record, type Actor } from '../audit/audit.js';
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformTables } from '../db/tables.js';
import { invalid } from '../errors.js';
import { getUser } from './users.js';

const d = (db: AnyDb) => db as Kysely<PlatformTables>;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secret: string, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

export function totpUri(secret: string, email: string, issuer: string): string {
  return totpFor(secret, email, issuer).toString();
}

export async function totpQrSvg(secret: string, email: string, issuer: string): Promise<string> {
  return QRCode.toString(totpUri(secret, email, issuer), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

/** Current code for a secret (used by tests and the command line). */
export function totpCode(secret: string, at = Date.now()): string {
  return totpFor(secret, 'x', 'x').generate({ timestamp: at });
}

export function checkTotp(secret: string, code: string): boolean {
  const clean = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(clean)) return false;
  return totpFor(secret, 'x', 'x').validate({ token: clean, window: 1 }) !== null;
}

export async function enableTotp(db: AnyDb, actor: Actor, userId: number, secret: string, code: string): Promise<void> {
  if (!checkTotp(secret, code)) throw invalid('common.invalid', { code: 'auth.totp_wrong' });
  await d(db).updateTable('users').set({ totp_secret: secret, totp_enabled: 1, updated_at: nowIso() }).where('id', '=', userId).execute();
  await record(db, actor, { entity: 'user', entityId: userId, action: 'totp_enable', changes: { totp_enabled: [0, 1] } });
}

export async function disableTotp(db: AnyDb, actor: Actor, userId: number): Promise<void> {
  const user = await getUser(db, userId);
  await d(db).updateTable('users').set({ totp_secret: null, totp_enabled: 0, updated_at: nowIso() }).where('id', '=', userId).execute();
  await record(db, actor, { entity: 'user', entityId: userId, action: 'totp_disable', changes: { totp_enabled: [user.totp_enabled, 0] } });
}
