// Leave (M10): kinds, staff groups (unit and holiday calendar), dated accrual rules, each staff
// member's group and non-working weekdays, requests (linked to the approval engine), and HR
// adjustments of balances. Day counts are multiples of ½ (double precision, exact in binary).
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withRecordColumns(db, withId(db, db.schema.createTable('leave_kinds')))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name_fr', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('hr_only', 'integer', (c) => c.notNull().defaultTo(0)) // recorded by HR, no approval (sickness)
    .addColumn('has_balance', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('allow_negative', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('past_days_allowed', 'integer', (c) => c.notNull().defaultTo(7))
    .addColumn('period_start_month', 'integer', (c) => c.notNull().defaultTo(6)) // 6: 1 June–31 May
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('leave_groups')))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('unit', 'text', (c) => c.notNull()) // ouvrables | ouvres
    .addColumn('calendar', 'text', (c) => c.notNull()) // general | alsace-moselle
    .execute();

  await withId(db, db.schema.createTable('leave_accruals'))
    .addColumn('group_id', 'integer', (c) => c.notNull().references('leave_groups.id'))
    .addColumn('kind_id', 'integer', (c) => c.notNull().references('leave_kinds.id'))
    .addColumn('valid_from', 'text', (c) => c.notNull()) // first day of a month
    .addColumn('per_month', 'double precision', (c) => c.notNull())
    .addColumn('carry_over_max', 'double precision') // null: all of it
    .addColumn('created_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('leave_accruals_uq', ['group_id', 'kind_id', 'valid_from'])
    .execute();

  await db.schema
    .createTable('leave_members')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
    .addColumn('group_id', 'integer', (c) => c.notNull().references('leave_groups.id'))
    .addColumn('non_working_days', 'text', (c) => c.notNull().defaultTo('')) // weekdays 0–6, comma-separated
    .addColumn('starts_on', 'text', (c) => c.notNull()) // accrual starts that month
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('leave_members_group_idx').on('leave_members').column('group_id').execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('leave_requests')))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('kind_id', 'integer', (c) => c.notNull().references('leave_kinds.id'))
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('start_half', 'text') // null | morning | afternoon
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('end_half', 'text')
    .addColumn('days', 'double precision', (c) => c.notNull())
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('approval_id', 'integer')
    .addColumn('created_by', 'integer')
    .execute();
  await db.schema.createIndex('leave_requests_user_idx').on('leave_requests').columns(['user_id', 'start_date']).execute();
  await db.schema.createIndex('leave_requests_dates_idx').on('leave_requests').columns(['start_date', 'end_date']).execute();
  await db.schema.createIndex('leave_requests_approval_idx').on('leave_requests').column('approval_id').execute();

  await withId(db, db.schema.createTable('leave_adjustments'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('kind_id', 'integer', (c) => c.notNull().references('leave_kinds.id'))
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('days', 'double precision', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('leave_adjustments_user_idx').on('leave_adjustments').columns(['user_id', 'kind_id']).execute();

  // The kinds every CCI starts with (HR may add others and edit these): paid leave on the legal
  // reference period, RTT on the calendar year, sickness recorded by HR with no balance, and
  // "other" (family events…) with no balance.
  const now = new Date().toISOString();
  const kinds = [
    { code: 'CP', name_fr: 'Congés payés', name_en: 'Paid leave', hr_only: 0, has_balance: 1, allow_negative: 0, past_days_allowed: 7, period_start_month: 6, position: 1 },
    { code: 'RTT', name_fr: 'RTT', name_en: 'RTT (working-time reduction)', hr_only: 0, has_balance: 1, allow_negative: 0, past_days_allowed: 7, period_start_month: 1, position: 2 },
    { code: 'MAL', name_fr: 'Arrêt maladie', name_en: 'Sick leave', hr_only: 1, has_balance: 0, allow_negative: 1, past_days_allowed: 365, period_start_month: 1, position: 3 },
    { code: 'AUT', name_fr: 'Autre absence', name_en: 'Other absence', hr_only: 0, has_balance: 0, allow_negative: 1, past_days_allowed: 30, period_start_month: 1, position: 4 },
  ];
  await db.insertInto('leave_kinds').values(kinds.map((k) => ({ ...k, active: 1, created_at: now, updated_at: now }))).execute();
}
