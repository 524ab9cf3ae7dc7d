// The adversarial acceptance of the extranet: a member of company A tries, on EVERY extranet
// route, company B's ids (real, sequential, guessed), B's attachments, the staff back office,
// and forbidden fields; staff sessions try member routes. Everything is refused (401/403/404),
// nothing changes, and each refusal is in the audit log. The route list is captured from the
// app itself, so a new route without a probe fails this file.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULES } from '../src/modules/index.js';
import { defineModule } from '../src/platform/module.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { makeCompany, makeContact, makeMember, memberAgent, PDF, postMultipart, type TestCompany, type TestMember } from './extranet-helpers.js';

const routes: { method: string; url: string }[] = [];
const spy = defineModule({
  name: 'route-spy',
  web(app: FastifyInstance) {
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD' && !r.url.startsWith('/extranet/contenus') && (r.url.startsWith('/extranet') || r.url.startsWith('/gestion-extranet'))) routes.push({ method: m, url: r.url });
    });
  },
});

let t: TestApp;
let A: TestCompany;
let B: TestCompany;
let memberA: TestMember;
let plainA: TestMember;
let memberB: TestMember;
let a: Agent; // administrator of A
let p: Agent; // plain member of A
let b: Agent; // administrator of B
let staff: Agent;
// (/extranet/contenus/… belongs to the content module: its own tests cover it.)
// Records of company B that A will try to reach.
const ofB: Record<string, number> = {};
const ofA: Record<string, number> = {};

const MEMBER_TABLES = ['member_accounts', 'member_memberships', 'member_invitations', 'member_signups', 'member_change_requests', 'member_requests', 'member_request_messages', 'member_attachments', 'contact_consent_events', 'member_request_routes', 'companies', 'establishments', 'contacts'];
async function snapshot(): Promise<string> {
  const parts: string[] = [];
  for (const table of MEMBER_TABLES) {
    const rows = await t.db.selectFrom(table).selectAll().orderBy(table === 'member_request_routes' ? 'category' : 'id').execute();
    parts.push(table + ':' + JSON.stringify(rows.map((r) => ({ ...r, data: undefined, last_sign_in_at: undefined }))));
  }
  return parts.join('\n');
}
const denials = () => count(t.db, 'audit_log', ['entity', 'extranet_access']);

beforeAll(async () => {
  t = await createTestApp({ modules: [spy, ...MODULES] });
  A = await makeCompany(t.db, 'Alpha Industrie');
  B = await makeCompany(t.db, 'Bêta Services');
  memberA = await makeMember(t.db, [A.id], 'administrator');
  plainA = await makeMember(t.db, [A.id], 'member');
  memberB = await makeMember(t.db, [B.id], 'administrator');
  const staffUser = await makeUser(t.db, ['documentation']);
  staff = agent(t);
  await staff.signIn(staffUser.email);
  a = await memberAgent(t, memberA.email);
  p = await memberAgent(t, plainA.email);
  b = await memberAgent(t, memberB.email);

  // B creates what A will hunt for: a request with an attachment, a correction, a contact,
  // an invitation, a colleague membership.
  for (const [who, store] of [
    [b, ofB],
    [a, ofA],
  ] as const) {
    const company = who === b ? B : A;
    const r = await postMultipart(t, who, '/extranet/demandes', { category: 'formalities', subject: `Demande confidentielle ${company.name}`, body: `Contenu secret de ${company.name}` }, [{ name: 'attachments', filename: 'bilan.pdf', type: 'application/pdf', data: PDF }]);
    store.request = Number(String(r.headers.location).split('/').pop());
    store.attachment = Number((await t.db.selectFrom('member_attachments').select('id').where('request_id', '=', store.request).executeTakeFirstOrThrow()).id);
    await who.post('/extranet/mon-entreprise/corrections', { phone: '01 02 03 04 05' });
    store.correction = Number((await t.db.selectFrom('member_change_requests').select('id').where('company_id', '=', company.id).executeTakeFirstOrThrow()).id);
    store.contact = await makeContact(t.db, company.id, `Secret${company.id}`);
    await who.post('/extranet/equipe/invitations', { name: 'Invitée', email: `invitee-${company.id}@x.fr`, role: 'member' });
    store.invitation = Number((await t.db.selectFrom('member_invitations').select('id').where('company_id', '=', company.id).executeTakeFirstOrThrow()).id);
    const colleague = await makeMember(t.db, [company.id], 'member');
    store.membership = Number((await t.db.selectFrom('member_memberships').select('id').where('account_id', '=', colleague.id).executeTakeFirstOrThrow()).id);
    store.account = colleague.id;
  }
  ofB.company = B.id;
  ofA.company = A.id;
});
afterAll(async () => t?.close());

