// Messages (M9): conversations between staff ("internal") and between staff and a member company
// ("company"), their posts, attachments (in the database, like the extranet's), the staff
// participants, and each reader's read mark.
import type { Kysely } from 'kysely';
import { isPostgres, timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withRecordColumns(db, withId(db, db.schema.createTable('message_threads')))
    .addColumn('kind', 'text', (c) => c.notNull()) // internal | company
    .addColumn('company_id', 'integer') // the member company of a company thread
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('confidential', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open')) // open | closed
    .addColumn('assignee_user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('assignee_service_id', 'integer')
    .addColumn('started_by_user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('started_by_account_id', 'integer')
    .addColumn('last_post_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_threads_company_idx').on('message_threads').columns(['company_id', 'last_post_at']).execute();
  await db.schema.createIndex('message_threads_last_idx').on('message_threads').columns(['last_post_at']).execute();
  await db.schema.createIndex('message_threads_assignee_idx').on('message_threads').columns(['assignee_user_id']).execute();

  await db.schema
    .createTable('message_participants')
    .addColumn('thread_id', 'integer', (c) => c.notNull().references('message_threads.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('added_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('message_participants_pk', ['thread_id', 'user_id'])
    .execute();
  await db.schema.createIndex('message_participants_user_idx').on('message_participants').columns(['user_id']).execute();

  await withId(db, db.schema.createTable('message_posts'))
    .addColumn('thread_id', 'integer', (c) => c.notNull().references('message_threads.id'))
    .addColumn('author_kind', 'text', (c) => c.notNull()) // staff | member
    .addColumn('author_user_id', 'integer')
    .addColumn('author_account_id', 'integer')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_posts_thread_idx').on('message_posts').columns(['thread_id', 'id']).execute();

  await withId(db, db.schema.createTable('message_files'))
    .addColumn('thread_id', 'integer', (c) => c.notNull().references('message_threads.id'))
    .addColumn('post_id', 'integer', (c) => c.notNull().references('message_posts.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('message_files_post_idx').on('message_files').columns(['post_id']).execute();

  // reader: 'u:<user id>' for staff, 'm:<member account id>' for members
  await db.schema
    .createTable('message_reads')
    .addColumn('thread_id', 'integer', (c) => c.notNull().references('message_threads.id'))
    .addColumn('reader', 'text', (c) => c.notNull())
    .addColumn('last_post_id', 'integer', (c) => c.notNull())
    .addColumn('read_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('message_reads_pk', ['thread_id', 'reader'])
    .execute();
}
