// "Mon entreprise": the member proposes corrections to the registry data; the documentation
// service sees a field-by-field diff and accepts all, part, or refuses with a reason. Nothing the
// member submits touches the registry until accepted — then only through the registry's own
// applyCompanyCorrection (validation, history, audit are the registry's).
import { createRequire } from 'node:module';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { conflict, invalid, isAppError, notFound } from '../../platform/errors.js';
import type { MailDeps } from './accounts.service.js';
import type { ExtranetDb, ChangeRequestRow } from './extranet.table.js';
import { correctableFields, type CorrectableFields } from '../registry/index.js';
import { applyCompanyCorrection, createContact } from '../registry/index.js';
import type { MemberScope } from './scope.js';

const require = createRequire(import.meta.url);

/** The fields a member may propose, in display order (the registry accepts exactly these). */
export const CORRECTABLE = [
  'address_complement',
  'street_number',
  'street_type',
  'street_name',
  'postal_code',
  'city',
  'phone',
  'website',
  'description',
  'activity_text',
] as const;
/** A person to add to the company's contacts: one more line of the diff, applied by createContact. */
export const NEW_CONTACT = 'new_contact' as const;
export const CONTACT_FIELDS = ['contact_first_name', 'contact_last_name', 'contact_role', 'contact_email', 'contact_phone'] as const;
/** Every key a change set may hold, in display order. */
export const DIFF_KEYS = [...CORRECTABLE, NEW_CONTACT] as const;
export type CorrectableField = (typeof CORRECTABLE)[number] | typeof NEW_CONTACT;
/** Every form field the correction form offers (nothing else is accepted). */
export const CORRECTION_FORM_FIELDS: readonly string[] = [...CORRECTABLE, ...CONTACT_FIELDS];

const MAX: Record<(typeof CORRECTABLE)[number], number> = {
  address_complement: 200,
  street_number: 10,
  street_type: 10,
  street_name: 200,
  postal_code: 5,
  city: 100,
  phone: 30,
  website: 300,
  description: 4000,
  activity_text: 2000,
};

export interface ProposedChange {
  from: string | null;
  to: string | null;
  /** resolved INSEE commune code when the postal code or city changes */
  communeCode?: string;
  /** the person to add (new_contact only) */
  contact?: { firstName: string; lastName: string; role: string; email: string; phone: string };
}
export type ChangeSet = Partial<Record<CorrectableField, ProposedChange>>;

interface CommuneRef {
  code: string;
  nom: string;
  type: string;
  codesPostaux?: string[];
}
let communes: CommuneRef[] | undefined;
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/gi, ' ')
    .trim()
    .toUpperCase()
    .replace(/^SAINT /, 'ST ')
    .replace(/ SAINT /g, ' ST ');

