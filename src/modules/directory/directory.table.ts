// Kysely types of the directory tables (migration 2026-11-29T0041-directory-core).
import type { Generated } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export interface ServicesTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
  head_user_id: number | null;
  description: string;
  email: string | null;
  phone: string | null;
  position: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export interface ProfilesTable {
  user_id: number;
  service_id: number | null;
  job_title: string;
  phone: string | null;
  mobile: string | null;
  office: string | null;
  skills: string;
  search_text: string;
  photo_key: string | null;
  photo_updated_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export interface DirectoryTables extends PlatformTables {
  directory_services: ServicesTable;
  directory_profiles: ProfilesTable;
}

/** The directory module's database handle: its tables and the platform's. */
export type DirectoryDb = ModuleDb<DirectoryTables>;
