// Kysely table types of the CRM's own tables (migration …-crm-core.ts).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

interface RecordColumns {
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

/** What staff chose to show the company on its extranet (migration …-crm-sharing.ts). */
interface SharingColumns {
  shared_with_company: Generated<number>;
  /** the member-facing wording, never the internal title */
  member_title: Generated<string>;
  member_summary: Generated<string>;
}

export interface TopicsTable extends RecordColumns {
  id: Generated<number>;
  code: string;
  label: string;
  position: number;
  active: number;
}
export type TopicRow = Selectable<TopicsTable>;

export interface ServicesTable extends RecordColumns {
  id: Generated<number>;
  name: string;
  family: string;
  unit_price_cents: number;
  active: number;
}
export type ServiceRow = Selectable<ServicesTable>;

export type StageKind = 'open' | 'won' | 'lost';
export interface StagesTable extends RecordColumns {
  id: Generated<number>;
  code: string;
  label: string;
  position: number;
  kind: StageKind;
  probability: number;
  active: number;
}
export type StageRow = Selectable<StagesTable>;

export interface VisitsTable extends RecordColumns, SharingColumns {
  id: Generated<number>;
  client_id: string | null;
  company_id: number;
  owner_id: number;
  visit_date: string;
  topics: string;
  notes: string;
  needs: string;
  confidential_notes: string;
}
export type VisitRow = Selectable<VisitsTable>;

export interface VisitParticipantsTable {
  visit_id: number;
  contact_id: number;
}

export interface DealsTable extends RecordColumns, SharingColumns {
  id: Generated<number>;
  company_id: number;
  owner_id: number;
  service_id: number | null;
  stage_id: number;
  title: string;
  amount_cents: number;
  probability: number;
  expected_close_date: string | null;
  closed_on: string | null;
  lost_reason: string | null;
  notes: string;
  confidential_notes: string;
  /** who wrote the confidential notes (they and crm:confidential read them) */
  confidential_author_id: number | null;
  amount_shared_with_company: Generated<number>;
}
export type DealRow = Selectable<DealsTable>;

export interface DealContactsTable {
  deal_id: number;
  contact_id: number;
}

export interface DealStageHistoryTable {
  id: Generated<number>;
  deal_id: number;
  from_stage_id: number | null;
  to_stage_id: number;
  changed_by: number | null;
  changed_at: string;
  lost_reason: string | null;
}
export type StageChangeRow = Selectable<DealStageHistoryTable>;

export interface TasksTable extends RecordColumns, SharingColumns {
  id: Generated<number>;
  owner_id: number;
  created_by: number | null;
  company_id: number | null;
  visit_id: number | null;
  deal_id: number | null;
  title: string;
  due_date: string;
  done_at: string | null;
}
export type TaskRow = Selectable<TasksTable>;

export interface NotesTable extends RecordColumns {
  id: Generated<number>;
  company_id: number;
  author_id: number;
  body: string;
  confidential: number;
}
export type NoteRow = Selectable<NotesTable>;

export interface PortfolioTable {
  company_id: number;
  adviser_id: number;
  assigned_by: number | null;
  assigned_at: string;
}

export interface CalendarTokensTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface CrmTables extends PlatformTables {
  crm_topics: TopicsTable;
  crm_services: ServicesTable;
  crm_stages: StagesTable;
  crm_visits: VisitsTable;
  crm_visit_participants: VisitParticipantsTable;
  crm_deals: DealsTable;
  crm_deal_contacts: DealContactsTable;
  crm_deal_stage_history: DealStageHistoryTable;
  crm_tasks: TasksTable;
  crm_notes: NotesTable;
  crm_portfolio: PortfolioTable;
  crm_calendar_tokens: CalendarTokensTable;
}

/** The CRM's handle: its tables and the platform's (users, audit…). */
export type CrmDb = ModuleDb<CrmTables>;
