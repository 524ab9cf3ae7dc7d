// Scenarios and their costed lines. Totals are never stored: figuresOf() computes them from the
// lines each time; a stated total is kept only to be compared (and flagged).
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { figuresOf, francsToCents, type Figures } from './figures.js';
import { assertCanManage } from './policy.js';
import * as q from './steering.queries.js';
import { LINE_KINDS, type Line, type LineKind, type Scenario, type SteeringDb } from './steering.table.js';

export interface ScenarioView {
  scenario: Scenario;
  lines: Line[];
  figures: Figures;
}

function view(scenario: Scenario, lines: Line[]): ScenarioView {
  return {
    scenario,
    lines,
    figures: figuresOf(lines, { investment: scenario.stated_investment_cents, running: scenario.stated_running_cents, gain: scenario.stated_gain_cents }),
  };
}

export async function listScenarioViews(db: SteeringDb): Promise<ScenarioView[]> {
  const scenarios = await q.listScenarios(db);
  const lines = await q.linesOf(db, scenarios.map((s) => s.id));
  return scenarios.map((s) => view(s, lines.filter((l) => l.scenario_id === s.id)));
}

export async function getScenarioView(db: SteeringDb, id: number): Promise<ScenarioView> {
  const s = await q.findScenario(db, id);
  if (!s) throw notFound('steering.not_found');
  return view(s, await q.linesOf(db, [id]));
}

/** "1 234,56" / "1234.56" / "1 234" → cents; undefined when not an amount. */
export function parseAmount(input: string): number | undefined {
  const s = input.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^-?\d{1,12}(\.\d{1,2})?$/.test(s)) return undefined;
  return Math.round(Number(s) * 100);
}

export interface ScenarioInput {
  name: string;
  description: string;
  statedInvestment: string;
  statedRunning: string;
  statedGain: string;
}

export async function createScenario(db: SteeringDb, actor: Actor, input: ScenarioInput): Promise<Scenario> {
  assertCanManage(actor);
  const fields: FieldErrors = {};
  const name = input.name.trim();
  if (!name) fields.name = 'field.required';
  else if (await q.findScenarioByName(db, name)) fields.name = 'steering.name_taken';
  const stated = (v: string, field: string): number | null => {
    if (!v.trim()) return null;
    const c = parseAmount(v);
    if (c === undefined || c < 0) {
      fields[field] = 'steering.amount_invalid';
      return null;
    }
    return c;
  };
  const si = stated(input.statedInvestment, 'statedInvestment');
  const sr = stated(input.statedRunning, 'statedRunning');
  const sg = stated(input.statedGain, 'statedGain');
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const now = nowIso();
  const row = await db
    .insertInto('steering_scenarios')
    .values({ name, description: input.description.trim(), historic: 0, position: await q.nextScenarioPosition(db), stated_investment_cents: si, stated_running_cents: sr, stated_gain_cents: sg, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'steering_scenario', entityId: row.id, action: 'create', after: { name, stated_investment_cents: si, stated_running_cents: sr, stated_gain_cents: sg } });
  return row;
}

export interface LineInput {
  label: string;
  kind: string;
  category: string;
  amount: string;
  project: string;
}

function isKind(v: string): v is LineKind {
  return (LINE_KINDS as readonly string[]).includes(v);
}

export async function addLine(db: SteeringDb, actor: Actor, scenarioId: number, input: LineInput): Promise<Line> {
  assertCanManage(actor);
  const scenario = await q.findScenario(db, scenarioId);
  if (!scenario) throw notFound('steering.not_found');
  const fields: FieldErrors = {};
  const label = input.label.trim();
  if (!label) fields.label = 'field.required';
  if (!isKind(input.kind)) fields.kind = 'steering.kind_invalid';
  const cents = parseAmount(input.amount);
  if (cents === undefined || cents < 0) fields.amount = 'steering.amount_invalid';
  let projectId: number | null = null;
  if (input.project.trim()) {
    const id = Number(input.project);
    if (!Number.isInteger(id) || id <= 0 || !(await q.findProject(db, id))) fields.project = 'steering.project_invalid';
    else projectId = id;
  }
  if (Object.keys(fields).length || !isKind(input.kind) || cents === undefined) throw invalid('common.invalid', fields);
  const now = nowIso();
  const row = await db
    .insertInto('steering_lines')
    .values({ scenario_id: scenarioId, label, kind: input.kind, category: input.category.trim(), amount_cents: cents, francs: null, project_id: projectId, position: await q.nextLinePosition(db, scenarioId), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'steering_line', entityId: row.id, action: 'create', after: { scenario_id: scenarioId, label, kind: input.kind, amount_cents: cents, project_id: projectId } });
  return row;
}

export async function removeLine(db: SteeringDb, actor: Actor, scenarioId: number, lineId: number): Promise<void> {
  assertCanManage(actor);
  const line = await q.findLine(db, lineId);
  if (!line || line.scenario_id !== scenarioId) throw notFound('steering.not_found');
  await db.deleteFrom('steering_lines').where('id', '=', lineId).execute();
  await record(db, actor, { entity: 'steering_line', entityId: lineId, action: 'delete', before: { scenario_id: scenarioId, label: line.label, kind: line.kind, amount_cents: line.amount_cents } });
}

/** A historic scenario loaded as written (demo: the master plan of 2000), amounts in francs. */
export interface HistoricScenario {
  name: string;
  description: string;
  stated: { investment?: number; running?: number; gain?: number };
  lines: { label: string; kind: LineKind; category: string; francs: number }[];
}

export async function importHistoricScenario(db: SteeringDb, actor: Actor, s: HistoricScenario): Promise<Scenario> {
  const now = nowIso();
  const cents = (f: number | undefined) => (f === undefined ? null : francsToCents(f));
  const row = await db
    .insertInto('steering_scenarios')
    .values({
      name: s.name,
      description: s.description,
      historic: 1,
      position: await q.nextScenarioPosition(db),
      stated_investment_cents: cents(s.stated.investment),
      stated_running_cents: cents(s.stated.running),
      stated_gain_cents: cents(s.stated.gain),
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  let position = 0;
  for (const l of s.lines) {
    await db
      .insertInto('steering_lines')
      .values({ scenario_id: row.id, label: l.label, kind: l.kind, category: l.category, amount_cents: francsToCents(l.francs), francs: l.francs, project_id: null, position: ++position, created_at: now, updated_at: now })
      .execute();
  }
  await record(db, actor, { entity: 'steering_scenario', entityId: row.id, action: 'import', after: { name: s.name, lines: s.lines.length, stated_francs: s.stated } });
  return row;
}
