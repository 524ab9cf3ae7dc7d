// Synthetic SIRENE stock files: realistic French names, a NAF mix, communes of the territory,
// Lambert-93 coordinates around the commune centroid. Used by `seed --establishments N`, the demo
// seed, the benchmark and the tests (which ask for every trap of the real files).
import { createWriteStream, type WriteStream } from 'node:fs';
import proj4 from 'proj4';
import { allCommunes, type Commune } from './reference.js';
import { LA_POSTE_SIREN } from './rules.js';
import './sirene.mapping.js'; // registers EPSG:2154

export const UNIT_HEADER = 'siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,sigleUniteLegale,sexeUniteLegale,prenom1UniteLegale,prenom2UniteLegale,prenom3UniteLegale,prenom4UniteLegale,prenomUsuelUniteLegale,pseudonymeUniteLegale,identifiantAssociationUniteLegale,trancheEffectifsUniteLegale,anneeEffectifsUniteLegale,dateDernierTraitementUniteLegale,nombrePeriodesUniteLegale,categorieEntreprise,anneeCategorieEntreprise,dateDebut,etatAdministratifUniteLegale,nomUniteLegale,nomUsageUniteLegale,denominationUniteLegale,denominationUsuelle1UniteLegale,denominationUsuelle2UniteLegale,denominationUsuelle3UniteLegale,categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,nomenclatureActivitePrincipaleUniteLegale,nicSiegeUniteLegale,economieSocialeSolidaireUniteLegale,societeMissionUniteLegale,caractereEmployeurUniteLegale,activitePrincipaleNAF25UniteLegale'.split(',');
export const EST_HEADER = 'siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,trancheEffectifsEtablissement,anneeEffectifsEtablissement,activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,numeroVoieEtablissement,indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,codeCommuneEtablissement,codeCedexEtablissement,libelleCedexEtablissement,codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement ,coordonneeLambertOrdonneeEtablissement ,complementAdresse2Etablissement,numeroVoie2Etablissement,indiceRepetition2Etablissement,typeVoie2Etablissement,libelleVoie2Etablissement,codePostal2Etablissement,libelleCommune2Etablissement,libelleCommuneEtranger2Etablissement,distributionSpeciale2Etablissement,codeCommune2Etablissement,codeCedex2Etablissement,libelleCedex2Etablissement,codePaysEtranger2Etablissement,libellePaysEtranger2Etablissement,dateDebut,etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,enseigne3Etablissement,denominationUsuelleEtablissement,activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,caractereEmployeurEtablissement,activitePrincipaleNAF25Etablissement'.split(',');