/** Which kind of id each parameterised extranet route takes. */
const ID_KIND: Record<string, string> = {
  '/extranet/mon-entreprise/corrections/:id': 'correction',
  '/extranet/demandes/:id': 'request',
  '/extranet/demandes/:id/messages': 'request',
  '/extranet/demandes/:id/cloturer': 'request',
  '/extranet/pieces-jointes/:id': 'attachment',
  '/extranet/contacts/:id/preferences': 'contact',
  '/extranet/equipe/invitations/:id/annuler': 'invitation',
  '/extranet/equipe/:id/role': 'membership',
  '/extranet/equipe/:id/retirer': 'membership',
};
/** Member routes without ids that could name a company in their body. */
const TOKEN_ROUTES = ['/extranet/mot-de-passe/:token', '/extranet/invitation/:token', '/extranet/inscription/:token'];
/** The CCI's content published for every member: not company data; audience isolation is proven in test/extranet-content.test.ts. */
const CONTENT_ROUTES = ['/extranet/actualites/:ref', '/extranet/evenements/:ref'];
/**
 * Other modules' member pages under /extranet (messages, training…): each module's records are
 * hunted across companies by the generic member suite (test/adversarial-member.test.ts, with its
 * PARAM_KINDS), which fails on any parameter it does not know. This inventory is the extranet's.
 */
const OTHER_MODULES = ['/extranet/messages/', '/extranet/formations/', '/extranet/taxe-apprentissage/', '/extranet/lettres-information/'];

describe('route inventory', () => {
  it('every parameterised member route has a probe (a new route must be added here)', () => {
    const member = routes.filter((r) => r.url.startsWith('/extranet') && r.url.includes(':'));
    const unknown = member.filter((r) => !ID_KIND[r.url] && !TOKEN_ROUTES.includes(r.url) && !CONTENT_ROUTES.includes(r.url) && !OTHER_MODULES.some((prefix) => r.url.startsWith(prefix)));
    expect(unknown.map((r) => r.url)).toEqual([]);
    expect(routes.length).toBeGreaterThan(40);
  });
});

