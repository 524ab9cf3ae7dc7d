// Relevance set: 45 queries and the result each must put first, on SQLite and on PostgreSQL alike
// (the same expectations run on both). The SIRENE sample plus decoys that share words with the
// right answer: names longer than the one typed, the same words in another order, words found
// only in an address, a trade name, accents and case typed differently. The last three need the
// scored relevance (ADR 0016): a word in the name beats the same word in a street, an other name
// (acronym) beats a street, a rare word beats a common one — the former rule-based rank put a
// shorter name, or a name starting with the first word typed, first.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { parseSearch, searchEstablishments } from '../src/modules/registry/index.js';
import { createManualCompany } from '../src/modules/registry/company.service.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { createTestApp, type TestApp } from './helpers.js';

const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules', 'registry', 'reference', 'sample');
let t: TestApp;

/** A SIRET with valid Luhn keys (SIREN key, then SIRET key) from 8 + 4 digits. */
function siretOf(eight: string, nic4: string): string {
  const key = (digits: string) => {
    for (let k = 0; k < 10; k++) {
      const s = digits + k;
      let sum = 0;
      for (let i = 0; i < s.length; i++) {
        let d = s.charCodeAt(s.length - 1 - i) - 48;
        if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
      }
      if (sum % 10 === 0) return s;
    }
    throw new Error('no key');
  };
  return key(key(eight) + nic4);
}

type Decoy = [string, string, string, { streetName?: string; acronym?: string; siret?: string }?];
const DECOYS: Decoy[] = [
  // name, postal code, commune (street "Rue du Test" unless given)
  ['ÉLECTRICITÉ GÉNÉRALE GIRARD', '69003', '69383'],
  ['PLOMBERIE ARTISANALE DU FOREZ', '42000', '42218'],
  ['GARAGE AUTOMOBILE DU PILAT', '42400', '42207'],
  ['IMPRIMERIE GIRARDOT', '69100', '69266'],
  ['GIRARD HÔTELLERIE SERVICES', '42000', '42218'],
  ['AU BON CONSEIL', '69003', '69383'],
  ['BOULANGERIE ARTISANALE DUBOIS ET FILS', '42300', '42187'],
  ['FROMAGERIE ARTISANALE DES MONTS DU LYONNAIS', '69200', '69259'],
  ['CAFÉ DE LA GARE DU FOREZ', '42000', '42218'],
  ['ATELIER ET FILS DE GIVORS', '69700', '69091'],
  // a word in the name vs the same word in a street (both in Lyon): "vermeil lyon"
  ['ETABLISSEMENTS VERMEIL', '69003', '69383'],
  ['AB SERVICES', '69003', '69383', { streetName: 'Rue Vermeil' }],
  // an acronym (other name, known as such by its SIRET) vs a street: "orion lyon"
  ['SOCIETE DES ETABLISSEMENTS DURAND', '69003', '69383', { acronym: 'ORION', siret: siretOf('73282932', '0001') }],
  ['AB CONSEIL', '69003', '69383', { streetName: 'Rue Orion' }],
  // a rare word in the name vs a common one (lyon): "lyon alcyone"
  ['ALCYONE CONSEIL', '69003', '69383'],
  ['LYON CONSEIL', '69003', '69383', { streetName: 'Rue Alcyone' }],
];

beforeAll(async () => {
  t = await createTestApp();
  await importSireneStock(t.db, { unitsFile: path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), establishmentsFile: path.join(SAMPLE, 'StockEtablissement_utf8.csv'), territory: ['42', '69'], actor: SYSTEM_ACTOR });
  for (const [name, postalCode, communeCode, more] of DECOYS) {
    await t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name, postalCode, communeCode, streetName: 'Rue du Test', streetNumber: '1', confirmDuplicate: true, ...more }));
  }
});
afterAll(async () => t?.close());

