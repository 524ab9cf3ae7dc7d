// SQL of the map: the cell summary, the same cells counted live over a registry search, points of
// a small box, counts per commune or département, head offices of companies. Establishments are
// always read through the registry's matchingEstablishments (its search filters, its WHERE).
import { sql } from 'kysely';
import { summaryTriggersActive } from '../../platform/db/triggers.js';
import { matchingEstablishments, parseSearch, type SearchQuery } from '../registry/index.js';
import { CELL_SUMMARY, cellSql, type Bbox } from './cells.js';
import type { MapDb } from './map.table.js';

export interface CellRow {
  cx: number;
  cy: number;
  n: number;
  slat: number;
  slon: number;
}
export interface CellRange {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const num = (rows: Record<string, unknown>[]): CellRow[] => rows.map((r) => ({ cx: Number(r.cx), cy: Number(r.cy), n: Number(r.n), slat: Number(r.slat), slon: Number(r.slon) }));

/** Is the cell summary maintained (its triggers installed)? Otherwise every count is live. */
export const cellSummaryActive = (db: MapDb) => summaryTriggersActive(db, CELL_SUMMARY.triggers);

/** Cells of a summary level in a range, for the statuses, under one facet column's values (or every establishment). */
export async function summaryCells(db: MapDb, statuses: readonly string[], level: number, r: CellRange, facet?: { column: string; values: readonly string[] }): Promise<CellRow[]> {
  const rows = await db
    .selectFrom('map_cells')
    .select(['cx', 'cy', sql<number>`sum(n)`.as('n'), sql<number>`sum(slat)`.as('slat'), sql<number>`sum(slon)`.as('slon')])
    .where('status', 'in', [...statuses])
    .where('level', '=', level)
    .where('f', '=', facet ? facet.column : '*')
    .where('v', 'in', facet ? [...facet.values] : [''])
    .where('cx', '>=', r.x0)
    .where('cx', '<=', r.x1)
    .where('cy', '>=', r.y0)
    .where('cy', '<=', r.y1)
    .groupBy(['cx', 'cy'])
    .having(sql`sum(n)`, '>', 0)
    .execute();
  return num(rows);
}

/**
 * The coordinates index (migration 2026-12-07T0150-map-cells), which SQLite must be told to read
 * for a small box: it would walk every active establishment instead (matchingEstablishments).
 */
const GEO_INDEX = 'establishments_geo_idx';

/** The matching establishments with coordinates inside a box; `small`: a street's box, read through the coordinates index. */
function located(db: MapDb, s: SearchQuery, box: Bbox, small = false) {
  return matchingEstablishments(db, s, small ? { sqliteIndex: GEO_INDEX } : {})
    .where('e.latitude', 'is not', null)
    .where('e.longitude', 'is not', null)
    .where('e.longitude', '>=', box[0])
    .where('e.longitude', '<=', box[2])
    .where('e.latitude', '>=', box[1])
    .where('e.latitude', '<=', box[3]);
}

/** The same cells counted by SQL over any registry search (words, tags, several facets, a zone, street levels). */
export async function liveCells(db: MapDb, s: SearchQuery, level: number, box: Bbox, small = false): Promise<CellRow[]> {
  const { cx, cy } = cellSql(level, 'e');
  const rows = await located(db, s, box, small)
    .select([sql<number>`${sql.raw(cx)}`.as('cx'), sql<number>`${sql.raw(cy)}`.as('cy'), sql<number>`count(*)`.as('n'), sql<number>`sum(e.latitude)`.as('slat'), sql<number>`sum(e.longitude)`.as('slon')])
    .groupBy([sql.raw(cx), sql.raw(cy)])
    .execute();
  return num(rows);
}

export interface PointRow {
  id: number;
  companyId: number;
  name: string;
  sign: string | null;
  latitude: number;
  longitude: number;
  geoSource: string | null;
  diffusion: 'public' | 'partial';
  city: string | null;
  nafCode: string | null;
}

/** Establishments of a box one by one (street zoom), at most `limit`, in id order. */
export async function livePoints(db: MapDb, s: SearchQuery, box: Bbox, limit: number): Promise<PointRow[]> {
  const rows = await located(db, s, box, true)
    .innerJoin('companies as c', 'c.id', 'e.company_id')
    .select(['e.id', 'e.company_id as companyId', 'c.name', 'e.sign', 'e.latitude', 'e.longitude', 'e.geo_source as geoSource', 'e.diffusion', 'e.city', 'e.naf_code as nafCode'])
    .orderBy('e.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, latitude: Number(r.latitude), longitude: Number(r.longitude) }));
}

/** Mid-point of each INSEE headcount band (NN, 00 and unknown count 0): the headcount measure is an estimate. */
export const BAND_MIDPOINTS: Record<string, number> = {
  '01': 1.5, '02': 4, '03': 7.5, '11': 14.5, '12': 34.5, '21': 74.5, '22': 149.5, '31': 224.5, '32': 374.5, '41': 749.5, '42': 1499.5, '51': 3499.5, '52': 7499.5, '53': 10000,
};
const headcountSql = sql.raw(`case e.headcount_band ${Object.entries(BAND_MIDPOINTS).map(([b, n]) => `when '${b}' then ${n}`).join(' ')} else 0 end`);

export interface AreaRow {
  code: string;
  count: number;
  headcount: number;
  created: number;
}

/** Per commune or département: establishments, estimated headcount, creations since `since` (YYYY-MM-DD). */
export async function areaCounts(db: MapDb, s: SearchQuery, by: 'commune' | 'department', since: string): Promise<AreaRow[]> {
  const column = by === 'commune' ? 'e.commune_code' : 'e.department';
  const rows = await matchingEstablishments(db, s)
    .where(column, 'is not', null)
    .select([
      `${column} as code`,
      sql<number>`count(*)`.as('count'),
      sql<number>`sum(${headcountSql})`.as('headcount'),
      sql<number>`sum(case when e.creation_date >= ${since} then 1 else 0 end)`.as('created'),
    ])
    .groupBy(column)
    .execute();
  return rows.map((r) => ({ code: String(r.code), count: Number(r.count), headcount: Math.round(Number(r.headcount)), created: Number(r.created) }));
}

/** Head office coordinates of companies (CRM layers place a visit or a deal at its company's head office). */
export async function headOffices(db: MapDb, companyIds: readonly number[]): Promise<Map<number, { latitude: number; longitude: number; approximate: boolean }>> {
  const out = new Map<number, { latitude: number; longitude: number; approximate: boolean }>();
  const all = parseSearch({ status: 'all' });
  const ids = [...new Set(companyIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await matchingEstablishments(db, all)
      .where('e.company_id', 'in', ids.slice(i, i + 500))
      .where('e.is_head_office', '=', 1)
      .where('e.latitude', 'is not', null)
      .select(['e.company_id as companyId', 'e.latitude', 'e.longitude', 'e.geo_source as geoSource'])
      .execute();
    for (const r of rows) out.set(r.companyId, { latitude: Number(r.latitude), longitude: Number(r.longitude), approximate: r.geoSource !== 'sirene' });
  }
  return out;
}

/** Active staff accounts, for the adviser filter of the CRM layers. */
export function staffChoices(db: MapDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').limit(500).execute();
}

export interface GeoRow {
  id: number;
  companyId: number;
  siret: string | null;
  name: string;
  sign: string | null;
  nafCode: string | null;
  headcountBand: string | null;
  communeCode: string | null;
  city: string | null;
  diffusion: 'public' | 'partial';
  latitude: number | null;
  longitude: number | null;
  geoSource: string | null;
}

/** One keyset page of a search's establishments (GeoJSON export). */
export async function geoPage(db: MapDb, s: SearchQuery, after: number, limit: number): Promise<GeoRow[]> {
  const rows = await matchingEstablishments(db, s)
    .innerJoin('companies as c', 'c.id', 'e.company_id')
    .select(['e.id', 'e.company_id as companyId', 'e.siret', 'c.name', 'e.sign', 'e.naf_code as nafCode', 'e.headcount_band as headcountBand', 'e.commune_code as communeCode', 'e.city', 'e.diffusion', 'e.latitude', 'e.longitude', 'e.geo_source as geoSource'])
    .where('e.id', '>', after)
    .orderBy('e.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, latitude: r.latitude === null ? null : Number(r.latitude), longitude: r.longitude === null ? null : Number(r.longitude) }));
}
