// Payment orders (what other modules ask accounting to pay: expense refunds, trainer pay) and
// SEPA batches: the queued orders become one pain.001 file and one bank entry (BQ: debit the
// payee's account 401/421, credit 512). The one who ordered a spending never pays it.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, forbidden, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import type { AccountingDb, PaymentBatch, PaymentOrder } from './accounting.table.js';
import { isIsoDate } from './dates.js';
import { ACCOUNT_RE, AUX_RE, MAX_CENTS, postEntry } from './entries.service.js';
import * as eq from './entries.queries.js';
import { isValidBic, isValidIban, normaliseBic, normaliseIban, sepaId, sepaText } from './iban.js';
import * as q from './payments.queries.js';
import { assertCanManage, mayPay, orderedByActor } from './policy.js';
import { buildPain001, type Debtor } from './sepa.js';

export interface PaymentOrderInput {
  beneficiaryName: string;
  iban: string;
  bic?: string | null;
  amountCents: number;
  /** ≤ 140 characters: the Ustrd the payee reads on their statement */
  remittance: string;
  endToEndId?: string;
  /** user id of who ordered or approved the spending: they may not pay it */
  orderedBy: number;
  source: { module: string; id: number | string };
  /** account debited when paid: 401 (suppliers, default) or 421 (staff) … */
  account?: string;
  /** auxiliary account of the payee (supplier or staff code) */
  auxAccount?: string | null;
  auxLabel?: string | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export async function queuePayment(db: AccountingDb, actor: Actor, input: PaymentOrderInput): Promise<{ id: number }> {
  const fields: FieldErrors = {};
  const name = str(input.beneficiaryName);
  if (!name || !sepaText(name, 70)) fields.beneficiaryName = 'field.required';
  else if (name.length > 140) fields.beneficiaryName = 'accounting.too_long';
  if (!isValidIban(str(input.iban))) fields.iban = 'accounting.iban_invalid';
  const bic = str(input.bic ?? '');
  if (bic && !isValidBic(bic)) fields.bic = 'accounting.bic_invalid';
  if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0 || input.amountCents > MAX_CENTS) fields.amountCents = 'accounting.amount_invalid';
  const remittance = str(input.remittance);
  if (!remittance) fields.remittance = 'field.required';
  else if (remittance.length > 140) fields.remittance = 'accounting.remittance_too_long';
  const e2e = str(input.endToEndId ?? '');
  if (e2e && (e2e.length > 35 || !/^[A-Za-z0-9/\-?:().,'+]+$/.test(e2e))) fields.endToEndId = 'accounting.id_invalid';
  if (!Number.isSafeInteger(input.orderedBy) || input.orderedBy <= 0) fields.orderedBy = 'accounting.ordered_by_required';
  if (!input.source || !str(input.source.module) || str(String(input.source.id ?? '')) === '') fields.source = 'accounting.source_required';
  const named = str(input.account ?? '');
  if (named && !ACCOUNT_RE.test(named)) fields.account = 'accounting.account_invalid';
  const aux = str(input.auxAccount ?? '');
  if (aux && !AUX_RE.test(aux)) fields.auxAccount = 'accounting.aux_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const now = nowIso();
  const sourceId = String(input.source.id).trim();
  // No account named: the one the source's entry credited (an expense claim's 421 and its aux),
  // else 401. createPaymentBatch looks again for orders queued before their entry was posted.
  const credited = named ? undefined : await eq.creditedThirdParty(db, input.source.module.trim(), sourceId);
  const account = named || credited?.account || '401';
  const row = await db
    .insertInto('accounting_payment_orders')
    .values({
      beneficiary_name: name,
      iban: normaliseIban(input.iban),
      bic: bic ? normaliseBic(bic) : null,
      amount_cents: input.amountCents,
      remittance,
      end_to_end_id: e2e || sepaId(`${input.source.module}-${sourceId}`),
      account,
      aux_account: aux || (named ? null : (credited?.aux_account ?? null)),
      aux_label: str(input.auxLabel ?? '') || (named || aux ? null : (credited?.aux_label ?? null)),
      ordered_by: input.orderedBy,
      source_module: input.source.module.trim(),
      source_id: sourceId,
      status: 'queued',
      batch_id: null,
      created_by: actor.id,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await record(db, actor, {
    entity: 'accounting_payment_order',
    entityId: row.id,
    action: 'queue',
    after: { beneficiary: name, amountCents: input.amountCents, account, orderedBy: input.orderedBy, source: `${input.source.module}:${sourceId}` },
  });
  return { id: row.id };
}

/** The CCI's account the transfers leave from, or undefined when nobody set it yet. */
export async function getDebtor(db: AccountingDb): Promise<Debtor | undefined> {
  const json = await q.storedDebtor(db);
  if (!json) return undefined;
  const v: unknown = JSON.parse(json);
  if (!v || typeof v !== 'object') return undefined;
  const { name, iban, bic } = v as Record<string, unknown>;
  return typeof name === 'string' && typeof iban === 'string' && typeof bic === 'string' ? { name, iban, bic } : undefined;
}

export async function setDebtorAccount(db: AccountingDb, actor: Actor, input: { name: string; iban: string; bic: string }): Promise<Debtor> {
  if (actor.kind !== 'system') assertCanManage(actor);
  const fields: FieldErrors = {};
  const name = str(input.name);
  if (!name || !sepaText(name, 70)) fields.name = 'field.required';
  else if (name.length > 70) fields.name = 'accounting.too_long';
  if (!isValidIban(str(input.iban))) fields.iban = 'accounting.iban_invalid';
  if (!isValidBic(str(input.bic))) fields.bic = 'accounting.bic_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const before = await getDebtor(db);
  const debtor = { name, iban: normaliseIban(input.iban), bic: normaliseBic(input.bic) };
  await q.storeDebtor(db, JSON.stringify(debtor), nowIso());
  await record(db, actor, { entity: 'setting', entityId: q.DEBTOR_SETTING, action: 'update', before: { ...before }, after: { ...debtor } });
  return debtor;
}

export interface BatchInput {
  executionDate: string;
  orderIds?: number[];
}

export async function createPaymentBatch(db: AccountingDb, actor: Actor, input: BatchInput): Promise<{ id: number; messageId: string; count: number; totalCents: number }> {
  if (!mayPay(actor)) throw forbidden('accounting.not_allowed');
  if (!isIsoDate(input.executionDate)) throw invalid('common.invalid', { executionDate: 'accounting.date_invalid' });
  const closed = await eq.closedThrough(db);
  if (closed && input.executionDate <= closed) throw invalid('common.invalid', { executionDate: 'accounting.period_closed' });
  let orders: PaymentOrder[];
  if (input.orderIds !== undefined) {
    const ids = [...new Set(input.orderIds)];
    if (!ids.every((id) => Number.isSafeInteger(id) && id > 0)) throw invalid('common.invalid', { orderIds: 'accounting.orders_not_queued' });
    orders = await q.ordersByIds(db, ids);
    if (orders.length !== ids.length || orders.some((o) => o.status !== 'queued')) throw invalid('common.invalid', { orderIds: 'accounting.orders_not_queued' });
  } else {
    orders = await q.ordersByStatus(db, 'queued', 5000);
  }
  if (!orders.length) throw invalid('common.invalid', { orderIds: 'accounting.batch_empty' });
  if (orderedByActor(actor, orders)) throw forbidden('accounting.batch_self_ordered');
  const debtor = await getDebtor(db);
  if (!debtor) throw invalid('accounting.debtor_missing', { _form: 'accounting.debtor_missing' });

  const now = nowIso();
  const total = orders.reduce((s, o) => s + o.amount_cents, 0);
  const provisional = `P${randomBytes(12).toString('hex')}`;
  const batch = await db
    .insertInto('accounting_payment_batches')
    .values({ message_id: provisional, execution_date: input.executionDate, tx_count: orders.length, total_cents: total, xml: '', status: 'created', entry_id: null, created_by: actor.id, paid_at: null, paid_by: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const messageId = sepaId(`CCI-${now.slice(0, 10).replaceAll('-', '')}-${batch.id}`);
  const xml = buildPain001({
    messageId,
    createdAt: now,
    executionDate: input.executionDate,
    debtor,
    transfers: orders.map((o) => ({ endToEndId: o.end_to_end_id, amountCents: o.amount_cents, name: o.beneficiary_name, iban: o.iban, bic: o.bic, remittance: o.remittance })),
  });
  const updated = await q.markBatched(db, orders.map((o) => o.id), batch.id, now);
  if (updated !== orders.length) throw conflict('accounting.orders_changed');
  // Orders that named no account and found no entry when queued: the source may have posted since.
  for (const o of orders) {
    if (o.account !== '401' || o.aux_account) continue;
    const credited = await eq.creditedThirdParty(db, o.source_module, o.source_id);
    if (!credited) continue;
    Object.assign(o, { account: credited.account, aux_account: credited.aux_account, aux_label: credited.aux_label });
    await q.settleOn(db, o.id, credited);
  }
  const labels = new Map<string, string>();
  for (const o of orders) if (!labels.has(o.account)) labels.set(o.account, (await eq.findAccount(db, o.account))?.label ?? o.account);
  const entry = await postEntry(db, actor, {
    journal: 'BQ',
    date: input.executionDate,
    label: `Virements SEPA ${messageId}`,
    pieceRef: messageId,
    source: { module: 'accounting', id: batch.id },
    lines: [
      ...orders.map((o) => ({
        account: o.account,
        accountLabel: labels.get(o.account) ?? o.account,
        auxAccount: o.aux_account,
        auxLabel: o.aux_label ?? (o.aux_account ? o.beneficiary_name : null),
        label: o.remittance.slice(0, 200),
        debitCents: o.amount_cents,
        creditCents: 0,
      })),
      { account: '512', accountLabel: (await eq.findAccount(db, '512'))?.label ?? 'Banque', label: `Virements SEPA ${messageId}`, debitCents: 0, creditCents: total },
    ],
  });
  await db.updateTable('accounting_payment_batches').set({ message_id: messageId, xml, entry_id: entry.id }).where('id', '=', batch.id).execute();
  await record(db, actor, {
    entity: 'accounting_payment_batch',
    entityId: batch.id,
    action: 'create',
    after: { messageId, executionDate: input.executionDate, count: orders.length, totalCents: total, orders: orders.map((o) => o.id).join(','), entry: entry.number },
  });
  return { id: batch.id, messageId, count: orders.length, totalCents: total };
}

export async function getBatch(db: AccountingDb, id: number): Promise<{ batch: PaymentBatch; orders: PaymentOrder[] }> {
  const batch = await q.findBatch(db, id);
  if (!batch) throw notFound('accounting.batch_not_found');
  return { batch, orders: await q.ordersOfBatch(db, id) };
}

/** The bank executed the file: the batch is paid (its bank entry was posted when it was created). */
export async function markBatchPaid(db: AccountingDb, actor: Actor, id: number, version: number): Promise<void> {
  assertCanManage(actor);
  const { batch, orders } = await getBatch(db, id);
  if (batch.status === 'paid') throw conflict('accounting.batch_already_paid');
  if (orderedByActor(actor, orders)) throw forbidden('accounting.batch_self_ordered');
  const now = nowIso();
  const res = await db
    .updateTable('accounting_payment_batches')
    .set((eb) => ({ status: 'paid' as const, paid_at: now, paid_by: actor.id, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'created')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('common.stale_version');
  await record(db, actor, { entity: 'accounting_payment_batch', entityId: id, action: 'paid', before: { status: batch.status }, after: { status: 'paid' } });
}

/** Cancels a queued order (the source withdrew it); batched orders are not cancelled. */
export async function cancelOrder(db: AccountingDb, actor: Actor, id: number): Promise<void> {
  const [order] = await q.ordersByIds(db, [id]);
  if (!order) throw notFound('accounting.order_not_found');
  if (order.status !== 'queued') throw conflict('accounting.order_not_queued');
  const now = nowIso();
  await db.updateTable('accounting_payment_orders').set((eb) => ({ status: 'cancelled' as const, updated_at: now, version: eb('version', '+', 1) })).where('id', '=', id).where('status', '=', 'queued').execute();
  await record(db, actor, { entity: 'accounting_payment_order', entityId: id, action: 'cancel', before: { status: 'queued' }, after: { status: 'cancelled' } });
}

export function ordersOfSource(db: AccountingDb, module: string, id: string): Promise<PaymentOrder[]> {
  return q.ordersFromSource(db, module, id);
}
