// The approval engine (M10, issue #13): request types with versions, sequential steps, deputies,
// reminders, escalation, signed action links; and request types defined without code. Other
// modules build on the functions below (see README.md for their semantics).
import type { Actor } from '../../platform/audit/audit.js';
import type { CallerDb } from '../../platform/db/typed.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule, type ModuleContext } from '../../platform/module.js';
import * as absence from './absence.service.js';
import { approvalsWebRoutes } from './approvals.routes.js';
import type { ApprovalRequestRow, RequestStatus } from './approvals.table.js';
import type { Payload, StepDefinition, TypeOptions } from './definition.js';
import * as engine from './engine.service.js';
import { approvalsKpis } from './kpis.js';
import { approvalsMessages } from './messages.js';
import { notifyJob, rememberContext, sweepJob } from './notify.service.js';
import { seedApprovalsDemo } from './seed.js';
import * as types from './types.service.js';

export type { ApprovalRequestRow, RequestStatus } from './approvals.table.js';
export type { ApproverRule, Condition, FieldDefinition, Payload, StepDefinition, TypeOptions } from './definition.js';
export type { HookAction, OwnerEvent, OwnerHook, OwnerHooks } from './hooks.js';
export { ApprovalHistory, ApprovalRoute } from './views/route.js';
export { keepRequestsToTheirRoute, registerOwnerHooks, setHolidayCalendar } from './hooks.js';
export type { RequestFilter, RequestPage, RequestView } from './engine.service.js';

export const approvalsModule = defineModule({
  name: 'approvals',
  messages: approvalsMessages,
  kpis: approvalsKpis,
  nav: [
    { section: 'nav.section.approvals', label: 'approvals.nav.mine', href: '/demandes', permission: 'portal:use', order: 1 },
    { section: 'nav.section.approvals', label: 'approvals.nav.to_approve', href: '/demandes/a-approuver', permission: 'portal:use', order: 2 },
    { section: 'nav.section.approvals', label: 'approvals.nav.types', href: '/demandes/types', permission: 'approvals:admin', order: 3 },
  ],
  web: (app, ctx) => {
    rememberContext(ctx);
    mountRoutes(app, ctx, approvalsWebRoutes);
  },
  jobs: { 'approvals.notify': notifyJob, 'approvals.sweep': sweepJob },
  schedules: [{ kind: 'approvals.sweep', everySeconds: 3600 }],
  todo: async (ctx: ModuleContext, actor, t) => {
    if (actor.id === null) return [];
    const page = await engine.listRequestsFor(ctx.db, actor, { scope: 'to_approve' }, 1, 20);
    return page.items.map((r) => ({ label: t('approvals.todo.item', { title: r.title, requester: r.requester_name }), href: `/demandes/${r.id}` }));
  },
  seedDemo: seedApprovalsDemo,
});

export interface SystemTypeInput {
  code: string;
  /** the owning module's name; its hooks (registerOwnerHooks) receive the decisions */
  owner: string;
  name: { fr: string; en: string };
  steps: StepDefinition[];
  options?: TypeOptions;
}

/** Creates the owner's type (version 1) if absent; else returns it unchanged (admins may have edited its steps). */
export function defineSystemType(db: CallerDb, def: SystemTypeInput): Promise<{ typeId: number; versionId: number }> {
  return types.ensureSystemType(db, def);
}

/** Files and submits a request at once: pending at its first step (or approved when no step applies). */
export function submitRequest(db: CallerDb, actor: Actor, typeCode: string, payload: Payload, ownerRef: string | null, opts: { title?: string; href?: string } = {}): Promise<ApprovalRequestRow> {
  return engine.submitRequest(db, actor, typeCode, payload, ownerRef, opts);
}

/** The request with its type version, steps, seats, history and the actions the actor may take; 404 unless they may see it. */
export function getRequest(db: CallerDb, actor: Actor, id: number): Promise<engine.RequestView> {
  return engine.getRequestView(db, actor, id);
}

export function listRequestsFor(db: CallerDb, actor: Actor, filter: engine.RequestFilter, page = 1, perPage = 50): Promise<engine.RequestPage> {
  return engine.listRequestsFor(db, actor, filter, page, perPage);
}

export function approve(db: CallerDb, actor: Actor, id: number, version: number, comment?: string): Promise<ApprovalRequestRow> {
  return engine.act(db, actor, id, version, 'approve', comment);
}
export function refuse(db: CallerDb, actor: Actor, id: number, version: number, reason: string): Promise<ApprovalRequestRow> {
  return engine.act(db, actor, id, version, 'refuse', reason);
}
export function sendBack(db: CallerDb, actor: Actor, id: number, version: number, comment: string): Promise<ApprovalRequestRow> {
  return engine.act(db, actor, id, version, 'send_back', comment);
}
export function withdraw(db: CallerDb, actor: Actor, id: number, version: number, comment?: string): Promise<ApprovalRequestRow> {
  return engine.withdraw(db, actor, id, version, comment);
}
/** After a send back (or from a draft): new payload if given, then the route starts again. */
export function resubmit(db: CallerDb, actor: Actor, id: number, version: number, payload?: Payload): Promise<ApprovalRequestRow> {
  return engine.resubmit(db, actor, id, version, payload);
}
export function requestCancellation(db: CallerDb, actor: Actor, id: number, version: number, reason?: string): Promise<ApprovalRequestRow> {
  return engine.requestCancellation(db, actor, id, version, reason);
}

/** The user is away (approved leave…): their open seats go to their deputy or next level up while it lasts. */
export function recordAbsence(db: CallerDb, actor: Actor, userId: number, from: string, to: string, source: string, reason = 'leave'): Promise<void> {
  return absence.recordAbsence(db, actor, userId, from, to, source, reason);
}
export function clearAbsence(db: CallerDb, actor: Actor, userId: number, source: string): Promise<void> {
  return absence.clearAbsence(db, actor, userId, source);
}
export function setDeputy(db: CallerDb, actor: Actor, userId: number, deputyId: number | null): Promise<void> {
  return absence.setDeputy(db, actor, userId, deputyId);
}
