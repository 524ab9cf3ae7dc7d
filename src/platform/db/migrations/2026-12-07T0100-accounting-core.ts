// Accounting (issues #13, #15): journals, a chart of accounts (PCG subset), entries and their
// lines (integer cents, debit XOR credit), gapless per-journal numbering, closings, payment
// orders and SEPA batches (pain.001 XML stored). Posted entries are never updated: a correction
// is a reversal entry. See src/modules/accounting/README.md and ADR 0010.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await db.schema
    .createTable('accounting_journals')
    .addColumn('code', 'text', (c) => c.primaryKey()) // VE, AC, BQ, OD, HA
    .addColumn('label_fr', 'text', (c) => c.notNull())
    .addColumn('label_en', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_number', 'integer', (c) => c.notNull().defaultTo(0)) // gapless sequence
    .execute();

  await db.schema
    .createTable('accounting_accounts')
    .addColumn('number', 'text', (c) => c.primaryKey()) // PCG account number, e.g. 6251
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('accounting_entries'))
    .addColumn('journal_code', 'text', (c) => c.notNull().references('accounting_journals.code'))
    .addColumn('seq', 'integer', (c) => c.notNull()) // per journal, gapless, in posting order
    .addColumn('number', 'text', (c) => c.notNull().unique()) // journal + seq: VE000001
    .addColumn('entry_date', 'text', (c) => c.notNull()) // YYYY-MM-DD (EcritureDate)
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('piece_ref', 'text', (c) => c.notNull())
    .addColumn('piece_date', 'text', (c) => c.notNull())
    .addColumn('source_module', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('reverses_id', 'integer') // the entry this one cancels
    .addColumn('total_cents', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('accounting_entries_seq_uq', ['journal_code', 'seq'])
    .execute();
  // FEC order (date, journal, seq) and the keyset pages of the export
  await db.schema.createIndex('accounting_entries_date_idx').on('accounting_entries').columns(['entry_date', 'journal_code', 'seq']).execute();
  await db.schema.createIndex('accounting_entries_source_idx').on('accounting_entries').columns(['source_module', 'source_id']).execute();

  await withId(db, db.schema.createTable('accounting_lines'))
    .addColumn('entry_id', 'integer', (c) => c.notNull().references('accounting_entries.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('account_label', 'text', (c) => c.notNull())
    .addColumn('aux_account', 'text')
    .addColumn('aux_label', 'text')
    .addColumn('label', 'text')
    .addColumn('debit_cents', 'bigint', (c) => c.notNull())
    .addColumn('credit_cents', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounting_lines_entry_idx').on('accounting_lines').columns(['entry_id', 'position']).execute();
  await db.schema.createIndex('accounting_lines_account_idx').on('accounting_lines').columns(['account', 'entry_id']).execute();

  await withId(db, db.schema.createTable('accounting_closings'))
    .addColumn('closed_through', 'text', (c) => c.notNull()) // no posting on or before this date
    .addColumn('created_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('accounting_payment_batches')))
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('execution_date', 'text', (c) => c.notNull())
    .addColumn('tx_count', 'integer', (c) => c.notNull())
    .addColumn('total_cents', 'bigint', (c) => c.notNull())
    .addColumn('xml', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // created | paid
    .addColumn('entry_id', 'integer') // the BQ entry
    .addColumn('created_by', 'integer')
    .addColumn('paid_at', ts)
    .addColumn('paid_by', 'integer')
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('accounting_payment_orders')))
    .addColumn('beneficiary_name', 'text', (c) => c.notNull())
    .addColumn('iban', 'text', (c) => c.notNull())
    .addColumn('bic', 'text')
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('remittance', 'text', (c) => c.notNull())
    .addColumn('end_to_end_id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull()) // debited when paid: 401, 421…
    .addColumn('aux_account', 'text')
    .addColumn('aux_label', 'text')
    .addColumn('ordered_by', 'integer', (c) => c.notNull())
    .addColumn('source_module', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // queued | batched | cancelled
    .addColumn('batch_id', 'integer', (c) => c.references('accounting_payment_batches.id'))
    .addColumn('created_by', 'integer')
    .execute();
  await db.schema.createIndex('accounting_payment_orders_status_idx').on('accounting_payment_orders').columns(['status', 'id']).execute();
  await db.schema.createIndex('accounting_payment_orders_batch_idx').on('accounting_payment_orders').column('batch_id').execute();
  await db.schema.createIndex('accounting_payment_orders_source_idx').on('accounting_payment_orders').columns(['source_module', 'source_id']).execute();

  // Reference data every CCI needs (not demo data): the five journals and the PCG accounts the
  // modules post to. The accounting pages add accounts; journals are fixed.
  await db
    .insertInto('accounting_journals')
    .values([
      { code: 'VE', label_fr: 'Ventes', label_en: 'Sales', position: 1 },
      { code: 'AC', label_fr: 'Achats', label_en: 'Purchases', position: 2 },
      { code: 'HA', label_fr: 'Notes de frais', label_en: 'Expense claims', position: 3 },
      { code: 'BQ', label_fr: 'Banque', label_en: 'Bank', position: 4 },
      { code: 'OD', label_fr: 'Opérations diverses', label_en: 'Miscellaneous operations', position: 5 },
    ])
    .execute();
  const now = new Date().toISOString();
  await db
    .insertInto('accounting_accounts')
    .values(CHART.map(([number, label]) => ({ number, label, created_at: now })))
    .execute();
}

/** PCG subset used by the modules (plan comptable général). */
const CHART: [string, string][] = [
  ['401', 'Fournisseurs'],
  ['411', 'Clients'],
  ['421', 'Personnel - rémunérations dues'],
  ['425', 'Personnel - avances et acomptes'],
  ['44566', 'TVA déductible sur autres biens et services'],
  ['44571', 'TVA collectée'],
  ['512', 'Banque'],
  ['6064', 'Fournitures administratives'],
  ['6226', 'Honoraires'],
  ['6251', 'Voyages et déplacements'],
  ['6256', 'Missions'],
  ['6257', 'Réceptions'],
  ['626', 'Frais postaux et de télécommunications'],
  ['641', 'Rémunérations du personnel'],
  ['706', 'Prestations de services'],
  ['7061', 'Prestations de formation'],
  ['758', 'Produits divers de gestion courante'],
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['accounting_payment_orders', 'accounting_payment_batches', 'accounting_closings', 'accounting_lines', 'accounting_entries', 'accounting_accounts', 'accounting_journals']) {
    await db.schema.dropTable(t).execute();
  }
}
