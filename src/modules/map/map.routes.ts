// Every route of the map: method, path, who may call it, the handler (and the API's schema).
import type { RouteTable } from '../../platform/http/routes.js';
import { choroplethSchema, clustersSchema, geojsonSchema, handleChoroplethApi, handleClustersApi, handleGeojsonApi } from './map.api.js';
import type { MapDb } from './map.table.js';
import { handleChoropleth, handleClusters, handleCrmLayer, handleGeojsonExport, handleMapPage, handleOutline, handleSaveSegment } from './map.web.js';

export const mapWebRoutes: RouteTable<MapDb> = [
  ['GET', '/carte', { permission: 'registry:read' }, handleMapPage],
  ['GET', '/carte/regroupements.json', { permission: 'registry:read' }, handleClusters],
  ['GET', '/carte/choroplethe.json', { permission: 'registry:read' }, handleChoropleth],
  ['GET', '/carte/crm.json', { permission: 'crm:use' }, handleCrmLayer],
  ['GET', '/carte/contours/:name', { permission: 'registry:read' }, handleOutline],
  ['POST', '/carte/segments', { permission: 'registry:read' }, handleSaveSegment],
  ['GET', '/carte/export.geojson', { permission: 'registry:export' }, handleGeojsonExport],
];

/** Mounted under /api/v1 (scope registry:read; the export asks registry:export like the registry's CSV). */
export const mapApiRoutes: RouteTable<MapDb> = [
  ['GET', '/map/clusters', { permission: 'registry:read' }, handleClustersApi, clustersSchema],
  ['GET', '/map/choropleth', { permission: 'registry:read' }, handleChoroplethApi, choroplethSchema],
  ['GET', '/map/establishments.geojson', { permission: 'registry:export' }, handleGeojsonApi, geojsonSchema],
];