describe('another company’s ids, on every member route', () => {
  it('are "not found", change nothing, and are audited — real ids of B, sequential and guessed ids', async () => {
    const before = await snapshot();
    const auditBefore = await denials();
    let probes = 0;
    for (const r of routes.filter((x) => x.url.startsWith('/extranet') && ID_KIND[x.url])) {
      const kind = ID_KIND[r.url];
      // B's real id, the ids around A's own (sequential guessing), absurd and malformed ids.
      const candidates = [ofB[kind], ofA[kind] + 1, ofA[kind] + 2, ofA[kind] - 1, 99999, 0, 2147483647].filter((v) => v !== ofA[kind] && v !== undefined);
      const ids = [...new Set(candidates.filter((v) => !Object.entries(ofA).some(([k, own]) => k === kind && own === v)))];
      // Ids that belong to company A itself are legitimate; skip them if a guess lands on one.
      const ownIds = new Set((await t.db.selectFrom(tableOf(kind)).select('id').where(companyColumn(kind), '=', A.id).execute()).map((x) => Number(x.id)));
      for (const idValue of [...ids.filter((v) => !ownIds.has(v)), 'abc', '-1', '1e3']) {
        const url = r.url.replace(':id', String(idValue));
        const res = r.method === 'GET' ? await a.get(url) : await a.post(url, bodyFor(r.url));
        expect([403, 404], `${r.method} ${url} → ${res.status}`).toContain(res.status);
        if (typeof idValue === 'number' && idValue === ofB[kind]) expect(res.body).not.toContain('Bêta Services');
        expect(res.body).not.toContain('Contenu secret de Bêta');
        probes++;
      }
    }
    expect(probes).toBeGreaterThan(50);
    expect(await snapshot()).toBe(before);
    expect((await denials()) - auditBefore).toBeGreaterThanOrEqual(probes);
  });

  it('lets each member reach their own records (so the refusals above are not an accident)', async () => {
    expect((await a.get(`/extranet/demandes/${ofA.request}`)).status).toBe(200);
    expect((await a.get(`/extranet/pieces-jointes/${ofA.attachment}`)).status).toBe(200);
    expect((await a.get(`/extranet/mon-entreprise/corrections/${ofA.correction}`)).status).toBe(200);
    expect((await b.get(`/extranet/demandes/${ofB.request}`)).status).toBe(200);
    expect((await b.get(`/extranet/pieces-jointes/${ofB.attachment}`)).status).toBe(200);
  });

  it('a person in both companies sees only the current company’s records, until they switch', async () => {
    const both = await makeMember(t.db, [A.id, B.id], 'member');
    const ag = await memberAgent(t, both.email);
    await ag.post('/extranet/entreprise-courante', { company_id: String(A.id) });
    expect((await ag.get(`/extranet/demandes/${ofA.request}`)).status).toBe(200);
    expect((await ag.get(`/extranet/demandes/${ofB.request}`)).status).toBe(404);
    expect((await ag.get(`/extranet/pieces-jointes/${ofB.attachment}`)).status).toBe(404);
    expect((await ag.get('/extranet/demandes')).body).not.toContain('Contenu secret de Bêta');
    await ag.post('/extranet/entreprise-courante', { company_id: String(B.id) });
    expect((await ag.get(`/extranet/demandes/${ofB.request}`)).status).toBe(200);
    expect((await ag.get(`/extranet/demandes/${ofA.request}`)).status).toBe(404);
  });

  it('scanning every attachment id only ever yields one’s own company’s files', async () => {
    const max = Number((await t.db.selectFrom('member_attachments').select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow()).m);
    const mine = new Set((await t.db.selectFrom('member_attachments').select('id').where('company_id', '=', A.id).execute()).map((r) => Number(r.id)));
    for (let i = 1; i <= max + 3; i++) {
      const res = await a.get(`/extranet/pieces-jointes/${i}`);
      expect(res.status, `attachment ${i}`).toBe(mine.has(i) ? 200 : 404);
    }
  });

  it('lists and pages never show another company’s data', async () => {
    for (const url of ['/extranet', '/extranet/demandes', '/extranet/suivi', '/extranet/mon-entreprise', '/extranet/contacts', '/extranet/equipe', '/extranet/compte']) {
      const res = await a.get(url);
      expect(res.status, url).toBe(200);
      expect(res.body, url).not.toContain('Bêta Services');
      expect(res.body, url).not.toContain(`Secret${B.id}`);
      expect(res.body, url).not.toContain(memberB.email);
      expect(res.body, url).not.toContain(`invitee-${B.id}`);
    }
  });

  it('the timeline shows the shared visits of the company only, never notes', async () => {
    const owner = await makeUser(t.db, ['adviser']);
    const now = new Date().toISOString();
    const visit = (company: number, shared: number, notes: string) =>
      t.db.insertInto('crm_visits').values({ company_id: company, owner_id: owner.id, visit_date: '2026-10-01', topics: '[]', notes, needs: 'BESOIN INTERNE', confidential_notes: 'CONFIDENTIEL ' + notes, shared_with_company: shared, created_at: now, updated_at: now }).execute();
    await visit(A.id, 1, 'NOTE-A-PARTAGEE');
    await visit(A.id, 0, 'NOTE-A-PRIVEE');
    await visit(B.id, 1, 'NOTE-B');
    const res = await a.get('/extranet/suivi');
    expect(res.body).toContain('Rendez-vous');
    for (const secret of ['NOTE-A-PARTAGEE', 'NOTE-A-PRIVEE', 'NOTE-B', 'CONFIDENTIEL', 'BESOIN INTERNE']) expect(res.body).not.toContain(secret);
    expect((res.body.match(/timeline-visit/g) ?? []).length).toBe(1);
  });
});

