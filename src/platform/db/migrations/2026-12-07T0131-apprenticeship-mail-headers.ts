// The outbox keeps a message's extra headers (RFC 8058 List-Unsubscribe and
// List-Unsubscribe-Post of the apprenticeship-tax reminders): JSON text { name: value }, null
// for a message without any.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_outbox').addColumn('headers', 'text').execute();
}
