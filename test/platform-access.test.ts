// Permissions (pages and API), API tokens, audit rows, optimistic locking, route table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import type { PlatformTables } from '../src/platform/db/tables.js';
import { updateWithVersion } from '../src/platform/db/locking.js';
import { AppError } from '../src/platform/errors.js';
import { agent, api, count, createTestApp, makeUser, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());
const db = () => t.db as Kysely<PlatformTables>;

describe('permissions', () => {
  it('answers 403 on a page the role may not use, and 302 to sign-in when anonymous', async () => {
    const adviser = await makeUser(t.db, ['adviser']);
    const a = agent(t);
    await a.signIn(adviser.email);
    const res = await a.get('/admin/utilisateurs');
    expect(res.status).toBe(403);
    expect(res.body).toContain('Accès refusé');
    expect(res.body).toContain('aria-label="Navigation principale"'); // same shell
    const anon = await agent(t).get('/admin/utilisateurs');
    expect(anon.status).toBe(302);
    expect(anon.headers.location).toBe('/connexion?next=%2Fadmin%2Futilisateurs');
  });

  it('refuses a forbidden POST with 403 and changes nothing', async () => {
    const adviser = await makeUser(t.db, ['adviser']);
    const a = agent(t);
    await a.signIn(adviser.email);
    const before = await count(t.db, 'users');
    const res = await a.post('/admin/utilisateurs', { name: 'Mallory', email: 'mallory@test.cci.fr', roles: 'admin', password: 'a long password indeed' });
    expect(res.status).toBe(403);
    expect(await count(t.db, 'users')).toBe(before);
  });

  it('builds the navigation from the permissions', async () => {
    const adviser = await makeUser(t.db, ['adviser']);
    const a = agent(t);
    await a.signIn(adviser.email);
    expect((await a.get('/portail')).body).not.toContain('href="/admin/utilisateurs"');
    const admin = await makeUser(t.db, ['admin']);
    const b = agent(t);
    await b.signIn(admin.email);
    expect((await b.get('/portail')).body).toContain('href="/admin/utilisateurs"');
  });

  it('refuses invalid input on the user form with field errors and nothing written', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const a = agent(t);
    await a.signIn(admin.email);
    const before = await count(t.db, 'users');
    const res = await a.post('/admin/utilisateurs', { name: '', email: 'not-an-email', roles: 'wizard' });
    expect(res.status).toBe(422);
    expect(res.body).toContain('Ce champ est obligatoire.');
    expect(res.body).toContain('Saisissez une adresse e-mail valide');
    expect(res.body).toContain('Rôle inconnu.');
    expect(await count(t.db, 'users')).toBe(before);
  });

  it('answers malformed ids and unknown records with 404, never 500', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const a = agent(t);
    await a.signIn(admin.email);
    expect((await a.get('/admin/utilisateurs/abc')).status).toBe(404);
    expect((await a.get('/admin/utilisateurs/99999999')).status).toBe(404);
    expect((await a.get('/admin/utilisateurs/1%27%20or%201=1')).status).toBe(404);
  });
});

