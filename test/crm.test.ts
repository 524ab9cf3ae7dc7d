// The CRM's rules through its real routes and services, on SQLite and PostgreSQL: visit reports
// (form, dedupe of offline drafts, bad input), ownership by owner / manager / direction,
// confidentiality, deals (amounts, stage history, forecast in integer cents), portfolio, timeline,
// the iCalendar feed parsed back, the API with its scopes, reports and settings.
import type { Kysely } from 'kysely';
import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { listMemberVisibleActivity } from '../src/modules/crm/index.js';
import type { CrmTables } from '../src/modules/crm/crm.table.js';
import { addDays, todayParis } from '../src/modules/crm/dates.js';
import { createDeal, forecast, moveDeal } from '../src/modules/crm/deal.service.js';
import { parseEuros, weightedCents } from '../src/modules/crm/money.js';
import { companyPanel } from '../src/modules/crm/panel.js';
import { companyIdsFromRegistrySearch } from '../src/modules/crm/portfolio.service.js';
import { recordVisit } from '../src/modules/crm/visit.service.js';
import { renderToString } from 'preact-render-to-string';
import { agent, api, count, createTestApp, type Agent, type TestApp } from './helpers.js';
import { actorOf, company, contact, signedInTeam, type team } from './crm-fixtures.js';

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
const visitCount = () => count(t.db, 'crm_visits');

