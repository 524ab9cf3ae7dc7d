// The map's verbs: clusters of a registry search in a box at a zoom (GeoJSON), choropleths by
// commune or département, the CRM layers, a drawn zone or picked communes saved as a registry
// segment, and the GeoJSON export of a search.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Actor } from '../../platform/audit/audit.js';
import { invalid } from '../../platform/errors.js';
import { dealFacts, visitFacts } from '../crm/index.js';
import { FACETS, FACET_COLUMNS, parseSearch, saveSegment, searchToQueryString, type FacetName, type SearchQuery } from '../registry/index.js';
import { CELL_FACETS, cellBox, cellRange, levelFor, summaryLevelFor, type Bbox } from './cells.js';
import { classOf, jenksBreaks, quantileBreaks } from './classify.js';
import { areaCounts, cellSummaryActive, geoPage, headOffices, liveCells, livePoints, summaryCells, type CellRow } from './map.queries.js';
import type { MapDb } from './map.table.js';

/** From this zoom on, a box holding at most POINT_LIMIT establishments answers them one by one. */
export const POINT_ZOOM = 16;
export const POINT_LIMIT = 1500;

export interface ClusterFeature {
  type: 'Feature';
  geometry: { type: 'Point'; coordinates: [number, number] };
  properties: {
    count: number;
    /** the cell's box (zoom to it on click) */
    bbox?: Bbox;
    /** a single establishment (street zoom) */
    id?: number;
    companyId?: number;
    name?: string;
    href?: string;
    city?: string | null;
    naf?: string | null;
    /** placed at its commune's centroid, not at its address */
    approximate?: boolean;
    /** partial diffusion: shown without name, at the centre of a ~2 km cell */
    partial?: boolean;
  };
}
export interface ClusterCollection {
  type: 'FeatureCollection';
  features: ClusterFeature[];
  level: number;
  /** where the counts came from: the cell summary, or SQL over the search */
  source: 'summary' | 'live' | 'points';
  total: number;
}

/** bbox=minLon,minLat,maxLon,maxLat → a valid box, or a 422 on the field. */
export function parseBbox(raw: unknown): Bbox {
  const parts = typeof raw === 'string' ? raw.split(',').map((x) => Number(x.trim())) : [];
  const ok = parts.length === 4 && parts.every(Number.isFinite) && parts[0] < parts[2] && parts[1] < parts[3] && Math.abs(parts[0]) <= 180 && Math.abs(parts[2]) <= 180 && Math.abs(parts[1]) <= 90 && Math.abs(parts[3]) <= 90;
  if (!ok) throw invalid('common.invalid', { bbox: 'map.bbox_invalid' });
  return parts as Bbox;
}

export function parseZoom(raw: unknown): number {
  const z = Number(raw);
  if (raw === undefined || raw === '' || !Number.isInteger(z) || z < 0 || z > 22) throw invalid('common.invalid', { zoom: 'map.zoom_invalid' });
  return z;
}

const statusesOf = (s: SearchQuery) => (s.status === 'all' ? ['active', 'closed'] : [s.status]);

/** The single facet a search filters, when the summary can answer it (no words, no tag, no zone, at most one facet). */
function summaryFilter(s: SearchQuery): { ok: boolean; facet?: { column: string; values: string[] } } {
  if (s.q.trim() || s.zone) return { ok: false };
  const filtered = FACETS.filter((f) => s.filters[f].length);
  if (filtered.length > 1 || filtered[0] === 'tag') return { ok: false };
  const f = filtered[0] as Exclude<FacetName, 'tag'> | undefined;
  if (!f) return { ok: true };
  if (!CELL_FACETS.some(([name]) => name === f)) return { ok: false };
  return { ok: true, facet: { column: FACET_COLUMNS[f], values: s.filters[f] } };
}

/**
 * Clusters: the cells of a level chosen from the zoom (coarser when the box would hold more than
 * 4,096 of them), each with its count, placed at the mean position of its establishments. Every
 * matching establishment with coordinates inside the box's cells is in exactly one feature, so
 * over the whole territory the counts add up to the search's establishments with coordinates.
 * From POINT_ZOOM, a box of at most POINT_LIMIT establishments answers them one by one.
 */
