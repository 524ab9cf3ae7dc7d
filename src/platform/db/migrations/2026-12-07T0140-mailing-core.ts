// Mailing (M9, issue #14): lists (subscription or registry segment), subscriptions with their
// double opt-in proof, suppressions (global opt-out, bounces), bounce events, templates,
// campaigns, their recipients (the durable send state: queued → claimed → sent / bounced /
// failed), links for aggregated click counts, and letter batches (PDF) with the companies written to.
import type { Kysely } from 'kysely';
import { timestampType, withId, withRecordColumns } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withRecordColumns(db, withId(db, db.schema.createTable('mailing_lists')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull()) // subscription | segment
    .addColumn('segment_id', 'integer') // registry_segments.id (kind segment)
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0)) // offered on the public site and the extranet
    .addColumn('wording', 'text', (c) => c.notNull().defaultTo('')) // consent wording shown beside the form
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'integer')
    .execute();

  await withId(db, db.schema.createTable('mailing_subscribers'))
    .addColumn('list_id', 'integer', (c) => c.notNull().references('mailing_lists.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_norm', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact_id', 'integer') // the registry contact with this address, when there is one
    .addColumn('status', 'text', (c) => c.notNull()) // pending | confirmed | unsubscribed
    .addColumn('source', 'text', (c) => c.notNull()) // public | extranet | staff
    .addColumn('wording', 'text', (c) => c.notNull()) // the consent wording the person saw
    .addColumn('ip', 'text') // truncated: /24 (IPv4), /48 (IPv6)
    .addColumn('requested_at', ts, (c) => c.notNull())
    .addColumn('confirmed_at', ts)
    .addColumn('unsubscribed_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('mailing_subscribers_uq', ['list_id', 'email_norm'])
    .execute();
  await db.schema.createIndex('mailing_subscribers_email_idx').on('mailing_subscribers').column('email_norm').execute();

  await db.schema
    .createTable('mailing_suppressions')
    .addColumn('email_norm', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull()) // unsubscribed | hard_bounce | soft_bounces | complaint
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('mailing_bounces'))
    .addColumn('email_norm', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'integer')
    .addColumn('recipient_id', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull()) // hard | soft | complaint
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('')) // enhanced status code (5.1.1…)
    .addColumn('diagnostic', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('source', 'text', (c) => c.notNull()) // dsn | webhook | smtp
    .addColumn('at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mailing_bounces_email_idx').on('mailing_bounces').columns(['email_norm', 'kind']).execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('mailing_templates')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull()) // the blocks as typed (see blocks.ts)
    .addColumn('created_by', 'integer')
    .execute();

  await withRecordColumns(db, withId(db, db.schema.createTable('mailing_campaigns')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('list_id', 'integer', (c) => c.notNull().references('mailing_lists.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // draft | awaiting_approval | scheduled | sending | paused | finished | cancelled
    .addColumn('scheduled_at', ts)
    .addColumn('approval_id', 'integer')
    .addColumn('audience', 'integer', (c) => c.notNull().defaultTo(0)) // recipients counted at approval / start
    .addColumn('prepared', 'integer', (c) => c.notNull().defaultTo(0)) // recipients written
    .addColumn('tracking', 'integer', (c) => c.notNull().defaultTo(0)) // opens and clicks counted (CCI setting at start)
    .addColumn('opens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unsubscribes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('resent_uncertain', 'integer', (c) => c.notNull().defaultTo(0)) // claimed, unconfirmed at a crash: sent again with the same Message-ID
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', ts)
    .addColumn('started_at', ts)
    .addColumn('finished_at', ts)
    .addColumn('archived_public', 'integer', (c) => c.notNull().defaultTo(1)) // listed in the public archive once finished
    .addColumn('created_by', 'integer')
    .execute();
  await db.schema.createIndex('mailing_campaigns_status_idx').on('mailing_campaigns').column('status').execute();

  await withId(db, db.schema.createTable('mailing_recipients'))
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('mailing_campaigns.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_norm', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'integer')
    .addColumn('company_id', 'integer')
    .addColumn('subscriber_id', 'integer')
    .addColumn('fields', 'text', (c) => c.notNull()) // merge values (JSON)
    .addColumn('status', 'text', (c) => c.notNull()) // queued | claimed | sent | bounced | failed
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ts, (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('sent_at', ts)
    .addColumn('error', 'text')
    .addUniqueConstraint('mailing_recipients_uq', ['campaign_id', 'email_norm'])
    .execute();
  await db.schema.createIndex('mailing_recipients_status_idx').on('mailing_recipients').columns(['campaign_id', 'status', 'id']).execute();
  await db.schema.createIndex('mailing_recipients_company_idx').on('mailing_recipients').column('company_id').execute();

  await db.schema
    .createTable('mailing_links')
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('mailing_campaigns.id'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('clicks', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('mailing_links_pk', ['campaign_id', 'idx'])
    .execute();

  await withId(db, db.schema.createTable('mailing_letter_batches'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('template_id', 'integer', (c) => c.notNull().references('mailing_templates.id'))
    .addColumn('segment_id', 'integer', (c) => c.notNull())
    .addColumn('letters', 'integer', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('mailing_letter_items')
    .addColumn('batch_id', 'integer', (c) => c.notNull().references('mailing_letter_batches.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('establishment_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('mailing_letter_items_pk', ['batch_id', 'establishment_id'])
    .execute();
  await db.schema.createIndex('mailing_letter_items_company_idx').on('mailing_letter_items').column('company_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['mailing_letter_items', 'mailing_letter_batches', 'mailing_links', 'mailing_recipients', 'mailing_campaigns', 'mailing_templates', 'mailing_bounces', 'mailing_suppressions', 'mailing_subscribers', 'mailing_lists']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
