// A running SIRENE import can be cancelled from the imports page: the request sets this time,
// the import (a background job, maybe on another instance) sees it between two batches and stops.
import type { Kysely } from 'kysely';
import { timestampType } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('registry_imports').addColumn('cancel_requested_at', timestampType(db)).execute();
}
