// The manual OD entry of the accounting pages: the form as typed (euros with a comma, blank
// rows), checked against the chart of accounts, posted through postEntry. Field errors come
// back under the form's names (account_2, debit_2…) so the form shows each next to its input.
import type { Actor } from '../../platform/audit/audit.js';
import { invalid, isAppError, type FieldErrors } from '../../platform/errors.js';
import type { AccountingDb } from './accounting.table.js';
import * as q from './entries.queries.js';
import { postEntry, type EntryLineInput } from './entries.service.js';
import { assertCanManage } from './policy.js';

export const MANUAL_ROWS = 6;

export interface ManualLineForm {
  account: string;
  label: string;
  debit: string;
  credit: string;
}
export interface ManualEntryForm {
  date: string;
  label: string;
  pieceRef: string;
  lines: ManualLineForm[];
}

/** "1 234,56" / "1234.5" / "" → cents; undefined when it is not an amount. */
export function parseEuros(text: string): number | undefined {
  const v = text.replace(/[\s\u00a0\u202f]/g, '');
  if (v === '') return 0;
  const m = /^(\d{1,11})(?:[.,](\d{1,2}))?$/.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const FIELD_OF: Record<string, string> = { account: 'account', accountLabel: 'account', debitCents: 'debit', creditCents: 'credit', label: 'line_label' };

export async function postManualEntry(db: AccountingDb, actor: Actor, form: ManualEntryForm): Promise<{ id: number; number: string }> {
  assertCanManage(actor);
  const fields: FieldErrors = {};
  const rows: number[] = [];
  const lines: EntryLineInput[] = [];
  for (const [i, l] of form.lines.entries()) {
    if (!l.account.trim() && !l.debit.trim() && !l.credit.trim() && !l.label.trim()) continue;
    const debit = parseEuros(l.debit);
    const credit = parseEuros(l.credit);
    if (debit === undefined) fields[`debit_${i}`] = 'accounting.amount_invalid';
    if (credit === undefined) fields[`credit_${i}`] = 'accounting.amount_invalid';
    const account = await q.findAccount(db, l.account.trim());
    if (!account) fields[`account_${i}`] = 'accounting.account_unknown';
    rows.push(i);
    lines.push({ account: l.account.trim(), accountLabel: account?.label ?? '', label: l.label.trim() || null, debitCents: debit ?? 0, creditCents: credit ?? 0 });
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  try {
    return await postEntry(db, actor, { journal: 'OD', date: form.date, label: form.label, pieceRef: form.pieceRef, source: { module: 'accounting', id: 'manuel' }, lines });
  } catch (e) {
    if (!isAppError(e) || e.kind !== 'invalid') throw e;
    const mapped: FieldErrors = {};
    for (const [k, v] of Object.entries(e.fields)) {
      const m = /^lines\.(\d+)\.(\w+)$/.exec(k);
      if (m) mapped[`${FIELD_OF[m[2]] ?? 'debit'}_${rows[Number(m[1])]}`] = v;
      else mapped[k] = v;
    }
    throw invalid(e.code, mapped, e.params);
  }
}
