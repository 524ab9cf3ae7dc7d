// Campaign settings (staff with apprenticeship:manage): a campaign per year with its SOLTéA
// windows and target segment, the CCI's beneficiary schools, goals per school, the reminder
// templates, and school directors' grants. Every write is audited in the caller's transaction.
import { sql } from 'kysely';
import { record, type Actor } from '../../platform/audit/audit.js';
import { findUserByEmail, findUserById } from '../../platform/auth/users.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { findSegment, isValidSiret } from '../registry/index.js';
import { TEMPLATE_CODES, type ApprenticeshipDb, type Campaign, type CampaignWindow, type School, type Template } from './apprenticeship.table.js';
import { isIsoDate, todayParis } from './dates.js';
import { assertManage } from './policy.js';
import { parseDecimal } from './quote.service.js';

// ——— reads ———

export function listCampaigns(db: ApprenticeshipDb): Promise<Campaign[]> {
  return db.selectFrom('apprenticeship_campaigns').selectAll().orderBy('year', 'desc').execute();
}

export function findCampaign(db: ApprenticeshipDb, id: number): Promise<Campaign | undefined> {
  return db.selectFrom('apprenticeship_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getCampaign(db: ApprenticeshipDb, id: number): Promise<Campaign> {
  const c = await findCampaign(db, id);
  if (!c) throw notFound('apprenticeship.campaign_not_found');
  return c;
}

export function campaignOfYear(db: ApprenticeshipDb, year: number): Promise<Campaign | undefined> {
  return db.selectFrom('apprenticeship_campaigns').selectAll().where('year', '=', year).executeTakeFirst();
}

/**
 * The campaign members and the board see by default: the first (by year) whose last window has
 * not closed yet, so the next campaign takes over when one ends; else the latest.
 */
export async function currentCampaign(db: ApprenticeshipDb, today = todayParis()): Promise<Campaign | undefined> {
  const open = await db
    .selectFrom('apprenticeship_campaigns as c')
    .selectAll('c')
    .where(({ exists, selectFrom }) => exists(selectFrom('apprenticeship_windows as w').select('w.id').whereRef('w.campaign_id', '=', 'c.id').where('w.closes_on', '>=', today)))
    .orderBy('c.year')
    .limit(1)
    .executeTakeFirst();
  return open ?? (await db.selectFrom('apprenticeship_campaigns').selectAll().orderBy('year', 'desc').limit(1).executeTakeFirst());
}

export function windowsOf(db: ApprenticeshipDb, campaignId: number): Promise<CampaignWindow[]> {
  return db.selectFrom('apprenticeship_windows').selectAll().where('campaign_id', '=', campaignId).orderBy('position').execute();
}

export function listSchools(db: ApprenticeshipDb, opts: { activeOnly?: boolean } = {}): Promise<School[]> {
  let q = db.selectFrom('apprenticeship_schools').selectAll().orderBy('name');
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return q.execute();
}

export async function getSchool(db: ApprenticeshipDb, id: number): Promise<School> {
  const s = await db.selectFrom('apprenticeship_schools').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound('apprenticeship.school_not_found');
  return s;
}

export interface CampaignSchool extends School {
  goal_cents: number;
}

/** The schools of a campaign (those with a goal row), by name. */
export function campaignSchools(db: ApprenticeshipDb, campaignId: number): Promise<CampaignSchool[]> {
  return db
    .selectFrom('apprenticeship_campaign_schools as cs')
    .innerJoin('apprenticeship_schools as s', 's.id', 'cs.school_id')
    .selectAll('s')
    .select('cs.goal_cents')
    .where('cs.campaign_id', '=', campaignId)
    .orderBy('s.name')
    .execute();
}

export function listTemplates(db: ApprenticeshipDb): Promise<Template[]> {
  return db.selectFrom('apprenticeship_templates').selectAll().orderBy('code', 'desc').execute();
}

/** The schools a staff user directs (per-school grants). */
export async function grantedSchools(db: ApprenticeshipDb, userId: number | null): Promise<number[]> {
  if (userId === null) return [];
  return (await db.selectFrom('apprenticeship_school_grants').select('school_id').where('user_id', '=', userId).execute()).map((r) => r.school_id);
}

export function grantsOfSchool(db: ApprenticeshipDb, schoolId: number) {
  return db
    .selectFrom('apprenticeship_school_grants as g')
    .innerJoin('users as u', 'u.id', 'g.user_id')
    .select(['u.id', 'u.name', 'u.email', 'g.created_at'])
    .where('g.school_id', '=', schoolId)
    .orderBy('u.name')
    .execute();
}

// ——— campaigns ———

export interface CampaignInput {
  year: string;
  title: string;
  segment: string;
  windows: { opens: string; closes: string }[];
}

function checkCampaign(input: CampaignInput): { year: number; title: string; segmentId: number | null; windows: { opens: string; closes: string }[] } {
  const fields: FieldErrors = {};
  const year = /^\d{4}$/.test(input.year) ? Number(input.year) : NaN;
  if (!(year >= 2020 && year <= 2100)) fields.year = 'apprenticeship.campaign_year_invalid';
  const title = input.title.trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 200) fields.title = 'apprenticeship.too_long';
  let segmentId: number | null = null;
  if (input.segment.trim()) {
    if (/^\d{1,9}$/.test(input.segment.trim())) segmentId = Number(input.segment.trim());
    else fields.segment = 'apprenticeship.segment_invalid';
  }
  const windows: { opens: string; closes: string }[] = [];
  input.windows.forEach((w, i) => {
    const n = i + 1;
    if (!w.opens && !w.closes && i > 0) return; // the second window is optional
    if (!isIsoDate(w.opens)) fields[`opens${n}`] = 'apprenticeship.date_invalid';
    if (!isIsoDate(w.closes)) fields[`closes${n}`] = 'apprenticeship.date_invalid';
    else if (isIsoDate(w.opens) && w.closes < w.opens) fields[`closes${n}`] = 'apprenticeship.window_order';
    if (isIsoDate(w.opens) && Number(w.opens.slice(0, 4)) !== year && Number.isFinite(year)) fields[`opens${n}`] = 'apprenticeship.window_year';
    const prev = windows[windows.length - 1];
    if (prev && isIsoDate(w.opens) && w.opens <= prev.closes) fields[`opens${n}`] = 'apprenticeship.window_overlap';
    windows.push(w);
  });
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return { year, title, segmentId, windows };
}