export async function clusters(db: MapDb, s: SearchQuery, bbox: Bbox, zoom: number): Promise<ClusterCollection> {
  if (zoom >= POINT_ZOOM) {
    const points = await livePoints(db, s, bbox, POINT_LIMIT + 1);
    if (points.length <= POINT_LIMIT) {
      const features = points.map((p): ClusterFeature => {
        if (p.diffusion === 'partial') {
          const [x0, y0, x1, y1] = cellBox(12, ...cellIndex(12, p.longitude, p.latitude));
          return { type: 'Feature', geometry: { type: 'Point', coordinates: [round((x0 + x1) / 2), round((y0 + y1) / 2)] }, properties: { count: 1, partial: true } };
        }
        return {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [p.longitude, p.latitude] },
          properties: { count: 1, id: p.id, companyId: p.companyId, name: p.sign && p.sign !== p.name ? `${p.name} — ${p.sign}` : p.name, href: `/registre/entreprises/${p.companyId}`, city: p.city, naf: p.nafCode, approximate: p.geoSource !== 'sirene' },
        };
      });
      return { type: 'FeatureCollection', features, level: 0, source: 'points', total: features.length };
    }
  }
  const level = levelFor(zoom, bbox);
  const plan = summaryFilter(s);
  const summaryLevel = summaryLevelFor(level);
  let rows: CellRow[];
  let used = level;
  let source: ClusterCollection['source'] = 'live';
  if (plan.ok && summaryLevel !== undefined && (await cellSummaryActive(db))) {
    used = summaryLevel;
    rows = await summaryCells(db, statusesOf(s), used, cellRange(used, bbox), plan.facet);
    source = 'summary';
  } else {
    const r = cellRange(level, bbox);
    const [x0, y0] = cellBox(level, r.x0, r.y0);
    const [, , x1, y1] = cellBox(level, r.x1, r.y1);
    const eps = 1e-9;
    rows = (await liveCells(db, s, level, [x0 - eps, y0 - eps, x1 + eps, y1 + eps], zoom >= POINT_ZOOM)).filter((c) => c.cx >= r.x0 && c.cx <= r.x1 && c.cy >= r.y0 && c.cy <= r.y1);
  }
  const features = rows
    .filter((c) => c.n > 0)
    .map((c): ClusterFeature => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [round(c.slon / c.n), round(c.slat / c.n)] },
      properties: { count: c.n, bbox: cellBox(used, c.cx, c.cy).map(round) as Bbox },
    }));
  return { type: 'FeatureCollection', features, level: used, source, total: features.reduce((a, f) => a + f.properties.count, 0) };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
function cellIndex(level: number, lon: number, lat: number): [number, number] {
  const r = cellRange(level, [lon, lat, lon, lat]);
  return [r.x0, r.y0];
}

// ——— choropleths ———

export const MEASURES = ['count', 'density', 'headcount', 'created'] as const;
export type Measure = (typeof MEASURES)[number];
export const METHODS = ['quantiles', 'jenks'] as const;
export type ClassMethod = (typeof METHODS)[number];

const here = path.dirname(fileURLToPath(import.meta.url));
let population: Record<string, number> | undefined;
function populationOf(): Record<string, number> {
  population ??= JSON.parse(readFileSync(path.join(here, 'data', 'population.json'), 'utf8')) as Record<string, number>;
  return population;
}

/** Paris, Lyon and Marseille: SIRENE codes establishments by arrondissement, the outlines by city. */
export function cityOf(commune: string): string {
  if (/^751(0[1-9]|1\d|20)$/.test(commune)) return '75056';
  if (/^6938[1-9]$/.test(commune)) return '69123';
  if (/^132(0[1-9]|1[0-6])$/.test(commune)) return '13055';
  return commune;
}

/** A city's arrondissements (what SIRENE codes), or the commune itself. */
export function arrondissementsOf(commune: string): string[] {
  const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => prefix + String(from + i).padStart(2, '0'));
  if (commune === '75056') return range('751', 1, 20);
  if (commune === '69123') return Array.from({ length: 9 }, (_, i) => `6938${i + 1}`);
  if (commune === '13055') return range('132', 1, 16);
  return [commune];
}

export interface ChoroplethArea {
  code: string;
  count: number;
  headcount: number;
  created: number;
  population: number | null;
  density: number | null;
  value: number | null;
  klass: number | null;
}
export interface Choropleth {
  by: 'commune' | 'department';
  measure: Measure;
  method: ClassMethod;
  year: number;
  breaks: number[];
  areas: ChoroplethArea[];
}

