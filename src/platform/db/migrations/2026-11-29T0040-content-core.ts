// Content (M5, M7, M8): sections with per-person rights, folders, items (news, pages, events,
// documents) as a working copy, their revisions, the live (published) copy read by every
// audience channel, uploaded files, the workflow log and the intranet's pinned links.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);

  await withRecordColumns(db, withId(db, db.schema.createTable('content_sections')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .execute();

  await db.schema
    .createTable('content_section_rights')
    .addColumn('section_id', 'integer', (c) => c.notNull().references('content_sections.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('can_edit', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('can_publish', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('content_section_rights_pk', ['section_id', 'user_id'])
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('content_folders')))
    .addColumn('parent_id', 'integer', (c) => c.references('content_folders.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('content_items')))
    .addColumn('kind', 'text', (c) => c.notNull()) // news | page | event | document
    .addColumn('section_id', 'integer', (c) => c.references('content_sections.id'))
    .addColumn('parent_id', 'integer', (c) => c.references('content_items.id'))
    .addColumn('folder_id', 'integer', (c) => c.references('content_folders.id'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft')) // draft | submitted | scheduled | published
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('meta_description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('aud_intranet', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('aud_extranet', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('aud_public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('image_file_id', 'integer')
    .addColumn('document_file_id', 'integer')
    .addColumn('news_date', 'text') // calendar date shown on a news item
    .addColumn('event_start', ts)
    .addColumn('event_end', ts)
    .addColumn('event_place', 'text')
    .addColumn('event_link', 'text')
    .addColumn('scheduled_at', ts)
    .addColumn('unpublish_at', ts)
    .addColumn('review_comment', 'text')
    .addColumn('author_id', 'integer', (c) => c.references('users.id'))
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('content_items_status_idx').on('content_items').columns(['status', 'kind']).execute();
  await db.schema.createIndex('content_items_scheduled_idx').on('content_items').columns(['status', 'scheduled_at']).execute();

  await withId(db, db.schema.createTable('content_revisions'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('content_items.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('author_id', 'integer')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('content_revisions_item_number_uq', ['item_id', 'number'])
    .execute();

  // The copy every reader sees: one row per item currently published. Editing the working copy
  // never touches it; publishing replaces it, unpublishing deletes it.
  await db.schema
    .createTable('content_live')
    .addColumn('item_id', 'integer', (c) => c.primaryKey().references('content_items.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('section_id', 'integer')
    .addColumn('parent_id', 'integer')
    .addColumn('folder_id', 'integer')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('meta_description', 'text', (c) => c.notNull())
    .addColumn('aud_intranet', 'integer', (c) => c.notNull())
    .addColumn('aud_extranet', 'integer', (c) => c.notNull())
    .addColumn('aud_public', 'integer', (c) => c.notNull())
    .addColumn('image_file_id', 'integer')
    .addColumn('document_file_id', 'integer')
    .addColumn('news_date', 'text')
    .addColumn('event_start', ts)
    .addColumn('event_end', ts)
    .addColumn('event_place', 'text')
    .addColumn('event_link', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('published_at', ts, (c) => c.notNull())
    .addColumn('unpublish_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('content_live_kind_idx').on('content_live').columns(['kind', 'published_at']).execute();
  await db.schema.createIndex('content_live_slug_idx').on('content_live').columns(['kind', 'slug']).execute();

  await withId(db, db.schema.createTable('content_files'))
    .addColumn('item_id', 'integer', (c) => c.references('content_items.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull()) // image | document
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('alt', 'text')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('version_number', 'integer')
    .addColumn('note', 'text')
    .addColumn('uploaded_by', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('content_files_item_idx').on('content_files').columns(['item_id', 'kind']).execute();

  await withId(db, db.schema.createTable('content_log'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('content_items.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('actor_id', 'integer')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('content_log_item_idx').on('content_log').columns(['item_id', 'at']).execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('content_links')))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
