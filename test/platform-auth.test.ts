// Sign-in, lockout, CSRF, sessions, password reset and invitation, second factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { totpCode } from '../src/platform/auth/totp.js';
import type { PlatformTables } from '../src/platform/db/tables.js';
import { FREE_FAILURES } from '../src/platform/auth/sign-in.js';
import { agent, count, createTestApp, makeUser, PASSWORD, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const db = () => t.db as Kysely<PlatformTables>;
const linkIn = (text: string) => text.match(/http:\/\/localhost:\d+(\/\S+)/)![1];

describe('sign-in', () => {
  it('signs in with the right password, shows the portal, and signs out', async () => {
    const u = await makeUser(t.db, ['adviser']);
    const a = agent(t);
    const res = await a.signIn(u.email);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/portail');
    const home = await a.get('/portail');
    expect(home.status).toBe(200);
    expect(home.body).toContain(u.name);
    expect(await count(t.db, 'sessions', ['subject_id', u.id])).toBe(1);
    const out = await a.post('/deconnexion');
    expect(out.status).toBe(302);
    expect(await count(t.db, 'sessions', ['subject_id', u.id])).toBe(0);
    expect((await a.get('/portail')).status).toBe(302);
  });

  it('gives the same answer for a wrong password and an unknown e-mail', async () => {
    const u = await makeUser(t.db, ['staff']);
    const wrong = await agent(t).signIn(u.email, 'not the password at all');
    const unknown = await agent(t).signIn('nobody-here@test.cci.fr', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (b: string) => b.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0];
    expect(message(wrong.body)).toBeDefined();
    expect(message(wrong.body)).toBe(message(unknown.body));
    expect(wrong.body).toContain('Adresse e-mail ou mot de passe incorrect');
  });

  it('locks an address after repeated failures, even with the right password, and shows it to admins', async () => {
    const u = await makeUser(t.db, ['staff']);
    for (let i = 0; i < FREE_FAILURES; i++) expect((await agent(t).signIn(u.email, 'wrong password ' + i)).status).toBe(401);
    const locked = await agent(t).signIn(u.email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body).toContain('Trop de tentatives');
    const row = await db().selectFrom('users').select(['locked_until', 'failed_sign_ins']).where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.failed_sign_ins).toBe(FREE_FAILURES);
    expect(row.locked_until).not.toBeNull();
    // An administrator sees the lock and lifts it.
    const admin = await makeUser(t.db, ['admin']);
    const a = agent(t);
    await a.signIn(admin.email);
    expect((await a.get(`/admin/utilisateurs/${u.id}`)).body).toContain('Verrouillé jusqu’à');
    expect((await a.post(`/admin/utilisateurs/${u.id}/deverrouiller`)).status).toBe(302);
    expect((await agent(t).signIn(u.email)).status).toBe(302);
  });

  it('refuses a disabled account with the generic message', async () => {
    const u = await makeUser(t.db, ['staff']);
    await db().updateTable('users').set({ status: 'disabled' }).where('id', '=', u.id).execute();
    const res = await agent(t).signIn(u.email);
    expect(res.status).toBe(401);
    expect(res.body).toContain('Adresse e-mail ou mot de passe incorrect');
  });

  it('rotates the session id at sign-in', async () => {
    const u = await makeUser(t.db, ['staff']);
    const a = agent(t);
    await a.signIn(u.email);
    const first = a.cookies.get('sid');
    await a.signIn(u.email);
    const second = a.cookies.get('sid');
    expect(first).toBeDefined();
    expect(second).not.toBe(first);
    expect(await count(t.db, 'sessions', ['subject_id', u.id])).toBe(1);
  });

  it('sets HttpOnly SameSite cookies', async () => {
    const u = await makeUser(t.db, ['staff']);
    const a = agent(t);
    await a.get('/connexion');
    const res = await a.post('/connexion', { email: u.email, password: PASSWORD });
    const sid = (res.headers['set-cookie'] as string[]).find((c) => c.startsWith('sid='))!;
    expect(sid).toMatch(/HttpOnly/);
    expect(sid).toMatch(/SameSite=Lax/);
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request without the token and changes nothing', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const a = agent(t);
    await a.signIn(admin.email);
    const before = await count(t.db, 'users');
    const res = await a.post('/admin/utilisateurs', { name: 'Eve Intruse', email: 'eve@test.cci.fr', roles: 'admin', password: 'a long enough password' }, { noCsrf: true });
    expect(res.status).toBe(403);
    expect(res.body).toContain('Le formulaire a expiré');
    expect(await count(t.db, 'users')).toBe(before);
    const forged = await a.post('/admin/utilisateurs', { _csrf: 'forged-token', name: 'Eve Intruse', email: 'eve@test.cci.fr', roles: 'admin' });
    expect(forged.status).toBe(403);
    expect(await count(t.db, 'users')).toBe(before);
  });
});