describe('forbidden fields (mass assignment)', () => {
  it('are refused with 403, change nothing, and are audited', async () => {
    const before = await snapshot();
    const auditBefore = await denials();
    const attempts: [Agent, string, Record<string, string>][] = [
      [a, '/extranet/demandes', { category: 'other', subject: 'x', body: 'y', company_id: String(B.id) }],
      [a, '/extranet/demandes', { category: 'other', subject: 'x', body: 'y', status: 'closed' }],
      [a, '/extranet/demandes', { category: 'other', subject: 'x', body: 'y', account_id: String(memberB.id) }],
      [a, `/extranet/demandes/${ofA.request}/messages`, { body: 'y', author_kind: 'staff' }],
      [a, `/extranet/demandes/${ofA.request}/messages`, { body: 'y', request_id: String(ofB.request) }],
      [a, '/extranet/mon-entreprise/corrections', { phone: '01 99 99 99 99', company_id: String(B.id) }],
      [a, '/extranet/mon-entreprise/corrections', { phone: '01 99 99 99 99', status: 'accepted' }],
      [a, '/extranet/mon-entreprise/corrections', { phone: '01 99 99 99 99', version: '1', name: 'Nouveau nom' }],
      [a, '/extranet/equipe/invitations', { name: 'X', email: 'x@x.fr', role: 'member', company_id: String(B.id) }],
      [a, `/extranet/equipe/${ofA.membership}/role`, { role: 'administrator', company_id: String(B.id) }],
      [a, `/extranet/contacts/${ofA.contact}/preferences`, { channels: 'newsletter', company_id: String(B.id) }],
      [a, `/extranet/contacts/${ofA.contact}/preferences`, { channels: 'newsletter', origin: 'staff' }],
      [a, '/extranet/compte/mot-de-passe', { current: 'x', password: 'y', confirm: 'y', status: 'active' }],
      [p, '/extranet/compte/mot-de-passe', { current: 'x', password: 'y', confirm: 'y', role: 'administrator' }],
      [a, '/extranet/entreprise-courante', { company_id: String(A.id), role: 'administrator' }],
      [staff, '/gestion-extranet/invitations', { company_id: String(A.id), name: 'X', email: 'x@y.fr', role: 'member', status: 'accepted' }],
      [staff, `/gestion-extranet/demandes/${ofA.request}/assigner`, { assignee_id: '', version: '1', company_id: String(B.id) }],
    ];
    for (const [who, url, form] of attempts) {
      const res = await who.post(url, form);
      expect(res.status, `${url} ${JSON.stringify(form)}`).toBe(403);
    }
    const multi = await postMultipart(t, a, '/extranet/demandes', { category: 'other', subject: 'x', body: 'y', company_id: String(B.id) });
    expect(multi.status).toBe(403);
    expect(await snapshot()).toBe(before);
    expect((await denials()) - auditBefore).toBe(attempts.length + 1);
  });

  it('a plain member cannot use administrator routes', async () => {
    const before = await snapshot();
    for (const [url, form] of [
      ['/extranet/equipe/invitations', { name: 'X', email: 'x@x.fr', role: 'administrator' }],
      [`/extranet/equipe/${ofA.membership}/role`, { role: 'administrator' }],
      [`/extranet/equipe/${ofA.membership}/retirer`, {}],
      [`/extranet/equipe/invitations/${ofA.invitation}/annuler`, {}],
    ] as [string, Record<string, string>][]) {
      expect((await p.post(url, form)).status, url).toBe(403);
    }
    expect((await p.get('/extranet/equipe')).status).toBe(403);
    expect(await snapshot()).toBe(before);
  });
});

