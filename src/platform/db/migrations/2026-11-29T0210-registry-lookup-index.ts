// Registry, SQLite only: a narrow index of establishments led by the id, holding the columns a
// search with words keeps of each match (search.service.ts MATCH_COLUMNS). SQLite's full-text
// index answers row ids; visiting 130,000 matching rows in the wide table cost 205 ms at a
// million rows, in this index 116 ms. It is appended to in id order, so imports barely feel
// it, and never dropped (searches name it). PostgreSQL's full-text index answers heap
// positions, not ids: there the index would not be used.
import type { Kysely } from 'kysely';
import { isPostgres } from '../migration-kit.js';

export const LOOKUP_COLUMNS = ['id', 'status', 'company_id', 'sort_name', 'creation_date', 'headcount_band', 'department', 'commune_code', 'naf_section', 'naf_division', 'legal_form'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await db.schema.createIndex('establishments_lookup_idx').on('establishments').columns(LOOKUP_COLUMNS).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await db.schema.dropIndex('establishments_lookup_idx').execute();
}
