// Staff directory: people (profiles over the platform's users) and services (org chart).
// Queries and rules together: the module is small. Every write is audited.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { can } from '../../platform/access/index.js';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { forbidden, invalid, notFound } from '../../platform/errors.js';
import { writeFileAtomic } from '../../platform/ops/files.js';
import type { DirectoryDb } from './directory.table.js';

export type Service = { id: number; name: string; parent_id: number | null; head_user_id: number | null; description: string; email: string | null; phone: string | null; position: number; version: number };

export interface Person {
  id: number;
  name: string;
  email: string;
  manager_id: number | null;
  service_id: number | null;
  service_name: string | null;
  job_title: string | null;
  phone: string | null;
  mobile: string | null;
  office: string | null;
  skills: string | null;
  photo_key: string | null;
  version: number | null;
}

/** Lower-case, accent-free, for LIKE on both databases. */
export function normalise(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function people(db: DirectoryDb) {
  return db
    .selectFrom('users as u')
    .leftJoin('directory_profiles as p', 'p.user_id', 'u.id')
    .leftJoin('directory_services as s', 's.id', 'p.service_id')
    .where('u.status', '=', 'active')
    .select(['u.id', 'u.name', 'u.email', 'u.manager_id', 'p.service_id', 's.name as service_name', 'p.job_title', 'p.phone', 'p.mobile', 'p.office', 'p.skills', 'p.photo_key', 'p.version']);
}

export interface PeopleFilter {
  q?: string;
  serviceId?: number;
  skill?: string;
}

/** Search by name (accents ignored), job title, skill or service name. */
export async function searchPeople(db: DirectoryDb, f: PeopleFilter, limit = 50, offset = 0): Promise<{ items: Person[]; total: number }> {
  let q = people(db);
  const esc = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);
  if (f.q) {
    for (const word of normalise(f.q).split(' ').slice(0, 5)) {
      const like = `%${esc(word)}%`;
      q = q.where((eb) => eb.or([eb('p.search_text', 'like', like), eb(eb.fn('lower', ['u.name']), 'like', like), eb(eb.fn('lower', ['u.email']), 'like', like)]));
    }
  }
  if (f.serviceId) {
    const ids = await serviceAndBelow(db, f.serviceId);
    q = q.where('p.service_id', 'in', ids);
  }
  if (f.skill) q = q.where('p.search_text', 'like', `%${esc(normalise(f.skill))}%`);
  const total = Number((await q.clearSelect().select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items: Person[] = await q.orderBy('u.name').limit(limit).offset(offset).execute();
  return { items, total };
}

export async function getPerson(db: DirectoryDb, userId: number): Promise<Person> {
  const p: Person | undefined = await people(db).where('u.id', '=', userId).executeTakeFirst();
  if (!p) throw notFound('directory.person_not_found');
  return p;
}

export async function reportsOf(db: DirectoryDb, userId: number): Promise<Person[]> {
  return people(db).where('u.manager_id', '=', userId).orderBy('u.name').execute();
}

/** Active staff, for the choice of a service's head (and the heads' names on the org chart). */
export async function activeUsers(db: DirectoryDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
}

export async function listServices(db: DirectoryDb): Promise<Service[]> {
  return db.selectFrom('directory_services').selectAll().orderBy('position').orderBy('name').execute();
}

/** The service a staff member belongs to (their directory profile's), if any. */
export async function serviceOfUser(db: DirectoryDb, userId: number): Promise<number | null> {
  return (await db.selectFrom('directory_profiles').select('service_id').where('user_id', '=', userId).executeTakeFirst())?.service_id ?? null;
}

/** The active staff of a service (not of its sub-services). */
export async function serviceMembers(db: DirectoryDb, serviceId: number): Promise<{ id: number; name: string; email: string }[]> {
  return db
    .selectFrom('directory_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .select(['u.id', 'u.name', 'u.email'])
    .where('p.service_id', '=', serviceId)
    .where('u.status', '=', 'active')
    .orderBy('u.name')
    .execute();
}

export async function getService(db: DirectoryDb, id: number): Promise<Service> {
  const s = await db.selectFrom('directory_services').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound('directory.service_not_found');
  return s;
}

async function serviceAndBelow(db: DirectoryDb, id: number): Promise<number[]> {
  const all = await listServices(db);
  const out = [id];
  for (let i = 0; i < out.length; i++) for (const s of all) if (s.parent_id === out[i] && !out.includes(s.id)) out.push(s.id);
  return out;
}

/** Head counts per service (direct members). */
export async function serviceCounts(db: DirectoryDb): Promise<Map<number, number>> {
  const rows = await db.selectFrom('directory_profiles as p').innerJoin('users as u', 'u.id', 'p.user_id').where('u.status', '=', 'active').select(['p.service_id', (eb) => eb.fn.countAll().as('n')]).groupBy('p.service_id').execute();
  return new Map(rows.filter((r) => r.service_id !== null).map((r) => [r.service_id as number, Number(r.n)]));
}

const PHONE = /^[+0-9 ().-]{4,25}$/;

export interface ProfileInput {
  service_id?: string;
  job_title?: string;
  phone?: string;
  mobile?: string;
  office?: string;
  skills?: string;
  version?: number;
}

/** A person edits their own entry; HR and the webmaster (directory:edit) edit anyone's. */
export function mayEditProfile(actor: Actor, userId: number): boolean {
  return can(actor, 'directory:edit') || (actor.kind === 'staff' && actor.id === userId);
}

export async function saveProfile(db: DirectoryDb, actor: Actor, userId: number, input: ProfileInput): Promise<void> {
  if (!mayEditProfile(actor, userId)) throw forbidden('directory.not_yours');
  const person = await getPerson(db, userId);
  const fields: Record<string, string> = {};
  const serviceId = input.service_id && /^\d{1,9}$/.test(input.service_id) ? Number(input.service_id) : null;
  if (serviceId && !(await db.selectFrom('directory_services').select('id').where('id', '=', serviceId).executeTakeFirst())) fields.service_id = 'field.invalid';
  const jobTitle = (input.job_title ?? '').trim();
  if (jobTitle.length > 120) fields.job_title = 'directory.too_long';
  const phone = (input.phone ?? '').trim();
  if (phone && !PHONE.test(phone)) fields.phone = 'directory.phone_invalid';
  const mobile = (input.mobile ?? '').trim();
  if (mobile && !PHONE.test(mobile)) fields.mobile = 'directory.phone_invalid';
  const office = (input.office ?? '').trim();
  if (office.length > 120) fields.office = 'directory.too_long';
  const skills = (input.skills ?? '')
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 30)
    .join(', ');
  if (skills.length > 1000) fields.skills = 'directory.too_long';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const serviceName = serviceId ? (await getService(db, serviceId)).name : '';
  const values = { service_id: serviceId, job_title: jobTitle, phone: phone || null, mobile: mobile || null, office: office || null, skills, search_text: normalise([person.name, jobTitle, skills, serviceName, office].join(' ')) };
  if (person.version === null) {
    const now = nowIso();
    await db.insertInto('directory_profiles').values({ user_id: userId, ...values, created_at: now, updated_at: now }).execute();
  } else {
    await updateWithVersion(db, 'directory_profiles', userId, input.version ?? -1, values, 'user_id');
  }
  await record(db, actor, { entity: 'directory_profile', entityId: userId, action: person.version === null ? 'create' : 'update', before: person.version === null ? null : { service_id: person.service_id, job_title: person.job_title, phone: person.phone, mobile: person.mobile, office: person.office, skills: person.skills }, after: { ...values, search_text: undefined } });
}

/** A square 256 px WebP portrait; the type is judged by sharp from the bytes (SVG refused). */
export async function savePhoto(db: DirectoryDb, dataDir: string, actor: Actor, userId: number, bytes: Buffer): Promise<void> {
  if (!mayEditProfile(actor, userId)) throw forbidden('directory.not_yours');
  const person = await getPerson(db, userId);
  if (bytes.length === 0) throw invalid('common.invalid', { photo: 'field.required' });
  if (bytes.length > 10 * 1024 * 1024) throw invalid('common.invalid', { photo: 'directory.photo_too_big' });
  let out: Buffer;
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.format || !['jpeg', 'png', 'webp'].includes(meta.format)) throw new Error('type');
    out = await sharp(bytes).rotate().resize(256, 256, { fit: 'cover' }).webp({ quality: 80 }).toBuffer();
  } catch {
    throw invalid('common.invalid', { photo: 'directory.photo_type' });
  }
  const key = createHash('sha256').update(out).digest('hex') + '.webp';
  const dir = path.join(dataDir, 'directory-photos');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, key), out); // all or nothing: a full disk leaves no truncated photo
  if (person.version === null) await saveProfile(db, actor, userId, {});
  await db.updateTable('directory_profiles').set({ photo_key: key, photo_updated_at: nowIso(), updated_at: nowIso() }).where('user_id', '=', userId).execute();
  await record(db, actor, { entity: 'directory_profile', entityId: userId, action: 'photo', changes: { photo_key: [person.photo_key, key] } });
}