/** INSEE code of the commune with this postal code and name (accents and case ignored). */
export function resolveCommune(postalCode: string, city: string): string | undefined {
  communes ??= (require('@etalab/decoupage-administratif/data/communes.json') as CommuneRef[]).filter((c) => c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal');
  const candidates = communes.filter((c) => c.codesPostaux?.includes(postalCode));
  const wanted = fold(city);
  const exact = candidates.filter((c) => fold(c.nom) === wanted);
  if (exact.length >= 1) return exact.find((c) => c.type === 'commune-actuelle')?.code ?? exact[0].code;
  const actual = candidates.filter((c) => c.type === 'commune-actuelle');
  return actual.length === 1 && !wanted ? actual[0].code : undefined;
}

export async function currentValues(db: ExtranetDb, companyId: number): Promise<CorrectableFields> {
  const v = await correctableFields(db, companyId);
  if (!v) throw notFound();
  return v;
}

/**
 * Builds the change set from the submitted form: only the correctable fields are read (anything
 * else in the body — company_id, status, version… — is ignored), only real differences kept.
 */
export function proposedChanges(current: CorrectableFields, body: Record<string, string>): ChangeSet {
  const out: ChangeSet = {};
  const errors: Record<string, string> = {};
  for (const f of CORRECTABLE) {
    if (!(f in body)) continue;
    const to = (body[f] ?? '').trim();
    if (to.length > MAX[f]) {
      errors[f] = 'field.too_long';
      continue;
    }
    const from = (current[f] ?? '') as string;
    const same = f === 'city' || f === 'street_name' || f === 'street_type' ? fold(from) === fold(to) : from === to;
    if (!same) out[f] = { from: from || null, to: to || null };
  }
  const person = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, (body[f] ?? '').trim().slice(0, 200)])) as Record<(typeof CONTACT_FIELDS)[number], string>;
  if (CONTACT_FIELDS.some((f) => person[f])) {
    if (!person.contact_last_name) errors.contact_last_name = 'field.required';
    if (person.contact_email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(person.contact_email)) errors.contact_email = 'field.email';
    if (person.contact_phone && !/^\+?[0-9 .()-]{6,20}$/.test(person.contact_phone)) errors.contact_phone = 'extranet.phone_invalid';
    const label = [[person.contact_first_name, person.contact_last_name].filter(Boolean).join(' '), person.contact_role, person.contact_email, person.contact_phone].filter(Boolean).join(' — ');
    out.new_contact = {
      from: null,
      to: label,
      contact: { firstName: person.contact_first_name, lastName: person.contact_last_name, role: person.contact_role, email: person.contact_email, phone: person.contact_phone },
    };
  }
  if (out.phone?.to && !/^[+\d][\d .\-()]{5,29}$/.test(out.phone.to)) errors.phone = 'extranet.phone_invalid';
  if (out.website?.to && !/^https?:\/\/[^\s<>"]+\.[^\s<>"]+$/i.test(out.website.to)) errors.website = 'extranet.website_invalid';
  if (out.postal_code || out.city) {
    const pc = body.postal_code?.trim() ?? current.postal_code ?? '';
    const city = body.city?.trim() ?? current.city ?? '';
    if (!/^\d{5}$/.test(pc)) errors.postal_code = 'extranet.postal_code_invalid';
    else {
      const code = resolveCommune(pc, city);
      if (!code) errors.city = 'extranet.commune_unknown';
      else {
        // Both travel together: the registry validates the postal code against the commune.
        out.postal_code = { from: current.postal_code, to: pc, communeCode: code };
        out.city = { from: current.city, to: city.toUpperCase(), communeCode: code };
      }
    }
  }
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  return out;
}

export async function proposeCorrection(db: ExtranetDb, scope: MemberScope, body: Record<string, string>): Promise<number> {
  const current = await currentValues(db, scope.companyId);
  const changes = proposedChanges(current, body);
  if (Object.keys(changes).length === 0) throw invalid('common.invalid', { _form: 'extranet.correction_empty' });
  const pending = await db.selectFrom('member_change_requests').select((eb) => eb.fn.countAll().as('n')).where('company_id', '=', scope.companyId).where('status', '=', 'pending').executeTakeFirstOrThrow();
  if (Number(pending.n) >= 10) throw conflict('extranet.too_many_pending');
  const now = nowIso();
  const row = await db
    .insertInto('member_change_requests')
    .values({ company_id: scope.companyId, account_id: scope.accountId, status: 'pending', changes: JSON.stringify(changes), decisions: null, reason: null, decided_by: null, decided_at: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await record(db, scope.actor, { entity: 'member_change_request', entityId: row.id, action: 'create', changes: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, [v!.from, v!.to]])) });
  return row.id;
}

export interface ChangeRequestView extends Omit<ChangeRequestRow, 'changes' | 'decisions'> {
  changes: ChangeSet;
  decisions: Partial<Record<CorrectableField, 'accepted' | 'refused'>>;
}

function view(row: ChangeRequestRow): ChangeRequestView {
  return { ...row, changes: JSON.parse(row.changes) as ChangeSet, decisions: row.decisions ? JSON.parse(row.decisions) : {} };
}

