// SQL of entries, lines, journals, accounts and closings.
import { sql } from 'kysely';
import type { AccountingDb, Entry, Journal, JournalCode, Line, Account } from './accounting.table.js';

export function listJournals(db: AccountingDb): Promise<Journal[]> {
  return db.selectFrom('accounting_journals').selectAll().orderBy('position').execute();
}

export function listAccounts(db: AccountingDb): Promise<Account[]> {
  return db.selectFrom('accounting_accounts').selectAll().orderBy('number').execute();
}

export function findAccount(db: AccountingDb, number: string): Promise<Account | undefined> {
  return db.selectFrom('accounting_accounts').selectAll().where('number', '=', number).executeTakeFirst();
}

export async function insertAccount(db: AccountingDb, number: string, label: string, now: string): Promise<void> {
  await db.insertInto('accounting_accounts').values({ number, label, created_at: now }).execute();
}

/** The next number of a journal's gapless sequence: the row lock (PostgreSQL) or the single writer (SQLite) serialises posters. */
export async function nextSeq(db: AccountingDb, journal: JournalCode): Promise<number | undefined> {
  const row = await db
    .updateTable('accounting_journals')
    .set({ last_number: sql`last_number + 1` })
    .where('code', '=', journal)
    .returning('last_number')
    .executeTakeFirst();
  return row?.last_number;
}

/** The last closing date (nothing may be posted on or before it), or null. */
export async function closedThrough(db: AccountingDb): Promise<string | null> {
  const row = await db.selectFrom('accounting_closings').select('closed_through').orderBy('closed_through', 'desc').limit(1).executeTakeFirst();
  return row?.closed_through ?? null;
}

export async function insertClosing(db: AccountingDb, closedThroughDate: string, by: number | null, now: string): Promise<number> {
  const row = await db.insertInto('accounting_closings').values({ closed_through: closedThroughDate, created_by: by, created_at: now }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findEntry(db: AccountingDb, id: number): Promise<Entry | undefined> {
  return db.selectFrom('accounting_entries').selectAll().where('id', '=', id).executeTakeFirst();
}

export function linesOf(db: AccountingDb, entryId: number): Promise<Line[]> {
  return db.selectFrom('accounting_lines').selectAll().where('entry_id', '=', entryId).orderBy('position').execute();
}

export function reversalOf(db: AccountingDb, entryId: number): Promise<Entry | undefined> {
  return db.selectFrom('accounting_entries').selectAll().where('reverses_id', '=', entryId).executeTakeFirst();
}

export function entriesFromSource(db: AccountingDb, module: string, id: string): Promise<Entry[]> {
  return db.selectFrom('accounting_entries').selectAll().where('source_module', '=', module).where('source_id', '=', id).orderBy('id').execute();
}

/**
 * The third-party line (supplier 40x, staff 42x) a source's entries credited last: the account a
 * payment order for that source settles when it names none.
 */
export function creditedThirdParty(db: AccountingDb, module: string, id: string): Promise<{ account: string; aux_account: string | null; aux_label: string | null } | undefined> {
  return db
    .selectFrom('accounting_lines as l')
    .innerJoin('accounting_entries as e', 'e.id', 'l.entry_id')
    .select(['l.account', 'l.aux_account', 'l.aux_label'])
    .where('e.source_module', '=', module)
    .where('e.source_id', '=', id)
    .where('e.reverses_id', 'is', null)
    .where('l.credit_cents', '>', 0)
    .where((eb) => eb.or([eb('l.account', 'like', '40%'), eb('l.account', 'like', '42%')]))
    .orderBy('e.id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
