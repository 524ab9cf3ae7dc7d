// Posting entries: validation (balanced, debit XOR credit, known journal, open period), the
// journal's gapless number, the lines and the audit row, all in the caller's transaction.
// Posted entries are never changed: a correction is a reversal entry (reverseEntry).
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, notFound, conflict, type FieldErrors } from '../../platform/errors.js';
import { JOURNAL_CODES, type AccountingDb, type Entry, type JournalCode, type Line } from './accounting.table.js';
import { isIsoDate } from './dates.js';
import * as q from './entries.queries.js';
import { assertCanManage } from './policy.js';

export interface EntryLineInput {
  account: string;
  accountLabel: string;
  debitCents: number;
  creditCents: number;
  auxAccount?: string | null;
  auxLabel?: string | null;
  label?: string | null;
}

export interface EntryInput {
  journal: JournalCode;
  /** YYYY-MM-DD, the accounting date (EcritureDate) */
  date: string;
  label: string;
  pieceRef: string;
  /** the document's date (PieceDate); the entry's date when absent */
  pieceDate?: string;
  source: { module: string; id: number | string };
  lines: EntryLineInput[];
  /** set by reverseEntry only */
  reversesId?: number;
}

/** Largest amount of one line: 10^13 cents (100 billion euros), far below 2^53. */
export const MAX_CENTS = 10_000_000_000_000;
export const ACCOUNT_RE = /^[1-8][0-9]{1,7}[0-9A-Z]{0,12}$/;
export const AUX_RE = /^[0-9A-Z][0-9A-Z_-]{0,29}$/;

