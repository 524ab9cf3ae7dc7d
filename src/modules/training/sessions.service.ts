// Sessions and their half days: planning with rooms and trainers, double bookings refused,
// the half days of a session kept within its dates.
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { findCompanies } from '../registry/index.js';
import { getCourse, parseCount, parseEuros } from './catalogue.service.js';
import { addDays, daysBetween, frDate, HALF_HOURS, isDate, weekdayOf } from './dates.js';
import { assertManage } from './policy.js';
import { HALVES, SEATED, type Half, type Session, type SessionKind, type TrainingDb } from './training.table.js';

export const MAX_SESSION_DAYS = 60;

export interface SessionInput {
  course_id: string;
  kind: string;
  company_id: string;
  room_id: string;
  trainer_id: string;
  remote: boolean;
  start_date: string;
  end_date: string;
  /** 'day' (both halves), 'am' or 'pm' on every weekday between the dates */
  pattern: string;
  min_trainees: string;
  max_trainees: string;
  price: string;
  notes: string;
}

const idOf = (s: string) => (/^\d{1,9}$/.test(s) ? Number(s) : undefined);

/** Checks that a room and a trainer are free on half days; throws 422 naming the first clash. */
async function assertFree(db: TrainingDb, slots: { day: string; half: Half }[], roomId: number | null, trainerId: number | null, exceptSessionId?: number): Promise<void> {
  if (!slots.length) return;
  const days = [...new Set(slots.map((s) => s.day))];
  const wanted = new Set(slots.map((s) => `${s.day} ${s.half}`));
  if (roomId !== null) {
    let q = db.selectFrom('training_slots as s').innerJoin('training_sessions as ss', 'ss.id', 's.session_id').innerJoin('training_courses as c', 'c.id', 'ss.course_id').select(['s.day', 's.half', 'c.title']).where('s.room_id', '=', roomId).where('s.day', 'in', days);
    if (exceptSessionId) q = q.where('s.session_id', '!=', exceptSessionId);
    const clash = (await q.execute()).find((r) => wanted.has(`${r.day} ${r.half}`));
    if (clash) throw invalid('common.invalid', { room_id: 'training.room_booked' }, { date: frDate(clash.day), half: clash.half, title: clash.title });
  }
  if (trainerId !== null) {
    let q = db.selectFrom('training_slots as s').innerJoin('training_sessions as ss', 'ss.id', 's.session_id').innerJoin('training_courses as c', 'c.id', 'ss.course_id').select(['s.day', 's.half', 'c.title']).where('s.trainer_id', '=', trainerId).where('s.day', 'in', days);
    if (exceptSessionId) q = q.where('s.session_id', '!=', exceptSessionId);
    const clash = (await q.execute()).find((r) => wanted.has(`${r.day} ${r.half}`));
    if (clash) throw invalid('common.invalid', { trainer_id: 'training.trainer_booked' }, { date: frDate(clash.day), half: clash.half, title: clash.title });
    const off = (await db.selectFrom('training_unavailability').select(['day', 'half']).where('trainer_id', '=', trainerId).where('day', 'in', days).execute()).find((r) => wanted.has(`${r.day} ${r.half}`));
    if (off) throw invalid('common.invalid', { trainer_id: 'training.trainer_unavailable' }, { date: frDate(off.day), half: off.half, title: '' });
  }
}

