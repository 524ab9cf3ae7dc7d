// Kysely table types of the map (migration 2026-12-07T0150-map-cells.ts). The establishments it
// counts are the registry's, read through the registry's index.ts (matchingEstablishments).
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

/** Grid cells per status, level and single facet value (f = '*': every establishment with coordinates). */
export interface MapCellsTable {
  status: string;
  level: number;
  cx: number;
  cy: number;
  f: string;
  v: string;
  n: number;
  slat: number;
  slon: number;
}

export interface MapTables extends PlatformTables {
  map_cells: MapCellsTable;
}
export type MapDb = ModuleDb<MapTables>;
