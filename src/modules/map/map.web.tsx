// Named handlers of the map's HTML routes and of the JSON the page's script reads (the page runs
// with the session; the /api/v1 twins take tokens). Heavy reads go through ctx.reads.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../platform/errors.js';
import { list, onInvalid, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { parseSearch } from '../registry/index.js';
import { staffChoices } from './map.queries.js';
import { areaNames, choropleth, clusters, crmLayer, geojsonChunks, outlinePath, parseBbox, parseMapView, parseZoom, saveMapSegment, type MapView } from './map.service.js';
import type { MapDb } from './map.table.js';
import { mayExportMap, maySeeCrmLayers } from './policy.js';
import { MapPage } from './views/map.js';

type Ctx = ModuleContext<MapDb>;
const query = (req: FastifyRequest) => (req.query ?? {}) as Record<string, unknown>;

/** Production tiles (OpenStreetMap, IGN Géoplateforme…) from the environment; none = the shipped outlines only. */
function tiles(): { url: string; attribution: string } | undefined {
  const url = process.env.MAP_TILES_URL;
  return url ? { url, attribution: process.env.MAP_TILES_ATTRIBUTION ?? '' } : undefined;
}

async function page(req: FastifyRequest, ctx: Ctx, segment?: { name: string; errors?: Record<string, string> }) {
  const s = parseSearch(query(req));
  const view: MapView = parseMapView(query(req));
  const canCrm = maySeeCrmLayers(req.actor);
  const [areas, advisers, crmVisits, crmDeals] = await Promise.all([
    choropleth(ctx.reads, s, view),
    canCrm ? staffChoices(ctx.db) : Promise.resolve([]),
    canCrm && view.visits ? crmLayer(ctx.reads, req.actor, 'visits', { from: view.from, to: view.to, ownerId: view.adviser }) : Promise.resolve(undefined),
    canCrm && view.deals ? crmLayer(ctx.reads, req.actor, 'deals', { from: view.from, to: view.to, ownerId: view.adviser }) : Promise.resolve(undefined),
  ]);
  const crm = crmVisits || crmDeals ? { type: 'FeatureCollection' as const, features: [...(crmVisits?.features ?? []), ...(crmDeals?.features ?? [])], unplaced: (crmVisits?.unplaced ?? 0) + (crmDeals?.unplaced ?? 0) } : undefined;
  return <MapPage ctx={req.view()} s={s} view={view} areas={areas} areaNames={areaNames(view.by)} crm={crm} advisers={advisers} canExport={mayExportMap(req.actor)} canCrm={canCrm} tiles={tiles()} segment={segment} />;
}

export async function handleMapPage(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return reply.render(await page(req, ctx));
}

/** Clusters of the registry search in a box (the page's script; the API's GET /map/clusters). */
export async function handleClusters(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const q = query(req);
  const bbox = parseBbox(q.bbox);
  const zoom = parseZoom(q.zoom);
  reply.header('cache-control', 'no-store');
  return clusters(reads, parseSearch(q), bbox, zoom);
}

export async function handleChoropleth(req: FastifyRequest, _reply: FastifyReply, { reads }: Ctx) {
  const view = parseMapView(query(req));
  return choropleth(reads, parseSearch(query(req)), view);
}

export async function handleCrmLayer(req: FastifyRequest, _reply: FastifyReply, { reads }: Ctx) {
  const view = parseMapView(query(req));
  const filter = { from: view.from, to: view.to, ownerId: view.adviser };
  const [visits, deals] = await Promise.all([
    view.visits ? crmLayer(reads, req.actor, 'visits', filter) : undefined,
    view.deals ? crmLayer(reads, req.actor, 'deals', filter) : undefined,
  ]);
  return { type: 'FeatureCollection', features: [...(visits?.features ?? []), ...(deals?.features ?? [])], unplaced: (visits?.unplaced ?? 0) + (deals?.unplaced ?? 0) };
}

/** The shipped outlines (départements, communes of the demo territory): the offline base layer. */
export async function handleOutline(req: FastifyRequest, reply: FastifyReply) {
  const file = outlinePath(String((req.params as { name?: string }).name ?? ''));
  if (!file) throw notFound('map.outline_not_found');
  return reply.header('content-type', 'application/geo+json; charset=utf-8').header('cache-control', 'private, max-age=86400').send(createReadStream(file));
}

export async function handleSaveSegment(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const input = { name: str(req.body, 'name', 100), query: str(req.body, 'query', 4000), communes: list(req.body, 'communes').slice(0, 400) };
  return onInvalid(
    reply,
    async () => {
      const saved = await ctx.db.transaction().execute((trx) => saveMapSegment(trx, req.actor, input));
      reply.flash('success', 'map.segment_saved');
      return reply.redirect(`/registre?${saved.query}`);
    },
    async (errors) => page(req, ctx, { name: input.name, errors }),
  );
}

/** Any registry search as GeoJSON (keyset pages, streamed). */
export async function handleGeojsonExport(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const s = parseSearch(query(req));
  return reply
    .header('content-type', 'application/geo+json; charset=utf-8')
    .header('content-disposition', 'attachment; filename="etablissements.geojson"')
    .send(Readable.from(geojsonChunks(reads, s)));
}
