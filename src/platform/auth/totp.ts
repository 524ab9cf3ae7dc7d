// TOTP second factor (RFC 6238, 30 s, 6 digits, SHA-1: what every authenticator app reads).
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { record, type Actor } from '../audit/audit.js';
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import { invalid } from '../errors.js';
import { getUser } from './users.js';

// Callers pass any module's handle (AnyDb); it is queried over the platform's tables, no cast.
const d = (db: AnyDb): PlatformDb => db;

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

const PERIOD_SECONDS = 30;

/**
 * The time step (30 s slot since the epoch) of a code valid at `at`, or undefined. One step of
 * clock drift is allowed either way, so a code lives about 90 s: long enough to be replayed by
 * whoever sees it, hence `acceptTotpOnce`.
 */
export function totpStep(secret: string, code: string, at = Date.now()): number | undefined {
  const clean = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(clean)) return undefined;
  const delta = totpFor(secret, 'x', 'x').validate({ token: clean, window: 1, timestamp: at });
  return delta === null ? undefined : Math.floor(at / 1000 / PERIOD_SECONDS) + delta;
}

/** Who holds a second factor: a staff user or an extranet member account (same columns). */
export interface SecondFactorHolder {
  table: SecondFactorTable;
  /** audit entity name */
  entity: 'user' | 'member_account';
  id: number;
}

export type TotpOutcome = 'accepted' | 'wrong' | 'replayed';

/**
 * Verifies a code for a holder and consumes its time step: a code is accepted only if its step
 * is later than the last one accepted for that holder, so a code seen over a shoulder, in a
 * proxy log or sent twice by a double click does not open a second session. The claim is one
 * conditional UPDATE, so two concurrent submissions of the same code cannot both pass.
 *
 * `enrol`: the secret is being set by this call (enrolment confirmation); the holder's step is
 * then the enrolment code's, so that code cannot be reused at the next sign-in either.
 *
 * A replay is audited here (`totp_replay_refused`) and answered by the caller like a wrong code;
 * call it outside a transaction that the refusal would roll back.
 */
type SecondFactorTable = 'users' | 'member_accounts';
/** The columns both holders' tables carry (users here, member_accounts in the extranet module). */
interface SecondFactorColumns {
  id: number;
  totp_secret: string | null;
  totp_enabled: number;
  totp_last_step: number | null;
  updated_at: string;
}
type SecondFactorDb = Kysely<Record<SecondFactorTable, SecondFactorColumns>>;

export async function acceptTotpOnce(db: AnyDb, actor: Actor, holder: SecondFactorHolder, secret: string, code: string, opts: { enrol?: boolean } = {}): Promise<TotpOutcome> {
  const step = totpStep(secret, code);
  if (step === undefined) return 'wrong';
  const k: SecondFactorDb = db;
  const notYetUsed = (eb: ExpressionBuilder<Record<SecondFactorTable, SecondFactorColumns>, SecondFactorTable>) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]);
  const now = nowIso();
  const claim = opts.enrol
    ? k
        .updateTable(holder.table)
        .set({ totp_secret: secret, totp_enabled: 1, totp_last_step: step, updated_at: now })
        .where('id', '=', holder.id)
        // A new secret makes earlier steps meaningless; the same secret sent again is a replay.
        .where((eb) => eb.or([eb('totp_secret', 'is', null), eb('totp_secret', '<>', secret), notYetUsed(eb)]))
    : k.updateTable(holder.table).set({ totp_last_step: step }).where('id', '=', holder.id).where('totp_secret', '=', secret).where(notYetUsed);
  const result = await claim.executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return 'accepted';
  await record(db, actor, { entity: holder.entity, entityId: holder.id, action: 'totp_replay_refused', changes: { time_step: [null, step] } });
  return 'replayed';
}

export async function enableTotp(db: AnyDb, actor: Actor, userId: number, secret: string, code: string): Promise<void> {
  const outcome = await acceptTotpOnce(db, actor, { table: 'users', entity: 'user', id: userId }, secret, code, { enrol: true });
  if (outcome !== 'accepted') throw invalid('common.invalid', { code: 'auth.totp_wrong' });
  await record(db, actor, { entity: 'user', entityId: userId, action: 'totp_enable', changes: { totp_enabled: [0, 1] } });
}

export async function disableTotp(db: AnyDb, actor: Actor, userId: number): Promise<void> {
  const user = await getUser(db, userId);
  await d(db).updateTable('users').set({ totp_secret: null, totp_enabled: 0, totp_last_step: null, updated_at: nowIso() }).where('id', '=', userId).execute();
  await record(db, actor, { entity: 'user', entityId: userId, action: 'totp_disable', changes: { totp_enabled: [user.totp_enabled, 0] } });
}
