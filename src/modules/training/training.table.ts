// Kysely types of the training tables (migration 2026-12-07T0120-training-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export type Half = 'am' | 'pm';
export const HALVES: readonly Half[] = ['am', 'pm'];
export type SessionKind = 'inter' | 'intra';
export type SessionStatus = 'planned' | 'confirmed' | 'cancelled' | 'done';
export type EnrolmentStatus = 'requested' | 'confirmed' | 'waiting' | 'cancelled';
/** Statuses that hold a seat. */
export const SEATED: readonly EnrolmentStatus[] = ['requested', 'confirmed'];
export type Funding = 'company' | 'opco' | 'self';
export const FUNDINGS: readonly Funding[] = ['company', 'opco', 'self'];
export type AttendanceStatus = 'present' | 'absent' | 'excused';
export type HourKind = 'face' | 'prep' | 'remote';
export const HOUR_KINDS: readonly HourKind[] = ['face', 'prep', 'remote'];
export type TrainerStatus = 'contract' | 'salaried';
export type PayStatus = 'draft' | 'declared' | 'validated';

interface RecordColumns {
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface TrainingCoursesTable extends RecordColumns {
  id: Generated<number>;
  code: string;
  slug: string;
  title: string;
  summary: string;
  objectives: string;
  programme: string;
  prerequisites: string;
  audience: string;
  duration_hours: number;
  price_cents: number;
  intra_day_cents: number;
  vat_exempt: number;
  visibility: 'public' | 'private';
  teaching_methods: string;
  assessment: string;
  access_delay: string;
  accessibility: string;
  results: string;
  active: number;
  search_text: string;
}
export type Course = Selectable<TrainingCoursesTable>;

export interface TrainingRoomsTable extends RecordColumns {
  id: Generated<number>;
  name: string;
  capacity: number;
  equipment: string;
  accessible: number;
  active: number;
}
export type Room = Selectable<TrainingRoomsTable>;

export interface TrainingTrainersTable extends RecordColumns {
  id: Generated<number>;
  name: string;
  email: string;
  status: TrainerStatus;
  iban: string | null;
  bic: string | null;
  rate_face_cents: number;
  rate_prep_cents: number;
  rate_remote_cents: number;
  skills: string;
  active: number;
}
export type Trainer = Selectable<TrainingTrainersTable>;

export interface TrainingUnavailabilityTable {
  id: Generated<number>;
  trainer_id: number;
  day: string;
  half: Half;
  created_at: string;
}

export interface TrainingSessionsTable extends RecordColumns {
  id: Generated<number>;
  course_id: number;
  kind: SessionKind;
  company_id: number | null;
  room_id: number | null;
  trainer_id: number | null;
  remote: number;
  start_date: string;
  end_date: string;
  min_trainees: number;
  max_trainees: number;
  price_cents: number;
  status: SessionStatus;
  notes: string;
}
export type Session = Selectable<TrainingSessionsTable>;

export interface TrainingSlotsTable {
  id: Generated<number>;
  session_id: number;
  day: string;
  half: Half;
  hours: number;
  room_id: number | null;
  trainer_id: number | null;
  scan_name: string | null;
  scan_type: string | null;
  scan: Buffer | null;
  created_at: string;
}
export type Slot = Selectable<TrainingSlotsTable>;

export interface TrainingEnrolmentsTable extends RecordColumns {
  id: Generated<number>;
  session_id: number;
  company_id: number | null;
  trainee_name: string;
  trainee_email: string;
  trainee_job: string;
  needs: string;
  status: EnrolmentStatus;
  funding: Funding;
  opco_name: string;
  opco_ref: string;
  price_cents: number;
  member_account_id: number | null;
  created_by: number | null;
  queued_at: string | null;
  confirmed_at: string | null;
  convocation_sent_at: string | null;
  cancelled_at: string | null;
  cancel_reason: string | null;
  late_cancel: number;
  survey_token: string | null;
}
export type Enrolment = Selectable<TrainingEnrolmentsTable>;

export interface TrainingAttendanceTable {
  id: Generated<number>;
  slot_id: number;
  enrolment_id: number | null;
  trainer_id: number | null;
  status: AttendanceStatus;
  method: 'pad' | 'typed' | 'scan' | 'staff';
  signature: string | null;
  recorded_by: number | null;
  signed_at: string;
}
export type Attendance = Selectable<TrainingAttendanceTable>;

export interface TrainingSurveysTable {
  enrolment_id: number;
  overall: number;
  content: number;
  trainer: number;
  organisation: number;
  recommend: number;
  comment: string;
  created_at: string;
}

export interface TrainingCountersTable {
  series: string;
  value: number;
}

export interface TrainingInvoicesTable {
  id: Generated<number>;
  number: string;
  kind: 'invoice' | 'credit';
  session_id: number;
  customer_kind: 'company' | 'opco' | 'person';
  company_id: number | null;
  customer_name: string;
  customer_address: string;
  issued_on: string;
  due_on: string;
  net_cents: number;
  vat_cents: number;
  total_cents: number;
  vat_exempt: number;
  credits_invoice_id: number | null;
  entry_number: string | null;
  created_by: number | null;
  created_at: string;
}
export type Invoice = Selectable<TrainingInvoicesTable>;

export interface TrainingInvoiceLinesTable {
  id: Generated<number>;
  invoice_id: number;
  enrolment_id: number | null;
  label: string;
  quantity: number;
  unit_cents: number;
  total_cents: number;
}
export type InvoiceLine = Selectable<TrainingInvoiceLinesTable>;

export interface TrainingPayMonthsTable extends RecordColumns {
  id: Generated<number>;
  trainer_id: number;
  month: string;
  status: PayStatus;
  total_cents: number;
  declared_at: string | null;
  validated_at: string | null;
  validated_by: number | null;
  entry_number: string | null;
  payment_order_id: number | null;
}
export type PayMonth = Selectable<TrainingPayMonthsTable>;

export interface TrainingHoursTable {
  id: Generated<number>;
  pay_month_id: number;
  slot_id: number | null;
  session_id: number | null;
  day: string;
  kind: HourKind;
  hours: number;
  rate_cents: number;
  amount_cents: number;
  label: string;
  created_at: string;
}
export type HourRow = Selectable<TrainingHoursTable>;

export interface TrainingTables extends PlatformTables {
  training_courses: TrainingCoursesTable;
  training_rooms: TrainingRoomsTable;
  training_trainers: TrainingTrainersTable;
  training_unavailability: TrainingUnavailabilityTable;
  training_sessions: TrainingSessionsTable;
  training_slots: TrainingSlotsTable;
  training_enrolments: TrainingEnrolmentsTable;
  training_attendance: TrainingAttendanceTable;
  training_surveys: TrainingSurveysTable;
  training_counters: TrainingCountersTable;
  training_invoices: TrainingInvoicesTable;
  training_invoice_lines: TrainingInvoiceLinesTable;
  training_pay_months: TrainingPayMonthsTable;
  training_hours: TrainingHoursTable;
}

/** The training module's database handle: its tables and the platform's (companies are read through the registry's index). */
export type TrainingDb = ModuleDb<TrainingTables>;
