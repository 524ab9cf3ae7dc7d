// The admin screens' forms and refusals: CCI settings, editing a colleague, re-sending an
// invitation, ids that are not numbers. Only the admin module is mounted: these are its routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminModule } from '../src/modules/admin/index.js';
import { createUser } from '../src/platform/auth/users.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';

let t: TestApp;
let admin: Agent;
beforeAll(async () => {
  t = await createTestApp({ modules: [adminModule] });
  admin = agent(t);
  await admin.signIn((await makeUser(t.db, ['admin'])).email);
});
afterAll(async () => t?.close());

const storedSetting = async (key: string) => (await t.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;

describe('CCI settings', () => {
  it('refuses a bad territory or an empty name with the form as typed (422), changes nothing, audits nothing', async () => {
    const bad = await admin.post('/admin/parametres', { name: 'CCI Essai', territory: '42, Lyon' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Chaque code doit être un département');
    expect(bad.body).toContain('value="CCI Essai"');
    expect(bad.body).toContain('42, Lyon');
    const empty = await admin.post('/admin/parametres', { name: '', territory: '42' });
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('Ce champ est obligatoire.');
    expect(await storedSetting('cci.name')).toBeUndefined();
    expect(await count(t.db, 'audit_log', ['entity', 'setting'])).toBe(0);
  });

  it('saves the name and the territory together, each change audited', async () => {
    const res = await admin.post('/admin/parametres', { name: 'CCI Essai', territory: '42; 69 2a004' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin/parametres');
    expect(JSON.parse((await storedSetting('cci.name'))!)).toBe('CCI Essai');
    expect(JSON.parse((await storedSetting('cci.territory'))!)).toEqual(['42', '69', '2A004']);
    expect(await count(t.db, 'audit_log', ['entity', 'setting'])).toBe(2);
    const page = await admin.get('/admin/parametres');
    expect(page.body).toContain('Paramètres enregistrés.');
    expect(page.body).toContain('42, 69, 2A004');
  });

  it('is refused to staff without admin:settings, nothing written', async () => {
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    expect((await staff.post('/admin/parametres', { name: 'Autre', territory: '01' })).status).toBe(403);
    expect(JSON.parse((await storedSetting('cci.name'))!)).toBe('CCI Essai');
  });
});

describe('staff accounts', () => {
  it('answers a stale edit with 409 and the form again, a bad e-mail with 422; the account keeps its values', async () => {
    const u = await makeUser(t.db, ['staff'], { name: 'Camille Durand' });
    const form = { name: 'Camille Martin', email: u.email, roles: 'staff', manager_id: '', version: String(u.version) };
    expect((await admin.post(`/admin/utilisateurs/${u.id}`, form)).status).toBe(302);
    const stale = await admin.post(`/admin/utilisateurs/${u.id}`, { ...form, name: 'Camille Bernard' });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('modifié par quelqu’un d’autre');
    expect(stale.body).toContain('value="Camille Bernard"');
    const badEmail = await admin.post(`/admin/utilisateurs/${u.id}`, { ...form, version: String(u.version + 1), email: 'pas-une-adresse' });
    expect(badEmail.status).toBe(422);
    const row = await t.db.selectFrom('users').select(['name', 'email']).where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Camille Martin', email: u.email });
  });

  it('re-sends an invitation only to someone still invited; to an active account it says why, in French and English', async () => {
    const invited = await createUser(t.db, SYSTEM_ACTOR, { name: 'Invitée', email: 'invitee@test.cci.fr', roles: ['staff'] });
    const active = await makeUser(t.db, ['staff']);
    const before = await count(t.db, 'mail_outbox');
    expect((await admin.post(`/admin/utilisateurs/${invited.id}/inviter`)).status).toBe(302);
    expect(await count(t.db, 'mail_outbox')).toBe(before + 1);
    // regression: the refusal used to say the account was "still waiting for its invitation"
    const refused = await admin.post(`/admin/utilisateurs/${active.id}/inviter`);
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('Ce compte n’attend plus d’invitation');
    expect(refused.body).not.toContain('attend encore');
    await admin.get('/lang/en');
    const refusedEn = await admin.post(`/admin/utilisateurs/${active.id}/inviter`);
    expect(refusedEn.status).toBe(409);
    expect(refusedEn.body).toContain('This account no longer awaits an invitation');
    await admin.get('/lang/fr');
    expect(await count(t.db, 'mail_outbox')).toBe(before + 1);
  });

  it('answers 404 to ids that are not numbers, on pages and actions', async () => {
    for (const url of ['/admin/utilisateurs/abc', '/admin/utilisateurs/abc/modifier', '/admin/boite-envoi/abc', '/admin/boite-envoi/99999999']) {
      expect((await admin.get(url)).status, url).toBe(404);
    }
    const audits = await count(t.db, 'audit_log');
    for (const url of ['/admin/utilisateurs/abc/desactiver', '/admin/utilisateurs/1x/inviter', '/admin/jetons/abc/revoquer']) {
      expect((await admin.post(url, { version: '1' })).status, url).toBe(404);
    }
    expect(await count(t.db, 'audit_log')).toBe(audits);
  });
});
