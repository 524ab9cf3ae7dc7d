// Tables of the approval engine (migration 2026-12-06T2300-approvals-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const STATUSES = ['draft', 'pending', 'changes_requested', 'approved', 'refused', 'withdrawn', 'cancellation_pending', 'cancelled'] as const;
export type RequestStatus = (typeof STATUSES)[number];

export interface ApprovalTypesTable {
  id: Generated<number>;
  code: string;
  /** 'approvals' for a type defined by an administrator, else the owning module (leave…) */
  owner: string;
  current_version_id: number | null;
  active: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type ApprovalTypeRow = Selectable<ApprovalTypesTable>;

/** Immutable: editing a type inserts a new row. */
export interface ApprovalTypeVersionsTable {
  id: Generated<number>;
  type_id: number;
  number: number;
  name_fr: string;
  name_en: string;
  /** JSON TypeDefinition: fields, steps, options */
  definition: string;
  created_by: number | null;
  created_at: string;
}
export type ApprovalTypeVersionRow = Selectable<ApprovalTypeVersionsTable>;

export interface ApprovalRequestsTable {
  id: Generated<number>;
  type_id: number;
  type_version_id: number;
  requester_id: number;
  owner_ref: string | null;
  title: string;
  /** link to the owner's own page of the record (system types) */
  href: string | null;
  /** JSON of the field values (admin types) or the values the owner gives conditions */
  payload: string;
  status: RequestStatus;
  /** 'approval' or 'cancellation': which route the pending steps belong to */
  phase: 'approval' | 'cancellation';
  /** index into the version's steps of the pending step; null when no step is open */
  step_index: number | null;
  /** increments at each (re)submission: assignments and history of a round stay apart */
  round: number;
  step_opened_at: string | null;
  reminded_at: string | null;
  escalated_at: string | null;
  submitted_at: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type ApprovalRequestRow = Selectable<ApprovalRequestsTable>;

/** One approver's seat on one step of one round; a replacement closes the seat and opens another on the same slot. */
export interface ApprovalAssignmentsTable {
  id: Generated<number>;
  request_id: number;
  round: number;
  phase: 'approval' | 'cancellation';
  step_index: number;
  slot: number;
  approver_id: number;
  /** why this person: 'step', 'deputy', 'level_up' (self, duty or nobody), 'escalation' */
  reason: string;
  /** who the seat was meant for, when someone else holds it */
  replaces_id: number | null;
  state: 'open' | 'approved' | 'refused' | 'sent_back' | 'replaced' | 'closed';
  decided_at: string | null;
  created_at: string;
}
export type ApprovalAssignmentRow = Selectable<ApprovalAssignmentsTable>;

export interface ApprovalHistoryTable {
  id: Generated<number>;
  request_id: number;
  at: string;
  actor_id: number | null;
  actor_label: string;
  action: string;
  comment: string | null;
  type_version_id: number;
  step_index: number | null;
  from_status: string | null;
  to_status: string;
}
export type ApprovalHistoryRow = Selectable<ApprovalHistoryTable>;

export interface ApprovalAbsencesTable {
  id: Generated<number>;
  user_id: number;
  from_date: string;
  to_date: string;
  reason: string;
  /** who recorded it: 'leave:12', 'manual'… (clearAbsence removes by source) */
  source: string;
  created_at: string;
}

export interface ApprovalDeputiesTable {
  user_id: number;
  deputy_id: number;
  updated_at: string;
}

export interface ApprovalsTables extends PlatformTables {
  approval_types: ApprovalTypesTable;
  approval_type_versions: ApprovalTypeVersionsTable;
  approval_requests: ApprovalRequestsTable;
  approval_assignments: ApprovalAssignmentsTable;
  approval_history: ApprovalHistoryTable;
  approval_absences: ApprovalAbsencesTable;
  approval_deputies: ApprovalDeputiesTable;
}
export type ApprovalsDb = ModuleDb<ApprovalsTables>;
