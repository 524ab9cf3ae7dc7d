// SQL of the expenses module: (db, …) → rows. No rules, no permissions.
import type { ClaimLine, ClaimRow, ClaimStatus, ExpenseRate, ExpensesDb, RateKind, SpendingStatus } from './expenses.table.js';
import { HOLDING_CLAIM } from './expenses.table.js';

// ——— configuration

export function listRates(db: ExpensesDb, kind?: RateKind): Promise<ExpenseRate[]> {
  let q = db.selectFrom('expense_rates').selectAll();
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('kind').orderBy('valid_from', 'desc').execute();
}

export function findRate(db: ExpensesDb, kind: RateKind, validFrom: string) {
  return db.selectFrom('expense_rates').select('id').where('kind', '=', kind).where('valid_from', '=', validFrom).executeTakeFirst();
}

export function listBudgetLines(db: ExpensesDb, activeOnly = false) {
  let q = db.selectFrom('expense_budget_lines').selectAll();
  if (activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('code').execute();
}

export function findBudgetLine(db: ExpensesDb, id: number) {
  return db.selectFrom('expense_budget_lines').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findBudgetLineByCode(db: ExpensesDb, code: string) {
  return db.selectFrom('expense_budget_lines').selectAll().where('code', '=', code).executeTakeFirst();
}

export function findProfile(db: ExpensesDb, userId: number) {
  return db.selectFrom('expense_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export function findUser(db: ExpensesDb, id: number) {
  return db.selectFrom('users').select(['id', 'name', 'email', 'manager_id', 'status']).where('id', '=', id).executeTakeFirst();
}

// ——— claims

export type { ClaimRow };

const claimQuery = (db: ExpensesDb) => db.selectFrom('expense_claims as c').innerJoin('users as u', 'u.id', 'c.user_id').selectAll('c').select(['u.name as user_name', 'u.manager_id']);

export function findClaim(db: ExpensesDb, id: number): Promise<ClaimRow | undefined> {
  return claimQuery(db).where('c.id', '=', id).executeTakeFirst();
}

export function findClaimByApproval(db: ExpensesDb, approvalId: number) {
  return db.selectFrom('expense_claims').selectAll().where('approval_id', '=', approvalId).executeTakeFirst();
}

export interface ClaimFilter {
  userId?: number;
  statuses?: readonly ClaimStatus[];
  approvalIds?: number[];
}

export async function listClaims(db: ExpensesDb, f: ClaimFilter, page: number, perPage: number): Promise<{ items: ClaimRow[]; total: number }> {
  let q = db.selectFrom('expense_claims as c');
  if (f.userId !== undefined) q = q.where('c.user_id', '=', f.userId);
  if (f.statuses?.length) q = q.where('c.status', 'in', [...f.statuses]);
  if (f.approvalIds) q = f.approvalIds.length ? q.where('c.approval_id', 'in', f.approvalIds) : q.where('c.id', '=', -1);
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = await q
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .selectAll('c')
    .select(['u.name as user_name', 'u.manager_id'])
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { items, total };
}

export function linesOf(db: ExpensesDb, claimId: number): Promise<ClaimLine[]> {
  return db.selectFrom('expense_lines').selectAll().where('claim_id', '=', claimId).orderBy('spent_on').orderBy('id').execute();
}

export function findLine(db: ExpensesDb, claimId: number, lineId: number) {
  return db.selectFrom('expense_lines').selectAll().where('claim_id', '=', claimId).where('id', '=', lineId).executeTakeFirst();
}

/** The person's mileage of a year on claims already sent (not this one): distance and allowance granted. */
export async function mileageOfYear(db: ExpensesDb, userId: number, year: string, exceptClaimId: number): Promise<{ km: number; cents: number }> {
  const row = await db
    .selectFrom('expense_lines as l')
    .innerJoin('expense_claims as c', 'c.id', 'l.claim_id')
    .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('l.distance_km'), eb.lit(0)).as('km'), eb.fn.coalesce(eb.fn.sum<number>('l.refund_cents'), eb.lit(0)).as('cents')])
    .where('c.user_id', '=', userId)
    .where('c.id', '<>', exceptClaimId)
    .where('c.status', 'in', [...HOLDING_CLAIM])
    .where('l.category', '=', 'mileage')
    .where('l.spent_on', '>=', `${year}-01-01`)
    .where('l.spent_on', '<=', `${year}-12-31`)
    .executeTakeFirstOrThrow();
  return { km: Number(row.km), cents: Number(row.cents) };
}

