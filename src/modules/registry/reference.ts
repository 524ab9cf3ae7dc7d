// Reference data shipped with the module: NAF rév.2 (labels from @socialgouv/codes-naf,
// sections from the division table of DOMAIN.md), legal forms, headcount bands, communes
// (reference/communes.json, built from @etalab/decoupage-administratif + IGN centroids).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

/** Section letter by NAF division (2 digits), from INSEE's table. */
const SECTION_RANGES: [string, number, number][] = [
  ['A', 1, 3], ['B', 5, 9], ['C', 10, 33], ['D', 35, 35], ['E', 36, 39], ['F', 41, 43], ['G', 45, 47],
  ['H', 49, 53], ['I', 55, 56], ['J', 58, 63], ['K', 64, 66], ['L', 68, 68], ['M', 69, 75], ['N', 77, 82],
  ['O', 84, 84], ['P', 85, 85], ['Q', 86, 88], ['R', 90, 93], ['S', 94, 96], ['T', 97, 98], ['U', 99, 99],
];

export const NAF_SECTIONS: Record<string, { fr: string; en: string }> = {
  A: { fr: 'Agriculture, sylviculture et pêche', en: 'Agriculture, forestry and fishing' },
  B: { fr: 'Industries extractives', en: 'Mining and quarrying' },
  C: { fr: 'Industrie manufacturière', en: 'Manufacturing' },
  D: { fr: 'Électricité, gaz, vapeur et air conditionné', en: 'Electricity, gas, steam' },
  E: { fr: 'Eau, assainissement, déchets et dépollution', en: 'Water supply, sewerage, waste' },
  F: { fr: 'Construction', en: 'Construction' },
  G: { fr: 'Commerce ; réparation d’automobiles et de motocycles', en: 'Wholesale and retail trade' },
  H: { fr: 'Transports et entreposage', en: 'Transportation and storage' },
  I: { fr: 'Hébergement et restauration', en: 'Accommodation and food service' },
  J: { fr: 'Information et communication', en: 'Information and communication' },
  K: { fr: 'Activités financières et d’assurance', en: 'Financial and insurance activities' },
  L: { fr: 'Activités immobilières', en: 'Real estate activities' },
  M: { fr: 'Activités spécialisées, scientifiques et techniques', en: 'Professional, scientific and technical' },
  N: { fr: 'Activités de services administratifs et de soutien', en: 'Administrative and support services' },
  O: { fr: 'Administration publique', en: 'Public administration' },
  P: { fr: 'Enseignement', en: 'Education' },
  Q: { fr: 'Santé humaine et action sociale', en: 'Human health and social work' },
  R: { fr: 'Arts, spectacles et activités récréatives', en: 'Arts, entertainment and recreation' },
  S: { fr: 'Autres activités de services', en: 'Other service activities' },
  T: { fr: 'Activités des ménages en tant qu’employeurs', en: 'Activities of households as employers' },
  U: { fr: 'Activités extra-territoriales', en: 'Extraterritorial organisations' },
};

export function nafSectionOf(code: string | null | undefined): string | null {
  const d = nafDivisionOf(code);
  if (!d) return null;
  const n = Number(d);
  for (const [s, lo, hi] of SECTION_RANGES) if (n >= lo && n <= hi) return s;
  return null;
}
export function nafDivisionOf(code: string | null | undefined): string | null {
  return code && /^\d{2}/.test(code) ? code.slice(0, 2) : null;
}

let nafLabels: Map<string, string> | undefined;
/** French label of a NAF rév.2 code (sub-class `47.11F` or division `47`). */
export function nafLabel(code: string | null | undefined): string | undefined {
  if (!code) return undefined;
  if (!nafLabels) nafLabels = new Map((require('@socialgouv/codes-naf/index.json') as { id: string; label: string }[]).map((n) => [n.id, n.label]));
  return nafLabels.get(code);
}
export function isNafCode(code: string): boolean {
  return /^\d{2}\.\d{2}[A-Z]$/.test(code) && nafLabel(code) !== undefined;
}
export function nafDivisions(): { code: string; label: string }[] {
  nafLabel('01');
  return [...nafLabels!].filter(([k]) => /^\d{2}$/.test(k)).map(([code, label]) => ({ code, label }));
}

