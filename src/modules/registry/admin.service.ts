// Documentation-service work: probable duplicates and merge, GDPR export/erasure of a contact,
// saved segments.
import { sql } from 'kysely';
import { assertCan } from '../../platform/access/index.js';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { findContactRow, getCompanyRow, recordChange, refreshCompanySearch, similarCompanies } from './company.service.js';
import { assertCanDeleteSegment, assertCanHandlePersonalData, assertCanMerge } from './policy.js';
import type { RegistryDb } from './registry.table.js';
import { isProfessionalDomain } from './rules.js';


export interface DuplicatePair {
  a: { id: number; name: string; siren: string | null; source: string; postalCode: string | null };
  b: { id: number; name: string; siren: string | null; source: string; postalCode: string | null };
  reason: 'name_postal_code' | 'email_domain';
}


/**
 * Probable duplicates, starting from manual records (the ones SIRENE may later bring in):
 * same normalised name and postal code, or contacts sharing a company e-mail domain.
 */
export async function listDuplicates(db: RegistryDb, limit = 100): Promise<DuplicatePair[]> {
  const byName = await db
    .selectFrom('companies as c1')
    .innerJoin('establishments as e1', 'e1.company_id', 'c1.id')
    .innerJoin('establishments as e2', (j) => j.onRef('e2.sort_name', '=', 'e1.sort_name').onRef('e2.postal_code', '=', 'e1.postal_code').onRef('e2.company_id', '<>', 'e1.company_id'))
    .innerJoin('companies as c2', 'c2.id', 'e2.company_id')
    .select(['c1.id as aId', 'c1.name as aName', 'c1.siren as aSiren', 'c1.source as aSource', 'e1.postal_code as aPc', 'c2.id as bId', 'c2.name as bName', 'c2.siren as bSiren', 'c2.source as bSource', 'e2.postal_code as bPc'])
    .where('c1.source', '=', 'manual')
    .where('c1.merged_into_id', 'is', null)
    .where('c2.merged_into_id', 'is', null)
    .where('e2.status', 'in', ['active', 'closed'])
    .limit(limit)
    .execute();
  // Same company e-mail domain: from the (few) manual records' contacts, look for others.
  const manual = await db
    .selectFrom('companies as c1')
    .innerJoin('contacts as k1', 'k1.company_id', 'c1.id')
    .select(['c1.id', 'c1.name', 'c1.siren', 'c1.source', 'k1.email'])
    .where('c1.source', '=', 'manual')
    .where('c1.merged_into_id', 'is', null)
    .where('k1.email', 'is not', null)
    .where('k1.erased_at', 'is', null)
    .limit(200)
    .execute();
  const byDomain: (typeof byName)[number][] = [];
  for (const m of manual) {
    const domain = m.email!.split('@')[1];
    if (!domain || !isProfessionalDomain(domain)) continue;
    const others = await db
      .selectFrom('contacts as k2')
      .innerJoin('companies as c2', 'c2.id', 'k2.company_id')
      .select(['c2.id', 'c2.name', 'c2.siren', 'c2.source'])
      .where('k2.email', 'like', `%@${domain.replace(/[%_\\]/g, '')}`)
      .where('k2.company_id', '<>', m.id)
      .where('c2.merged_into_id', 'is', null)
      .limit(5)
      .execute();
    for (const o of others) byDomain.push({ aId: m.id, aName: m.name, aSiren: m.siren, aSource: m.source, aPc: null, bId: o.id, bName: o.name, bSiren: o.siren, bSource: o.source, bPc: null });
  }
  // Same name once legal forms, "et"/"&", articles and punctuation are set aside, same postal
  // code: "MEUNIER ET FILS" and "MEUNIER & FILS" at one address (the exact pass above misses them).
  const manualWithAddress = await db
    .selectFrom('companies as c1')
    .innerJoin('establishments as e1', 'e1.company_id', 'c1.id')
    .select(['c1.id', 'c1.name', 'c1.siren', 'c1.source', 'e1.postal_code'])
    .where('c1.source', '=', 'manual')
    .where('c1.merged_into_id', 'is', null)
    .where('e1.postal_code', 'is not', null)
    .limit(200)
    .execute();
  const byKey: (typeof byName)[number][] = [];
  for (const m of manualWithAddress) {
    for (const o of await similarCompanies(db, { name: m.name, postalCode: m.postal_code }, m.id)) {
      const other = await db.selectFrom('companies').select(['siren', 'source']).where('id', '=', o.id).executeTakeFirstOrThrow();
      byKey.push({ aId: m.id, aName: m.name, aSiren: m.siren, aSource: m.source, aPc: m.postal_code, bId: o.id, bName: o.name, bSiren: other.siren, bSource: other.source, bPc: o.postalCode });
    }
  }
  const dismissed = new Set((await db.selectFrom('registry_duplicate_dismissals').select(['company_a', 'company_b']).execute()).map((d) => `${d.company_a}-${d.company_b}`));
  const out: DuplicatePair[] = [];
  const seen = new Set<string>();
  const add = (x: (typeof byName)[number], reason: DuplicatePair['reason']) => {
    const key = `${Math.min(x.aId, x.bId)}-${Math.max(x.aId, x.bId)}`;
    if (seen.has(key) || dismissed.has(key)) return;
    seen.add(key);
    out.push({ a: { id: x.aId, name: x.aName, siren: x.aSiren, source: x.aSource, postalCode: x.aPc }, b: { id: x.bId, name: x.bName, siren: x.bSiren, source: x.bSource, postalCode: x.bPc }, reason });
  };
  for (const x of byName) add(x, 'name_postal_code');
  for (const x of byKey) add(x, 'name_postal_code');
  for (const x of byDomain) add(x, 'email_domain');
  return out.slice(0, limit);
}

