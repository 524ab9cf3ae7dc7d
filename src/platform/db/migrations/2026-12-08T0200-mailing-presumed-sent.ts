// Exactly once at the sink (#14, ADR 0012): after a crash, a recipient the dead run had claimed
// AND written to its send journal may have been accepted by the SMTP server (the final dot may
// have left). It is marked sent "presumed delivered": the campaign counts them, and each such
// recipient is flagged so the campaign page lists them (an operator may resend one by hand).
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mailing_campaigns').addColumn('presumed_sent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
