// Spending requests ("demandes de dépenses"), before any commitment: amount, budget line,
// supplier (the registry's company when it is there, else the name typed), justification and
// quotes; approved through the engine by the manager, then by direction above a threshold
// (a condition step on the amount, which administrators may change on the type's page).
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, forbidden, invalid, isAppError, notFound, type FieldErrors } from '../../platform/errors.js';
import * as approvals from '../approvals/index.js';
import { approvalOnRoute } from './approval-link.js';
import { findCompany } from '../registry/index.js';
import * as q from './expenses.queries.js';
import type { ExpensesDb, SpendingStatus } from './expenses.table.js';
import { assertWrite, maySee } from './policy.js';
import type { StoredFile } from './receipts.js';
import { parseEuros } from './rules.js';

/** Above this amount (cents), a spending request also goes to direction. */
export const DIRECTION_THRESHOLD_CENTS = 150_000;

export const SPENDING_TYPE: approvals.SystemTypeInput = {
  code: 'spending',
  owner: 'expenses',
  name: { fr: 'Demande de dépenses', en: 'Spending request' },
  steps: [
    { id: 'manager', label: { fr: 'Responsable', en: 'Manager' }, mode: 'any', approvers: [{ kind: 'manager' }] },
    { id: 'direction', label: { fr: 'Direction (au-delà du seuil)', en: 'Direction (above the threshold)' }, mode: 'any', approvers: [{ kind: 'role', role: 'direction' }], when: { field: 'amount', op: 'gt', value: DIRECTION_THRESHOLD_CENTS } },
  ],
  options: { remindAfterDays: 2, escalateAfterDays: 5 },
};

const MAX_QUOTES = 5;

export interface SpendingInput {
  title: string;
  amount: string;
  budget_line_id: string;
  supplier_company_id: string;
  supplier_name: string;
  justification: string;
}

export async function getSpending(db: ExpensesDb, actor: Actor, id: number) {
  const row = await q.findSpending(db, id);
  if (!row) throw notFound('expenses.spending.not_found');
  const user = await q.findUser(db, row.user_id);
  if (maySee(actor, { user_id: row.user_id, manager_id: user?.manager_id }, { approver: false, accounting: false })) return row;
  if (await approvalOnRoute(db, actor, row.approval_id)) return row;
  throw notFound('expenses.spending.not_found');
}

export async function spendingView(db: ExpensesDb, actor: Actor, id: number) {
  const row = await getSpending(db, actor, id);
  const approval = await approvalOnRoute(db, actor, row.approval_id);
  const mine = row.user_id === actor.id;
  return {
    row,
    quotes: await q.quotesOf(db, id),
    approval,
    mine,
    can: {
      decide: Boolean(approval?.can.approve),
      sendBack: Boolean(approval?.can.sendBack),
      withdraw: mine && (row.status === 'pending' || row.status === 'changes_requested'),
      resubmit: mine && row.status === 'changes_requested',
    },
  };
}

export async function listMySpending(db: ExpensesDb, actor: Actor, page = 1, perPage = 25) {
  if (actor.id === null) throw forbidden('expenses.not_allowed');
  return q.listSpending(db, { userId: actor.id }, page, perPage);
}

export async function listSpendingToApprove(db: ExpensesDb, actor: Actor) {
  const waiting = await approvals.listRequestsFor(db, actor, { scope: 'to_approve', typeCode: SPENDING_TYPE.code }, 1, 200);
  return q.listSpending(db, { approvalIds: waiting.items.map((r) => r.id) }, 1, 200);
}

async function checkInput(db: ExpensesDb, input: SpendingInput, quoteErrors: string | undefined) {
  const fields: FieldErrors = {};
  const title = input.title.trim();
  if (!title) fields.title = 'field.required';
  const amount = parseEuros(input.amount);
  if (!input.amount.trim()) fields.amount = 'field.required';
  else if (!Number.isFinite(amount) || amount <= 0) fields.amount = 'expenses.amount_invalid';
  else if (amount > 100_000_000_00) fields.amount = 'expenses.amount_too_high';
  const lineId = /^\d{1,9}$/.test(input.budget_line_id) ? Number(input.budget_line_id) : NaN;
  const line = Number.isInteger(lineId) ? await q.findBudgetLine(db, lineId) : undefined;
  if (!input.budget_line_id) fields.budget_line_id = 'field.required';
  else if (!line || !line.active) fields.budget_line_id = 'expenses.budget.unknown';
  let supplierId: number | null = null;
  let supplierName = input.supplier_name.trim().slice(0, 200);
  if (input.supplier_company_id) {
    const company = /^\d{1,9}$/.test(input.supplier_company_id) ? await findCompany(db, Number(input.supplier_company_id)) : undefined;
    if (!company) fields.supplier_company_id = 'expenses.spending.supplier_unknown';
    else {
      supplierId = company.id;
      supplierName = company.name;
    }
  }
  if (!supplierName && !fields.supplier_company_id) fields.supplier_name = 'expenses.spending.supplier_required';
  const justification = input.justification.trim().slice(0, 4000);
  if (!justification) fields.justification = 'field.required';
  if (quoteErrors) fields.quotes = quoteErrors;
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return { title: title.slice(0, 200), amount, line: line!, supplierId, supplierName, justification };
}