export async function dismissDuplicate(db: RegistryDb, actor: Actor, a: number, b: number): Promise<void> {
  assertCanMerge(actor);
  const [x, y] = [Math.min(a, b), Math.max(a, b)];
  await db.insertInto('registry_duplicate_dismissals').values({ company_a: x, company_b: y, at: nowIso() }).onConflict((oc) => oc.columns(['company_a', 'company_b']).doNothing()).execute();
  await record(db, actor, { entity: 'company', entityId: x, action: 'not_duplicate', changes: { other: [null, y] } });
}

/**
 * Merges `dropId` into `keepId`: establishments, contacts, notes, tags and history move to the
 * kept record; the dropped record stays (merged_into_id) so links and the audit still resolve.
 * Establishments without SIRET (typed by hand) are closed: SIRENE's own record replaces them.
 */
export async function mergeCompanies(db: RegistryDb, actor: Actor, keepId: number, dropId: number): Promise<void> {
  assertCanMerge(actor);
  if (keepId === dropId) throw invalid('registry.merge_same', { keep: 'registry.merge_same' });
  const keep = await getCompanyRow(db, keepId);
  const drop = await getCompanyRow(db, dropId);
  if (keep.merged_into_id || drop.merged_into_id) throw new AppError('conflict', 'registry.company_merged');
  if (keep.siren && drop.siren && keep.siren !== drop.siren) throw invalid('registry.merge_two_sirens', { keep: 'registry.merge_two_sirens' });
  const now = nowIso();
  const t = db;
  const moved = {
    establishments: (await t.selectFrom('establishments').select('id').where('company_id', '=', dropId).execute()).map((x) => x.id),
    contacts: (await t.selectFrom('contacts').select('id').where('company_id', '=', dropId).execute()).map((x) => x.id),
  };
  await t.updateTable('establishments').set({ status: 'closed', updated_at: now, version: sql`version + 1` }).where('company_id', '=', dropId).where('siret', 'is', null).execute();
  await t.updateTable('establishments').set({ company_id: keepId, is_head_office: 0, updated_at: now }).where('company_id', '=', dropId).execute();
  await t.updateTable('contacts').set({ company_id: keepId, updated_at: now }).where('company_id', '=', dropId).execute();
  await t.updateTable('registry_notes').set({ company_id: keepId }).where('company_id', '=', dropId).execute();
  await t.updateTable('registry_changes').set({ company_id: keepId }).where('company_id', '=', dropId).execute();
  const tags = await t.selectFrom('registry_company_tags').select('tag_id').where('company_id', '=', dropId).execute();
  for (const tg of tags) await t.insertInto('registry_company_tags').values({ company_id: keepId, tag_id: tg.tag_id }).onConflict((oc) => oc.columns(['company_id', 'tag_id']).doNothing()).execute();
  await t.deleteFrom('registry_company_tags').where('company_id', '=', dropId).execute();
  // Fields the kept record lacks are taken from the dropped one (phone, e-mail, web site…).
  const fill: Record<string, unknown> = {};
  for (const k of ['phone', 'email', 'website', 'description', 'activity_text'] as const) if (!keep[k] && drop[k]) fill[k] = drop[k];
  await t.updateTable('companies').set({ ...fill, updated_at: now, version: sql`version + 1` }).where('id', '=', keepId).execute();
  await t.updateTable('companies').set({ merged_into_id: keepId, status: 'ceased', siren: null, updated_at: now, version: sql`version + 1` }).where('id', '=', dropId).execute();
  const changes = { merged: [dropId, keepId], ...moved, filled: Object.keys(fill) };
  await record(db, actor, { entity: 'company', entityId: keepId, action: 'merge', changes: { absorbed: [null, dropId], name: [drop.name, keep.name], ...fill } });
  await record(db, actor, { entity: 'company', entityId: dropId, action: 'merged_into', changes: { merged_into_id: [null, keepId], siren: [drop.siren, null] } });
  await recordChange(db, actor, { companyId: keepId, entity: 'company', entityId: keepId, source: 'merge', action: 'merge', changes: { absorbed: [drop.name, keep.name], ...Object.fromEntries(Object.entries(fill).map(([k, v]) => [k, [null, v]])) } });
  void changes;
  await refreshCompanySearch(db, keepId);
}

