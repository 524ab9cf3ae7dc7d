// Each staff member may have a manager (approvals, CRM team visibility, org chart).
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('manager_id', 'integer', (c) => c.references('users.id').onDelete('set null')).execute();
  await db.schema.createIndex('users_manager_idx').on('users').column('manager_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_manager_idx').execute();
  await db.schema.alterTable('users').dropColumn('manager_id').execute();
}
