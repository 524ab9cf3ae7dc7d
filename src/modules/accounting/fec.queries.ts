// SQL of the FEC export: keyset pages of entries in (date, journal, number) order, then the
// lines of one page. Two short statements per page, each within the read time limit, whatever
// the size of the books (docs/MODULES.md, "How a module runs a heavy read").
import { sql } from 'kysely';
import type { AccountingDb, JournalCode, Line } from './accounting.table.js';

export interface FecEntryRow {
  id: number;
  journal_code: JournalCode;
  journal_label: string;
  seq: number;
  number: string;
  entry_date: string;
  label: string;
  piece_ref: string;
  piece_date: string;
  created_at: string;
}

export interface FecKey {
  date: string;
  journal: string;
  seq: number;
}

export function fecEntriesPage(db: AccountingDb, from: string, to: string, after: FecKey | undefined, limit: number): Promise<FecEntryRow[]> {
  let query = db
    .selectFrom('accounting_entries as e')
    .innerJoin('accounting_journals as j', 'j.code', 'e.journal_code')
    .select(['e.id', 'e.journal_code', 'j.label_fr as journal_label', 'e.seq', 'e.number', 'e.entry_date', 'e.label', 'e.piece_ref', 'e.piece_date', 'e.created_at'])
    .where('e.entry_date', '<=', to);
  // The next page starts at the key (the index's start), not at `from`: with both, SQLite scans
  // the index from `from` on every page (a page near the end of a year of 1 M entries: 200 ms
  // instead of 27 ms). The key is after `from` anyway.
  query = after ? query.where(sql<boolean>`(e.entry_date, e.journal_code, e.seq) > (${after.date}, ${after.journal}, ${after.seq})`) : query.where('e.entry_date', '>=', from);
  return query.orderBy('e.entry_date').orderBy('e.journal_code').orderBy('e.seq').limit(limit).execute();
}

export function linesOfEntries(db: AccountingDb, ids: readonly number[]): Promise<Line[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.selectFrom('accounting_lines').selectAll().where('entry_id', 'in', [...ids]).orderBy('entry_id').orderBy('position').execute();
}
