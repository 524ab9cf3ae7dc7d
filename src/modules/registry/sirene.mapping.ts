// SIRENE stock file rows → registry records. Columns are found by (trimmed) name; each row is
// validated and either mapped or rejected with a reason (README of the SIRENE sample).
import proj4 from 'proj4';
import { communeByCode, departmentOf } from './reference.js';
import type { CompanyRow, EstablishmentRow } from './registry.table.js';
import { isValidSiren, isValidSiret } from './rules.js';

proj4.defs('EPSG:2154', '+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs');
const toWgs84 = proj4('EPSG:2154', 'EPSG:4326');

export const ESTABLISHMENT_REQUIRED = [
  'siren', 'nic', 'siret', 'statutDiffusionEtablissement', 'dateCreationEtablissement', 'trancheEffectifsEtablissement',
  'etablissementSiege', 'numeroVoieEtablissement', 'typeVoieEtablissement', 'libelleVoieEtablissement', 'codePostalEtablissement',
  'libelleCommuneEtablissement', 'codeCommuneEtablissement', 'codePaysEtrangerEtablissement', 'coordonneeLambertAbscisseEtablissement',
  'coordonneeLambertOrdonneeEtablissement', 'etatAdministratifEtablissement', 'enseigne1Etablissement', 'activitePrincipaleEtablissement',
] as const;
const ESTABLISHMENT_OPTIONAL = [
  'complementAdresseEtablissement', 'indiceRepetitionEtablissement', 'denominationUsuelleEtablissement', 'libelleCommuneEtrangerEtablissement',
  'libellePaysEtrangerEtablissement', 'codeCedexEtablissement', 'activitePrincipaleNAF25Etablissement', 'distributionSpecialeEtablissement',
] as const;
export const UNIT_REQUIRED = [
  'siren', 'statutDiffusionUniteLegale', 'dateCreationUniteLegale', 'etatAdministratifUniteLegale', 'denominationUniteLegale',
  'nomUniteLegale', 'categorieJuridiqueUniteLegale', 'activitePrincipaleUniteLegale', 'trancheEffectifsUniteLegale', 'nicSiegeUniteLegale',
] as const;
const UNIT_OPTIONAL = [
  'sigleUniteLegale', 'prenomUsuelUniteLegale', 'prenom1UniteLegale', 'nomUsageUniteLegale', 'denominationUsuelle1UniteLegale',
  'anneeEffectifsUniteLegale', 'categorieEntreprise', 'economieSocialeSolidaireUniteLegale', 'caractereEmployeurUniteLegale',
  'activitePrincipaleNAF25UniteLegale',
] as const;

export type ColumnIndex = Record<string, number>;

/** Maps header names (trimmed: the official file has trailing spaces) to positions. */
export function indexColumns(header: string[], required: readonly string[], optional: readonly string[]): { index: ColumnIndex; missing: string[] } {
  const trimmed = header.map((h) => h.trim().replace(/^\uFEFF/, ''));
  const index: ColumnIndex = {};
  for (const name of [...required, ...optional]) index[name] = trimmed.indexOf(name);
  return { index, missing: required.filter((n) => index[n] < 0) };
}
export const establishmentColumns = (header: string[]) => indexColumns(header, ESTABLISHMENT_REQUIRED, ESTABLISHMENT_OPTIONAL);
export const unitColumns = (header: string[]) => indexColumns(header, UNIT_REQUIRED, UNIT_OPTIONAL);

