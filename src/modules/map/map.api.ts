// /api/v1 of the map: clusters of a registry search (the contract of issue #17), choropleth
// figures, and the GeoJSON export of any registry search. Same handlers as the page's JSON.
import { Type } from '@sinclair/typebox';
import { EstablishmentQuery } from '../registry/index.js';
export { handleChoropleth as handleChoroplethApi, handleClusters as handleClustersApi, handleGeojsonExport as handleGeojsonApi } from './map.web.js';

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });
const errors = { 400: Problem, 401: Problem, 403: Problem, 422: Problem };
const Search = Type.Omit(EstablishmentQuery, ['sort', 'page', 'perPage']);
const Zone = Type.Optional(Type.String({ maxLength: 2000, description: 'a polygon: lon,lat;lon,lat;… (3 to 100 vertices, WGS84)' }));

export const ClustersQuery = Type.Composite([
  Search,
  Type.Object({
    bbox: Type.String({ maxLength: 200, description: 'minLon,minLat,maxLon,maxLat (WGS84)' }),
    zoom: Type.Integer({ minimum: 0, maximum: 22, description: 'map zoom level (web map tiles)' }),
    zone: Zone,
  }),
]);

const Bbox = Type.Array(Type.Number(), { minItems: 4, maxItems: 4 });
const Feature = Type.Object({
  type: Type.Literal('Feature'),
  geometry: Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }) }),
  properties: Type.Object({
    count: Type.Integer({ description: 'establishments of the cluster (1 for a single establishment)' }),
    bbox: Type.Optional(Bbox),
    id: Type.Optional(Type.Integer()),
    companyId: Type.Optional(Type.Integer()),
    name: Type.Optional(Type.String()),
    href: Type.Optional(Type.String()),
    city: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    naf: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    approximate: Type.Optional(Type.Boolean()),
    partial: Type.Optional(Type.Boolean()),
  }),
});
const Clusters = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(Feature),
  level: Type.Integer({ description: 'grid level of the cells (0: single establishments)' }),
  source: Type.Union([Type.Literal('summary'), Type.Literal('live'), Type.Literal('points')]),
  total: Type.Integer(),
});

export const clustersSchema = {
  tags: ['map'],
  summary: 'Clusters of a registry search in a box: over the whole territory the counts add up to the matching establishments that have coordinates',
  querystring: ClustersQuery,
  response: { 200: Clusters, ...errors },
};

export const ChoroplethQuery = Type.Composite([
  Search,
  Type.Object({
    zone: Zone,
    by: Type.Optional(Type.Union([Type.Literal('commune'), Type.Literal('department')])),
    measure: Type.Optional(Type.Union([Type.Literal('count'), Type.Literal('density'), Type.Literal('headcount'), Type.Literal('created')])),
    method: Type.Optional(Type.Union([Type.Literal('quantiles'), Type.Literal('jenks')])),
    classes: Type.Optional(Type.Integer({ minimum: 3, maximum: 7 })),
    year: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })),
  }),
]);
const Num = Type.Union([Type.Number(), Type.Null()]);
export const choroplethSchema = {
  tags: ['map'],
  summary: 'Figures of a registry search per commune or département, with classes (quantiles or Jenks natural breaks)',
  querystring: ChoroplethQuery,
  response: {
    200: Type.Object({
      by: Type.String(),
      measure: Type.String(),
      method: Type.String(),
      year: Type.Integer(),
      breaks: Type.Array(Type.Number()),
      areas: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer(), headcount: Type.Number(), created: Type.Integer(), population: Num, density: Num, value: Num, klass: Type.Union([Type.Integer(), Type.Null()]) })),
    }),
    ...errors,
  },
};

export const geojsonSchema = {
  tags: ['map'],
  summary: 'Any registry search as a GeoJSON FeatureCollection (streamed; partial-diffusion units without name nor position)',
  querystring: Type.Composite([Search, Type.Object({ zone: Zone })]),
};
