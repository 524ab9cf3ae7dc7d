// Expenses (M10): dated rates and ceilings (seeded with the 2026 values of DOMAIN.md), budget
// lines, each staff member's expenses profile (IBAN, car), expense claims and their lines with
// receipts, spending requests and their quotes. Money in integer cents.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

const band = (upToKm: number | null, perKm: number, fixed = 0) => ({ upToKm, perKm, fixed });
/** Barème kilométrique (unchanged since 2023): ≤3, 4, 5, 6, ≥7 CV; bands ≤5,000, 5,001–20,000, >20,000 km; electric +20 %. */
const SCALE = {
  classes: [
    { maxCv: 3, bands: [band(5000, 0.529), band(20000, 0.316, 1065), band(null, 0.37)] },
    { maxCv: 4, bands: [band(5000, 0.606), band(20000, 0.34, 1330), band(null, 0.407)] },
    { maxCv: 5, bands: [band(5000, 0.636), band(20000, 0.357, 1395), band(null, 0.427)] },
    { maxCv: 6, bands: [band(5000, 0.665), band(20000, 0.374, 1457), band(null, 0.447)] },
    { maxCv: null, bands: [band(5000, 0.697), band(20000, 0.394, 1515), band(null, 0.47)] },
  ],
  electricBonusPct: 20,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withId(db, db.schema.createTable('expense_rates'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'integer')
    .addColumn('scale', 'text')
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('expense_rates_uq', ['kind', 'valid_from'])
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('expense_budget_lines')))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('budget_cents', 'bigint')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('expense_profiles')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
    .addColumn('iban', 'text', (c) => c.notNull())
    .addColumn('bic', 'text')
    .addColumn('vehicle_cv', 'integer')
    .addColumn('vehicle_electric', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('expense_claims')))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('approval_id', 'integer')
    .addColumn('ordered_by', 'integer')
    .addColumn('claimed_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refund_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payment_order_id', 'integer')
    .addColumn('entry_id', 'integer')
    .addColumn('entry_number', 'text')
    .addColumn('submitted_at', ts)
    .addColumn('decided_at', ts)
    .addColumn('paid_at', ts)
    .addColumn('posted_at', ts)
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('expense_claims_user_idx').on('expense_claims').columns(['user_id', 'status']).execute();
  await db.schema.createIndex('expense_claims_status_idx').on('expense_claims').column('status').execute();
  await db.schema.createIndex('expense_claims_approval_idx').on('expense_claims').column('approval_id').execute();

  await withId(db, db.schema.createTable('expense_lines'))
    .addColumn('claim_id', 'integer', (c) => c.notNull().references('expense_claims.id'))
    .addColumn('spent_on', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('supplier', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('amount_cents', 'integer', (c) => c.notNull())
    .addColumn('refund_cents', 'integer', (c) => c.notNull())
    .addColumn('capped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ceiling_cents', 'integer')
    .addColumn('distance_km', 'integer')
    .addColumn('fiscal_cv', 'integer')
    .addColumn('electric', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('year_km_before', 'integer')
    .addColumn('receipt_key', 'text')
    .addColumn('receipt_name', 'text')
    .addColumn('receipt_mime', 'text')
    .addColumn('receipt_size', 'integer')
    .addColumn('receipt_sha256', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('expense_lines_claim_idx').on('expense_lines').column('claim_id').execute();
  await db.schema.createIndex('expense_lines_dup_idx').on('expense_lines').columns(['spent_on', 'amount_cents']).execute();
  await db.schema.createIndex('expense_lines_sha_idx').on('expense_lines').column('receipt_sha256').execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('expense_spending_requests')))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('budget_line_id', 'integer', (c) => c.notNull().references('expense_budget_lines.id'))
    .addColumn('supplier_company_id', 'integer')
    .addColumn('supplier_name', 'text', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('approval_id', 'integer')
    .addColumn('submitted_at', ts)
    .addColumn('decided_at', ts)
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('expense_spending_user_idx').on('expense_spending_requests').columns(['user_id', 'status']).execute();
  await db.schema.createIndex('expense_spending_approval_idx').on('expense_spending_requests').column('approval_id').execute();

  await withId(db, db.schema.createTable('expense_quotes'))
    .addColumn('spending_request_id', 'integer', (c) => c.notNull().references('expense_spending_requests.id'))
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('expense_quotes_request_idx').on('expense_quotes').column('spending_request_id').execute();

  // The 2026 values of DOMAIN.md: URSSAF meal allowances and long-distance lodging (with
  // breakfast), and the fiscal mileage scale. Administrators add dated rows from the rates page.
  const now = new Date().toISOString();
  const note = 'Valeurs 2026 (URSSAF / barème fiscal), DOMAIN.md';
  const ceilings: [string, number][] = [
    ['meal_workplace', 750],
    ['meal_travel', 1040],
    ['meal_restaurant', 2140],
    ['lodging_paris', 7660],
    ['lodging_other', 5680],
  ];
  await db
    .insertInto('expense_rates')
    .values([
      ...ceilings.map(([kind, cents]) => ({ kind, valid_from: '2026-01-01', amount_cents: cents, scale: null, note, created_by: null, created_at: now })),
      { kind: 'mileage', valid_from: '2026-01-01', amount_cents: null, scale: JSON.stringify(SCALE), note: 'Barème kilométrique (inchangé depuis 2023)', created_by: null, created_at: now },
    ])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['expense_quotes', 'expense_spending_requests', 'expense_lines', 'expense_claims', 'expense_profiles', 'expense_budget_lines', 'expense_rates']) await db.schema.dropTable(t).ifExists().execute();
}