export async function listCompanyCorrections(db: ExtranetDb, companyId: number, limit = 50): Promise<ChangeRequestView[]> {
  const rows = await db.selectFrom('member_change_requests').selectAll().where('company_id', '=', companyId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(view);
}

export async function getMemberCorrection(db: ExtranetDb, scope: MemberScope, id: number): Promise<ChangeRequestView> {
  const row = await db.selectFrom('member_change_requests').selectAll().where('id', '=', id).where('company_id', '=', scope.companyId).executeTakeFirst();
  if (!row) throw notFound();
  return view(row);
}

export async function getCorrection(db: ExtranetDb, id: number): Promise<ChangeRequestView> {
  const row = await db.selectFrom('member_change_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  return view(row);
}

export async function listPendingCorrections(db: ExtranetDb, limit = 200): Promise<ChangeRequestView[]> {
  const rows = await db.selectFrom('member_change_requests').selectAll().where('status', '=', 'pending').orderBy('created_at').limit(limit).execute();
  return rows.map(view);
}

/**
 * The documentation service's decision. `accepted` lists the fields to apply; the rest are
 * refused. Refusing anything needs a reason. Applied through the registry, in the caller's
 * transaction: if the registry refuses a value, nothing is decided.
 */
export async function decideCorrection(db: ExtranetDb, actor: Actor, id: number, input: { accepted: string[]; reason: string; version: number | undefined }, mail: MailDeps): Promise<ChangeRequestView> {
  const req = await getCorrection(db, id);
  if (req.status !== 'pending') throw conflict('extranet.correction_decided');
  const proposed = Object.keys(req.changes) as CorrectableField[];
  const accepted = new Set(input.accepted.filter((f): f is CorrectableField => proposed.includes(f as CorrectableField)));
  // The postal code and the commune are one fact for the registry.
  if (accepted.has('postal_code') || accepted.has('city')) {
    if (req.changes.postal_code) accepted.add('postal_code');
    if (req.changes.city) accepted.add('city');
  }
  const reason = input.reason.trim().slice(0, 2000);
  if (accepted.size < proposed.length && !reason) throw invalid('common.invalid', { reason: 'extranet.reason_required' });
  const decisions = Object.fromEntries(proposed.map((f) => [f, accepted.has(f) ? 'accepted' : 'refused'])) as ChangeRequestView['decisions'];
  const status = accepted.size === 0 ? 'refused' : accepted.size === proposed.length ? 'accepted' : 'partial';
  await updateWithVersion(db, 'member_change_requests', req.id, input.version ?? -1, { status, decisions: JSON.stringify(decisions), reason: reason || null, decided_by: actor.id, decided_at: nowIso() });
  if (accepted.size) {
    const current = await currentValues(db, req.company_id);
    const fields: Record<string, string> = {};
    const val = (f: CorrectableField) => req.changes[f]!.to ?? '';
    if (accepted.has('address_complement')) fields.addressComplement = val('address_complement');
    if (accepted.has('street_number')) fields.streetNumber = val('street_number');
    if (accepted.has('street_type')) fields.streetType = val('street_type');
    if (accepted.has('street_name')) fields.streetName = val('street_name');
    if (accepted.has('postal_code') || accepted.has('city')) {
      const c = req.changes.postal_code ?? req.changes.city!;
      fields.postalCode = req.changes.postal_code?.to ?? current.postal_code ?? '';
      fields.communeCode = c.communeCode ?? current.commune_code ?? '';
    }
    if (accepted.has('phone')) fields.phone = val('phone');
    if (accepted.has('website')) fields.website = val('website');
    if (accepted.has('description')) fields.description = val('description');
    if (accepted.has('activity_text')) fields.activityText = val('activity_text');
    try {
      if (Object.keys(fields).length) await applyCompanyCorrection(db, actor, req.company_id, fields, current.version);
      const person = req.changes.new_contact?.contact;
      if (accepted.has(NEW_CONTACT) && person) {
        await createContact(db, actor, req.company_id, { firstName: person.firstName, lastName: person.lastName, role: person.role || undefined, email: person.email || undefined, phone: person.phone || undefined });
      }
    } catch (e) {
      // The registry's field names (camelCase) are mapped back to the proposal's.
      if (isAppError(e) && e.kind === 'invalid') throw invalid('extranet.correction_rejected_by_registry', {}, { fields: Object.keys(e.fields).join(', ') });
      throw e;
    }
  }
  await record(db, actor, { entity: 'member_change_request', entityId: req.id, action: 'decide', changes: { status: ['pending', status], decisions: [null, decisions], reason: [null, reason || null] } });
  const account = await db.selectFrom('member_accounts').select(['email', 'name', 'status']).where('id', '=', req.account_id).executeTakeFirst();
  if (account && account.status === 'active') {
    await mail.mailer.queue(db, {
      to: account.email as string,
      subject: mail.t('extranet.mail.correction_decided.subject', { cci: mail.cciName }),
      text: mail.t('extranet.mail.correction_decided.body', { name: account.name as string, cci: mail.cciName, link: `${mail.publicUrl}/extranet/mon-entreprise/corrections/${req.id}` }),
    });
  }
  return { ...req, status, decisions, reason: reason || null };
}

export async function countPendingCorrections(db: ExtranetDb, companyId?: number): Promise<number> {
  let q = db.selectFrom('member_change_requests').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending');
  if (companyId !== undefined) q = q.where('company_id', '=', companyId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
