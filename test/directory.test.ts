// Staff directory: search by name (accents ignored), service (with sub-services) and skill;
// a person edits their own entry only, HR edits anyone's; photos checked by their bytes;
// the org chart is edited by directory:edit only.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryModule } from '../src/modules/directory/index.js';
import { createService, saveProfile, searchPeople } from '../src/modules/directory/directory.service.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { multipart } from './content-helpers.js';

let t: TestApp;
let helene: { id: number; email: string }, bob: { id: number; email: string }, hr: { id: number; email: string };
let appui: number, exportS: number;
let asBob: Agent, asHr: Agent;

beforeAll(async () => {
  t = await createTestApp({ modules: [directoryModule] });
  helene = await makeUser(t.db, ['staff'], { name: 'Hélène Dupré' });
  bob = await makeUser(t.db, ['staff'], { name: 'Bob Martin' });
  hr = await makeUser(t.db, ['hr'], { name: 'Rita RH' });
  appui = (await createService(t.db, SYSTEM_ACTOR, { name: 'Appui aux entreprises' })).id;
  exportS = (await createService(t.db, SYSTEM_ACTOR, { name: 'Export', parent_id: String(appui) })).id;
  await saveProfile(t.db, SYSTEM_ACTOR, helene.id, { service_id: String(exportS), job_title: 'Conseillère export', skills: 'Marchés publics, anglais', phone: '04 77 00 00 01' });
  await saveProfile(t.db, SYSTEM_ACTOR, bob.id, { service_id: String(appui), job_title: 'Assistant', skills: 'accueil' });
  asBob = agent(t);
  await asBob.signIn(bob.email);
  asHr = agent(t);
  await asHr.signIn(hr.email);
});
afterAll(async () => t?.close());

describe('directory search', () => {
  it('finds people by name without accents, by skill, by service including sub-services', async () => {
    expect((await searchPeople(t.db, { q: 'helene dupre' })).items.map((p) => p.id)).toEqual([helene.id]);
    expect((await searchPeople(t.db, { skill: 'marches publics' })).items.map((p) => p.id)).toEqual([helene.id]);
    const inAppui = (await searchPeople(t.db, { serviceId: appui })).items.map((p) => p.id).sort();
    expect(inAppui).toEqual([helene.id, bob.id].sort());
    expect((await searchPeople(t.db, { serviceId: exportS })).items.map((p) => p.id)).toEqual([helene.id]);
    const page = await asBob.get('/annuaire?q=anglais');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Hélène Dupré');
    expect(page.body).not.toContain('>Bob Martin</a></h2>');
    const global = await asBob.get('/recherche?q=dupre');
    expect(global.body).toContain(`/annuaire/personnes/${helene.id}`);
    expect((await agent(t).get('/annuaire')).status).toBe(302);
  });

  it('shows the org chart as a tree and a person with their manager', async () => {
    const chart = await asBob.get('/annuaire/services');
    expect(chart.body).toMatch(/Appui aux entreprises[\s\S]*<ul>[\s\S]*Export/);
    expect((await asBob.get(`/annuaire/personnes/${helene.id}`)).body).toContain('Conseillère export');
  });
});

describe('directory edits', () => {
  it('a person edits their own entry only; HR edits anyone; bad input changes nothing', async () => {
    const mine = await asBob.post(`/annuaire/personnes/${bob.id}/modifier`, { version: '1', job_title: 'Chargé d’accueil', service_id: String(appui), phone: '04 77 11 22 33', skills: 'accueil, formalités' });
    expect(mine.status).toBe(302);
    expect((await asBob.post(`/annuaire/personnes/${helene.id}/modifier`, { version: '1', job_title: 'Piraté' })).status).toBe(403);
    const bad = await asHr.post(`/annuaire/personnes/${helene.id}/modifier`, { version: '1', job_title: 'X', phone: '<script>' });
    expect(bad.status).toBe(422);
    expect((await searchPeople(t.db, { q: 'helene' })).items[0].job_title).toBe('Conseillère export');
    expect((await asHr.post(`/annuaire/personnes/${helene.id}/modifier`, { version: '1', job_title: 'Responsable export', service_id: String(exportS) })).status).toBe(302);
    // A second save on the same version is refused (optimistic locking).
    expect((await asHr.post(`/annuaire/personnes/${helene.id}/modifier`, { version: '1', job_title: 'Autre' })).status).toBe(409);
    expect((await searchPeople(t.db, { q: 'helene' })).items[0].job_title).toBe('Responsable export');
    expect(await count(t.db, 'audit_log', ['entity', 'directory_profile'])).toBeGreaterThanOrEqual(4);
  });

  it('photos: a real image is cropped to 256 px WebP; an SVG or a fake is refused', async () => {
    const send = (a: Agent, userId: number, bytes: Buffer, filename: string) => {
      const body = multipart({}, { name: 'photo', filename, bytes });
      return t.app.fastify.inject({ method: 'POST', url: `/annuaire/personnes/${userId}/photo?_csrf=${encodeURIComponent(a.csrf)}`, headers: { ...body.headers, cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, payload: body.payload });
    };
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#888' } }).png().toBuffer();
    expect((await send(asBob, bob.id, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), 'me.png')).statusCode).toBe(422);
    expect((await send(asBob, helene.id, png, 'me.png')).statusCode).toBe(403);
    expect((await send(asBob, bob.id, png, 'me.png')).statusCode).toBe(302);
    const img = await asBob.get(`/annuaire/photos/${bob.id}`);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toBe('image/webp');
    const res = await t.app.fastify.inject({ method: 'GET', url: `/annuaire/photos/${bob.id}`, headers: { cookie: [...asBob.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const m = await sharp(res.rawPayload).metadata();
    expect([m.width, m.height, m.format]).toEqual([256, 256, 'webp']);
  });

  it('the org chart is edited with directory:edit only; no cycles', async () => {
    expect((await asBob.post('/annuaire/services', { name: 'Service pirate' })).status).toBe(403);
    const created = await asHr.post('/annuaire/services', { name: 'Numérique', parent_id: String(exportS) });
    expect(created.status).toBe(302);
    const cycle = await asHr.post(`/annuaire/services/${appui}`, { version: '1', name: 'Appui aux entreprises', parent_id: String(exportS) });
    expect(cycle.status).toBe(422);
    expect(cycle.body).toContain('ne peut pas être rattaché');
  });
});
