// The outbox keeps a message's attachments (the monthly statistics report's PDF): JSON text
// [{ filename, contentType, base64 }], null for a message without any.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mail_outbox').addColumn('attachments', 'text').execute();
}
