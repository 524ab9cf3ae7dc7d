// Trainers' pay: hours generated from the half days taught in a month, preparation hours added,
// the month declared then validated; contract trainers (vacataires, on invoice) get an AC entry
// (6226 honoraires / 401) and a SEPA payment order through accounting; salaried trainers' hours
// go to the payroll export.
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { isValidIban, postEntry, queuePayment } from '../accounting/index.js';
import { parseHours } from './catalogue.service.js';
import { isDate, isMonth, monthBounds } from './dates.js';
import { assertManage } from './policy.js';
import type { HourKind, PayMonth, Trainer, TrainingDb } from './training.table.js';

const rateOf = (t: Trainer, kind: HourKind) => (kind === 'face' ? t.rate_face_cents : kind === 'prep' ? t.rate_prep_cents : t.rate_remote_cents);

async function monthRow(db: TrainingDb, trainerId: number, month: string): Promise<PayMonth> {
  const now = nowIso();
  await db.insertInto('training_pay_months').values({ trainer_id: trainerId, month, status: 'draft', total_cents: 0, created_at: now, updated_at: now }).onConflict((oc) => oc.columns(['trainer_id', 'month']).doNothing()).execute();
  return db.selectFrom('training_pay_months').selectAll().where('trainer_id', '=', trainerId).where('month', '=', month).executeTakeFirstOrThrow();
}

async function refreshTotal(db: TrainingDb, id: number): Promise<number> {
  const r = await db.selectFrom('training_hours').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), sql<number>`0`).as('t')).where('pay_month_id', '=', id).executeTakeFirstOrThrow();
  const total = Number(r.t);
  await db.updateTable('training_pay_months').set({ total_cents: total, updated_at: nowIso(), version: sql<number>`version + 1` }).where('id', '=', id).execute();
  return total;
}

/**
 * Hours of the half days each trainer taught in `month` (sessions not cancelled), as draft
 * months: face-to-face, or remote for a remote session, at the trainer's rate. Half days already
 * counted are skipped, months already declared are left alone. Returns the months touched.
 */
export async function generateMonth(db: TrainingDb, actor: Actor, month: string): Promise<number> {
  assertManage(actor);
  if (!isMonth(month)) throw invalid('common.invalid', { month: 'training.month_invalid' });
  const { from, to } = monthBounds(month);
  const slots = await db
    .selectFrom('training_slots as s')
    .innerJoin('training_sessions as ss', 'ss.id', 's.session_id')
    .innerJoin('training_courses as c', 'c.id', 'ss.course_id')
    .select(['s.id', 's.session_id', 's.day', 's.half', 's.hours', 's.trainer_id', 'ss.remote', 'c.title'])
    .where('s.day', '>=', from)
    .where('s.day', '<=', to)
    .where('s.trainer_id', 'is not', null)
    .where('ss.status', '!=', 'cancelled')
    .orderBy('s.day')
    .execute();
  const touched = new Set<number>();
  for (const s of slots) {
    const trainer = await db.selectFrom('training_trainers').selectAll().where('id', '=', s.trainer_id!).executeTakeFirstOrThrow();
    const m = await monthRow(db, trainer.id, month);
    if (m.status !== 'draft') continue;
    const kind: HourKind = s.remote ? 'remote' : 'face';
    const exists = await db.selectFrom('training_hours').select('id').where('pay_month_id', '=', m.id).where('slot_id', '=', s.id).where('kind', '=', kind).executeTakeFirst();
    if (exists) continue;
    const rate = rateOf(trainer, kind);
    await db.insertInto('training_hours').values({ pay_month_id: m.id, slot_id: s.id, session_id: s.session_id, day: s.day, kind, hours: s.hours, rate_cents: rate, amount_cents: Math.round(s.hours * rate), label: `${s.title} (${s.half === 'am' ? 'matin' : 'après-midi'})`, created_at: nowIso() }).execute();
    touched.add(m.id);
  }
  for (const id of touched) await refreshTotal(db, id);
  await record(db, actor, { entity: 'training_pay', entityId: month, action: 'generate', after: { months: touched.size, slots: slots.length } });
  return touched.size;
}

export async function getPayMonth(db: TrainingDb, id: number) {
  const m = await db.selectFrom('training_pay_months as m').innerJoin('training_trainers as t', 't.id', 'm.trainer_id').selectAll('m').select(['t.name as trainer_name', 't.email as trainer_email', 't.status as trainer_status']).where('m.id', '=', id).executeTakeFirst();
  if (!m) throw notFound('training.not_found');
  const hours = await db.selectFrom('training_hours').selectAll().where('pay_month_id', '=', id).orderBy('day').orderBy('id').execute();
  return { month: m, hours };
}
export type PayMonthDetail = Awaited<ReturnType<typeof getPayMonth>>;

