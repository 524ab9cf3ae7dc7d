// The demo data of the approval engine: both types and requests in several states, on the demo
// users; the manager's "À traiter" shows what waits for her.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoUsers } from '../src/platform/seed.js';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { agent, createTestApp, type TestApp } from './helpers.js';
import { DEMO_PASSWORD } from '../src/platform/seed.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ modules: [approvalsModule] });
  await seedDemoUsers(t.db);
  await approvalsModule.seedDemo!(t.app.ctx, () => {});
});
afterAll(async () => t?.close());

it('seeds the two types and requests waiting, approved, refused, sent back and drafted', async () => {
  const types = await t.db.selectFrom('approval_types').select('code').orderBy('code').execute();
  expect(types.map((x) => x.code)).toEqual(['formation', 'teletravail']);
  const statuses = (await t.db.selectFrom('approval_requests').select('status').execute()).map((r) => r.status);
  for (const s of ['pending', 'approved', 'refused', 'changes_requested', 'draft']) expect(statuses).toContain(s);
  const manager = agent(t);
  await manager.signIn('manager@demo.cci.fr', DEMO_PASSWORD);
  const home = await manager.get('/portail');
  expect(home.body).toContain('Formation négociation commerciale');
  const hr = agent(t);
  await hr.signIn('rh@demo.cci.fr', DEMO_PASSWORD);
  expect((await hr.get('/demandes/a-approuver')).body).toContain('Excel perfectionnement');
  expect((await hr.get('/demandes/types')).body).toContain('Télétravail');
});
