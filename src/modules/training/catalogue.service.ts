// The catalogue (courses), rooms and trainers: what staff of the training centre maintain.
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { isValidBic, isValidIban, normaliseIban } from '../accounting/index.js';
import { isDate } from './dates.js';
import { assertManage } from './policy.js';
import type { Course, Half, Room, Trainer, TrainerStatus, TrainingDb } from './training.table.js';

// ——— parsing helpers shared by the services ———

/** "1 234,50" / "1234.5" → cents, or undefined. */
export function parseEuros(s: string): number | undefined {
  const t = s.replace(/[\s\u202f\u00a0€]/g, '').replace(',', '.');
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(t)) return undefined;
  return Math.round(Number(t) * 100);
}
export function parseHours(s: string): number | undefined {
  const t = s.trim().replace(',', '.');
  if (!/^\d{1,4}(\.\d{1,2})?$/.test(t)) return undefined;
  const n = Number(t);
  return n > 0 && n <= 2000 ? n : undefined;
}
export function parseCount(s: string, min: number, max: number): number | undefined {
  if (!/^\d{1,5}$/.test(s.trim())) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? n : undefined;
}
export const slugify = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'formation';
const searchTextOf = (c: { code: string; title: string; summary: string; objectives: string; programme: string; audience: string }) =>
  slugify([c.code, c.title, c.summary, c.objectives, c.programme, c.audience].join(' ')).replace(/-/g, ' ');

// ——— courses ———

export interface CourseInput {
  code: string;
  title: string;
  summary: string;
  objectives: string;
  programme: string;
  prerequisites: string;
  audience: string;
  duration_hours: string;
  price: string;
  intra_day: string;
  vat_exempt: boolean;
  visibility: string;
  teaching_methods: string;
  assessment: string;
  access_delay: string;
  accessibility: string;
  results: string;
  active: boolean;
}

function checkCourse(input: CourseInput) {
  const fields: FieldErrors = {};
  if (!/^[A-Z0-9-]{2,20}$/.test(input.code)) fields.code = 'training.code_invalid';
  if (!input.title) fields.title = 'field.required';
  if (!input.objectives) fields.objectives = 'field.required';
  if (!input.programme) fields.programme = 'field.required';
  if (!input.accessibility) fields.accessibility = 'training.accessibility_required';
  const duration = parseHours(input.duration_hours);
  if (duration === undefined) fields.duration_hours = 'training.hours_invalid';
  const price = parseEuros(input.price);
  if (price === undefined) fields.price = 'training.amount_invalid';
  const intra = input.intra_day ? parseEuros(input.intra_day) : 0;
  if (intra === undefined) fields.intra_day = 'training.amount_invalid';
  if (input.visibility !== 'public' && input.visibility !== 'private') fields.visibility = 'field.required';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return {
    code: input.code,
    title: input.title,
    summary: input.summary,
    objectives: input.objectives,
    programme: input.programme,
    prerequisites: input.prerequisites,
    audience: input.audience,
    duration_hours: duration!,
    price_cents: price!,
    intra_day_cents: intra!,
    vat_exempt: input.vat_exempt ? 1 : 0,
    visibility: input.visibility as 'public' | 'private',
    teaching_methods: input.teaching_methods,
    assessment: input.assessment,
    access_delay: input.access_delay,
    accessibility: input.accessibility,
    results: input.results,
    active: input.active ? 1 : 0,
  };
}

export async function createCourse(db: TrainingDb, actor: Actor, input: CourseInput): Promise<Course> {
  assertManage(actor);
  const v = checkCourse(input);
  if (await db.selectFrom('training_courses').select('id').where('code', '=', v.code).executeTakeFirst()) throw invalid('common.invalid', { code: 'training.code_taken' });
  let slug = slugify(v.title);
  if (await db.selectFrom('training_courses').select('id').where('slug', '=', slug).executeTakeFirst()) slug = `${slug}-${slugify(v.code)}`;
  const now = nowIso();
  const row = await db.insertInto('training_courses').values({ ...v, slug, search_text: searchTextOf(v), created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'training_course', entityId: row.id, action: 'create', after: v });
  return row;
}

