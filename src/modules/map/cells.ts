// The map's grid: establishments counted per cell of a regular longitude/latitude grid, one grid
// per zoom band (ADR 0011). A cell of level L is 360/2^L degrees wide and 0.7 times as high (about
// square on the ground at the territory's latitude, cos 45.7° ≈ 0.7). The summary `map_cells`
// holds, per status and level, each cell's count and coordinate sums, for every establishment
// with coordinates (f = '*') and under each single facet value (f = the facet's column), so the
// territory's clusters, whole or filtered by one facet, are read from a few thousand rows. It is
// kept exact by triggers on `establishments` (platform createSummaryTriggers, ADR 0008) in the
// same transaction as every write, suspended and rebuilt by the registry's bulk loads.
import type { EstablishmentSummary } from '../registry/index.js';
import { FACET_COLUMNS } from '../registry/index.js';

/** Levels kept in the summary; other levels (street zooms, searches it cannot answer) are counted by SQL. */
export const SUMMARY_LEVELS = [6, 8, 10, 12, 14] as const;
export const MAX_LEVEL = 24;
/** The facet columns summarised under a single value (the registry's search facets but tags). */
export const CELL_FACETS = Object.entries(FACET_COLUMNS) as [keyof typeof FACET_COLUMNS, string][];
const HEIGHT = 0.7;

export const cellWidth = (level: number) => 360 / 2 ** level;
export const cellHeight = (level: number) => (360 * HEIGHT) / 2 ** level;

const factors = (level: number) => ({ fx: (2 ** level / 360).toPrecision(17), fy: (2 ** level / (360 * HEIGHT)).toPrecision(17) });

/** Cell column/row of a point (the same arithmetic and factors as cellSql, in JavaScript). */
export function cellOf(level: number, lon: number, lat: number): [number, number] {
  const { fx, fy } = factors(level);
  return [Math.floor((lon + 180) * Number(fx)), Math.floor((lat + 90) * Number(fy))];
}

/**
 * The SQL of a cell column/row for a row alias (`new`, `old`, `e`): one text for the triggers, the
 * rebuild and the live queries, so every path puts a point in the same cell. The factor is
 * written as a decimal literal, identical everywhere.
 */
export function cellSql(level: number, row: string): { cx: string; cy: string } {
  const { fx, fy } = factors(level);
  return {
    cx: `cast(floor((${row}.longitude + 180) * ${fx}) as integer)`,
    cy: `cast(floor((${row}.latitude + 90) * ${fy}) as integer)`,
  };
}

/** Cells of a level that a box touches (inclusive ranges). */
export function cellRange(level: number, bbox: Bbox): { x0: number; x1: number; y0: number; y1: number } {
  const [x0, y0] = cellOf(level, bbox[0], bbox[1]);
  const [x1, y1] = cellOf(level, bbox[2], bbox[3]);
  return { x0, x1, y0, y1 };
}

/** The box of a cell. */
export function cellBox(level: number, cx: number, cy: number): Bbox {
  const w = cellWidth(level);
  const h = cellHeight(level);
  return [cx * w - 180, cy * h - 90, (cx + 1) * w - 180, (cy + 1) * h - 90];
}

export type Bbox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

/**
 * The level a map zoom asks for (cells of about a quarter of a 256-pixel tile), made coarser until
 * the box holds at most `maxCells` cells: the territory asked at a street zoom still answers a
 * few thousand features, whose counts add up the same.
 */
export function levelFor(zoom: number, bbox: Bbox, maxCells = 4096): number {
  let level = Math.min(MAX_LEVEL, Math.max(1, Math.round(zoom) + 2));
  for (;;) {
    const r = cellRange(level, bbox);
    if ((r.x1 - r.x0 + 1) * (r.y1 - r.y0 + 1) <= maxCells || level <= 1) return level;
    level--;
  }
}

/** The summary level serving a level: the finest kept level not finer than it (undefined past the finest). */
export function summaryLevelFor(level: number): number | undefined {
  if (level > SUMMARY_LEVELS[SUMMARY_LEVELS.length - 1]) return undefined;
  return [...SUMMARY_LEVELS].reverse().find((l) => l <= level) ?? SUMMARY_LEVELS[0];
}

const has = (row: string) => `${row}.latitude is not null and ${row}.longitude is not null`;

/** Triggers and rebuild of `map_cells`, registered with the registry (its bulk loads suspend and rebuild them). */
export const CELL_SUMMARY: EstablishmentSummary = {
  triggers: {
    name: 'establishments_map_cells',
    table: 'establishments',
    updateOf: ['status', 'latitude', 'longitude', ...CELL_FACETS.map(([, c]) => c)],
    statements: (row, sign) =>
      SUMMARY_LEVELS.flatMap((level) => {
        const { cx, cy } = cellSql(level, row);
        const upsert = (f: string, v: string, when: string) =>
          `insert into map_cells (status, level, cx, cy, f, v, n, slat, slon) select ${row}.status, ${level}, ${cx}, ${cy}, '${f}', ${v}, ${sign}, ${sign} * ${row}.latitude, ${sign} * ${row}.longitude where ${when} ` +
          `on conflict (status, level, f, v, cx, cy) do update set n = map_cells.n + excluded.n, slat = map_cells.slat + excluded.slat, slon = map_cells.slon + excluded.slon`;
        return [upsert('*', `''`, has(row)), ...CELL_FACETS.map(([, c]) => upsert(c, `${row}.${c}`, `${has(row)} and ${row}.${c} is not null`))];
      }),
  },
  rebuild: [
    'delete from map_cells',
    ...SUMMARY_LEVELS.flatMap((level) => {
      const { cx, cy } = cellSql(level, 'e');
      const one = (f: string, v: string, extra: string) =>
        `insert into map_cells (status, level, cx, cy, f, v, n, slat, slon) select e.status, ${level}, ${cx}, ${cy}, '${f}', ${v}, count(*), sum(e.latitude), sum(e.longitude) ` +
        `from establishments e where ${has('e')}${extra} group by e.status, ${cx}, ${cy}${v === `''` ? '' : `, ${v}`}`;
      return [one('*', `''`, ''), ...CELL_FACETS.map(([, c]) => one(c, `e.${c}`, ` and e.${c} is not null`))];
    }),
  ],
};
