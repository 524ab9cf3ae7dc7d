// Business verbs on companies, establishments and contacts: the contract other modules use
// (re-exported by index.ts) and what the registry's own pages and API call.
import { sql } from 'kysely';
import { record, diff, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { searchTerms, fullTextMatch, normaliseSearchText } from '../../platform/db/search.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { communeByCode, isNafCode, LEGAL_FORMS, HEADCOUNT_BANDS } from './reference.js';
import type { ChangeRow, CompanyRow, ContactRow, EstablishmentRow, RegistryDb } from './registry.table.js';
import { identifierIn, isValidSiren, isValidSiret, nameKey } from './rules.js';
import { appendConsentEvent } from './consent.queries.js';
import { assertCanEditCompany, assertCanEditRegistry, maySeeAudit } from './policy.js';
import { derivedColumns } from './search-text.js';
import { invalidateSearchCache } from './search.service.js';


export interface CompanySummary {
  id: number;
  siren: string | null;
  name: string;
  diffusion: 'public' | 'partial';
  status: 'active' | 'ceased';
  communeCode: string | null;
  postalCode: string | null;
  city: string | null;
  nafCode: string | null;
}

export interface ContactSummary {
  id: number;
  companyId: number;
  firstName: string;
  lastName: string;
  role: string | null;
  email: string | null;
  phone: string | null;
}

export function companyHref(id: number): string {
  return `/registre/entreprises/${id}`;
}

function summaryQuery(db: RegistryDb) {
  // The head office gives the address; a company without one falls back to any establishment.
  return db
    .selectFrom('companies as c')
    .select((eb) => [
      'c.id',
      'c.siren',
      'c.name',
      'c.diffusion',
      'c.status',
      'c.naf_code as nafCode',
      eb
        .selectFrom('establishments as e')
        .select(sql<string>`e.commune_code || '|' || coalesce(e.postal_code, '') || '|' || coalesce(e.city, '')`.as('a'))
        .whereRef('e.company_id', '=', 'c.id')
        .orderBy('e.is_head_office', 'desc')
        .orderBy('e.id')
        .limit(1)
        .as('addr'),
    ]);
}
type SummaryRow = { id: number; siren: string | null; name: string; diffusion: 'public' | 'partial'; status: 'active' | 'ceased'; nafCode: string | null; addr: string | null };
function toSummary(row: SummaryRow): CompanySummary {
  const [communeCode, postalCode, city] = (row.addr ?? '||').split('|');
  return { id: row.id, siren: row.siren, name: row.name, diffusion: row.diffusion, status: row.status, nafCode: row.nafCode, communeCode: communeCode || null, postalCode: postalCode || null, city: city || null };
}

export async function findCompany(db: RegistryDb, id: number): Promise<CompanySummary | undefined> {
  const row = await summaryQuery(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toSummary(row as SummaryRow) : undefined;
}

export async function getCompany(db: RegistryDb, id: number): Promise<CompanySummary> {
  const c = await findCompany(db, id);
  if (!c) throw notFound('registry.company_not_found');
  return c;
}

export async function findCompanyRow(db: RegistryDb, id: number): Promise<CompanyRow | undefined> {
  return db.selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function getCompanyRow(db: RegistryDb, id: number): Promise<CompanyRow> {
  const c = await findCompanyRow(db, id);
  if (!c) throw notFound('registry.company_not_found');
  return c;
}

/** Fast lookup for autocomplete pickers: by SIREN/SIRET, else full-text prefix on names. */
export async function searchCompaniesForPicker(db: RegistryDb, q: string, limit = 10): Promise<CompanySummary[]> {
  const lim = Math.min(Math.max(1, limit), 50);
  const id = identifierIn(q);
  let ids: number[];
  if (id?.siren) {
    ids = (await db.selectFrom('companies').select('id').where('siren', '=', id.siren).execute()).map((x) => x.id);
  } else if (id?.siret) {
    ids = (await db.selectFrom('establishments').select('company_id as id').where('siret', '=', id.siret).execute()).map((x) => x.id);
  } else {
    const terms = searchTerms(q);
    if (terms.length === 0) return [];
    const rows = await db
      .selectFrom('establishments as e')
      .select('e.company_id')
      .where(fullTextMatch(db, 'establishments', 'e', 'search_text', terms))
      .orderBy('e.status')
      .orderBy('e.is_head_office', 'desc')
      .limit(lim * 4)
      .execute();
    ids = [...new Set(rows.map((x) => x.company_id))].slice(0, lim);
  }
  if (ids.length === 0) return [];
  const rows = (await summaryQuery(db).where('c.id', 'in', ids).where('c.merged_into_id', 'is', null).execute()) as SummaryRow[];
  const order = new Map(ids.map((v, i) => [v, i]));
  return rows.map(toSummary).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

function toContactSummary(c: ContactRow): ContactSummary {
  return { id: c.id, companyId: c.company_id, firstName: c.first_name, lastName: c.last_name, role: c.role, email: c.email, phone: c.phone };
}

export async function listContactRows(db: RegistryDb, companyId: number): Promise<ContactRow[]> {
  return db.selectFrom('contacts').selectAll().where('company_id', '=', companyId).where('erased_at', 'is', null).orderBy('is_officer', 'desc').orderBy('last_name').execute();
}
export async function listContacts(db: RegistryDb, companyId: number): Promise<ContactSummary[]> {
  return (await listContactRows(db, companyId)).map(toContactSummary);
}
export async function findContactRow(db: RegistryDb, id: number): Promise<ContactRow | undefined> {
  return db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
}
/** A contact that was not erased, or 404. */
export async function getContactRow(db: RegistryDb, id: number): Promise<ContactRow> {
  const c = await findContactRow(db, id);
  if (!c || c.erased_at) throw notFound('registry.contact_not_found');
  return c;
}
export async function findContact(db: RegistryDb, id: number): Promise<ContactSummary | undefined> {
  const c = await findContactRow(db, id);
  return c && !c.erased_at ? toContactSummary(c) : undefined;
}

export interface ContactInput {
  firstName?: string;
  lastName: string;
  role?: string;
  email?: string;
  phone?: string;
  establishmentId?: number | null;
  isOfficer?: boolean;
  consent?: 'unknown' | 'granted' | 'refused';
  consentDate?: string;
  consentSource?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 .()-]{6,20}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(s: string): boolean {
  return DATE.test(s) && !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().startsWith(s);
}

function cleanContact(input: ContactInput) {
  const errors: Record<string, string> = {};
  const t = (s: string | undefined, max: number) => (s ?? '').trim().slice(0, max);
  const v = {
    first_name: t(input.firstName, 100),
    last_name: t(input.lastName, 100),
    role: t(input.role, 200) || null,
    email: t(input.email, 200).toLowerCase() || null,
    phone: t(input.phone, 30) || null,
    establishment_id: input.establishmentId ?? null,
    is_officer: input.isOfficer ? 1 : 0,
    consent: input.consent ?? 'unknown',
    consent_date: t(input.consentDate, 10) || null,
    consent_source: t(input.consentSource, 200) || null,
  };
  if (!v.last_name) errors.lastName = 'field.required';
  if (v.email && !EMAIL.test(v.email)) errors.email = 'registry.invalid_email';
  if (v.phone && !PHONE.test(v.phone)) errors.phone = 'registry.invalid_phone';
  if (!['unknown', 'granted', 'refused'].includes(v.consent)) errors.consent = 'field.invalid';
  if (v.consent_date && !validDate(v.consent_date)) errors.consentDate = 'registry.invalid_date';
  if (v.consent !== 'unknown' && !v.consent_date) errors.consentDate = 'registry.consent_date_required';
  if (v.consent !== 'unknown' && !v.consent_source) errors.consentSource = 'registry.consent_source_required';
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  return v;
}

export async function recordChange(db: RegistryDb, actor: Actor, e: { companyId: number; entity: 'company' | 'establishment' | 'contact'; entityId: number; source: 'sirene' | 'manual' | 'correction' | 'merge' | 'extranet'; action: string; changes: unknown; importId?: number }) {
  await db
    .insertInto('registry_changes')
    .values({ company_id: e.companyId, entity: e.entity, entity_id: e.entityId, at: nowIso(), source: e.source, import_id: e.importId ?? null, actor_label: actor.label, action: e.action, changes: JSON.stringify(e.changes) })
    .execute();
  // Every manual write records a change: the cached search counts are stale from now on.
  invalidateSearchCache();
}

/** Adds a person to a company ("add the person met"): validated, audited, searchable. */
export async function createContact(db: RegistryDb, actor: Actor, companyId: number, input: ContactInput): Promise<ContactSummary> {
  assertCanEditRegistry(actor);
  const company = await getCompanyRow(db, companyId);
  assertCanEditCompany(actor, company);
  const v = cleanContact(input);
  if (v.establishment_id !== null) {
    const e = await db.selectFrom('establishments').select('company_id').where('id', '=', v.establishment_id).executeTakeFirst();
    if (!e || e.company_id !== companyId) throw invalid('common.invalid', { establishmentId: 'field.invalid' });
  }
  const now = nowIso();
  const row = await db
    .insertInto('contacts')
    .values({ ...v, company_id: companyId, civility: null, erased_at: null, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'contact', entityId: row.id, action: 'create', after: { ...row, company_id: companyId } });
  // The consent history starts with the answer typed on creation (consent.service.ts).
  if (v.consent !== 'unknown') await appendConsentEvent(db, actor, { contactId: row.id, channel: 'prospecting', value: v.consent, source: v.consent_source });
  await recordChange(db, actor, { companyId, entity: 'contact', entityId: row.id, source: 'manual', action: 'create', changes: { name: [null, `${v.first_name} ${v.last_name}`.trim()] } });
  await refreshCompanySearch(db, companyId);
  return toContactSummary(row);
}

export async function updateContact(db: RegistryDb, actor: Actor, contactId: number, version: number, input: ContactInput): Promise<void> {
  assertCanEditRegistry(actor);
  const before = await findContactRow(db, contactId);
  if (!before || before.erased_at) throw notFound('registry.contact_not_found');
  const v = cleanContact(input);
  await updateWithVersion(db, 'contacts', contactId, version, v);
  const after = { ...before, ...v };
  await record(db, actor, { entity: 'contact', entityId: contactId, action: 'update', before, after });
  if (before.consent !== v.consent) await appendConsentEvent(db, actor, { contactId, channel: 'prospecting', value: v.consent, source: v.consent_source });
  await recordChange(db, actor, { companyId: before.company_id, entity: 'contact', entityId: contactId, source: 'manual', action: 'update', changes: diff(before, after) });
  await refreshCompanySearch(db, before.company_id);
}

/** Recomputes the search text and derived columns of every establishment of a company. */
export async function refreshCompanySearch(db: RegistryDb, companyId: number): Promise<void> {
  const c = await getCompanyRow(db, companyId);
  const contacts = await listContactRows(db, companyId);
  const names = contacts.map((x) => `${x.first_name} ${x.last_name}`).join(' ');
  const ests = await db.selectFrom('establishments').selectAll().where('company_id', '=', companyId).execute();
  for (const e of ests) {
    const d = derivedColumns(c, e, names);
    if (d.search_text !== e.search_text || d.sort_name !== e.sort_name || d.legal_form !== e.legal_form || d.naf_section !== e.naf_section || d.department !== e.department) {
      await db.updateTable('establishments').set(d).where('id', '=', e.id).execute();
    }
  }
}

export async function listCompanyChanges(db: RegistryDb, companyId: number, limit = 50): Promise<(Omit<ChangeRow, 'changes'> & { changes: Record<string, [unknown, unknown]> })[]> {
  const rows = await db.selectFrom('registry_changes').selectAll().where('company_id', '=', companyId).orderBy('at', 'desc').orderBy('id', 'desc').limit(Math.min(limit, 500)).execute();
  return rows.map((x) => ({ ...x, changes: JSON.parse(x.changes) }));
}

/** A company's establishments, head office first, open before closed (a chain's page shows 500 at most). */
export async function listCompanyEstablishments(db: RegistryDb, companyId: number, limit = 500): Promise<EstablishmentRow[]> {
  return db.selectFrom('establishments').selectAll().where('company_id', '=', companyId).orderBy('is_head_office', 'desc').orderBy('status').orderBy('siret').limit(limit).execute();
}

/** The audit rows of a company and of its contacts, newest first. */
export async function listCompanyAudit(db: RegistryDb, companyId: number, contactIds: readonly number[], limit = 50) {
  return db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_label', 'action', 'entity', 'changes'])
    .where((eb) =>
      eb.or([
        eb.and([eb('entity', '=', 'company'), eb('entity_id', '=', String(companyId))]),
        ...(contactIds.length ? [eb.and([eb('entity', '=', 'contact'), eb('entity_id', 'in', contactIds.map(String))])] : []),
      ]),
    )
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Everything a company's page shows of the registry, or undefined for an unknown id. The audit
 * is read only for those who may see it (policy maySeeAudit). The caller gives one connection
 * (the page reads on the quick-read lane, ADR 0009), so the reads run together.
 */
export async function companyRecord(db: RegistryDb, actor: Actor, id: number) {
  const company = await findCompanyRow(db, id);
  if (!company) return undefined;
  const contacts = await listContactRows(db, id);
  const contactIds = contacts.map((c) => c.id);
  const [establishments, tags, notes, changes, audit, mergedInto] = await Promise.all([
    listCompanyEstablishments(db, id),
    listCompanyTags(db, id),
    listNotes(db, id),
    listCompanyChanges(db, id, 100),
    maySeeAudit(actor) ? listCompanyAudit(db, id, contactIds) : Promise.resolve([]),
    company.merged_into_id ? findCompanyRow(db, company.merged_into_id) : Promise.resolve(undefined),
  ]);
  return { company, contactIds, establishments, contacts, tags, notes, changes, audit, mergedInto: mergedInto ? { id: mergedInto.id, name: mergedInto.name } : undefined };
}

/** The company of a SIREN (the API's key), or 404. */
export async function companyIdForSiren(db: RegistryDb, siren: string): Promise<number> {
  const c = await db.selectFrom('companies').select('id').where('siren', '=', siren).executeTakeFirst();
  if (!c) throw notFound('registry.company_not_found');
  return c.id;
}

// ——— company edits ———

export interface CompanyInput {
  name?: string;
  acronym?: string;
  legalForm?: string;
  nafCode?: string;
  headcountBand?: string;
  creationDate?: string;
  phone?: string;
  email?: string;
  website?: string;
  description?: string;
  activityText?: string;
  status?: 'active' | 'ceased';
}

function cleanCompany(input: CompanyInput, errors: Record<string, string>) {
  const t = (s: string | undefined, max: number) => (s ?? '').trim().slice(0, max);
  const v: Record<string, unknown> = {};
  if (input.name !== undefined) {
    v.name = t(input.name, 200);
    if (!v.name) errors.name = 'field.required';
  }
  if (input.acronym !== undefined) v.acronym = t(input.acronym, 40) || null;
  if (input.legalForm !== undefined) {
    v.legal_form = t(input.legalForm, 4) || null;
    if (v.legal_form && !/^\d{4}$/.test(v.legal_form as string)) errors.legalForm = 'registry.invalid_legal_form';
  }
  if (input.nafCode !== undefined) {
    v.naf_code = t(input.nafCode, 6).toUpperCase() || null;
    if (v.naf_code && !isNafCode(v.naf_code as string)) errors.nafCode = 'registry.invalid_naf';
  }
  if (input.headcountBand !== undefined) {
    v.headcount_band = t(input.headcountBand, 2) || null;
    if (v.headcount_band && !(v.headcount_band as string in HEADCOUNT_BANDS)) errors.headcountBand = 'field.invalid';
  }
  if (input.creationDate !== undefined) {
    v.creation_date = t(input.creationDate, 10) || null;
    if (v.creation_date && !validDate(v.creation_date as string)) errors.creationDate = 'registry.invalid_date';
  }
  if (input.phone !== undefined) {
    v.phone = t(input.phone, 30) || null;
    if (v.phone && !PHONE.test(v.phone as string)) errors.phone = 'registry.invalid_phone';
  }
  if (input.email !== undefined) {
    v.email = t(input.email, 200).toLowerCase() || null;
    if (v.email && !EMAIL.test(v.email as string)) errors.email = 'registry.invalid_email';
  }
  if (input.website !== undefined) {
    v.website = t(input.website, 300) || null;
    if (v.website && !/^https?:\/\/[^\s]+\.[^\s]+$/.test(v.website as string)) errors.website = 'registry.invalid_website';
  }
  if (input.description !== undefined) v.description = t(input.description, 4000) || null;
  if (input.activityText !== undefined) v.activity_text = t(input.activityText, 1000) || null;
  if (input.status !== undefined) {
    if (!['active', 'ceased'].includes(input.status)) errors.status = 'field.invalid';
    v.status = input.status;
  }
  return v;
}

/** Staff edit of a company (optimistic locking: `version` is the one the form was built on). */
export async function updateCompany(db: RegistryDb, actor: Actor, companyId: number, version: number, input: CompanyInput, source: 'manual' | 'correction' = 'manual'): Promise<void> {
  assertCanEditRegistry(actor);
  const before = await getCompanyRow(db, companyId);
  assertCanEditCompany(actor, before);
  const errors: Record<string, string> = {};
  const v = cleanCompany(input, errors);
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  await updateWithVersion(db, 'companies', companyId, version, v);
  const after = { ...before, ...v };
  const changes = diff(before, after);
  if (Object.keys(changes).length === 0) return;
  await record(db, actor, { entity: 'company', entityId: companyId, action: 'update', before, after });
  await recordChange(db, actor, { companyId, entity: 'company', entityId: companyId, source, action: 'update', changes });
  if ('name' in changes || 'acronym' in changes || 'legal_form' in changes) await refreshCompanySearch(db, companyId);
}

export interface AddressInput {
  addressComplement?: string;
  streetNumber?: string;
  streetType?: string;
  streetName?: string;
  postalCode?: string;
  communeCode?: string;
}

function cleanAddress(input: AddressInput, errors: Record<string, string>) {
  const t = (s: string | undefined, max: number) => (s ?? '').trim().slice(0, max);
  const v: Record<string, unknown> = {};
  if (input.addressComplement !== undefined) v.address_complement = t(input.addressComplement, 200) || null;
  if (input.streetNumber !== undefined) v.street_number = t(input.streetNumber, 10) || null;
  if (input.streetType !== undefined) v.street_type = t(input.streetType, 10).toUpperCase() || null;
  if (input.streetName !== undefined) v.street_name = t(input.streetName, 200).toUpperCase() || null;
  if (input.postalCode !== undefined || input.communeCode !== undefined) {
    const pc = t(input.postalCode, 5);
    const cc = t(input.communeCode, 5).toUpperCase();
    if (!/^\d{5}$/.test(pc)) errors.postalCode = 'registry.invalid_postal_code';
    const commune = communeByCode(cc);
    if (!commune) errors.communeCode = 'registry.unknown_commune';
    else if (/^\d{5}$/.test(pc) && !commune.postalCodes.includes(pc)) errors.postalCode = 'registry.postal_code_mismatch';
    v.postal_code = pc;
    v.commune_code = cc;
    if (commune) {
      v.city = commune.name.toUpperCase();
      v.latitude = commune.latitude;
      v.longitude = commune.longitude;
      v.geo_source = 'centroid';
    }
  }
  return v;
}

/**
 * A correction accepted by the documentation service (extranet change request): address of
 * the head office, phone, website, description, activity text. Recorded as source 'correction'.
 */
export async function applyCompanyCorrection(
  db: RegistryDb,
  actor: Actor,
  companyId: number,
  fields: AddressInput & { phone?: string; website?: string; description?: string; activityText?: string },
  version: number,
): Promise<void> {
  assertCanEditRegistry(actor);
  const errors: Record<string, string> = {};
  const companyPart = cleanCompany({ phone: fields.phone, website: fields.website, description: fields.description, activityText: fields.activityText }, errors);
  for (const k of Object.keys(companyPart)) if (companyPart[k] === undefined) delete companyPart[k];
  const addressPart = cleanAddress(fields, errors);
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  const before = await getCompanyRow(db, companyId);
  await updateWithVersion(db, 'companies', companyId, version, companyPart);
  const after = { ...before, ...companyPart };
  const changes: Record<string, unknown> = diff(before, after);
  if (Object.keys(addressPart).length) {
    const head = await db.selectFrom('establishments').selectAll().where('company_id', '=', companyId).orderBy('is_head_office', 'desc').orderBy('id').executeTakeFirst();
    if (head) {
      const estAfter = { ...head, ...addressPart } as EstablishmentRow;
      const d = derivedColumns(before, estAfter);
      await db.updateTable('establishments').set({ ...addressPart, department: d.department, updated_at: nowIso(), version: sql`version + 1` }).where('id', '=', head.id).execute();
      const estChanges = diff(head, estAfter);
      await record(db, actor, { entity: 'establishment', entityId: head.id, action: 'update', changes: estChanges });
      await recordChange(db, actor, { companyId, entity: 'establishment', entityId: head.id, source: 'correction', action: 'update', changes: estChanges });
    }
  }
  await record(db, actor, { entity: 'company', entityId: companyId, action: 'correction', before, after });
  if (Object.keys(changes).length) await recordChange(db, actor, { companyId, entity: 'company', entityId: companyId, source: 'correction', action: 'update', changes });
  await refreshCompanySearch(db, companyId);
}

export interface ManualCompanyInput extends CompanyInput, AddressInput {
  siren?: string;
  siret?: string;
  countryCode?: string;
  city?: string;
  /** the person saw the records with a similar name at this postal code and creates anyway */
  confirmDuplicate?: boolean;
}

export interface SimilarCompany {
  id: number;
  name: string;
  postalCode: string | null;
  city: string | null;
}

/**
 * Records that are probably the same business: the same name once legal forms, "et"/"&",
 * articles, accents and punctuation are set aside (rules.nameKey), at the same postal code. Found
 * through the full-text index on the name's most telling word, then compared whole.
 */
export async function similarCompanies(db: RegistryDb, input: { name: string; postalCode: string | null | undefined }, excludeId?: number, limit = 5): Promise<SimilarCompany[]> {
  const key = nameKey(input.name);
  const pc = (input.postalCode ?? '').trim();
  if (!key || !/^\d{5}$/.test(pc)) return [];
  const probe = key.split(' ').sort((a, b) => b.length - a.length)[0];
  let q = db
    .selectFrom('establishments as e')
    .innerJoin('companies as c', 'c.id', 'e.company_id')
    .select(['c.id', 'c.name', 'e.sign', 'e.usual_name', 'e.postal_code', 'e.city'])
    .where('e.postal_code', '=', pc)
    .where('c.merged_into_id', 'is', null)
    .where(fullTextMatch(db, 'establishments', 'e', 'search_text', [probe]) as never)
    .limit(200);
  if (excludeId !== undefined) q = q.where('c.id', '<>', excludeId);
  const out = new Map<number, SimilarCompany>();
  for (const r of await q.execute()) {
    if (out.size >= limit) break;
    if ([r.name, r.sign, r.usual_name].some((n) => n && nameKey(n) === key)) out.set(r.id, { id: r.id, name: r.name, postalCode: r.postal_code, city: r.city });
  }
  return [...out.values()];
}

/** A company SIRENE does not have (foreign, or not yet registered), with its one establishment. */
export async function createManualCompany(db: RegistryDb, actor: Actor, input: ManualCompanyInput): Promise<number> {
  assertCanEditRegistry(actor);
  const errors: Record<string, string> = {};
  const c = cleanCompany({ ...input, name: input.name ?? '' }, errors);
  const siren = (input.siren ?? '').replace(/\s/g, '');
  const siret = (input.siret ?? '').replace(/\s/g, '');
  const country = (input.countryCode ?? 'FR').trim().toUpperCase() || 'FR';
  if (siren && !isValidSiren(siren)) errors.siren = 'registry.invalid_siren';
  if (siret && !isValidSiret(siret)) errors.siret = 'registry.invalid_siret';
  if (siret && siren && !siret.startsWith(siren)) errors.siret = 'registry.siret_not_of_siren';
  if (!/^[A-Z]{2}$/.test(country)) errors.countryCode = 'field.invalid';
  let a: Record<string, unknown> = {};
  if (country === 'FR') a = cleanAddress(input, errors);
  else {
    a = { street_name: (input.streetName ?? '').trim().slice(0, 200) || null, city: (input.city ?? '').trim().slice(0, 100) || null, postal_code: (input.postalCode ?? '').trim().slice(0, 12) || null };
    if (!a.city) errors.city = 'field.required';
  }
  // In France the city comes from the commune code: a typed city that says otherwise is a
  // mistake in one of the two, and replacing it without a word would hide which.
  if (country === 'FR' && input.city?.trim() && a.city && normaliseSearchText(input.city) !== normaliseSearchText(String(a.city))) errors.city = 'registry.city_mismatch';
  if (!errors.siren && siren && (await db.selectFrom('companies').select('id').where('siren', '=', siren).executeTakeFirst())) errors.siren = 'registry.siren_exists';
  if (!errors.siret && siret && (await db.selectFrom('establishments').select('id').where('siret', '=', siret).executeTakeFirst())) errors.siret = 'registry.siret_exists';
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  // Before saving, not after: a probable duplicate is shown to the person creating the record.
  if (!input.confirmDuplicate && !siren && !siret) {
    const similar = await similarCompanies(db, { name: String(c.name), postalCode: a.postal_code as string | null });
    if (similar.length) throw invalid('registry.possible_duplicate', { name: 'registry.possible_duplicate', confirmDuplicate: 'registry.confirm_duplicate_needed' }, { names: similar.map((x) => `${x.name} (${[x.postalCode, x.city].filter(Boolean).join(' ')})`).join(', ') });
  }
  const now = nowIso();
  const company = await db
    .insertInto('companies')
    .values({ ...(c as object), name: c.name as string, siren: siren || (siret ? siret.slice(0, 9) : null), status: 'active', diffusion: 'public', source: 'manual', country_code: country, created_at: now, updated_at: now } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
  const est = {
    company_id: company.id,
    siret: siret || null,
    nic: siret ? siret.slice(9) : null,
    sign: null,
    usual_name: null,
    is_head_office: 1,
    status: 'active' as const,
    diffusion: 'public' as const,
    creation_date: company.creation_date,
    headcount_band: company.headcount_band,
    naf_code: company.naf_code,
    naf25_code: null,
    street_type: null,
    street_name: null,
    postal_code: null,
    city: null,
    commune_code: null,
    ...(a as object),
    country_code: country,
    created_at: now,
    updated_at: now,
  } as Record<string, unknown>;
  const derived = derivedColumns(company, est as never);
  const e = await db.insertInto('establishments').values({ ...est, ...derived } as never).returning('id').executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'company', entityId: company.id, action: 'create', after: company });
  await recordChange(db, actor, { companyId: company.id, entity: 'company', entityId: company.id, source: 'manual', action: 'create', changes: { name: [null, company.name] } });
  await recordChange(db, actor, { companyId: company.id, entity: 'establishment', entityId: e.id, source: 'manual', action: 'create', changes: { siret: [null, est.siret] } });
  return company.id;
}

// ——— notes and tags ———

export async function addNote(db: RegistryDb, actor: Actor, companyId: number, body: string): Promise<void> {
  assertCanEditRegistry(actor);
  await getCompanyRow(db, companyId);
  const text = body.trim().slice(0, 4000);
  if (!text) throw invalid('common.invalid', { body: 'field.required' });
  const row = await db.insertInto('registry_notes').values({ company_id: companyId, author_id: actor.id, author_label: actor.label, body: text, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'registry_note', entityId: row.id, action: 'create', after: { company_id: companyId, body: text } });
}

export async function listNotes(db: RegistryDb, companyId: number) {
  return db.selectFrom('registry_notes').selectAll().where('company_id', '=', companyId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export async function listCompanyTags(db: RegistryDb, companyId: number): Promise<string[]> {
  const rows = await db.selectFrom('registry_company_tags as ct').innerJoin('registry_tags as t', 't.id', 'ct.tag_id').select('t.name').where('ct.company_id', '=', companyId).orderBy('t.name').execute();
  return rows.map((x) => x.name);
}

export async function addTag(db: RegistryDb, actor: Actor, companyId: number, name: string): Promise<void> {
  assertCanEditRegistry(actor);
  await getCompanyRow(db, companyId);
  const tag = name.trim().toLowerCase().slice(0, 50);
  if (!tag) throw invalid('common.invalid', { tag: 'field.required' });
  await db.insertInto('registry_tags').values({ name: tag, created_at: nowIso() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const t = await db.selectFrom('registry_tags').select('id').where('name', '=', tag).executeTakeFirstOrThrow();
  const res = await db.insertInto('registry_company_tags').values({ company_id: companyId, tag_id: t.id }).onConflict((oc) => oc.columns(['company_id', 'tag_id']).doNothing()).executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) {
    await record(db, actor, { entity: 'company', entityId: companyId, action: 'tag', changes: { tag: [null, tag] } });
    await recordChange(db, actor, { companyId, entity: 'company', entityId: companyId, source: 'manual', action: 'tag', changes: { tag: [null, tag] } });
  }
}

export async function removeTag(db: RegistryDb, actor: Actor, companyId: number, name: string): Promise<void> {
  assertCanEditRegistry(actor);
  const t = await db.selectFrom('registry_tags').select('id').where('name', '=', name).executeTakeFirst();
  if (!t) return;
  await db.deleteFrom('registry_company_tags').where('company_id', '=', companyId).where('tag_id', '=', t.id).execute();
  await record(db, actor, { entity: 'company', entityId: companyId, action: 'untag', changes: { tag: [name, null] } });
  await recordChange(db, actor, { companyId, entity: 'company', entityId: companyId, source: 'manual', action: 'untag', changes: { tag: [name, null] } });
}

export { LEGAL_FORMS };

/** Summaries of many companies in one query per 500 ids (lists, boards, feeds); unknown ids are left out. */
export async function findCompanies(db: RegistryDb, ids: Iterable<number>): Promise<Map<number, CompanySummary>> {
  const unique = [...new Set(ids)].filter((i) => Number.isInteger(i) && i > 0);
  const out = new Map<number, CompanySummary>();
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await summaryQuery(db).where('c.id', 'in', unique.slice(i, i + 500)).execute();
    for (const row of rows) {
      const c = toSummary(row as SummaryRow);
      out.set(c.id, c);
    }
  }
  return out;
}

// ——— for the extranet: what members may correct, and the company behind a SIRET ———

export interface CorrectableFields {
  version: number;
  address_complement: string | null;
  street_number: string | null;
  street_type: string | null;
  street_name: string | null;
  postal_code: string | null;
  commune_code: string | null;
  city: string | null;
  phone: string | null;
  website: string | null;
  description: string | null;
  activity_text: string | null;
}

/** What a member may propose to correct, as the registry holds it, with the company version. */
export async function correctableFields(db: RegistryDb, companyId: number): Promise<CorrectableFields | undefined> {
  const c = await db
    .selectFrom('companies')
    .select(['version', 'phone', 'website', 'description', 'activity_text'])
    .where('id', '=', companyId)
    .executeTakeFirst();
  if (!c) return undefined;
  // The head office carries the address (the registry's applyCompanyCorrection writes there).
  const e = await db
    .selectFrom('establishments')
    .select(['address_complement', 'street_number', 'street_type', 'street_name', 'postal_code', 'commune_code', 'city'])
    .where('company_id', '=', companyId)
    .orderBy('is_head_office', 'desc')
    .orderBy('id')
    .executeTakeFirst();
  return {
    version: Number(c.version),
    phone: c.phone ?? null,
    website: c.website ?? null,
    description: c.description ?? null,
    activity_text: c.activity_text ?? null,
    address_complement: e?.address_complement ?? null,
    street_number: e?.street_number ?? null,
    street_type: e?.street_type ?? null,
    street_name: e?.street_name ?? null,
    postal_code: e?.postal_code ?? null,
    commune_code: e?.commune_code ?? null,
    city: e?.city ?? null,
  };
}

/** The company of an establishment's SIRET, or of its SIREN (first nine digits). */
export async function companyIdForSiret(db: RegistryDb, siret: string): Promise<number | undefined> {
  const e = await db.selectFrom('establishments').select('company_id').where('siret', '=', siret).executeTakeFirst();
  if (e) return Number(e.company_id);
  const c = await db.selectFrom('companies').select('id').where('siren', '=', siret.slice(0, 9)).executeTakeFirst();
  return c ? Number(c.id) : undefined;
}