describe('audiences', () => {
  it('a member session never opens a staff route; nothing changes; refusals are audited', async () => {
    const before = await snapshot();
    const auditBefore = await denials();
    const staffRoutes = routes.filter((r) => r.url.startsWith('/gestion-extranet'));
    expect(staffRoutes.length).toBeGreaterThan(15);
    for (const r of staffRoutes) {
      const url = r.url.replace(':id', String(ofA.request));
      const res = r.method === 'GET' ? await a.get(url) : await a.post(url, { version: '1', reason: 'x', company_id: String(A.id), role: 'administrator', status: 'active', accepted: 'phone', body: 'x' });
      expect([302, 401, 403], `${r.method} ${url}`).toContain(res.status);
      if (res.status === 302) expect(res.headers.location).toMatch(/^\/connexion/);
    }
    expect(await snapshot()).toBe(before);
    expect((await denials()) - auditBefore).toBe(staffRoutes.length);
  });

  it('a staff session (even an administrator’s) never opens a member route', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const s = agent(t);
    await s.signIn(admin.email);
    const before = await snapshot();
    const open = new Set(['/extranet/connexion', '/extranet/connexion/code', '/extranet/deconnexion', '/extranet/mot-de-passe-oublie', '/extranet/inscription', ...TOKEN_ROUTES]);
    for (const r of routes.filter((x) => x.url.startsWith('/extranet') && !open.has(x.url))) {
      const url = r.url.replace(':id', String(ofA[ID_KIND[r.url]] ?? 1));
      const res = r.method === 'GET' ? await s.get(url) : await s.post(url, { body: 'x', category: 'other', subject: 'x', phone: '01 00 00 00 00', channels: 'newsletter', company_id: String(A.id) });
      expect([302, 401, 403], `${r.method} ${url}`).toContain(res.status);
      if (res.status === 302) expect(res.headers.location).toMatch(/^\/extranet\/connexion/);
    }
    expect(await snapshot()).toBe(before);
  });

  it('an anonymous visitor gets nothing either', async () => {
    const anon = agent(t);
    await anon.get('/extranet/connexion');
    expect((await anon.get(`/extranet/pieces-jointes/${ofA.attachment}`)).status).toBe(302);
    expect((await anon.post('/extranet/demandes', { category: 'other', subject: 'x', body: 'y' })).status).toBe(401);
    expect((await anon.get(`/gestion-extranet/pieces-jointes/${ofA.attachment}`)).status).toBe(302);
  });

  it('a disabled account or a revoked membership loses access at once', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const ag = await memberAgent(t, m.email);
    expect((await ag.get('/extranet/demandes')).status).toBe(200);
    await t.db.updateTable('member_memberships').set({ status: 'revoked' }).where('account_id', '=', m.id).execute();
    expect((await ag.get('/extranet/demandes')).status).toBe(403);
    const acc = await t.db.selectFrom('member_accounts').select('version').where('id', '=', m.id).executeTakeFirstOrThrow();
    expect((await staff.post(`/gestion-extranet/comptes/${m.id}/statut`, { status: 'disabled', version: String(acc.version) })).status).toBe(302);
    expect((await ag.get('/extranet')).status).toBe(302);
    expect(await count(t.db, 'sessions', ['subject_id', m.id])).toBe(0);
  });
});

describe('JSON API', () => {
  it('is staff-only, read-only, scoped by token; members and scope-less tokens get nothing', async () => {
    const { createApiToken } = await import('../src/platform/auth/api-tokens.js');
    const { SYSTEM_ACTOR } = await import('../src/platform/audit/audit.js');
    const doc = await makeUser(t.db, ['documentation']);
    const good = (await createApiToken(t.db, SYSTEM_ACTOR, doc.id, { name: 'queue', scopes: ['extranet:read'], days: 30 })).token;
    const other = (await createApiToken(t.db, SYSTEM_ACTOR, doc.id, { name: 'registry', scopes: ['registry:read'], days: 30 })).token;
    const call = (url: string, token?: string, cookie?: string) => t.app.fastify.inject({ method: 'GET', url, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(cookie ? { cookie } : {}) } });
    const list = await call('/api/v1/extranet/requests', good);
    expect(list.statusCode).toBe(200);
    const ids = (JSON.parse(list.body).items as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([ofA.request, ofB.request]));
    const one = await call(`/api/v1/extranet/requests/${ofB.request}`, good);
    expect(one.statusCode).toBe(200);
    expect(JSON.parse(one.body).messages[0].attachments[0]).toMatchObject({ fileName: 'bilan.pdf', contentType: 'application/pdf' });
    expect(JSON.parse(one.body).messages[0]).not.toHaveProperty('data');
    expect((await call('/api/v1/extranet/response-times', good)).statusCode).toBe(200);
    expect((await call('/api/v1/extranet/requests/99999', good)).statusCode).toBe(404);
    expect((await call('/api/v1/extranet/requests/abc', good)).statusCode).toBe(400);
    expect((await call('/api/v1/extranet/requests?status=deleted', good)).statusCode).toBe(400);
    const memberCookie = [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    for (const url of ['/api/v1/extranet/requests', `/api/v1/extranet/requests/${ofA.request}`, '/api/v1/extranet/response-times']) {
      expect((await call(url, other)).statusCode, url).toBe(403);
      expect((await call(url)).statusCode, url).toBe(401);
      expect((await call(url, undefined, memberCookie)).statusCode, url).toBe(401);
    }
    // Read-only: no write verb exists on the extranet API.
    const post = await t.app.fastify.inject({ method: 'POST', url: '/api/v1/extranet/requests', headers: { authorization: `Bearer ${good}`, 'content-type': 'application/json' }, payload: JSON.stringify({ companyId: B.id, subject: 'x' }) });
    expect([404, 405]).toContain(post.statusCode);
    const spec = JSON.parse((await t.app.fastify.inject({ method: 'GET', url: '/api/openapi.json' })).body);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/extranet/requests', '/api/v1/extranet/requests/{id}']));
  });
});

