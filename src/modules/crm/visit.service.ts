// Visit reports ("fiches visite"): recorded from the field, possibly long after they were
// written (offline drafts), so a report carries the id its phone gave it and is stored once.
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { AppError, invalid, isAppError, notFound } from '../../platform/errors.js';
import { createContact, findCompany, listContacts, type CompanySummary, type ContactSummary } from '../registry/index.js';
import { listTopics } from './catalogue.service.js';
import type { CrmDb, VisitRow } from './crm.table.js';
import { addDays, isDate, todayParis } from './dates.js';
import { assertCanEdit, managedBy, mayEdit, maySeeConfidential } from './policy.js';
import { auditableSharing, checkSharing, type Sharing, type SharingInput } from './sharing.js';
import { validateTaskOwner } from './task.service.js';


/** A visit may be planned up to a year ahead (the calendar feed shows it), not further. */
export const VISIT_MAX_FUTURE_DAYS = 365;
/** Reports older than this are typing mistakes (a year 2O25 typed 2005). */
export const VISIT_MAX_PAST_DAYS = 366 * 5;
const CLIENT_ID_RE = /^[A-Za-z0-9-]{8,64}$/;
const MAX_TEXT = 20_000;

export interface FollowUpInput {
  title: string;
  due: string;
  ownerId?: number;
}

export interface NewContactInput {
  firstName: string;
  lastName: string;
  role?: string;
  email?: string;
  phone?: string;
}

export interface VisitInput extends SharingInput {
  clientId?: string;
  companyId?: number;
  date?: string;
  topics: string[];
  contactIds: number[];
  newContact?: NewContactInput;
  notes?: string;
  needs?: string;
  confidentialNotes?: string;
  followUps?: FollowUpInput[];
  /** edits only: the version the form was based on */
  version?: number;
}

export interface VisitView extends VisitRow {
  topicCodes: string[];
  company: CompanySummary | undefined;
  participants: ContactSummary[];
  ownerName: string;
  canEdit: boolean;
  /** confidential notes blanked when the actor may not see them */
  showConfidential: boolean;
}

function textField(fields: Record<string, string>, name: string, v: string | undefined): string {
  const s = (v ?? '').trim();
  if (s.length > MAX_TEXT) fields[name] = 'field.too_long';
  return s;
}

interface Checked {
  company: CompanySummary;
  date: string;
  topics: string[];
  contactIds: number[];
  notes: string;
  needs: string;
  confidential: string;
  sharing: Sharing;
  followUps: { title: string; due: string; ownerId: number }[];
}

/** Every rule of a report, reported field by field (nothing is written before this passes). */
async function check(db: CrmDb, actor: Actor, input: VisitInput, opts: { today: string; isNew: boolean; before?: VisitRow }): Promise<Checked> {
  const fields: Record<string, string> = {};
  const company = input.companyId !== undefined && Number.isInteger(input.companyId) && input.companyId > 0 ? await findCompany(db, input.companyId) : undefined;
  if (input.companyId === undefined) fields.company_id = 'crm.company_required';
  else if (!company) fields.company_id = 'crm.company_unknown';

  const date = input.date?.trim() || opts.today;
  if (!isDate(date)) fields.date = 'field.date';
  else if (date > addDays(opts.today, VISIT_MAX_FUTURE_DAYS)) fields.date = 'crm.visit_date_too_far';
  else if (date < addDays(opts.today, -VISIT_MAX_PAST_DAYS)) fields.date = 'crm.visit_date_too_old';

  const known = new Set((await listTopics(db)).filter((t) => t.active || !opts.isNew).map((t) => t.code));
  const topics = [...new Set(input.topics)];
  if (topics.some((t) => !known.has(t))) fields.topics = 'crm.topic_unknown';

  const contactIds = [...new Set(input.contactIds)];
  if (company && contactIds.length) {
    const ofCompany = new Set((await listContacts(db, company.id)).map((c) => c.id));
    if (contactIds.some((id) => !ofCompany.has(id))) fields.contact_ids = 'crm.contact_unknown';
  } else if (contactIds.length && !company) fields.contact_ids = 'crm.contact_unknown';

  const notes = textField(fields, 'notes', input.notes);
  const needs = textField(fields, 'needs', input.needs);
  const confidential = textField(fields, 'confidential_notes', input.confidentialNotes);
  const sharing = checkSharing(fields, input, opts.before);

  const followUps: Checked['followUps'] = [];
  for (const [i, f] of (input.followUps ?? []).entries()) {
    const title = f.title.trim();
    const due = f.due.trim();
    if (!title && !due) continue; // an empty row of the form
    if (!title) fields[`followup_${i}_title`] = 'field.required';
    else if (title.length > 200) fields[`followup_${i}_title`] = 'field.too_long';
    if (!isDate(due)) fields[`followup_${i}_due`] = 'field.date';
    else if (due < addDays(opts.today, -1) || due > addDays(opts.today, 3 * 366)) fields[`followup_${i}_due`] = 'crm.task_due_range';
    const ownerId = f.ownerId ?? actor.id ?? 0;
    if (!(await validateTaskOwner(db, ownerId))) fields[`followup_${i}_owner`] = 'crm.task_owner_unknown';
    followUps.push({ title, due, ownerId });
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: fields.notes || fields.needs || fields.confidential_notes ? MAX_TEXT : 200 });
  return { company: company!, date, topics, contactIds, notes, needs, confidential, sharing, followUps };
}

