// Enrolments: by a member company for its employees (extranet) or by staff; confirmation with a
// convocation (e-mail + iCalendar invitation); cancellation rules; the waiting list moving up.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, forbidden, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { findCompanies } from '../registry/index.js';
import { daysBetween, todayInParis } from './dates.js';
import { cancelledText, convocationIcal, convocationText, promotedText, type MailDeps } from './mails.js';
import { assertManage, mayManageTraining, maySeeEnrolment, memberCompanyOf } from './policy.js';
import { lockSession, seatedCount, sessionDetail } from './sessions.service.js';
import { FUNDINGS, type Enrolment, type Funding, type TrainingDb } from './training.table.js';

/** Cancelled less than this many days before the first day: a late cancellation (half the price is due). */
export const LATE_CANCEL_DAYS = 10;
export const LATE_CANCEL_SHARE = 0.5;

export interface EnrolInput {
  trainee_name: string;
  trainee_email: string;
  trainee_job: string;
  needs: string;
  funding: string;
  opco_name: string;
  opco_ref: string;
  /** staff only: the paying company (members enrol for their current company) */
  company_id?: string;
}

export async function enrol(db: TrainingDb, actor: Actor, sessionId: number, input: EnrolInput, mail: MailDeps, today = todayInParis()): Promise<Enrolment> {
  const member = actor.kind === 'member';
  const companyId = member ? memberCompanyOf(actor) : input.company_id && /^\d{1,9}$/.test(input.company_id) ? Number(input.company_id) : null;
  if (!member) assertManage(actor);
  const s = await lockSession(db, sessionId);
  // A member sees open inter sessions of published courses and their own company's intra sessions.
  const course = await db.selectFrom('training_courses').select(['visibility', 'active', 'title']).where('id', '=', s.course_id).executeTakeFirstOrThrow();
  if (member && ((s.kind === 'intra' && s.company_id !== companyId) || (s.kind === 'inter' && (course.visibility !== 'public' || !course.active)))) throw notFound('training.not_found');
  if (s.status === 'cancelled') throw conflict('training.session_cancelled');
  if (s.start_date < today && member) throw conflict('training.session_started');
  const fields: FieldErrors = {};
  if (!input.trainee_name) fields.trainee_name = 'field.required';
  const email = input.trainee_email.toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fields.trainee_email = 'training.email_invalid';
  if (!FUNDINGS.includes(input.funding as Funding)) fields.funding = 'field.required';
  if (input.funding === 'opco' && !input.opco_name) fields.opco_name = 'training.opco_required';
  if (input.funding === 'company' && companyId === null) fields.funding = 'training.company_required';
  if (s.kind === 'intra' && companyId !== s.company_id) fields.company_id = 'training.intra_other_company';
  if (!member && companyId !== null && !(await findCompanies(db, [companyId])).has(companyId)) fields.company_id = 'training.company_unknown';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const dup = await db.selectFrom('training_enrolments').select('id').where('session_id', '=', sessionId).where('trainee_email', '=', email).where('status', '!=', 'cancelled').executeTakeFirst();
  if (dup) throw invalid('common.invalid', { trainee_email: 'training.already_enrolled' });
  const seated = await seatedCount(db, sessionId);
  const full = seated >= s.max_trainees;
  const now = nowIso();
  const status = full ? 'waiting' : member ? 'requested' : 'confirmed';
  const row = await db
    .insertInto('training_enrolments')
    .values({
      session_id: sessionId,
      company_id: companyId,
      trainee_name: input.trainee_name,
      trainee_email: email,
      trainee_job: input.trainee_job,
      needs: input.needs,
      status,
      funding: input.funding as Funding,
      opco_name: input.funding === 'opco' ? input.opco_name : '',
      opco_ref: input.funding === 'opco' ? input.opco_ref : '',
      price_cents: s.kind === 'intra' ? 0 : s.price_cents,
      member_account_id: null,
      created_by: actor.id,
      queued_at: now,
      confirmed_at: status === 'confirmed' ? now : null,
      late_cancel: 0,
      survey_token: randomBytes(18).toString('base64url'),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'training_enrolment', entityId: row.id, action: 'create', after: { session_id: sessionId, company_id: companyId, trainee: input.trainee_name, status, funding: input.funding } });
  if (status === 'confirmed') return sendConvocation(db, actor, row, mail);
  return row;
}

