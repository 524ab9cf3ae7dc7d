// Exports of a search, streamed (keyset pages of 5,000 rows): CSV (UTF-8 BOM, `;`, opens cleanly
// in Excel) and XLSX (exceljs streaming writer). Partial-diffusion units never have their
// personal fields exported: these files feed prospecting.
import { stringify } from 'csv-stringify';
import ExcelJS from 'exceljs';
import { PassThrough, Readable } from 'node:stream';
import type { AnyDb } from '../../platform/db/index.js';
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

export function csvExport(db: AnyDb, s: SearchQuery): Readable {
  const out = stringify({ delimiter: ';', bom: true, header: true, columns: EXPORT_HEADER });
  (async () => {
    try {
      for await (const page of streamSearch(db, s)) {
        for (const x of page) if (!out.write(exportRow(x))) await new Promise<void>((res) => out.once('drain', () => res()));
      }
      out.end();
    } catch (e) {
      out.destroy(e as Error);
    }
  })();
  return out;
}

export function xlsxExport(db: AnyDb, s: SearchQuery): Readable {
  const stream = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet('Registre');
  (async () => {
    try {
      ws.addRow(EXPORT_HEADER).commit();
      for await (const page of streamSearch(db, s)) for (const x of page) ws.addRow(exportRow(x)).commit();
      ws.commit();
      await wb.commit();
    } catch (e) {
      stream.destroy(e as Error);
    }
  })();
  return stream;
}
