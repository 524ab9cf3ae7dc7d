// Exports of a search, streamed (keyset pages of 5,000 rows) through platform/export: CSV (UTF-8
// BOM, `;`, opens cleanly in Excel) and XLSX. Partial-diffusion units never have their
// personal fields exported: these files feed prospecting.
import type { Readable } from 'node:stream';
import type { AnyDb } from '../../platform/db/index.js';
import { exportStream, type ExportColumn } from '../../platform/export.js';
import { legalFormLabel, nafLabel } from './reference.js';
import { PARTIAL_NAME } from './sirene.mapping.js';
import { streamSearch, type SearchItem, type SearchQuery } from './search.service.js';

export const EXPORT_HEADER = ['siret', 'siren', 'nom', 'enseigne', 'siege', 'etat', 'diffusion', 'adresse', 'code_postal', 'commune', 'code_commune', 'naf', 'libelle_naf', 'forme_juridique', 'tranche_effectif', 'date_creation', 'latitude', 'longitude'];

export function exportRow(x: SearchItem): (string | number | null)[] {
  const partial = x.diffusion === 'partial';
  // A partial unit's name may be a person's (sole trader): masked, as are street and sign.
  const name = partial && x.legalForm === '1000' ? PARTIAL_NAME : x.name;
  return [
    x.siret, x.siren, name, partial ? null : x.sign, x.isHeadOffice ? 'oui' : 'non', x.status === 'active' ? 'actif' : 'fermé', partial ? 'partielle' : 'publique',
    partial ? null : [x.streetNumber, x.streetType, x.streetName].filter(Boolean).join(' '), x.postalCode, x.city, x.communeCode, x.nafCode, nafLabel(x.nafCode) ?? null,
    legalFormLabel(x.legalForm) ?? x.legalForm, x.headcountBand, x.creationDate, partial ? null : x.latitude, partial ? null : x.longitude,
  ];
}

async function* rowsOf(db: AnyDb, s: SearchQuery): AsyncGenerator<(string | number | null)[]> {
  for await (const page of streamSearch(db, s)) for (const x of page) yield exportRow(x);
}

const COLUMNS: ExportColumn<(string | number | null)[]>[] = EXPORT_HEADER.map((header, i) => ({ header, value: (row) => row[i] }));

/** The search as CSV (BOM, `;`), streamed page by page. */
export const csvExport = (db: AnyDb, s: SearchQuery): Readable => exportStream('csv', rowsOf(db, s), COLUMNS);

/** The search as an XLSX workbook, streamed. */
export const xlsxExport = (db: AnyDb, s: SearchQuery): Readable => exportStream('xlsx', rowsOf(db, s), COLUMNS, 'Registre');
