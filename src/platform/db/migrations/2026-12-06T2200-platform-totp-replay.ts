// The time step of the last accepted TOTP code, per staff user and per member account: a code
// is accepted once (issue #19, second-factor replay). Null until the first code is accepted.
import type { Kysely } from 'kysely';

const HOLDERS = ['users', 'member_accounts'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of HOLDERS) await db.schema.alterTable(table).addColumn('totp_last_step', 'integer').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of HOLDERS) await db.schema.alterTable(table).dropColumn('totp_last_step').execute();
}