describe('password reset', () => {
  it('e-mails a single-use link that sets a new password and closes sessions', async () => {
    const u = await makeUser(t.db, ['staff']);
    const other = agent(t);
    await other.signIn(u.email);
    const a = agent(t);
    await a.get('/mot-de-passe-oublie');
    const res = await a.post('/mot-de-passe-oublie', { email: u.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body).toContain('Si cette adresse correspond à un compte');
    const mail = await db().selectFrom('mail_outbox').selectAll().where('to_address', '=', u.email).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(mail.status).toBe('kept');
    const path = linkIn(mail.text_body);
    expect((await a.get(path)).status).toBe(200);
    expect((await a.post(path, { password: 'short', confirm: 'short' })).status).toBe(422);
    const ok = await a.post(path, { password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
    expect(ok.status).toBe(302);
    expect((await a.get(path)).status).toBe(410);
    expect((await a.post(path, { password: 'another new passphrase', confirm: 'another new passphrase' })).status).toBe(410);
    expect((await other.get('/portail')).status).toBe(302); // the old session is gone
    expect((await agent(t).signIn(u.email, 'a brand new passphrase')).status).toBe(302);
    const audit = await db().selectFrom('audit_log').selectAll().where('entity', '=', 'user').where('entity_id', '=', String(u.id)).where('action', '=', 'password_change').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].changes).not.toContain('argon2');
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const before = await count(t.db, 'mail_outbox');
    const res = await agent(t).post('/mot-de-passe-oublie', { email: 'unknown-person@test.cci.fr' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('Si cette adresse correspond à un compte');
    expect(await count(t.db, 'mail_outbox')).toBe(before);
  });
});

describe('second factor', () => {
  it('enrols TOTP, then asks for the code at sign-in', async () => {
    const u = await makeUser(t.db, ['staff']);
    const a = agent(t);
    await a.signIn(u.email);
    const page = await a.get('/compte/double-authentification');
    const secret = page.body.match(/id="totp-secret">([A-Z2-7]+)</)![1];
    expect((await a.post('/compte/double-authentification', { secret, code: '000000' })).status).toBe(422);
    expect((await a.post('/compte/double-authentification', { secret, code: totpCode(secret) })).status).toBe(302);

    const b = agent(t);
    const res = await b.signIn(u.email);
    expect(res.headers.location).toMatch(/^\/connexion\/code/);
    expect((await b.get('/portail')).status).toBe(302); // not signed in yet
    expect((await b.post('/connexion/code', { code: '123456' })).status).toBe(401);
    // The enrolment code is spent (replay protection): the next 30 s step's code, as the phone shows it.
    const ok = await b.post('/connexion/code', { code: totpCode(secret, Date.now() + 30_000) });
    expect(ok.status).toBe(302);
    expect((await b.get('/portail')).status).toBe(200);
  });

  it('forces administrators to enrol when required', async () => {
    const strict = await createTestApp({ env: { ADMIN_TOTP_REQUIRED: '1' } });
    try {
      const admin = await makeUser(strict.db, ['admin']);
      const a = agent(strict);
      await a.signIn(admin.email);
      const res = await a.get('/admin/utilisateurs');
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('/compte/double-authentification');
    } finally {
      await strict.close();
    }
  });
});

describe('invitation', () => {
  it('lets an invited user choose a password through the e-mailed link', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const a = agent(t);
    await a.signIn(admin.email);
    const res = await a.post('/admin/utilisateurs', { name: 'Nina Nouvelle', email: 'nina@test.cci.fr', roles: ['adviser', 'staff'] });
    expect(res.status).toBe(302);
    const user = await db().selectFrom('users').selectAll().where('email', '=', 'nina@test.cci.fr').executeTakeFirstOrThrow();
    expect(user.status).toBe('invited');
    const mail = await db().selectFrom('mail_outbox').selectAll().where('to_address', '=', 'nina@test.cci.fr').executeTakeFirstOrThrow();
    const path = linkIn(mail.text_body);
    expect(path).toMatch(/^\/invitation\//);
    const b = agent(t);
    expect((await b.post(path, { password: 'she picks a long passphrase', confirm: 'she picks a long passphrase' })).status).toBe(302);
    expect((await agent(t).signIn('nina@test.cci.fr', 'she picks a long passphrase')).status).toBe(302);
  });
});
