// IBAN and BIC checks (ISO 13616, ISO 9362) and the restricted Latin character set of SEPA
// messages. Pure functions: no database, no framework.

/** IBAN length per country of the SEPA scheme (EPC409-09, IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18,
  FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27,
  VA: 22,
};

/** Upper case, without spaces (as typed: "fr76 3000 …" → "FR763000…"). */
export function normaliseIban(iban: string): string {
  return iban.replace(/\s+/g, '').toUpperCase();
}

/** Country length, characters, then mod 97 = 1 (4 first characters moved to the end, letters → 10..35). */
export function isValidIban(iban: string): boolean {
  const v = normaliseIban(iban);
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(v)) return false;
  const length = IBAN_LENGTHS[v.slice(0, 2)];
  if (length === undefined || v.length !== length) return false;
  const rearranged = v.slice(4) + v.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

/** 8 or 11 characters: bank (4 letters), country (2 letters), location (2), branch (3, optional). */
export function isValidBic(bic: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(normaliseBic(bic));
}

export function normaliseBic(bic: string): string {
  return bic.replace(/\s+/g, '').toUpperCase();
}

/** IBAN in groups of four, for reading: FR76 3000 6000 0112 3456 7890 189. */
export function formatIban(iban: string): string {
  return normaliseIban(iban).replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Text in the SEPA restricted Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space): accents are
 * dropped (é → e, Œ → OE, ß → ss), anything else becomes a space; runs of spaces shrink.
 */
export function sepaText(text: string, max: number): string {
  const out = text
    .replace(/[Œœ]/g, (c) => (c === 'Œ' ? 'OE' : 'oe'))
    .replace(/[Ææ]/g, (c) => (c === 'Æ' ? 'AE' : 'ae'))
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`]/g, "'")
    .replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return out.slice(0, max).trim();
}

/** Identifiers (MsgId, PmtInfId, EndToEndId): no space, ≤ 35, restricted set. */
export function sepaId(text: string): string {
  return sepaText(text, 200).replace(/ /g, '-').slice(0, 35);
}
