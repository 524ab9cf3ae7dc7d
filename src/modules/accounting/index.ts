// Accounting (issues #13 and #15): journals, chart of accounts, balanced entries with gapless
// numbering, period closing, FEC export, payment orders and SEPA pain.001 batches. Other
// modules post entries and queue payments through the functions below (the contract in
// README.md). See README.md and docs/decisions/0010-accounting-entries.md.
import type { Actor } from '../../platform/audit/audit.js';
import type { CallerDb } from '../../platform/db/typed.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { accountingApiRoutes, accountingWebRoutes } from './accounting.routes.js';
import * as entries from './entries.service.js';
import { accountingMessages } from './messages.js';
import * as payments from './payments.service.js';
import { seedAccounting } from './seed.js';

export { isValidBic, isValidIban, normaliseIban } from './iban.js';
export type { EntryInput, EntryLineInput } from './entries.service.js';
export type { PaymentOrderInput } from './payments.service.js';

export const accountingModule = defineModule({
  name: 'accounting',
  messages: accountingMessages,
  nav: [
    { section: 'nav.section.accounting', label: 'accounting.nav.entries', href: '/comptabilite', permission: 'accounting:read', order: 1 },
    { section: 'nav.section.accounting', label: 'accounting.nav.balance', href: '/comptabilite/balance', permission: 'accounting:read', order: 2 },
    { section: 'nav.section.accounting', label: 'accounting.nav.ledger', href: '/comptabilite/grand-livre', permission: 'accounting:read', order: 3 },
    { section: 'nav.section.accounting', label: 'accounting.nav.payments', href: '/comptabilite/virements', permission: 'accounting:read', order: 4 },
    { section: 'nav.section.accounting', label: 'accounting.nav.fec', href: '/comptabilite/fec', permission: 'accounting:read', order: 5 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, accountingWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, accountingApiRoutes),
  seedDemo: seedAccounting,
});

/**
 * Posts a balanced entry in the caller's transaction: ≥ 2 lines, each a debit XOR a credit in
 * integer cents ≥ 0, Σ debit = Σ credit > 0, a known journal, a calendar date after the last
 * closing. Numbers it (journal + gapless sequence: VE000042) and audits it. Throws AppError
 * invalid (422) naming the field (journal, date, lines, lines.N.debitCents…) otherwise.
 */
export function postEntry(db: CallerDb, actor: Actor, input: entries.EntryInput): Promise<{ id: number; number: string }> {
  return entries.postEntry(db, actor, input);
}

/** Queues a transfer to pay; refuses an invalid IBAN (field 'iban'), BIC ('bic'), amount… with a 422; audits. */
export function queuePayment(db: CallerDb, actor: Actor, input: payments.PaymentOrderInput): Promise<{ id: number }> {
  return payments.queuePayment(db, actor, input);
}

/**
 * Batches the queued orders (or the given ones) into one pain.001 file and one bank entry (BQ:
 * debit each order's account 401/421 with its auxiliary, credit 512). Needs accounting:manage
 * (or the system actor); refuses (403) if the actor is the `orderedBy` of any order; 422 when
 * there is nothing to pay or the CCI's debtor account is not set (setDebtorAccount). Audits.
 */
export function createPaymentBatch(db: CallerDb, actor: Actor, input: { executionDate: string; orderIds?: number[] }): Promise<{ id: number; messageId: string; count: number; totalCents: number }> {
  return payments.createPaymentBatch(db, actor, input);
}

/** Sets the CCI's bank account transfers leave from (name ≤ 70, IBAN, BIC); accounting:manage or the system actor. */
export function setDebtorAccount(db: CallerDb, actor: Actor, input: { name: string; iban: string; bic: string }): Promise<{ name: string; iban: string; bic: string }> {
  return payments.setDebtorAccount(db, actor, input);
}

/** The payment orders queued for a source record, with their status (queued, batched, cancelled) and batch. */
export async function paymentOrdersOf(db: CallerDb, source: { module: string; id: number | string }): Promise<{ id: number; status: string; batchId: number | null; amountCents: number }[]> {
  const rows = await payments.ordersOfSource(db, source.module, String(source.id));
  return rows.map((o) => ({ id: o.id, status: o.status, batchId: o.batch_id, amountCents: o.amount_cents }));
}

/** Withdraws a queued order (its source was cancelled); 409 once it is in a batch. Audited. */
export function cancelPaymentOrder(db: CallerDb, actor: Actor, id: number): Promise<void> {
  return payments.cancelOrder(db, actor, id);
}

/** The entries posted for a source record (id, number, journal, date). */
export async function entriesOf(db: CallerDb, source: { module: string; id: number | string }): Promise<{ id: number; number: string; journal: string; date: string }[]> {
  const rows = await entries.entriesOfSource(db, source.module, String(source.id));
  return rows.map((e) => ({ id: e.id, number: e.number, journal: e.journal_code, date: e.entry_date }));
}
