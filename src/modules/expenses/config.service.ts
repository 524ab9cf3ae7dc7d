// Configuration of expenses: budget lines, dated rates (meal and lodging ceilings, the mileage
// scale), and each staff member's expenses profile (IBAN for refunds, car for mileage).
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { isValidBic, isValidIban, normaliseIban } from '../accounting/index.js';
import * as q from './expenses.queries.js';
import { RATE_KINDS, type ExpensesDb, type ExpenseRate, type RateKind } from './expenses.table.js';
import { assertAdmin, assertWrite } from './policy.js';
import { parseEuros, parseScale, parseScaleLines, rateOn, type MileageScale } from './rules.js';

const fail = (fields: FieldErrors) => {
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
};
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
export { isDay };

// ——— budget lines

export async function createBudgetLine(db: ExpensesDb, actor: Actor, input: { code: string; label: string; budget: string }) {
  assertAdmin(actor);
  const fields: FieldErrors = {};
  const code = input.code.trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9_.-]{1,19}$/.test(code)) fields.code = 'expenses.budget.code_invalid';
  else if (await q.findBudgetLineByCode(db, code)) fields.code = 'expenses.budget.code_taken';
  const label = input.label.trim();
  if (!label) fields.label = 'field.required';
  const budget = input.budget.trim() === '' ? null : parseEuros(input.budget);
  if (budget !== null && (!Number.isFinite(budget) || budget <= 0)) fields.budget = 'expenses.amount_invalid';
  fail(fields);
  const now = nowIso();
  const row = await db.insertInto('expense_budget_lines').values({ code, label: label.slice(0, 200), budget_cents: budget, active: 1, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'expense_budget_line', entityId: row.id, action: 'create', after: { code, label: row.label, budget_cents: budget } });
  return row;
}

export async function setBudgetLineActive(db: ExpensesDb, actor: Actor, id: number, active: boolean) {
  assertAdmin(actor);
  const row = await q.findBudgetLine(db, id);
  if (!row) throw notFound('expenses.budget.not_found');
  if (Boolean(row.active) === active) return row;
  await db.updateTable('expense_budget_lines').set((eb) => ({ active: active ? 1 : 0, updated_at: nowIso(), version: eb('version', '+', 1) })).where('id', '=', id).execute();
  await record(db, actor, { entity: 'expense_budget_line', entityId: id, action: active ? 'activate' : 'deactivate', before: { active: row.active }, after: { active: active ? 1 : 0 } });
  return { ...row, active: active ? 1 : 0 };
}

// ——— rates

export function isRateKind(v: string): v is RateKind {
  return (RATE_KINDS as readonly string[]).includes(v);
}

/** A new dated rate: a ceiling in euros, or the mileage scale as text lines (see parseScaleLines). */
export async function addRate(db: ExpensesDb, actor: Actor, input: { kind: string; valid_from: string; amount: string; scale: string; bonus: string; note: string }) {
  assertAdmin(actor);
  const fields: FieldErrors = {};
  if (!isRateKind(input.kind)) fields.kind = 'expenses.rates.kind_invalid';
  if (!isDay(input.valid_from)) fields.valid_from = 'expenses.date_invalid';
  let amount: number | null = null;
  let scale: MileageScale | null = null;
  if (input.kind === 'mileage') {
    const bonus = input.bonus.trim() === '' ? 20 : Number(input.bonus.trim());
    const parsed = parseScaleLines(input.scale, bonus);
    if ('error' in parsed) fields[parsed.error === 'expenses.rates.bonus_invalid' ? 'bonus' : 'scale'] = parsed.error;
    else scale = parsed;
  } else if (!fields.kind) {
    amount = parseEuros(input.amount);
    if (!Number.isFinite(amount) || amount <= 0) fields.amount = 'expenses.amount_invalid';
  }
  if (!fields.kind && !fields.valid_from && (await q.findRate(db, input.kind as RateKind, input.valid_from))) fields.valid_from = 'expenses.rates.exists';
  fail(fields);
  const row = await db
    .insertInto('expense_rates')
    .values({ kind: input.kind as RateKind, valid_from: input.valid_from, amount_cents: amount, scale: scale ? JSON.stringify(scale) : null, note: input.note.trim().slice(0, 300), created_by: actor.id, created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'expense_rate', entityId: row.id, action: 'create', after: { kind: row.kind, valid_from: row.valid_from, amount_cents: amount, scale } });
  return row;
}

/** The rates in force on a day (ceilings in cents, the mileage scale). */
export interface RatesOn {
  ceilings: Partial<Record<RateKind, number>>;
  scale: MileageScale | undefined;
}

export function ratesOn(all: ExpenseRate[], day: string): RatesOn {
  const ceilings: Partial<Record<RateKind, number>> = {};
  for (const kind of RATE_KINDS) {
    const r = rateOn(all.filter((x) => x.kind === kind), day);
    if (r && kind !== 'mileage' && r.amount_cents !== null) ceilings[kind] = r.amount_cents;
  }
  return { ceilings, scale: parseScale(rateOn(all.filter((x) => x.kind === 'mileage'), day)?.scale ?? null) };
}

// ——— profile

export async function saveProfile(db: ExpensesDb, actor: Actor, input: { iban: string; bic: string; vehicle_cv: string; vehicle_electric: boolean }) {
  assertWrite(actor);
  const userId = actor.id!;
  const fields: FieldErrors = {};
  const iban = normaliseIban(input.iban);
  if (!iban) fields.iban = 'field.required';
  else if (!isValidIban(iban)) fields.iban = 'expenses.iban_invalid';
  const bic = input.bic.replace(/\s+/g, '').toUpperCase();
  if (bic && !isValidBic(bic)) fields.bic = 'expenses.bic_invalid';
  const cv = input.vehicle_cv.trim() === '' ? null : /^\d{1,2}$/.test(input.vehicle_cv.trim()) ? Number(input.vehicle_cv.trim()) : NaN;
  if (cv !== null && (!Number.isInteger(cv) || cv < 1 || cv > 50)) fields.vehicle_cv = 'expenses.cv_invalid';
  fail(fields);
  const now = nowIso();
  const before = await q.findProfile(db, userId);
  const values = { iban, bic: bic || null, vehicle_cv: cv, vehicle_electric: input.vehicle_electric ? 1 : 0 };
  if (before) await db.updateTable('expense_profiles').set((eb) => ({ ...values, updated_at: now, version: eb('version', '+', 1) })).where('user_id', '=', userId).execute();
  else await db.insertInto('expense_profiles').values({ user_id: userId, ...values, created_at: now, updated_at: now }).execute();
  // The IBAN is personal data: the audit keeps its last four characters only.
  const masked = (p: { iban: string; bic: string | null; vehicle_cv: number | null; vehicle_electric: number }) => ({ iban: `…${p.iban.slice(-4)}`, bic: p.bic, vehicle_cv: p.vehicle_cv, vehicle_electric: p.vehicle_electric });
  await record(db, actor, { entity: 'expense_profile', entityId: userId, action: before ? 'update' : 'create', before: before ? masked(before) : null, after: masked(values) });
  return (await q.findProfile(db, userId))!;
}