export async function choropleth(db: MapDb, s: SearchQuery, opts: { by: 'commune' | 'department'; measure: Measure; method: ClassMethod; classes: number; year: number }): Promise<Choropleth> {
  const rows = await areaCounts(db, s, opts.by, `${opts.year}-01-01`);
  const merged = new Map<string, { count: number; headcount: number; created: number }>();
  for (const r of rows) {
    const code = opts.by === 'commune' ? cityOf(r.code) : r.code;
    const m = merged.get(code) ?? { count: 0, headcount: 0, created: 0 };
    m.count += r.count;
    m.headcount += r.headcount;
    m.created += r.created;
    merged.set(code, m);
  }
  const pop = populationOf();
  const departmentPopulation = (d: string) => {
    let sum = 0;
    for (const [c, n] of Object.entries(pop)) if ((c.startsWith('97') ? c.slice(0, 3) : c.slice(0, 2)) === d) sum += n;
    return sum || null;
  };
  const areas: ChoroplethArea[] = [...merged].map(([code, m]) => {
    const population = opts.by === 'commune' ? pop[code] ?? null : departmentPopulation(code);
    const density = population ? Math.round((m.count * 1000 * 100) / population) / 100 : null;
    const value = opts.measure === 'density' ? density : opts.measure === 'count' ? m.count : opts.measure === 'headcount' ? m.headcount : m.created;
    return { code, ...m, population, density, value, klass: null };
  });
  const values = areas.map((a) => a.value).filter((v): v is number => v !== null);
  const breaks = opts.method === 'jenks' ? jenksBreaks(values, opts.classes) : quantileBreaks(values, opts.classes);
  for (const a of areas) a.klass = a.value === null ? null : classOf(a.value, breaks);
  areas.sort((a, b) => (b.value ?? -1) - (a.value ?? -1) || a.code.localeCompare(b.code));
  return { by: opts.by, measure: opts.measure, method: opts.method, year: opts.year, breaks, areas };
}

// ——— CRM layers ———

export interface CrmLayer {
  type: 'FeatureCollection';
  features: { type: 'Feature'; geometry: { type: 'Point'; coordinates: [number, number] }; properties: { kind: 'visit' | 'deal'; id: number; companyId: number; owner: string; date: string; title?: string; href: string; approximate: boolean } }[];
  /** visits or deals whose company has no coordinates */
  unplaced: number;
}

export async function crmLayer(db: MapDb, actor: Actor, kind: 'visits' | 'deals', f: { from?: string; to?: string; ownerId?: number }): Promise<CrmLayer> {
  const facts =
    kind === 'visits'
      ? (await visitFacts(db, actor, f)).map((v) => ({ kind: 'visit' as const, id: v.id, companyId: v.companyId, owner: v.ownerName, date: v.date, href: `/crm/visites/${v.id}` }))
      : (await dealFacts(db, actor, { ...f, openOnly: true })).map((d) => ({ kind: 'deal' as const, id: d.id, companyId: d.companyId, owner: d.ownerName, date: d.createdAt.slice(0, 10), title: d.title, href: `/crm/affaires/${d.id}` }));
  const places = await headOffices(db, facts.map((x) => x.companyId));
  const features: CrmLayer['features'] = [];
  for (const x of facts) {
    const p = places.get(x.companyId);
    if (p) features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.longitude, p.latitude] }, properties: { ...x, approximate: p.approximate } });
  }
  return { type: 'FeatureCollection', features, unplaced: facts.length - features.length };
}

// ——— segments ———

/**
 * Saves the map's search (its filters, a drawn zone, picked communes) as a registry segment. The
 * query string is read back through the registry's own parser, so only what the registry search
 * understands is stored.
 */
