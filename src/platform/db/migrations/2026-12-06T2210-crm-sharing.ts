// CRM: what a member sees of the CCI's work for their company is what staff chose to share
// (issue #19, defect 3). Deals, visits and tasks get one flag with one name,
// `shared_with_company` (visits had `shareable`, renamed: same meaning), and a member-facing
// wording (`member_title`, `member_summary`) distinct from the internal title; deals get a second
// flag for their amount. Existing deals and tasks stay unshared; a visit that was shareable stays
// shared, its topics becoming its member wording (what members saw until now).
// Deals also remember who wrote their confidential notes (`confidential_author_id`): those notes
// are read by their author and holders of `crm:confidential` only (defect 7a), and a deal's owner
// is not always its author (a manager creates deals for advisers). Until now the owner was the
// only name on a deal: existing notes are credited to it.
import type { Kysely } from 'kysely';

const SHARED_TABLES = ['crm_deals', 'crm_tasks'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('crm_visits').renameColumn('shareable', 'shared_with_company').execute();
  for (const table of ['crm_visits', ...SHARED_TABLES]) {
    if (table !== 'crm_visits') await db.schema.alterTable(table).addColumn('shared_with_company', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable(table).addColumn('member_title', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable(table).addColumn('member_summary', 'text', (c) => c.notNull().defaultTo('')).execute();
  }
  await db.schema.alterTable('crm_deals').addColumn('amount_shared_with_company', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // No foreign key: SQLite could not drop the column again (down), and users are never deleted.
  await db.schema.alterTable('crm_deals').addColumn('confidential_author_id', 'integer').execute();
  await db.updateTable('crm_deals').set((eb) => ({ confidential_author_id: eb.ref('owner_id') })).where('confidential_notes', '!=', '').execute();

  // Shared visits keep the words members saw: their topics' labels.
  const labels = new Map(((await db.selectFrom('crm_topics').select(['code', 'label']).execute()) as { code: string; label: string }[]).map((t) => [t.code, t.label]));
  const shared = (await db.selectFrom('crm_visits').select(['id', 'topics']).where('shared_with_company', '=', 1).execute()) as { id: number; topics: string }[];
  for (const v of shared) {
    let codes: string[] = [];
    try {
      codes = JSON.parse(v.topics) as string[];
    } catch {
      // an unreadable list of topics: the member sees the generic "visit" wording
    }
    const title = codes.map((c) => labels.get(c) ?? c).join(', ').slice(0, 200);
    if (title) await db.updateTable('crm_visits').set({ member_title: title }).where('id', '=', v.id).execute();
  }
  await db.schema.createIndex('crm_deals_company_shared_idx').on('crm_deals').columns(['company_id', 'shared_with_company']).execute();
  await db.schema.createIndex('crm_tasks_company_shared_idx').on('crm_tasks').columns(['company_id', 'shared_with_company']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('crm_tasks_company_shared_idx').execute();
  await db.schema.dropIndex('crm_deals_company_shared_idx').execute();
  await db.schema.alterTable('crm_deals').dropColumn('confidential_author_id').execute();
  await db.schema.alterTable('crm_deals').dropColumn('amount_shared_with_company').execute();
  for (const table of ['crm_visits', ...SHARED_TABLES]) {
    await db.schema.alterTable(table).dropColumn('member_summary').execute();
    await db.schema.alterTable(table).dropColumn('member_title').execute();
    if (table !== 'crm_visits') await db.schema.alterTable(table).dropColumn('shared_with_company').execute();
  }
  await db.schema.alterTable('crm_visits').renameColumn('shared_with_company', 'shareable').execute();
}