async function checkSegment(db: ApprenticeshipDb, segmentId: number | null): Promise<void> {
  if (segmentId === null) return;
  if (!(await findSegment(db, segmentId))) throw invalid('common.invalid', { segment: 'apprenticeship.segment_not_found' });
}

export async function createCampaign(db: ApprenticeshipDb, actor: Actor, input: CampaignInput): Promise<Campaign> {
  assertManage(actor);
  const c = checkCampaign(input);
  await checkSegment(db, c.segmentId);
  if (await campaignOfYear(db, c.year)) throw invalid('common.invalid', { year: 'apprenticeship.campaign_exists' });
  const now = nowIso();
  const row = await db
    .insertInto('apprenticeship_campaigns')
    .values({ year: c.year, payroll_year: c.year - 1, title: c.title, segment_id: c.segmentId, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.insertInto('apprenticeship_windows').values(c.windows.map((w, i) => ({ campaign_id: row.id, position: i + 1, opens_on: w.opens, closes_on: w.closes }))).execute();
  // Every active school takes part, with no goal yet.
  const schools = await listSchools(db, { activeOnly: true });
  if (schools.length) await db.insertInto('apprenticeship_campaign_schools').values(schools.map((s) => ({ campaign_id: row.id, school_id: s.id, goal_cents: 0 }))).execute();
  await record(db, actor, { entity: 'apprenticeship_campaign', entityId: row.id, action: 'create', after: { year: c.year, title: c.title, segment_id: c.segmentId, windows: c.windows } });
  return row;
}

export async function updateCampaign(db: ApprenticeshipDb, actor: Actor, id: number, version: number, input: Omit<CampaignInput, 'year'>): Promise<void> {
  assertManage(actor);
  const before = await getCampaign(db, id);
  const c = checkCampaign({ ...input, year: String(before.year) });
  await checkSegment(db, c.segmentId);
  const oldWindows = await windowsOf(db, id);
  const res = await db
    .updateTable('apprenticeship_campaigns')
    .set({ title: c.title, segment_id: c.segmentId, updated_at: nowIso(), version: sql`version + 1` })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('apprenticeship.conflict');
  // Windows keep their ids (reminders sent point at them): update in place, add or drop the second.
  for (const [i, w] of c.windows.entries()) {
    const old = oldWindows[i];
    if (old) await db.updateTable('apprenticeship_windows').set({ opens_on: w.opens, closes_on: w.closes }).where('id', '=', old.id).execute();
    else await db.insertInto('apprenticeship_windows').values({ campaign_id: id, position: i + 1, opens_on: w.opens, closes_on: w.closes }).execute();
  }
  for (const old of oldWindows.slice(c.windows.length)) {
    await db.deleteFrom('apprenticeship_reminders').where('window_id', '=', old.id).execute();
    await db.deleteFrom('apprenticeship_windows').where('id', '=', old.id).execute();
  }
  await record(db, actor, {
    entity: 'apprenticeship_campaign',
    entityId: id,
    action: 'update',
    before: { title: before.title, segment_id: before.segment_id, windows: oldWindows.map((w) => ({ opens: w.opens_on, closes: w.closes_on })) },
    after: { title: c.title, segment_id: c.segmentId, windows: c.windows },
  });
}

/** Goals per school (whole euros); a school unticked leaves the campaign (if nobody pledged to it). */
export async function setGoals(db: ApprenticeshipDb, actor: Actor, campaignId: number, input: { schoolIds: string[]; goals: Record<string, string> }): Promise<void> {
  assertManage(actor);
  await getCampaign(db, campaignId);
  const schools = await listSchools(db);
  const known = new Map(schools.map((s) => [String(s.id), s]));
  const fields: FieldErrors = {};
  const wanted = new Map<number, number>();
  for (const id of input.schoolIds) {
    if (!known.has(id)) {
      fields.schools = 'apprenticeship.school_not_found';
      continue;
    }
    const raw = (input.goals[id] ?? '').trim() || '0';
    const cents = parseDecimal(raw, 2, 1_000_000_000);
    if (cents === undefined) fields[`goal_${id}`] = 'apprenticeship.goal_invalid';
    else wanted.set(Number(id), cents);
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const before = await campaignSchools(db, campaignId);
  for (const b of before) {
    if (wanted.has(b.id)) continue;
    const pledged = await db.selectFrom('apprenticeship_pledges').select('id').where('campaign_id', '=', campaignId).where('school_id', '=', b.id).limit(1).executeTakeFirst();
    if (pledged) throw invalid('common.invalid', { schools: 'apprenticeship.school_has_pledges' });
    await db.deleteFrom('apprenticeship_campaign_schools').where('campaign_id', '=', campaignId).where('school_id', '=', b.id).execute();
  }
  for (const [schoolId, goal] of wanted) {
    await db
      .insertInto('apprenticeship_campaign_schools')
      .values({ campaign_id: campaignId, school_id: schoolId, goal_cents: goal })
      .onConflict((oc) => oc.columns(['campaign_id', 'school_id']).doUpdateSet({ goal_cents: goal }))
      .execute();
  }
  await record(db, actor, {
    entity: 'apprenticeship_campaign',
    entityId: campaignId,
    action: 'goals',
    before: { goals: Object.fromEntries(before.map((b) => [b.name, b.goal_cents])) },
    after: { goals: Object.fromEntries([...wanted].map(([id, g]) => [known.get(String(id))!.name, g])) },
  });
}

// ——— schools ———

export interface SchoolInput {
  name: string;
  siret: string;
  uai: string;
  trainings: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  active?: boolean;
}

const UAI = /^\d{7}[A-Z]$/;
const EMAIL = /^[^\s@<>()\r\n]+@[^\s@<>()\r\n]+\.[^\s@<>()\r\n]+$/;

function checkSchool(input: SchoolInput) {
  const fields: FieldErrors = {};
  const name = input.name.trim();
  if (!name) fields.name = 'field.required';
  else if (name.length > 200) fields.name = 'apprenticeship.too_long';
  const siret = input.siret.replace(/\s/g, '');
  if (!isValidSiret(siret)) fields.siret = 'apprenticeship.siret_invalid';
  const uai = input.uai.trim().toUpperCase();
  if (!UAI.test(uai)) fields.uai = 'apprenticeship.uai_invalid';
  const email = input.contactEmail.trim();
  if (email && (!EMAIL.test(email) || email.length > 200)) fields.contactEmail = 'apprenticeship.email_invalid';
  if (input.trainings.length > 2000) fields.trainings = 'apprenticeship.too_long';
  if (input.contactName.length > 200) fields.contactName = 'apprenticeship.too_long';
  if (input.contactPhone.length > 40) fields.contactPhone = 'apprenticeship.too_long';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return { name, siret, uai, trainings: input.trainings.trim(), contact_name: input.contactName.trim(), contact_email: email, contact_phone: input.contactPhone.trim() };
}

export async function createSchool(db: ApprenticeshipDb, actor: Actor, input: SchoolInput): Promise<School> {
  assertManage(actor);
  const values = checkSchool(input);
  if (await db.selectFrom('apprenticeship_schools').select('id').where('siret', '=', values.siret).executeTakeFirst()) throw invalid('common.invalid', { siret: 'apprenticeship.siret_taken' });
  const now = nowIso();
  const row = await db.insertInto('apprenticeship_schools').values({ ...values, active: 1, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'apprenticeship_school', entityId: row.id, action: 'create', after: values });
  return row;
}

export async function updateSchool(db: ApprenticeshipDb, actor: Actor, id: number, version: number, input: SchoolInput): Promise<void> {
  assertManage(actor);
  const before = await getSchool(db, id);
  const values = { ...checkSchool(input), active: input.active === false ? 0 : 1 };
  const other = await db.selectFrom('apprenticeship_schools').select('id').where('siret', '=', values.siret).where('id', '!=', id).executeTakeFirst();
  if (other) throw invalid('common.invalid', { siret: 'apprenticeship.siret_taken' });
  const res = await db.updateTable('apprenticeship_schools').set({ ...values, updated_at: nowIso(), version: sql`version + 1` }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('apprenticeship.conflict');
  const { created_at: _c, updated_at: _u, version: _v, id: _i, ...was } = before;
  await record(db, actor, { entity: 'apprenticeship_school', entityId: id, action: 'update', before: was, after: values });
}

/** A school's director sees that school's results: a grant to a staff user, by e-mail. */
export async function grantSchool(db: ApprenticeshipDb, actor: Actor, schoolId: number, email: string): Promise<void> {
  assertManage(actor);
  await getSchool(db, schoolId);
  const user = email.trim() ? await findUserByEmail(db, email.trim()) : undefined;
  if (!user || user.status !== 'active') throw invalid('common.invalid', { email: 'apprenticeship.user_not_found' });
  const exists = await db.selectFrom('apprenticeship_school_grants').select('user_id').where('user_id', '=', user.id).where('school_id', '=', schoolId).executeTakeFirst();
  if (exists) return;
  await db.insertInto('apprenticeship_school_grants').values({ user_id: user.id, school_id: schoolId, created_at: nowIso() }).execute();
  await record(db, actor, { entity: 'apprenticeship_school', entityId: schoolId, action: 'grant', changes: { director: [null, user.email] } });
}

export async function revokeSchool(db: ApprenticeshipDb, actor: Actor, schoolId: number, userId: number): Promise<void> {
  assertManage(actor);
  await getSchool(db, schoolId);
  const user = await findUserById(db, userId);
  const res = await db.deleteFrom('apprenticeship_school_grants').where('user_id', '=', userId).where('school_id', '=', schoolId).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw notFound('apprenticeship.grant_not_found');
  await record(db, actor, { entity: 'apprenticeship_school', entityId: schoolId, action: 'revoke', changes: { director: [user?.email ?? userId, null] } });
}

// ——— reminder templates ———

export const PLACEHOLDERS = ['entreprise', 'annee', 'date', 'lien'] as const;

export async function updateTemplate(db: ApprenticeshipDb, actor: Actor, code: string, version: number, input: { subject: string; body: string; daysBefore: string }): Promise<void> {
  assertManage(actor);
  const known = TEMPLATE_CODES.find((c) => c === code);
  if (!known) throw notFound('apprenticeship.template_not_found');
  const before = await db.selectFrom('apprenticeship_templates').selectAll().where('code', '=', known).executeTakeFirst();
  if (!before) throw notFound('apprenticeship.template_not_found');
  const fields: FieldErrors = {};
  const subject = input.subject.trim();
  if (!subject) fields.subject = 'field.required';
  else if (subject.length > 200 || /[\r\n]/.test(subject)) fields.subject = 'apprenticeship.subject_invalid';
  const body = input.body.replace(/\r\n/g, '\n').trim();
  if (!body) fields.body = 'field.required';
  else if (body.length > 5000) fields.body = 'apprenticeship.too_long';
  for (const [name, text] of [['subject', subject], ['body', body]] as const) {
    for (const m of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) fields[name] = 'apprenticeship.placeholder_unknown';
    }
  }
  const days = /^\d{1,2}$/.test(input.daysBefore) ? Number(input.daysBefore) : NaN;
  if (!(days >= 0 && days <= 60)) fields.daysBefore = 'apprenticeship.days_before_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const res = await db
    .updateTable('apprenticeship_templates')
    .set({ subject, body, days_before: days, updated_at: nowIso(), version: sql`version + 1` })
    .where('code', '=', before.code)
    .where('version', '=', version)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw conflict('apprenticeship.conflict');
  await record(db, actor, { entity: 'apprenticeship_template', entityId: code, action: 'update', before: { subject: before.subject, body: before.body, days_before: before.days_before }, after: { subject, body, days_before: days } });
}

/** Fills a template's placeholders. */
export function fillTemplate(text: string, values: Record<(typeof PLACEHOLDERS)[number], string>): string {
  return text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (all, name: string) => (Object.hasOwn(values, name) ? values[name as (typeof PLACEHOLDERS)[number]] : all));
}
