// Kysely table types of the registry (see migrations/2026-11-29T0000-registry-core.ts).
import type { Generated, Insertable, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export interface CompaniesTable {
  id: Generated<number>;
  siren: string | null;
  name: string;
  acronym: string | null;
  usual_name: string | null;
  person_first_name: string | null;
  person_last_name: string | null;
  legal_form: string | null;
  naf_code: string | null;
  naf25_code: string | null;
  headcount_band: string | null;
  headcount_year: number | null;
  category: string | null;
  creation_date: string | null;
  status: 'active' | 'ceased';
  diffusion: 'public' | 'partial';
  source: 'sirene' | 'manual';
  head_office_nic: string | null;
  ess: number | null;
  employer: number | null;
  country_code: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  description: string | null;
  activity_text: string | null;
  merged_into_id: number | null;
  sirene_hash: string | null;
  /** fingerprint of the SIRENE line last imported (a re-import skips unchanged lines) */
  sirene_line: number | null;
  sirene_updated_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type CompanyRow = Selectable<CompaniesTable>;
export type NewCompany = Insertable<CompaniesTable>;

export interface EstablishmentsTable {
  id: Generated<number>;
  siret: string | null;
  company_id: number;
  nic: string | null;
  sign: string | null;
  usual_name: string | null;
  is_head_office: number;
  status: 'active' | 'closed';
  diffusion: 'public' | 'partial';
  creation_date: string | null;
  headcount_band: string | null;
  naf_code: string | null;
  naf25_code: string | null;
  naf_section: string | null;
  naf_division: string | null;
  legal_form: string | null;
  department: string | null;
  sort_name: string;
  address_complement: string | null;
  street_number: string | null;
  street_suffix: string | null;
  street_type: string | null;
  street_name: string | null;
  postal_code: string | null;
  commune_code: string | null;
  city: string | null;
  cedex: string | null;
  country_code: string | null;
  country_name: string | null;
  latitude: number | null;
  longitude: number | null;
  geo_source: string | null;
  search_text: string;
  sirene_hash: string | null;
  /** fingerprint of the SIRENE line last imported (a re-import skips unchanged lines) */
  sirene_line: number | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type EstablishmentRow = Selectable<EstablishmentsTable>;
export type NewEstablishment = Insertable<EstablishmentsTable>;

export interface ContactsTable {
  id: Generated<number>;
  company_id: number;
  establishment_id: number | null;
  civility: string | null;
  first_name: string;
  last_name: string;
  role: string | null;
  email: string | null;
  phone: string | null;
  is_officer: number;
  consent: 'unknown' | 'granted' | 'refused';
  consent_date: string | null;
  consent_source: string | null;
  erased_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type ContactRow = Selectable<ContactsTable>;

/**
 * A contact's consent, one event per change and channel (append-only): the history shown on
 * the registry and the extranet. The current value of a channel is its latest event; for
 * prospecting it is also kept on `contacts.consent` (what searches and exports read).
 */
export interface ContactConsentEventsTable {
  id: Generated<number>;
  contact_id: number;
  channel: 'prospecting' | 'newsletter' | 'events';
  value: 'granted' | 'refused' | 'unknown';
  /** who made the change: 'registry' (staff), 'extranet' (a member of the company) */
  origin: 'registry' | 'extranet';
  /** how the consent was given (fair, form, visit…), when said */
  source: string | null;
  actor_id: number | null;
  actor_label: string;
  at: string;
}

export interface RegistryTagsTable {
  id: Generated<number>;
  name: string;
  created_at: string;
}
export interface RegistryCompanyTagsTable {
  company_id: number;
  tag_id: number;
}
export interface RegistryNotesTable {
  id: Generated<number>;
  company_id: number;
  author_id: number | null;
  author_label: string;
  body: string;
  created_at: string;
}
export interface RegistryChangesTable {
  id: Generated<number>;
  company_id: number;
  entity: 'company' | 'establishment' | 'contact';
  entity_id: number;
  at: string;
  source: 'sirene' | 'manual' | 'correction' | 'merge' | 'extranet';
  import_id: number | null;
  actor_label: string;
  action: string;
  changes: string;
}
export type ChangeRow = Selectable<RegistryChangesTable>;
export interface RegistryImportsTable {
  id: Generated<number>;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  actor_label: string;
  units_file: string | null;
  establishments_file: string | null;
  stats: string;
  error: string | null;
  job_id: number | null;
  /** set by a cancel request from the page; the running import stops at its next batch */
  cancel_requested_at: string | null;
}
export interface RegistrySegmentsTable {
  id: Generated<number>;
  name: string;
  query: string;
  owner_id: number | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export interface RegistryDuplicateDismissalsTable {
  company_a: number;
  company_b: number;
  at: string;
}

/**
 * Facet counts kept exact by triggers (facet-summary.ts): per status, one row per facet value
 * (f1, v1), per pair of values of two facets (f1, v1, f2, v2), and the total (f1 = '*').
 */
export interface RegistryFacetCountsTable {
  status: string;
  f1: string;
  v1: string;
  f2: string;
  v2: string;
  n: number;
}

export interface RegistryTables extends PlatformTables {
  companies: CompaniesTable;
  establishments: EstablishmentsTable;
  contacts: ContactsTable;
  contact_consent_events: ContactConsentEventsTable;
  registry_tags: RegistryTagsTable;
  registry_company_tags: RegistryCompanyTagsTable;
  registry_notes: RegistryNotesTable;
  registry_changes: RegistryChangesTable;
  registry_imports: RegistryImportsTable;
  registry_segments: RegistrySegmentsTable;
  registry_duplicate_dismissals: RegistryDuplicateDismissalsTable;
  registry_facet_counts: RegistryFacetCountsTable;
}
/** The registry's handle (docs/MODULES.md): every query, service and handler of the module takes it. */
export type RegistryDb = ModuleDb<RegistryTables>;
