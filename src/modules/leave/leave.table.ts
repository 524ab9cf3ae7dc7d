// Kysely types of the leave tables (migration 2026-12-06T2310-leave-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';
import type { HolidayCalendar } from './holidays.js';
import type { Half, LeaveUnit } from './counting.js';

/** Mirrors the approval request's status; `recorded` is a sickness absence HR entered (no approval). */
export const LEAVE_STATUSES = ['pending', 'changes_requested', 'approved', 'refused', 'withdrawn', 'cancellation_pending', 'cancelled', 'recorded'] as const;
export type LeaveStatus = (typeof LEAVE_STATUSES)[number];
/** Statuses that hold days (against the balance) and dates (against overlaps). */
export const HOLDING: readonly LeaveStatus[] = ['pending', 'changes_requested', 'approved', 'cancellation_pending', 'recorded'];
/** Of those, the ones already taken (the others are pending). */
export const TAKEN: readonly LeaveStatus[] = ['approved', 'cancellation_pending', 'recorded'];

export interface LeaveKindsTable {
  id: Generated<number>;
  code: string;
  name_fr: string;
  name_en: string;
  hr_only: number;
  has_balance: number;
  allow_negative: number;
  past_days_allowed: number;
  period_start_month: number;
  position: number;
  active: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type LeaveKind = Selectable<LeaveKindsTable>;

export interface LeaveGroupsTable {
  id: Generated<number>;
  name: string;
  unit: LeaveUnit;
  calendar: HolidayCalendar;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type LeaveGroup = Selectable<LeaveGroupsTable>;

export interface LeaveAccrualsTable {
  id: Generated<number>;
  group_id: number;
  kind_id: number;
  valid_from: string;
  per_month: number;
  carry_over_max: number | null;
  created_by: number | null;
  created_at: string;
}
export type LeaveAccrual = Selectable<LeaveAccrualsTable>;

export interface LeaveMembersTable {
  user_id: number;
  group_id: number;
  non_working_days: string;
  starts_on: string;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type LeaveMember = Selectable<LeaveMembersTable>;

export interface LeaveRequestsTable {
  id: Generated<number>;
  user_id: number;
  kind_id: number;
  start_date: string;
  start_half: Half | null;
  end_date: string;
  end_half: Half | null;
  days: number;
  period_start: string;
  status: LeaveStatus;
  comment: string;
  approval_id: number | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type LeaveRequest = Selectable<LeaveRequestsTable>;

export interface LeaveAdjustmentsTable {
  id: Generated<number>;
  user_id: number;
  kind_id: number;
  period_start: string;
  days: number;
  reason: string;
  created_by: number | null;
  created_at: string;
}
export type LeaveAdjustment = Selectable<LeaveAdjustmentsTable>;

export interface LeaveTables extends PlatformTables {
  leave_kinds: LeaveKindsTable;
  leave_groups: LeaveGroupsTable;
  leave_accruals: LeaveAccrualsTable;
  leave_members: LeaveMembersTable;
  leave_requests: LeaveRequestsTable;
  leave_adjustments: LeaveAdjustmentsTable;
}

/** The leave module's database handle: its tables and the platform's. */
export type LeaveDb = ModuleDb<LeaveTables>;
