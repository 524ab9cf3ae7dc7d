// Registry: summary of facet counts (per status: each facet value, each pair of values of two
// facets, the total), kept exact by triggers that the registry module creates with its first
// import (src/modules/registry/facet-summary.ts explains why).
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('registry_facet_counts')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('f1', 'text', (c) => c.notNull())
    .addColumn('v1', 'text', (c) => c.notNull())
    .addColumn('f2', 'text', (c) => c.notNull())
    .addColumn('v2', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_facet_counts_pk', ['status', 'f1', 'v1', 'f2', 'v2'])
    .execute();
  await db.schema.createIndex('registry_facet_counts_second_idx').on('registry_facet_counts').columns(['status', 'f2', 'v2']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('registry_facet_counts').execute();
}
