// Training centre (M12, issue #15): catalogue, rooms, trainers, sessions by half day, enrolments
// with a waiting list, attendance (signatures or scanned sheets), hot surveys, gapless invoices
// and credit notes, trainers' hours and monthly pay. Money in integer cents; hours as numbers
// (multiples of ¼ h); dates as YYYY-MM-DD text; half days 'am' | 'pm'.
import type { Kysely } from 'kysely';
import { isPostgres, timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  const blob = isPostgres(db) ? 'bytea' : 'blob';

  await withRecordColumns(db, withId(db, db.schema.createTable('training_courses')))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('objectives', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('programme', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('prerequisites', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('audience', 'text', (c) => c.notNull().defaultTo('')) // public visé
    .addColumn('duration_hours', 'double precision', (c) => c.notNull())
    .addColumn('price_cents', 'integer', (c) => c.notNull()) // per trainee, inter-company, excl. VAT
    .addColumn('intra_day_cents', 'integer', (c) => c.notNull().defaultTo(0)) // per day, intra
    .addColumn('vat_exempt', 'integer', (c) => c.notNull().defaultTo(1)) // CGI 261-4-4°a
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public')) // public | private
    .addColumn('teaching_methods', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('assessment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('access_delay', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('accessibility', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('results', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('training_rooms')))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('equipment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('accessible', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('training_trainers')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull()) // contract (vacataire, invoices) | salaried (payroll)
    .addColumn('iban', 'text')
    .addColumn('bic', 'text')
    .addColumn('rate_face_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_prep_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_remote_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skills', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withId(db, db.schema.createTable('training_unavailability'))
    .addColumn('trainer_id', 'integer', (c) => c.notNull().references('training_trainers.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('half', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('training_unavailability_uq', ['trainer_id', 'day', 'half'])
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('training_sessions')))
    .addColumn('course_id', 'integer', (c) => c.notNull().references('training_courses.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // inter | intra
    .addColumn('company_id', 'integer') // intra: the client company
    .addColumn('room_id', 'integer', (c) => c.references('training_rooms.id'))
    .addColumn('trainer_id', 'integer', (c) => c.references('training_trainers.id'))
    .addColumn('remote', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('min_trainees', 'integer', (c) => c.notNull())
    .addColumn('max_trainees', 'integer', (c) => c.notNull())
    .addColumn('price_cents', 'integer', (c) => c.notNull()) // inter: per trainee; intra: the whole session
    .addColumn('status', 'text', (c) => c.notNull()) // planned | confirmed | cancelled | done
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('training_sessions_start_idx').on('training_sessions').columns(['start_date', 'id']).execute();
  await db.schema.createIndex('training_sessions_course_idx').on('training_sessions').column('course_id').execute();

  // One row per half day taught. Room and trainer are copied here so the database itself refuses
  // a double booking (unique indexes; NULL never collides); a cancelled session frees its slots.
  await withId(db, db.schema.createTable('training_slots'))
    .addColumn('session_id', 'integer', (c) => c.notNull().references('training_sessions.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('half', 'text', (c) => c.notNull())
    .addColumn('hours', 'double precision', (c) => c.notNull())
    .addColumn('room_id', 'integer')
    .addColumn('trainer_id', 'integer')
    .addColumn('scan_name', 'text')
    .addColumn('scan_type', 'text')
    .addColumn('scan', blob)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('training_slots_session_uq', ['session_id', 'day', 'half'])
    .addUniqueConstraint('training_slots_room_uq', ['room_id', 'day', 'half'])
    .addUniqueConstraint('training_slots_trainer_uq', ['trainer_id', 'day', 'half'])
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('training_enrolments')))
    .addColumn('session_id', 'integer', (c) => c.notNull().references('training_sessions.id'))
    .addColumn('company_id', 'integer') // the member company paying (null: staff enrolment of a private person)
    .addColumn('trainee_name', 'text', (c) => c.notNull())
    .addColumn('trainee_email', 'text', (c) => c.notNull())
    .addColumn('trainee_job', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('needs', 'text', (c) => c.notNull().defaultTo('')) // accessibility needs
    .addColumn('status', 'text', (c) => c.notNull()) // requested | confirmed | waiting | cancelled
    .addColumn('funding', 'text', (c) => c.notNull()) // company | opco | self
    .addColumn('opco_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('opco_ref', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('price_cents', 'integer', (c) => c.notNull())
    .addColumn('member_account_id', 'integer')
    .addColumn('created_by', 'integer')
    .addColumn('queued_at', ts) // waiting list order
    .addColumn('confirmed_at', ts)
    .addColumn('convocation_sent_at', ts)
    .addColumn('cancelled_at', ts)
    .addColumn('cancel_reason', 'text')
    .addColumn('late_cancel', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('survey_token', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('training_enrolments_session_idx').on('training_enrolments').columns(['session_id', 'status']).execute();
  await db.schema.createIndex('training_enrolments_company_idx').on('training_enrolments').column('company_id').execute();

  await withId(db, db.schema.createTable('training_attendance'))
    .addColumn('slot_id', 'integer', (c) => c.notNull().references('training_slots.id'))
    .addColumn('enrolment_id', 'integer', (c) => c.references('training_enrolments.id'))
    .addColumn('trainer_id', 'integer', (c) => c.references('training_trainers.id'))
    .addColumn('status', 'text', (c) => c.notNull()) // present | absent | excused
    .addColumn('method', 'text', (c) => c.notNull()) // pad | typed | scan | staff
    .addColumn('signature', 'text') // SVG path data, or the typed name
    .addColumn('recorded_by', 'integer')
    .addColumn('signed_at', ts, (c) => c.notNull())
    .addUniqueConstraint('training_attendance_trainee_uq', ['slot_id', 'enrolment_id'])
    .addUniqueConstraint('training_attendance_trainer_uq', ['slot_id', 'trainer_id'])
    .execute();

  await db.schema
    .createTable('training_surveys')
    .addColumn('enrolment_id', 'integer', (c) => c.primaryKey().references('training_enrolments.id'))
    .addColumn('overall', 'integer', (c) => c.notNull())
    .addColumn('content', 'integer', (c) => c.notNull())
    .addColumn('trainer', 'integer', (c) => c.notNull())
    .addColumn('organisation', 'integer', (c) => c.notNull())
    .addColumn('recommend', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  // Gapless numbering: one row per series and year, incremented in the invoice's transaction.
  await db.schema
    .createTable('training_counters')
    .addColumn('series', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('training_invoices'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull()) // invoice | credit
    .addColumn('session_id', 'integer', (c) => c.notNull().references('training_sessions.id'))
    .addColumn('customer_kind', 'text', (c) => c.notNull()) // company | opco | person
    .addColumn('company_id', 'integer')
    .addColumn('customer_name', 'text', (c) => c.notNull())
    .addColumn('customer_address', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('issued_on', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('net_cents', 'integer', (c) => c.notNull())
    .addColumn('vat_cents', 'integer', (c) => c.notNull())
    .addColumn('total_cents', 'integer', (c) => c.notNull())
    .addColumn('vat_exempt', 'integer', (c) => c.notNull())
    .addColumn('credits_invoice_id', 'integer')
    .addColumn('entry_number', 'text')
    .addColumn('created_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('training_invoices_session_idx').on('training_invoices').column('session_id').execute();

  await withId(db, db.schema.createTable('training_invoice_lines'))
    .addColumn('invoice_id', 'integer', (c) => c.notNull().references('training_invoices.id'))
    .addColumn('enrolment_id', 'integer')
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('unit_cents', 'integer', (c) => c.notNull())
    .addColumn('total_cents', 'integer', (c) => c.notNull())
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('training_pay_months')))
    .addColumn('trainer_id', 'integer', (c) => c.notNull().references('training_trainers.id'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // draft | declared | validated
    .addColumn('total_cents', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('declared_at', ts)
    .addColumn('validated_at', ts)
    .addColumn('validated_by', 'integer')
    .addColumn('entry_number', 'text')
    .addColumn('payment_order_id', 'integer')
    .addUniqueConstraint('training_pay_months_uq', ['trainer_id', 'month'])
    .execute();

  await withId(db, db.schema.createTable('training_hours'))
    .addColumn('pay_month_id', 'integer', (c) => c.notNull().references('training_pay_months.id'))
    .addColumn('slot_id', 'integer')
    .addColumn('session_id', 'integer')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // face | prep | remote
    .addColumn('hours', 'double precision', (c) => c.notNull())
    .addColumn('rate_cents', 'integer', (c) => c.notNull())
    .addColumn('amount_cents', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('training_hours_slot_uq', ['pay_month_id', 'slot_id', 'kind'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['training_hours', 'training_pay_months', 'training_invoice_lines', 'training_invoices', 'training_counters', 'training_surveys', 'training_attendance', 'training_enrolments', 'training_slots', 'training_sessions', 'training_unavailability', 'training_trainers', 'training_rooms', 'training_courses']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
