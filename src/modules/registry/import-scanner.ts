// The scan of one SIRENE file (#12, ADR 0015 amended 2026-12-07): read, split, fingerprint the
// lines, tell those last imported unchanged (binary search among the stored fingerprints), map
// the others to the values the import writes. It answers, per chunk read, the rows that matter
// in file order as small events; what needs the import's state (duplicates, the SIRENs kept,
// the rejected-rows report, the database) stays with the import, so the results are those of
// the former single loop line for line. Runs in the import's thread or in a worker thread
// (import-worker.ts, import-scan.ts); no database code here.
import { csvBatches, fieldAt, fieldsAt, fingerprint53, type CsvRow } from './import-lines.js';
import { establishmentColumns, mapEstablishment, mapUnit, placeEstablishment, Rejection, unitColumns, type MappedCompany, type MappedEstablishment } from './sirene.mapping.js';

/** The keys of a mapped establishment, in the order pass 1 writes their values (the kept file). */
export const MAPPED_EST_KEYS = ['siret', 'siren', 'nic', 'diffusion', 'creation_date', 'headcount_band', 'is_head_office', 'address_complement', 'street_number', 'street_suffix', 'street_type', 'street_name', 'postal_code', 'city', 'commune_code', 'cedex', 'country_code', 'country_name', 'latitude', 'longitude', 'geo_source', 'status', 'sign', 'usual_name', 'naf_code', 'naf25_code'] as const satisfies readonly (keyof MappedEstablishment)[];

export interface ScanRequest {
  kind: 'establishments' | 'units';
  file: string;
  /** the file's header, as the import read it */
  header: string[];
  territory: readonly string[];
  /** seed of the line fingerprints (LINE_SEED) */
  seed: number;
  /** stored (key, line fingerprint) pairs sorted by key: the lines last imported */
  storedKeys: Float64Array;
  storedHashes: Float64Array;
  /** units: the SIRENs owning a kept establishment (the other units are skipped unsplit) */
  wanted?: Set<number>;
}

/**
 * One row of the file that matters, in file order. `id` is the SIRET (establishments) or SIREN
 * (units) as a number. Without `reject`, `json` or `unit`, the line is the one last imported.
 */
export interface ScanEvent {
  line: number;
  /** the key as written in the file (the rejected-rows report shows it) */
  key: string;
  id: number;
  /** the line's fingerprint */
  h: number;
  reject?: [reason: string, detail: string];
  /** establishments: the SIREN of a mapped row, and its values + fingerprint as a kept-file line */
  parent?: number;
  json?: string;
  /** units: the mapped unit */
  unit?: MappedCompany;
}

export interface ScanBatch {
  /** bytes read since the previous batch */
  bytes: number;
  /** data rows read since the previous batch (skipped ones included) */
  rows: number;
  outside: number;
  foreign: number;
  events: ScanEvent[];
}


/** The batches of the file of `req`. */
export function scanBatches(req: ScanRequest): AsyncGenerator<ScanBatch> {
  return req.kind === 'establishments' ? scanEstablishments(req) : scanUnits(req);
}

/** Sorted stored (key, fingerprint) pairs: true when `key` was last imported from a line fingerprinted `hash`. */
function sameLine(keys: Float64Array, hashes: Float64Array, key: number, hash: number): boolean {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid];
    if (k === key) return hashes[mid] === hash;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** The data rows of a SIRENE file batch by batch: csvBatches without the header line (never given to `skip`). */
async function* dataBatches(...args: Parameters<typeof csvBatches>): AsyncGenerator<CsvRow[]> {
  let first = true;
  for await (const batch of csvBatches(...args)) {
    yield first ? batch.slice(1) : batch;
    first = false;
  }
}