export async function updateCourse(db: TrainingDb, actor: Actor, id: number, version: number, input: CourseInput): Promise<void> {
  assertManage(actor);
  const before = await getCourse(db, id);
  const v = checkCourse(input);
  const other = await db.selectFrom('training_courses').select('id').where('code', '=', v.code).where('id', '!=', id).executeTakeFirst();
  if (other) throw invalid('common.invalid', { code: 'training.code_taken' });
  const res = await db
    .updateTable('training_courses')
    .set({ ...v, search_text: searchTextOf(v), updated_at: nowIso(), version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('common.conflict');
  await record(db, actor, { entity: 'training_course', entityId: id, action: 'update', before: { ...before, search_text: undefined }, after: v });
}

export async function getCourse(db: TrainingDb, id: number): Promise<Course> {
  const c = await db.selectFrom('training_courses').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('training.not_found');
  return c;
}

/** Published catalogue (public and extranet), or every course for staff; `q` searches words. */
export async function listCourses(db: TrainingDb, opts: { q?: string; publishedOnly: boolean }): Promise<Course[]> {
  let q = db.selectFrom('training_courses').selectAll().orderBy('title').orderBy('id');
  if (opts.publishedOnly) q = q.where('active', '=', 1).where('visibility', '=', 'public');
  const words = (opts.q ? slugify(opts.q) : '')
    .split('-')
    .filter((w) => w.length >= 2)
    .slice(0, 6);
  for (const w of words) q = q.where('search_text', 'like', `%${w}%`);
  return q.limit(200).execute();
}

export async function findPublishedCourse(db: TrainingDb, slug: string): Promise<Course> {
  // Slugs are made by slugify ([a-z0-9-]): anything else names no course, and a NUL byte or an
  // invalid sequence must never reach PostgreSQL (it answers an error, not "no row").
  if (!/^[a-z0-9-]{1,200}$/.test(slug)) throw notFound('training.not_found');
  const c = await db.selectFrom('training_courses').selectAll().where('slug', '=', slug).where('active', '=', 1).where('visibility', '=', 'public').executeTakeFirst();
  if (!c) throw notFound('training.not_found');
  return c;
}

// ——— rooms ———

export interface RoomInput {
  name: string;
  capacity: string;
  equipment: string;
  accessible: boolean;
}
export async function saveRoom(db: TrainingDb, actor: Actor, id: number | null, input: RoomInput): Promise<Room> {
  assertManage(actor);
  const fields: FieldErrors = {};
  if (!input.name) fields.name = 'field.required';
  const capacity = parseCount(input.capacity, 1, 500);
  if (capacity === undefined) fields.capacity = 'training.capacity_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const clash = await db.selectFrom('training_rooms').select('id').where('name', '=', input.name).executeTakeFirst();
  if (clash && clash.id !== id) throw invalid('common.invalid', { name: 'training.room_name_taken' });
  const v = { name: input.name, capacity: capacity!, equipment: input.equipment, accessible: input.accessible ? 1 : 0 };
  const now = nowIso();
  if (id === null) {
    const row = await db.insertInto('training_rooms').values({ ...v, active: 1, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
    await record(db, actor, { entity: 'training_room', entityId: row.id, action: 'create', after: v });
    return row;
  }
  const before = await db.selectFrom('training_rooms').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound('training.not_found');
  const row = await db.updateTable('training_rooms').set({ ...v, updated_at: now, version: sql<number>`version + 1` }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'training_room', entityId: id, action: 'update', before, after: v });
  return row;
}
export const listRooms = (db: TrainingDb) => db.selectFrom('training_rooms').selectAll().where('active', '=', 1).orderBy('name').execute();

// ——— trainers ———

export interface TrainerInput {
  name: string;
  email: string;
  status: string;
  iban: string;
  bic: string;
  rate_face: string;
  rate_prep: string;
  rate_remote: string;
  skills: string;
}
export async function saveTrainer(db: TrainingDb, actor: Actor, id: number | null, input: TrainerInput): Promise<Trainer> {
  assertManage(actor);
  const fields: FieldErrors = {};
  if (!input.name) fields.name = 'field.required';
  const email = input.email.toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fields.email = 'training.email_invalid';
  if (input.status !== 'contract' && input.status !== 'salaried') fields.status = 'field.required';
  const iban = input.iban ? normaliseIban(input.iban) : '';
  if (input.status === 'contract' && !iban) fields.iban = 'training.iban_required';
  else if (iban && !isValidIban(iban)) fields.iban = 'training.iban_invalid';
  const bic = input.bic.toUpperCase().replace(/\s/g, '');
  if (bic && !isValidBic(bic)) fields.bic = 'training.bic_invalid';
  const rates = { rate_face_cents: parseEuros(input.rate_face), rate_prep_cents: parseEuros(input.rate_prep || '0'), rate_remote_cents: parseEuros(input.rate_remote || input.rate_face) };
  if (rates.rate_face_cents === undefined || rates.rate_face_cents === 0) fields.rate_face = 'training.amount_invalid';
  if (rates.rate_prep_cents === undefined) fields.rate_prep = 'training.amount_invalid';
  if (rates.rate_remote_cents === undefined) fields.rate_remote = 'training.amount_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const clash = await db.selectFrom('training_trainers').select('id').where('email', '=', email).executeTakeFirst();
  if (clash && clash.id !== id) throw invalid('common.invalid', { email: 'training.email_taken' });
  const v = { name: input.name, email, status: input.status as TrainerStatus, iban: iban || null, bic: bic || null, rate_face_cents: rates.rate_face_cents!, rate_prep_cents: rates.rate_prep_cents!, rate_remote_cents: rates.rate_remote_cents!, skills: input.skills };
  const now = nowIso();
  // The audit keeps the IBAN masked: the last four characters tell which account without copying it.
  const audited = { ...v, iban: v.iban ? `…${v.iban.slice(-4)}` : null };
  if (id === null) {
    const row = await db.insertInto('training_trainers').values({ ...v, active: 1, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
    await record(db, actor, { entity: 'training_trainer', entityId: row.id, action: 'create', after: audited });
    return row;
  }
  const before = await getTrainer(db, id);
  const row = await db.updateTable('training_trainers').set({ ...v, updated_at: now, version: sql<number>`version + 1` }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'training_trainer', entityId: id, action: 'update', before: { ...before, iban: before.iban ? `…${before.iban.slice(-4)}` : null }, after: audited });
  return row;
}
export async function getTrainer(db: TrainingDb, id: number): Promise<Trainer> {
  const t = await db.selectFrom('training_trainers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) throw notFound('training.not_found');
  return t;
}
export const listTrainers = (db: TrainingDb) => db.selectFrom('training_trainers').selectAll().where('active', '=', 1).orderBy('name').execute();

/** A trainer's days off (availability): a half day they cannot teach. */
export async function addUnavailability(db: TrainingDb, actor: Actor, trainerId: number, input: { day: string; half: string }): Promise<void> {
  assertManage(actor);
  await getTrainer(db, trainerId);
  const fields: FieldErrors = {};
  if (!isDate(input.day)) fields.day = 'training.date_invalid';
  const halves: Half[] = input.half === 'am' || input.half === 'pm' ? [input.half] : input.half === 'day' ? ['am', 'pm'] : [];
  if (!halves.length) fields.half = 'field.required';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  for (const half of halves) {
    const taken = await db.selectFrom('training_slots').select('id').where('trainer_id', '=', trainerId).where('day', '=', input.day).where('half', '=', half).executeTakeFirst();
    if (taken) throw invalid('common.invalid', { day: 'training.trainer_teaching_then' });
    const exists = await db.selectFrom('training_unavailability').select('id').where('trainer_id', '=', trainerId).where('day', '=', input.day).where('half', '=', half).executeTakeFirst();
    if (!exists) await db.insertInto('training_unavailability').values({ trainer_id: trainerId, day: input.day, half, created_at: nowIso() }).execute();
  }
  await record(db, actor, { entity: 'training_trainer', entityId: trainerId, action: 'unavailable', after: { day: input.day, half: input.half } });
}
export const unavailabilityOf = (db: TrainingDb, trainerId: number, from: string) =>
  db.selectFrom('training_unavailability').select(['day', 'half']).where('trainer_id', '=', trainerId).where('day', '>=', from).orderBy('day').orderBy('half').limit(200).execute();