describe('visit reports', () => {
  it('shows the phone form with today’s date, the topics, and saves a report with its people and follow-ups as tasks', async () => {
    const c = await company(t.db, 'Boulangerie Dupain');
    const met = await contact(t.db, c, 'Dupain');
    const form = await as.adviser.get(`/crm/visites/nouvelle?entreprise=${c}`);
    expect(form.status).toBe(200);
    expect(form.body).toContain(`value="${today}"`);
    expect(form.body).toContain('Recrutement');
    expect(form.body).toContain('Boulangerie Dupain');
    expect(form.body).toContain('/static/crm-offline.js');
    const res = await as.adviser.post('/crm/visites', {
      client_id: 'draft-0001-abcdef',
      company_id: String(c),
      date: today,
      topics: ['hiring', 'export'],
      contact_ids: String(met),
      new_contact_last_name: 'Boulanger',
      new_contact_first_name: 'Paul',
      notes: 'Projet d’ouverture d’un second magasin.',
      needs: 'Recruter deux vendeurs',
      confidential_notes: 'Associé en conflit',
      followup_0_title: 'Envoyer l’offre apprentissage',
      followup_0_due: addDays(today, 7),
      followup_0_owner: String(people.colleague.id),
      followup_1_title: '',
      followup_1_due: '',
    });
    expect(res.status).toBe(302);
    const v = await db().selectFrom('crm_visits').selectAll().where('client_id', '=', 'draft-0001-abcdef').executeTakeFirstOrThrow();
    expect(v.owner_id).toBe(people.adviser.id);
    expect(JSON.parse(v.topics)).toEqual(['hiring', 'export']);
    const participants = await db().selectFrom('crm_visit_participants').select('contact_id').where('visit_id', '=', v.id).execute();
    expect(participants).toHaveLength(2); // the known contact and the person added on the spot
    const tasks = await db().selectFrom('crm_tasks').selectAll().where('visit_id', '=', v.id).execute();
    expect(tasks.map((x) => [x.title, x.due_date, x.owner_id])).toEqual([['Envoyer l’offre apprentissage', addDays(today, 7), people.colleague.id]]);
    expect(await count(t.db, 'audit_log', ['entity', 'crm_visit'])).toBeGreaterThan(0);
    const page = await as.adviser.get(res.headers.location as string);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Associé en conflit');
  });

  it('stores a draft sent twice (offline resend) exactly once', async () => {
    const c = await company(t.db);
    const form = { client_id: 'offline-draft-42-xyz', company_id: String(c), date: today, notes: 'Dans la zone blanche', followup_0_title: 'Rappeler', followup_0_due: addDays(today, 2) };
    const before = await visitCount();
    const first = await as.adviser.request('POST', '/crm/visites', { form, headers: { accept: 'application/json' } });
    const second = await as.adviser.request('POST', '/crm/visites', { form, headers: { accept: 'application/json' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.json().id).toBe(first.json().id);
    expect(await visitCount()).toBe(before + 1);
    expect(await count(t.db, 'crm_tasks', ['visit_id', first.json().id])).toBe(1);
    // Someone else cannot hijack that id.
    const other = await as.colleague.request('POST', '/crm/visites', { form, headers: { accept: 'application/json' } });
    expect(other.status).toBe(409);
  });

  it('refuses bad input field by field and saves nothing', async () => {
    const c = await company(t.db);
    const before = [await visitCount(), await count(t.db, 'crm_tasks'), await count(t.db, 'contacts')];
    const far = await as.adviser.post('/crm/visites', { company_id: String(c), date: addDays(today, 400), notes: 'x', followup_0_title: 'A faire', followup_0_due: addDays(today, 3), new_contact_last_name: 'Nouveau' });
    expect(far.status).toBe(422);
    expect(far.body).toContain('ne peut pas dépasser d’un an');
    const unknown = await as.adviser.post('/crm/visites', { company_id: '99999999', date: today });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toContain('n’existe pas dans le fichier consulaire');
    const badDate = await as.adviser.post('/crm/visites', { company_id: String(c), date: '2026-02-30' });
    expect(badDate.status).toBe(422);
    const badTopic = await as.adviser.post('/crm/visites', { company_id: String(c), date: today, topics: 'astrology' });
    expect(badTopic.status).toBe(422);
    const otherCompanysContact = await contact(t.db, await company(t.db));
    const wrongPerson = await as.adviser.post('/crm/visites', { company_id: String(c), date: today, contact_ids: String(otherCompanysContact) });
    expect(wrongPerson.status).toBe(422);
    const badFollowUp = await as.adviser.post('/crm/visites', { company_id: String(c), date: today, followup_0_title: 'Sans date' });
    expect(badFollowUp.status).toBe(422);
    expect(await visitCount()).toBe(before[0]);
    expect(await count(t.db, 'crm_tasks')).toBe(before[1]);
    expect(await count(t.db, 'contacts')).toBe(before[2] + 1); // only the contact made above by the test itself
  });

  it('without JavaScript, a typed company name lists the registry’s matches instead of saving', async () => {
    const c = await company(t.db, 'Menuiserie Chênevert');
    const res = await as.adviser.post('/crm/visites', { company_q: 'chenev', action: 'search', date: today });
    expect(res.status).toBe(200);
    expect(res.body).toContain(`value="${c}"`);
    const picker = await as.adviser.get('/crm/entreprises/choix?company_q=me', { 'hx-request': 'true' });
    expect(picker.status).toBe(200);
  });
});

describe('ownership, managers, direction', () => {
  let visitId: number;
  let version: number;
  let companyId: number;
  beforeAll(async () => {
    companyId = await company(t.db);
    const { visit } = await recordVisit(t.db, actorOf(people.adviser), { companyId, date: today, topics: [], contactIds: [], notes: 'public', confidentialNotes: 'secret de la visite' });
    visitId = visit.id;
    version = visit.version;
  });
  const edit = (a: Agent, notes: string, v = version) => a.post(`/crm/visites/${visitId}`, { company_id: String(companyId), date: today, notes, version: String(v) });

  it('lets a colleague of the same team read but not edit, nor an adviser of another team', async () => {
    expect((await as.colleague.get(`/crm/visites/${visitId}`)).status).toBe(200);
    expect((await edit(as.colleague, 'hack')).status).toBe(403);
    expect((await edit(as.outsider, 'hack')).status).toBe(403);
    expect((await edit(as.otherManager, 'hack')).status).toBe(403);
    expect((await as.outsider.get(`/crm/visites/${visitId}/modifier`)).status).toBe(403);
    expect((await db().selectFrom('crm_visits').select('notes').where('id', '=', visitId).executeTakeFirstOrThrow()).notes).toBe('public');
  });

  it('lets the owner, the owner’s manager and direction edit; a stale edit is refused and changes nothing', async () => {
    expect((await edit(as.adviser, 'by owner')).status).toBe(302);
    version++;
    expect((await edit(as.manager, 'by manager')).status).toBe(302);
    version++;
    expect((await edit(as.direction, 'by direction')).status).toBe(302);
    version++;
    const stale = await edit(as.adviser, 'stale', version - 2);
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('modifié par quelqu’un d’autre');
    const row = await db().selectFrom('crm_visits').select(['notes', 'version', 'confidential_notes']).where('id', '=', visitId).executeTakeFirstOrThrow();
    expect(row.notes).toBe('by direction');
    expect(row.version).toBe(version);
    // Editing did not lose the confidential note (only its author sees it: the manager's and
    // direction's forms did not carry it, and the service keeps it anyway).
    expect(row.confidential_notes).toBe('secret de la visite');
  });

  it('shows confidential notes to their author only, not to managers or direction (pages, timeline, API, extranet)', async () => {
    expect((await as.adviser.get(`/crm/visites/${visitId}`)).body).toContain('secret de la visite');
    expect((await as.adviser.get(`/crm/entreprises/${companyId}/chronologie`)).body).toContain('secret de la visite');
    for (const k of ['manager', 'direction', 'colleague', 'outsider', 'otherManager']) {
      expect((await as[k].get(`/crm/visites/${visitId}`)).body).not.toContain('secret de la visite');
      expect((await as[k].get(`/crm/entreprises/${companyId}/chronologie`)).body).not.toContain('secret de la visite');
    }
    const { token } = await createApiToken(t.db, actorOf(people.colleague), people.colleague.id, { name: 'lecture', scopes: ['crm:read'] });
    const viaApi = await api(t, 'GET', `/api/v1/visits/${visitId}`, token);
    expect(viaApi.status).toBe(200);
    expect(viaApi.json().confidentialNotes).toBeUndefined();
    expect(JSON.stringify(await listMemberVisibleActivity(t.db, companyId))).not.toContain('secret');
    // The manager's edit form does not carry the field at all.
    expect((await as.manager.get(`/crm/visites/${visitId}/modifier`)).body).not.toContain('name="confidential_notes"');
  });
});

describe('deals', () => {
  it('refuses negative, absurd or unreadable amounts and an unknown company, and saves nothing', async () => {
    const c = await company(t.db);
    const before = await count(t.db, 'crm_deals');
    for (const [amount, message] of [
      ['-5', 'ne peut pas être négatif'],
      ['20000000', 'dépasse 10 millions'],
      ['douze', 'Saisissez un montant'],
    ]) {
      const res = await as.adviser.post('/crm/affaires', { company_id: String(c), title: 'Formation', amount });
      expect(res.status).toBe(422);
      expect(res.body).toContain(message);
    }
    expect((await as.adviser.post('/crm/affaires', { company_id: '98765432', title: 'X', amount: '10' })).status).toBe(422);
    expect((await as.adviser.post('/crm/affaires', { company_id: String(c), title: 'X', amount: '10', probability: '140' })).status).toBe(422);
    expect(await count(t.db, 'crm_deals')).toBe(before);
  });

  it('keeps the history of stage changes; a lost deal needs a reason; closing fixes the probability', async () => {
    const c = await company(t.db);
    const res = await as.adviser.post('/crm/affaires', { company_id: String(c), title: 'Diagnostic export', amount: '1 234,56' });
    expect(res.status).toBe(302);
    const id = Number(String(res.headers.location).split('/').pop());
    const deal = await db().selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(deal.amount_cents).toBe(123456);
    expect(deal.probability).toBe(10); // the first stage's
    expect((await as.adviser.post(`/crm/affaires/${id}/etape`, { stage_id: String(await stageId('proposal_sent')), version: '1' })).status).toBe(302);
    const noReason = await as.adviser.post(`/crm/affaires/${id}/etape`, { stage_id: String(await stageId('lost')), version: '2' });
    expect(noReason.status).toBe(422);
    expect(noReason.body).toContain('Indiquez le motif de perte');
    expect((await as.outsider.post(`/crm/affaires/${id}/etape`, { stage_id: String(await stageId('won')), version: '2' })).status).toBe(403);
    expect((await as.adviser.post(`/crm/affaires/${id}/etape`, { stage_id: String(await stageId('lost')), lost_reason: 'Prix trop élevé', version: '2' })).status).toBe(302);
    const after = await db().selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([after.probability, after.closed_on, after.lost_reason]).toEqual([0, today, 'Prix trop élevé']);
    const history = await db().selectFrom('crm_deal_stage_history').selectAll().where('deal_id', '=', id).orderBy('id').execute();
    expect(history.map((h) => [h.from_stage_id, h.to_stage_id])).toEqual([
      [null, await stageId('identified')],
      [await stageId('identified'), await stageId('proposal_sent')],
      [await stageId('proposal_sent'), await stageId('lost')],
    ]);
    expect(history[2].changed_by).toBe(people.adviser.id);
    const page = await as.adviser.get(`/crm/affaires/${id}`);
    expect(page.body).toContain('Proposition envoyée');
    const found = await as.colleague.get('/recherche?q=diagnostic%20exp');
    expect(found.body).toContain(`href="/crm/affaires/${id}"`);
    expect(page.body).toContain('Prix trop élevé');
    // A stale move (old version) is refused.
    expect((await as.adviser.post(`/crm/affaires/${id}/etape`, { stage_id: String(await stageId('qualified')), version: '1' })).status).toBe(409);
  });

  it('computes totals and the weighted forecast per month in integer cents, rounded per deal', async () => {
    const c = await company(t.db);
    const owner = await (await import('./helpers.js')).makeUser(t.db, ['adviser']);
    const a = actorOf(owner);
    const nego = await stageId('negotiation');
    const m1 = addDays(today, 40).slice(0, 7);
    // 333 c × 33 % = 109.89 → 110; 1 c × 50 % = 0.5 → 1; 1 c × 49 % → 0; 99 999 998 c × 75 % = 74 999 998.5 → 74 999 999
    const deals = [
      [333, 33],
      [1, 50],
      [1, 49],
      [99_999_998, 75],
    ];
    for (const [amount, probability] of deals) await createDeal(t.db, a, { companyId: c, title: 'x', amountCents: amount, probability, stageId: nego, expectedCloseDate: `${m1}-15` });
    await createDeal(t.db, a, { companyId: c, title: 'sans date', amountCents: 1000, probability: 30, stageId: nego });
    const fc = await forecast(t.db, { ownerIds: [owner.id], status: 'open' });
    expect(fc.months).toEqual([
      { month: '', count: 1, amountCents: 1000, weightedCents: 300 },
      { month: m1, count: 4, amountCents: 333 + 1 + 1 + 99_999_998, weightedCents: 110 + 1 + 0 + 74_999_999 },
    ]);
    expect(fc.total.weightedCents).toBe(deals.reduce((s, [x, p]) => s + weightedCents(x, p), 0) + 300);
    expect(Number.isInteger(fc.total.amountCents)).toBe(true);
    expect(parseEuros('1 234,5')).toBe(123450);
    expect(parseEuros('0,07')).toBe(7);
    expect(Number.isNaN(parseEuros('1,234,5'))).toBe(true);
  });

  it('shows the board by stage with totals and a move form per card, and the list with its forecast', async () => {
    const boardPage = await as.manager.get('/crm/affaires/tableau?portee=all');
    expect(boardPage.status).toBe(200);
    expect(boardPage.body).toContain('class="crm-move"');
    expect(boardPage.body).toContain('Négociation');
    expect(boardPage.body).toContain('/static/crm-board.js');
    const listPage = await as.manager.get('/crm/affaires?portee=all&status=open');
    expect(listPage.status).toBe(200);
    expect(listPage.body).toContain('data-total-weighted');
  });
});

describe('portfolio, tasks, home', () => {
  it('lets a manager assign in bulk (unknown ids refuse the whole batch) and an adviser take only a free company', async () => {
    const [a, b, c] = [await company(t.db), await company(t.db), await company(t.db)];
    const bad = await as.manager.post('/crm/portefeuille/attribuer', { adviser_id: String(people.adviser.id), company_ids: `${a} ${b} 99999999`, action: 'assign' });
    expect(bad.status).toBe(422);
    expect(await count(t.db, 'crm_portfolio', ['company_id', a])).toBe(0);
    const ok = await as.manager.post('/crm/portefeuille/attribuer', { adviser_id: String(people.adviser.id), company_ids: `${a}, ${b}`, action: 'assign' });
    expect(ok.status).toBe(302);
    expect(await count(t.db, 'crm_portfolio', ['adviser_id', people.adviser.id])).toBeGreaterThanOrEqual(2);
    // Not in the manager's team: refused.
    expect((await as.manager.post('/crm/portefeuille/attribuer', { adviser_id: String(people.outsider.id), company_ids: `${c}`, action: 'assign' })).status).toBe(422);
    // Advisers cannot use the bulk page; they take a free company, not a colleague's.
    expect((await as.colleague.get('/crm/portefeuille/attribuer')).status).toBe(403);
    expect((await as.colleague.post(`/crm/entreprises/${a}/portefeuille`)).status).toBe(403);
    expect((await as.colleague.post(`/crm/entreprises/${c}/portefeuille`)).status).toBe(302);
    const mine = await as.adviser.get('/crm/portefeuille');
    expect(mine.status).toBe(200);
    // From a registry search (words, or the address of a results page with its filters).
    const word = `Quincaillerie${Math.random().toString(36).slice(2, 7)}`;
    const found = [await company(t.db, `${word} Nord`), await company(t.db, `${word} Sud`)];
    const preview = await as.manager.post('/crm/portefeuille/attribuer', { adviser_id: String(people.colleague.id), q: `/registre?q=${word}`, action: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.body).toContain(`${word} Nord`);
    expect(await count(t.db, 'crm_portfolio', ['company_id', found[0]])).toBe(0);
    expect((await as.manager.post('/crm/portefeuille/attribuer', { adviser_id: String(people.colleague.id), q: word, action: 'assign' })).status).toBe(302);
    for (const id of found) expect((await db().selectFrom('crm_portfolio').select('adviser_id').where('company_id', '=', id).executeTakeFirstOrThrow()).adviser_id).toBe(people.colleague.id);
    // A search broader than the bound gives one company more, so that the assignment is refused
    // rather than made on an arbitrary part of it.
    expect((await companyIdsFromRegistrySearch(t.db, word, 1)).sort()).toEqual([...found].sort());
    expect(await companyIdsFromRegistrySearch(t.db, word, 5)).toHaveLength(2);
  });

  it('lists my tasks overdue first, completes one, and puts due tasks on /portail', async () => {
    const c = await company(t.db);
    const u = await (await import('./helpers.js')).makeUser(t.db, ['adviser']);
    const a = agent(t);
    await a.signIn(u.email);
    // Tasks cannot be created in the past through the form: write them as a visit's follow-ups then age them.
    await recordVisit(t.db, actorOf(u), { companyId: c, date: today, topics: [], contactIds: [], followUps: [{ title: 'Plus tard', due: addDays(today, 10) }, { title: 'En retard', due: today }] });
    await db().updateTable('crm_tasks').set({ due_date: addDays(today, -3) }).where('title', '=', 'En retard').where('owner_id', '=', u.id).execute();
    const page = await a.get('/crm/taches');
    expect(page.body.indexOf('En retard')).toBeLessThan(page.body.indexOf('Plus tard'));
    expect(page.body).toContain('badge-danger');
    const home = await a.get('/portail');
    expect(home.body).toContain('En retard');
    expect(home.body).not.toContain('Plus tard');
    const task = await db().selectFrom('crm_tasks').selectAll().where('title', '=', 'En retard').where('owner_id', '=', u.id).executeTakeFirstOrThrow();
    expect((await as.outsider.post(`/crm/taches/${task.id}/terminer`, { version: String(task.version) })).status).toBe(403);
    expect((await a.post(`/crm/taches/${task.id}/terminer`, { version: String(task.version) })).status).toBe(302);
    expect((await db().selectFrom('crm_tasks').select('done_at').where('id', '=', task.id).executeTakeFirstOrThrow()).done_at).not.toBeNull();
    expect((await a.get('/crm')).status).toBe(200);
  });
});

describe('timeline', () => {
  it('merges visits, deals, tasks, notes and registry changes newest first, filterable by kind, also as the company panel', async () => {
    const c = await company(t.db, 'Garage du Centre');
    const adviser = actorOf(people.adviser);
    await recordVisit(t.db, adviser, { companyId: c, date: addDays(today, -10), topics: ['digital'], contactIds: [], notes: 'Vieille visite' });
    await createDeal(t.db, adviser, { companyId: c, title: 'Diagnostic numérique', amountCents: 60000 });
    expect((await as.adviser.post(`/crm/entreprises/${c}/notes`, { body: 'Appel du gérant' })).status).toBe(302);
    expect((await as.adviser.post(`/crm/entreprises/${c}/notes`, { body: 'Note secrète', confidential: '1' })).status).toBe(302);
    expect((await as.adviser.post(`/crm/entreprises/${c}/notes`, { body: '' })).status).toBe(422);
    const all = await as.adviser.get(`/crm/entreprises/${c}/chronologie`);
    expect(all.status).toBe(200);
    const order = ['Appel du gérant', 'Diagnostic numérique', 'Vieille visite'].map((s) => all.body.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(all.body).toContain('data-kind="registry"');
    const onlyVisits = await as.adviser.get(`/crm/entreprises/${c}/chronologie?type=visit`);
    expect(onlyVisits.body).toContain('Vieille visite');
    expect(onlyVisits.body).not.toContain('Diagnostic numérique');
    const fragment = await as.adviser.get(`/crm/entreprises/${c}/chronologie?type=visit&bloc=1`, { 'hx-request': 'true' });
    expect(fragment.body.startsWith('<div id="crm-tl-')).toBe(true);
    expect(fragment.body).toContain('Vieille visite');
    expect(fragment.body).not.toContain('Diagnostic numérique');
    expect((await as.outsider.get(`/crm/entreprises/${c}/chronologie`)).body).not.toContain('Note secrète');
    // Only its author: not the author's manager (issue #19, 7a).
    expect((await as.manager.get(`/crm/entreprises/${c}/chronologie`)).body).not.toContain('Note secrète');
    expect(all.body).toContain('Note secrète');
    const html = renderToString((await companyPanel.render(t.app.ctx, { t: (k: string) => k, locale: 'fr', actor: adviser, csrf: 'x', nav: [], demo: false, cciName: 'CCI', flashes: [], path: '/', warnings: [] }, c))!);
    expect(html).toContain('Diagnostic numérique');
    expect(t.app.ctx.panelsFor('company')).toContain(companyPanel);
  });
});

describe('calendar feed', () => {
  it('serves a secret, revocable iCalendar feed of the adviser’s visits and open tasks that a real parser reads back', async () => {
    const c = await company(t.db, 'Imprimerie Gutenberg');
    const planned = addDays(today, 5);
    await recordVisit(t.db, actorOf(people.colleague), { companyId: c, date: planned, topics: [], contactIds: [], notes: 'Visite prévue', followUps: [{ title: 'Préparer le devis', due: addDays(today, 3) }] });
    const created = await as.colleague.post('/crm/calendrier');
    expect(created.status).toBe(200);
    const url = created.body.match(/value="(http[^"]+\.ics)"/)![1];
    const path = new URL(url).pathname;
    const feed = await agent(t).get(path); // no session: the secret is the credential
    expect(feed.status).toBe(200);
    expect(String(feed.headers['content-type'])).toContain('text/calendar');
    const parsed = ical.sync.parseICS(feed.body);
    const events = Object.values(parsed).filter((e) => e?.type === 'VEVENT') as ical.VEvent[];
    const visit = events.find((e) => String(e.summary).includes('Imprimerie Gutenberg') && String(e.summary).startsWith('Visite'));
    expect(visit).toBeDefined();
    expect(visit!.datetype).toBe('date');
    const start = visit!.start as Date;
    expect(`${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-${String(start.getDate()).padStart(2, '0')}`).toBe(planned);
    expect(events.some((e) => String(e.summary).includes('Préparer le devis'))).toBe(true);
    // Another adviser's visits are not in it.
    expect(events.every((e) => !String(e.summary).includes('Garage du Centre'))).toBe(true);
    expect((await as.colleague.post('/crm/calendrier/revoquer')).status).toBe(302);
    expect((await agent(t).get(path)).status).toBe(404);
    expect((await agent(t).get('/crm/calendrier/not-a-real-token-at-all-12345.ics')).status).toBe(404);
  });
});

describe('API', () => {
  it('reads with crm:read, writes only with crm:write, dedupes on clientId, and reports field errors', async () => {
    const c = await company(t.db);
    const reader = (await createApiToken(t.db, actorOf(people.adviser), people.adviser.id, { name: 'r', scopes: ['crm:read'] })).token;
    const writer = (await createApiToken(t.db, actorOf(people.adviser), people.adviser.id, { name: 'w', scopes: ['crm:write'] })).token;
    expect((await api(t, 'GET', '/api/v1/visits', reader)).status).toBe(200);
    expect((await api(t, 'GET', '/api/v1/deals?status=open', reader)).status).toBe(200);
    expect((await api(t, 'GET', '/api/v1/tasks', reader)).status).toBe(200);
    const body = { clientId: 'api-client-0001', companyId: c, date: today, topics: ['export'], notes: 'par API' };
    expect((await api(t, 'POST', '/api/v1/visits', reader, body)).status).toBe(403);
    const first = await api(t, 'POST', '/api/v1/visits', writer, body);
    expect(first.status).toBe(201);
    const again = await api(t, 'POST', '/api/v1/visits', writer, body);
    expect(again.status).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const badDeal = await api(t, 'POST', '/api/v1/deals', writer, { companyId: c, title: 'x', amountCents: -100 });
    expect(badDeal.status).toBe(422);
    expect(badDeal.json().errors.amount).toContain('négatif');
    const deal = await api(t, 'POST', '/api/v1/deals', writer, { companyId: c, title: 'Salon', amountCents: 150000, probability: 40 });
    expect(deal.status).toBe(201);
    expect(deal.json().weightedCents).toBe(60000);
    const moved = await api(t, 'POST', `/api/v1/deals/${deal.json().id}/stage`, writer, { stageId: await stageId('won'), version: deal.json().version });
    expect(moved.status).toBe(200);
    expect(moved.json().probability).toBe(100);
    const task = await api(t, 'POST', '/api/v1/tasks', writer, { title: 'Appeler', due: addDays(today, 1), companyId: c });
    expect(task.status).toBe(201);
    expect((await api(t, 'GET', '/api/v1/visits')).status).toBe(401);
    const openapi = await api(t, 'GET', '/api/openapi.json');
    expect(Object.keys(openapi.json().paths)).toEqual(expect.arrayContaining(['/api/v1/visits', '/api/v1/deals', '/api/v1/tasks']));
  });
});

describe('extranet view, reports, settings', () => {
  it('gives the extranet only what staff shared, in its member wording', async () => {
    const c = await company(t.db);
    const a = actorOf(people.adviser);
    await recordVisit(t.db, a, { companyId: c, date: today, topics: ['export'], contactIds: [], notes: 'interne', sharedWithCompany: true, memberTitle: 'Point export', confidentialNotes: 'chut' });
    await recordVisit(t.db, a, { companyId: c, date: today, topics: ['hiring'], contactIds: [], notes: 'interne aussi', sharedWithCompany: false });
    const d = await createDeal(t.db, a, { companyId: c, title: 'Formation interne', amountCents: 5000, sharedWithCompany: true, memberTitle: 'Formation de vos équipes', amountSharedWithCompany: true });
    await moveDeal(t.db, a, d.id, { stageId: await stageId('qualified'), version: d.version });
    await createDeal(t.db, a, { companyId: c, title: 'Affaire interne', amountCents: 7000 });
    const { items, total } = await listMemberVisibleActivity(t.db, c);
    expect(total).toBe(2);
    expect(items.map((x) => x.kind).sort()).toEqual(['deal', 'visit']);
    expect(items.find((x) => x.kind === 'deal')).toMatchObject({ title: 'Formation de vos équipes', status: 'open', amountCents: 5000 });
    expect(items.find((x) => x.kind === 'visit')).toMatchObject({ title: 'Point export' });
    expect(JSON.stringify(items)).not.toMatch(/interne|chut|Qualifiée|7000/);
  });

  it('counts visits per adviser and month, coverage, pipeline and won/lost, filtered by team, département and NAF section', async () => {
    const { makeUser } = await import('./helpers.js');
    const boss = await makeUser(t.db, ['manager']);
    const adv = await makeUser(t.db, ['adviser']);
    const { setManager } = await import('../src/platform/auth/users.js');
    const { SYSTEM_ACTOR } = await import('../src/platform/audit/audit.js');
    const { assignPortfolio } = await import('../src/modules/crm/portfolio.service.js');
    const { buildReports } = await import('../src/modules/crm/reports.service.js');
    await setManager(t.db, SYSTEM_ACTOR, adv.id, boss.id);
    const shop = await company(t.db, 'Épicerie Fine', { nafCode: '47.11B' });
    const soft = await company(t.db, 'Logiciels du Rhône', { nafCode: '62.01Z', communeCode: '69123', postalCode: '69001' });
    const a = actorOf(adv);
    const month = today.slice(0, 7);
    for (const c of [shop, shop, soft]) await recordVisit(t.db, a, { companyId: c, date: today, topics: [], contactIds: [] });
    await assignPortfolio(t.db, actorOf(boss), [shop, soft], adv.id);
    const won = await createDeal(t.db, a, { companyId: shop, title: 'gagnée', amountCents: 100000 });
    await moveDeal(t.db, a, won.id, { stageId: await stageId('won'), version: won.version });
    const lost = await createDeal(t.db, a, { companyId: soft, title: 'perdue', amountCents: 50000 });
    await moveDeal(t.db, a, lost.id, { stageId: await stageId('lost'), lostReason: 'Concurrent moins cher', version: lost.version });
    await createDeal(t.db, a, { companyId: soft, title: 'ouverte', amountCents: 30000, probability: 50, stageId: await stageId('negotiation') });

    const all = await buildReports(t.db, { from: month, to: month, teamOf: boss.id });
    expect(all.visitsPerAdviser).toEqual([{ adviserId: adv.id, perMonth: { [month]: 3 }, total: 3 }]);
    expect(all.coverage).toEqual([{ adviserId: adv.id, portfolio: 2, visitedInPortfolio: 2, companiesVisited: 2 }]);
    expect(all.wonLost).toEqual([{ month, won: 1, wonCents: 100000, lost: 1, lostCents: 50000 }]);
    expect(all.lostReasons).toEqual([{ reason: 'Concurrent moins cher', count: 1 }]);
    expect(all.pipelineByStage.find((x) => x.label === 'Négociation')).toMatchObject({ count: 1, amountCents: 30000, weightedCents: 15000 });
    const retail = await buildReports(t.db, { from: month, to: month, teamOf: boss.id, nafSection: 'G' });
    expect(retail.visitsPerAdviser[0].total).toBe(2);
    expect(retail.wonLost[0]).toMatchObject({ won: 1, lost: 0 });
    const rhone = await buildReports(t.db, { from: month, to: month, teamOf: boss.id, department: '69' });
    expect(rhone.visitsPerAdviser[0].total).toBe(1);
    expect(rhone.coverage[0]).toMatchObject({ portfolio: 1, visitedInPortfolio: 1 });
  });

  it('shows the management reports with charts and exports them; advisers cannot', async () => {
    const page = await as.manager.get(`/crm/rapports?team=${people.manager.id}&naf=&department=42`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<svg');
    expect(page.body).not.toContain('<script>');
    const csv = await as.manager.get(`/crm/rapports/export?report=visits&format=csv&team=${people.manager.id}`);
    expect(csv.status).toBe(200);
    expect(csv.body).toContain(people.adviser.name);
    const xlsx = await as.direction.get('/crm/rapports/export?report=stages&format=xlsx');
    expect(xlsx.status).toBe(200);
    expect(String(xlsx.headers['content-type'])).toContain('spreadsheetml');
    expect((await as.adviser.get('/crm/rapports')).status).toBe(403);
  });

  it('has every text of every CRM page in French and in English (no raw message key)', async () => {
    const c = await company(t.db);
    const { visit } = await recordVisit(t.db, actorOf(people.adviser), { companyId: c, date: today, topics: ['export'], contactIds: [] });
    const deal = await createDeal(t.db, actorOf(people.adviser), { companyId: c, title: 'Traduction', amountCents: 100 });
    const pages = ['/crm', '/crm/visites', '/crm/visites/nouvelle', `/crm/visites/${visit.id}`, `/crm/visites/${visit.id}/modifier`, '/crm/taches', '/crm/affaires', '/crm/affaires/tableau', '/crm/affaires/nouvelle', `/crm/affaires/${deal.id}`, `/crm/affaires/${deal.id}/modifier`, '/crm/portefeuille', '/crm/portefeuille/attribuer', '/crm/calendrier', `/crm/entreprises/${c}/chronologie`, '/crm/rapports', '/crm/parametres'];
    for (const lang of ['fr', 'en']) {
      const a = as.direction;
      a.cookies.set('lang', lang);
      for (const p of pages) {
        const res = await a.get(p);
        expect(res.status, p).toBe(200);
        expect(res.body.match(/\b(crm|nav)\.[a-z_]+(\.[a-z_]+)*\b/g)?.filter((k) => !k.startsWith('crm.js')) ?? [], `${lang} ${p}`).toEqual([]);
      }
      a.cookies.delete('lang');
    }
  });

  it('lets direction configure topics, services and stages, with field errors', async () => {
    expect((await as.direction.post('/crm/parametres/sujets', { code: 'energie', label: 'Énergie', position: '9', active: '1' })).status).toBe(302);
    expect((await as.direction.post('/crm/parametres/sujets', { code: 'Bad Code', label: 'x', active: '1' })).status).toBe(422);
    expect((await as.direction.post('/crm/parametres/prestations', { name: 'Audit', family: 'Conseil', unit_price: '-1', active: '1' })).status).toBe(422);
    expect((await as.adviser.post('/crm/parametres/sujets', { code: 'autre', label: 'x', active: '1' })).status).toBe(403);
    expect((await as.adviser.get('/crm/visites/nouvelle')).body).toContain('Énergie');
    expect((await as.direction.get('/crm/parametres')).status).toBe(200);
  });
});
