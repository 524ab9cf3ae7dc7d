// Issue #19: what a member sees of the CRM is what staff chose to share (defect 3), confidential
// notes are read by their author and crm:confidential only (7a), and the member's timeline is
// paged (7c). Through the real staff forms, the API, and the member's pages; SQLite and PostgreSQL.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { permissionsOf } from '../src/platform/access/permissions.js';
import type { CrmTables } from '../src/modules/crm/crm.table.js';
import { todayParis } from '../src/modules/crm/dates.js';
import { createDeal } from '../src/modules/crm/deal.service.js';
import { createTask } from '../src/modules/crm/task.service.js';
import { recordVisit } from '../src/modules/crm/visit.service.js';
import { agent, api, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { actorOf, signedInTeam, type team } from './crm-fixtures.js';
import { makeCompany, makeMember, memberAgent, type TestCompany } from './extranet-helpers.js';

let t: TestApp;
let people: Awaited<ReturnType<typeof team>>;
let as: Record<string, Agent>;
const db = () => t.db as Kysely<CrmTables>;
const today = todayParis();

beforeAll(async () => {
  t = await createTestApp();
  ({ people, as } = await signedInTeam(t));
});
afterAll(async () => t?.close());

const stageId = async (code: string) => (await db().selectFrom('crm_stages').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
const audits = async (entity: string, id: number) => (await db().selectFrom('audit_log').select(['action', 'changes']).where('entity', '=', entity).where('entity_id', '=', String(id)).orderBy('id').execute()) as { action: string; changes: string }[];
const dealVersion = async (id: number) => (await db().selectFrom('crm_deals').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;

/** The deal form as a browser posts it (every field), with overrides. */
const dealForm = (companyId: number, over: Record<string, string> = {}) => ({ company_id: String(companyId), title: 'Titre interne', amount: '1234,56', probability: '', expected_close_date: '', lost_reason: '', notes: '', confidential_notes: '', ...over });

describe('members see only what staff shared (defect 3)', () => {
  let c: TestCompany;
  let member: Agent;
  beforeAll(async () => {
    c = await makeCompany(t.db, 'Menuiserie Partage');
    const m = await makeMember(t.db, [c.id]);
    member = await memberAgent(t, m.email);
  });

  it('a lost deal with an amount and a staff title, not shared, is absent from the member’s pages', async () => {
    const res = await as.adviser.post('/crm/affaires', dealForm(c.id, { title: 'Perdue face au concurrent INTERNE', amount: '98765', stage_id: String(await stageId('lost')), lost_reason: 'Prix trop élevé SECRET', notes: 'Note interne XYZ' }));
    expect(res.status).toBe(302);
    const deal = await db().selectFrom('crm_deals').selectAll().where('title', '=', 'Perdue face au concurrent INTERNE').executeTakeFirstOrThrow();
    expect(deal.shared_with_company).toBe(0);
    for (const page of ['/extranet/suivi', '/extranet']) {
      const html = (await member.get(page)).body;
      for (const leak of ['INTERNE', 'SECRET', 'XYZ', '765,00', 'timeline-deal']) expect(html, `${page}: ${leak}`).not.toContain(leak);
    }
    // Members have no way into the staff API, cookie or not.
    expect((await member.get(`/api/v1/deals/${deal.id}`)).status).toBe(401);
    expect((await member.get('/api/v1/deals')).status).toBe(401);
  });

  it('shared without the amount flag: the member wording shows, the amount, title, owner, probability and lost reason do not', async () => {
    const res = await as.adviser.post(
      '/crm/affaires',
      dealForm(c.id, { title: 'Titre staff CONFIDENTIEL', amount: '4321', probability: '35', shared_with_company: '1', member_title: 'Accompagnement export', member_summary: 'Nous préparons ensemble votre salon.' }),
    );
    expect(res.status).toBe(302);
    const html = (await member.get('/extranet/suivi')).body;
    expect(html).toContain('Accompagnement export');
    expect(html).toContain('Nous préparons ensemble votre salon.');
    for (const leak of ['CONFIDENTIEL', '321,00', '35 %', people.adviser.name]) expect(html, leak).not.toContain(leak);
    // The same deal with the amount flag: now the amount is shown.
    const deal = await db().selectFrom('crm_deals').select(['id', 'version']).where('title', '=', 'Titre staff CONFIDENTIEL').executeTakeFirstOrThrow();
    const edit = await as.adviser.post(`/crm/affaires/${deal.id}`, dealForm(c.id, { title: 'Titre staff CONFIDENTIEL', amount: '4321', probability: '35', shared_with_company: '1', member_title: 'Accompagnement export', amount_shared_with_company: '1', version: String(deal.version) }));
    expect(edit.status).toBe(302);
    expect((await member.get('/extranet/suivi')).body).toMatch(/4\s321,00\s€/);
  });

  it('refuses to share without a member wording (French and English), saves nothing', async () => {
    const before = await count(t.db, 'crm_deals');
    const fr = await as.adviser.post('/crm/affaires', dealForm(c.id, { shared_with_company: '1', member_title: '  ' }));
    expect(fr.status).toBe(422);
    expect(fr.body).toContain('écrivez le libellé qu’elle lira');
    const tooLong = await as.adviser.post('/crm/affaires', dealForm(c.id, { shared_with_company: '1', member_title: 'x'.repeat(201) }));
    expect(tooLong.status).toBe(422);
    expect(tooLong.body).toContain('200 caractères');
    const { token } = await createApiToken(t.db, actorOf(people.adviser), people.adviser.id, { name: 'w', scopes: ['crm:write'] });
    const en = await t.app.fastify.inject({ method: 'POST', url: '/api/v1/deals', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'en' }, payload: JSON.stringify({ companyId: c.id, title: 'x', sharedWithCompany: true }) });
    expect(en.statusCode).toBe(422);
    expect(JSON.stringify(en.json())).toMatch(/member_title|wording/);
    expect(await count(t.db, 'crm_deals')).toBe(before);
  });

  it('a shared task shows; switching the flag off hides it again; every change is audited', async () => {
    const task = await createTask(t.db, actorOf(people.adviser), { title: 'Tâche interne TACHE-STAFF', due: today, companyId: c.id });
    expect((await member.get('/extranet/suivi')).body).not.toContain('TACHE-STAFF');
    const on = await as.adviser.post(`/crm/taches/${task.id}`, { title: task.title, due: today, owner_id: String(people.adviser.id), version: String(task.version), shared_with_company: '1', member_title: 'Envoi de votre devis' });
    expect(on.status).toBe(302);
    let html = (await member.get('/extranet/suivi')).body;
    expect(html).toContain('Envoi de votre devis');
    expect(html).not.toContain('TACHE-STAFF');
    const off = await as.adviser.post(`/crm/taches/${task.id}`, { title: task.title, due: today, owner_id: String(people.adviser.id), version: String(task.version + 1), member_title: 'Envoi de votre devis' });
    expect(off.status).toBe(302);
    html = (await member.get('/extranet/suivi')).body;
    expect(html).not.toContain('Envoi de votre devis');
    // Outside the owner's circle: neither the form nor the change.
    expect((await as.outsider.get(`/crm/taches/${task.id}`)).status).toBe(403);
    expect((await as.outsider.post(`/crm/taches/${task.id}`, { title: 'x', due: today, version: String(task.version + 2), shared_with_company: '1', member_title: 'Piraté' })).status).toBe(403);
    expect((await as.adviser.get('/crm/taches/999999')).status).toBe(404);
    // Sharing needs its wording: refused field by field, nothing changed.
    const refused = await as.adviser.post(`/crm/taches/${task.id}`, { title: task.title, due: today, owner_id: String(people.adviser.id), version: String(task.version + 2), shared_with_company: '1', member_title: '' });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('écrivez le libellé qu’elle lira');
    const log = await audits('crm_task', task.id);
    expect(log.map((l) => l.action)).toEqual(['create', 'update', 'update']);
    expect(JSON.parse(log[1].changes)).toMatchObject({ shared_with_company: [0, 1], member_title: ['', 'Envoi de votre devis'] });
    expect(JSON.parse(log[2].changes)).toMatchObject({ shared_with_company: [1, 0] });
  });

  it('shares and unshares a deal through the API (scope crm:write), audited, and the member follows', async () => {
    const d = await createDeal(t.db, actorOf(people.adviser), { companyId: c.id, title: 'API interne', amountCents: 50000 });
    const { token } = await createApiToken(t.db, actorOf(people.adviser), people.adviser.id, { name: 'w2', scopes: ['crm:write'] });
    const share = await api(t, 'POST', `/api/v1/deals/${d.id}/sharing`, token, { sharedWithCompany: true, memberTitle: 'Diagnostic partagé par API', version: d.version });
    expect(share.status).toBe(200);
    expect(share.json()).toMatchObject({ sharedWithCompany: true, memberTitle: 'Diagnostic partagé par API', amountSharedWithCompany: false });
    expect((await member.get('/extranet/suivi')).body).toContain('Diagnostic partagé par API');
    const stale = await api(t, 'POST', `/api/v1/deals/${d.id}/sharing`, token, { sharedWithCompany: false, version: d.version });
    expect(stale.status).toBe(409);
    expect((await api(t, 'POST', `/api/v1/deals/${d.id}/sharing`, token, { sharedWithCompany: false, version: await dealVersion(d.id) })).status).toBe(200);
    expect((await member.get('/extranet/suivi')).body).not.toContain('Diagnostic partagé par API');
    expect((await audits('crm_deal', d.id)).map((l) => l.action)).toEqual(['create', 'share', 'share']);
    // A colleague outside the owner's circle may not share it.
    const { token: other } = await createApiToken(t.db, actorOf(people.outsider), people.outsider.id, { name: 'o', scopes: ['crm:write'] });
    expect((await api(t, 'POST', `/api/v1/deals/${d.id}/sharing`, other, { sharedWithCompany: true, memberTitle: 'x', version: await dealVersion(d.id) })).status).toBe(403);
    const openapi = (await api(t, 'GET', '/api/openapi.json')).json();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/v1/deals/{id}/sharing', '/api/v1/visits/{id}/sharing', '/api/v1/tasks/{id}/sharing']));
  });

  it('a shared visit shows its member wording, never its notes, needs or topics', async () => {
    await recordVisit(t.db, actorOf(people.adviser), { companyId: c.id, date: today, topics: ['export'], contactIds: [], notes: 'NOTES-VISITE', needs: 'BESOINS-VISITE', confidentialNotes: 'CONF-VISITE', sharedWithCompany: true, memberTitle: 'Votre rendez-vous export' });
    const html = (await member.get('/extranet/suivi')).body;
    expect(html).toContain('Votre rendez-vous export');
    for (const leak of ['NOTES-VISITE', 'BESOINS-VISITE', 'CONF-VISITE']) expect(html).not.toContain(leak);
  });
});

describe('confidential notes: their author and crm:confidential only (7a)', () => {
  it('is granted to admin only, through ALL', () => {
    expect(permissionsOf(['admin']).has('crm:confidential')).toBe(true);
    for (const role of ['direction', 'manager', 'adviser', 'documentation', 'training', 'staff']) expect(permissionsOf([role]).has('crm:confidential'), role).toBe(false);
  });

  it('direction does not see another adviser’s confidential deal note, on the page nor in the API; the author does', async () => {
    const c = await makeCompany(t.db);
    const made = await as.adviser.post('/crm/affaires', dealForm(c.id, { title: 'Affaire confidentielle', confidential_notes: 'Dirigeant malade NOTE-CONF' }));
    expect(made.status).toBe(302);
    const deal = await db().selectFrom('crm_deals').selectAll().where('title', '=', 'Affaire confidentielle').executeTakeFirstOrThrow();
    expect(deal.confidential_author_id).toBe(people.adviser.id);
    expect((await as.adviser.get(`/crm/affaires/${deal.id}`)).body).toContain('NOTE-CONF');
    for (const k of ['direction', 'manager']) {
      expect((await as[k].get(`/crm/affaires/${deal.id}`)).body, k).not.toContain('NOTE-CONF');
      const form = (await as[k].get(`/crm/affaires/${deal.id}/modifier`)).body;
      expect(form, k).not.toContain('NOTE-CONF');
      expect(form, k).not.toContain('name="confidential_notes"');
    }
    // Direction edits the deal: the note it cannot see is kept, still credited to its author.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { confidential_notes: _absent, ...withoutField } = dealForm(c.id, { title: 'Affaire confidentielle', version: String(deal.version) });
    expect((await as.direction.post(`/crm/affaires/${deal.id}`, withoutField)).status).toBe(302);
    const after = await db().selectFrom('crm_deals').select(['confidential_notes', 'confidential_author_id']).where('id', '=', deal.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ confidential_notes: 'Dirigeant malade NOTE-CONF', confidential_author_id: people.adviser.id });

    // The API: a visit's confidential notes to their author's token only.
    const { visit } = await recordVisit(t.db, actorOf(people.adviser), { companyId: c.id, date: today, topics: [], contactIds: [], confidentialNotes: 'VISITE-CONF' });
    const tokenOf = async (u: (typeof people)['adviser']) => (await createApiToken(t.db, actorOf(u), u.id, { name: 'r', scopes: ['crm:read'] })).token;
    expect((await api(t, 'GET', `/api/v1/visits/${visit.id}`, await tokenOf(people.adviser))).json().confidentialNotes).toBe('VISITE-CONF');
    const viaDirection = await api(t, 'GET', `/api/v1/visits/${visit.id}`, await tokenOf(people.direction));
    expect(viaDirection.status).toBe(200);
    expect(viaDirection.json().confidentialNotes).toBeUndefined();
    expect(viaDirection.body).not.toContain('VISITE-CONF');
    expect((await as.direction.get(`/crm/visites/${visit.id}`)).body).not.toContain('VISITE-CONF');
  });

  it('crm:confidential (admin) is the one way to read a colleague’s confidential note', async () => {
    const c = await makeCompany(t.db);
    const admin = await makeUser(t.db, ['admin']);
    const a = agent(t);
    expect((await a.signIn(admin.email)).status).toBe(302);
    const { visit } = await recordVisit(t.db, actorOf(people.adviser), { companyId: c.id, date: today, topics: [], contactIds: [], confidentialNotes: 'ADMIN-VOIT' });
    expect((await a.get(`/crm/visites/${visit.id}`)).body).toContain('ADMIN-VOIT');
  });
});

describe('the member timeline is paged (7c)', () => {
  it('25 per page, newest first, ?page= validated, past the end → the last page', async () => {
    const c = await makeCompany(t.db, 'Imprimerie Pages');
    const m = await makeMember(t.db, [c.id]);
    const member = await memberAgent(t, m.email);
    const a = actorOf(people.adviser);
    // 30 shared visits, one a day, plus 2 requests of today: 32 items, two pages.
    for (let i = 0; i < 30; i++) {
      const day = new Date(Date.parse(`${today}T12:00:00Z`) - (i + 1) * 86_400_000).toISOString().slice(0, 10);
      await recordVisit(t.db, a, { companyId: c.id, date: day, topics: [], contactIds: [], sharedWithCompany: true, memberTitle: `Visite n°${String(i + 1).padStart(2, '0')}` });
    }
    for (const subject of ['Demande un', 'Demande deux']) expect((await member.post('/extranet/demandes', { category: 'other', subject, body: 'Bonjour' })).status).toBe(302);

    const first = await member.get('/extranet/suivi');
    expect(first.status).toBe(200);
    expect((first.body.match(/class="timeline-item /g) ?? []).length).toBe(25);
    expect(first.body).toContain('Demande deux');
    expect(first.body.indexOf('Demande deux')).toBeLessThan(first.body.indexOf('Visite n°01'));
    expect(first.body.indexOf('Visite n°01')).toBeLessThan(first.body.indexOf('Visite n°02'));
    expect(first.body).toContain('Visite n°23');
    expect(first.body).not.toContain('Visite n°24');
    expect(first.body).toContain('href="/extranet/suivi?page=2"');

    const second = await member.get('/extranet/suivi?page=2');
    expect(second.status).toBe(200);
    expect((second.body.match(/class="timeline-item /g) ?? []).length).toBe(7);
    expect(second.body).toContain('Visite n°24');
    expect(second.body).toContain('Visite n°30');
    expect(second.body).not.toContain('Visite n°23');

    const past = await member.get('/extranet/suivi?page=999999');
    expect(past.status).toBe(302);
    expect(past.headers.location).toBe('/extranet/suivi?page=2');
    for (const bad of ['0', '-1', 'abc', '1e3', '2.5', '9999999999']) expect((await member.get(`/extranet/suivi?page=${bad}`)).status, bad).toBe(404);
    // The home page shows the latest ten only.
    expect(((await member.get('/extranet')).body.match(/class="timeline-item /g) ?? []).length).toBe(10);
  });
});

describe('offline drafts at sign-out (7b)', () => {
  it('asks the browser to clear this site’s storage and says, in French and English, how many drafts went', async () => {
    const u = await makeUser(t.db, ['adviser']);
    const fr = agent(t);
    expect((await fr.signIn(u.email)).status).toBe(302);
    const portal = (await fr.get('/crm')).body;
    // The sign-out form is marked for app.js, with the notice it fills when drafts wait.
    expect(portal).toMatch(/<form[^>]*action="\/deconnexion"[^>]*data-signout[ =>]/);
    expect(portal).toContain('data-many="{n} brouillons non envoyés seront effacés à la déconnexion."');
    const out = await fr.post('/deconnexion', { drafts_cleared: '2' });
    expect(out.status).toBe(302);
    expect(out.headers['clear-site-data']).toBe('"storage"');
    expect((await fr.get('/connexion')).body).toContain('Vous êtes déconnecté. Les brouillons gardés sur cet appareil (2) ont été effacés.');

    const en = agent(t);
    await en.get('/lang/en?next=/connexion');
    expect((await en.signIn(u.email)).status).toBe(302);
    await en.post('/deconnexion', { drafts_cleared: '1' });
    expect((await en.get('/connexion')).body).toContain('You are signed out. The drafts kept on this device (1) were cleared.');
    // Nothing kept (or a forged count): the plain message.
    const none = agent(t);
    expect((await none.signIn(u.email)).status).toBe(302);
    await none.post('/deconnexion', { drafts_cleared: '-5' });
    const page = (await none.get('/connexion')).body;
    expect(page).toContain('Vous êtes déconnecté.');
    expect(page).not.toContain('brouillons');
  });
});