/** The most common INSEE legal-form codes (catégorie juridique, niveau III). */
export const LEGAL_FORMS: Record<string, string> = {
  '1000': 'Entrepreneur individuel',
  '2110': 'Indivision',
  '2210': 'Société créée de fait',
  '2310': 'Société en participation',
  '3120': 'Société commerciale étrangère immatriculée au RCS',
  '3220': 'Société étrangère non immatriculée au RCS',
  '4110': 'Établissement public national à caractère industriel ou commercial',
  '5202': 'Société en nom collectif',
  '5306': 'Société en commandite simple',
  '5499': 'Société à responsabilité limitée (SARL)',
  '5498': 'SARL unipersonnelle (EURL)',
  '5505': 'SA à participation ouvrière à conseil d’administration',
  '5599': 'SA à conseil d’administration',
  '5699': 'SA à directoire',
  '5710': 'Société par actions simplifiée (SAS)',
  '5720': 'Société par actions simplifiée à associé unique (SASU)',
  '5785': 'Société d’exercice libéral par actions simplifiée',
  '5485': 'Société d’exercice libéral à responsabilité limitée',
  '6220': 'Groupement d’intérêt économique (GIE)',
  '6540': 'Société civile immobilière (SCI)',
  '6585': 'Autre société civile',
  '6316': 'Coopérative d’utilisation de matériel agricole (CUMA)',
  '6317': 'Société coopérative agricole',
  '5460': 'Autre SARL coopérative',
  '5560': 'Autre SA coopérative',
  '7112': 'Autorité administrative indépendante',
  '7210': 'Commune et commune nouvelle',
  '7220': 'Département',
  '7381': 'Organisme consulaire',
  '7383': 'Chambre de métiers',
  '7389': 'Établissement public national à caractère administratif',
  '8110': 'Régime général de la sécurité sociale',
  '9150': 'Mutuelle',
  '9210': 'Association non déclarée',
  '9220': 'Association déclarée',
  '9230': 'Association déclarée d’insertion par l’économique',
  '9260': 'Association de droit local (Bas-Rhin, Haut-Rhin et Moselle)',
  '9300': 'Fondation',
};
export function legalFormLabel(code: string | null | undefined): string | undefined {
  return code ? LEGAL_FORMS[code] : undefined;
}

export const HEADCOUNT_BANDS: Record<string, string> = {
  NN: 'Non employeur ou inconnu',
  '00': '0 salarié',
  '01': '1 ou 2 salariés',
  '02': '3 à 5 salariés',
  '03': '6 à 9 salariés',
  '11': '10 à 19 salariés',
  '12': '20 à 49 salariés',
  '21': '50 à 99 salariés',
  '22': '100 à 199 salariés',
  '31': '200 à 249 salariés',
  '32': '250 à 499 salariés',
  '41': '500 à 999 salariés',
  '42': '1 000 à 1 999 salariés',
  '51': '2 000 à 4 999 salariés',
  '52': '5 000 à 9 999 salariés',
  '53': '10 000 salariés et plus',
};
/** Ordering of bands by size, for "sort by headcount" (NN first = smallest). */
export const HEADCOUNT_ORDER = Object.keys(HEADCOUNT_BANDS);

export interface Commune {
  code: string;
  name: string;
  department: string;
  postalCodes: string[];
  latitude: number | null;
  longitude: number | null;
}
let communes: Map<string, Commune> | undefined;
export function communeByCode(code: string | null | undefined): Commune | undefined {
  if (!code) return undefined;
  if (!communes) {
    const rows = JSON.parse(readFileSync(path.join(here, 'reference', 'communes.json'), 'utf8')) as [string, string, string, string[], number | null, number | null][];
    communes = new Map(rows.map(([c, n, d, p, lat, lon]) => [c, { code: c, name: n, department: d, postalCodes: p, latitude: lat, longitude: lon }]));
  }
  return communes.get(code);
}
export function allCommunes(): Commune[] {
  communeByCode('00000');
  return [...communes!.values()];
}
/** Département of an INSEE commune code (2A/2B for Corsica, 3 digits overseas). */
export function departmentOf(communeCode: string | null | undefined): string | null {
  if (!communeCode || communeCode.length !== 5) return null;
  return communeCode.startsWith('97') ? communeCode.slice(0, 3) : communeCode.slice(0, 2);
}
export function departmentName(code: string): string | undefined {
  return DEPARTMENTS()[code];
}
let deps: Record<string, string> | undefined;
function DEPARTMENTS(): Record<string, string> {
  if (!deps) deps = Object.fromEntries((require('@etalab/decoupage-administratif/data/departements.json') as { code: string; nom: string }[]).map((d) => [d.code, d.nom]));
  return deps;
}

/** Is a commune in the CCI's territory (a list of département and/or commune codes)? */
export function inTerritory(territory: readonly string[], communeCode: string | null | undefined): boolean {
  if (!communeCode) return false;
  const dep = departmentOf(communeCode);
  return territory.includes(communeCode) || (dep !== null && territory.includes(dep));
}
