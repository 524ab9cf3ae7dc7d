// Kysely types of the statistics tables (migration 2026-12-07T0160-stats-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const AREAS = ['public', 'intranet', 'extranet'] as const;
export type Area = (typeof AREAS)[number];
export const EVENT_KINDS = ['view', 'not_found', 'search', 'sign_in'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type Device = 'mobile' | 'tablet' | 'desktop';
export type Period = 'hour' | 'day' | 'month';

export interface StatsEventsTable {
  id: Generated<number>;
  at: string;
  area: Area;
  kind: EventKind;
  path: string;
  visitor: string;
  entry: number;
  referrer: string | null;
  device: Device;
  term: string | null;
  results: number | null;
  company_id: number | null;
}
export type StatsEvent = Selectable<StatsEventsTable>;

export interface StatsSaltsTable {
  day: string;
  salt: string;
}

export interface StatsRollupsTable {
  id: Generated<number>;
  period: Period;
  bucket: string;
  area: Area;
  metric: string;
  dim: string;
  value: string;
  count: number;
}
export type Rollup = Selectable<StatsRollupsTable>;

export interface StatsStateTable {
  key: string;
  value: string;
}

export interface StatsSubscriptionsTable {
  user_id: number;
  created_at: string;
}

export interface StatsReportsTable {
  id: Generated<number>;
  month: string;
  html: string;
  pdf_base64: string;
  recipients: number;
  created_at: string;
}
export type Report = Selectable<StatsReportsTable>;

export interface StatsTables extends PlatformTables {
  stats_events: StatsEventsTable;
  stats_salts: StatsSaltsTable;
  stats_rollups: StatsRollupsTable;
  stats_state: StatsStateTable;
  stats_subscriptions: StatsSubscriptionsTable;
  stats_reports: StatsReportsTable;
}

/** The statistics module's database handle: its tables and the platform's. */
export type StatsDb = ModuleDb<StatsTables>;