/** What the first result must be: its exact name, or a test on it (several equally right answers). */
type Expected = string | { startsWith: string } | { word: string } | { postalCode: string } | { siret: string };
const SET: [string, Expected][] = [
  ['electricite girard', 'ÉLECTRICITÉ GIRARD'],
  ['Électricité Girard', 'ÉLECTRICITÉ GIRARD'],
  ['ELECTRICITE GIRARD', 'ÉLECTRICITÉ GIRARD'],
  ['girard electricite', 'ÉLECTRICITÉ GIRARD'],
  ['plomberie du forez', 'PLOMBERIE DU FOREZ'],
  ['garage du pilat', 'GARAGE DU PILAT'],
  ['pilat garage', 'GARAGE DU PILAT'],
  ['imprimerie girard', 'IMPRIMERIE GIRARD'],
  ['hotel girard', 'HÔTEL GIRARD'],
  ['hôtel girard', 'HÔTEL GIRARD'],
  ['girard hotel', 'HÔTEL GIRARD'],
  ['boulangerie dubois', 'BOULANGERIE DUBOIS'],
  // plurals typed (#12): the singular name first
  ['boulangeries dubois', 'BOULANGERIE DUBOIS'],
  ['hotels girard', 'HÔTEL GIRARD'],
  ['fromagerie des monts', 'FROMAGERIE DES MONTS'],
  ['fromagerie du forez', 'FROMAGERIE DU FOREZ'],
  ['forez fromagerie', 'FROMAGERIE DU FOREZ'],
  ['fromagerie dubois', 'Fromagerie Dubois'],
  ['garage des monts', 'GARAGE DES MONTS'],
  ['atelier & fils', 'ATELIER & FILS'],
  ['atelier et fils', 'ATELIER & FILS'],
  ['plomberie & fils', 'Plomberie & Fils'],
  ['plomberie roannais', 'PLOMBERIE ROANNAIS'],
  ['conseil dubois', 'CONSEIL DUBOIS'],
  ['conseil martin', 'CONSEIL MARTIN'],
  ['transports martin', 'TRANSPORTS MARTIN'],
  ['textiles martin', 'TEXTILES MARTIN'],
  ['informatique des monts', 'INFORMATIQUE DES MONTS'],
  ['informatique croix rousse', 'INFORMATIQUE DE LA CROIX-ROUSSE'],
  ['menuiserie oeuvre', 'Menuiserie Œuvre'],
  ['hotel oeuvre', 'HÔTEL ŒUVRE'],
  ['societe lyonnais', 'SOCIÉTÉ LYONNAIS'],
  ['transports saint jean', 'Transports Saint-Jean'],
  ['hotel rhone alpes', 'Hôtel Rhône-Alpes'],
  ['mecanique bernard', 'MÉCANIQUE BERNARD'],
  ['librairie chevalier', 'LIBRAIRIE CHEVALIER'],
  // a trade name (enseigne) only: the company carries another name
  ['textiles rhone alpes', { siret: '97534885500019' }],
  // a first name typed: people named so before streets named after someone (rue Victor Hugo)
  ['hugo', { word: 'hugo' }],
  ['conseil', { startsWith: 'CONSEIL ' }],
  ['fromagerie', { startsWith: 'FROMAGERIE' }],
  ['69003', { postalCode: '69003' }],
  ['386 085 922 00014', { siret: '38608592200014' }],
  // scored relevance (ADR 0016): only a weighted, rarity-aware score gets these right
  ['vermeil lyon', 'ETABLISSEMENTS VERMEIL'],
  ['orion lyon', 'SOCIETE DES ETABLISSEMENTS DURAND'],
  ['lyon alcyone', 'ALCYONE CONSEIL'],
];

describe(`relevance set (${SET.length} queries)`, () => {
  it('puts the expected result first for every query', async () => {
    const misses: string[] = [];
    for (const [q, expected] of SET) {
      const r = await searchEstablishments(t.db, parseSearch({ q }), { facets: false });
      const top = r.items[0];
      const ok =
        top !== undefined &&
        (typeof expected === 'string'
          ? top.name === expected
          : 'startsWith' in expected
            ? top.name.toUpperCase().startsWith(expected.startsWith.toUpperCase())
            : 'word' in expected
              ? new RegExp(`\\b${expected.word}\\b`, 'i').test(top.name)
            : 'postalCode' in expected
              ? top.postalCode === expected.postalCode
              : top.siret === expected.siret);
      if (!ok) misses.push(`${q} → ${top?.name ?? '(none)'} (expected ${JSON.stringify(expected)}; then ${r.items.slice(1, 4).map((x) => x.name).join(', ')})`);
    }
    expect(misses).toEqual([]);
    expect(SET.length).toBeGreaterThanOrEqual(30);
  });

  it('ranks the exact name above longer names sharing its words, whatever their alphabetical order', async () => {
    const r = await searchEstablishments(t.db, parseSearch({ q: 'electricite girard' }), { facets: false });
    const names = r.items.map((x) => x.name);
    expect(names.indexOf('ÉLECTRICITÉ GIRARD')).toBe(0);
    expect(names).toContain('ÉLECTRICITÉ GÉNÉRALE GIRARD');
  });
});
