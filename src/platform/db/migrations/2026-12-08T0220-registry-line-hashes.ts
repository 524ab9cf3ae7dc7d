// The SIRENE import's fingerprint of the source line each company and establishment was last
// imported from (53-bit number, see import.service.ts `fingerprint53`). A re-import compares the
// lines of the new file with these before mapping them: an unchanged line is skipped at the cost
// of hashing it, so a file where 1 % of the rows changed writes (and maps) only that 1 %.
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('companies').addColumn('sirene_line', 'bigint').execute();
  await db.schema.alterTable('establishments').addColumn('sirene_line', 'bigint').execute();
}
