// E-mail addresses and proofs: pure helpers. An address with a line break (header injection),
// a control character or no domain is refused at input; consumer mailbox domains are not
// "professional addresses" for B2B prospecting (DOMAIN.md, CNIL); IPs are kept truncated.

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
 * Mailbox providers for private persons: an address there is not a professional address, so a
 * segment list (prospecting without prior consent) leaves it out. A list, not a guess: an
 * address at a company's own domain is professional.
 */
export const CONSUMER_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.fr', 'yahoo.com', 'hotmail.fr', 'hotmail.com', 'outlook.fr', 'outlook.com', 'live.fr', 'live.com', 'msn.com',
  'orange.fr', 'wanadoo.fr', 'free.fr', 'sfr.fr', 'neuf.fr', 'laposte.net', 'bbox.fr', 'aliceadsl.fr', 'club-internet.fr', 'numericable.fr',
  'icloud.com', 'me.com', 'aol.com', 'gmx.fr', 'gmx.com', 'protonmail.com', 'proton.me', 'yandex.com', 'mail.com',
]);

export function isProfessional(domain: string): boolean {
  return !CONSUMER_DOMAINS.has(domain.toLowerCase());
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
