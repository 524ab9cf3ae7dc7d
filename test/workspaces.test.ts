// Workspaces: only members see a workspace and its documents; leads manage members; messages,
// decisions and tasks are recorded and audited; a task owner sees it under "À traiter".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { workspacesModule } from '../src/modules/workspaces/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { multipart, PDF } from './content-helpers.js';

let t: TestApp;
let director: Agent, member: Agent, outsider: Agent;
let memberId: number, outsiderId: number, directorId: number;
let ws: number;

beforeAll(async () => {
  t = await createTestApp({ modules: [contentModule, workspacesModule] });
  const [d, m, o] = await Promise.all([makeUser(t.db, ['direction']), makeUser(t.db, ['staff'], { name: 'Marie Membre' }), makeUser(t.db, ['staff'])]);
  directorId = d.id;
  memberId = m.id;
  outsiderId = o.id;
  director = agent(t);
  member = agent(t);
  outsider = agent(t);
  await director.signIn(d.email);
  await member.signIn(m.email);
  await outsider.signIn(o.email);
});
afterAll(async () => t?.close());

const upload = (a: Agent, url: string, fields: Record<string, string>, bytes: Buffer, filename: string) => {
  const body = multipart(fields, { name: 'file', filename, bytes });
  return t.app.fastify.inject({ method: 'POST', url: `${url}?_csrf=${encodeURIComponent(a.csrf)}`, headers: { ...body.headers, cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, payload: body.payload });
};

describe('workspaces', () => {
  it('only workspace:create creates; the creator leads and adds members', async () => {
    expect((await member.post('/espaces', { name: 'Pirate', kind: 'committee' })).status).toBe(403);
    const bad = await director.post('/espaces', { name: '', kind: 'committee' });
    expect(bad.status).toBe(422);
    const res = await director.post('/espaces', { name: 'Comité de pilotage', kind: 'committee', description: 'SI' });
    expect(res.status).toBe(302);
    ws = Number(String(res.headers.location).split('/').pop());
    expect((await director.post(`/espaces/${ws}/membres`, { user_id: String(memberId), role: 'member' })).status).toBe(302);
    // A plain member cannot manage members; the last lead cannot leave.
    expect((await member.post(`/espaces/${ws}/membres`, { user_id: String(outsiderId), role: 'member' })).status).toBe(403);
    expect((await director.post(`/espaces/${ws}/membres`, { user_id: String(directorId), role: 'none' })).status).toBe(409);
    expect((await member.get('/espaces')).body).toContain('Comité de pilotage');
    expect((await outsider.get('/espaces')).body).not.toContain('Comité de pilotage');
  });

  it('outsiders see nothing and change nothing', async () => {
    expect((await outsider.get(`/espaces/${ws}`)).status).toBe(404);
    const before = await count(t.db, 'workspace_messages');
    expect((await outsider.post(`/espaces/${ws}/messages`, { body: 'intrus' })).status).toBe(404);
    expect((await outsider.post(`/espaces/${ws}/decisions`, { decided_on: '2026-11-01', title: 'x', decided_by: 'y' })).status).toBe(404);
    expect(await count(t.db, 'workspace_messages')).toBe(before);
  });

  it('discussion, decisions and tasks; the owner sees the task in "à traiter"', async () => {
    expect((await member.post(`/espaces/${ws}/messages`, { body: '<script>alert(1)</script> Bonjour' })).status).toBe(302);
    const page = await member.get(`/espaces/${ws}`);
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script> Bonjour');
    expect((await member.post(`/espaces/${ws}/decisions`, { decided_on: '31/12/2026', title: 'Budget', decided_by: 'Le comité' })).status).toBe(422);
    expect((await member.post(`/espaces/${ws}/decisions`, { decided_on: '2026-11-20', title: 'Budget validé', decided_by: 'Le comité' })).status).toBe(302);
    expect((await member.get(`/espaces/${ws}`)).body).toContain('Budget validé');
    expect((await director.post(`/espaces/${ws}/taches`, { title: 'Plan de migration', owner_id: String(outsiderId), due_on: '2026-12-15' })).status).toBe(422);
    expect((await director.post(`/espaces/${ws}/taches`, { title: 'Plan de migration', owner_id: String(memberId), due_on: '2026-12-15' })).status).toBe(302);
    const home = await member.get('/portail');
    expect(home.body).toContain('Plan de migration');
    const task = await (t.db as Kysely<any>).selectFrom('workspace_tasks').selectAll().where('workspace_id', '=', ws).executeTakeFirstOrThrow();
    expect((await member.post(`/espaces/${ws}/taches/${task.id}/statut`, { version: String(task.version), status: 'done' })).status).toBe(302);
    expect((await member.post(`/espaces/${ws}/taches/${task.id}/statut`, { version: String(task.version), status: 'open' })).status).toBe(409);
    expect((await member.get('/portail')).body).not.toContain('Plan de migration');
    expect(await count(t.db, 'audit_log', ['entity', 'workspace_task'])).toBe(2);
  });

  it('documents keep their versions and are served to members only', async () => {
    expect((await upload(member, `/espaces/${ws}/documents`, { title: 'Compte rendu', note: '' }, Buffer.from('MZ binary'), 'cr.pdf')).statusCode).toBe(422);
    expect((await upload(member, `/espaces/${ws}/documents`, { title: 'Compte rendu', note: 'v1' }, PDF, 'cr.pdf')).statusCode).toBe(302);
    const doc = await (t.db as Kysely<any>).selectFrom('workspace_documents').selectAll().where('workspace_id', '=', ws).executeTakeFirstOrThrow();
    expect((await upload(director, `/espaces/${ws}/documents`, { document_id: String(doc.id), title: '', note: 'v2' }, Buffer.concat([PDF, Buffer.from('%v2')]), 'cr-v2.pdf')).statusCode).toBe(302);
    const versions = await (t.db as Kysely<any>).selectFrom('workspace_document_versions').selectAll().where('document_id', '=', doc.id).orderBy('number').execute();
    expect(versions.map((v) => Number(v.number))).toEqual([1, 2]);
    const url = `/espaces/${ws}/documents/${versions[0].id}/${versions[0].name}`;
    expect((await member.get(url)).status).toBe(200);
    expect((await outsider.get(url)).status).toBe(404);
    expect((await upload(outsider, `/espaces/${ws}/documents`, { title: 'Intrus', note: '' }, PDF, 'x.pdf')).statusCode).toBe(404);
  });
});
