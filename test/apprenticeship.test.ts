// The apprenticeship-tax campaign on both databases: the public calculator (contract, 422 per
// field, rate limit), staff settings (campaign, schools, goals, templates) with their refusals,
// a member's declaration, CSV import, pledges and confirmation with company isolation, the PDF,
// the board, the export, a school director's per-school access, and every role's 403s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/platform/auth/password.js';
import { agent, api, count, createTestApp, makeUser, PASSWORD, type Agent, type TestApp } from './helpers.js';

let t: TestApp;
let manager: Agent; // training role: apprenticeship:manage + follow
let follower: Agent; // adviser: follow only
let plain: Agent; // staff: neither
let director: Agent; // staff with a grant on school A
let member: Agent; // member of companies A and B (current: A)
let outsider: Agent; // member of company C only
const ids = { companyA: 0, companyB: 0, companyC: 0, schoolA: 0, schoolB: 0, campaign: 0 };
const NEXT = new Date().getUTCFullYear() + 1;

async function company(name: string, commune: string): Promise<number> {
  const now = new Date().toISOString();
  const c = await t.db.insertInto('companies').values({ name, siren: null, status: 'active', diffusion: 'public', source: 'manual', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await t.db
    .insertInto('establishments')
    .values({ company_id: c.id, siret: null, is_head_office: 1, status: 'active', diffusion: 'public', sort_name: name.toLowerCase(), search_text: name.toLowerCase(), commune_code: commune, postal_code: commune, department: commune.slice(0, 2), naf_code: '47.11F', created_at: now, updated_at: now })
    .execute();
  return c.id;
}

async function memberAgent(email: string, companyIds: number[]): Promise<Agent> {
  const now = new Date().toISOString();
  const acc = await t.db
    .insertInto('member_accounts')
    .values({ email, name: email, password_hash: await hashPassword(PASSWORD), status: 'active', locale: 'fr', totp_enabled: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [i, c] of companyIds.entries()) {
    await t.db.insertInto('member_memberships').values({ account_id: acc.id, company_id: c, role: i === 0 ? 'administrator' : 'member', status: 'active', origin: 'staff_invitation', created_at: now, updated_at: now }).execute();
  }
  const a = agent(t);
  await a.get('/extranet/connexion');
  const res = await a.post('/extranet/connexion', { email, password: PASSWORD });
  expect(res.status).toBe(302);
  return a;
}

beforeAll(async () => {
  t = await createTestApp();
  const users = {
    manager: await makeUser(t.db, ['training']),
    follower: await makeUser(t.db, ['adviser']),
    plain: await makeUser(t.db, ['staff']),
    director: await makeUser(t.db, ['staff']),
  };
  [manager, follower, plain, director] = [agent(t), agent(t), agent(t), agent(t)];
  await manager.signIn(users.manager.email);
  await follower.signIn(users.follower.email);
  await plain.signIn(users.plain.email);
  await director.signIn(users.director.email);
  ids.companyA = await company('Boulangerie Alpha', '69123');
  ids.companyB = await company('Brasserie Bêta', '67482'); // Strasbourg: Alsace-Moselle
  ids.companyC = await company('Chaudronnerie Gamma', '69001');
  member = await memberAgent('membre-a@test.fr', [ids.companyA, ids.companyB]);
  outsider = await memberAgent('membre-c@test.fr', [ids.companyC]);

  // Settings through the pages, as staff would.
  for (const [name, siret, uai] of [
    ['École de commerce', '13000253200013', '0691234A'],
    ['CFA des métiers', '13000253200021', '0695678B'],
  ]) {
    const res = await manager.post('/taxe-apprentissage/ecoles', { name, siret, uai, trainings: 'BTS', contactName: '', contactEmail: '', contactPhone: '' });
    expect(res.status).toBe(302);
  }
  const schools = await t.db.selectFrom('apprenticeship_schools').select(['id', 'name']).orderBy('id').execute();
  [ids.schoolA, ids.schoolB] = schools.map((s) => s.id);
  const res = await manager.post('/taxe-apprentissage/campagnes', { year: String(NEXT), title: `Campagne ${NEXT}`, segment: '', opens1: `${NEXT}-05-26`, closes1: `${NEXT}-06-27`, opens2: `${NEXT}-07-14`, closes2: `${NEXT}-10-24` });
  expect(res.status).toBe(302);
  ids.campaign = (await t.db.selectFrom('apprenticeship_campaigns').select('id').where('year', '=', NEXT).executeTakeFirstOrThrow()).id;
  await manager.post(`/taxe-apprentissage/ecoles/${ids.schoolA}/acces`, { email: users.director.email });
}, 60_000);
afterAll(async () => t?.close());

describe('public calculator', () => {
  it('answers the contract exactly, without a token', async () => {
    const res = await api(t, 'POST', '/api/v1/apprenticeship-tax/quote', undefined, { year: 2026, payroll: 1000000, employees: 300, workStudyEmployees: 2, alsaceMoselle: false });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ main: 5900, solde: 900, csa: 4000, total: 10800 });
    const old = await api(t, 'POST', '/api/v1/apprenticeship-tax/quote', undefined, { year: 2017, payroll: 1000000, employees: 10, workStudyEmployees: 0 });
    expect(old.json()).toEqual({ main: 5236, solde: 1564, csa: 0, total: 6800, parts: { regional: 3468, quota: 1768, horsQuota: 1564 } });
  });

  it('answers 422 naming the field, in French and English', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ year: 2026, payroll: -5, employees: 300, workStudyEmployees: 2 }, 'payroll'],
      [{ year: 2026, payroll: 1000, employees: 3, workStudyEmployees: 4 }, 'workStudyEmployees'],
      [{ year: 2020, payroll: 1000, employees: 3, workStudyEmployees: 0 }, 'year'],
      [{ year: 'x', payroll: 'abc', employees: 3, workStudyEmployees: 0 }, 'payroll'],
    ];
    for (const [body, field] of cases) {
      const res = await api(t, 'POST', '/api/v1/apprenticeship-tax/quote', undefined, body);
      expect(res.status).toBe(422);
      expect(Object.keys(res.json().errors)).toContain(field);
    }
    const en = await t.app.fastify.inject({ method: 'POST', url: '/api/v1/apprenticeship-tax/quote', headers: { 'content-type': 'application/json', 'accept-language': 'en', cookie: 'lang=en' }, payload: JSON.stringify({ year: 2026, payroll: 1, employees: 1, workStudyEmployees: 2 }) });
    expect(en.statusCode).toBe(422);
    expect(JSON.parse(en.body).errors.workStudyEmployees).toBe('There cannot be more work-study staff than employees.');
    const empty = await api(t, 'POST', '/api/v1/apprenticeship-tax/quote', undefined, {});
    expect(empty.status).toBe(422);
    expect(Object.keys(empty.json().errors).sort()).toEqual(['employees', 'payroll', 'workStudyEmployees', 'year']);
  });
});