describe('robustness', () => {
  it('no extranet route answers 500 to malformed input, whoever asks', async () => {
    const weird: Record<string, string | string[]>[] = [
      {},
      { body: ['a', 'b'], subject: ['x', 'y'], category: ['other', 'funding'], phone: ['1', '2'], email: ['a@b.fr', 'c@d.fr'], role: ['member', 'administrator'], version: ['1', '2'], company_id: ['1', '2'] },
      { body: 'x'.repeat(60_000), subject: 'é'.repeat(5000), phone: '\u0000', email: '"><script>', version: '-99999999999999999999', company_id: '1e309', siret: '١٢٣٤٥٦٧٨٩٠١٢٣٤', reason: '\ud800' },
      // NUL characters in valid-looking values (PostgreSQL refuses them in text columns).
      { category: 'other', subject: 'a\u0000b', body: 'c\u0000d', email: 'x\u0000@exemple.fr', password: 'p\u0000', name: 'n\u0000', description: 'd\u0000', reason: 'r\u0000', channels: 'newsletter' },
      // Only fields the forms offer, so the request goes past the mass-assignment check.
      { body: 'x'.repeat(60_000), subject: 'é'.repeat(5000), category: 'nope', phone: '\u0000', website: 'javascript:alert(1)', postal_code: '00000', city: '\ud800', channels: ['newsletter', 'zzz'], current: '', password: 'p'.repeat(5000), confirm: '', secret: 'A'.repeat(32), code: 'abcdef' },
    ];
    const who: [string, Agent][] = [
      ['member', a],
      ['staff', staff],
      ['anonymous', agent(t)],
    ];
    for (const [label, ag] of who) {
      for (const r of routes) {
        const url = r.url.replace(':id', String(ofA[ID_KIND[r.url]] ?? ofA.request)).replace(':token', 'x'.repeat(43));
        if (r.method === 'GET') {
          for (const q of ['', '?q=%00%ff&page=-1&statut[]=x&categorie=%E0%A4%A&entreprise=abc&next=//evil.example', '?q=a%00b&statut=%00&entreprise=1%00']) {
            const res = await ag.get(url + q);
            expect(res.status, `${label} GET ${url}${q}`).toBeLessThan(500);
          }
        } else {
          for (const form of weird) {
            const res = await ag.post(url, form);
            expect(res.status, `${label} POST ${url} ${Object.keys(form).join(',')}`).toBeLessThan(500);
          }
          const json = await ag.request('POST', url, { payload: { company_id: B.id, body: { nested: true } } });
          expect(json.status, `${label} POST json ${url}`).toBeLessThan(500);
          const broken = await t.app.fastify.inject({ method: 'POST', url, payload: '--x\r\nbroken', headers: { 'content-type': 'multipart/form-data; boundary=x', cookie: [...ag.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': ag.csrf } });
          expect(broken.statusCode, `${label} POST broken multipart ${url}`).toBeLessThan(500);
        }
      }
    }
  });
});

function tableOf(kind: string): string {
  return {
    correction: 'member_change_requests',
    request: 'member_requests',
    attachment: 'member_attachments',
    contact: 'contacts',
    invitation: 'member_invitations',
    membership: 'member_memberships',
  }[kind]!;
}
function companyColumn(_kind: string): string {
  return 'company_id';
}
function bodyFor(url: string): Record<string, string> {
  if (url.endsWith('/messages')) return { body: 'intrusion' };
  if (url.endsWith('/role')) return { role: 'administrator' };
  if (url.endsWith('/preferences')) return { channels: 'newsletter' };
  return {};
}
