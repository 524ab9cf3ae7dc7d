// Reads of registry data the registry's index.ts does not export yet: the correctable fields of
// a company (with its version, needed by applyCompanyCorrection) and the company of a SIRET.
// Kept in this one file, read-only, so they can be replaced by registry exports in one place.
// TODO(lead): ask the registry to export getCorrectableFields(db, id) and findCompanyBySiret(db, siret).
import type { AnyDb } from '../../platform/db/index.js';

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

export async function correctableFields(db: AnyDb, companyId: number): Promise<CorrectableFields | undefined> {
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
export async function companyIdForSiret(db: AnyDb, siret: string): Promise<number | undefined> {
  const e = await db.selectFrom('establishments').select('company_id').where('siret', '=', siret).executeTakeFirst();
  if (e) return Number(e.company_id);
  const c = await db.selectFrom('companies').select('id').where('siren', '=', siret.slice(0, 9)).executeTakeFirst();
  return c ? Number(c.id) : undefined;
}