export async function saveMapSegment(db: MapDb, actor: Actor, input: { name: string; query: string; communes?: string[] }): Promise<{ id: number; query: string }> {
  const params: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(input.query.replace(/^\?/, ''))) {
    const prev = params[k];
    params[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const picked = (input.communes ?? []).filter((c) => /^\d[\dAB]\d{3}$/.test(c)).flatMap(arrondissementsOf);
  if (picked.length) params.commune = [...new Set(picked)];
  if (picked.length > 30) throw invalid('common.invalid', { commune: 'map.zone_too_long' });
  if (params.zone && !parseSearch(params).zone) throw invalid('common.invalid', { zone: 'map.zone_invalid' });
  const s = parseSearch(params);
  if (!s.zone && !FACETS.some((f) => s.filters[f].length) && !s.q) throw invalid('common.invalid', { zone: 'map.zone_required' });
  const query = searchToQueryString(s);
  if (query.length > 2000) throw invalid('common.invalid', { zone: 'map.zone_too_long' });
  return { id: await saveSegment(db, actor, input.name, query), query };
}

// ——— the page's own settings (beside the registry's search) ———

export interface MapView {
  layer: 'clusters' | 'choropleth';
  by: 'commune' | 'department';
  measure: Measure;
  method: ClassMethod;
  classes: number;
  year: number;
  visits: boolean;
  deals: boolean;
  from: string;
  to: string;
  adviser?: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const pick = <T extends string>(v: unknown, allowed: readonly T[], fallback: T): T => (allowed.includes(v as T) ? (v as T) : fallback);

/** The map's display settings from a query string (unknown values fall back to defaults). */
export function parseMapView(q: Record<string, unknown>, today = new Date().toISOString().slice(0, 10)): MapView {
  const year = Number(q.year);
  const from = typeof q.from === 'string' && DATE.test(q.from) ? q.from : `${today.slice(0, 4)}-01-01`;
  const to = typeof q.to === 'string' && DATE.test(q.to) ? q.to : today;
  const adviser = Number(q.adviser);
  return {
    layer: pick(q.layer, ['clusters', 'choropleth'] as const, 'clusters'),
    by: pick(q.by, ['commune', 'department'] as const, 'department'),
    measure: pick(q.measure, MEASURES, 'count'),
    method: pick(q.method, METHODS, 'quantiles'),
    classes: Math.min(7, Math.max(3, Number(q.classes) || 5)),
    year: Number.isInteger(year) && year >= 1900 && year <= 2100 ? year : Number(today.slice(0, 4)),
    visits: q.visits === '1',
    deals: q.deals === '1',
    from,
    to,
    adviser: Number.isInteger(adviser) && adviser > 0 ? adviser : undefined,
  };
}

let names: { department: Record<string, string>; commune: Record<string, string> } | undefined;
/** Names of the départements and communes of the shipped outlines (read once, geometry dropped). */
export function areaNames(by: 'commune' | 'department'): Record<string, string> {
  if (!names) {
    const read = (file: string) => {
      const out: Record<string, string> = {};
      const fc = JSON.parse(readFileSync(path.join(here, 'data', `${file}.geojson`), 'utf8')) as { features: { properties: { code: string; nom: string } }[] };
      for (const f of fc.features) out[f.properties.code] = f.properties.nom;
      return out;
    };
    names = { department: read('departements'), commune: { ...read('communes-42'), ...read('communes-69') } };
  }
  return names[by];
}

/** The outlines shipped with the map (copied from the shared geography data, never read from it). */
export const OUTLINES = ['departements', 'communes-42', 'communes-69'] as const;
export function outlinePath(name: string): string | undefined {
  return (OUTLINES as readonly string[]).includes(name) ? path.join(here, 'data', `${name}.geojson`) : undefined;
}

/**
 * A search's establishments as GeoJSON, streamed by keyset pages of 2,000 (any size, flat memory).
 * A unit in partial diffusion keeps no name of a person, no sign and no position, as in the
 * registry's exports.
 */
export async function* geojsonChunks(db: MapDb, s: SearchQuery): AsyncGenerator<string> {
  yield '{"type":"FeatureCollection","features":[';
  let after = 0;
  let first = true;
  for (;;) {
    const rows = await geoPage(db, s, after, 2000);
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    const out: string[] = [];
    for (const r of rows) {
      const partial = r.diffusion === 'partial';
      const geometry = !partial && r.latitude !== null && r.longitude !== null ? { type: 'Point', coordinates: [r.longitude, r.latitude] } : null;
      const properties = { id: r.id, companyId: r.companyId, siret: r.siret, name: partial ? null : r.name, sign: partial ? null : r.sign, naf: r.nafCode, headcountBand: r.headcountBand, commune: r.communeCode, city: r.city, approximate: geometry ? r.geoSource !== 'sirene' : null };
      out.push((first ? '' : ',') + JSON.stringify({ type: 'Feature', geometry, properties }));
      first = false;
    }
    yield out.join('');
    if (rows.length < 2000) break;
  }
  yield ']}';
}
