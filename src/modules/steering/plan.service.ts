// The action plan: projects (owner, phase, dates, status, budget planned vs consumed), their
// milestones and dependencies, and the steering committee's dated decisions.
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { assertCanManage } from './policy.js';
import { parseAmount } from './scenario.service.js';
import * as q from './steering.queries.js';
import { PROJECT_STATUSES, type Decision, type Milestone, type Project, type ProjectStatus, type SteeringDb } from './steering.table.js';

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const isDate = (v: string) => ISO_DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const isStatus = (v: string): v is ProjectStatus => (PROJECT_STATUSES as readonly string[]).includes(v);

export interface PlanView {
  projects: q.ProjectRow[];
  milestones: Milestone[];
  dependencies: { project_id: number; depends_on_id: number }[];
}

export async function planView(db: SteeringDb): Promise<PlanView> {
  const [projects, milestones, dependencies] = await Promise.all([q.listProjects(db), q.listMilestones(db), q.listDependencies(db)]);
  return { projects, milestones, dependencies };
}

export async function getProject(db: SteeringDb, id: number): Promise<{ project: q.ProjectRow; milestones: Milestone[]; dependsOn: q.ProjectRow[] }> {
  const project = await q.findProject(db, id);
  if (!project) throw notFound('steering.not_found');
  const [milestones, deps, all] = await Promise.all([q.listMilestones(db, [id]), q.listDependencies(db), q.listProjects(db)]);
  const ids = new Set(deps.filter((d) => d.project_id === id).map((d) => d.depends_on_id));
  return { project, milestones, dependsOn: all.filter((p) => ids.has(p.id)) };
}

export interface ProjectInput {
  name: string;
  owner: string;
  phase: string;
  status: string;
  start: string;
  end: string;
  planned: string;
  consumed: string;
  dependsOn: string[];
}

export async function createProject(db: SteeringDb, actor: Actor, input: ProjectInput): Promise<Project> {
  assertCanManage(actor);
  const fields: FieldErrors = {};
  const name = input.name.trim();
  if (!name) fields.name = 'field.required';
  if (!isStatus(input.status)) fields.status = 'steering.status_invalid';
  if (!isDate(input.start)) fields.start = 'steering.date_invalid';
  if (!isDate(input.end)) fields.end = 'steering.date_invalid';
  else if (isDate(input.start) && input.end < input.start) fields.end = 'steering.end_before_start';
  const planned = input.planned.trim() ? parseAmount(input.planned) : 0;
  if (planned === undefined || planned < 0) fields.planned = 'steering.amount_invalid';
  const consumed = input.consumed.trim() ? parseAmount(input.consumed) : 0;
  if (consumed === undefined || consumed < 0) fields.consumed = 'steering.amount_invalid';
  let ownerId: number | null = null;
  if (input.owner.trim()) {
    const id = Number(input.owner);
    const owners = await q.listOwners(db);
    if (!Number.isInteger(id) || !owners.some((o) => o.id === id)) fields.owner = 'steering.owner_invalid';
    else ownerId = id;
  }
  const all = await q.listProjects(db);
  const deps = [...new Set(input.dependsOn.filter((v) => v.trim()).map(Number))];
  if (deps.some((d) => !all.some((p) => p.id === d))) fields.dependsOn = 'steering.project_invalid';
  if (Object.keys(fields).length || !isStatus(input.status) || planned === undefined || consumed === undefined) throw invalid('common.invalid', fields);
  const now = nowIso();
  const row = await db
    .insertInto('steering_projects')
    .values({ name, owner_id: ownerId, phase: input.phase.trim(), status: input.status, start_date: input.start, end_date: input.end, budget_planned_cents: planned, budget_consumed_cents: consumed, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const d of deps) await db.insertInto('steering_dependencies').values({ project_id: row.id, depends_on_id: d }).execute();
  await record(db, actor, { entity: 'steering_project', entityId: row.id, action: 'create', after: { name, owner_id: ownerId, status: input.status, start_date: input.start, end_date: input.end, budget_planned_cents: planned, budget_consumed_cents: consumed, depends_on: deps } });
  return row;
}

export async function updateProgress(db: SteeringDb, actor: Actor, id: number, input: { status: string; consumed: string; version: string }): Promise<void> {
  assertCanManage(actor);
  const before = await q.findProject(db, id);
  if (!before) throw notFound('steering.not_found');
  const fields: FieldErrors = {};
  if (!isStatus(input.status)) fields.status = 'steering.status_invalid';
  const consumed = parseAmount(input.consumed);
  if (consumed === undefined || consumed < 0) fields.consumed = 'steering.amount_invalid';
  if (Object.keys(fields).length || !isStatus(input.status) || consumed === undefined) throw invalid('common.invalid', fields);
  await updateWithVersion(db, 'steering_projects', id, Number(input.version), { status: input.status, budget_consumed_cents: consumed });
  await record(db, actor, { entity: 'steering_project', entityId: id, action: 'update', before: { status: before.status, budget_consumed_cents: before.budget_consumed_cents }, after: { status: input.status, budget_consumed_cents: consumed } });
}

export async function addMilestone(db: SteeringDb, actor: Actor, projectId: number, input: { label: string; due: string }): Promise<Milestone> {
  assertCanManage(actor);
  if (!(await q.findProject(db, projectId))) throw notFound('steering.not_found');
  const fields: FieldErrors = {};
  const label = input.label.trim();
  if (!label) fields.label = 'field.required';
  if (!isDate(input.due)) fields.due = 'steering.date_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const row = await db.insertInto('steering_milestones').values({ project_id: projectId, label, due_date: input.due, done: 0, created_at: nowIso() }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'steering_milestone', entityId: row.id, action: 'create', after: { project_id: projectId, label, due_date: input.due } });
  return row;
}

export async function recordDecision(db: SteeringDb, actor: Actor, input: { date: string; title: string; body: string; scenario: string; project: string }): Promise<Decision> {
  assertCanManage(actor);
  const fields: FieldErrors = {};
  const title = input.title.trim();
  if (!title) fields.title = 'field.required';
  if (!isDate(input.date)) fields.date = 'steering.date_invalid';
  let scenarioId: number | null = null;
  if (input.scenario.trim()) {
    const id = Number(input.scenario);
    if (!Number.isInteger(id) || !(await q.findScenario(db, id))) fields.scenario = 'steering.scenario_invalid';
    else scenarioId = id;
  }
  let projectId: number | null = null;
  if (input.project.trim()) {
    const id = Number(input.project);
    if (!Number.isInteger(id) || !(await q.findProject(db, id))) fields.project = 'steering.project_invalid';
    else projectId = id;
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const row = await db
    .insertInto('steering_decisions')
    .values({ decided_on: input.date, title, body: input.body.trim(), scenario_id: scenarioId, project_id: projectId, created_by: actor.id, created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'steering_decision', entityId: row.id, action: 'create', after: { decided_on: input.date, title, scenario_id: scenarioId, project_id: projectId } });
  return row;
}