/** Preparation (or remote) hours the trainer declares for a session of the month. */
export async function addHours(db: TrainingDb, actor: Actor, payMonthId: number, input: { day: string; kind: string; hours: string; label: string }): Promise<void> {
  assertManage(actor);
  const { month } = await getPayMonth(db, payMonthId);
  if (month.status !== 'draft') throw conflict('training.pay_not_draft');
  const fields: FieldErrors = {};
  const { from, to } = monthBounds(month.month);
  if (!isDate(input.day)) fields.day = 'training.date_invalid';
  else if (input.day < from || input.day > to) fields.day = 'training.day_outside_month';
  if (input.kind !== 'prep' && input.kind !== 'remote' && input.kind !== 'face') fields.kind = 'field.required';
  const hours = parseHours(input.hours);
  if (hours === undefined || hours > 24) fields.hours = 'training.hours_invalid';
  if (!input.label) fields.label = 'field.required';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const trainer = await db.selectFrom('training_trainers').selectAll().where('id', '=', month.trainer_id).executeTakeFirstOrThrow();
  const kind = input.kind as HourKind;
  const rate = rateOf(trainer, kind);
  await db.insertInto('training_hours').values({ pay_month_id: payMonthId, slot_id: null, session_id: null, day: input.day, kind, hours: hours!, rate_cents: rate, amount_cents: Math.round(hours! * rate), label: input.label, created_at: nowIso() }).execute();
  await refreshTotal(db, payMonthId);
  await record(db, actor, { entity: 'training_pay', entityId: payMonthId, action: 'add_hours', after: { day: input.day, kind, hours } });
}

export async function declareMonth(db: TrainingDb, actor: Actor, payMonthId: number): Promise<void> {
  assertManage(actor);
  const { month, hours } = await getPayMonth(db, payMonthId);
  if (month.status !== 'draft') throw conflict('training.pay_not_draft');
  if (!hours.length) throw conflict('training.pay_empty');
  const now = nowIso();
  await db.updateTable('training_pay_months').set({ status: 'declared', declared_at: now, updated_at: now, version: sql<number>`version + 1` }).where('id', '=', payMonthId).execute();
  await record(db, actor, { entity: 'training_pay', entityId: payMonthId, action: 'declare', after: { month: month.month, total_cents: month.total_cents } });
}

/**
 * Validates a declared month. A contract trainer's fees are posted (AC: debit 6226, credit 401
 * with the trainer's auxiliary account) and a payment order is queued in accounting — ordered by
 * the validator, so someone else must batch it. Salaried hours are left to the payroll export.
 */
export async function validateMonth(db: TrainingDb, actor: Actor, payMonthId: number, onDate: string): Promise<void> {
  assertManage(actor);
  const { month } = await getPayMonth(db, payMonthId);
  if (month.status !== 'declared') throw conflict('training.pay_not_declared');
  const trainer = await db.selectFrom('training_trainers').selectAll().where('id', '=', month.trainer_id).executeTakeFirstOrThrow();
  let entryNumber: string | null = null;
  let orderId: number | null = null;
  if (trainer.status === 'contract' && month.total_cents > 0) {
    if (!trainer.iban || !isValidIban(trainer.iban)) throw invalid('common.invalid', { iban: 'training.iban_invalid' });
    const aux = `FORM${trainer.id}`;
    const label = `Vacations formation ${month.month} ${trainer.name}`.slice(0, 200);
    const entry = await postEntry(db, actor, {
      journal: 'AC',
      date: onDate,
      label,
      pieceRef: `VAC-${month.month}-${trainer.id}`,
      pieceDate: onDate,
      source: { module: 'training', id: `pay-${payMonthId}` },
      lines: [
        { account: '6226', accountLabel: 'Honoraires', debitCents: month.total_cents, creditCents: 0, label },
        { account: '401', accountLabel: 'Fournisseurs', auxAccount: aux, auxLabel: trainer.name.slice(0, 200), debitCents: 0, creditCents: month.total_cents, label },
      ],
    });
    entryNumber = entry.number;
    const order = await queuePayment(db, actor, {
      beneficiaryName: trainer.name,
      iban: trainer.iban,
      bic: trainer.bic,
      amountCents: month.total_cents,
      remittance: `Vacations formation ${month.month}`,
      orderedBy: actor.id ?? 0,
      source: { module: 'training', id: `pay-${payMonthId}` },
      account: '401',
      auxAccount: aux,
      auxLabel: trainer.name,
    });
    orderId = order.id;
  }
  const now = nowIso();
  await db.updateTable('training_pay_months').set({ status: 'validated', validated_at: now, validated_by: actor.id, entry_number: entryNumber, payment_order_id: orderId, updated_at: now, version: sql<number>`version + 1` }).where('id', '=', payMonthId).execute();
  await record(db, actor, { entity: 'training_pay', entityId: payMonthId, action: 'validate', after: { month: month.month, total_cents: month.total_cents, entry: entryNumber, payment_order: orderId } });
}

export const payMonthsOf = (db: TrainingDb, month: string) =>
  db.selectFrom('training_pay_months as m').innerJoin('training_trainers as t', 't.id', 'm.trainer_id').selectAll('m').select(['t.name as trainer_name', 't.status as trainer_status']).where('m.month', '=', month).orderBy('t.name').execute();

/** Payroll export: the validated hours of salaried trainers in a month. */
export const payrollRows = (db: TrainingDb, month: string) =>
  db
    .selectFrom('training_hours as h')
    .innerJoin('training_pay_months as m', 'm.id', 'h.pay_month_id')
    .innerJoin('training_trainers as t', 't.id', 'm.trainer_id')
    .select(['t.name', 't.email', 'h.day', 'h.kind', 'h.hours', 'h.rate_cents', 'h.amount_cents', 'h.label'])
    .where('m.month', '=', month)
    .where('m.status', '=', 'validated')
    .where('t.status', '=', 'salaried')
    .orderBy('t.name')
    .orderBy('h.day')
    .orderBy('h.id')
    .execute();
