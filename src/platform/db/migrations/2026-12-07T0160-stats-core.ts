// Usage statistics (M14): raw events (purged after STATS_RAW_DAYS), the day's salt of visitor
// hashes (one row, replaced at midnight Europe/Paris), roll-ups per hour/day/month, the roll-up
// watermark, subscribers of the monthly report and the archive of sent reports.
import type { Kysely } from 'kysely';
import { timestampType, withId } from '../migration-kit.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const ts = timestampType(db);
  await withId(db, db.schema.createTable('stats_events'))
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('area', 'text', (c) => c.notNull()) // public | intranet | extranet
    .addColumn('kind', 'text', (c) => c.notNull()) // view | not_found | search | sign_in
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('visitor', 'text', (c) => c.notNull()) // hash of the day's salt + truncated IP + UA
    .addColumn('entry', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('referrer', 'text') // domain only
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('term', 'text')
    .addColumn('results', 'integer')
    .addColumn('company_id', 'integer') // extranet: the member's company (for size/sector roll-ups)
    .execute();
  await db.schema.createIndex('stats_events_at_idx').on('stats_events').column('at').execute();

  await db.schema
    .createTable('stats_salts')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('salt', 'text', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('stats_rollups'))
    .addColumn('period', 'text', (c) => c.notNull()) // hour | day | month
    .addColumn('bucket', 'text', (c) => c.notNull()) // hour: UTC instant of its start; day: YYYY-MM-DD; month: YYYY-MM (Paris)
    .addColumn('area', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('value', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('count', 'integer', (c) => c.notNull())
    .addUniqueConstraint('stats_rollups_uq', ['period', 'bucket', 'area', 'metric', 'dim', 'value'])
    .execute();

  await db.schema
    .createTable('stats_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('stats_subscriptions')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('stats_reports'))
    .addColumn('month', 'text', (c) => c.notNull().unique()) // YYYY-MM reported on
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('pdf_base64', 'text', (c) => c.notNull())
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}
