// Staff directory (M5): services as an org chart (a tree with a head), and each person's
// directory profile (service, job title, phones, office, skills, photo). The manager is the
// platform's users.manager_id.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await withRecordColumns(db, withId(db, db.schema.createTable('directory_services')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('directory_services.id'))
    .addColumn('head_user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await withRecordColumns(
    db,
    db.schema
      .createTable('directory_profiles')
      .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('service_id', 'integer', (c) => c.references('directory_services.id'))
      .addColumn('job_title', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('phone', 'text')
      .addColumn('mobile', 'text')
      .addColumn('office', 'text')
      .addColumn('skills', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('photo_key', 'text')
      .addColumn('photo_updated_at', timestampType(db)),
  ).execute();
  await db.schema.createIndex('directory_profiles_service_idx').on('directory_profiles').column('service_id').execute();
}
