// Leave on both databases: the holidays API, HR's settings, quotes, every refusal of a bad
// request (nothing written), the approval route (manager then HR), cancellation restoring the
// balance, sickness recorded by HR, the team calendar, iCalendar and the payroll export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../src/platform/access/permissions.js';
import type { Actor } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { approvalsModule, approve, getRequest, refuse, sendBack } from '../src/modules/approvals/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { holidays, leaveModule } from '../src/modules/leave/index.js';
import { addDays, todayInParis } from '../src/modules/leave/dates.js';
import { agent, api, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';

let t: TestApp;
let hr: Agent;
let staff: Agent;
let colleague: Agent;
let staffId: number;
let managerActor: Actor;
let hrActor: Actor;

// Second Monday of October next year: no public holiday in October, always 10–22 months ahead.
const Y = Number(todayInParis().slice(0, 4)) + 1;
const oct1 = new Date(Date.UTC(Y, 9, 1)).getUTCDay();
const W1 = addDays(`${Y}-10-01`, ((8 - oct1) % 7) + 7);
const day = (n: number) => addDays(W1, n);

const actorOf = (id: number, roles: string[]): Actor => ({ id, label: `u${id}`, kind: 'staff', roles, permissions: permissionsOf(roles) });

beforeAll(async () => {
  t = await createTestApp({ modules: [approvalsModule, directoryModule, leaveModule] });
  const hrUser = await makeUser(t.db, ['hr']);
  const manager = await makeUser(t.db, ['manager']);
  const me = await makeUser(t.db, ['staff'], { name: 'Alice Martin' });
  const other = await makeUser(t.db, ['staff'], { name: 'Bruno Colin' });
  staffId = me.id;
  await t.db.updateTable('users').set({ manager_id: manager.id }).where('id', 'in', [me.id, other.id]).execute();
  managerActor = actorOf(manager.id, ['manager']);
  hrActor = actorOf(hrUser.id, ['hr']);
  hr = agent(t);
  await hr.signIn(hrUser.email);
  staff = agent(t);
  await staff.signIn(me.email);
  colleague = agent(t);
  await colleague.signIn(other.email);
});
afterAll(async () => t?.close());

describe('holidays API', () => {
  it('answers the year in date order, public, on both calendars', async () => {
    const res = await api(t, 'GET', '/api/v1/holidays?year=2026');
    expect(res.status).toBe(200);
    const list = res.json<{ date: string; name: string }[]>();
    expect(list).toHaveLength(11);
    expect(list[0]).toEqual({ date: '2026-01-01', name: 'Jour de l’an' });
    expect(list.map((h) => h.date)).toEqual([...list.map((h) => h.date)].sort());
    const am = (await api(t, 'GET', '/api/v1/holidays?year=2026&calendar=alsace-moselle')).json<{ date: string; name: string }[]>();
    expect(am).toHaveLength(13);
    expect(am).toContainEqual({ date: '2026-04-03', name: 'Vendredi saint' });
    expect(am).toContainEqual({ date: '2026-12-26', name: 'Saint-Étienne' });
  });

  it('a bad year or calendar is a 400 naming each parameter', async () => {
    for (const url of ['/api/v1/holidays', '/api/v1/holidays?year=abc', '/api/v1/holidays?year=1200', '/api/v1/holidays?year=20266', '/api/v1/holidays?year=2026.5']) {
      const res = await api(t, 'GET', url);
      expect(res.status, url).toBe(400);
      expect(res.json().errors.year).toContain('1583');
    }
    const bad = await api(t, 'GET', '/api/v1/holidays?year=2026&calendar=moselle');
    expect(bad.status).toBe(400);
    expect(bad.json().errors.calendar).toContain('alsace-moselle');
  });

  it('is documented in the OpenAPI document, with the quote', async () => {
    const doc = (await api(t, 'GET', '/api/openapi.json')).json();
    expect(doc.paths['/api/v1/holidays'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/leave/quote'].get).toBeTruthy();
  });
});

describe('HR settings', () => {
  it('bad settings show the form again (422) and change nothing; good ones are audited', async () => {
    const before = await count(t.db, 'leave_groups');
    const bad = await hr.post('/conges/rh/groupes', { name: 'Siège', unit: 'hours', calendar: 'mars' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Unité');
    expect(await count(t.db, 'leave_groups')).toBe(before);
    expect((await hr.post('/conges/rh/groupes', { name: 'Siège', unit: 'ouvrables', calendar: 'general' })).status).toBe(302);
    const group = await t.db.selectFrom('leave_groups').select('id').where('name', '=', 'Siège').executeTakeFirstOrThrow();
    expect((await hr.post('/conges/rh/regles', { group_id: String(group.id), kind: 'CP', valid_from: '2020-13', per_month: 'deux', carry_over_max: '' })).status).toBe(422);
    expect((await hr.post('/conges/rh/regles', { group_id: String(group.id), kind: 'CP', valid_from: '2020-01', per_month: '2,5', carry_over_max: '' })).status).toBe(302);
    // accrual starts with the reference period of the leave below: June to October = 12.5 days
    expect((await hr.post('/conges/rh/personnes', { user_id: String(staffId), group_id: String(group.id), starts_on: `${Y}-06-01`, non_working_days: ['9'] })).status).toBe(422);
    expect((await hr.post('/conges/rh/personnes', { user_id: String(staffId), group_id: String(group.id), starts_on: `${Y}-06-01` })).status).toBe(302);
    expect(await count(t.db, 'audit_log', ['entity', 'leave_group'])).toBe(1);
    expect(await count(t.db, 'audit_log', ['entity', 'leave_accrual'])).toBe(1);
    expect(await count(t.db, 'audit_log', ['entity', 'leave_member'])).toBe(1);
  });

  it('staff cannot reach HR pages', async () => {
    expect((await staff.get('/conges/rh')).status).toBe(403);
    expect((await staff.post('/conges/rh/ajustements', { user_id: String(staffId), kind: 'CP', date: W1, days: '50', reason: 'moi' })).status).toBe(403);
    expect(await count(t.db, 'leave_adjustments')).toBe(0);
  });
});

describe('requests', () => {
  const form = (kind: string, start: string, end: string, more: Record<string, string> = {}) => ({ kind, start, end, startHalf: '', endHalf: '', step: 'send', ...more });

  it('the quote counts the days and shows the balance before sending, on the page and in the API', async () => {
    const page = await staff.post('/conges', form('CP', day(0), day(12), { step: 'quote' }));
    expect(page.status).toBe(200);
    expect(page.body).toContain('12 jour(s) ouvrables'); // Monday → Saturday of the next week, Sundays out
    expect(page.body).toContain('12,5');
    expect(await count(t.db, 'leave_requests')).toBe(0);
    const fragment = await staff.get(`/conges/devis?kind=CP&start=${day(0)}&end=${day(0)}&endHalf=morning`, { 'hx-request': 'true' });
    expect(fragment.body).toContain('0,5 jour(s)');
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, staffId, { name: 'leave', scopes: ['leave:read'], days: 1 });
    const q = await api(t, 'GET', `/api/v1/leave/quote?kind=CP&start=${day(0)}&end=${day(12)}&startHalf=afternoon`, token);
    expect(q.status).toBe(200);
    expect(q.json()).toMatchObject({ kind: 'CP', unit: 'ouvrables', days: 11.5, balance: { accrued: 12.5, available: 12.5 }, after: 1 });
    expect((await api(t, 'GET', `/api/v1/leave/quote?kind=CP&start=${day(0)}&end=${day(-3)}`, token)).status).toBe(422);
    expect((await api(t, 'GET', `/api/v1/leave/quote?kind=CP&start=${day(0)}&end=${day(0)}`)).status).toBe(401);
  });

  it('bad requests get a clear message and write nothing', async () => {
    const cases: [Record<string, string>, string][] = [
      [form('CP', day(0), day(19)), 'Solde insuffisant'], // 17 days > 12.5
      [form('AUT', day(6), day(6)), 'aucun jour'], // a Sunday
      [form('CP', addDays(todayInParis(), -40), addDays(todayInParis(), -39)), 'trop loin dans le passé'],
      [form('CP', day(2), day(1)), 'avant le premier'],
      [form('CP', '2026-02-30', day(1)), 'Date invalide'],
      [form('MAL', day(0), day(1)), 'ressources humaines'],
      [form('XYZ', day(0), day(1)), 'n’existe pas'],
      [form('CP', day(0), day(0), { startHalf: 'afternoon', endHalf: 'morning' }), 'aucune absence'],
      [form('CP', day(0), day(0), { startHalf: 'soir' }), 'Demi-journée invalide'],
    ];
    for (const [values, message] of cases) {
      const res = await staff.post('/conges', values);
      expect(res.status, JSON.stringify(values)).toBe(422);
      expect(res.body).toContain(message);
    }
    expect(await count(t.db, 'leave_requests')).toBe(0);
    expect(await count(t.db, 'approval_requests')).toBe(0);
    expect(await count(t.db, 'audit_log', ['entity', 'leave_request'])).toBe(0);
  });

  it('a request goes to the manager then HR; on approval the person is away and the days are taken; cancellation restores them', async () => {
    const res = await staff.post('/conges', form('CP', day(0), day(12), { comment: 'Vacances' }));
    expect(res.status).toBe(302);
    const row = await t.db.selectFrom('leave_requests').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', days: 12, user_id: staffId });
    expect(row.approval_id).toBeTruthy();
    // overlapping, even partly and of another kind: refused
    const overlap = await staff.post('/conges', form('AUT', day(2), day(2)));
    expect(overlap.status).toBe(422);
    expect(overlap.body).toContain('déjà une absence');
    // the pending days count against the balance: 1 more day is too many, ½ fits
    expect((await staff.post('/conges', form('CP', day(14), day(14)))).status).toBe(422);
    expect((await staff.post('/conges', form('CP', day(14), day(14), { endHalf: 'morning' }))).status).toBe(302);
    expect(await count(t.db, 'leave_requests')).toBe(2);

    const approvalId = row.approval_id!;
    const v1 = (await getRequest(t.db, managerActor, approvalId)).request.version;
    await t.db.transaction().execute((trx) => approve(trx, managerActor, approvalId, v1));
    expect((await t.db.selectFrom('leave_requests').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status).toBe('pending');
    const v2 = (await getRequest(t.db, hrActor, approvalId)).request.version;
    await t.db.transaction().execute((trx) => approve(trx, hrActor, approvalId, v2));
    expect((await t.db.selectFrom('leave_requests').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status).toBe('approved');
    expect(await t.db.selectFrom('approval_absences').select(['user_id', 'from_date', 'to_date', 'source']).execute()).toEqual([{ user_id: staffId, from_date: day(0), to_date: day(12), source: `leave:${row.id}` }]);

    const page = await staff.get(`/conges/${row.id}`);
    expect(page.body).toContain('Approuvée');
    // colleagues see the absence, not its kind; the person sees the kind
    const month = W1.slice(0, 7);
    const seenByColleague = await colleague.get(`/conges/equipe?mois=${month}`);
    expect(seenByColleague.status).toBe(200);
    expect(seenByColleague.body).toContain('Alice Martin');
    expect(seenByColleague.body).toContain('leave-cell leave-a');
    expect(seenByColleague.body).not.toContain('Congés payés');
    expect(await colleague.get(`/conges/${row.id}`).then((r) => r.status)).toBe(404);
    expect((await staff.get(`/conges/equipe?mois=${month}`)).body).toContain('Congés payés');
    expect((await staff.get('/conges/equipe?mois=2026-13')).status).toBe(400);

    const ics = await staff.get('/conges/calendrier.ics');
    expect(ics.headers['content-type']).toContain('text/calendar');
    expect(ics.body).toContain(`DTSTART;VALUE=DATE:${day(0).replace(/-/g, '')}`);
    const csv = await hr.get(`/conges/rh/export?mois=${month}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('Alice Martin');
    expect(csv.body).toContain(';12;');
    expect((await hr.get(`/conges/rh/export?mois=${month}&format=pdf`)).status).toBe(400);

    const balanceBefore = (await api(t, 'GET', '/api/v1/leave/balances', (await createApiToken(t.db, SYSTEM_ACTOR, staffId, { name: 'b', scopes: ['leave:read'], days: 1 })).token)).status;
    expect(balanceBefore).toBe(200);
    expect((await staff.post(`/conges/${row.id}/annuler`)).status).toBe(302);
    expect((await t.db.selectFrom('leave_requests').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status).toBe('cancelled');
    expect(await count(t.db, 'approval_absences')).toBe(0);
    // the 12 days are back: a 12-day request fits again (12.5 − ½ pending)
    expect((await staff.post('/conges', form('CP', day(0), day(12), { step: 'quote' }))).body).toContain('après la demande : 0');
  });

  it('refusal, withdrawal, and a colleague cannot act on someone else’s request', async () => {
    const half = await t.db.selectFrom('leave_requests').selectAll().where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect((await colleague.post(`/conges/${half.id}/retirer`)).status).toBe(404);
    const v = (await getRequest(t.db, managerActor, half.approval_id!)).request.version;
    await t.db.transaction().execute((trx) => refuse(trx, managerActor, half.approval_id!, v, 'Période chargée'));
    expect((await t.db.selectFrom('leave_requests').select('status').where('id', '=', half.id).executeTakeFirstOrThrow()).status).toBe('refused');
    expect((await staff.post(`/conges/${half.id}/retirer`)).status).toBe(422);

    const aut = await staff.post('/conges', form('AUT', day(15), day(15)));
    expect(aut.status, aut.body.match(/error-summary.*?<\/ul>/s)?.[0]).toBe(302);
    const other = await t.db.selectFrom('leave_requests').selectAll().where('status', '=', 'pending').executeTakeFirstOrThrow();
    expect((await staff.post(`/conges/${other.id}/retirer`)).status).toBe(302);
    expect((await t.db.selectFrom('leave_requests').select('status').where('id', '=', other.id).executeTakeFirstOrThrow()).status).toBe('withdrawn');
    expect(await count(t.db, 'audit_log', ['entity', 'leave_request'])).toBeGreaterThanOrEqual(6);
  });

  it('a morning and an afternoon of one day do not overlap; sent back, corrected and sent again', async () => {
    expect((await staff.post('/conges', form('CP', day(16), day(16), { endHalf: 'morning' }))).status).toBe(302);
    expect((await staff.post('/conges', form('AUT', day(16), day(16), { startHalf: 'afternoon' }))).status).toBe(302);
    expect((await staff.post('/conges', form('AUT', day(16), day(16)))).status).toBe(422);
    const cp = await t.db.selectFrom('leave_requests').selectAll().where('start_date', '=', day(16)).where('end_half', '=', 'morning').executeTakeFirstOrThrow();
    const v = (await getRequest(t.db, managerActor, cp.approval_id!)).request.version;
    await t.db.transaction().execute((trx) => sendBack(trx, managerActor, cp.approval_id!, v, 'Plutôt le lendemain ?'));
    expect((await t.db.selectFrom('leave_requests').select('status').where('id', '=', cp.id).executeTakeFirstOrThrow()).status).toBe('changes_requested');
    const page = await staff.get(`/conges/${cp.id}`);
    expect(page.body).toContain('Corriger et renvoyer');
    // a bad correction changes nothing
    expect((await staff.post(`/conges/${cp.id}/renvoyer`, form('CP', day(18), day(17)))).status).toBe(422);
    expect((await staff.post(`/conges/${cp.id}/renvoyer`, form('CP', day(17), day(17)))).status).toBe(302);
    const after = await t.db.selectFrom('leave_requests').selectAll().where('id', '=', cp.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: 'pending', start_date: day(17), end_half: null, days: 1 });
    expect((await getRequest(t.db, managerActor, cp.approval_id!)).request.status).toBe('pending');
    expect(await count(t.db, 'audit_log', ['action', 'update'])).toBeGreaterThanOrEqual(1);
  });

  it('HR records a sick leave (no approval) and may cancel it; staff may not', async () => {
    const start = addDays(todayInParis(), -3);
    const res = await hr.post('/conges/rh/absences', { user_id: String(staffId), kind: 'MAL', start, end: addDays(start, 1) });
    expect(res.status).toBe(302);
    const sick = await t.db.selectFrom('leave_requests').selectAll().where('status', '=', 'recorded').executeTakeFirstOrThrow();
    expect(sick.approval_id).toBeNull();
    expect(await count(t.db, 'approval_absences')).toBe(1);
    expect((await hr.post('/conges/rh/absences', { user_id: String(staffId), kind: 'CP', start, end: start })).status).toBe(422);
    expect((await staff.post(`/conges/${sick.id}/annuler`)).status).toBe(403);
    expect((await hr.post(`/conges/${sick.id}/annuler`)).status).toBe(302);
    expect(await count(t.db, 'approval_absences')).toBe(0);
  });

  it('the team calendar shows 50 people a page', async () => {
    const now = new Date().toISOString();
    await t.db.insertInto('users').values(Array.from({ length: 55 }, (_, i) => ({ email: `zz${i}@test.cci.fr`, name: `Zz ${String(i).padStart(2, '0')}`, status: 'active', locale: 'fr', totp_enabled: 0, failed_sign_ins: 0, created_at: now, updated_at: now }))).execute();
    const total = Number((await t.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow()).n);
    const rows = (body: string) => (body.match(/<th scope="row">/g) ?? []).length;
    const first = await colleague.get(`/conges/equipe?mois=${W1.slice(0, 7)}`);
    expect(rows(first.body)).toBe(50);
    expect(first.body).toContain('Alice Martin');
    const second = await colleague.get(`/conges/equipe?mois=${W1.slice(0, 7)}&page=2`);
    expect(rows(second.body)).toBe(total - 50);
    expect(second.body).not.toContain('Alice Martin');
    expect((await colleague.get(`/conges/equipe?mois=${W1.slice(0, 7)}&page=99`)).status).toBe(200);
  });

  it('the team calendar marks the Alsace-Moselle holidays on the rows of that calendar’s staff only', async () => {
    expect((await hr.post('/conges/rh/groupes', { name: 'Antenne de Metz', unit: 'ouvres', calendar: 'alsace-moselle' })).status).toBe(302);
    const metz = await t.db.selectFrom('leave_groups').select('id').where('name', '=', 'Antenne de Metz').executeTakeFirstOrThrow();
    const colleagueId = (await t.db.selectFrom('users').select('id').where('name', '=', 'Bruno Colin').executeTakeFirstOrThrow()).id;
    expect((await hr.post('/conges/rh/personnes', { user_id: String(colleagueId), group_id: String(metz.id), starts_on: `${Y}-01-01` })).status).toBe(302);
    const goodFriday = holidays(Y, 'alsace-moselle').find((h) => h.id === 'good_friday')!.date; // always a Friday
    const page = await staff.get(`/conges/equipe?mois=${goodFriday.slice(0, 7)}`);
    const row = (name: string) => page.body.split('<tr>').find((r) => r.includes(`<th scope="row">${name}</th>`)) ?? '';
    const cells = (r: string) => r.split('<td').slice(1);
    const dayIndex = Number(goodFriday.slice(8)) - 1;
    expect(cells(row('Bruno Colin'))[dayIndex]).toContain('Férié en Alsace-Moselle : Vendredi saint');
    expect(cells(row('Alice Martin'))[dayIndex]).not.toContain('Férié');
  });

  it('HR adjusts a balance with a reason (audited); without a reason nothing changes', async () => {
    expect((await hr.post('/conges/rh/ajustements', { user_id: String(staffId), kind: 'CP', date: W1, days: '2,5', reason: '' })).status).toBe(422);
    expect(await count(t.db, 'leave_adjustments')).toBe(0);
    expect((await hr.post('/conges/rh/ajustements', { user_id: String(staffId), kind: 'CP', date: W1, days: '2,5', reason: 'Fractionnement' })).status).toBe(302);
    expect(await count(t.db, 'audit_log', ['entity', 'leave_adjustment'])).toBe(1);
    const page = await staff.get('/conges');
    expect(page.status).toBe(200);
  });
});
