// SQL of payment orders, batches and the debtor account (a row of the platform's settings).
import type { AccountingDb, BatchSummary, OrderStatus, PaymentBatch, PaymentOrder } from './accounting.table.js';

export type { BatchSummary };

export const DEBTOR_SETTING = 'accounting.debtor';

export async function storedDebtor(db: AccountingDb): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', DEBTOR_SETTING).executeTakeFirst();
  return row?.value;
}

export async function storeDebtor(db: AccountingDb, json: string, now: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key: DEBTOR_SETTING, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute();
}

export function ordersByStatus(db: AccountingDb, status: OrderStatus, limit = 500): Promise<PaymentOrder[]> {
  return db.selectFrom('accounting_payment_orders').selectAll().where('status', '=', status).orderBy('id').limit(limit).execute();
}

export function ordersByIds(db: AccountingDb, ids: readonly number[]): Promise<PaymentOrder[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('accounting_payment_orders').selectAll().where('id', 'in', [...ids]).orderBy('id').execute();
}

export function ordersOfBatch(db: AccountingDb, batchId: number): Promise<PaymentOrder[]> {
  return db.selectFrom('accounting_payment_orders').selectAll().where('batch_id', '=', batchId).orderBy('id').execute();
}

export function ordersFromSource(db: AccountingDb, module: string, id: string): Promise<PaymentOrder[]> {
  return db.selectFrom('accounting_payment_orders').selectAll().where('source_module', '=', module).where('source_id', '=', id).orderBy('id').execute();
}

export async function markBatched(db: AccountingDb, ids: readonly number[], batchId: number, now: string): Promise<number> {
  const res = await db
    .updateTable('accounting_payment_orders')
    .set((eb) => ({ status: 'batched' as const, batch_id: batchId, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', 'in', [...ids])
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export function findBatch(db: AccountingDb, id: number): Promise<PaymentBatch | undefined> {
  return db.selectFrom('accounting_payment_batches').selectAll().where('id', '=', id).executeTakeFirst();
}

export function latestBatch(db: AccountingDb): Promise<PaymentBatch | undefined> {
  return db.selectFrom('accounting_payment_batches').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export function listBatches(db: AccountingDb, limit = 100, offset = 0): Promise<BatchSummary[]> {
  return db
    .selectFrom('accounting_payment_batches')
    .select(['id', 'message_id', 'execution_date', 'tx_count', 'total_cents', 'status', 'entry_id', 'created_by', 'paid_at', 'paid_by', 'created_at', 'updated_at', 'version'])
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export function queuedWithNames(db: AccountingDb, limit = 500) {
  return db
    .selectFrom('accounting_payment_orders as o')
    .leftJoin('users as u', 'u.id', 'o.ordered_by')
    .selectAll('o')
    .select('u.name as ordered_by_name')
    .where('o.status', '=', 'queued')
    .orderBy('o.id')
    .limit(limit)
    .execute();
}

export async function userName(db: AccountingDb, id: number | null): Promise<string | null> {
  if (id === null) return null;
  const row = await db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}

/** The account (and aux) an order settles, found at batch time. */
export async function settleOn(db: AccountingDb, id: number, on: { account: string; aux_account: string | null; aux_label: string | null }): Promise<void> {
  await db.updateTable('accounting_payment_orders').set({ account: on.account, aux_account: on.aux_account, aux_label: on.aux_label }).where('id', '=', id).execute();
}
