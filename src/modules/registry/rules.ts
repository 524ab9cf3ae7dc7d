// Pure rules on French company identifiers (DOMAIN.md).

/** Luhn check over every digit. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export const LA_POSTE_SIREN = '356000000';

export function isValidSiren(s: string): boolean {
  return /^\d{9}$/.test(s) && luhn(s);
}

/** SIRET check: Luhn, except La Poste whose SIRET digits must sum to a multiple of 5. */
export function isValidSiret(s: string): boolean {
  if (!/^\d{14}$/.test(s)) return false;
  if (s.startsWith(LA_POSTE_SIREN)) {
    let sum = 0;
    for (const c of s) sum += c.charCodeAt(0) - 48;
    return sum % 5 === 0 || luhn(s);
  }
  return luhn(s);
}

/** Intra-EU VAT number: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function vatNumber(siren: string | null | undefined): string | null {
  if (!siren || !/^\d{9}$/.test(siren)) return null;
  const key = (12 + 3 * (Number(siren) % 97)) % 97;
  return `FR${String(key).padStart(2, '0')}${siren}`;
}

/** Digits of a SIREN or SIRET typed with spaces or dots ("907 173 553"), else undefined. */
export function identifierIn(q: string): { siren?: string; siret?: string } | undefined {
  const compact = q.replace(/[\s.\u00a0-]/g, '');
  if (/^\d{14}$/.test(compact)) return { siret: compact };
  if (/^\d{9}$/.test(compact)) return { siren: compact };
  return undefined;
}

export function formatSiren(s: string | null | undefined): string {
  if (!s) return '';
  if (s.length === 9) return `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}`;
  if (s.length === 14) return `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6, 9)} ${s.slice(9)}`;
  return s;
}

/**
 * Words that do not tell two businesses apart: legal forms, "établissements", articles and
 * "et" (written "&" as often as "ET"). Two names with the same remaining words, in order, are the
 * same name for duplicate detection: "MEUNIER ET FILS" = "Meunier & Fils" = "SARL MEUNIER-FILS".
 */
const NOISE_WORDS = new Set([
  'sarl', 'sas', 'sasu', 'sa', 'eurl', 'snc', 'sci', 'scop', 'sca', 'scs', 'selarl', 'gie', 'ei', 'eirl', 'earl', 'gaec', 'association',
  'ets', 'etablissements', 'etablissement', 'societe', 'ste', 'cie', 'compagnie', 'entreprise', 'groupe',
  'et', 'de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'a', 'au', 'aux', 'en', 'sur',
]);

/** A business name reduced to the words that identify it (see NOISE_WORDS); '' when none is left. */
export function nameKey(name: string | null | undefined): string {
  const text = (name ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' et ')
    .replace(/[^a-z0-9]+/g, ' ');
  return text
    .split(' ')
    .filter((w) => w && !NOISE_WORDS.has(w))
    .join(' ');
}

/**
 * Mailbox providers for private persons: an address there is not a professional address, so B2B
 * prospecting without prior consent (CNIL) leaves it out. A list, not a guess: an address at a
 * company's own domain is professional.
 */
export const CONSUMER_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.fr', 'yahoo.com', 'hotmail.fr', 'hotmail.com', 'outlook.fr', 'outlook.com', 'live.fr', 'live.com', 'msn.com',
  'orange.fr', 'wanadoo.fr', 'free.fr', 'sfr.fr', 'neuf.fr', 'laposte.net', 'bbox.fr', 'aliceadsl.fr', 'club-internet.fr', 'numericable.fr',
  'icloud.com', 'me.com', 'aol.com', 'gmx.fr', 'gmx.com', 'protonmail.com', 'proton.me', 'yandex.com', 'mail.com',
]);

/** An address at a company's own domain (not a consumer mailbox provider). */
export function isProfessionalDomain(domain: string): boolean {
  return !CONSUMER_MAIL_DOMAINS.has(domain.trim().toLowerCase());
}