async function* scanEstablishments(req: ScanRequest): AsyncGenerator<ScanBatch> {
  const same = (key: number, hash: number) => sameLine(req.storedKeys, req.storedHashes, key, hash);
  const { header, territory, seed } = req;
  const { index: ex } = establishmentColumns(header);
  const stored = req.storedKeys.length > 0;
  let rows = 0;
  let outside = 0;
  let foreign = 0;
  let bytes = 0;
  let events: ScanEvent[] = [];
  const placeOnly: string[] = [];
  // Lines dealt with before being split into their 54 fields: rows plainly outside the territory
  // (most of the national file), and rows whose line is the one last imported (most of a
  // re-import) — a few fields read in place and the line's fingerprint.
  // The three fields read in place, in file order (one walk over the commas); a header where
  // they are not in this order (never seen) reads each one apart.
  const wanted = [ex.siret, ex.codeCommuneEtablissement, ex.codePaysEtrangerEtablissement];
  const ordered = wanted[0] < wanted[1] && wanted[1] < wanted[2];
  const cells: string[] = ['', '', ''];
  const skip = (line: string, lineNumber: number): boolean => {
    if (ordered) fieldsAt(line, wanted, cells);
    else for (let k = 0; k < 3; k++) cells[k] = fieldAt(line, wanted[k]);
    placeOnly[ex.codeCommuneEtablissement] = cells[1];
    placeOnly[ex.codePaysEtrangerEtablissement] = cells[2];
    const place = placeEstablishment(placeOnly, ex, territory);
    if (place === 'outside') {
      rows++;
      outside++;
      return true;
    }
    if (place !== 'territory' || !stored) return false;
    const key = cells[0];
    const h = fingerprint53(line, seed);
    if (!same(Number(key), h)) return false;
    rows++;
    events.push({ line: lineNumber, key, id: Number(key), h });
    return true;
  };
  for await (const batch of dataBatches(req.file, (n) => (bytes += n), skip)) {
    for (const { row, line, text } of batch) {
      rows++;
      const place = placeEstablishment(row, ex, territory);
      if (place === 'outside') {
        outside++;
        continue;
      }
      if (place === 'foreign') {
        foreign++;
        continue;
      }
      const key = row[ex.siret] ?? '';
      const h = fingerprint53(text, seed);
      // The same line as at the last import: nothing to map or write.
      if (stored && same(Number(key), h)) {
        events.push({ line, key, id: Number(key), h });
        continue;
      }
      const m = mapEstablishment(row, ex, header.length);
      if (m instanceof Rejection) {
        events.push({ line, key, id: 0, h, reject: [m.reason, m.detail] });
        continue;
      }
      // The values in MAPPED_EST_KEYS order, then the line's fingerprint, as the kept file holds them.
      const values: unknown[] = MAPPED_EST_KEYS.map((k) => m[k]);
      values.push(h);
      events.push({ line, key, id: Number(m.siret), h, parent: Number(m.siren), json: JSON.stringify(values) });
    }
    yield { bytes, rows, outside, foreign, events };
    bytes = rows = outside = foreign = 0;
    events = [];
  }
}

async function* scanUnits(req: ScanRequest): AsyncGenerator<ScanBatch> {
  const same = (key: number, hash: number) => sameLine(req.storedKeys, req.storedHashes, key, hash);
  const { header, seed } = req;
  const { index: ux } = unitColumns(header);
  const wanted = req.wanted!;
  const stored = req.storedKeys.length > 0;
  let rows = 0;
  let bytes = 0;
  let events: ScanEvent[] = [];
  // A unit none of whose establishments we keep is dropped before its line is split;
  // a unit whose line is the one last imported is unchanged, also unsplit.
  const skip = (line: string, lineNumber: number): boolean => {
    const key = fieldAt(line, ux.siren).trim();
    const siren = Number(key);
    if (!wanted.has(siren)) {
      rows++;
      return true;
    }
    if (!stored) return false;
    const h = fingerprint53(line, seed);
    if (!same(siren, h)) return false;
    rows++;
    events.push({ line: lineNumber, key, id: siren, h });
    return true;
  };
  for await (const batch of dataBatches(req.file, (n) => (bytes += n), skip)) {
    for (const { row, line, text } of batch) {
      rows++;
      const key = (row[ux.siren] ?? '').trim();
      const siren = Number(key);
      // Not ours — unless its key is broken, which we cannot know without validating: malformed
      // keys are reported only when they could have been ours (never the 25 M other units).
      if (!wanted.has(siren)) continue;
      const h = fingerprint53(text, seed);
      if (stored && same(siren, h)) {
        events.push({ line, key, id: siren, h });
        continue;
      }
      const m = mapUnit(row, ux, header.length);
      if (m instanceof Rejection) {
        events.push({ line, key, id: 0, h, reject: [m.reason, m.detail] });
        continue;
      }
      events.push({ line, key, id: Number(m.siren), h, unit: m });
    }
    yield { bytes, rows, outside: 0, foreign: 0, events };
    bytes = rows = 0;
    events = [];
  }
}

