// The FEC (fichier des écritures comptables, LPF art. L47 A, BOI-CF-IOR-60-40-20): 18 columns,
// a header line, '|' separator, dates YYYYMMDD, amounts with a decimal comma, one line per entry
// line. Entries come in date order (then journal, then journal number) and EcritureNum numbers
// them 1, 2, 3… continuously in that order over the exported period (ADR 0010). Streamed: an
// async generator of text chunks, one per keyset page, so memory stays flat at a million entries.
import { invalid, type FieldErrors } from '../../platform/errors.js';
import type { AccountingDb, Line } from './accounting.table.js';
import { compactDate, isIsoDate } from './dates.js';
import { fecEntriesPage, linesOfEntries, type FecEntryRow } from './fec.queries.js';

export const FEC_COLUMNS = [
  'JournalCode', 'JournalLib', 'EcritureNum', 'EcritureDate', 'CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'PieceRef',
  'PieceDate', 'EcritureLib', 'Debit', 'Credit', 'EcritureLet', 'DateLet', 'ValidDate', 'Montantdevise', 'Idevise',
] as const;

export const FEC_SEPARATOR = '|';

/** The period of an export, checked: two calendar dates, from ≤ to. */
export function fecPeriod(from: unknown, to: unknown): { from: string; to: string } {
  const fields: FieldErrors = {};
  if (!isIsoDate(from)) fields.from = 'accounting.date_invalid';
  if (!isIsoDate(to)) fields.to = 'accounting.date_invalid';
  else if (isIsoDate(from) && from > to) fields.to = 'accounting.period_reversed';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  return { from: from as string, to: to as string };
}

/** `<SIREN>FEC<YYYYMMDD>` with the closing date of the period (the `to` date). */
export function fecFileName(siren: string, to: string): string {
  return `${siren.replace(/\D/g, '')}FEC${compactDate(to)}`;
}

/** 123456 → "1234,56"; 0 → "0,00". */
export function fecAmount(cents: number): string {
  return `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
}

/** A field never carries the separator, a tab or a line break. */
const clean = (v: string | null | undefined) => (v ? v.replace(/\s*[|\t\r\n]+\s*/g, ' ') : '');

function entryLines(e: FecEntryRow, num: number, lines: readonly Line[], out: string[]): void {
  const head = `${e.journal_code}|${clean(e.journal_label)}|${num}|${compactDate(e.entry_date)}|`;
  const piece = `|${clean(e.piece_ref)}|${compactDate(e.piece_date)}|`;
  const valid = compactDate(e.created_at.slice(0, 10));
  for (const l of lines) {
    out.push(
      head + `${clean(l.account)}|${clean(l.account_label)}|${clean(l.aux_account)}|${clean(l.aux_label)}` + piece +
        `${clean(l.label ?? e.label)}|${fecAmount(Number(l.debit_cents))}|${fecAmount(Number(l.credit_cents))}|||${valid}||`,
    );
  }
}

/**
 * The file as text chunks: the header, then one chunk per page of `pageSize` entries. `db` is
 * the read handle (ctx.reads). Ends early if the consumer stops (client gone).
 */
export async function* fecChunks(db: AccountingDb, from: string, to: string, pageSize = 2000): AsyncGenerator<string> {
  yield FEC_COLUMNS.join(FEC_SEPARATOR) + '\n';
  let after: { date: string; journal: string; seq: number } | undefined;
  let num = 0;
  for (;;) {
    const entries = await fecEntriesPage(db, from, to, after, pageSize);
    if (!entries.length) return;
    const lines = await linesOfEntries(db, entries.map((e) => e.id));
    const byEntry = new Map<number, Line[]>();
    for (const l of lines) {
      const list = byEntry.get(l.entry_id);
      if (list) list.push(l);
      else byEntry.set(l.entry_id, [l]);
    }
    const out: string[] = [];
    for (const e of entries) entryLines(e, ++num, byEntry.get(e.id) ?? [], out);
    out.push('');
    yield out.join('\n');
    if (entries.length < pageSize) return;
    const last = entries[entries.length - 1];
    after = { date: last.entry_date, journal: last.journal_code, seq: last.seq };
  }
}