/** Adds the person met to the registry (through the registry's own rules and audit). */
async function addPersonMet(db: CrmDb, actor: Actor, companyId: number, c: NewContactInput): Promise<number> {
  try {
    const created = await createContact(db, actor, companyId, { firstName: c.firstName, lastName: c.lastName, role: c.role, email: c.email, phone: c.phone });
    return created.id;
  } catch (e) {
    // The registry names its own fields; show them on the "new person" part of our form.
    if (isAppError(e) && e.kind === 'invalid') {
      const fields: Record<string, string> = {};
      const map: Record<string, string> = { firstName: 'first_name', lastName: 'last_name' };
      for (const [k, v] of Object.entries(e.fields)) fields[`new_contact_${map[k] ?? k}`] = v;
      throw invalid('common.invalid', Object.keys(fields).length ? fields : { new_contact_last_name: e.code }, e.params);
    }
    throw e;
  }
}

function wantsNewContact(c: NewContactInput | undefined): c is NewContactInput {
  return !!c && [c.firstName, c.lastName, c.role, c.email, c.phone].some((v) => (v ?? '').trim() !== '');
}

/**
 * Records a visit report with its participants and follow-up tasks. A report sent again with the
 * same client id (an offline draft re-sent after a lost answer) returns the stored one.
 */
