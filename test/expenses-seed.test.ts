// The demo seed of expenses: budget lines, refund profiles with valid IBANs, spending requests and
// expense claims in every state, made through the same services, the engine and accounting (a seed
// that breaks a rule fails here, not at a demo start).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { accountingModule } from '../src/modules/accounting/index.js';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { expensesModule } from '../src/modules/expenses/index.js';
import { DEMO_PASSWORD, seedDemoUsers } from '../src/platform/seed.js';
import { agent, createTestApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => (t = await createTestApp({ modules: [contentModule, accountingModule, approvalsModule, expensesModule] })));
afterAll(async () => t?.close());

it('seeds claims and spending requests in every state; the direction has one waiting above the threshold', async () => {
  await seedDemoUsers(t.db);
  const lines: string[] = [];
  await expensesModule.seedDemo!(t.app.ctx, (l) => lines.push(l));
  expect(lines.filter((l) => l.includes('not'))).toEqual([]);
  const claimStatuses = new Set((await t.db.selectFrom('expense_claims').select('status').execute()).map((r: { status: string }) => r.status));
  expect([...claimStatuses].sort()).toEqual(['changes_requested', 'checked', 'draft', 'paid', 'posted', 'refused', 'submitted', 'withdrawn']);
  const spendingStatuses = new Set((await t.db.selectFrom('expense_spending_requests').select('status').execute()).map((r: { status: string }) => r.status));
  expect([...spendingStatuses].sort()).toEqual(['approved', 'changes_requested', 'pending', 'refused', 'withdrawn']);
  expect(await t.db.selectFrom('expense_lines').select('id').where('capped', '=', 1).execute()).not.toEqual([]);

  const direction = agent(t);
  await direction.signIn('direction@demo.cci.fr', DEMO_PASSWORD);
  const list = await direction.get('/depenses');
  expect(list.body).toContain('Stand au salon Industrie Lyon');
  const compta = agent(t);
  await compta.signIn('compta@demo.cci.fr', DEMO_PASSWORD);
  const check = await compta.get('/notes-de-frais/controle');
  expect(check.body).toContain('Formation INPI à Paris'); // to check
  expect(check.body).toContain('Reportage salon Made in Loire'); // to pay
  expect(check.body).toContain('Permanence à Firminy'); // to post
});
