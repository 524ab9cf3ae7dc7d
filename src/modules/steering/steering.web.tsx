// Steering handlers (/pilotage…), listed with their access in steering.routes.ts: the direction
// and managers read (steering:read); the direction changes (steering:manage, checked again by the
// services).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import type { FieldErrors } from '../../platform/errors.js';
import * as plan from './plan.service.js';
import { mayManageSteering } from './policy.js';
import * as scen from './scenario.service.js';
import * as q from './steering.queries.js';
import type { SteeringDb } from './steering.table.js';
import { DecisionsPage, PlanPage, ProjectPage, ScenarioPage, ScenariosPage, type LineFormValues, type ProjectFormValues, type ScenarioFormValues } from './views/pages.js';

type Ctx = ModuleContext<SteeringDb>;
const notFoundId = (req: FastifyRequest, name = 'id') => requireId(req, name, 'steering.not_found');

async function scenariosPage(req: FastifyRequest, db: SteeringDb, values?: ScenarioFormValues, errors?: FieldErrors) {
  return <ScenariosPage ctx={req.view()} views={await scen.listScenarioViews(db)} canManage={mayManageSteering(req.actor)} values={values} errors={errors} />;
}

export async function handleScenarios(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await scenariosPage(req, db));
}

export async function handleCreateScenario(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { name: str(req.body, 'name', 200), description: str(req.body, 'description', 2000), statedInvestment: str(req.body, 'statedInvestment', 30), statedRunning: str(req.body, 'statedRunning', 30), statedGain: str(req.body, 'statedGain', 30) };
  return onInvalid(
    reply,
    async () => {
      const row = await db.transaction().execute((trx) => scen.createScenario(trx, req.actor, values));
      reply.flash('success', 'steering.scenario.created');
      return reply.redirect(`/pilotage/scenarios/${row.id}`);
    },
    (errors) => scenariosPage(req, db, values, errors),
  );
}

async function scenarioPage(req: FastifyRequest, db: SteeringDb, id: number, values?: LineFormValues, errors?: FieldErrors) {
  const [view, projects] = await Promise.all([scen.getScenarioView(db, id), q.listProjects(db)]);
  return <ScenarioPage ctx={req.view()} view={view} projects={projects} canManage={mayManageSteering(req.actor)} values={values} errors={errors} />;
}

export async function handleScenario(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await scenarioPage(req, db, notFoundId(req)));
}

export async function handleAddLine(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = notFoundId(req);
  const values = { label: str(req.body, 'label', 300), kind: str(req.body, 'kind', 20), category: str(req.body, 'category', 100), amount: str(req.body, 'amount', 30), project: str(req.body, 'project', 12) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => scen.addLine(trx, req.actor, id, values));
      reply.flash('success', 'steering.line.added');
      return reply.redirect(`/pilotage/scenarios/${id}`);
    },
    (errors) => scenarioPage(req, db, id, values, errors),
  );
}

export async function handleRemoveLine(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = notFoundId(req);
  const lineId = notFoundId(req, 'lineId');
  await db.transaction().execute((trx) => scen.removeLine(trx, req.actor, id, lineId));
  reply.flash('success', 'steering.line.removed');
  return reply.redirect(`/pilotage/scenarios/${id}`);
}

async function planPage(req: FastifyRequest, db: SteeringDb, values?: ProjectFormValues, errors?: FieldErrors) {
  const [view, owners] = await Promise.all([plan.planView(db), q.listOwners(db)]);
  return <PlanPage ctx={req.view()} plan={view} owners={owners} canManage={mayManageSteering(req.actor)} values={values} errors={errors} />;
}

export async function handlePlan(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await planPage(req, db));
}

export async function handleCreateProject(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = {
    name: str(req.body, 'name', 200),
    owner: str(req.body, 'owner', 12),
    phase: str(req.body, 'phase', 100),
    status: str(req.body, 'status', 20),
    start: str(req.body, 'start', 10),
    end: str(req.body, 'end', 10),
    planned: str(req.body, 'planned', 30),
    consumed: str(req.body, 'consumed', 30),
    dependsOn: list(req.body, 'dependsOn').slice(0, 50),
  };
  return onInvalid(
    reply,
    async () => {
      const row = await db.transaction().execute((trx) => plan.createProject(trx, req.actor, values));
      reply.flash('success', 'steering.project.created');
      return reply.redirect(`/pilotage/projets/${row.id}`);
    },
    (errors) => planPage(req, db, values, errors),
  );
}

async function projectPage(req: FastifyRequest, db: SteeringDb, id: number, values?: Record<string, string>, errors?: FieldErrors) {
  const p = await plan.getProject(db, id);
  return <ProjectPage ctx={req.view()} project={p.project} milestones={p.milestones} dependsOn={p.dependsOn} canManage={mayManageSteering(req.actor)} values={values} errors={errors} />;
}

export async function handleProject(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await projectPage(req, db, notFoundId(req)));
}

export async function handleAddMilestone(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = notFoundId(req);
  const values = { label: str(req.body, 'label', 200), due: str(req.body, 'due', 10) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => plan.addMilestone(trx, req.actor, id, values));
      reply.flash('success', 'steering.milestone.added');
      return reply.redirect(`/pilotage/projets/${id}`);
    },
    (errors) => projectPage(req, db, id, values, errors),
  );
}

export async function handleUpdateProgress(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = notFoundId(req);
  const values = { status: str(req.body, 'status', 20), consumed: str(req.body, 'consumed', 30), version: str(req.body, 'version', 12) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => plan.updateProgress(trx, req.actor, id, values));
      reply.flash('success', 'steering.project.updated');
      return reply.redirect(`/pilotage/projets/${id}`);
    },
    (errors) => projectPage(req, db, id, values, errors),
    { conflict: true },
  );
}

async function decisionsPage(req: FastifyRequest, db: SteeringDb, values?: Record<string, string>, errors?: FieldErrors) {
  const [decisions, scenarios, projects] = await Promise.all([q.listDecisions(db), q.listScenarios(db), q.listProjects(db)]);
  return <DecisionsPage ctx={req.view()} decisions={decisions} scenarios={scenarios} projects={projects} canManage={mayManageSteering(req.actor)} values={values} errors={errors} />;
}

export async function handleDecisions(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await decisionsPage(req, db));
}

export async function handleRecordDecision(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { date: str(req.body, 'date', 10), title: str(req.body, 'title', 300), body: str(req.body, 'body', 4000), scenario: str(req.body, 'scenario', 12), project: str(req.body, 'project', 12) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => plan.recordDecision(trx, req.actor, values));
      reply.flash('success', 'steering.decision.added');
      return reply.redirect('/pilotage/decisions');
    },
    (errors) => decisionsPage(req, db, values, errors),
  );
}