/** Enrolments requested by member companies, waiting for staff to confirm them ("À traiter"). */
export async function countRequested(db: TrainingDb): Promise<number> {
  const r = await db.selectFrom('training_enrolments').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'requested').executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function getEnrolment(db: TrainingDb, actor: Actor, id: number): Promise<Enrolment> {
  const e = await db.selectFrom('training_enrolments').selectAll().where('id', '=', id).executeTakeFirst();
  // Another company's enrolment is not "forbidden": it does not exist for this member.
  if (!e || !maySeeEnrolment(actor, e)) throw notFound('training.not_found');
  return e;
}

/** Staff confirm a requested (or waiting, when a seat is free) enrolment: the convocation goes out. */
export async function confirmEnrolment(db: TrainingDb, actor: Actor, id: number, mail: MailDeps): Promise<Enrolment> {
  assertManage(actor);
  const e = await getEnrolment(db, actor, id);
  const s = await lockSession(db, e.session_id);
  if (s.status === 'cancelled') throw conflict('training.session_cancelled');
  if (e.status === 'confirmed' || e.status === 'cancelled') throw conflict('training.enrolment_state');
  if (e.status === 'waiting' && (await seatedCount(db, s.id)) >= s.max_trainees) throw conflict('training.session_full');
  const now = nowIso();
  await db.updateTable('training_enrolments').set({ status: 'confirmed', confirmed_at: now, updated_at: now, version: sql<number>`version + 1` }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'training_enrolment', entityId: id, action: 'confirm', before: { status: e.status }, after: { status: 'confirmed' } });
  return sendConvocation(db, actor, { ...e, status: 'confirmed', confirmed_at: now }, mail);
}

/** The convocation: e-mail to the trainee with the iCalendar invitation, through the outbox. */
export async function sendConvocation(db: TrainingDb, actor: Actor, e: Enrolment, mail: MailDeps): Promise<Enrolment> {
  const d = await sessionDetail(db, e.session_id);
  const location = d.session.remote ? 'À distance (lien envoyé la veille) / Remote' : d.room ? `${d.room.name} — ${mail.cciName}` : mail.cciName;
  const url = `${mail.publicUrl}/formations/${d.course.slug}`;
  const { subject, text } = convocationText({ cciName: mail.cciName, trainee: e.trainee_name, title: d.course.title, slots: d.slots, location, trainer: d.trainer?.name ?? '', prerequisites: d.course.prerequisites, url });
  const ics = convocationIcal({ enrolmentId: e.id, title: d.course.title, location, organiser: { name: mail.cciName, email: 'formation@consulaire.invalid' }, attendee: { name: e.trainee_name, email: e.trainee_email }, slots: d.slots, url });
  await mail.mailer.queue(db, { to: e.trainee_email, subject, text, attachments: [{ filename: 'convocation.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST', content: Buffer.from(ics, 'utf8') }] });
  const now = nowIso();
  await db.updateTable('training_enrolments').set({ convocation_sent_at: now }).where('id', '=', e.id).execute();
  await record(db, actor, { entity: 'training_enrolment', entityId: e.id, action: 'convocation', after: { to: e.trainee_email } });
  return { ...e, convocation_sent_at: now };
}

/**
 * Cancels an enrolment (its company's member, or staff). Less than LATE_CANCEL_DAYS before the
 * first day it is a late cancellation: half the price stays due (invoiced). Once the session has
 * started only staff may cancel. The first of the waiting list takes the seat.
 */