function isCents(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_CENTS;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

/** Every rule of an entry, with the field at fault (lines.N.debitCents…). */
export function validateEntry(input: EntryInput, closedThrough: string | null): FieldErrors {
  const fields: FieldErrors = {};
  if (!(JOURNAL_CODES as readonly string[]).includes(input.journal)) fields.journal = 'accounting.journal_unknown';
  if (!isIsoDate(input.date)) fields.date = 'accounting.date_invalid';
  else if (closedThrough && input.date <= closedThrough) fields.date = 'accounting.period_closed';
  if (input.pieceDate !== undefined && !isIsoDate(input.pieceDate)) fields.pieceDate = 'accounting.date_invalid';
  const label = text(input.label);
  if (!label) fields.label = 'field.required';
  else if (label.length > 200) fields.label = 'accounting.too_long';
  const pieceRef = text(input.pieceRef);
  if (!pieceRef) fields.pieceRef = 'field.required';
  else if (pieceRef.length > 60) fields.pieceRef = 'accounting.too_long';
  if (!input.source || !text(input.source.module) || text(String(input.source.id ?? '')) === '') fields.source = 'accounting.source_required';
  const lines = Array.isArray(input.lines) ? input.lines : [];
  if (lines.length < 2) {
    fields.lines = 'accounting.lines_min';
    return fields;
  }
  if (lines.length > 1000) fields.lines = 'accounting.lines_max';
  let debit = 0;
  let credit = 0;
  lines.forEach((line, i) => {
    const at = `lines.${i}`;
    if (!ACCOUNT_RE.test(text(line.account))) fields[`${at}.account`] = 'accounting.account_invalid';
    const accountLabel = text(line.accountLabel);
    if (!accountLabel) fields[`${at}.accountLabel`] = 'field.required';
    else if (accountLabel.length > 200) fields[`${at}.accountLabel`] = 'accounting.too_long';
    if (line.auxAccount != null && line.auxAccount !== '' && !AUX_RE.test(line.auxAccount)) fields[`${at}.auxAccount`] = 'accounting.aux_invalid';
    if (line.auxLabel != null && line.auxLabel.length > 200) fields[`${at}.auxLabel`] = 'accounting.too_long';
    if (line.label != null && line.label.length > 200) fields[`${at}.label`] = 'accounting.too_long';
    if (!isCents(line.debitCents)) fields[`${at}.debitCents`] = 'accounting.amount_invalid';
    else if (!isCents(line.creditCents)) fields[`${at}.creditCents`] = 'accounting.amount_invalid';
    else if ((line.debitCents > 0) === (line.creditCents > 0)) fields[`${at}.debitCents`] = 'accounting.debit_xor_credit';
    else {
      debit += line.debitCents;
      credit += line.creditCents;
    }
  });
  if (Object.keys(fields).some((k) => k.startsWith('lines.'))) {
    fields.lines ??= 'accounting.lines_invalid';
  } else if (debit !== credit || debit <= 0) {
    fields.lines = 'accounting.unbalanced';
  }
  return fields;
}

/** Posts a balanced entry under the journal's next number; throws invalid (422) otherwise. */
export async function postEntry(db: AccountingDb, actor: Actor, input: EntryInput): Promise<{ id: number; number: string }> {
  const fields = validateEntry(input, await q.closedThrough(db));
  if (Object.keys(fields).length) {
    const sums = Array.isArray(input.lines) ? sumLines(input.lines) : { debit: 0, credit: 0 };
    throw invalid(fields.lines === 'accounting.unbalanced' ? 'accounting.unbalanced' : 'common.invalid', fields, { debit: euros(sums.debit), credit: euros(sums.credit) });
  }
  const seq = await q.nextSeq(db, input.journal);
  if (seq === undefined) throw invalid('common.invalid', { journal: 'accounting.journal_unknown' });
  const number = `${input.journal}${String(seq).padStart(6, '0')}`;
  const total = sumLines(input.lines).debit;
  const now = nowIso();
  const entry = await db
    .insertInto('accounting_entries')
    .values({
      journal_code: input.journal,
      seq,
      number,
      entry_date: input.date,
      label: input.label.trim(),
      piece_ref: input.pieceRef.trim(),
      piece_date: input.pieceDate ?? input.date,
      source_module: input.source.module.trim(),
      source_id: String(input.source.id).trim(),
      reverses_id: input.reversesId ?? null,
      total_cents: total,
      created_by: actor.id,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('accounting_lines')
    .values(
      input.lines.map((l, i) => ({
        entry_id: entry.id,
        position: i + 1,
        account: l.account.trim(),
        account_label: l.accountLabel.trim(),
        aux_account: l.auxAccount?.trim() || null,
        aux_label: l.auxLabel?.trim() || null,
        label: l.label?.trim() || null,
        debit_cents: l.debitCents,
        credit_cents: l.creditCents,
      })),
    )
    .execute();
  await record(db, actor, {
    entity: 'accounting_entry',
    entityId: entry.id,
    action: input.reversesId ? 'reverse' : 'post',
    after: { number, journal: input.journal, date: input.date, label: input.label.trim(), pieceRef: input.pieceRef.trim(), totalCents: total, source: `${input.source.module}:${input.source.id}` },
  });
  return { id: entry.id, number };
}

export function sumLines(lines: readonly { debitCents: number; creditCents: number }[]): { debit: number; credit: number } {
  let debit = 0;
  let credit = 0;
  for (const l of lines) {
    debit += Number.isFinite(l.debitCents) ? l.debitCents : 0;
    credit += Number.isFinite(l.creditCents) ? l.creditCents : 0;
  }
  return { debit, credit };
}

/** 123456 → "1234,56" (messages). */
export function euros(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

export async function getEntry(db: AccountingDb, id: number): Promise<{ entry: Entry; lines: Line[]; reversal: Entry | undefined; reverses: Entry | undefined }> {
  const entry = await q.findEntry(db, id);
  if (!entry) throw notFound('accounting.entry_not_found');
  const [lines, reversal, reverses] = await Promise.all([
    q.linesOf(db, id),
    q.reversalOf(db, id),
    entry.reverses_id ? q.findEntry(db, entry.reverses_id) : Promise.resolve(undefined),
  ]);
  return { entry, lines, reversal, reverses };
}

/** The correction of a posted entry: the same lines with debit and credit swapped, in the same journal. */
export async function reverseEntry(db: AccountingDb, actor: Actor, id: number, date: string): Promise<{ id: number; number: string }> {
  assertCanManage(actor);
  const { entry, lines, reversal } = await getEntry(db, id);
  if (reversal) throw conflict('accounting.already_reversed', { number: reversal.number });
  if (entry.reverses_id) throw conflict('accounting.reversal_of_reversal');
  return postEntry(db, actor, {
    journal: entry.journal_code,
    date,
    label: `Extourne ${entry.number} ${entry.label}`.slice(0, 200),
    pieceRef: entry.piece_ref,
    pieceDate: entry.piece_date,
    source: { module: entry.source_module, id: entry.source_id },
    reversesId: entry.id,
    lines: lines.map((l) => ({
      account: l.account,
      accountLabel: l.account_label,
      auxAccount: l.aux_account,
      auxLabel: l.aux_label,
      label: l.label,
      debitCents: l.credit_cents,
      creditCents: l.debit_cents,
    })),
  });
}

/** Closes the books through a date: no entry may be posted on or before it afterwards. */
export async function closePeriod(db: AccountingDb, actor: Actor, through: string): Promise<void> {
  assertCanManage(actor);
  if (!isIsoDate(through)) throw invalid('common.invalid', { closedThrough: 'accounting.date_invalid' });
  const current = await q.closedThrough(db);
  if (current && through <= current) throw invalid('common.invalid', { closedThrough: 'accounting.closing_backwards' }, { date: current });
  const id = await q.insertClosing(db, through, actor.id, nowIso());
  await record(db, actor, { entity: 'accounting_closing', entityId: id, action: 'close', before: { closedThrough: current }, after: { closedThrough: through } });
}

export function entriesOfSource(db: AccountingDb, module: string, id: string): Promise<Entry[]> {
  return q.entriesFromSource(db, module, id);
}