describe('API tokens', () => {
  it('authenticates a scoped token, refuses beyond its scope, refuses revoked and expired tokens', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const { token, row } = await createApiToken(t.db, SYSTEM_ACTOR, admin.id, { name: 'registry only', scopes: ['registry:read'] });
    const hashStored = await db().selectFrom('api_tokens').select('token_hash').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(hashStored.token_hash).not.toContain(token); // hashed at rest

    const me = await api(t, 'GET', '/api/v1/me', token);
    expect(me.status).toBe(200);
    expect(me.json().permissions).toEqual(['registry:read']);
    // The owner is an admin, but the token's scope does not cover the users endpoint.
    expect((await api(t, 'GET', '/api/v1/users', token)).status).toBe(403);
    expect((await api(t, 'GET', '/api/v1/users')).status).toBe(401);
    expect((await api(t, 'GET', '/api/v1/users', 'csl_not-a-real-token')).status).toBe(401);

    const adminToken = (await createApiToken(t.db, SYSTEM_ACTOR, admin.id, { name: 'admin', scopes: ['admin:read'] })).token;
    const users = await api(t, 'GET', '/api/v1/users', adminToken);
    expect(users.status).toBe(200);
    expect(users.json().items.some((u: { email: string }) => u.email === admin.email)).toBe(true);

    // Revoked through the account page.
    const a = agent(t);
    await a.signIn(admin.email);
    expect((await a.post(`/compte/jetons/${row.id}/revoquer`)).status).toBe(302);
    expect((await api(t, 'GET', '/api/v1/me', token)).status).toBe(401);

    // Expired.
    const expired = await createApiToken(t.db, SYSTEM_ACTOR, admin.id, { name: 'old', scopes: ['admin:read'] });
    await db().updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', expired.row.id).execute();
    const res = await api(t, 'GET', '/api/v1/users', expired.token);
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('never grants a scope beyond the owner’s roles', async () => {
    const staff = await makeUser(t.db, ['staff']);
    await expect(createApiToken(t.db, SYSTEM_ACTOR, staff.id, { name: 'x', scopes: ['admin:read'] })).rejects.toMatchObject({ fields: { scopes: 'admin.scope_beyond_role' } });
  });

  it('creates a token from the account page and shows it once', async () => {
    const doc = await makeUser(t.db, ['documentation']);
    const a = agent(t);
    await a.signIn(doc.email);
    const res = await a.post('/compte/jetons', { name: 'Export BI', scopes: 'registry:read', days: '30' });
    expect(res.status).toBe(200);
    const token = res.body.match(/id="new-token">(csl_[A-Za-z0-9_-]+)</)![1];
    expect((await api(t, 'GET', '/api/v1/me', token)).status).toBe(200);
    expect((await a.get('/compte')).body).not.toContain(token);
    const bad = await a.post('/compte/jetons', { name: '', scopes: 'nonsense' });
    expect(bad.status).toBe(422);
  });

  it('validates API query strings with a 400 problem', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, admin.id, { name: 'audit', scopes: ['admin:read'] });
    const res = await api(t, 'GET', '/api/v1/audit?page=-3', token);
    expect(res.status).toBe(400);
    expect(res.json().code).toBe('common.invalid');
  });
});

describe('audit and optimistic locking', () => {
  it('writes an audit row with before and after on update, with request id and IP', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const target = await makeUser(t.db, ['staff'], { name: 'Avant Nom' });
    const a = agent(t);
    await a.signIn(admin.email);
    const res = await a.post(`/admin/utilisateurs/${target.id}`, { name: 'Après Nom', email: target.email, roles: ['staff', 'editor'], version: '1' });
    expect(res.status).toBe(302);
    const row = await db().selectFrom('audit_log').selectAll().where('entity', '=', 'user').where('entity_id', '=', String(target.id)).where('action', '=', 'update').executeTakeFirstOrThrow();
    const changes = JSON.parse(row.changes);
    expect(changes.name).toEqual(['Avant Nom', 'Après Nom']);
    expect(changes.roles).toEqual([['staff'], ['editor', 'staff']]);
    expect(row.actor_id).toBe(admin.id);
    expect(row.request_id).toBeTruthy();
    expect(row.ip).toBeTruthy();
    // and the admin can read it, filtered
    const page = await a.get(`/admin/audit?entity=user&entityId=${target.id}&action=update`);
    expect(page.body).toContain('Après Nom');
  });

  it('refuses a stale update with a clear message and keeps the newer data', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const target = await makeUser(t.db, ['staff'], { name: 'Version Un' });
    const a = agent(t);
    await a.signIn(admin.email);
    expect((await a.post(`/admin/utilisateurs/${target.id}`, { name: 'Version Deux', email: target.email, roles: 'staff', version: '1' })).status).toBe(302);
    const stale = await a.post(`/admin/utilisateurs/${target.id}`, { name: 'Version Périmée', email: target.email, roles: 'staff', version: '1' });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('modifié par quelqu’un d’autre');
    const now = await db().selectFrom('users').select(['name', 'version']).where('id', '=', target.id).executeTakeFirstOrThrow();
    expect(now).toEqual({ name: 'Version Deux', version: 2 });
  });

  it('updateWithVersion: conflict on stale version, not_found on missing row', async () => {
    const u = await makeUser(t.db, ['staff']);
    await updateWithVersion(t.db, 'users', u.id, 1, { name: 'x' });
    await expect(updateWithVersion(t.db, 'users', u.id, 1, { name: 'y' })).rejects.toMatchObject({ kind: 'conflict', code: 'common.stale_version' });
    await expect(updateWithVersion(t.db, 'users', 987654, 1, { name: 'y' })).rejects.toBeInstanceOf(AppError);
  });

  it('deactivating a user closes their sessions', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const victim = await makeUser(t.db, ['staff']);
    const v = agent(t);
    await v.signIn(victim.email);
    expect((await v.get('/portail')).status).toBe(200);
    const a = agent(t);
    await a.signIn(admin.email);
    expect((await a.post(`/admin/utilisateurs/${victim.id}/desactiver`, { version: '1' })).status).toBe(302);
    expect((await v.get('/portail')).status).toBe(302);
    expect((await a.post(`/admin/utilisateurs/${admin.id}/desactiver`, { version: '1' })).status).toBe(422);
  });
});

