// Signed links of mailings (HMAC with the server's secret, compared in constant time): the
// subscription confirmation (expiring), one-click unsubscribe of one message, a person's
// preference page, counted clicks and opens, and the VERP return path that names the message
// a bounce is about. No token is stored: the signature is the proof.
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../platform/auth/secrets.js';

function sig(secret: string, purpose: string, value: string, length = 22): string {
  return createHmac('sha256', secret).update(`mailing:${purpose}:${value}`).digest('base64url').slice(0, length);
}
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

/** Confirmation of a subscription: `<subscriber>.<expires (s)>.<sig>`. */
export function confirmToken(secret: string, subscriberId: number, validSeconds = 7 * 86400, now = Date.now()): string {
  const exp = Math.floor(now / 1000) + validSeconds;
  return `${subscriberId}.${exp}.${sig(secret, 'confirm', `${subscriberId}.${exp}`)}`;
}
export function readConfirmToken(secret: string, token: string, now = Date.now()): { subscriberId: number } | 'expired' | null {
  const m = /^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m || !safeEqual(m[3], sig(secret, 'confirm', `${m[1]}.${m[2]}`))) return null;
  if (Number(m[2]) * 1000 < now) return 'expired';
  return { subscriberId: Number(m[1]) };
}

/** One message's unsubscribe link (List-Unsubscribe): `<recipient>.<sig>`; never expires. */
export function unsubscribeToken(secret: string, recipientId: number): string {
  return `${recipientId}.${sig(secret, 'unsub', String(recipientId))}`;
}
export function readUnsubscribeToken(secret: string, token: string): number | null {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{22})$/.exec(token);
  return m && safeEqual(m[2], sig(secret, 'unsub', m[1])) ? Number(m[1]) : null;
}

/** A person's preference page: `<address, base64url>.<sig>`. */
export function preferencesToken(secret: string, emailNorm: string): string {
  return `${b64(emailNorm)}.${sig(secret, 'prefs', emailNorm)}`;
}
export function readPreferencesToken(secret: string, token: string): string | null {
  const m = /^([A-Za-z0-9_-]{4,400})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const email = unb64(m[1]);
  return safeEqual(m[2], sig(secret, 'prefs', email)) ? email : null;
}

/** Counted click on link `idx` of a campaign; the target is read from the campaign, never from the URL. */
export function clickSig(secret: string, campaignId: number, idx: number): string {
  return sig(secret, 'click', `${campaignId}.${idx}`, 16);
}
export function openSig(secret: string, campaignId: number): string {
  return sig(secret, 'open', String(campaignId), 16);
}
export function checkSig(expected: string, given: string): boolean {
  return given.length === expected.length && safeEqual(given, expected);
}

/** VERP return path: bounces+<campaign>-<recipient>-<sig>@domain; a DSN to it names the message. */
export function verpAddress(secret: string, domain: string, campaignId: number, recipientId: number): string {
  return `bounces+${campaignId}-${recipientId}-${sig(secret, 'verp', `${campaignId}.${recipientId}`, 10)}@${domain}`;
}
export function readVerp(secret: string, address: string): { campaignId: number; recipientId: number } | null {
  const m = /^bounces\+(\d{1,12})-(\d{1,12})-([A-Za-z0-9_-]{10})@/i.exec(address.trim());
  if (!m || !safeEqual(m[3], sig(secret, 'verp', `${m[1]}.${m[2]}`, 10))) return null;
  return { campaignId: Number(m[1]), recipientId: Number(m[2]) };
}

/** The Message-ID of one recipient's copy: the same on every attempt (a resend after a crash is recognisable as the same message). */
export function messageId(campaignId: number, recipientId: number, domain: string): string {
  return `<campaign-${campaignId}.recipient-${recipientId}@${domain}>`;
}
