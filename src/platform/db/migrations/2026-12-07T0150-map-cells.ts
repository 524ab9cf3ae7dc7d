// Map: grid cells of establishments per zoom band (count and coordinate sums per status, for
// every establishment with coordinates and under each single facet value), kept exact by
// triggers that the map module installs (src/modules/map/cells.ts, ADR 0011). Also an index on
// the coordinates for the street-level reads of a small box.
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const real = isPostgres(db) ? sql`double precision` : sql`real`;
  await db.schema
    .createTable('map_cells')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('cx', 'integer', (c) => c.notNull())
    .addColumn('cy', 'integer', (c) => c.notNull())
    .addColumn('f', 'text', (c) => c.notNull())
    .addColumn('v', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('slat', real, (c) => c.notNull())
    .addColumn('slon', real, (c) => c.notNull())
    .addPrimaryKeyConstraint('map_cells_pk', ['status', 'level', 'f', 'v', 'cx', 'cy'])
    .execute();
  await db.schema.createIndex('establishments_geo_idx').on('establishments').columns(['longitude', 'latitude']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('establishments_geo_idx').execute();
  await db.schema.dropTable('map_cells').execute();
}