export type DuplicateRow = { line_id: number; claim_id: number; user_id: number; user_name: string; spent_on: string; amount_cents: number; supplier: string; same_file: number };

/**
 * Other lines (any person's claim that is not a draft, refused or withdrawn — or this claim's
 * other lines) that look like the same receipt: same amount, day and supplier, or the same file.
 */
export async function duplicatesOf(db: ExpensesDb, line: ClaimLine): Promise<DuplicateRow[]> {
  const supplier = line.supplier.trim().toLowerCase();
  const rows = await db
    .selectFrom('expense_lines as l')
    .innerJoin('expense_claims as c', 'c.id', 'l.claim_id')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select(['l.id as line_id', 'l.claim_id', 'c.user_id', 'u.name as user_name', 'l.spent_on', 'l.amount_cents', 'l.supplier', 'l.receipt_sha256'])
    .where('l.id', '<>', line.id)
    .where((eb) => eb.or([eb('c.status', 'in', [...HOLDING_CLAIM]), eb('c.id', '=', line.claim_id)]))
    .where((eb) => {
      const same = [];
      if (supplier && line.category !== 'mileage') same.push(eb.and([eb('l.spent_on', '=', line.spent_on), eb('l.amount_cents', '=', line.amount_cents)]));
      if (line.receipt_sha256) same.push(eb('l.receipt_sha256', '=', line.receipt_sha256));
      return same.length ? eb.or(same) : eb.lit(false);
    })
    .limit(20)
    .execute();
  return rows
    .map((r) => ({ line_id: r.line_id, claim_id: r.claim_id, user_id: r.user_id, user_name: r.user_name, spent_on: r.spent_on, amount_cents: r.amount_cents, supplier: r.supplier, same_file: line.receipt_sha256 && r.receipt_sha256 === line.receipt_sha256 ? 1 : 0 }))
    .filter((r) => r.same_file || (supplier !== '' && r.supplier.trim().toLowerCase() === supplier));
}

// ——— spending requests

export type SpendingRow = Awaited<ReturnType<typeof findSpending>> & object;

const spendingQuery = (db: ExpensesDb) =>
  db
    .selectFrom('expense_spending_requests as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('expense_budget_lines as b', 'b.id', 's.budget_line_id')
    .selectAll('s')
    .select(['u.name as user_name', 'b.code as budget_code', 'b.label as budget_label']);

export function findSpending(db: ExpensesDb, id: number) {
  return spendingQuery(db).where('s.id', '=', id).executeTakeFirst();
}

export function findSpendingByApproval(db: ExpensesDb, approvalId: number) {
  return db.selectFrom('expense_spending_requests').selectAll().where('approval_id', '=', approvalId).executeTakeFirst();
}

export async function listSpending(db: ExpensesDb, f: { userId?: number; approvalIds?: number[]; status?: SpendingStatus }, page: number, perPage: number) {
  let q = db.selectFrom('expense_spending_requests as s');
  if (f.userId !== undefined) q = q.where('s.user_id', '=', f.userId);
  if (f.status) q = q.where('s.status', '=', f.status);
  if (f.approvalIds) q = f.approvalIds.length ? q.where('s.approval_id', 'in', f.approvalIds) : q.where('s.id', '=', -1);
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = await q
    .innerJoin('users as u', 'u.id', 's.user_id')
    .innerJoin('expense_budget_lines as b', 'b.id', 's.budget_line_id')
    .selectAll('s')
    .select(['u.name as user_name', 'b.code as budget_code', 'b.label as budget_label'])
    .orderBy('s.updated_at', 'desc')
    .orderBy('s.id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { items, total };
}

export function quotesOf(db: ExpensesDb, spendingId: number) {
  return db.selectFrom('expense_quotes').selectAll().where('spending_request_id', '=', spendingId).orderBy('id').execute();
}

export function findQuote(db: ExpensesDb, spendingId: number, quoteId: number) {
  return db.selectFrom('expense_quotes').selectAll().where('spending_request_id', '=', spendingId).where('id', '=', quoteId).executeTakeFirst();
}
