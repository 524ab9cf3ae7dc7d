// Kysely types of the apprenticeship-tax tables (migration 2026-12-07T0130-apprenticeship-core).
// Money in integer cents; headcounts in hundredths (an average annual headcount has decimals);
// percentages of the solde in basis points (60 % = 6,000).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';
import type { Regime } from './rules.js';

/** A dated rule set: which regime's code computes which years, with which rates (JSON). */
export interface RateSetsTable {
  id: Generated<number>;
  regime: Regime;
  from_year: number;
  to_year: number | null;
  rates: string;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

/** One campaign a year: allocations of the solde computed on `payroll_year`'s payroll. */
export interface CampaignsTable {
  id: Generated<number>;
  year: number;
  payroll_year: number;
  title: string;
  /** the registry's saved search whose companies are the campaign's targets */
  segment_id: number | null;
  targets_refreshed_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type Campaign = Selectable<CampaignsTable>;

/** SOLTéA's allocation windows of the campaign (dates are configuration: 2025 had two). */
export interface WindowsTable {
  id: Generated<number>;
  campaign_id: number;
  position: number;
  opens_on: string;
  closes_on: string;
}
export type CampaignWindow = Selectable<WindowsTable>;

/** The CCI's beneficiary establishments (schools, CFAs). */
export interface SchoolsTable {
  id: Generated<number>;
  name: string;
  siret: string;
  uai: string;
  trainings: string;
  contact_name: string;
  contact_email: string;
  contact_phone: string;
  active: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type School = Selectable<SchoolsTable>;

/** A school in a campaign, with its goal (cents of solde pledged). */
export interface CampaignSchoolsTable {
  campaign_id: number;
  school_id: number;
  goal_cents: number;
}

/** A company the campaign aims at (from the segment), with its adviser and first contact. */
export interface TargetsTable {
  id: Generated<number>;
  campaign_id: number;
  company_id: number;
  name: string;
  adviser_id: number | null;
  naf_section: string | null;
  department: string | null;
  contacted_at: string | null;
  contact_note: string | null;
}
export type Target = Selectable<TargetsTable>;

/** What a company declared for a campaign (payroll, headcounts) and the computed tax. */
export interface DeclarationsTable {
  id: Generated<number>;
  campaign_id: number;
  company_id: number;
  payroll_cents: number;
  employees100: number;
  work_study100: number;
  alsace_moselle: number;
  main_cents: number;
  solde_cents: number;
  csa_cents: number;
  source: 'form' | 'csv';
  confirmed_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type Declaration = Selectable<DeclarationsTable>;

/** The share of its solde a company intends to give a school (and, afterwards, gave). */
export interface PledgesTable {
  id: Generated<number>;
  campaign_id: number;
  company_id: number;
  school_id: number;
  pledged_bp: number;
  pledged_cents: number;
  confirmed_bp: number | null;
  confirmed_cents: number | null;
  created_at: string;
  updated_at: string;
}
export type Pledge = Selectable<PledgesTable>;

export const TEMPLATE_CODES = ['before_open', 'before_close'] as const;
export type TemplateCode = (typeof TEMPLATE_CODES)[number];

/** Reminder e-mails, editable by staff: placeholders {{entreprise}}, {{annee}}, {{date}}, {{lien}}. */
export interface TemplatesTable {
  code: TemplateCode;
  days_before: number;
  subject: string;
  body: string;
  updated_at: string;
  version: Generated<number>;
}
export type Template = Selectable<TemplatesTable>;

/** One reminder sent to one contact for one window and kind: the unique key makes sending once. */
export interface RemindersTable {
  id: Generated<number>;
  window_id: number;
  code: TemplateCode;
  contact_id: number;
  company_id: number;
  email: string;
  mail_id: number | null;
  sent_at: string;
}

/** A school director's access to their school's results (a per-school grant on a staff user). */
export interface SchoolGrantsTable {
  user_id: number;
  school_id: number;
  created_at: string;
}

export interface ApprenticeshipTables extends PlatformTables {
  apprenticeship_rate_sets: RateSetsTable;
  apprenticeship_campaigns: CampaignsTable;
  apprenticeship_windows: WindowsTable;
  apprenticeship_schools: SchoolsTable;
  apprenticeship_campaign_schools: CampaignSchoolsTable;
  apprenticeship_targets: TargetsTable;
  apprenticeship_declarations: DeclarationsTable;
  apprenticeship_pledges: PledgesTable;
  apprenticeship_templates: TemplatesTable;
  apprenticeship_reminders: RemindersTable;
  apprenticeship_school_grants: SchoolGrantsTable;
}

/** The apprenticeship module's database handle: its tables and the platform's. */
export type ApprenticeshipDb = ModuleDb<ApprenticeshipTables>;