describe('route table', () => {
  it('every route declares who may call it', () => {
    const undeclared = t.app.routes.filter((r) => r.access === 'UNDECLARED').map((r) => `${r.method} ${r.url}`);
    expect(t.app.routes.length).toBeGreaterThan(20);
    expect(undeclared).toEqual([]);
  });

  it('serves the OpenAPI document generated from the schemas, and the health check', async () => {
    const doc = await api(t, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    const spec = doc.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/api/v1/audit');
    expect(spec.paths['/api/v1/audit'].get.parameters.some((p: { name: string }) => p.name === 'entity')).toBe(true);
    expect(Object.keys(spec.paths).every((p) => p.startsWith('/api/v1'))).toBe(true);
    const health = await api(t, 'GET', '/health');
    expect(health.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });
});

describe('managers', () => {
  it('sets a manager from the user form, refuses loops and self, and audits it', async () => {
    const admin = await makeUser(t.db, ['admin']);
    const boss = await makeUser(t.db, ['manager']);
    const worker = await makeUser(t.db, ['adviser']);
    const a = agent(t);
    await a.signIn(admin.email);
    const form = (await a.get(`/admin/utilisateurs/${worker.id}/modifier`)).body;
    expect(form).toContain('name="manager_id"');
    const ok = await a.post(`/admin/utilisateurs/${worker.id}`, { name: worker.name, email: worker.email, roles: 'adviser', version: '1', manager_id: String(boss.id) });
    expect(ok.status).toBe(302);
    const { teamOf } = await import('../src/platform/auth/users.js');
    expect(await teamOf(t.db, boss.id)).toEqual([worker.id]);
    const loop = await a.post(`/admin/utilisateurs/${boss.id}`, { name: boss.name, email: boss.email, roles: 'manager', version: '1', manager_id: String(worker.id) });
    expect(loop.status).toBe(422);
    expect(loop.body).toContain('boucle');
    const self = await a.post(`/admin/utilisateurs/${boss.id}`, { name: boss.name, email: boss.email, roles: 'manager', version: '1', manager_id: String(boss.id) });
    expect(self.status).toBe(422);
    const row = await db().selectFrom('audit_log').select('changes').where('entity', '=', 'user').where('entity_id', '=', String(worker.id)).where('action', '=', 'update').executeTakeFirstOrThrow();
    expect(JSON.parse(row.changes).manager_id).toEqual([null, boss.id]);
  });
});
