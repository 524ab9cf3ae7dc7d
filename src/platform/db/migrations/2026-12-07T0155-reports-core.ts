// Reports (issue #17, BI): saved reports (subject, dimensions, measure, filters as JSON), shared
// with a role, scheduled by e-mail to named users.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await withRecordColumns(
    db,
    withId(db, db.schema.createTable('reports'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('shared_role', 'text')
      .addColumn('schedule', 'text', (c) => c.notNull().defaultTo('none'))
      .addColumn('recipients', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('last_sent_at', timestampType(db)),
  ).execute();
  await db.schema.createIndex('reports_owner_idx').on('reports').columns(['owner_id']).execute();
  await db.schema.createIndex('reports_role_idx').on('reports').columns(['shared_role']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reports').execute();
}
