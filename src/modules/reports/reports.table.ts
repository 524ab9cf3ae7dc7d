// Kysely table types of the reports (migration 2026-12-07T0155-reports-core.ts).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export interface ReportsTable {
  id: Generated<number>;
  name: string;
  subject: string;
  /** JSON: { dims, measure, filters } (reports.service.ts `Definition`) */
  definition: string;
  owner_id: number;
  /** a role whose holders may open the report (and nobody else but its owner) */
  shared_role: string | null;
  schedule: 'none' | 'weekly' | 'monthly';
  /** JSON array of users.id receiving it by e-mail */
  recipients: string;
  last_sent_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type ReportRow = Selectable<ReportsTable>;

export interface ReportsTables extends PlatformTables {
  reports: ReportsTable;
}
export type ReportsDb = ModuleDb<ReportsTables>;
