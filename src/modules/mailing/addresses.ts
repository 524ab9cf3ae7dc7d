// E-mail addresses and proofs: pure helpers. An address with a line break (header injection),
// a control character or no domain is refused at input; consumer mailbox domains are not
// "professional addresses" for B2B prospecting (DOMAIN.md, CNIL); IPs are kept truncated.
import { isProfessionalDomain } from '../registry/index.js';

/** Anything that could end a header line or hide one: refused wherever an address or subject is typed. */
export const HEADER_BREAK = /[\r\n\u0000-\u001f\u007f\u2028\u2029]/;

const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** 'ok' with the address as stored, or why it is refused. */
export function checkAddress(raw: string): { ok: true; email: string; norm: string; domain: string } | { ok: false; code: 'mailing.address_injection' | 'mailing.address_invalid' } {
  if (HEADER_BREAK.test(raw)) return { ok: false, code: 'mailing.address_injection' };
  const email = raw.trim();
  if (email.length > 254 || !ADDRESS.test(email)) return { ok: false, code: 'mailing.address_invalid' };
  const norm = normalise(email);
  return { ok: true, email, norm, domain: norm.slice(norm.lastIndexOf('@') + 1) };
}

export function normalise(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A professional address (not at a consumer mailbox provider): a segment list (prospecting without
 * prior consent) leaves the others out. The list of providers is the registry's, shared with its
 * prospecting export and duplicate detection.
 */
export function isProfessional(domain: string): boolean {
  return isProfessionalDomain(domain);
}

/** Keeps the network part only: /24 for IPv4, /48 for IPv6 (the proof says "from where", not who). */
export function truncateIp(ip: string | undefined): string | null {
  if (!ip) return null;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  if (ip.includes(':')) {
    const groups = ip.split('::')[0].split(':').filter(Boolean).slice(0, 3);
    while (groups.length < 3) groups.push('0');
    return `${groups.join(':')}::`;
  }
  return null;
}
