// Expenses (M10, issue #13): spending requests before commitment and expense claims after the
// fact, approved on the approval engine, checked, paid (SEPA, through accounting) and posted
// (HA journal). Rates and ceilings are dated configuration. See README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { keepRequestsToTheirRoute, registerOwnerHooks, type OwnerEvent } from '../approvals/index.js';
import { onClaimApproval } from './claims.service.js';
import { expensesApiRoutes, expensesWebRoutes } from './expenses.routes.js';
import type { ExpensesDb } from './expenses.table.js';
import { expensesMessages } from './messages.js';
import { seedExpenses } from './seed.js';
import { onSpendingApproval } from './spending.service.js';

export { mileageLineCents, yearlyAllowanceCents, type MileageScale } from './rules.js';

/** The engine's decisions on both types of the module (claims and spending requests), in its transaction. */
async function onApprovalEvent(db: ExpensesDb, event: OwnerEvent): Promise<void> {
  await onClaimApproval(db, event);
  await onSpendingApproval(db, event);
}

keepRequestsToTheirRoute('expenses'); // HR (approvals:admin) does not read expense claims and purchases
registerOwnerHooks('expenses', { approved: onApprovalEvent, refused: onApprovalEvent, withdrawn: onApprovalEvent, changesRequested: onApprovalEvent, cancelled: onApprovalEvent });

export const expensesModule = defineModule({
  name: 'expenses',
  messages: expensesMessages,
  nav: [
    { section: 'nav.section.expenses', label: 'expenses.nav.claims', href: '/notes-de-frais', permission: 'expenses:use', order: 1 },
    { section: 'nav.section.expenses', label: 'expenses.nav.spending', href: '/depenses', permission: 'expenses:use', order: 2 },
    { section: 'nav.section.expenses', label: 'expenses.nav.check', href: '/notes-de-frais/controle', permission: 'expenses:check', order: 3 },
    { section: 'nav.section.expenses', label: 'expenses.nav.budget', href: '/depenses/lignes-budgetaires', permission: 'expenses:admin', order: 4 },
    { section: 'nav.section.expenses', label: 'expenses.nav.rates', href: '/notes-de-frais/baremes', permission: 'expenses:admin', order: 5 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, expensesWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, expensesApiRoutes),
  seedDemo: seedExpenses,
});
