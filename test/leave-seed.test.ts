// The demo seed of leave: groups, rules, balances, and requests in every state, through the
// same services and the approval engine (a seed that breaks a rule fails here, not at a demo).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemoUsers } from '../src/platform/seed.js';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { leaveModule } from '../src/modules/leave/index.js';
import { agent, createTestApp, type TestApp } from './helpers.js';
import { DEMO_PASSWORD } from '../src/platform/seed.js';

let t: TestApp;
beforeAll(async () => (t = await createTestApp({ modules: [approvalsModule, directoryModule, leaveModule] })));
afterAll(async () => t?.close());

it('seeds requests in every state, and the pages show them', async () => {
  await seedDemoUsers(t.db);
  const lines: string[] = [];
  await leaveModule.seedDemo!(t.app.ctx, (l) => lines.push(l));
  expect(lines.filter((l) => l.includes('not filed'))).toEqual([]);
  const statuses = new Set((await t.db.selectFrom('leave_requests').select('status').execute()).map((r: { status: string }) => r.status));
  expect([...statuses].sort()).toEqual(['approved', 'cancelled', 'changes_requested', 'pending', 'recorded', 'refused', 'withdrawn']);
  const hr = agent(t);
  await hr.signIn('rh@demo.cci.fr', DEMO_PASSWORD);
  expect((await hr.get('/conges/rh')).status).toBe(200);
  expect((await hr.get('/conges/equipe')).status).toBe(200);
  const staff = agent(t);
  await staff.signIn('collaborateur@demo.cci.fr', DEMO_PASSWORD);
  const mine = await staff.get('/conges');
  expect(mine.status).toBe(200);
  expect(mine.body).toContain('Approuvée');
});
