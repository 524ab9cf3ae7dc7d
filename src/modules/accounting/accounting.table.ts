// Kysely types of the accounting tables (migration 2026-12-07T0100-accounting-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const JOURNAL_CODES = ['VE', 'AC', 'BQ', 'OD', 'HA'] as const;
export type JournalCode = (typeof JOURNAL_CODES)[number];

export interface AccountingJournalsTable {
  code: JournalCode;
  label_fr: string;
  label_en: string;
  position: number;
  last_number: Generated<number>;
}
export type Journal = Selectable<AccountingJournalsTable>;

export interface AccountingAccountsTable {
  number: string;
  label: string;
  active: Generated<number>;
  created_at: string;
}
export type Account = Selectable<AccountingAccountsTable>;

export interface AccountingEntriesTable {
  id: Generated<number>;
  journal_code: JournalCode;
  seq: number;
  number: string;
  entry_date: string;
  label: string;
  piece_ref: string;
  piece_date: string;
  source_module: string;
  source_id: string;
  reverses_id: number | null;
  total_cents: number;
  created_by: number | null;
  created_at: string;
}
export type Entry = Selectable<AccountingEntriesTable>;

export interface AccountingLinesTable {
  id: Generated<number>;
  entry_id: number;
  position: number;
  account: string;
  account_label: string;
  aux_account: string | null;
  aux_label: string | null;
  label: string | null;
  debit_cents: number;
  credit_cents: number;
}
export type Line = Selectable<AccountingLinesTable>;

export interface AccountingClosingsTable {
  id: Generated<number>;
  closed_through: string;
  created_by: number | null;
  created_at: string;
}

export const BATCH_STATUSES = ['created', 'paid'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export interface AccountingPaymentBatchesTable {
  id: Generated<number>;
  message_id: string;
  execution_date: string;
  tx_count: number;
  total_cents: number;
  xml: string;
  status: BatchStatus;
  entry_id: number | null;
  created_by: number | null;
  paid_at: string | null;
  paid_by: number | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type PaymentBatch = Selectable<AccountingPaymentBatchesTable>;

export const ORDER_STATUSES = ['queued', 'batched', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface AccountingPaymentOrdersTable {
  id: Generated<number>;
  beneficiary_name: string;
  iban: string;
  bic: string | null;
  amount_cents: number;
  remittance: string;
  end_to_end_id: string;
  account: string;
  aux_account: string | null;
  aux_label: string | null;
  ordered_by: number;
  source_module: string;
  source_id: string;
  status: OrderStatus;
  batch_id: number | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type PaymentOrder = Selectable<AccountingPaymentOrdersTable>;

export interface AccountingTables extends PlatformTables {
  accounting_journals: AccountingJournalsTable;
  accounting_accounts: AccountingAccountsTable;
  accounting_entries: AccountingEntriesTable;
  accounting_lines: AccountingLinesTable;
  accounting_closings: AccountingClosingsTable;
  accounting_payment_batches: AccountingPaymentBatchesTable;
  accounting_payment_orders: AccountingPaymentOrdersTable;
}
export type AccountingDb = ModuleDb<AccountingTables>;

/** A row of the entries list (books.queries.ts entriesPage). */
export interface EntryListRow {
  id: number;
  journal_code: JournalCode;
  number: string;
  entry_date: string;
  label: string;
  piece_ref: string;
  source_module: string;
  source_id: string;
  total_cents: number;
  reverses_id: number | null;
}

/** A row of the trial balance: the period's sums of one account. */
export interface BalanceRow {
  account: string;
  label: string;
  debit: number;
  credit: number;
}

/** A line of an account's general ledger. */
export interface LedgerRow {
  entry_id: number;
  number: string;
  journal_code: JournalCode;
  entry_date: string;
  piece_ref: string;
  label: string;
  aux_account: string | null;
  debit_cents: number;
  credit_cents: number;
}

/** A batch without its XML (lists). */
export type BatchSummary = Omit<PaymentBatch, 'xml'>;
