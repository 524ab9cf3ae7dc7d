// The map (issue #17): cluster counts equal the registry's for random filters and boxes, at every
// zoom, before and after edits and an import (the cell summary kept by triggers equals a recount);
// points at street zoom; zones saved as registry segments; choropleths; permissions; the API.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmModule } from '../src/modules/crm/index.js';
import { mapModule } from '../src/modules/map/index.js';
import { CELL_SUMMARY, cellOf, SUMMARY_LEVELS } from '../src/modules/map/cells.js';
import { clusters } from '../src/modules/map/map.service.js';
import { matchingEstablishments, parseSearch, registryModule, type SearchQuery } from '../src/modules/registry/index.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { seedRegistry } from '../src/modules/registry/seed.service.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { agent, api, count, createTestApp, makeUser, type TestApp } from './helpers.js';

const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules', 'registry', 'reference', 'sample');
const WORLD: [number, number, number, number] = [-180, -90, 180, 90];
const TERRITORY: [number, number, number, number] = [3.6, 45.0, 5.2, 46.4];

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ modules: [registryModule, crmModule, mapModule] });
  await importSireneStock(t.db, { unitsFile: path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), establishmentsFile: path.join(SAMPLE, 'StockEtablissement_utf8.csv'), territory: ['42', '69'], actor: SYSTEM_ACTOR });
  await seedRegistry(t.db, { establishments: 1200, territory: ['42', '69'], seed: 17, sirenStart: 300_000_000 });
}, 120_000);
afterAll(async () => t?.close());

interface Est {
  id: number;
  company_id: number;
  status: string;
  naf_section: string | null;
  department: string | null;
  headcount_band: string | null;
  legal_form: string | null;
  commune_code: string | null;
  latitude: number | null;
  longitude: number | null;
}
async function everything(): Promise<Est[]> {
  const rows = await t.db.selectFrom('establishments').select(['id', 'company_id', 'status', 'naf_section', 'department', 'headcount_band', 'legal_form', 'commune_code', 'latitude', 'longitude']).execute();
  return rows.map((r) => ({ ...r, latitude: r.latitude === null ? null : Number(r.latitude), longitude: r.longitude === null ? null : Number(r.longitude) }));
}

/** The oracle, in JavaScript: establishments matching a search without words, with coordinates. */
function oracle(all: Est[], s: SearchQuery, tagged: Set<number>): Est[] {
  const col = { section: 'naf_section', department: 'department', band: 'headcount_band', form: 'legal_form', commune: 'commune_code' } as const;
  return all.filter((e) => {
    if (e.latitude === null || e.longitude === null) return false;
    if (s.status !== 'all' && e.status !== s.status) return false;
    for (const [f, c] of Object.entries(col)) {
      const values = s.filters[f as keyof typeof col];
      if (values.length && !values.includes(String(e[c]))) return false;
    }
    if (s.filters.tag.length && !tagged.has(e.company_id)) return false;
    if (s.zone && !inside(s.zone, e.longitude, e.latitude)) return false;
    return true;
  });
}
function inside(zone: [number, number][], x: number, y: number): boolean {
  let odd = false;
  for (let i = 0, j = zone.length - 1; i < zone.length; j = i++) {
    const [xi, yi] = zone[i];
    const [xj, yj] = zone[j];
    if (yi === yj) continue;
    if (y >= Math.min(yi, yj) && y < Math.max(yi, yj) && x < xi + ((xj - xi) / (yj - yi)) * (y - yi)) odd = !odd;
  }
  return odd;
}

