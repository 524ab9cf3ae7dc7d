// The registry's side of mailings: who is behind a saved search (segment lists, letters) and
// which contact has an address (subscriptions). Data only: the B2B rules (professional
// address, non-diffusible units, opposition) are applied by the mailing module on what this
// returns; erased contacts are never returned.
import { sql } from 'kysely';
import type { RegistryDb } from './registry.table.js';
import { streamSearch, type SearchItem, type SearchQuery } from './search.service.js';

export interface AudienceContact {
  contactId: number;
  companyId: number;
  companyName: string;
  /** 'partial': the unit asked INSEE not to be disclosed (non-diffusible) */
  companyDiffusion: 'public' | 'partial';
  /** the matched establishment the contact belongs to (or the company's, for a company-wide contact) */
  establishmentDiffusion: 'public' | 'partial';
  email: string;
  civility: string | null;
  firstName: string;
  lastName: string;
  /** the contact's prospecting consent: 'refused' is an opposition */
  prospecting: 'unknown' | 'granted' | 'refused';
  role: string | null;
  phone: string | null;
  /** the matched establishment (the company's first matched one, for a company-wide contact) */
  establishment: SearchItem;
}

/**
 * Every contact with an e-mail address of the establishments a search matches (a contact of a
 * given establishment only when that one matches; a company-wide contact when any of its
 * establishments does), once each, page by page.
 */
export async function* searchAudience(db: RegistryDb, s: SearchQuery, pageSize = 2000): AsyncGenerator<AudienceContact[]> {
  const seen = new Set<number>();
  for await (const page of streamSearch(db, s, pageSize)) {
    const byEstablishment = new Map<number, SearchItem>();
    const byCompany = new Map<number, SearchItem>();
    for (const e of page) {
      byEstablishment.set(e.id, e);
      if (!byCompany.has(e.companyId) || e.diffusion === 'partial') byCompany.set(e.companyId, e);
    }
    const companyIds = [...byCompany.keys()];
    const out: AudienceContact[] = [];
    for (let i = 0; i < companyIds.length; i += 1000) {
      const rows = await db
        .selectFrom('contacts as ct')
        .innerJoin('companies as c', 'c.id', 'ct.company_id')
        .select(['ct.id', 'ct.company_id', 'ct.establishment_id', 'ct.email', 'ct.civility', 'ct.first_name', 'ct.last_name', 'ct.consent', 'ct.role', 'ct.phone', 'c.name', 'c.diffusion'])
        .where('ct.company_id', 'in', companyIds.slice(i, i + 1000))
        .where('ct.erased_at', 'is', null)
        .where('ct.email', 'is not', null)
        .where('ct.email', '<>', '')
        .orderBy('ct.id')
        .execute();
      for (const r of rows) {
        if (seen.has(r.id)) continue;
        const est = r.establishment_id === null ? byCompany.get(r.company_id) : byEstablishment.get(r.establishment_id);
        if (!est) continue; // a contact of another establishment, not matched
        seen.add(r.id);
        out.push({
          contactId: r.id,
          companyId: r.company_id,
          companyName: r.name,
          companyDiffusion: r.diffusion,
          establishmentDiffusion: est.diffusion,
          email: r.email!,
          civility: r.civility,
          firstName: r.first_name,
          lastName: r.last_name,
          prospecting: r.consent,
          role: r.role,
          phone: r.phone,
          establishment: est,
        });
      }
    }
    if (out.length) yield out;
  }
}

/** The establishments a search matches, page by page (letters: one per establishment). */
export function searchEstablishmentsStream(db: RegistryDb, s: SearchQuery, pageSize = 2000): AsyncGenerator<SearchItem[]> {
  return streamSearch(db, s, pageSize);
}

/** Contacts (not erased) whose address is this one, case aside: a subscriber who is a contact. */
export async function contactsByEmail(db: RegistryDb, email: string): Promise<{ id: number; companyId: number }[]> {
  const rows = await db
    .selectFrom('contacts')
    .select(['id', 'company_id'])
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .where('erased_at', 'is', null)
    .orderBy('id')
    .limit(20)
    .execute();
  return rows.map((r) => ({ id: r.id, companyId: r.company_id }));
}