export async function cancelEnrolment(db: TrainingDb, actor: Actor, id: number, reason: string, mail: MailDeps, today = todayInParis(), opts: { sessionCancelled?: boolean } = {}): Promise<Enrolment> {
  const e = await getEnrolment(db, actor, id);
  if (actor.kind !== 'member' && !mayManageTraining(actor)) throw forbidden('training.not_allowed');
  const s = await lockSession(db, e.session_id);
  if (e.status === 'cancelled') throw conflict('training.enrolment_state');
  if (s.start_date <= today && actor.kind === 'member') throw conflict('training.session_started');
  const seated = e.status === 'requested' || e.status === 'confirmed';
  // When the CCI cancels the session, nobody owes anything.
  const late = !opts.sessionCancelled && seated && s.kind === 'inter' && daysBetween(today, s.start_date) < LATE_CANCEL_DAYS ? 1 : 0;
  const now = nowIso();
  await db.updateTable('training_enrolments').set({ status: 'cancelled', cancelled_at: now, cancel_reason: reason.slice(0, 500) || null, late_cancel: late, updated_at: now, version: sql<number>`version + 1` }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'training_enrolment', entityId: id, action: 'cancel', before: { status: e.status }, after: { status: 'cancelled', late_cancel: late, reason } });
  const title = (await db.selectFrom('training_courses').select('title').where('id', '=', s.course_id).executeTakeFirstOrThrow()).title;
  const m = cancelledText({ trainee: e.trainee_name, title, start: s.start_date, fee: late ? Math.round(e.price_cents * LATE_CANCEL_SHARE) : 0 });
  await mail.mailer.queue(db, { to: e.trainee_email, ...m });
  if (seated && s.status !== 'cancelled') await promoteWaiting(db, actor, s.id, mail);
  return { ...e, status: 'cancelled', late_cancel: late };
}

/** Fills free seats from the waiting list, first come first served, each with its convocation. */
export async function promoteWaiting(db: TrainingDb, actor: Actor, sessionId: number, mail: MailDeps): Promise<number> {
  const s = await lockSession(db, sessionId);
  let free = s.max_trainees - (await seatedCount(db, sessionId));
  let moved = 0;
  while (free > 0) {
    const next = await db.selectFrom('training_enrolments').selectAll().where('session_id', '=', sessionId).where('status', '=', 'waiting').orderBy('queued_at').orderBy('id').executeTakeFirst();
    if (!next) break;
    const now = nowIso();
    await db.updateTable('training_enrolments').set({ status: 'confirmed', confirmed_at: now, updated_at: now, version: sql<number>`version + 1` }).where('id', '=', next.id).execute();
    await record(db, actor, { entity: 'training_enrolment', entityId: next.id, action: 'promote', before: { status: 'waiting' }, after: { status: 'confirmed' } });
    const title = (await db.selectFrom('training_courses').select('title').where('id', '=', s.course_id).executeTakeFirstOrThrow()).title;
    await mail.mailer.queue(db, { to: next.trainee_email, ...promotedText({ trainee: next.trainee_name, title, start: s.start_date }) });
    await sendConvocation(db, actor, { ...next, status: 'confirmed', confirmed_at: now }, mail);
    free--;
    moved++;
  }
  return moved;
}

export const enrolmentsOfSession = (db: TrainingDb, sessionId: number) =>
  db.selectFrom('training_enrolments').selectAll().where('session_id', '=', sessionId).orderBy(sql`case status when 'confirmed' then 0 when 'requested' then 1 when 'waiting' then 2 else 3 end`).orderBy('queued_at').orderBy('id').execute();

/** A member company's enrolments, newest sessions first: never another company's. */
export function enrolmentsOfCompany(db: TrainingDb, actor: Actor) {
  const companyId = memberCompanyOf(actor);
  return db
    .selectFrom('training_enrolments as e')
    .innerJoin('training_sessions as s', 's.id', 'e.session_id')
    .innerJoin('training_courses as c', 'c.id', 's.course_id')
    .select(['e.id', 'e.trainee_name', 'e.trainee_email', 'e.status', 'e.funding', 'e.late_cancel', 's.start_date', 's.end_date', 's.id as session_id', 'c.title'])
    .where('e.company_id', '=', companyId)
    .orderBy('s.start_date', 'desc')
    .orderBy('e.id', 'desc')
    .limit(300)
    .execute();
}