/** Everything held about a contact (GDPR right of access), as JSON. */
export async function exportContactData(db: RegistryDb, actor: Actor, contactId: number) {
  assertCanHandlePersonalData(actor);
  const c = await findContactRow(db, contactId);
  if (!c) throw notFound('registry.contact_not_found');
  const company = await getCompanyRow(db, c.company_id);
  const history = await db.selectFrom('registry_changes').select(['at', 'action', 'source', 'changes']).where('entity', '=', 'contact').where('entity_id', '=', contactId).orderBy('at').execute();
  await record(db, actor, { entity: 'contact', entityId: contactId, action: 'gdpr_export', changes: {} });
  return {
    exportedAt: nowIso(),
    controller: 'CCI',
    contact: { firstName: c.first_name, lastName: c.last_name, role: c.role, email: c.email, phone: c.phone, isOfficer: c.is_officer === 1, consent: c.consent, consentDate: c.consent_date, consentSource: c.consent_source, createdAt: c.created_at, updatedAt: c.updated_at, erasedAt: c.erased_at },
    company: { id: company.id, name: company.name, siren: company.siren },
    history: history.map((h) => ({ ...h, changes: JSON.parse(h.changes) })),
  };
}

/** GDPR erasure: the person's data is anonymised; the row and the audit trail of the erasure stay. */
export async function eraseContact(db: RegistryDb, actor: Actor, contactId: number): Promise<number> {
  assertCanHandlePersonalData(actor);
  const c = await findContactRow(db, contactId);
  if (!c) throw notFound('registry.contact_not_found');
  if (c.erased_at) throw new AppError('conflict', 'registry.contact_already_erased');
  const now = nowIso();
  await db
    .updateTable('contacts')
    .set({ first_name: '', last_name: 'Personne effacée', civility: null, role: null, email: null, phone: null, consent: 'refused', consent_date: now.slice(0, 10), consent_source: 'effacement RGPD', erased_at: now, updated_at: now, version: sql`version + 1` })
    .where('id', '=', contactId)
    .execute();
  // The registry's own history must not keep the erased values either.
  await db.updateTable('registry_changes').set({ changes: JSON.stringify({ erased: [null, true] }) }).where('entity', '=', 'contact').where('entity_id', '=', contactId).execute();
  await record(db, actor, { entity: 'contact', entityId: contactId, action: 'gdpr_erase', changes: { erased: [null, true] } });
  await recordChange(db, actor, { companyId: c.company_id, entity: 'contact', entityId: contactId, source: 'manual', action: 'erase', changes: {} });
  await refreshCompanySearch(db, c.company_id);
  return c.company_id;
}

export async function listSegments(db: RegistryDb) {
  return db.selectFrom('registry_segments').select(['id', 'name', 'query', 'owner_id']).orderBy('name').execute();
}

export async function deleteSegment(db: RegistryDb, actor: Actor, id: number): Promise<void> {
  assertCan(actor, 'registry:read');
  const segment = await db.selectFrom('registry_segments').select(['id', 'name', 'query', 'owner_id']).where('id', '=', id).executeTakeFirst();
  if (!segment) throw notFound();
  assertCanDeleteSegment(actor, segment);
  await db.deleteFrom('registry_segments').where('id', '=', id).execute();
  await record(db, actor, { entity: 'registry_segment', entityId: id, action: 'delete', before: { name: segment.name, query: segment.query, owner_id: segment.owner_id } });
}

export async function saveSegment(db: RegistryDb, actor: Actor, name: string, query: string): Promise<number> {
  assertCan(actor, 'registry:read');
  const n = name.trim().slice(0, 100);
  if (!n) throw invalid('common.invalid', { name: 'field.required' });
  const q = query.trim().slice(0, 2000).replace(/^\?/, '');
  const now = nowIso();
  const row = await db.insertInto('registry_segments').values({ name: n, query: q, owner_id: actor.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'registry_segment', entityId: row.id, action: 'create', after: { name: n, query: q } });
  return row.id;
}

/** Saved segments by id, for mailings and maps: their query string is a registry search. */
export async function findSegment(db: RegistryDb, id: number) {
  return db.selectFrom('registry_segments').selectAll().where('id', '=', id).executeTakeFirst();
}