export function readPhoto(dataDir: string, key: string): Buffer | undefined {
  if (!/^[a-f0-9]{64}\.webp$/.test(key)) return undefined;
  const file = path.join(dataDir, 'directory-photos', key);
  return existsSync(file) ? readFileSync(file) : undefined;
}

export interface ServiceInput {
  name?: string;
  parent_id?: string;
  head_user_id?: string;
  description?: string;
  email?: string;
  phone?: string;
  position?: string;
  version?: number;
}

async function validateService(db: DirectoryDb, input: ServiceInput, id?: number) {
  const fields: Record<string, string> = {};
  const name = (input.name ?? '').trim();
  if (!name) fields.name = 'field.required';
  else if (name.length > 120) fields.name = 'directory.too_long';
  const parentId = input.parent_id && /^\d{1,9}$/.test(input.parent_id) ? Number(input.parent_id) : null;
  if (parentId) {
    if (id !== undefined && (await serviceAndBelow(db, id)).includes(parentId)) fields.parent_id = 'directory.parent_cycle';
    else if (!(await db.selectFrom('directory_services').select('id').where('id', '=', parentId).executeTakeFirst())) fields.parent_id = 'field.invalid';
  }
  const headId = input.head_user_id && /^\d{1,9}$/.test(input.head_user_id) ? Number(input.head_user_id) : null;
  if (headId && !(await db.selectFrom('users').select('id').where('id', '=', headId).executeTakeFirst())) fields.head_user_id = 'field.invalid';
  const email = (input.email ?? '').trim();
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email)) fields.email = 'field.email';
  const phone = (input.phone ?? '').trim();
  if (phone && !PHONE.test(phone)) fields.phone = 'directory.phone_invalid';
  const pos = Number(input.position ?? 0);
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return { name, parent_id: parentId, head_user_id: headId, description: (input.description ?? '').trim().slice(0, 1000), email: email || null, phone: phone || null, position: Number.isInteger(pos) && pos >= 0 && pos < 1000 ? pos : 0 };
}

export async function createService(db: DirectoryDb, actor: Actor, input: ServiceInput): Promise<Service> {
  if (!can(actor, 'directory:edit')) throw forbidden();
  const values = await validateService(db, input);
  const now = nowIso();
  const row = await db.insertInto('directory_services').values({ ...values, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'directory_service', entityId: row.id, action: 'create', after: values });
  return row;
}

export async function updateService(db: DirectoryDb, actor: Actor, id: number, input: ServiceInput): Promise<void> {
  if (!can(actor, 'directory:edit')) throw forbidden();
  const before = await getService(db, id);
  const values = await validateService(db, input, id);
  await updateWithVersion(db, 'directory_services', id, input.version ?? -1, values);
  await record(db, actor, { entity: 'directory_service', entityId: id, action: 'update', before: { ...before }, after: values });
}
