// Kysely types of the steering tables (migration 2026-12-07T0165-steering-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const LINE_KINDS = ['investment', 'running', 'gain'] as const;
export type LineKind = (typeof LINE_KINDS)[number];
export const PROJECT_STATUSES = ['planned', 'running', 'done', 'stopped'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export interface SteeringScenariosTable {
  id: Generated<number>;
  name: string;
  description: string;
  historic: number;
  position: number;
  stated_investment_cents: number | null;
  stated_running_cents: number | null;
  stated_gain_cents: number | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type Scenario = Selectable<SteeringScenariosTable>;

export interface SteeringLinesTable {
  id: Generated<number>;
  scenario_id: number;
  label: string;
  kind: LineKind;
  category: string;
  amount_cents: number;
  francs: number | null;
  project_id: number | null;
  position: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type Line = Selectable<SteeringLinesTable>;

export interface SteeringProjectsTable {
  id: Generated<number>;
  name: string;
  owner_id: number | null;
  phase: string;
  status: ProjectStatus;
  start_date: string;
  end_date: string;
  budget_planned_cents: number;
  budget_consumed_cents: number;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type Project = Selectable<SteeringProjectsTable>;
/** A project with its owner's name. */
export type ProjectRow = Project & { owner_name: string | null };

export interface SteeringDependenciesTable {
  project_id: number;
  depends_on_id: number;
}

export interface SteeringMilestonesTable {
  id: Generated<number>;
  project_id: number;
  label: string;
  due_date: string;
  done: number;
  created_at: string;
}
export type Milestone = Selectable<SteeringMilestonesTable>;

export interface SteeringDecisionsTable {
  id: Generated<number>;
  decided_on: string;
  title: string;
  body: string;
  scenario_id: number | null;
  project_id: number | null;
  created_by: number | null;
  created_at: string;
}
export type Decision = Selectable<SteeringDecisionsTable>;

export interface SteeringTables extends PlatformTables {
  steering_scenarios: SteeringScenariosTable;
  steering_lines: SteeringLinesTable;
  steering_projects: SteeringProjectsTable;
  steering_dependencies: SteeringDependenciesTable;
  steering_milestones: SteeringMilestonesTable;
  steering_decisions: SteeringDecisionsTable;
}

/** The steering module's database handle: its tables and the platform's. */
export type SteeringDb = ModuleDb<SteeringTables>;
