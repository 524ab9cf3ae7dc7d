// No 500 on malformed input: every CRM route (web and API), captured from the app itself, is
// called with garbage ids, query strings and bodies by a user who may do everything. Answers are
// 2xx/3xx/4xx, never a server error; nothing is written by refused requests of the API.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { MODULES } from '../src/modules/index.js';
import { defineModule } from '../src/platform/module.js';
import { agent, api, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { actorOf, company } from './crm-fixtures.js';

const routes: { method: string; url: string }[] = [];
const spy = defineModule({
  name: 'route-spy',
  web(app: FastifyInstance) {
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD' && (r.url.startsWith('/crm') || /^\/api\/v1\/(visits|deals|tasks)/.test(r.url))) routes.push({ method: m, url: r.url });
    });
  },
});

let t: TestApp;
let a: Agent;
let token = '';
beforeAll(async () => {
  t = await createTestApp({ modules: [spy, ...MODULES] });
  // Direction holds every CRM permission (admins must enrol a second factor first).
  const u = await makeUser(t.db, ['direction']);
  a = agent(t);
  await a.signIn(u.email);
  expect((await a.get('/crm/parametres')).status).toBe(200);
  token = (await createApiToken(t.db, actorOf(u), u.id, { name: 'fuzz', scopes: ['crm:read', 'crm:write'] })).token;
  await company(t.db);
});
afterAll(async () => t?.close());

const IDS = ['abc', '0', '-1', '99999999', '1', '1.5', '%27'];
const QUERIES = ['', '?company_q=ab%00cd&q=x%00y&portee=team', '?page=abc&portee=%00&from=2026-13-45&to=x&team=abc&department=%3Cb%3E&naf=ZZ&report=visits&format=xlsx', '?type=nope&entreprise=abc&company_q=%25&q=' + 'é'.repeat(300), '?stage=abc&service=-1&status=open&from=2026-02-30'];
const FORMS: Record<string, string | string[]>[] = [
  {},
  { company_id: ['1', '2'], date: 'x'.repeat(5000), topics: ['<script>', ''], contact_ids: ['-1', 'a'], followup_0_title: 'x'.repeat(400), followup_0_due: '9999-99-99', followup_0_owner: 'abc', version: 'NaN', client_id: '../../etc' },
  { company_id: '1', title: 'x', amount: '1e400', probability: '-5', stage_id: 'NaN', expected_close_date: '0000-00-00', owner_id: '99999999', service_id: 'x', lost_reason: 'y'.repeat(2000), version: '99999999999999999999' },
  // Valid but for NUL characters (PostgreSQL refuses them in text).
  { company_id: '1', notes: 'a\u0000b', needs: '\u0000', title: 'x\u0000y', body: 'n\u0000', amount: '10', new_contact_last_name: 'Nul\u0000', label: 'L\u0000', name: 'N\u0000', family: 'F', unit_price: '1', code: 'nul_code', due: '2099-01-01', lost_reason: 'r\u0000' },
  { company_ids: '1 2 x 99999999', q: '/registre?naf=%00&page=-3', adviser_id: '-4', action: 'assign', body: '', confidential: 'maybe', code: 'Bad Code', label: '', unit_price: '-1', kind: 'weird', position: '1e9', active: '2' },
];
const JSON_BODIES: unknown[] = [{ companyId: 1, title: 'a\u0000b', notes: '\u0000', due: '2026-12-01' }, {}, { companyId: 'x' }, { companyId: -1, title: 5 }, { companyId: 1, title: 'x', amountCents: 1e20, probability: 1000 }, { stageId: 0, version: -1 }, { done: 'yes', version: 1 }, [], 'text'];

describe('CRM routes never answer 500', () => {
  it('captured the routes, and the fuzzing user really reaches them', async () => {
    expect(routes.length).toBeGreaterThan(30);
    expect((await a.get('/crm/rapports')).status).toBe(200);
    expect((await api(t, 'GET', '/api/v1/visits', token)).status).toBe(200);
  });

  it('web routes with garbage ids, queries and forms', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => !x.url.startsWith('/api'))) {
      const urls = r.url.includes(':') ? IDS.map((id) => r.url.replace(/:[a-zA-Z]+/g, id)) : [r.url];
      for (const url of urls) {
        if (r.method === 'GET') {
          for (const q of QUERIES) {
            const res = await a.get(url + q);
            if (res.status >= 500) failures.push(`GET ${url + q} → ${res.status}`);
          }
        } else {
          for (const form of FORMS) {
            const res = await a.post(url, form);
            if (res.status >= 500) failures.push(`${r.method} ${url} ${JSON.stringify(form).slice(0, 80)} → ${res.status}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('API routes with garbage ids and bodies', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.url.startsWith('/api'))) {
      const urls = r.url.includes(':') ? IDS.map((id) => r.url.replace(/:[a-zA-Z]+/g, id)) : [r.url];
      for (const url of urls) {
        if (r.method === 'GET') {
          for (const q of QUERIES) {
            const res = await api(t, 'GET', url + q, token);
            if (res.status >= 500) failures.push(`GET ${url + q} → ${res.status}`);
          }
        } else {
          for (const body of JSON_BODIES) {
            const res = await api(t, r.method, url, token, body);
            if (res.status >= 500) failures.push(`${r.method} ${url} ${JSON.stringify(body)} → ${res.status}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
