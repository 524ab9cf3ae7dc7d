// Attendance per half day (signatures on a tablet, a typed name as the keyboard alternative, a
// scanned sheet, or staff marking absences justified or not), the certificates computed from it,
// and the hot satisfaction survey.
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { todayInParis } from './dates.js';
import { surveyText, type MailDeps } from './mails.js';
import { assertManage } from './policy.js';
import { getEnrolment } from './enrolment.service.js';
import type { AttendanceStatus, TrainingDb } from './training.table.js';

/** SVG path data of a signature pad: moves and lines with numbers, nothing else. */
const PATH_DATA = /^[MLml0-9 .,-]+$/;
export const MAX_SIGNATURE = 40_000;
export const MAX_SCAN_BYTES = 8 * 1024 * 1024;

export async function getSlot(db: TrainingDb, slotId: number) {
  const slot = await db.selectFrom('training_slots').select(['id', 'session_id', 'day', 'half', 'hours', 'trainer_id', 'scan_name']).where('id', '=', slotId).executeTakeFirst();
  if (!slot) throw notFound('training.not_found');
  return slot;
}

/** Who signs on the tablet for a half day: the seated trainees and the trainer, with what is recorded. */
export async function signingSheet(db: TrainingDb, slotId: number) {
  const slot = await getSlot(db, slotId);
  const session = await db.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id').leftJoin('training_trainers as t', 't.id', 's.trainer_id').select(['s.id', 's.status', 'c.title', 't.id as trainer_id', 't.name as trainer_name']).where('s.id', '=', slot.session_id).executeTakeFirstOrThrow();
  const trainees = await db.selectFrom('training_enrolments').select(['id', 'trainee_name', 'trainee_email']).where('session_id', '=', slot.session_id).where('status', '=', 'confirmed').orderBy('trainee_name').execute();
  const marks = await db.selectFrom('training_attendance').select(['enrolment_id', 'trainer_id', 'status', 'method', 'signed_at']).where('slot_id', '=', slotId).execute();
  return { slot, session, trainees, marks };
}
export type SigningSheet = Awaited<ReturnType<typeof signingSheet>>;

export interface SignInput {
  /** 'trainer' or an enrolment id */
  who: string;
  /** SVG path data from the pad */
  signature: string;
  /** keyboard alternative: the box ticked and the name typed */
  typed_confirm: boolean;
  typed_name: string;
}

/**
 * A trainee (or the trainer) signs for a half day on the tablet, on that day only. The pad gives
 * path data; without a pointer, ticking the box and typing one's own name is the signature.
 */
export async function sign(db: TrainingDb, actor: Actor, slotId: number, input: SignInput, today = todayInParis()): Promise<void> {
  assertManage(actor);
  const sheet = await signingSheet(db, slotId);
  if (sheet.session.status === 'cancelled') throw conflict('training.session_cancelled');
  if (sheet.slot.day !== today) throw invalid('common.invalid', { who: 'training.sign_only_that_day' });
  const fields: FieldErrors = {};
  const trainer = input.who === 'trainer';
  const enrolment = trainer ? undefined : sheet.trainees.find((t) => String(t.id) === input.who);
  if (trainer && !sheet.session.trainer_id) fields.who = 'training.no_trainer';
  if (!trainer && !enrolment) fields.who = 'training.not_a_trainee';
  const name = trainer ? (sheet.session.trainer_name ?? '') : (enrolment?.trainee_name ?? '');
  let method: 'pad' | 'typed';
  let signature: string;
  if (input.signature) {
    if (input.signature.length > MAX_SIGNATURE || !PATH_DATA.test(input.signature) || !/^M/.test(input.signature)) fields.signature = 'training.signature_invalid';
    method = 'pad';
    signature = input.signature;
  } else {
    const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
    if (!input.typed_confirm) fields.typed_confirm = 'training.signature_required';
    else if (!input.typed_name || norm(input.typed_name) !== norm(name)) fields.typed_name = 'training.typed_name_mismatch';
    method = 'typed';
    signature = input.typed_name;
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { name });
  const already = trainer
    ? await db.selectFrom('training_attendance').select('id').where('slot_id', '=', slotId).where('trainer_id', '=', sheet.session.trainer_id!).executeTakeFirst()
    : await db.selectFrom('training_attendance').select('id').where('slot_id', '=', slotId).where('enrolment_id', '=', enrolment!.id).executeTakeFirst();
  if (already) throw conflict('training.already_signed');
  await db
    .insertInto('training_attendance')
    .values({ slot_id: slotId, enrolment_id: enrolment?.id ?? null, trainer_id: trainer ? sheet.session.trainer_id : null, status: 'present', method, signature, recorded_by: actor.id, signed_at: nowIso() })
    .execute();
  await record(db, actor, { entity: 'training_attendance', entityId: slotId, action: 'sign', after: { who: trainer ? `trainer:${sheet.session.trainer_id}` : `enrolment:${enrolment!.id}`, method } });
}

