// Kysely types of the expenses tables (migration 2026-12-07T0110-expenses-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

/** Expense claim ("note de frais"): draft → submitted (manager, then accounting's check, in the engine) → checked → paid → posted. */
export const CLAIM_STATUSES = ['draft', 'submitted', 'changes_requested', 'checked', 'paid', 'posted', 'refused', 'withdrawn'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
/** Claims whose lines count (cumulative mileage, duplicates): everything sent and not refused or withdrawn. */
export const HOLDING_CLAIM: readonly ClaimStatus[] = ['submitted', 'changes_requested', 'checked', 'paid', 'posted'];

/** Spending request ("demande de dépenses"): filed and submitted at once, mirrors the engine's decision. */
export const SPENDING_STATUSES = ['pending', 'changes_requested', 'approved', 'refused', 'withdrawn'] as const;
export type SpendingStatus = (typeof SPENDING_STATUSES)[number];

export const CATEGORIES = ['meal_workplace', 'meal_travel', 'meal_restaurant', 'lodging_paris', 'lodging_other', 'train', 'taxi', 'parking', 'tolls', 'mileage', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Dated configuration: the ceilings of meals and lodging (cents) and the mileage scale (JSON). */
export const RATE_KINDS = ['meal_workplace', 'meal_travel', 'meal_restaurant', 'lodging_paris', 'lodging_other', 'mileage'] as const;
export type RateKind = (typeof RATE_KINDS)[number];

export interface ExpenseRatesTable {
  id: Generated<number>;
  kind: RateKind;
  /** YYYY-MM-DD: the rate applies to expenses dated on or after this day, until the next one */
  valid_from: string;
  /** ceilings: cents; null for the mileage scale */
  amount_cents: number | null;
  /** mileage: JSON MileageScale; null for ceilings */
  scale: string | null;
  note: string;
  created_by: number | null;
  created_at: string;
}
export type ExpenseRate = Selectable<ExpenseRatesTable>;

export interface ExpenseBudgetLinesTable {
  id: Generated<number>;
  code: string;
  label: string;
  /** yearly envelope, informative; null when none */
  budget_cents: number | null;
  active: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type BudgetLine = Selectable<ExpenseBudgetLinesTable>;

export interface ExpenseProfilesTable {
  user_id: number;
  /** normalised (upper case, no spaces); checked with accounting's isValidIban */
  iban: string;
  bic: string | null;
  vehicle_cv: number | null;
  vehicle_electric: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type ExpenseProfile = Selectable<ExpenseProfilesTable>;

export interface ExpenseClaimsTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  status: ClaimStatus;
  approval_id: number | null;
  /** who approved the manager's step: the one who ordered the spending (never the one who pays) */
  ordered_by: number | null;
  claimed_cents: number;
  refund_cents: number;
  payment_order_id: number | null;
  entry_id: number | null;
  entry_number: string | null;
  submitted_at: string | null;
  decided_at: string | null;
  paid_at: string | null;
  posted_at: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type Claim = Selectable<ExpenseClaimsTable>;
/** A claim with its owner's name and manager, as lists and pages read it. */
export type ClaimRow = Claim & { user_name: string; manager_id: number | null };

export interface ExpenseLinesTable {
  id: Generated<number>;
  claim_id: number;
  spent_on: string;
  category: Category;
  description: string;
  supplier: string;
  /** what the person paid (mileage: the computed allowance) */
  amount_cents: number;
  /** what is refunded: capped at the ceiling in force on the day */
  refund_cents: number;
  capped: number;
  ceiling_cents: number | null;
  distance_km: number | null;
  fiscal_cv: number | null;
  electric: number;
  /** mileage: the person's distance of the year before this line (claims sent before) */
  year_km_before: number | null;
  receipt_key: string | null;
  receipt_name: string | null;
  receipt_mime: string | null;
  receipt_size: number | null;
  /** SHA-256 of the file as sent (before any downscaling): duplicates are found by it */
  receipt_sha256: string | null;
  created_at: string;
}
export type ClaimLine = Selectable<ExpenseLinesTable>;

export interface ExpenseSpendingRequestsTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  amount_cents: number;
  budget_line_id: number;
  /** the registry's company when picked there; else null and the name typed */
  supplier_company_id: number | null;
  supplier_name: string;
  justification: string;
  status: SpendingStatus;
  approval_id: number | null;
  submitted_at: string | null;
  decided_at: string | null;
  reason: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type SpendingRequest = Selectable<ExpenseSpendingRequestsTable>;

export interface ExpenseQuotesTable {
  id: Generated<number>;
  spending_request_id: number;
  storage_key: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  created_at: string;
}
export type SpendingQuote = Selectable<ExpenseQuotesTable>;

export interface ExpensesTables extends PlatformTables {
  expense_rates: ExpenseRatesTable;
  expense_budget_lines: ExpenseBudgetLinesTable;
  expense_profiles: ExpenseProfilesTable;
  expense_claims: ExpenseClaimsTable;
  expense_lines: ExpenseLinesTable;
  expense_spending_requests: ExpenseSpendingRequestsTable;
  expense_quotes: ExpenseQuotesTable;
}
export type ExpensesDb = ModuleDb<ExpensesTables>;