export async function createSession(db: TrainingDb, actor: Actor, input: SessionInput): Promise<Session> {
  assertManage(actor);
  const fields: FieldErrors = {};
  const courseId = idOf(input.course_id);
  const course = courseId ? await db.selectFrom('training_courses').selectAll().where('id', '=', courseId).executeTakeFirst() : undefined;
  if (!course) fields.course_id = 'field.required';
  const kind = input.kind === 'inter' || input.kind === 'intra' ? (input.kind as SessionKind) : undefined;
  if (!kind) fields.kind = 'field.required';
  const companyId = idOf(input.company_id) ?? null;
  if (kind === 'intra' && companyId === null) fields.company_id = 'training.intra_needs_company';
  else if (kind === 'intra' && companyId !== null && !(await findCompanies(db, [companyId])).has(companyId)) fields.company_id = 'training.company_unknown';
  const roomId = input.room_id ? (idOf(input.room_id) ?? 0) : null;
  const room = roomId ? await db.selectFrom('training_rooms').selectAll().where('id', '=', roomId).executeTakeFirst() : undefined;
  if (roomId !== null && !room) fields.room_id = 'training.not_found';
  if (roomId === null && !input.remote) fields.room_id = 'training.room_or_remote';
  const trainerId = input.trainer_id ? (idOf(input.trainer_id) ?? 0) : null;
  const trainer = trainerId ? await db.selectFrom('training_trainers').select('id').where('id', '=', trainerId).executeTakeFirst() : undefined;
  if (trainerId !== null && !trainer) fields.trainer_id = 'training.not_found';
  if (!isDate(input.start_date)) fields.start_date = 'training.date_invalid';
  if (!isDate(input.end_date)) fields.end_date = 'training.date_invalid';
  else if (isDate(input.start_date) && (daysBetween(input.start_date, input.end_date) < 0 || daysBetween(input.start_date, input.end_date) > MAX_SESSION_DAYS)) fields.end_date = 'training.end_before_start';
  const min = parseCount(input.min_trainees, 1, 500);
  const max = parseCount(input.max_trainees, 1, 500);
  if (min === undefined) fields.min_trainees = 'training.count_invalid';
  if (max === undefined) fields.max_trainees = 'training.count_invalid';
  else if (min !== undefined && max < min) fields.max_trainees = 'training.max_below_min';
  else if (room && max > room.capacity) fields.max_trainees = 'training.over_room_capacity';
  const price = input.price ? parseEuros(input.price) : kind === 'intra' ? undefined : course?.price_cents;
  if (price === undefined) fields.price = 'training.amount_invalid';
  const halves: Half[] = input.pattern === 'am' ? ['am'] : input.pattern === 'pm' ? ['pm'] : ['am', 'pm'];
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { date: '', half: '', title: '', capacity: room?.capacity ?? '' });
  const slots: { day: string; half: Half }[] = [];
  for (let d = input.start_date; d <= input.end_date; d = addDays(d, 1)) {
    if (weekdayOf(d) === 0 || weekdayOf(d) === 6) continue;
    for (const half of halves) slots.push({ day: d, half });
  }
  if (!slots.length) throw invalid('common.invalid', { start_date: 'training.no_weekday' });
  await assertFree(db, slots, roomId, trainerId);
  const now = nowIso();
  const session = await db
    .insertInto('training_sessions')
    .values({ course_id: course!.id, kind: kind!, company_id: kind === 'intra' ? companyId : null, room_id: roomId, trainer_id: trainerId, remote: input.remote ? 1 : 0, start_date: input.start_date, end_date: input.end_date, min_trainees: min!, max_trainees: max!, price_cents: price!, status: 'planned', notes: input.notes, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .insertInto('training_slots')
    .values(slots.map((s) => ({ session_id: session.id, day: s.day, half: s.half, hours: HALF_HOURS, room_id: roomId, trainer_id: trainerId, created_at: now })))
    .execute();
  await record(db, actor, { entity: 'training_session', entityId: session.id, action: 'create', after: { course: course!.code, kind, start_date: input.start_date, end_date: input.end_date, room_id: roomId, trainer_id: trainerId, slots: slots.length } });
  return session;
}

export async function getSession(db: TrainingDb, id: number): Promise<Session> {
  const s = await db.selectFrom('training_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound('training.not_found');
  return s;
}

/** A write on the session row, held until commit: enrolments of one session are counted one after the other. */
export async function lockSession(db: TrainingDb, id: number): Promise<Session> {
  await db.updateTable('training_sessions').set({ updated_at: sql<string>`updated_at` }).where('id', '=', id).execute();
  return getSession(db, id);
}

export const slotsOf = (db: TrainingDb, sessionId: number) => db.selectFrom('training_slots').select(['id', 'session_id', 'day', 'half', 'hours', 'room_id', 'trainer_id', 'scan_name']).where('session_id', '=', sessionId).orderBy('day').orderBy('half').execute();

/** Adds one half day to a session: within its dates, room and trainer free. */
export async function addSlot(db: TrainingDb, actor: Actor, sessionId: number, input: { day: string; half: string }): Promise<void> {
  assertManage(actor);
  const s = await lockSession(db, sessionId);
  if (s.status === 'cancelled') throw conflict('training.session_cancelled');
  const fields: FieldErrors = {};
  if (!isDate(input.day)) fields.day = 'training.date_invalid';
  else if (input.day < s.start_date || input.day > s.end_date) fields.day = 'training.half_outside_session';
  if (!HALVES.includes(input.half as Half)) fields.half = 'field.required';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { start: frDate(s.start_date), end: frDate(s.end_date) });
  const half = input.half as Half;
  if (await db.selectFrom('training_slots').select('id').where('session_id', '=', sessionId).where('day', '=', input.day).where('half', '=', half).executeTakeFirst()) throw invalid('common.invalid', { day: 'training.half_exists' });
  await assertFree(db, [{ day: input.day, half }], s.room_id, s.trainer_id, sessionId);
  await db.insertInto('training_slots').values({ session_id: sessionId, day: input.day, half, hours: HALF_HOURS, room_id: s.room_id, trainer_id: s.trainer_id, created_at: nowIso() }).execute();
  await record(db, actor, { entity: 'training_session', entityId: sessionId, action: 'add_half_day', after: { day: input.day, half } });
}

export async function removeSlot(db: TrainingDb, actor: Actor, sessionId: number, slotId: number): Promise<void> {
  assertManage(actor);
  await lockSession(db, sessionId);
  const slot = await db.selectFrom('training_slots').select(['id', 'day', 'half']).where('id', '=', slotId).where('session_id', '=', sessionId).executeTakeFirst();
  if (!slot) throw notFound('training.not_found');
  if (await db.selectFrom('training_attendance').select('id').where('slot_id', '=', slotId).executeTakeFirst()) throw conflict('training.half_has_attendance');
  if (await db.selectFrom('training_hours').select('id').where('slot_id', '=', slotId).executeTakeFirst()) throw conflict('training.half_has_hours');
  const count = await db.selectFrom('training_slots').select((eb) => eb.fn.countAll().as('n')).where('session_id', '=', sessionId).executeTakeFirstOrThrow();
  if (Number(count.n) <= 1) throw conflict('training.last_half');
  await db.deleteFrom('training_slots').where('id', '=', slotId).execute();
  await record(db, actor, { entity: 'training_session', entityId: sessionId, action: 'remove_half_day', before: { day: slot.day, half: slot.half } });
}

/** Changes room, trainer, seats or price of a session; every half day moves with it, checked again. */
export async function updateSession(db: TrainingDb, actor: Actor, id: number, version: number, input: { room_id: string; trainer_id: string; min_trainees: string; max_trainees: string; price: string; notes: string }): Promise<void> {
  assertManage(actor);
  const s = await getSession(db, id);
  if (s.version !== version) throw conflict('common.conflict');
  if (s.status === 'cancelled') throw conflict('training.session_cancelled');
  const fields: FieldErrors = {};
  const roomId = input.room_id ? (idOf(input.room_id) ?? 0) : null;
  const room = roomId ? await db.selectFrom('training_rooms').selectAll().where('id', '=', roomId).executeTakeFirst() : undefined;
  if (roomId !== null && !room) fields.room_id = 'training.not_found';
  if (roomId === null && !s.remote) fields.room_id = 'training.room_or_remote';
  const trainerId = input.trainer_id ? (idOf(input.trainer_id) ?? 0) : null;
  if (trainerId !== null && !(await db.selectFrom('training_trainers').select('id').where('id', '=', trainerId).executeTakeFirst())) fields.trainer_id = 'training.not_found';
  const min = parseCount(input.min_trainees, 1, 500);
  const max = parseCount(input.max_trainees, 1, 500);
  if (min === undefined) fields.min_trainees = 'training.count_invalid';
  if (max === undefined) fields.max_trainees = 'training.count_invalid';
  else if (min !== undefined && max < min) fields.max_trainees = 'training.max_below_min';
  else if (room && max > room.capacity) fields.max_trainees = 'training.over_room_capacity';
  const seated = await seatedCount(db, id);
  if (max !== undefined && max < seated && !fields.max_trainees) fields.max_trainees = 'training.max_below_seated';
  const price = parseEuros(input.price);
  if (price === undefined) fields.price = 'training.amount_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { capacity: room?.capacity ?? '', seated, date: '', half: '', title: '' });
  const slots = (await slotsOf(db, id)).map((x) => ({ day: x.day, half: x.half }));
  await assertFree(db, slots, roomId, trainerId, id);
  const hoursPaid = trainerId !== s.trainer_id && (await db.selectFrom('training_hours').select('id').where('session_id', '=', id).executeTakeFirst());
  if (hoursPaid) throw invalid('common.invalid', { trainer_id: 'training.trainer_has_hours' });
  const after = { room_id: roomId, trainer_id: trainerId, min_trainees: min!, max_trainees: max!, price_cents: price!, notes: input.notes };
  const res = await db.updateTable('training_sessions').set({ ...after, updated_at: nowIso(), version: sql<number>`version + 1` }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('common.conflict');
  await db.updateTable('training_slots').set({ room_id: roomId, trainer_id: trainerId }).where('session_id', '=', id).execute();
  await record(db, actor, { entity: 'training_session', entityId: id, action: 'update', before: s, after });
  if (max! > s.max_trainees) return; // more seats: the waiting list moves up in the caller (enrolment service)
}

export async function seatedCount(db: TrainingDb, sessionId: number): Promise<number> {
  const r = await db.selectFrom('training_enrolments').select((eb) => eb.fn.countAll().as('n')).where('session_id', '=', sessionId).where('status', 'in', SEATED).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function setSessionStatus(db: TrainingDb, actor: Actor, id: number, status: 'confirmed' | 'cancelled'): Promise<Session> {
  assertManage(actor);
  const s = await lockSession(db, id);
  if (s.status === 'cancelled') throw conflict('training.session_cancelled');
  if (status === 'cancelled') {
    if (await db.selectFrom('training_attendance as a').innerJoin('training_slots as s', 's.id', 'a.slot_id').select('a.id').where('s.session_id', '=', id).executeTakeFirst()) throw conflict('training.session_has_attendance');
    if (await db.selectFrom('training_hours').select('id').where('session_id', '=', id).executeTakeFirst()) throw conflict('training.half_has_hours');
    // The half days free their room and trainer; the dates stay on the session.
    await db.updateTable('training_slots').set({ room_id: null, trainer_id: null }).where('session_id', '=', id).execute();
  }
  await db.updateTable('training_sessions').set({ status, updated_at: nowIso(), version: sql<number>`version + 1` }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'training_session', entityId: id, action: status === 'cancelled' ? 'cancel' : 'confirm', before: { status: s.status }, after: { status } });
  return { ...s, status };
}

export interface PlanningRow {
  id: number;
  course_id: number;
  title: string;
  code: string;
  kind: SessionKind;
  status: string;
  start_date: string;
  end_date: string;
  room: string | null;
  trainer: string | null;
  max_trainees: number;
  min_trainees: number;
  seated: number;
  waiting: number;
}

/** The planning: sessions overlapping [from, to], a page at a time, with seats taken and waiting. */
export async function planning(db: TrainingDb, opts: { from: string; to: string; courseId?: number; trainerId?: number; roomId?: number; page: number; perPage: number }): Promise<{ rows: PlanningRow[]; total: number }> {
  let base = db.selectFrom('training_sessions as s').where('s.start_date', '<=', opts.to).where('s.end_date', '>=', opts.from);
  if (opts.courseId) base = base.where('s.course_id', '=', opts.courseId);
  if (opts.trainerId) base = base.where('s.trainer_id', '=', opts.trainerId);
  if (opts.roomId) base = base.where('s.room_id', '=', opts.roomId);
  const totalRow = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const page = await base
    .innerJoin('training_courses as c', 'c.id', 's.course_id')
    .leftJoin('training_rooms as r', 'r.id', 's.room_id')
    .leftJoin('training_trainers as t', 't.id', 's.trainer_id')
    .select(['s.id', 's.course_id', 'c.title', 'c.code', 's.kind', 's.status', 's.start_date', 's.end_date', 'r.name as room', 't.name as trainer', 's.max_trainees', 's.min_trainees'])
    .orderBy('s.start_date')
    .orderBy('s.id')
    .limit(opts.perPage)
    .offset((opts.page - 1) * opts.perPage)
    .execute();
  const ids = page.map((p) => p.id);
  const counts = ids.length
    ? await db.selectFrom('training_enrolments').select(['session_id', 'status', (eb) => eb.fn.countAll().as('n')]).where('session_id', 'in', ids).where('status', 'in', ['requested', 'confirmed', 'waiting']).groupBy(['session_id', 'status']).execute()
    : [];
  const rows = page.map((p) => {
    const mine = counts.filter((c) => c.session_id === p.id);
    return { ...p, seated: mine.filter((c) => c.status !== 'waiting').reduce((a, c) => a + Number(c.n), 0), waiting: mine.filter((c) => c.status === 'waiting').reduce((a, c) => a + Number(c.n), 0) };
  });
  return { rows, total: Number(totalRow.n) };
}

/** Upcoming sessions open to enrolment for a course (inter), or the member company's intra sessions. */
export async function openSessionsOf(db: TrainingDb, courseId: number, today: string, companyId?: number) {
  let q = db.selectFrom('training_sessions as s').leftJoin('training_rooms as r', 'r.id', 's.room_id').select(['s.id', 's.kind', 's.start_date', 's.end_date', 's.max_trainees', 's.price_cents', 's.remote', 's.status', 'r.name as room']).where('s.course_id', '=', courseId).where('s.status', '!=', 'cancelled').where('s.start_date', '>=', today);
  q = companyId ? q.where((eb) => eb.or([eb('s.kind', '=', 'inter'), eb('s.company_id', '=', companyId)])) : q.where('s.kind', '=', 'inter');
  const rows = await q.orderBy('s.start_date').limit(50).execute();
  const out = [];
  for (const r of rows) out.push({ ...r, seated: await seatedCount(db, r.id) });
  return out;
}

export async function sessionDetail(db: TrainingDb, id: number) {
  const s = await getSession(db, id);
  const course = await getCourse(db, s.course_id);
  const room = s.room_id ? await db.selectFrom('training_rooms').selectAll().where('id', '=', s.room_id).executeTakeFirst() : undefined;
  const trainer = s.trainer_id ? await db.selectFrom('training_trainers').select(['id', 'name', 'email', 'status']).where('id', '=', s.trainer_id).executeTakeFirst() : undefined;
  const slots = await slotsOf(db, id);
  return { session: s, course, room, trainer, slots, hours: slots.reduce((a, x) => a + x.hours, 0) };
}
export type SessionDetail = Awaited<ReturnType<typeof sessionDetail>>;