/** Staff record a trainee's presence or absence (justified or not) for a half day, any day. */
export async function markAttendance(db: TrainingDb, actor: Actor, slotId: number, input: { enrolment_id: string; status: string }): Promise<void> {
  assertManage(actor);
  const slot = await getSlot(db, slotId);
  const fields: FieldErrors = {};
  const status = (['present', 'absent', 'excused'] as const).find((s) => s === input.status);
  if (!status) fields.status = 'field.required';
  const e = /^\d{1,9}$/.test(input.enrolment_id) ? await db.selectFrom('training_enrolments').select(['id', 'status']).where('id', '=', Number(input.enrolment_id)).where('session_id', '=', slot.session_id).executeTakeFirst() : undefined;
  if (!e || e.status !== 'confirmed') fields.enrolment_id = 'training.not_a_trainee';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const before = await db.selectFrom('training_attendance').select(['id', 'status', 'method']).where('slot_id', '=', slotId).where('enrolment_id', '=', e!.id).executeTakeFirst();
  if (before && (before.method === 'pad' || before.method === 'typed') && status !== 'present') throw conflict('training.signed_cannot_be_absent');
  if (before) await db.updateTable('training_attendance').set({ status: status!, method: before.method === 'scan' ? 'scan' : 'staff', recorded_by: actor.id }).where('id', '=', before.id).execute();
  else await db.insertInto('training_attendance').values({ slot_id: slotId, enrolment_id: e!.id, trainer_id: null, status: status!, method: 'staff', signature: null, recorded_by: actor.id, signed_at: nowIso() }).execute();
  await record(db, actor, { entity: 'training_attendance', entityId: slotId, action: 'mark', before: before ? { status: before.status } : null, after: { enrolment_id: e!.id, status } });
}

/** The paper sheet of a half day, scanned (PDF, PNG or JPEG): the trainees ticked present are recorded as 'scan'. */
export async function uploadScan(db: TrainingDb, actor: Actor, slotId: number, file: { filename: string; data: Buffer } | undefined, present: string[]): Promise<void> {
  assertManage(actor);
  const slot = await getSlot(db, slotId);
  if (!file || file.data.length === 0) throw invalid('common.invalid', { scan: 'field.required' });
  if (file.data.length > MAX_SCAN_BYTES) throw invalid('common.invalid', { scan: 'training.scan_too_big' });
  const head = file.data.subarray(0, 8);
  const type = head.subarray(0, 5).toString('latin1') === '%PDF-' ? 'application/pdf' : head[0] === 0x89 && head.subarray(1, 4).toString('latin1') === 'PNG' ? 'image/png' : head[0] === 0xff && head[1] === 0xd8 ? 'image/jpeg' : null;
  if (!type) throw invalid('common.invalid', { scan: 'training.scan_type' });
  const name = file.filename.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'emargement';
  await db.updateTable('training_slots').set({ scan: file.data, scan_name: name, scan_type: type }).where('id', '=', slotId).execute();
  const confirmed = await db.selectFrom('training_enrolments').select('id').where('session_id', '=', slot.session_id).where('status', '=', 'confirmed').execute();
  for (const e of confirmed) {
    if (!present.includes(String(e.id))) continue;
    const exists = await db.selectFrom('training_attendance').select('id').where('slot_id', '=', slotId).where('enrolment_id', '=', e.id).executeTakeFirst();
    if (!exists) await db.insertInto('training_attendance').values({ slot_id: slotId, enrolment_id: e.id, trainer_id: null, status: 'present', method: 'scan', signature: null, recorded_by: actor.id, signed_at: nowIso() }).execute();
  }
  await record(db, actor, { entity: 'training_attendance', entityId: slotId, action: 'scan', after: { file: name, type, bytes: file.data.length, present: present.length } });
}