/** Deterministic PRNG (mulberry32): the same seed gives the same registry. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

export const LAST_NAMES = ['Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefèvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Marchand', 'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier', 'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière', 'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Martinez', 'Gérard', 'Roche', 'Renard', 'Schmitt', 'Roy', 'Leroux', 'Colin', 'Vidal', 'Caron', 'Picard', 'Roger', 'Fabre', 'Aubert', 'Lemoine', 'Renaud', 'Dumas', 'Lacroix', 'Olivier', 'Philippe', 'Bourgeois', 'Pierre', 'Benoît', 'Rey', 'Léger', 'Besson', 'N’Diaye', 'Nguyen', 'Benali', 'Da Silva', 'Vial', 'Chapuis', 'Ferrand', 'Berthon', 'Thévenet'];
export const FIRST_NAMES = ['Marie', 'Jean', 'Nathalie', 'Pierre', 'Isabelle', 'Michel', 'Sylvie', 'Philippe', 'Catherine', 'Alain', 'Françoise', 'Nicolas', 'Sandrine', 'Christophe', 'Émilie', 'Stéphane', 'Céline', 'Julien', 'Camille', 'Sébastien', 'Léa', 'Thomas', 'Chloé', 'Hugo', 'Manon', 'Lucas', 'Inès', 'Karim', 'Zoé', 'Mathéo', 'Anaïs', 'Gaëlle', 'Jérôme', 'Hélène', 'Benoît', 'Agnès', 'Noël', 'Maëlle', 'Yannick', 'Aurélie'];
const TRADES: [string, string, number][] = [
  // [NAF, trade word, weight]
  ['47.11F', 'Supérette', 3], ['47.24Z', 'Boulangerie', 4], ['10.71C', 'Boulangerie-Pâtisserie', 5], ['56.10A', 'Restaurant', 8], ['56.30Z', 'Café', 4],
  ['56.10C', 'Snack', 3], ['47.71Z', 'Boutique', 5], ['47.73Z', 'Pharmacie', 2], ['96.02A', 'Coiffure', 5], ['43.22A', 'Plomberie', 4],
  ['43.21A', 'Électricité', 4], ['43.32A', 'Menuiserie', 3], ['41.20A', 'Construction', 3], ['43.99C', 'Maçonnerie', 3], ['45.20A', 'Garage', 4],
  ['49.41A', 'Transports', 3], ['62.01Z', 'Informatique', 4], ['70.22Z', 'Conseil', 6], ['69.20Z', 'Expertise comptable', 2], ['68.20A', 'Immobilière', 4],
  ['68.31Z', 'Agence immobilière', 3], ['25.62B', 'Mécanique', 2], ['22.22Z', 'Plasturgie', 1], ['13.20Z', 'Tissage', 1], ['46.90Z', 'Négoce', 3],
  ['55.10Z', 'Hôtel', 2], ['86.21Z', 'Cabinet médical', 2], ['71.12B', 'Ingénierie', 2], ['18.12Z', 'Imprimerie', 1], ['10.13A', 'Charcuterie', 1],
  ['47.22Z', 'Boucherie', 2], ['01.21Z', 'Domaine viticole', 1], ['85.59A', 'Formation', 2], ['74.10Z', 'Design', 1], ['81.21Z', 'Nettoyage', 2],
  ['93.13Z', 'Salle de sport', 1], ['47.78C', 'Fleuriste', 1], ['33.12Z', 'Maintenance industrielle', 1], ['52.29B', 'Logistique', 1], ['64.19Z', 'Banque', 1],
];
const TRADE_POOL = TRADES.flatMap((t) => Array(t[2]).fill(t) as [string, string, number][]);
const PLACES = ['du Forez', 'du Pilat', 'des Monts', 'du Lyonnais', 'Rhodanienne', 'de la Loire', 'du Beaujolais', 'Stéphanoise', 'des Canuts', 'de Fourvière', 'de la Croix-Rousse', 'du Roannais', 'de Bellecour', 'du Gier', 'des Brotteaux', 'de la Saône', 'Saint-Jean', 'du Vieux Lyon', 'des Quais', 'du Centre'];
const FORMS: [string, string, number][] = [['5710', 'SAS', 6], ['5499', 'SARL', 6], ['5720', 'SASU', 4], ['5498', 'EURL', 3], ['1000', '', 7], ['6540', 'SCI', 2], ['9220', 'Association', 1], ['5599', 'SA', 1]];
const FORM_POOL = FORMS.flatMap((t) => Array(t[2]).fill(t) as [string, string, number][]);
const STREETS: [string, string][] = [['RUE', 'DE LA REPUBLIQUE'], ['RUE', 'VICTOR HUGO'], ['AV', 'JEAN JAURES'], ['BD', 'DES BROTTEAUX'], ['PL', 'BELLECOUR'], ['RUE', 'DU PRESIDENT EDOUARD HERRIOT'], ['QUAI', 'SAINT-ANTOINE'], ['RUE', 'MERCIERE'], ['CRS', 'FAURIEL'], ['RUE', 'DES MARTYRS DE VINGRE'], ['AV', 'DE LA LIBERATION'], ['RUE', 'GAMBETTA'], ['RTE', 'DE ROANNE'], ['CHE', 'DES VIGNES'], ['ALL', 'DES PLATANES'], ['RUE', 'PASTEUR'], ['RUE', 'DE LA PAIX'], ['IMP', 'DU MOULIN'], ['ZI', 'DU BAS ROLLET'], ['RUE', 'NATIONALE'], ['BD', 'DU 11 NOVEMBRE'], ['RUE', 'DE CREQUI'], ['AV', 'BERTHELOT'], ['RUE', 'GARIBALDI']];
const BANDS = ['NN', 'NN', 'NN', '00', '00', '01', '01', '02', '03', '11', '12', '21', '22', '32'];

/** Luhn completion: the check digit that makes `body` + digit valid. */
function luhnComplete(body: string): string {
  for (let d = 0; d < 10; d++) {
    const s = body + d;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let x = s.charCodeAt(s.length - 1 - i) - 48;
      if (i % 2 === 1) {
        x *= 2;
        if (x > 9) x -= 9;
      }
      sum += x;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export interface GenerateOptions {
  establishments: number;
  territory: readonly string[];
  seed?: number;
  /** add every trap of the real files (tests) */
  traps?: boolean;
  /** first SIREN body (8 digits before the check digit) — distinct runs stay distinct */
  sirenStart?: number;
  /**
   * Businesses outside the territory per business inside (default 0). The national stock
   * file has ~40 M establishments of which a CCI keeps ~1 M: 9 gives a file shaped like that
   * (one row in ten kept), to measure what the monthly import of the national file costs.
   */
  outsidePerInside?: number;
}

export interface GeneratedFiles {
  units: number;
  /** establishments of the territory */
  establishments: number;
  /** establishments outside the territory (outsidePerInside) */
  outside: number;
}

function date(rand: ReturnType<typeof rng>, from = 1950, to = 2025): string {
  const y = from + rand.int(to - from + 1);
  const m = 1 + rand.int(12);
  const d = 1 + rand.int(28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

async function write(out: WriteStream, line: string) {
  if (!out.write(line)) await new Promise<void>((res) => out.once('drain', () => res()));
}

/** Writes a StockUniteLegale and a StockEtablissement file with about `establishments` rows. */
export async function generateSireneFiles(unitsPath: string, estPath: string, opts: GenerateOptions): Promise<GeneratedFiles> {
  const rand = rng(opts.seed ?? 42);
  const communes: Commune[] = allCommunes().filter((c) => opts.territory.includes(c.department) || opts.territory.includes(c.code));
  communes.sort((a, b) => a.code.localeCompare(b.code));
  const elsewhere: Commune[] = allCommunes().filter((c) => !opts.territory.includes(c.department) && !opts.territory.includes(c.code));
  const outsideShare = (opts.outsidePerInside ?? 0) / (1 + (opts.outsidePerInside ?? 0));
  let outsideCount = 0;
  // Bigger places get more businesses: Lyon arrondissements, Saint-Étienne, Villeurbanne, Roanne…
  const big = communes.filter((c) => /^(6938\d|42218|69266|42187|69259|69264|42207|69029)$/.test(c.code));
  const toL93 = proj4('EPSG:4326', 'EPSG:2154');
  const units = createWriteStream(unitsPath);
  const ests = createWriteStream(estPath);
  await write(units, UNIT_HEADER.join(',') + '\n');
  await write(ests, EST_HEADER.join(',') + '\n');
  let unitCount = 0;
  let estCount = 0;
  let sirenBody = opts.sirenStart ?? 10_000_000;
  const estRow = (cells: Record<string, string>) => EST_HEADER.map((h) => csvCell(cells[h.trim()] ?? '')).join(',') + '\n';
  const unitRow = (cells: Record<string, string>) => UNIT_HEADER.map((h) => csvCell(cells[h] ?? '')).join(',') + '\n';
  while (estCount < opts.establishments) {
    let siren = luhnComplete(String(sirenBody++).padStart(8, '0'));
    if (siren === LA_POSTE_SIREN) siren = luhnComplete(String(sirenBody++).padStart(8, '0'));
    const [naf, trade] = rand.pick(TRADE_POOL);
    const [form, formLabel] = rand.pick(FORM_POOL);
    const last = rand.pick(LAST_NAMES);
    const first = rand.pick(FIRST_NAMES);
    const partial = rand.next() < 0.02;
    const ceased = rand.next() < 0.04;
    const outside = outsideShare > 0 && rand.next() < outsideShare;
    const nEst = Math.min(outside ? 4 : opts.establishments - estCount, rand.next() < 0.8 ? 1 : 2 + rand.int(3));
    let denomination = '';
    if (form !== '1000') {
      const style = rand.int(4);
      denomination = (style === 0 ? `${trade} ${last}` : style === 1 ? `${trade} ${rand.pick(PLACES)}` : style === 2 ? `${last} & Fils` : `${trade} ${last} ${rand.pick(PLACES)}`).toUpperCase();
      if (formLabel && rand.next() < 0.3) denomination = `${formLabel} ${denomination}`;
    }
    const headSiret = luhnComplete(siren + '0001');
    const headNic = headSiret.slice(9);
    const unitCells: Record<string, string> = {
      siren,
      statutDiffusionUniteLegale: partial ? 'P' : 'O',
      dateCreationUniteLegale: date(rand),
      sigleUniteLegale: form !== '1000' && rand.next() < 0.1 ? denomination.split(' ').map((w) => w[0]).join('').slice(0, 5) : '',
      trancheEffectifsUniteLegale: rand.pick(BANDS),
      anneeEffectifsUniteLegale: '2023',
      dateDernierTraitementUniteLegale: '2026-10-01T12:00:00',
      nombrePeriodesUniteLegale: '1',
      categorieEntreprise: 'PME',
      anneeCategorieEntreprise: '2023',
      dateDebut: date(rand, 2000),
      etatAdministratifUniteLegale: ceased ? 'C' : 'A',
      nomUniteLegale: form === '1000' ? (partial ? '[ND]' : last.toUpperCase()) : '',
      prenomUsuelUniteLegale: form === '1000' ? (partial ? '[ND]' : first) : '',
      prenom1UniteLegale: form === '1000' ? (partial ? '[ND]' : first) : '',
      denominationUniteLegale: denomination,
      categorieJuridiqueUniteLegale: form,
      activitePrincipaleUniteLegale: naf,
      nomenclatureActivitePrincipaleUniteLegale: 'NAFRev2',
      nicSiegeUniteLegale: headNic,
      economieSocialeSolidaireUniteLegale: form === '9220' ? 'O' : 'N',
      caractereEmployeurUniteLegale: rand.next() < 0.5 ? 'O' : 'N',
    };
    await write(units, unitRow(unitCells));
    unitCount++;
    for (let k = 0; k < nEst; k++) {
      const siret = k === 0 ? headSiret : luhnComplete(siren + String(2 + k).padStart(4, '0'));
      const commune = outside ? rand.pick(elsewhere) : rand.next() < 0.45 && big.length ? rand.pick(big) : rand.pick(communes);
      const [stype, sname] = rand.pick(STREETS);
      let x = '';
      let y = '';
      if (commune.latitude !== null && rand.next() < 0.93) {
        const [lx, ly] = toL93.forward([commune.longitude! + (rand.next() - 0.5) * 0.02, commune.latitude + (rand.next() - 0.5) * 0.015]);
        x = lx.toFixed(1);
        y = ly.toFixed(1);
      }
      const sign = rand.next() < 0.3 ? `${trade} ${rand.pick(PLACES)}`.toUpperCase() : '';
      await write(
        ests,
        estRow({
          siren,
          nic: siret.slice(9),
          siret,
          statutDiffusionEtablissement: partial ? 'P' : 'O',
          dateCreationEtablissement: date(rand),
          trancheEffectifsEtablissement: rand.pick(BANDS),
          anneeEffectifsEtablissement: '2023',
          dateDernierTraitementEtablissement: '2026-10-01T12:00:00',
          etablissementSiege: k === 0 ? 'true' : 'false',
          nombrePeriodesEtablissement: '1',
          numeroVoieEtablissement: partial ? '[ND]' : String(1 + rand.int(150)),
          typeVoieEtablissement: partial ? '[ND]' : stype,
          libelleVoieEtablissement: partial ? '[ND]' : sname,
          codePostalEtablissement: commune.postalCodes[0] ?? '',
          libelleCommuneEtablissement: commune.name.toUpperCase(),
          codeCommuneEtablissement: commune.code,
          identifiantAdresseEtablissement: '',
          coordonneeLambertAbscisseEtablissement: partial ? '[ND]' : x,
          coordonneeLambertOrdonneeEtablissement: partial ? '[ND]' : y,
          dateDebut: date(rand, 2000),
          etatAdministratifEtablissement: ceased || rand.next() < 0.08 ? 'F' : 'A',
          enseigne1Etablissement: partial ? '[ND]' : sign,
          activitePrincipaleEtablissement: naf,
          nomenclatureActivitePrincipaleEtablissement: 'NAFRev2',
          caractereEmployeurEtablissement: 'N',
        }),
      );
      if (outside) outsideCount++;
      else estCount++;
    }
  }
  units.end();
  ests.end();
  await Promise.all([new Promise<void>((res) => units.on('close', () => res())), new Promise<void>((res) => ests.on('close', () => res()))]);
  return { units: unitCount, establishments: estCount, outside: outsideCount };
}

/**
 * A newer version of an establishments file: one data line in `every` gets a new sign
 * (enseigne), the others are copied byte for byte — the monthly file where ~1 % of the rows
 * changed, for the re-import bench and tests. Lines with quotes are copied as they are. Returns
 * how many lines were changed.
 */
export async function changeEstablishmentLines(from: string, to: string, every = 100, tag = 'NOUVELLE ENSEIGNE'): Promise<number> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const out = createWriteStream(to);
  const signAt = EST_HEADER.indexOf('enseigne1Etablissement');
  let n = 0;
  let changed = 0;
  for await (const line of createInterface({ input: createReadStream(from, 'utf8'), crlfDelay: Infinity })) {
    let l = line;
    if (n > 0 && n % every === 0 && !l.includes('"')) {
      const cells = l.split(',');
      if (cells.length === EST_HEADER.length) {
        cells[signAt] = `${tag} ${n}`;
        l = cells.join(',');
        changed++;
      }
    }
    n++;
    await write(out, l + '\n');
  }
  out.end();
  await new Promise<void>((res) => out.on('close', () => res()));
  return changed;
}
