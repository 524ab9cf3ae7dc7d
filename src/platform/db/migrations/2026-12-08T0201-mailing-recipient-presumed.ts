// The recipient side of 2026-12-08T0200: 1 when 'sent' was presumed at a crash recovery (journaled,
// no acceptance recorded), 0 when the server's acceptance was recorded. See ADR 0012.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mailing_recipients').addColumn('presumed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