export async function scanOf(db: TrainingDb, actor: Actor, slotId: number) {
  assertManage(actor);
  const r = await db.selectFrom('training_slots').select(['scan', 'scan_name', 'scan_type']).where('id', '=', slotId).executeTakeFirst();
  if (!r?.scan || !r.scan_type) throw notFound('training.not_found');
  return { data: Buffer.from(r.scan), name: r.scan_name ?? 'emargement', type: r.scan_type };
}

export interface AttendanceSummary {
  totalHours: number;
  presentHours: number;
  excusedHours: number;
  absentHours: number;
  /** half days without any record yet */
  unrecorded: number;
  lastDay: string;
  rows: { day: string; half: string; status: AttendanceStatus | null }[];
}

export async function attendanceOf(db: TrainingDb, enrolmentId: number, sessionId: number): Promise<AttendanceSummary> {
  const rows = await db
    .selectFrom('training_slots as s')
    .leftJoin('training_attendance as a', (j) => j.onRef('a.slot_id', '=', 's.id').on('a.enrolment_id', '=', enrolmentId))
    .select(['s.day', 's.half', 's.hours', 'a.status'])
    .where('s.session_id', '=', sessionId)
    .orderBy('s.day')
    .orderBy('s.half')
    .execute();
  const sum = (st: AttendanceStatus | null) => rows.filter((r) => r.status === st).reduce((a, r) => a + r.hours, 0);
  return {
    totalHours: rows.reduce((a, r) => a + r.hours, 0),
    presentHours: sum('present'),
    excusedHours: sum('excused'),
    absentHours: sum('absent'),
    unrecorded: rows.filter((r) => r.status === null).length,
    lastDay: rows.at(-1)?.day ?? '',
    rows: rows.map((r) => ({ day: r.day, half: r.half, status: r.status })),
  };
}

/**
 * What a certificate says, for someone who may see the enrolment: available once the last half
 * day is over and every half day recorded, for a trainee who attended at least one.
 */
export async function certificateData(db: TrainingDb, actor: Actor, enrolmentId: number, today = todayInParis()) {
  const e = await getEnrolment(db, actor, enrolmentId);
  if (e.status !== 'confirmed') throw notFound('training.certificate_not_ready');
  const a = await attendanceOf(db, e.id, e.session_id);
  if (!a.lastDay || a.lastDay > today || a.unrecorded > 0 || a.presentHours === 0) throw notFound('training.certificate_not_ready');
  const s = await db.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id').select(['s.start_date', 's.end_date', 's.remote', 'c.title', 'c.objectives', 'c.code']).where('s.id', '=', e.session_id).executeTakeFirstOrThrow();
  return { enrolment: e, attendance: a, session: s };
}
export type CertificateData = Awaited<ReturnType<typeof certificateData>>;

export async function certificateReady(db: TrainingDb, enrolment: { id: number; session_id: number; status: string }, today = todayInParis()): Promise<boolean> {
  if (enrolment.status !== 'confirmed') return false;
  const a = await attendanceOf(db, enrolment.id, enrolment.session_id);
  return Boolean(a.lastDay) && a.lastDay <= today && a.unrecorded === 0 && a.presentHours > 0;
}

// ——— hot survey ———

/** The last half day taught (the session's end date may be later when half days were removed). */
async function lastDayOf(db: TrainingDb, sessionId: number): Promise<string> {
  const r = await db.selectFrom('training_slots').select((eb) => eb.fn.max('day').as('last')).where('session_id', '=', sessionId).executeTakeFirst();
  return r?.last ?? '9999-12-31';
}

/** Staff send the survey link to every confirmed trainee once the session's last day has come. */
export async function sendSurveys(db: TrainingDb, actor: Actor, sessionId: number, mail: MailDeps, today = todayInParis()): Promise<number> {
  assertManage(actor);
  const s = await db.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id').select(['c.title']).where('s.id', '=', sessionId).executeTakeFirst();
  if (!s) throw notFound('training.not_found');
  if ((await lastDayOf(db, sessionId)) > today) throw conflict('training.survey_too_early');
  const rows = await db.selectFrom('training_enrolments as e').leftJoin('training_surveys as v', 'v.enrolment_id', 'e.id').select(['e.id', 'e.trainee_name', 'e.trainee_email', 'e.survey_token']).where('e.session_id', '=', sessionId).where('e.status', '=', 'confirmed').where('v.enrolment_id', 'is', null).execute();
  for (const r of rows) await mail.mailer.queue(db, { to: r.trainee_email, ...surveyText({ trainee: r.trainee_name, title: s.title, url: `${mail.publicUrl}/formations/avis/${r.survey_token}` }) });
  await record(db, actor, { entity: 'training_session', entityId: sessionId, action: 'survey_sent', after: { count: rows.length } });
  return rows.length;
}

