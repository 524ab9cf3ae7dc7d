// Error pages: 403/404/500 in the same shell, never a stack trace; problem+json on the API;
// a fragment for htmx; malformed bodies are a 400, not a 500.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MODULES } from '../src/modules/index.js';
import { defineModule } from '../src/platform/module.js';
import { STATUS_OF } from '../src/platform/http/errors.js';
import { platformMessages } from '../src/platform/i18n/messages.js';
import { agent, api, createTestApp, makeUser, type TestApp } from './helpers.js';

// A module whose routes fail on purpose, to see what a user would see.
const broken = defineModule({
  name: 'broken',
  web(app) {
    app.get('/casse', { config: { signedIn: true } }, async () => {
      throw new Error('SELECT secret FROM table -- internal detail');
    });
  },
  api(app) {
    app.get('/casse', { config: { signedIn: true } }, async () => {
      throw new TypeError('cannot read property x of undefined at /srv/app.js:12');
    });
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ modules: [...MODULES, broken] });
});
afterAll(async () => t?.close());

it('shows a 500 page in the shell with an incident reference and no internal detail', async () => {
  const u = await makeUser(t.db, ['staff']);
  const a = agent(t);
  await a.signIn(u.email);
  const res = await a.get('/casse');
  expect(res.status).toBe(500);
  expect(res.body).toContain('Erreur du serveur');
  expect(res.body).toContain('Référence de l’incident');
  expect(res.body).not.toContain('SELECT');
  expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  const frag = await a.request('GET', '/casse', { headers: { 'hx-request': 'true' } });
  expect(frag.status).toBe(500);
  expect(frag.body).toMatch(/^<p class="flash flash-error"/);
});

it('answers problem+json on the API, without the stack', async () => {
  const { createApiToken } = await import('../src/platform/auth/api-tokens.js');
  const { SYSTEM_ACTOR } = await import('../src/platform/audit/audit.js');
  const u = await makeUser(t.db, ['admin']);
  const { token } = await createApiToken(t.db, SYSTEM_ACTOR, u.id, { name: 'x', scopes: ['admin:read'] });
  const res = await api(t, 'GET', '/api/v1/casse', token);
  expect(res.status).toBe(500);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status: 500, code: 'common.server_error' });
  expect(res.body).not.toContain('/srv/app.js');
  const nf = await api(t, 'GET', '/api/v1/nothing-here', token);
  expect(nf.status).toBe(404);
  expect(nf.json().code).toBe('common.not_found');
});

it('treats a malformed body as a 400 and English is served when chosen', async () => {
  const u = await makeUser(t.db, ['staff']);
  const a = agent(t);
  await a.signIn(u.email);
  const res = await a.request('POST', '/compte/mot-de-passe', { headers: { 'content-type': 'application/json', 'x-csrf-token': a.csrf }, payload: undefined });
  expect(res.status).toBeLessThan(500);
  await a.get('/lang/en?next=/portail');
  const nf = await a.get('/nowhere');
  expect(nf.status).toBe(404);
  expect(nf.body).toContain('Page not found');
  expect(nf.body).toContain('<html lang="en"');
});

it('removes NUL characters from forms instead of failing on PostgreSQL', async () => {
  const res = await agent(t).post('/connexion', { email: 'a\u0000b@test.cci.fr', password: 'x\u0000y' });
  expect(res.status).toBe(401);
});

it('every status an error can map to has a page title in French and in English (a 422 page once showed its raw key)', () => {
  const statuses = new Set([...Object.values(STATUS_OF), 400, 500, 503]);
  for (const status of statuses) {
    for (const lang of ['fr', 'en'] as const) expect(platformMessages[lang][`error.${status}.title`], `${lang} error.${status}.title`).toBeTruthy();
  }
});
