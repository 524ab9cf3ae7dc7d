// What an establishment is found by: the normalised text fed to the full-text index, and the
// derived columns (facets, sort) computed from the company and establishment at write time.
import { normaliseSearchText } from '../../platform/db/search.js';
import { departmentOf, nafDivisionOf, nafSectionOf } from './reference.js';

/** SIRENE street-type abbreviations and their words, so "boulevard" finds "BD". */
export const STREET_TYPES: Record<string, string> = {
  ALL: 'allée', AV: 'avenue', BD: 'boulevard', CAR: 'carrefour', CHE: 'chemin', CHS: 'chaussée', CITE: 'cité',
  COR: 'corniche', CRS: 'cours', DOM: 'domaine', DSC: 'descente', ECA: 'écart', ESP: 'esplanade', FG: 'faubourg',
  GR: 'grande rue', HAM: 'hameau', HLE: 'halle', IMP: 'impasse', LD: 'lieu-dit', LOT: 'lotissement', MAR: 'marché',
  MTE: 'montée', PAS: 'passage', PL: 'place', PLN: 'plaine', PLT: 'plateau', PRO: 'promenade', PRV: 'parvis',
  QUA: 'quartier', QUAI: 'quai', RES: 'résidence', RLE: 'ruelle', ROC: 'rocade', RPT: 'rond-point', RTE: 'route',
  RUE: 'rue', SEN: 'sentier', SQ: 'square', TPL: 'terre-plein', TRA: 'traverse', VLA: 'villa', VLGE: 'village', ZA: 'zone artisanale',
  ZAC: 'zone d’aménagement concerté', ZI: 'zone industrielle',
};

/**
 * The facet columns of establishments, by facet name of the search URL (derived at write time
 * by `derivedColumns`). One list for the search, its facet summary and the import's indexes.
 */
export const FACET_COLUMNS = {
  section: 'naf_section',
  division: 'naf_division',
  department: 'department',
  commune: 'commune_code',
  band: 'headcount_band',
  form: 'legal_form',
} as const;

export interface CompanyTextFields {
  siren: string | null;
  name: string;
  acronym: string | null;
  usual_name: string | null;
  legal_form: string | null;
}
export interface EstablishmentTextFields {
  siret: string | null;
  sign: string | null;
  usual_name: string | null;
  street_type: string | null;
  street_name: string | null;
  postal_code: string | null;
  city: string | null;
  commune_code: string | null;
  naf_code: string | null;
}

/**
 * The text an establishment is found by. Its order is a contract (ADR 0016): the name first (so
 * the text starts with `sort_name`), then the other names (acronym, usual names, trade names),
 * then the SIREN and SIRET, then the address, and the contacts last (seed.service appends
 * them). The relevance score tells the fields apart by where a word falls: before the name's
 * length, in the name; before the SIREN, in the other names.
 */
export function establishmentSearchText(c: CompanyTextFields, e: EstablishmentTextFields, contactNames = ''): string {
  const streetType = e.street_type ? `${e.street_type} ${STREET_TYPES[e.street_type.toUpperCase()] ?? ''}` : '';
  return normaliseSearchText(
    [c.name, c.acronym, c.usual_name, e.sign, e.usual_name, c.siren, e.siret, streetType, e.street_name, e.postal_code, e.city, e.commune_code, contactNames]
      .filter(Boolean)
      .join(' '),
  );
}

/** Columns of an establishment derived from its company and its own codes (facets, sort, search). */
export function derivedColumns(c: CompanyTextFields, e: EstablishmentTextFields, contactNames = '') {
  return {
    naf_section: nafSectionOf(e.naf_code),
    naf_division: nafDivisionOf(e.naf_code),
    department: departmentOf(e.commune_code),
    legal_form: c.legal_form,
    sort_name: normaliseSearchText(c.name).slice(0, 80),
    search_text: establishmentSearchText(c, e, contactNames),
  };
}

/**
 * A word typed, reduced so that its singular and its plural both match (French plurals: -s, -x,
 * -aux): "boulangeries" → "boulangerie", "journaux" and "journal" → "journa". Every word of a search is a
 * prefix, so the stem finds "boulangerie" and "boulangeries" alike, and the reverse already held
 * ("boulangerie" is a prefix of "boulangeries"). Only the query is stemmed, never the indexed
 * text, so both databases index the same words and nothing needs rebuilding; proper nouns lose at
 * most a final s ("dubois" → "duboi", still a prefix of "dubois"), no real stemmer runs on
 * them. Numbers and short words are kept as typed.
 */
export function pluralStem(word: string): string {
  if (word.length < 4 || /\d/.test(word)) return word;
  // -al / -aux (journal, journaux): "journa" is a prefix of both
  if (word.length >= 5 && word.endsWith('aux')) return word.slice(0, -2);
  if (word.length >= 5 && word.endsWith('al')) return word.slice(0, -1);
  if ((word.endsWith('s') && !word.endsWith('ss')) || word.endsWith('x')) return word.slice(0, -1);
  return word;
}
