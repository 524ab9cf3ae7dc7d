// SQL of the steering module: (db, …) → rows. No rules here.
import type { SteeringDb, Scenario, Line, Milestone, Decision, ProjectRow } from './steering.table.js';

export type { ProjectRow };

export function listScenarios(db: SteeringDb): Promise<Scenario[]> {
  return db.selectFrom('steering_scenarios').selectAll().orderBy('position').orderBy('id').execute();
}
export function findScenario(db: SteeringDb, id: number): Promise<Scenario | undefined> {
  return db.selectFrom('steering_scenarios').selectAll().where('id', '=', id).executeTakeFirst();
}
export function findScenarioByName(db: SteeringDb, name: string): Promise<Scenario | undefined> {
  return db.selectFrom('steering_scenarios').selectAll().where('name', '=', name).executeTakeFirst();
}
export function linesOf(db: SteeringDb, scenarioIds: readonly number[]): Promise<Line[]> {
  if (scenarioIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('steering_lines').selectAll().where('scenario_id', 'in', scenarioIds).orderBy('position').orderBy('id').execute();
}
export function findLine(db: SteeringDb, id: number): Promise<Line | undefined> {
  return db.selectFrom('steering_lines').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function nextLinePosition(db: SteeringDb, scenarioId: number): Promise<number> {
  const row = await db.selectFrom('steering_lines').select((eb) => eb.fn.max('position').as('p')).where('scenario_id', '=', scenarioId).executeTakeFirst();
  return Number(row?.p ?? 0) + 1;
}
export async function nextScenarioPosition(db: SteeringDb): Promise<number> {
  const row = await db.selectFrom('steering_scenarios').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  return Number(row?.p ?? 0) + 1;
}

export function listProjects(db: SteeringDb): Promise<ProjectRow[]> {
  return db
    .selectFrom('steering_projects as p')
    .leftJoin('users as u', 'u.id', 'p.owner_id')
    .selectAll('p')
    .select('u.name as owner_name')
    .orderBy('p.start_date')
    .orderBy('p.id')
    .execute();
}
export function findProject(db: SteeringDb, id: number): Promise<ProjectRow | undefined> {
  return db
    .selectFrom('steering_projects as p')
    .leftJoin('users as u', 'u.id', 'p.owner_id')
    .selectAll('p')
    .select('u.name as owner_name')
    .where('p.id', '=', id)
    .executeTakeFirst();
}
export function listDependencies(db: SteeringDb): Promise<{ project_id: number; depends_on_id: number }[]> {
  return db.selectFrom('steering_dependencies').selectAll().execute();
}
export function listMilestones(db: SteeringDb, projectIds?: readonly number[]): Promise<Milestone[]> {
  let q = db.selectFrom('steering_milestones').selectAll().orderBy('due_date').orderBy('id');
  if (projectIds) {
    if (projectIds.length === 0) return Promise.resolve([]);
    q = q.where('project_id', 'in', projectIds);
  }
  return q.execute();
}
export function listDecisions(db: SteeringDb): Promise<(Decision & { author: string | null })[]> {
  return db
    .selectFrom('steering_decisions as d')
    .leftJoin('users as u', 'u.id', 'd.created_by')
    .selectAll('d')
    .select('u.name as author')
    .orderBy('d.decided_on', 'desc')
    .orderBy('d.id', 'desc')
    .execute();
}
/** Staff who may own a project (a choice list). */
export function listOwners(db: SteeringDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
}
