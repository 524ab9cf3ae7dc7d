// Extranet (M4, M6): member accounts and their companies, invitations, SIRET sign-ups, change
// requests on registry data, members' requests with messages and attachments, consent history.
// Sorts after the registry's migration (foreign keys to companies, users).
import type { Kysely } from 'kysely';
import { isPostgres, timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);

  await withRecordColumns(db, withId(db, db.schema.createTable('member_accounts')))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('invited'))
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('fr'))
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_sign_in_at', ts)
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('member_memberships')))
    .addColumn('account_id', 'integer', (c) => c.notNull().references('member_accounts.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addUniqueConstraint('member_memberships_account_company_uq', ['account_id', 'company_id'])
    .execute();
  await db.schema.createIndex('member_memberships_company_idx').on('member_memberships').columns(['company_id', 'status']).execute();

  await withId(db, db.schema.createTable('member_invitations'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('accepted_at', ts)
    .execute();
  await db.schema.createIndex('member_invitations_company_idx').on('member_invitations').columns(['company_id', 'status']).execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('member_signups')))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('siret', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('company_id', 'integer', (c) => c.references('companies.id'))
    .addColumn('account_id', 'integer', (c) => c.references('member_accounts.id'))
    .addColumn('reason', 'text')
    .addColumn('decided_by', 'integer')
    .addColumn('decided_at', ts)
    .execute();
  await db.schema.createIndex('member_signups_status_idx').on('member_signups').columns(['status', 'created_at']).execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('member_change_requests')))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('account_id', 'integer', (c) => c.notNull().references('member_accounts.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('decisions', 'text')
    .addColumn('reason', 'text')
    .addColumn('decided_by', 'integer')
    .addColumn('decided_at', ts)
    .execute();
  await db.schema.createIndex('member_change_requests_company_idx').on('member_change_requests').columns(['company_id', 'status']).execute();
  await db.schema.createIndex('member_change_requests_status_idx').on('member_change_requests').columns(['status', 'created_at']).execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('member_requests')))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('account_id', 'integer', (c) => c.notNull().references('member_accounts.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'integer', (c) => c.references('users.id'))
    .addColumn('first_response_at', ts)
    .addColumn('last_message_at', ts, (c) => c.notNull())
    .addColumn('closed_at', ts)
    .execute();
  await db.schema.createIndex('member_requests_company_idx').on('member_requests').columns(['company_id', 'last_message_at']).execute();
  await db.schema.createIndex('member_requests_queue_idx').on('member_requests').columns(['status', 'category', 'last_message_at']).execute();

  await withId(db, db.schema.createTable('member_request_messages'))
    .addColumn('request_id', 'integer', (c) => c.notNull().references('member_requests.id'))
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_account_id', 'integer', (c) => c.references('member_accounts.id'))
    .addColumn('author_user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_request_messages_request_idx').on('member_request_messages').columns(['request_id', 'created_at']).execute();

  await withId(db, db.schema.createTable('member_attachments'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('request_id', 'integer', (c) => c.notNull().references('member_requests.id'))
    .addColumn('message_id', 'integer', (c) => c.notNull().references('member_request_messages.id'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_attachments_message_idx').on('member_attachments').columns(['message_id']).execute();

  await db.schema
    .createTable('member_request_routes')
    .addColumn('category', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('member_consent_events'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('contact_id', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_consent_events_contact_idx').on('member_consent_events').columns(['contact_id', 'channel', 'id']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'member_consent_events',
    'member_request_routes',
    'member_attachments',
    'member_request_messages',
    'member_requests',
    'member_change_requests',
    'member_signups',
    'member_invitations',
    'member_memberships',
    'member_accounts',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