export async function recordVisit(db: CrmDb, actor: Actor, input: VisitInput, today = todayParis()): Promise<{ visit: VisitRow; created: boolean }> {
  if (actor.id === null) throw new AppError('forbidden', 'common.forbidden');
  const clientId = input.clientId?.trim() || null;
  if (clientId !== null && !CLIENT_ID_RE.test(clientId)) throw invalid('common.invalid', { client_id: 'field.invalid' });
  if (clientId) {
    const existing = await db.selectFrom('crm_visits').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    if (existing) {
      if (existing.owner_id !== actor.id) throw new AppError('conflict', 'crm.client_id_taken');
      return { visit: existing, created: false };
    }
  }
  const c = await check(db, actor, input, { today, isNew: true });
  const contactIds = [...c.contactIds];
  if (wantsNewContact(input.newContact)) contactIds.push(await addPersonMet(db, actor, c.company.id, input.newContact));

  const now = nowIso();
  const inserted = await db
    .insertInto('crm_visits')
    .values({
      client_id: clientId,
      company_id: c.company.id,
      owner_id: actor.id,
      visit_date: c.date,
      topics: JSON.stringify(c.topics),
      notes: c.notes,
      needs: c.needs,
      confidential_notes: c.confidential,
      ...c.sharing,
      created_at: now,
      updated_at: now,
    })
    // Two copies of one draft racing each other: the second one inserts nothing.
    .onConflict((oc) => oc.column('client_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted) {
    const existing = await db.selectFrom('crm_visits').selectAll().where('client_id', '=', clientId!).executeTakeFirstOrThrow();
    return { visit: existing, created: false };
  }
  if (contactIds.length) await db.insertInto('crm_visit_participants').values([...new Set(contactIds)].map((contact_id) => ({ visit_id: inserted.id, contact_id }))).execute();
  for (const f of c.followUps) {
    const task = await db
      .insertInto('crm_tasks')
      .values({ owner_id: f.ownerId, created_by: actor.id, company_id: c.company.id, visit_id: inserted.id, deal_id: null, title: f.title, due_date: f.due, done_at: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await record(db, actor, { entity: 'crm_task', entityId: task.id, action: 'create', after: { title: f.title, due_date: f.due, owner_id: f.ownerId, visit_id: inserted.id } });
  }
  await record(db, actor, {
    entity: 'crm_visit',
    entityId: inserted.id,
    action: 'create',
    after: { company_id: c.company.id, visit_date: c.date, topics: c.topics, participants: contactIds, notes: c.notes, needs: c.needs, confidential_notes: c.confidential ? '(confidentiel)' : '', ...auditableSharing(c.sharing) },
  });
  return { visit: inserted, created: true };
}

export async function updateVisit(db: CrmDb, actor: Actor, id: number, input: VisitInput, today = todayParis()): Promise<void> {
  const before = await db.selectFrom('crm_visits').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound('crm.visit_not_found');
  await assertCanEdit(db, actor, before.owner_id);
  const c = await check(db, actor, { ...input, followUps: [] }, { today, isNew: false, before });
  const beforeContacts = (await db.selectFrom('crm_visit_participants').select('contact_id').where('visit_id', '=', id).execute()).map((r) => r.contact_id).sort((a, b) => a - b);
  // A form or API call that does not carry the confidential notes leaves them as they are; only
  // their author (or crm:confidential) may see them, so only they may replace them.
  const mayTouch = maySeeConfidential(actor, before);
  const confidential = input.confidentialNotes === undefined || !mayTouch ? before.confidential_notes : c.confidential;
  const patch = { company_id: c.company.id, visit_date: c.date, topics: JSON.stringify(c.topics), notes: c.notes, needs: c.needs, confidential_notes: confidential, ...c.sharing };
  await updateWithVersion(db, 'crm_visits', id, input.version ?? -1, patch);
  await db.deleteFrom('crm_visit_participants').where('visit_id', '=', id).execute();
  if (c.contactIds.length) await db.insertInto('crm_visit_participants').values(c.contactIds.map((contact_id) => ({ visit_id: id, contact_id }))).execute();
  const hide = (v: string) => (v ? '(confidentiel)' : '');
  await record(db, actor, {
    entity: 'crm_visit',
    entityId: id,
    action: 'update',
    before: { company_id: before.company_id, visit_date: before.visit_date, topics: before.topics, notes: before.notes, needs: before.needs, confidential_notes: hide(before.confidential_notes), ...auditableSharing(before), participants: beforeContacts },
    after: { ...patch, confidential_notes: before.confidential_notes !== confidential ? '(modifié)' : hide(confidential), participants: [...c.contactIds].sort((a, b) => a - b) },
  });
}

async function ownerNames(db: CrmDb, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
export { ownerNames };

/** The stored report, as the API answers it (without its confidential notes: the API strips them). */
export async function getVisitRow(db: CrmDb, id: number): Promise<VisitRow> {
  const visit = await db.selectFrom('crm_visits').selectAll().where('id', '=', id).executeTakeFirst();
  if (!visit) throw notFound('crm.visit_not_found');
  return visit;
}

export async function getVisit(db: CrmDb, actor: Actor, id: number): Promise<VisitView> {
  const v = await db.selectFrom('crm_visits').selectAll().where('id', '=', id).executeTakeFirst();
  if (!v) throw notFound('crm.visit_not_found');
  const team = await managedBy(db, actor);
  const [company, contacts, participantIds, names] = await Promise.all([
    findCompany(db, v.company_id),
    listContacts(db, v.company_id),
    db.selectFrom('crm_visit_participants').select('contact_id').where('visit_id', '=', id).execute(),
    ownerNames(db, [v.owner_id]),
  ]);
  const ids = new Set(participantIds.map((p) => p.contact_id));
  const showConfidential = maySeeConfidential(actor, v);
  return {
    ...v,
    confidential_notes: showConfidential ? v.confidential_notes : '',
    topicCodes: JSON.parse(v.topics) as string[],
    company,
    participants: contacts.filter((c) => ids.has(c.id)),
    ownerName: names.get(v.owner_id) ?? '',
    canEdit: mayEdit(actor, v.owner_id, team),
    showConfidential,
  };
}

export interface VisitFilter {
  ownerIds?: number[];
  companyId?: number;
  from?: string;
  to?: string;
}

export interface VisitListItem {
  id: number;
  company_id: number;
  owner_id: number;
  visit_date: string;
  topics: string;
  notes: string;
  needs: string;
  shared_with_company: number;
  member_title: string;
  member_summary: string;
  created_at: string;
  updated_at: string;
  version: number;
}

/** Visits, newest first. Confidential notes are never part of a list. */
export async function listVisits(db: CrmDb, filter: VisitFilter, page = 1, perPage = 50): Promise<{ items: VisitListItem[]; total: number }> {
  let q = db.selectFrom('crm_visits');
  if (filter.ownerIds) q = q.where('owner_id', 'in', filter.ownerIds.length ? filter.ownerIds : [-1]);
  if (filter.companyId !== undefined) q = q.where('company_id', '=', filter.companyId);
  if (filter.from) q = q.where('visit_date', '>=', filter.from);
  if (filter.to) q = q.where('visit_date', '<=', filter.to);
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = await q
    .select(['id', 'company_id', 'owner_id', 'visit_date', 'topics', 'notes', 'needs', 'shared_with_company', 'member_title', 'member_summary', 'created_at', 'updated_at', 'version'])
    .orderBy('visit_date', 'desc')
    .orderBy('id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { items, total };
}
