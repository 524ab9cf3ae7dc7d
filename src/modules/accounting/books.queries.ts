// SQL of the accounting pages: entries (filtered, paged), the trial balance of a period, an
// account's general ledger. Heavy reads: the handlers pass ctx.reads.
import { sql } from 'kysely';
import type { AccountingDb, BalanceRow, EntryListRow, JournalCode, LedgerRow } from './accounting.table.js';

export type { BalanceRow, EntryListRow, LedgerRow };

export interface EntryFilter {
  journal?: JournalCode;
  from?: string;
  to?: string;
  /** entries with a line on this account (prefix: 6 → every charge) */
  account?: string;
  /** the module that posted it */
  source?: string;
}

function filtered(db: AccountingDb, f: EntryFilter) {
  let q = db.selectFrom('accounting_entries as e');
  if (f.journal) q = q.where('e.journal_code', '=', f.journal);
  if (f.from) q = q.where('e.entry_date', '>=', f.from);
  if (f.to) q = q.where('e.entry_date', '<=', f.to);
  if (f.source) q = q.where('e.source_module', '=', f.source);
  if (f.account) {
    const prefix = f.account;
    q = q.where((eb) => eb.exists(eb.selectFrom('accounting_lines as l').select('l.id').whereRef('l.entry_id', '=', 'e.id').where('l.account', 'like', `${prefix}%`)));
  }
  return q;
}

export function entriesPage(db: AccountingDb, f: EntryFilter, limit: number, offset: number): Promise<EntryListRow[]> {
  return filtered(db, f)
    .select(['e.id', 'e.journal_code', 'e.number', 'e.entry_date', 'e.label', 'e.piece_ref', 'e.source_module', 'e.source_id', 'e.total_cents', 'e.reverses_id'])
    .orderBy('e.entry_date', 'desc')
    .orderBy('e.journal_code')
    .orderBy('e.seq', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

export async function countEntries(db: AccountingDb, f: EntryFilter): Promise<number> {
  const row = await filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function sourceModules(db: AccountingDb): Promise<string[]> {
  const rows = await db.selectFrom('accounting_entries').select('source_module').distinct().orderBy('source_module').execute();
  return rows.map((r) => r.source_module);
}

/** Per account: the sums of the period's debits and credits (balance générale). */
export async function trialBalance(db: AccountingDb, from: string, to: string): Promise<BalanceRow[]> {
  const rows = await db
    .selectFrom('accounting_lines as l')
    .innerJoin('accounting_entries as e', 'e.id', 'l.entry_id')
    .leftJoin('accounting_accounts as a', 'a.number', 'l.account')
    .select((eb) => [
      'l.account',
      eb.fn.max(sql<string>`coalesce(a.label, l.account_label)`).as('label'),
      eb.fn.sum<number>('l.debit_cents').as('debit'),
      eb.fn.sum<number>('l.credit_cents').as('credit'),
    ])
    .where('e.entry_date', '>=', from)
    .where('e.entry_date', '<=', to)
    .groupBy('l.account')
    .orderBy('l.account')
    .execute();
  return rows.map((r) => ({ account: r.account, label: r.label ?? r.account, debit: Number(r.debit), credit: Number(r.credit) }));
}

/** The lines of one account over a period, in date order (grand livre), a page at a time. */
export function ledgerPage(db: AccountingDb, account: string, from: string, to: string, limit: number, offset: number): Promise<LedgerRow[]> {
  return db
    .selectFrom('accounting_lines as l')
    .innerJoin('accounting_entries as e', 'e.id', 'l.entry_id')
    .select(['e.id as entry_id', 'e.number', 'e.journal_code', 'e.entry_date', 'e.piece_ref', sql<string>`coalesce(l.label, e.label)`.as('label'), 'l.aux_account', 'l.debit_cents', 'l.credit_cents'])
    .where('l.account', '=', account)
    .where('e.entry_date', '>=', from)
    .where('e.entry_date', '<=', to)
    .orderBy('e.entry_date')
    .orderBy('e.journal_code')
    .orderBy('e.seq')
    .orderBy('l.position')
    .limit(limit)
    .offset(offset)
    .execute();
}

/** Σ debit − Σ credit of an account before a date (the ledger's opening balance). */
export async function balanceBefore(db: AccountingDb, account: string, before: string): Promise<number> {
  const row = await db
    .selectFrom('accounting_lines as l')
    .innerJoin('accounting_entries as e', 'e.id', 'l.entry_id')
    .select((eb) => [eb.fn.sum<number>('l.debit_cents').as('d'), eb.fn.sum<number>('l.credit_cents').as('c')])
    .where('l.account', '=', account)
    .where('e.entry_date', '<', before)
    .executeTakeFirst();
  return Number(row?.d ?? 0) - Number(row?.c ?? 0);
}

/** Count and Σ debit − Σ credit of the ledger's first `n` lines of the period (carried to the next page). */
export async function ledgerHead(db: AccountingDb, account: string, from: string, to: string, n: number): Promise<number> {
  const head = db
    .selectFrom('accounting_lines as l')
    .innerJoin('accounting_entries as e', 'e.id', 'l.entry_id')
    .select(['l.debit_cents', 'l.credit_cents'])
    .where('l.account', '=', account)
    .where('e.entry_date', '>=', from)
    .where('e.entry_date', '<=', to)
    .orderBy('e.entry_date')
    .orderBy('e.journal_code')
    .orderBy('e.seq')
    .orderBy('l.position')
    .limit(n)
    .as('h');
  const row = await db
    .selectFrom(head)
    .select((eb) => [eb.fn.sum<number>('h.debit_cents').as('d'), eb.fn.sum<number>('h.credit_cents').as('c')])
    .executeTakeFirst();
  return Number(row?.d ?? 0) - Number(row?.c ?? 0);
}

export async function countLedger(db: AccountingDb, account: string, from: string, to: string): Promise<number> {
  const row = await db
    .selectFrom('accounting_lines as l')
    .innerJoin('accounting_entries as e', 'e.id', 'l.entry_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('l.account', '=', account)
    .where('e.entry_date', '>=', from)
    .where('e.entry_date', '<=', to)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
