// The approval engine (M10): request types as immutable versions, requests, the seats of each
// step's approvers, the history of every transition, absences and deputies.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withRecordColumns(db, withId(db, db.schema.createTable('approval_types')))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('current_version_id', 'integer')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await withId(db, db.schema.createTable('approval_type_versions'))
    .addColumn('type_id', 'integer', (c) => c.notNull().references('approval_types.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name_fr', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('approval_type_versions_uq', ['type_id', 'number'])
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('approval_requests')))
    .addColumn('type_id', 'integer', (c) => c.notNull().references('approval_types.id'))
    .addColumn('type_version_id', 'integer', (c) => c.notNull().references('approval_type_versions.id'))
    .addColumn('requester_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('owner_ref', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('href', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull().defaultTo('approval'))
    .addColumn('step_index', 'integer')
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('step_opened_at', ts)
    .addColumn('reminded_at', ts)
    .addColumn('escalated_at', ts)
    .addColumn('submitted_at', ts)
    .addColumn('decided_at', ts)
    .execute();
  await db.schema.createIndex('approval_requests_requester_idx').on('approval_requests').columns(['requester_id', 'id']).execute();
  await db.schema.createIndex('approval_requests_type_idx').on('approval_requests').columns(['type_id', 'status', 'id']).execute();
  await db.schema.createIndex('approval_requests_owner_idx').on('approval_requests').columns(['type_id', 'owner_ref']).execute();
  await db.schema.createIndex('approval_requests_open_idx').on('approval_requests').columns(['status', 'step_opened_at']).execute();

  await withId(db, db.schema.createTable('approval_assignments'))
    .addColumn('request_id', 'integer', (c) => c.notNull().references('approval_requests.id'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('step_index', 'integer', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('replaces_id', 'integer')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decided_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  // "À approuver": the open seats of one approver, newest first.
  await db.schema.createIndex('approval_assignments_approver_idx').on('approval_assignments').columns(['approver_id', 'state', 'request_id']).execute();
  await db.schema.createIndex('approval_assignments_request_idx').on('approval_assignments').columns(['request_id', 'round', 'step_index']).execute();

  await withId(db, db.schema.createTable('approval_history'))
    .addColumn('request_id', 'integer', (c) => c.notNull().references('approval_requests.id'))
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('type_version_id', 'integer', (c) => c.notNull())
    .addColumn('step_index', 'integer')
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('approval_history_request_idx').on('approval_history').columns(['request_id', 'id']).execute();

  await withId(db, db.schema.createTable('approval_absences'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('approval_absences_user_idx').on('approval_absences').columns(['user_id', 'to_date']).execute();

  await db.schema
    .createTable('approval_deputies')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
    .addColumn('deputy_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
}