describe('staff settings', () => {
  it('refuses bad input field by field and changes nothing', async () => {
    const before = await count(t.db, 'apprenticeship_schools');
    const bad = await manager.post('/taxe-apprentissage/ecoles', { name: '', siret: '123', uai: 'X', trainings: '', contactName: '', contactEmail: 'pas-une-adresse', contactPhone: '' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Saisissez un SIRET valide');
    expect(bad.body).toContain('Saisissez un UAI valide');
    expect(await count(t.db, 'apprenticeship_schools')).toBe(before);
    const dup = await manager.post('/taxe-apprentissage/campagnes', { year: String(NEXT), title: 'Encore', segment: '', opens1: `${NEXT}-05-01`, closes1: `${NEXT}-04-01`, opens2: '', closes2: '' });
    expect(dup.status).toBe(422);
    expect(dup.body).toContain('La fermeture doit suivre l’ouverture.');
    const tpl = await manager.post('/taxe-apprentissage/modeles/before_open', { version: '1', subject: 'Bonjour {{inconnu}}', body: 'x', daysBefore: '7' });
    expect(tpl.status).toBe(422);
    expect(tpl.body).toContain('Champ inconnu');
  });

  it('sets goals per school (audited)', async () => {
    const res = await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}/objectifs`, { school: [String(ids.schoolA), String(ids.schoolB)], [`goal_${ids.schoolA}`]: '50000', [`goal_${ids.schoolB}`]: '20000' });
    expect(res.status).toBe(302);
    const goals = await t.db.selectFrom('apprenticeship_campaign_schools').select(['school_id', 'goal_cents']).where('campaign_id', '=', ids.campaign).orderBy('school_id').execute();
    expect(goals.map((g) => Number(g.goal_cents))).toEqual([5_000_000, 2_000_000]);
    expect(await count(t.db, 'audit_log', ['entity', 'apprenticeship_campaign'])).toBeGreaterThanOrEqual(2);
  });

  it('refuses settings to followers, and everything to plain staff', async () => {
    expect((await follower.get('/taxe-apprentissage/campagnes')).status).toBe(403);
    expect((await follower.post('/taxe-apprentissage/ecoles', { name: 'X', siret: '13000253200005', uai: '0691111C' })).status).toBe(403);
    expect((await plain.get('/taxe-apprentissage')).status).toBe(403);
    expect((await plain.get('/taxe-apprentissage/export?format=csv')).status).toBe(403);
    expect((await member.get('/taxe-apprentissage')).status).toBe(302); // a member session is no staff session: to sign-in
  });
});

describe('member', () => {
  it('enters payroll, sees the tax, pledges 60 % and downloads the summary', async () => {
    const page = await member.get('/extranet/taxe-apprentissage');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Boulangerie Alpha');
    const bad = await member.post('/extranet/taxe-apprentissage/declaration', { payroll: '-1', employees: '10', workStudyEmployees: '20' });
    expect(bad.status).toBe(422);
    expect(await count(t.db, 'apprenticeship_declarations')).toBe(0);
    const ok = await member.post('/extranet/taxe-apprentissage/declaration', { payroll: '1 000 000', employees: '300', workStudyEmployees: '2' });
    expect(ok.status).toBe(302);
    const d = await t.db.selectFrom('apprenticeship_declarations').selectAll().where('company_id', '=', ids.companyA).executeTakeFirstOrThrow();
    expect([Number(d.main_cents), Number(d.solde_cents), Number(d.csa_cents)]).toEqual([590_000, 90_000, 400_000]);
    const over = await member.post('/extranet/taxe-apprentissage/promesses', { [`share_${ids.schoolA}`]: '70', [`share_${ids.schoolB}`]: '40' });
    expect(over.status).toBe(422);
    expect(over.body).toContain('dépasse 100 %');
    const pledge = await member.post('/extranet/taxe-apprentissage/promesses', { [`share_${ids.schoolA}`]: '60', [`share_${ids.schoolB}`]: '' });
    expect(pledge.status).toBe(302);
    const p = await t.db.selectFrom('apprenticeship_pledges').selectAll().where('company_id', '=', ids.companyA).execute();
    expect(p.map((x) => [x.school_id, x.pledged_bp, Number(x.pledged_cents)])).toEqual([[ids.schoolA, 6000, 54_000]]);
    const pdf = await member.get('/extranet/taxe-apprentissage/recapitulatif.pdf');
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.body.startsWith('%PDF')).toBe(true);
    expect(await count(t.db, 'audit_log', ['entity', 'apprenticeship_pledge'])).toBe(1);
  });

  it('reads in English with the language switch', async () => {
    member.cookies.set('lang', 'en');
    const page = await member.get('/extranet/taxe-apprentissage');
    member.cookies.delete('lang');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Your tax');
    expect(page.body).toContain('Compute my tax');
    expect(page.body).not.toContain('Calculer ma taxe');
  });

  it('cannot confirm before SOLTéA opens', async () => {
    const res = await member.post('/extranet/taxe-apprentissage/confirmation', { [`confirm_${ids.schoolA}`]: '60' });
    expect(res.status).toBe(422);
    expect(res.body).toContain('dès l’ouverture de SOLTéA');
  });

  it('imports a CSV of DSN totals; a bad file is refused naming the file', async () => {
    const boundary = '----appr';
    const body = (csv: string) => `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dsn.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const send = (csv: string) =>
      t.app.fastify.inject({ method: 'POST', url: `/extranet/taxe-apprentissage/import?_csrf=${encodeURIComponent(member.csrf)}`, headers: { cookie: [...member.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body(csv) });
    const bad = await send('colonne;autre\n1;2\n');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('masse_salariale');
    const good = await send('mois;masse_salariale;effectif;alternants\n01;500000;300;2\n02;500000;300;2\n');
    expect(good.statusCode).toBe(302);
    const d = await t.db.selectFrom('apprenticeship_declarations').selectAll().where('company_id', '=', ids.companyA).executeTakeFirstOrThrow();
    expect([Number(d.payroll_cents), d.source]).toEqual([100_000_000, 'csv']);
  });

  it('Alsace-Moselle company: 0.44 %, no solde, nothing to pledge', async () => {
    expect((await member.post('/extranet/entreprise-courante', { company_id: String(ids.companyB) })).status).toBe(302);
    await member.post('/extranet/taxe-apprentissage/declaration', { payroll: '1000000', employees: '300', workStudyEmployees: '2' });
    const d = await t.db.selectFrom('apprenticeship_declarations').selectAll().where('company_id', '=', ids.companyB).executeTakeFirstOrThrow();
    expect([d.alsace_moselle, Number(d.main_cents), Number(d.solde_cents), Number(d.csa_cents)]).toEqual([1, 440_000, 0, 208_000]);
    const res = await member.post('/extranet/taxe-apprentissage/promesses', { [`share_${ids.schoolA}`]: '10' });
    expect(res.status).toBe(422);
    await member.post('/extranet/entreprise-courante', { company_id: String(ids.companyA) });
  });

  it('another company’s member sees nothing of company A and cannot post for it', async () => {
    const page = await outsider.get('/extranet/taxe-apprentissage');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('Boulangerie Alpha');
    expect(page.body).toContain('Chaudronnerie Gamma');
    // a company_id in the form is ignored: the write goes to the outsider's own company
    await outsider.post('/extranet/taxe-apprentissage/declaration', { payroll: '1000', employees: '1', workStudyEmployees: '0', company_id: String(ids.companyA) });
    const a = await t.db.selectFrom('apprenticeship_declarations').select('payroll_cents').where('company_id', '=', ids.companyA).executeTakeFirstOrThrow();
    expect(Number(a.payroll_cents)).toBe(100_000_000);
    expect((await outsider.post('/taxe-apprentissage/cibles/1/contact', { note: '' })).status).toBe(401);
    // the extranet's follow-up lists each company's own declaration only
    const mine = (await member.get('/extranet/suivi')).body.replace(/\s/g, ' ');
    expect(mine).toContain(`Campagne ${NEXT} : solde 900 €, 60 % promis aux écoles de la CCI`);
    const theirs = (await outsider.get('/extranet/suivi')).body.replace(/\s/g, ' ');
    expect(theirs).toContain(`Campagne ${NEXT} : solde 1 €`);
    expect(theirs).not.toContain('solde 900 €');
    expect((await api(t, 'GET', '/extranet/taxe-apprentissage')).status).toBe(302);
  });
});

describe('staff follow-up', () => {
  it('the board shows pledges by school; the export carries the company', async () => {
    const board = await follower.get(`/taxe-apprentissage?annee=${NEXT}`);
    expect(board.status).toBe(200);
    expect(board.body).toContain('École de commerce');
    expect(board.body).toMatch(/540\s€/);
    const csv = await follower.get(`/taxe-apprentissage/export?annee=${NEXT}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('Boulangerie Alpha');
    expect((await follower.get(`/taxe-apprentissage/export?annee=${NEXT}&format=pdf`)).status).toBe(422);
    expect((await follower.get('/taxe-apprentissage?annee=1999')).status).toBe(404);
  });

  it('a director sees their own school only; a school not granted is 404', async () => {
    const own = await director.get(`/taxe-apprentissage/ecoles/${ids.schoolA}/resultats?annee=${NEXT}`);
    expect(own.status).toBe(200);
    expect(own.body).toContain('Boulangerie Alpha');
    expect((await director.get(`/taxe-apprentissage/ecoles/${ids.schoolB}/resultats?annee=${NEXT}`)).status).toBe(404);
    expect((await plain.get(`/taxe-apprentissage/ecoles/${ids.schoolA}/resultats?annee=${NEXT}`)).status).toBe(404);
    expect((await director.get('/taxe-apprentissage')).status).toBe(403);
    const home = await director.get('/portail');
    expect(home.body).toContain(`/taxe-apprentissage/ecoles/${ids.schoolA}/resultats`);
    expect((await follower.get(`/taxe-apprentissage/ecoles/${ids.schoolB}/resultats?annee=${NEXT}`)).status).toBe(200);
  });

  it('records a contact and the adviser on a target', async () => {
    const now = new Date().toISOString().slice(0, 10);
    const tid = (await t.db.insertInto('apprenticeship_targets').values({ campaign_id: ids.campaign, company_id: ids.companyC, name: 'Chaudronnerie Gamma', department: '69', naf_section: '47' }).returning('id').executeTakeFirstOrThrow()).id;
    expect((await follower.post(`/taxe-apprentissage/cibles/${tid}/contact`, { note: 'Appel au DRH' })).status).toBe(302);
    const row = await t.db.selectFrom('apprenticeship_targets').selectAll().where('id', '=', tid).executeTakeFirstOrThrow();
    expect(String(row.contacted_at).slice(0, 10)).toBe(now);
    expect(row.contact_note).toBe('Appel au DRH');
    expect(row.adviser_id).not.toBeNull();
    expect((await follower.post('/taxe-apprentissage/cibles/99999/contact', { note: '' })).status).toBe(404);
    expect((await plain.post(`/taxe-apprentissage/cibles/${tid}/contact`, { note: '' })).status).toBe(403);
    expect(await count(t.db, 'audit_log', ['entity', 'apprenticeship_target'])).toBe(1);
  });
});

describe('rate limit of the public calculator', () => {
  it('answers 429 past 120 calls a minute from one address, and computes nothing more', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 125; i++) statuses.push((await api(t, 'POST', '/api/v1/apprenticeship-tax/quote', undefined, { year: 2026, payroll: 1, employees: 1, workStudyEmployees: 0 })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const limited = await api(t, 'POST', '/api/v1/apprenticeship-tax/quote', undefined, { year: 2026, payroll: 1, employees: 1, workStudyEmployees: 0 });
    expect(limited.status).toBe(429);
    expect(limited.json().code).toBe('common.rate_limited');
  });
});

describe('windows, settings round trips, targets from a segment', () => {
  it('confirmation once SOLTéA opened; pledges frozen once the last window closed (services, dated)', async () => {
    const { confirmAllocation, savePledges } = await import('../src/modules/apprenticeship/member.service.js');
    const { getCampaign } = await import('../src/modules/apprenticeship/campaign.service.js');
    const campaign = await getCampaign(t.db, ids.campaign);
    const actor = { id: null, label: 'membre:test', kind: 'member' as const, roles: ['administrator'], permissions: new Set(['member:use']), memberOf: { companyIds: [ids.companyA], current: ids.companyA } };
    await t.db.transaction().execute((trx) => confirmAllocation(trx, actor, ids.companyA, campaign, { [ids.schoolA]: '50', [ids.schoolB]: '10' }, `${NEXT}-06-01`));
    const rows = await t.db.selectFrom('apprenticeship_pledges').selectAll().where('company_id', '=', ids.companyA).orderBy('school_id').execute();
    expect(rows.map((r) => [r.school_id, r.pledged_bp, r.confirmed_bp, Number(r.confirmed_cents)])).toEqual([
      [ids.schoolA, 6000, 5000, 45_000],
      [ids.schoolB, 0, 1000, 9_000],
    ]);
    const d = await t.db.selectFrom('apprenticeship_declarations').select('confirmed_at').where('company_id', '=', ids.companyA).executeTakeFirstOrThrow();
    expect(d.confirmed_at).not.toBeNull();
    await expect(t.db.transaction().execute((trx) => savePledges(trx, actor, ids.companyA, campaign, { [ids.schoolA]: '10' }, `${NEXT}-10-25`))).rejects.toMatchObject({ fields: { _form: 'apprenticeship.window_closed' } });
    expect((await t.db.selectFrom('apprenticeship_pledges').select('pledged_bp').where('company_id', '=', ids.companyA).where('school_id', '=', ids.schoolA).executeTakeFirstOrThrow()).pledged_bp).toBe(6000);
  });

  it('edits a template, a school and a campaign (stale version → 409); grants and revokes a director', async () => {
    const tpl = await t.db.selectFrom('apprenticeship_templates').selectAll().where('code', '=', 'before_close').executeTakeFirstOrThrow();
    expect((await manager.post('/taxe-apprentissage/modeles/before_close', { version: String(tpl.version), subject: 'Dernier rappel {{annee}}', body: 'Bonjour {{entreprise}}, {{lien}}', daysBefore: '3' })).status).toBe(302);
    expect((await manager.post('/taxe-apprentissage/modeles/before_close', { version: String(tpl.version), subject: 'Encore', body: 'x', daysBefore: '3' })).status).toBe(409);
    expect((await manager.post('/taxe-apprentissage/modeles/inconnu', { version: '1', subject: 'x', body: 'x', daysBefore: '3' })).status).toBe(404);
    const school = await t.db.selectFrom('apprenticeship_schools').selectAll().where('id', '=', ids.schoolB).executeTakeFirstOrThrow();
    const upd = await manager.post(`/taxe-apprentissage/ecoles/${ids.schoolB}`, { version: String(school.version), name: 'CFA des métiers (Lyon)', siret: school.siret, uai: school.uai, trainings: 'CAP, BP', contactName: 'Paul', contactEmail: 'paul@cfa.fr', contactPhone: '', active: '1' });
    expect(upd.status).toBe(302);
    const taken = await manager.post(`/taxe-apprentissage/ecoles/${ids.schoolB}`, { version: String(school.version + 1), name: 'X', siret: '13000253200013', uai: school.uai, trainings: '', contactName: '', contactEmail: '', contactPhone: '', active: '1' });
    expect(taken.status).toBe(422);
    expect(taken.body).toContain('Un établissement a déjà ce SIRET.');
    const c = await t.db.selectFrom('apprenticeship_campaigns').selectAll().where('id', '=', ids.campaign).executeTakeFirstOrThrow();
    const form = { title: `Campagne ${NEXT} (SOLTéA)`, segment: '', opens1: `${NEXT}-05-26`, closes1: `${NEXT}-06-27`, opens2: `${NEXT}-07-14`, closes2: `${NEXT}-10-24` };
    expect((await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}`, { ...form, version: String(c.version) })).status).toBe(302);
    expect((await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}`, { ...form, version: String(c.version) })).status).toBe(409);
    const overlap = await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}`, { ...form, opens2: `${NEXT}-06-01`, version: String(c.version + 1) });
    expect(overlap.status).toBe(422);
    const unknown = await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}`, { ...form, segment: '999999', version: String(c.version + 1) });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toContain('Ce segment n’existe pas');
    // a school that received pledges cannot leave the campaign
    const leave = await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}/objectifs`, { school: [String(ids.schoolB)], [`goal_${ids.schoolB}`]: '1000' });
    expect(leave.status).toBe(422);
    expect(await count(t.db, 'apprenticeship_campaign_schools', ['campaign_id', ids.campaign])).toBe(2);
    const grant = await t.db.selectFrom('apprenticeship_school_grants').select('user_id').where('school_id', '=', ids.schoolA).executeTakeFirstOrThrow();
    expect((await manager.post(`/taxe-apprentissage/ecoles/${ids.schoolA}/acces`, { email: 'personne@nulle.part' })).status).toBe(422);
    expect((await manager.post(`/taxe-apprentissage/ecoles/${ids.schoolA}/acces/${grant.user_id}/retirer`)).status).toBe(302);
    expect((await director.get(`/taxe-apprentissage/ecoles/${ids.schoolA}/resultats?annee=${NEXT}`)).status).toBe(404);
    expect((await manager.post(`/taxe-apprentissage/ecoles/${ids.schoolA}/acces/${grant.user_id}/retirer`)).status).toBe(404);
    const audited = await t.db.selectFrom('audit_log').select('action').where('entity', 'in', ['apprenticeship_template', 'apprenticeship_school', 'apprenticeship_campaign']).execute();
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining(['update', 'grant', 'revoke', 'goals', 'create']));
  });

  it('resolves the registry segment into targets, keeps contacted ones, exports XLSX', async () => {
    const { saveSegment } = await import('../src/modules/registry/admin.service.js');
    const { permissionsOf } = await import('../src/platform/access/permissions.js');
    const seg = await saveSegment(t.db, { id: null, label: 'test', kind: 'staff', roles: ['admin'], permissions: permissionsOf(['admin']) }, 'Rhône', 'department=69');
    // A company whose secondary establishment (another trade) was recorded before its head
    // office: the head office gives the target's sector.
    const now = new Date().toISOString();
    const delta = (await t.db.insertInto('companies').values({ name: 'Delta Industrie', siren: null, status: 'active', diffusion: 'public', source: 'manual', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
    for (const [head, naf] of [[0, '10.71C'], [1, '25.62B']] as const) {
      await t.db.insertInto('establishments').values({ company_id: delta, siret: null, is_head_office: head, status: 'active', diffusion: 'public', sort_name: 'delta industrie', search_text: 'delta industrie', commune_code: '69266', postal_code: '69100', department: '69', naf_code: naf, created_at: now, updated_at: now }).execute();
    }
    const c = await t.db.selectFrom('apprenticeship_campaigns').selectAll().where('id', '=', ids.campaign).executeTakeFirstOrThrow();
    const form = { title: c.title, segment: String(seg), opens1: `${NEXT}-05-26`, closes1: `${NEXT}-06-27`, opens2: `${NEXT}-07-14`, closes2: `${NEXT}-10-24`, version: String(c.version) };
    expect((await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}`, form)).status).toBe(302);
    expect((await manager.post(`/taxe-apprentissage/campagnes/${ids.campaign}/cibles`)).status).toBe(302);
    const targets = await t.db.selectFrom('apprenticeship_targets').select(['company_id', 'department', 'naf_section', 'contacted_at']).where('campaign_id', '=', ids.campaign).orderBy('company_id').execute();
    // Alpha (69123), Gamma (69001, contacted earlier) and Delta are in the Rhône; Bêta (67) is not
    expect(targets.map((x) => x.company_id)).toEqual([ids.companyA, ids.companyC, delta]);
    expect(targets.find((x) => x.company_id === delta)?.naf_section).toBe('25');
    expect(targets.find((x) => x.company_id === ids.companyC)?.contacted_at).not.toBeNull();
    const page = await follower.get(`/taxe-apprentissage/cibles?annee=${NEXT}&contacte=no`);
    expect(page.body).toContain('Boulangerie Alpha');
    expect(page.body).not.toContain('Chaudronnerie Gamma');
    const xlsx = await follower.get(`/taxe-apprentissage/export?annee=${NEXT}&format=xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });
});