/** `[ND]` (non diffusible) and empty cells are both "no value". */
function val(row: string[], i: number): string | null {
  if (i < 0) return null;
  const v = row[i];
  if (v === undefined) return null;
  const s = v.trim();
  return s === '' || s === '[ND]' ? null : s;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/**
 * A calendar date written YYYY-MM-DD. Checked by arithmetic rather than through a Date (two
 * dates a row, ~0.1 s of a 200,000-row load): the same answers, years before 100 included, which
 * Date.UTC read as 19xx and the former check therefore refused.
 */
export function dateOk(s: string | null): boolean {
  if (s === null) return true;
  const m = DATE.exec(s);
  if (!m) return false;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (y < 100 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 2 && leap ? 29 : MONTH_DAYS[mo - 1]);
}

export class Rejection {
  constructor(public readonly reason: string, public readonly detail = '') {}
}

/** An establishment as read from the file: the SIRENE columns of the establishments table. */
export type MappedEstablishment = Pick<
  EstablishmentRow,
  | 'nic' | 'diffusion' | 'creation_date' | 'headcount_band' | 'is_head_office' | 'address_complement' | 'street_number' | 'street_suffix' | 'street_type' | 'street_name'
  | 'postal_code' | 'city' | 'commune_code' | 'cedex' | 'country_code' | 'country_name' | 'latitude' | 'longitude' | 'geo_source' | 'status' | 'sign' | 'usual_name' | 'naf_code' | 'naf25_code'
> & { siret: string; siren: string; nic: string };

export type Placement = 'territory' | 'foreign' | 'outside';

/** Where the row is (cheap, decides whether the row matters at all) — before validation. */
export function placeEstablishment(row: string[], ix: ColumnIndex, territory: readonly string[]): Placement {
  if (val(row, ix.codePaysEtrangerEtablissement)) return 'foreign';
  const commune = val(row, ix.codeCommuneEtablissement);
  if (!commune) return 'foreign';
  const dep = departmentOf(commune);
  return territory.includes(commune) || (dep !== null && territory.includes(dep)) ? 'territory' : 'outside';
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

export function mapEstablishment(row: string[], ix: ColumnIndex, columnCount: number): MappedEstablishment | Rejection {
  if (row.length !== columnCount) return new Rejection('column_count', `${row.length}/${columnCount}`);
  const siret = val(row, ix.siret);
  if (!siret) return new Rejection('missing_siret');
  if (!/^\d{14}$/.test(siret)) return new Rejection('malformed_siret', siret);
  if (!isValidSiret(siret)) return new Rejection('bad_check_digit', siret);
  const siren = siret.slice(0, 9);
  const nic = siret.slice(9);
  if (val(row, ix.siren) !== siren || val(row, ix.nic) !== nic) return new Rejection('siret_mismatch', `${val(row, ix.siren)} ${val(row, ix.nic)}`);
  const diff = val(row, ix.statutDiffusionEtablissement);
  if (diff !== 'O' && diff !== 'P') return new Rejection('bad_diffusion', String(diff));
  const state = val(row, ix.etatAdministratifEtablissement);
  if (state !== 'A' && state !== 'F') return new Rejection('bad_status', String(state));
  const created = val(row, ix.dateCreationEtablissement);
  if (!dateOk(created)) return new Rejection('malformed_date', String(created));
  const siege = val(row, ix.etablissementSiege);
  if (siege !== 'true' && siege !== 'false') return new Rejection('bad_head_office_flag', String(siege));
  const naf = val(row, ix.activitePrincipaleEtablissement);
  const commune = val(row, ix.codeCommuneEtablissement);
  const postal = val(row, ix.codePostalEtablissement);
  if (postal && !/^\d{5}$/.test(postal)) return new Rejection('malformed_postal_code', postal);
  let latitude: number | null = null;
  let longitude: number | null = null;
  let geo: string | null = null;
  const x = Number(val(row, ix.coordonneeLambertAbscisseEtablissement) ?? NaN);
  const y = Number(val(row, ix.coordonneeLambertOrdonneeEtablissement) ?? NaN);
  // Lambert-93 covers metropolitan France only: anything outside its box is a bad coordinate.
  if (Number.isFinite(x) && Number.isFinite(y) && x > 0 && x < 1_300_000 && y > 6_000_000 && y < 7_200_000) {
    const [lon, lat] = toWgs84.forward([x, y]);
    latitude = round6(lat);
    longitude = round6(lon);
    geo = 'sirene';
  } else {
    const c = communeByCode(commune);
    if (c && c.latitude !== null) {
      latitude = c.latitude;
      longitude = c.longitude;
      geo = 'centroid';
    }
  }
  return {
    siret,
    siren,
    nic,
    diffusion: diff === 'P' ? 'partial' : 'public',
    creation_date: created,
    headcount_band: val(row, ix.trancheEffectifsEtablissement),
    is_head_office: siege === 'true' ? 1 : 0,
    address_complement: val(row, ix.complementAdresseEtablissement),
    street_number: val(row, ix.numeroVoieEtablissement),
    street_suffix: val(row, ix.indiceRepetitionEtablissement),
    street_type: val(row, ix.typeVoieEtablissement),
    street_name: val(row, ix.libelleVoieEtablissement),
    postal_code: postal,
    city: val(row, ix.libelleCommuneEtablissement),
    commune_code: commune,
    cedex: val(row, ix.codeCedexEtablissement),
    country_code: null,
    country_name: null,
    latitude,
    longitude,
    geo_source: geo,
    status: state === 'A' ? 'active' : 'closed',
    sign: val(row, ix.enseigne1Etablissement),
    usual_name: val(row, ix.denominationUsuelleEtablissement),
    naf_code: naf,
    naf25_code: val(row, ix.activitePrincipaleNAF25Etablissement),
  };
}

/** A legal unit as read from the file: the SIRENE columns of the companies table. */
export type MappedCompany = Pick<
  CompanyRow,
  'name' | 'acronym' | 'usual_name' | 'person_first_name' | 'person_last_name' | 'legal_form' | 'naf_code' | 'naf25_code' | 'headcount_band' | 'headcount_year' | 'category' | 'creation_date' | 'status' | 'diffusion' | 'head_office_nic' | 'ess' | 'employer'
> & { siren: string };

export const PARTIAL_NAME = 'Unité non diffusible';

export function mapUnit(row: string[], ix: ColumnIndex, columnCount: number): MappedCompany | Rejection {
  if (row.length !== columnCount) return new Rejection('column_count', `${row.length}/${columnCount}`);
  const siren = val(row, ix.siren);
  if (!siren) return new Rejection('missing_siren');
  if (!/^\d{9}$/.test(siren)) return new Rejection('malformed_siren', siren);
  if (!isValidSiren(siren)) return new Rejection('bad_check_digit', siren);
  const diff = val(row, ix.statutDiffusionUniteLegale);
  if (diff !== 'O' && diff !== 'P') return new Rejection('bad_diffusion', String(diff));
  const state = val(row, ix.etatAdministratifUniteLegale);
  if (state !== 'A' && state !== 'C') return new Rejection('bad_status', String(state));
  const created = val(row, ix.dateCreationUniteLegale);
  if (!dateOk(created)) return new Rejection('malformed_date', String(created));
  const naf = val(row, ix.activitePrincipaleUniteLegale);
  const legal = val(row, ix.categorieJuridiqueUniteLegale);
  if (legal && !/^\d{4}$/.test(legal)) return new Rejection('malformed_legal_form', legal);
  const last = val(row, ix.nomUsageUniteLegale) ?? val(row, ix.nomUniteLegale);
  const first = val(row, ix.prenomUsuelUniteLegale) ?? val(row, ix.prenom1UniteLegale);
  const denomination = val(row, ix.denominationUniteLegale);
  const usual = val(row, ix.denominationUsuelle1UniteLegale);
  const person = [last, first].filter(Boolean).join(' ');
  const name = denomination ?? (person || usual || (diff === 'P' ? PARTIAL_NAME : null));
  if (!name) return new Rejection('missing_name');
  const year = val(row, ix.anneeEffectifsUniteLegale);
  const flag = (s: string | null) => (s === 'O' ? 1 : s === 'N' ? 0 : null);
  return {
    siren,
    name,
    acronym: val(row, ix.sigleUniteLegale),
    usual_name: usual,
    person_first_name: first,
    person_last_name: last,
    legal_form: legal,
    naf_code: naf,
    naf25_code: val(row, ix.activitePrincipaleNAF25UniteLegale),
    headcount_band: val(row, ix.trancheEffectifsUniteLegale),
    headcount_year: year && /^\d{4}$/.test(year) ? Number(year) : null,
    category: val(row, ix.categorieEntreprise),
    creation_date: created,
    status: state === 'A' ? 'active' : 'ceased',
    diffusion: diff === 'P' ? 'partial' : 'public',
    head_office_nic: val(row, ix.nicSiegeUniteLegale),
    ess: flag(val(row, ix.economieSocialeSolidaireUniteLegale)),
    employer: flag(val(row, ix.caractereEmployeurUniteLegale)),
  };
}