export async function surveyByToken(db: TrainingDb, token: string) {
  if (!/^[A-Za-z0-9_-]{20,40}$/.test(token)) throw notFound('training.not_found');
  const e = await db
    .selectFrom('training_enrolments as e')
    .innerJoin('training_sessions as s', 's.id', 'e.session_id')
    .innerJoin('training_courses as c', 'c.id', 's.course_id')
    .leftJoin('training_surveys as v', 'v.enrolment_id', 'e.id')
    .select(['e.id', 'e.trainee_name', 'e.status', 'e.session_id', 'c.title', 'v.enrolment_id as answered'])
    .where('e.survey_token', '=', token)
    .executeTakeFirst();
  if (!e || e.status !== 'confirmed') throw notFound('training.not_found');
  return e;
}

export async function answerSurvey(db: TrainingDb, actor: Actor, token: string, input: Record<'overall' | 'content' | 'trainer' | 'organisation' | 'recommend' | 'comment', string>, today = todayInParis()): Promise<void> {
  const e = await surveyByToken(db, token);
  if (e.answered !== null) throw conflict('training.survey_done');
  if ((await lastDayOf(db, e.session_id)) > today) throw conflict('training.survey_too_early');
  const fields: FieldErrors = {};
  const score = (k: 'overall' | 'content' | 'trainer' | 'organisation') => {
    const n = /^[1-5]$/.test(input[k]) ? Number(input[k]) : undefined;
    if (n === undefined) fields[k] = 'training.score_required';
    return n ?? 0;
  };
  const v = { overall: score('overall'), content: score('content'), trainer: score('trainer'), organisation: score('organisation'), recommend: input.recommend === '1' ? 1 : input.recommend === '0' ? 0 : -1 };
  if (v.recommend < 0) fields.recommend = 'field.required';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  await db.insertInto('training_surveys').values({ enrolment_id: e.id, ...v, comment: input.comment.slice(0, 2000), created_at: nowIso() }).execute();
  await record(db, actor, { entity: 'training_survey', entityId: e.id, action: 'answer', after: v });
}

/** Averages per course, or per trainer. */
export async function surveyResults(db: TrainingDb, by: 'course' | 'trainer') {
  const base = db.selectFrom('training_surveys as v').innerJoin('training_enrolments as e', 'e.id', 'v.enrolment_id').innerJoin('training_sessions as s', 's.id', 'e.session_id');
  const agg = [
    sql<number>`count(*)`.as('answers'),
    sql<number>`avg(v.overall * 1.0)`.as('overall'),
    sql<number>`avg(v.content * 1.0)`.as('content'),
    sql<number>`avg(v.trainer * 1.0)`.as('trainer'),
    sql<number>`avg(v.organisation * 1.0)`.as('organisation'),
    sql<number>`avg(v.recommend * 100.0)`.as('recommend'),
  ] as const;
  if (by === 'course') {
    const rows = await base.innerJoin('training_courses as c', 'c.id', 's.course_id').select(['c.id', 'c.title as name', ...agg]).groupBy(['c.id', 'c.title']).orderBy('c.title').execute();
    return rows.map((r) => ({ ...r, answers: Number(r.answers), overall: Number(r.overall), content: Number(r.content), trainer: Number(r.trainer), organisation: Number(r.organisation), recommend: Number(r.recommend) }));
  }
  const rows = await base.innerJoin('training_trainers as t', 't.id', 's.trainer_id').select(['t.id', 't.name as name', ...agg]).groupBy(['t.id', 't.name']).orderBy('t.name').execute();
  return rows.map((r) => ({ ...r, answers: Number(r.answers), overall: Number(r.overall), content: Number(r.content), trainer: Number(r.trainer), organisation: Number(r.organisation), recommend: Number(r.recommend) }));
}
