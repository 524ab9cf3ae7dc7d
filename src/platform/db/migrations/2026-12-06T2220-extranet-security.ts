// Issue #19: one consent record. A contact's consent per channel (prospecting, newsletters, event
// invitations) lives in the registry, with its history in `contact_consent_events`; the
// extranet writes through the registry instead of keeping its own `member_consent_events`.
// The extranet's events are copied over in their order (value 1/0 → granted/refused, origin and
// author kept), then its table is dropped. Prospecting keeps its current value on `contacts`.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { timestampType, withId } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('contact_consent_events'))
    .addColumn('contact_id', 'integer', (c) => c.notNull().references('contacts.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('actor_id', 'integer')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('at', timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_consent_events_contact_idx').on('contact_consent_events').columns(['contact_id', 'channel', 'id']).execute();

  await db
    .insertInto('contact_consent_events')
    .columns(['contact_id', 'channel', 'value', 'origin', 'source', 'actor_id', 'actor_label', 'at'])
    .expression(
      db
        .selectFrom('member_consent_events')
        .select([
          'contact_id',
          'channel',
          sql<string>`case when value = 1 then 'granted' else 'refused' end`.as('value'),
          'origin',
          sql<null>`null`.as('source'),
          sql<null>`null`.as('actor_id'),
          'actor_label',
          'at',
        ])
        .orderBy('id'),
    )
    .execute();
  await db.schema.dropTable('member_consent_events').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await withId(db, db.schema.createTable('member_consent_events'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('contact_id', 'integer', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('at', timestampType(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_consent_events_contact_idx').on('member_consent_events').columns(['contact_id', 'channel', 'id']).execute();
  await db
    .insertInto('member_consent_events')
    .columns(['company_id', 'contact_id', 'channel', 'value', 'origin', 'actor_label', 'at'])
    .expression(
      db
        .selectFrom('contact_consent_events as e')
        .innerJoin('contacts as c', 'c.id', 'e.contact_id')
        .select(['c.company_id', 'e.contact_id', 'e.channel', sql<number>`case when e.value = 'granted' then 1 else 0 end`.as('value'), 'e.origin', 'e.actor_label', 'e.at'])
        .where('e.channel', 'in', ['newsletter', 'events'])
        .where('e.value', '!=', 'unknown')
        .orderBy('e.id'),
    )
    .execute();
  await db.schema.dropTable('contact_consent_events').execute();
}
