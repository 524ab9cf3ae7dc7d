// Workspaces (M5) for committees and working groups: members, documents with versions, a
// discussion thread, a decisions log and tasks with owners and due dates.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withRecordColumns(db, withId(db, db.schema.createTable('workspaces')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // committee | working_group
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .execute();

  await db.schema
    .createTable('workspace_members')
    .addColumn('workspace_id', 'integer', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('member')) // lead | member
    .addColumn('added_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_members_pk', ['workspace_id', 'user_id'])
    .execute();
  await db.schema.createIndex('workspace_members_user_idx').on('workspace_members').column('user_id').execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('workspace_documents')))
    .addColumn('workspace_id', 'integer', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .execute();

  await withId(db, db.schema.createTable('workspace_document_versions'))
    .addColumn('document_id', 'integer', (c) => c.notNull().references('workspace_documents.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('uploaded_by', 'integer')
    .addColumn('uploaded_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('workspace_document_versions_uq', ['document_id', 'number'])
    .execute();

  await withId(db, db.schema.createTable('workspace_messages'))
    .addColumn('workspace_id', 'integer', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('author_id', 'integer')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workspace_messages_ws_idx').on('workspace_messages').columns(['workspace_id', 'created_at']).execute();

  await withId(db, db.schema.createTable('workspace_decisions'))
    .addColumn('workspace_id', 'integer', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('decided_on', 'text', (c) => c.notNull()) // calendar date
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'integer')
    .addColumn('recorded_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('workspace_tasks')))
    .addColumn('workspace_id', 'integer', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'integer', (c) => c.references('users.id'))
    .addColumn('due_on', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open')) // open | done
    .addColumn('created_by', 'integer')
    .execute();
  await db.schema.createIndex('workspace_tasks_owner_idx').on('workspace_tasks').columns(['owner_id', 'status']).execute();
}