/** Files a spending request and submits it at once (manager, then direction above the threshold). */
export async function createSpending(db: ExpensesDb, actor: Actor, input: SpendingInput, quotes: (StoredFile | { error: string })[] = []) {
  assertWrite(actor);
  const bad = quotes.find((x): x is { error: string } => 'error' in x);
  const v = await checkInput(db, input, bad?.error ?? (quotes.length > MAX_QUOTES ? 'expenses.spending.too_many_quotes' : undefined));
  const now = nowIso();
  const row = await db
    .insertInto('expense_spending_requests')
    .values({ user_id: actor.id!, title: v.title, amount_cents: v.amount, budget_line_id: v.line.id, supplier_company_id: v.supplierId, supplier_name: v.supplierName, justification: v.justification, status: 'pending', approval_id: null, submitted_at: now, decided_at: null, reason: null, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const f of quotes as StoredFile[]) await db.insertInto('expense_quotes').values({ spending_request_id: row.id, storage_key: f.storageKey, name: f.name, mime: f.mime, size: f.size, sha256: f.sha256, created_at: now }).execute();
  await record(db, actor, { entity: 'expense_spending_request', entityId: row.id, action: 'create', after: { title: v.title, amount_cents: v.amount, budget_line: v.line.code, supplier_company_id: v.supplierId, supplier_name: v.supplierName, quotes: quotes.length } });
  await approvals.defineSystemType(db, SPENDING_TYPE);
  const approval = await approvals.submitRequest(db, actor, SPENDING_TYPE.code, { amount: v.amount, budget_line: v.line.code }, String(row.id), {
    title: `${v.title} — ${(v.amount / 100).toFixed(2).replace('.', ',')} € (${v.line.code})`,
    href: `/depenses/${row.id}`,
  });
  await db.updateTable('expense_spending_requests').set({ approval_id: approval.id }).where('id', '=', row.id).execute();
  return (await q.findSpending(db, row.id))!;
}

/** After a send back: the requester corrects (amount, budget line, supplier…) and the route starts again. */
export async function resubmitSpending(db: ExpensesDb, actor: Actor, id: number, input: SpendingInput) {
  assertWrite(actor);
  const row = await getSpending(db, actor, id);
  if (row.user_id !== actor.id) throw forbidden('expenses.owner_only');
  if (row.status !== 'changes_requested' || !row.approval_id) throw conflict('expenses.wrong_state');
  const v = await checkInput(db, input, undefined);
  const before = { title: row.title, amount_cents: row.amount_cents, budget_line_id: row.budget_line_id, supplier_name: row.supplier_name };
  await db
    .updateTable('expense_spending_requests')
    .set((eb) => ({ title: v.title, amount_cents: v.amount, budget_line_id: v.line.id, supplier_company_id: v.supplierId, supplier_name: v.supplierName, justification: v.justification, status: 'pending', submitted_at: nowIso(), updated_at: nowIso(), version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .execute();
  await record(db, actor, { entity: 'expense_spending_request', entityId: id, action: 'resubmit', before, after: { title: v.title, amount_cents: v.amount, budget_line_id: v.line.id, supplier_name: v.supplierName, status: 'pending' } });
  const view = await approvals.getRequest(db, actor, row.approval_id);
  await approvals.resubmit(db, actor, row.approval_id, view.request.version, { amount: v.amount, budget_line: v.line.code });
  return (await q.findSpending(db, id))!;
}

export async function withdrawSpending(db: ExpensesDb, actor: Actor, id: number) {
  const row = await getSpending(db, actor, id);
  if (row.user_id !== actor.id) throw forbidden('expenses.owner_only');
  if (!['pending', 'changes_requested'].includes(row.status) || !row.approval_id) throw conflict('expenses.wrong_state');
  const view = await approvals.getRequest(db, actor, row.approval_id);
  await approvals.withdraw(db, actor, row.approval_id, view.request.version);
}

export async function decideSpending(db: ExpensesDb, actor: Actor, id: number, decision: 'approve' | 'refuse' | 'send_back', comment: string) {
  const row = await getSpending(db, actor, id);
  if (!row.approval_id || row.status !== 'pending') throw conflict('expenses.wrong_state');
  const view = await approvalOnRoute(db, actor, row.approval_id);
  if (!view) throw forbidden('expenses.not_your_step');
  const v = view.request.version;
  if (decision === 'approve') await approvals.approve(db, actor, row.approval_id, v, comment || undefined);
  else if (decision === 'refuse') await approvals.refuse(db, actor, row.approval_id, v, comment);
  else await approvals.sendBack(db, actor, row.approval_id, v, comment);
}

const MIRROR: Partial<Record<approvals.RequestStatus, SpendingStatus>> = { pending: 'pending', changes_requested: 'changes_requested', approved: 'approved', refused: 'refused', withdrawn: 'withdrawn' };

export async function onSpendingApproval(db: ExpensesDb, event: approvals.OwnerEvent): Promise<void> {
  const row = await q.findSpendingByApproval(db, event.request.id);
  if (!row) return;
  const to = MIRROR[event.request.status];
  if (!to || to === row.status) return;
  const reason = to === 'refused' || to === 'changes_requested' ? event.comment : row.reason;
  await db.updateTable('expense_spending_requests').set((eb) => ({ status: to, reason, decided_at: nowIso(), updated_at: nowIso(), version: eb('version', '+', 1) })).where('id', '=', row.id).execute();
  await record(db, event.actor, { entity: 'expense_spending_request', entityId: row.id, action: event.action === 'changesRequested' ? 'sent_back' : event.action, before: { status: row.status }, after: { status: to, ...(reason ? { reason } : {}) } });
}