/** A small random generator (the failures must be reproducible). */
function rng(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

async function summaryEqualsRecount(): Promise<void> {
  const key = (r: Record<string, unknown>) => [r.status, r.level, r.f, r.v, r.cx, r.cy].join('|');
  const live = new Map<string, number>();
  const kept = new Map<string, number>();
  for (const r of await t.db.selectFrom('map_cells').select(['status', 'level', 'f', 'v', 'cx', 'cy', 'n']).where('n', '<>', 0).execute()) kept.set(key(r), Number(r.n));
  await t.db.transaction().execute(async (trx) => {
    for (const statement of CELL_SUMMARY.rebuild) await sql.raw(statement).execute(trx);
    for (const r of await trx.selectFrom('map_cells').select(['status', 'level', 'f', 'v', 'cx', 'cy', 'n']).execute()) live.set(key(r), Number(r.n));
  });
  expect(kept.size).toBeGreaterThan(100);
  expect([...kept].sort()).toEqual([...live].sort());
}

async function checkRandomSearches(seed: number, n: number): Promise<void> {
  const all = await everything();
  const tagRows = await t.db.selectFrom('registry_company_tags as ct').innerJoin('registry_tags as g', 'g.id', 'ct.tag_id').select(['ct.company_id', 'g.name']).execute();
  const random = rng(seed);
  const pickOne = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const values = (c: keyof Est) => [...new Set(all.map((e) => e[c]).filter((v) => v !== null).map(String))];
  const tags = [...new Set(tagRows.map((r) => r.name))];
  for (let i = 0; i < n; i++) {
    const q: Record<string, unknown> = {};
    const kind = i % 7;
    if (kind === 1) q.section = pickOne(values('naf_section'));
    if (kind === 2) q.department = pickOne(values('department'));
    if (kind === 3) {
      q.band = [pickOne(values('headcount_band')), pickOne(values('headcount_band'))];
      q.section = pickOne(values('naf_section'));
    }
    if (kind === 4 && tags.length) q.tag = pickOne(tags);
    if (kind === 5) q.zone = `4.6,45.6;5.0,45.6;5.0,45.95;4.75,46.05;4.6,45.8`;
    if (kind === 6) q.form = pickOne(values('legal_form'));
    q.status = pickOne(['active', 'all', 'closed', 'active']);
    const s = parseSearch(q);
    const tagged = new Set(tagRows.filter((r) => s.filters.tag.includes(r.name)).map((r) => r.company_id));
    const expected = oracle(all, s, tagged);
    for (const zoom of [0, 5, 8, 11, 14, 17, 20]) {
      for (const box of [WORLD, TERRITORY]) {
        const fc = await clusters(t.db, s, box, zoom);
        const sum = fc.features.reduce((a, f) => a + f.properties.count, 0);
        expect(sum, `${JSON.stringify(q)} zoom ${zoom} (${fc.source})`).toBe(expected.filter((e) => box === WORLD || (e.longitude! >= box[0] - 0.2 && e.longitude! <= box[2] + 0.2 && e.latitude! >= box[1] - 0.2 && e.latitude! <= box[3] + 0.2)).length);
      }
    }
    // A random box: exactly the establishments of the cells it touches, at the level answered.
    const x0 = 3.8 + random() * 1.0;
    const y0 = 45.2 + random() * 0.9;
    const box: [number, number, number, number] = [x0, y0, x0 + 0.05 + random() * 0.4, y0 + 0.05 + random() * 0.3];
    const zoom = 7 + Math.floor(random() * 8);
    const fc = await clusters(t.db, s, box, zoom);
    const [cx0, cy0] = cellOf(fc.level, box[0], box[1]);
    const [cx1, cy1] = cellOf(fc.level, box[2], box[3]);
    const inCells = expected.filter((e) => {
      const [cx, cy] = cellOf(fc.level, e.longitude!, e.latitude!);
      return cx >= cx0 && cx <= cx1 && cy >= cy0 && cy <= cy1;
    });
    expect(fc.features.reduce((a, f) => a + f.properties.count, 0), `${JSON.stringify(q)} box ${box} zoom ${zoom}`).toBe(inCells.length);
  }
}

describe('clusters', () => {
  it('the cell summary, kept by triggers since the import, equals a recount', async () => {
    expect(await count(t.db, 'map_cells')).toBeGreaterThan(0);
    await summaryEqualsRecount();
  });

  it('counts add up to the matching establishments with coordinates, for random filters, boxes and zooms', async () => {
    await checkRandomSearches(1, 10);
    // the unfiltered territory comes from the summary, the rest from SQL: both are exercised
    expect((await clusters(t.db, parseSearch({}), WORLD, 8)).source).toBe('summary');
    expect((await clusters(t.db, parseSearch({ section: 'G' }), WORLD, 8)).source).toBe('summary');
    expect((await clusters(t.db, parseSearch({ section: 'G', department: '69' }), WORLD, 8)).source).toBe('live');
    // words go through the registry's full-text search
    const s = parseSearch({ q: 'boulangerie' });
    const words = await clusters(t.db, s, WORLD, 9);
    const n = await matchingEstablishments(t.db, s).where('e.latitude', 'is not', null).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(words.features.reduce((a, f) => a + f.properties.count, 0)).toBe(Number(n.n));
  }, 60_000);

  it('stay exact after edits (moves, status, facets, deletes, new rows) and after an import', async () => {
    const [a, b, c] = await t.db.selectFrom('establishments').select(['id', 'company_id']).where('latitude', 'is not', null).orderBy('id').limit(3).execute();
    await t.db.updateTable('establishments').set({ latitude: 45.7601, longitude: 4.8301 }).where('id', '=', a.id).execute();
    await t.db.updateTable('establishments').set({ status: 'closed' }).where('id', '=', b.id).execute();
    await t.db.updateTable('establishments').set({ naf_section: 'Q', department: '42' }).where('id', '=', c.id).execute();
    await t.db.updateTable('establishments').set({ latitude: null, longitude: null }).where('id', '=', c.id + 1).execute();
    const last = await t.db.selectFrom('establishments').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    await t.db.deleteFrom('registry_changes').where('entity_id', '=', last.id).where('entity', '=', 'establishment').execute();
    await t.db.deleteFrom('contacts').where('establishment_id', '=', last.id).execute();
    await t.db.deleteFrom('establishments').where('id', '=', last.id).execute();
    await summaryEqualsRecount();
    await checkRandomSearches(2, 7);
    await seedRegistry(t.db, { establishments: 300, territory: ['42', '69'], seed: 18, sirenStart: 400_000_000 });
    await summaryEqualsRecount();
    await checkRandomSearches(3, 7);
  }, 120_000);

  it('answers single establishments at street zoom, with a link, approximate or without a name when not disclosable', async () => {
    const e = await t.db.selectFrom('establishments').innerJoin('companies as c', 'c.id', 'establishments.company_id').select(['establishments.id', 'establishments.company_id', 'latitude', 'longitude', 'geo_source', 'c.name']).where('geo_source', '=', 'sirene').where('establishments.diffusion', '=', 'public').where('establishments.status', '=', 'active').executeTakeFirstOrThrow();
    const lat = Number(e.latitude);
    const lon = Number(e.longitude);
    const fc = await clusters(t.db, parseSearch({}), [lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002], 17);
    expect(fc.source).toBe('points');
    const f = fc.features.find((x) => x.properties.id === e.id);
    expect(f?.properties).toMatchObject({ count: 1, companyId: e.company_id, href: `/registre/entreprises/${e.company_id}`, approximate: false });
    expect(f?.properties.name).toContain(e.name);
    await t.db.updateTable('establishments').set({ diffusion: 'partial' }).where('id', '=', e.id).execute();
    const hidden = await clusters(t.db, parseSearch({}), [lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002], 17);
    expect(hidden.features.some((x) => x.properties.id === e.id)).toBe(false);
    expect(hidden.features.filter((x) => x.properties.partial).every((x) => x.properties.name === undefined)).toBe(true);
    expect(hidden.features.reduce((a, x) => a + x.properties.count, 0)).toBe(fc.features.length);
    await t.db.updateTable('establishments').set({ diffusion: 'public' }).where('id', '=', e.id).execute();
  });
});

describe('pages, segments and API', () => {
  it('shows the map page with its tables; refuses bad boxes with 422 in both languages', async () => {
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    const page = await staff.get('/carte?layer=choropleth&by=commune&measure=density&method=jenks');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/static/vendor/leaflet/leaflet.js');
    expect(page.body).toContain('/static/map-page.js');
    expect(page.body).toContain('Lyon (69123)');
    expect(page.body).not.toContain('map.crm'); // no CRM layers without crm:use
    expect((await staff.get('/carte/crm.json?visits=1')).status).toBe(403);
    const json = await staff.get('/carte/regroupements.json?bbox=-180,-90,180,90&zoom=5');
    expect(json.status).toBe(200);
    expect((await staff.get('/carte/regroupements.json?bbox=5,45,4,46&zoom=5')).status).toBe(422);
    expect((await staff.get('/carte/regroupements.json?bbox=4,45,5,46&zoom=99')).status).toBe(422);
    expect((await staff.get('/carte/contours/departements')).status).toBe(200);
    expect((await staff.get('/carte/contours/..%2Fpopulation')).status).toBe(404);
    expect((await staff.get('/carte/export.geojson')).status).toBe(403); // registry:export
  });

  it('saves a drawn zone as a registry segment that the registry search understands (same count)', async () => {
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    const zone = '4.75,45.70;4.92,45.70;4.92,45.81;4.75,45.81';
    const before = await count(t.db, 'registry_segments');
    const empty = await staff.post('/carte/segments', { name: '', query: `zone=${zone}` });
    expect(empty.status).toBe(422);
    const broken = await staff.post('/carte/segments', { name: 'Zone', query: 'zone=1,2;3' });
    expect(broken.status).toBe(422);
    expect(await count(t.db, 'registry_segments')).toBe(before);
    const res = await staff.post('/carte/segments', { name: 'Centre de Lyon', query: `section=G&zone=${encodeURIComponent(zone)}` });
    expect(res.status).toBe(302);
    const seg = await t.db.selectFrom('registry_segments').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(seg.name).toBe('Centre de Lyon');
    expect(seg.query).toContain('zone=');
    expect(await count(t.db, 'audit_log', ['entity', 'registry_segment'])).toBeGreaterThan(0);
    const s = parseSearch(Object.fromEntries(new URLSearchParams(seg.query)));
    const onMap = await clusters(t.db, s, WORLD, 10);
    const registry = await staff.get(`/registre?${seg.query}`);
    expect(registry.status).toBe(200);
    const total = await matchingEstablishments(t.db, s).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(onMap.features.reduce((a, f) => a + f.properties.count, 0)).toBe(Number(total.n));
    expect(Number(total.n)).toBeGreaterThan(0);
    // picked communes: Lyon is saved as its arrondissements (what SIRENE codes)
    const picked = await staff.post('/carte/segments', { name: 'Lyon', query: '', communes: ['69123', '42218'] });
    expect(picked.status).toBe(302);
    const seg2 = await t.db.selectFrom('registry_segments').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(seg2.query).toContain('commune=69381');
    expect(seg2.query).toContain('commune=42218');
  });

  it('the API: clusters with a registry:read token, GeoJSON export with registry:export only', async () => {
    const doc = await makeUser(t.db, ['documentation']);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, doc.id, { name: 'carte', scopes: ['registry:read'] });
    const res = await api(t, 'GET', '/api/v1/map/clusters?bbox=-180,-90,180,90&zoom=6&department=69', token);
    expect(res.status).toBe(200);
    const fc = JSON.parse(res.body);
    expect(fc.type).toBe('FeatureCollection');
    const all = await everything();
    expect(fc.features.reduce((a: number, f: { properties: { count: number } }) => a + f.properties.count, 0)).toBe(all.filter((e) => e.department === '69' && e.status === 'active' && e.latitude !== null).length);
    expect((await api(t, 'GET', '/api/v1/map/clusters?zoom=6', token)).status).toBe(400);
    const bad = await api(t, 'GET', '/api/v1/map/clusters?bbox=5,45,4,46&zoom=6', token);
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body).errors.bbox).toContain('longitude min');
    expect((await api(t, 'GET', '/api/v1/map/clusters?bbox=-180,-90,180,90&zoom=6')).status).toBe(401);
    expect((await api(t, 'GET', '/api/v1/map/establishments.geojson?department=42', token)).status).toBe(403);
    const exp = await createApiToken(t.db, SYSTEM_ACTOR, doc.id, { name: 'export', scopes: ['registry:export'] });
    const geo = await api(t, 'GET', '/api/v1/map/establishments.geojson?department=42', exp.token);
    expect(geo.status).toBe(200);
    const parsed = JSON.parse(geo.body);
    expect(parsed.features.length).toBe(all.filter((e) => e.department === '42' && e.status === 'active').length);
    expect(parsed.features.every((f: { geometry: unknown; properties: { name: unknown } }) => f.geometry === null || f.properties.name !== null)).toBe(true);
    const choro = await api(t, 'GET', '/api/v1/map/choropleth?by=department&measure=count&method=quantiles', token);
    expect(choro.status).toBe(200);
    const areas = JSON.parse(choro.body).areas as { code: string; count: number }[];
    expect(areas.find((a) => a.code === '69')?.count).toBe(all.filter((e) => e.department === '69' && e.status === 'active').length);
  });
});
