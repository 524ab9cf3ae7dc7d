// The engine's verbs: submit, act on a step (approve, refuse, send back), withdraw, resubmit,
// cancel; who sits on a step (requester left out, absences, deputies, separation of duties,
// next level up). Every transition: optimistic lock on the request, a history row, an audit row
// and the owner's hook, in the caller's transaction; notifications go through a queued job.
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { conflict, forbidden, invalid, notFound } from '../../platform/errors.js';
import { enqueue } from '../../platform/jobs/index.js';
import * as q from './approvals.queries.js';
import type { ApprovalAssignmentRow, ApprovalHistoryRow, ApprovalRequestRow, ApprovalsDb, ApprovalTypeRow, ApprovalTypeVersionRow, RequestStatus } from './approvals.table.js';
import { conditionHolds, parseDefinition, type Payload, type TypeDefinition } from './definition.js';
import { isAttachment, validateValues, type AttachmentRef, type RawValues } from './fields.js';
import { storeUploads, type Uploads } from './uploads.js';
import { ownerHook, type HookAction } from './hooks.js';
import { mayAdministerTypes } from './policy.js';
import { adminReadsRequestsOf, routeOnlyOwners } from './hooks.js';

export type Action = 'approve' | 'refuse' | 'send_back';

/** Today in Paris, as a calendar date: absences are whole days. */
export function todayParis(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const MAX_COMMENT = 2000;

function cleanComment(c: string | undefined | null): string | null {
  const s = (c ?? '').trim();
  return s ? s.slice(0, MAX_COMMENT) : null;
}

async function loadRequest(db: ApprovalsDb, id: number): Promise<{ req: ApprovalRequestRow; type: ApprovalTypeRow; ver: ApprovalTypeVersionRow; def: TypeDefinition }> {
  const req = await q.findRequest(db, id);
  if (!req) throw notFound('approvals.not_found');
  const type = await q.findTypeById(db, req.type_id);
  const ver = await q.findVersion(db, req.type_version_id);
  if (!type || !ver) throw notFound('approvals.not_found');
  return { req, type, ver, def: parseDefinition(ver.definition) };
}

function payloadOf(req: ApprovalRequestRow): Payload {
  try {
    return JSON.parse(req.payload) as Payload;
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------- who sits on a step

interface Seat {
  approverId: number;
  reason: 'step' | 'deputy' | 'level_up';
  replacesId: number | null;
}

/** Resolves people lazily and remembers them: a step rarely needs more than a handful. */
class People {
  private cache = new Map<number, q.PersonRow | null>();
  private absent?: Set<number>;
  constructor(
    private readonly db: ApprovalsDb,
    readonly day: string,
  ) {}
  async get(id: number): Promise<q.PersonRow | null> {
    if (!this.cache.has(id)) this.cache.set(id, (await q.findPerson(this.db, id)) ?? null);
    return this.cache.get(id) ?? null;
  }
  async isAbsent(id: number): Promise<boolean> {
    return (await q.absentOn(this.db, [id], this.day)).has(id);
  }
}

/**
 * Someone to stand in for `from`: up the management line (their manager, then theirs…), else a
 * holder of `direction`, else an administrator; never anyone `excluded`, absent or inactive.
 */
async function nextLevelUp(db: ApprovalsDb, people: People, from: number, excluded: Set<number>): Promise<number | null> {
  const ok = async (id: number) => !excluded.has(id) && (await people.get(id))?.status === 'active' && !(await people.isAbsent(id));
  const seen = new Set<number>([from]);
  let cur = (await people.get(from))?.manager_id ?? null;
  while (cur !== null && !seen.has(cur) && seen.size < 20) {
    if (await ok(cur)) return cur;
    seen.add(cur);
    cur = (await people.get(cur))?.manager_id ?? null;
  }
  for (const role of ['direction', 'admin']) for (const id of await q.activeHoldersOf(db, role)) if (await ok(id)) return id;
  return null;
}

/** The stand-in for an approver who may not or cannot act: their deputy when they are only absent, else the next level up. */
async function standIn(db: ApprovalsDb, people: People, id: number, excluded: Set<number>, onlyAbsent: boolean): Promise<Seat | null> {
  if (onlyAbsent) {
    const deputy = await q.deputyOf(db, id);
    if (deputy !== undefined && !excluded.has(deputy) && (await people.get(deputy))?.status === 'active' && !(await people.isAbsent(deputy))) return { approverId: deputy, reason: 'deputy', replacesId: id };
  }
  const up = await nextLevelUp(db, people, id, excluded);
  return up === null ? null : { approverId: up, reason: 'level_up', replacesId: id };
}

async function seatsForStep(db: ApprovalsDb, req: ApprovalRequestRow, def: TypeDefinition, stepIndex: number): Promise<Seat[]> {
  const step = def.steps[stepIndex];
  const people = new People(db, todayParis());
  const requester = await people.get(req.requester_id);
  // Nobody approves their own request; separation of duties leaves out who acted on the paired step.
  const excluded = new Set<number>([req.requester_id]);
  const pairs = (def.options.separateDuties ?? []).filter(([a, b]) => a === step.id || b === step.id).map(([a, b]) => (a === step.id ? b : a));
  if (pairs.length) {
    const pairedIdx = new Set(def.steps.map((s, i) => (pairs.includes(s.id) ? i : -1)).filter((i) => i >= 0));
    for (const s of await q.actedSeats(db, req.id, req.round, req.phase)) if (pairedIdx.has(s.step_index)) excluded.add(s.approver_id);
  }
  const candidates: number[] = [];
  for (const rule of step.approvers) {
    if (rule.kind === 'manager') {
      if (requester?.manager_id) candidates.push(requester.manager_id);
    } else if (rule.kind === 'role') candidates.push(...(await q.activeHoldersOf(db, rule.role)));
    else if (rule.kind === 'user') candidates.push(rule.userId);
  }
  const unique = [...new Set(candidates)];
  const present: number[] = [];
  for (const id of unique) if (!excluded.has(id) && (await people.get(id))?.status === 'active' && !(await people.isAbsent(id))) present.push(id);

  let seats: Seat[];
  if (step.mode === 'any' && present.length) seats = present.map((id) => ({ approverId: id, reason: 'step', replacesId: null }));
  else if (!unique.length) {
    // No one holds the step (no manager set, nobody with the role): the requester's next level up.
    const s = await standIn(db, people, req.requester_id, excluded, false);
    seats = s ? [s] : [];
  } else {
    seats = [];
    for (const id of unique) {
      if (present.includes(id)) seats.push({ approverId: id, reason: 'step', replacesId: null });
      else {
        const onlyAbsent = !excluded.has(id) && (await people.get(id))?.status === 'active';
        const s = await standIn(db, people, id, excluded, onlyAbsent);
        if (s) seats.push(s);
      }
    }
  }
  const seen = new Set<number>();
  seats = seats.filter((s) => !seen.has(s.approverId) && seen.add(s.approverId));
  if (!seats.length) throw invalid('approvals.no_approver', { _form: 'approvals.no_approver' });
  return seats;
}

// ---------------------------------------------------------------- transitions

async function trace(db: ApprovalsDb, actor: Actor, req: ApprovalRequestRow, action: string, comment: string | null, from: RequestStatus | null, to: RequestStatus, stepIndex: number | null): Promise<void> {
  await db
    .insertInto('approval_history')
    .values({ request_id: req.id, at: nowIso(), actor_id: actor.id, actor_label: actor.label, action, comment, type_version_id: req.type_version_id, step_index: stepIndex, from_status: from, to_status: to })
    .execute();
  await record(db, actor, { entity: 'approval_request', entityId: req.id, action, changes: { status: [from, to], ...(comment ? { comment } : {}), ...(stepIndex !== null ? { step: stepIndex + 1 } : {}) } });
}

async function patchRequest(db: ApprovalsDb, id: number, version: number, patch: Partial<Omit<ApprovalRequestRow, 'id' | 'version'>>): Promise<ApprovalRequestRow> {
  await updateWithVersion(db, 'approval_requests', id, version, patch);
  const row = await q.findRequest(db, id);
  if (!row) throw notFound('approvals.not_found');
  return row;
}

async function runHook(db: ApprovalsDb, type: ApprovalTypeRow, action: HookAction, req: ApprovalRequestRow, actor: Actor, comment: string | null): Promise<void> {
  const hook = ownerHook(type.owner, action);
  if (hook) await hook(db, { request: req, actor, action, comment });
}

async function notify(db: ApprovalsDb, requestId: number, event: 'step_opened' | 'decided', extra: Record<string, unknown> = {}): Promise<void> {
  await enqueue(db, 'approvals.notify', { requestId, event, ...extra });
}

/**
 * Opens the first step at or after `from` whose condition holds; when none is left the route is
 * complete: approved (or cancelled, on the cancellation route). `req` is current (version fresh).
 */
async function openNextStep(db: ApprovalsDb, actor: Actor, req: ApprovalRequestRow, type: ApprovalTypeRow, def: TypeDefinition, from: number): Promise<ApprovalRequestRow> {
  const payload = payloadOf(req);
  let i = from;
  while (i < def.steps.length && !conditionHolds(payload, def.steps[i].when)) i++;
  const now = nowIso();
  if (i >= def.steps.length) {
    const to: RequestStatus = req.phase === 'cancellation' ? 'cancelled' : 'approved';
    const done = await patchRequest(db, req.id, req.version, { status: to, step_index: null, step_opened_at: null, decided_at: now });
    await trace(db, actor, done, to === 'cancelled' ? 'cancelled' : 'approved', null, req.status, to, null);
    await runHook(db, type, to === 'cancelled' ? 'cancelled' : 'approved', done, actor, null);
    await notify(db, req.id, 'decided', { action: to });
    return done;
  }
  const opened = await patchRequest(db, req.id, req.version, { step_index: i, step_opened_at: now, reminded_at: null, escalated_at: null });
  const seats = await seatsForStep(db, opened, def, i);
  await db
    .insertInto('approval_assignments')
    .values(seats.map((s, slot) => ({ request_id: req.id, round: opened.round, phase: opened.phase, step_index: i, slot, approver_id: s.approverId, reason: s.reason, replaces_id: s.replacesId, state: 'open' as const, decided_at: null, created_at: now })))
    .execute();
  await db
    .insertInto('approval_history')
    .values({ request_id: req.id, at: now, actor_id: null, actor_label: 'système', action: 'step_opened', comment: null, type_version_id: req.type_version_id, step_index: i, from_status: opened.status, to_status: opened.status })
    .execute();
  await notify(db, req.id, 'step_opened', { round: opened.round, step: i, phase: opened.phase });
  return opened;
}

async function closeOpenSeats(db: ApprovalsDb, requestId: number, state: 'closed' | 'replaced' = 'closed'): Promise<void> {
  await db.updateTable('approval_assignments').set({ state, decided_at: nowIso() }).where('request_id', '=', requestId).where('state', '=', 'open').execute();
}

function assertRequester(actor: Actor, req: ApprovalRequestRow): void {
  if (actor.id === null || actor.id !== req.requester_id) throw forbidden('approvals.requester_only');
}

function assertVersion(req: ApprovalRequestRow, version: number): void {
  if (!Number.isInteger(version) || version !== req.version) throw conflict('common.stale_version');
}

async function activeType(db: ApprovalsDb, typeCode: string): Promise<{ type: ApprovalTypeRow; ver: ApprovalTypeVersionRow; def: TypeDefinition }> {
  const type = await q.findTypeByCode(db, typeCode);
  if (!type || !type.active || type.current_version_id === null) throw notFound('approvals.type_not_found');
  const ver = await q.findVersion(db, type.current_version_id);
  if (!ver) throw notFound('approvals.type_not_found');
  return { type, ver, def: parseDefinition(ver.definition) };
}

async function defaultTitle(db: ApprovalsDb, ver: ApprovalTypeVersionRow, requesterId: number): Promise<string> {
  return `${ver.name_fr} — ${(await q.findPerson(db, requesterId))?.name ?? ''}`;
}

/** The payload of an admin-defined type from its form values (422 with each field's error). */
export function payloadFromForm(def: TypeDefinition, raw: RawValues, partial = false, attachments: Record<string, AttachmentRef> = {}): Payload {
  const { payload, errors } = validateValues(def.fields, raw, { partial, attachments });
  if (Object.keys(errors).length) throw invalid('approvals.form_invalid', errors);
  return payload;
}

function checkPayload(payload: Payload): string {
  const json = JSON.stringify(payload ?? {});
  if (json.length > 20_000) throw invalid('approvals.payload_too_large');
  return json;
}

async function insertRequest(db: ApprovalsDb, actor: Actor, typeCode: string, payload: Payload, ownerRef: string | null, opts: { title?: string; href?: string }, status: 'draft' | 'pending') {
  if (actor.id === null || actor.kind !== 'staff') throw forbidden('approvals.staff_only');
  const { type, ver, def } = await activeType(db, typeCode);
  const now = nowIso();
  const title = (opts.title ?? '').trim().slice(0, 200) || (await defaultTitle(db, ver, actor.id));
  const req = await db
    .insertInto('approval_requests')
    .values({
      type_id: type.id,
      type_version_id: ver.id,
      requester_id: actor.id,
      owner_ref: ownerRef,
      title,
      href: opts.href ?? null,
      payload: checkPayload(payload),
      status,
      phase: 'approval',
      step_index: null,
      round: status === 'pending' ? 1 : 0,
      step_opened_at: null,
      reminded_at: null,
      escalated_at: null,
      submitted_at: status === 'pending' ? now : null,
      decided_at: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'approval_request', entityId: req.id, action: 'create', after: { type: typeCode, type_version: ver.number, title, owner_ref: ownerRef, status } });
  return { req, type, def };
}

export async function submitRequest(db: ApprovalsDb, actor: Actor, typeCode: string, payload: Payload, ownerRef: string | null, opts: { title?: string; href?: string } = {}): Promise<ApprovalRequestRow> {
  const { req, type, def } = await insertRequest(db, actor, typeCode, payload, ownerRef, opts, 'pending');
  await trace(db, actor, req, 'submit', null, null, 'pending', null);
  return openNextStep(db, actor, req, type, def, 0);
}

/** A request of an admin-defined type, from its generated form: saved as a draft, or submitted. */
export async function fileFromForm(db: ApprovalsDb, actor: Actor, typeCode: string, raw: RawValues, submit: boolean, uploads?: Uploads): Promise<ApprovalRequestRow> {
  const { type, def } = await activeType(db, typeCode);
  if (type.owner !== 'approvals') throw notFound('approvals.type_not_found');
  const payload = payloadFromForm(def, raw, !submit, uploads ? storeUploads(def.fields, uploads) : {});
  const title = (raw._title ?? '').trim();
  if (submit) return submitRequest(db, actor, typeCode, payload, null, { title });
  const { req } = await insertRequest(db, actor, typeCode, payload, null, { title }, 'draft');
  await trace(db, actor, req, 'draft', null, null, 'draft', null);
  return req;
}

/** Approve, refuse (reason required) or send back (comment required) the step the actor sits on. */
export async function act(db: ApprovalsDb, actor: Actor, id: number, version: number, action: Action, comment?: string): Promise<ApprovalRequestRow> {
  const { req, type, def } = await loadRequest(db, id);
  const text = cleanComment(comment);
  if (action === 'refuse' && !text) throw invalid('approvals.reason_required', { comment: 'approvals.reason_required' });
  if (action === 'send_back' && !text) throw invalid('approvals.comment_required', { comment: 'approvals.comment_required' });
  if (!(req.status === 'pending' || req.status === 'cancellation_pending') || req.step_index === null) throw conflict('approvals.not_pending');
  const seats = await q.openSeats(db, req);
  const mine = seats.find((s) => s.approver_id === actor.id);
  if (!mine) {
    // PostgreSQL reads each statement's committed state: a decision committed between reading the
    // request and its seats closed them. That is a stale page (409), not someone else's step (403).
    if ((await q.findRequest(db, id))?.version !== req.version) throw conflict('common.stale_version');
    if (actor.id === req.requester_id) throw forbidden('approvals.own_request');
    throw forbidden('approvals.not_your_step');
  }
  assertVersion(req, version);
  if (action === 'send_back' && req.phase === 'cancellation') throw conflict('approvals.cannot_send_back');
  const step = req.step_index;
  const now = nowIso();
  // The lock first: of two approvers acting at once, the second gets 409 and nothing is written.
  let cur = await patchRequest(db, req.id, req.version, {});
  const seatState = action === 'approve' ? 'approved' : action === 'refuse' ? 'refused' : 'sent_back';
  await db.updateTable('approval_assignments').set({ state: seatState, decided_at: now }).where('id', '=', mine.id).execute();

  if (action === 'approve') {
    await trace(db, actor, cur, 'approve', text, cur.status, cur.status, step);
    const stepDone = def.steps[step].mode === 'any' || seats.length === 1;
    if (!stepDone) return cur;
    await closeOpenSeats(db, req.id);
    return openNextStep(db, actor, cur, type, def, step + 1);
  }
  await closeOpenSeats(db, req.id);
  if (action === 'refuse') {
    if (cur.phase === 'cancellation') {
      // A refused cancellation leaves the request approved, as it was.
      cur = await patchRequest(db, cur.id, cur.version, { status: 'approved', phase: 'approval', step_index: null, step_opened_at: null });
      await trace(db, actor, cur, 'cancellation_refused', text, 'cancellation_pending', 'approved', step);
      await notify(db, req.id, 'decided', { action: 'cancellation_refused', comment: text });
      return cur;
    }
    cur = await patchRequest(db, cur.id, cur.version, { status: 'refused', step_index: null, step_opened_at: null, decided_at: now });
    await trace(db, actor, cur, 'refuse', text, 'pending', 'refused', step);
    await runHook(db, type, 'refused', cur, actor, text);
    await notify(db, req.id, 'decided', { action: 'refused', comment: text });
    return cur;
  }
  cur = await patchRequest(db, cur.id, cur.version, { status: 'changes_requested', step_index: null, step_opened_at: null });
  await trace(db, actor, cur, 'send_back', text, 'pending', 'changes_requested', step);
  await runHook(db, type, 'changesRequested', cur, actor, text);
  await notify(db, req.id, 'decided', { action: 'changes_requested', comment: text });
  return cur;
}

/** The requester takes the request back before the final decision; a pending cancellation is taken back the same way. */
export async function withdraw(db: ApprovalsDb, actor: Actor, id: number, version: number, comment?: string): Promise<ApprovalRequestRow> {
  const { req, type } = await loadRequest(db, id);
  assertRequester(actor, req);
  assertVersion(req, version);
  const text = cleanComment(comment);
  if (req.status === 'cancellation_pending') {
    await closeOpenSeats(db, req.id);
    const cur = await patchRequest(db, req.id, req.version, { status: 'approved', phase: 'approval', step_index: null, step_opened_at: null });
    await trace(db, actor, cur, 'cancellation_withdrawn', text, req.status, 'approved', req.step_index);
    return cur;
  }
  if (!['draft', 'pending', 'changes_requested'].includes(req.status)) throw conflict('approvals.cannot_withdraw');
  await closeOpenSeats(db, req.id);
  const cur = await patchRequest(db, req.id, req.version, { status: 'withdrawn', step_index: null, step_opened_at: null, decided_at: nowIso() });
  await trace(db, actor, cur, 'withdraw', text, req.status, 'withdrawn', req.step_index);
  if (req.status !== 'draft') await runHook(db, type, 'withdrawn', cur, actor, text);
  return cur;
}

/** A draft submitted, or a request sent back submitted again (new payload if given): the route starts again. */
export async function resubmit(db: ApprovalsDb, actor: Actor, id: number, version: number, payload?: Payload): Promise<ApprovalRequestRow> {
  const { req, type, def } = await loadRequest(db, id);
  assertRequester(actor, req);
  assertVersion(req, version);
  if (req.status !== 'draft' && req.status !== 'changes_requested') throw conflict('approvals.cannot_resubmit');
  if (type.owner === 'approvals') {
    // An admin-defined type checks the stored values again: a draft may have left required fields empty.
    const values = payload ?? payloadOf(req);
    const attachments: Record<string, AttachmentRef> = {};
    for (const f of def.fields) if (f.kind === 'attachment' && isAttachment(values[f.name])) attachments[f.name] = values[f.name] as AttachmentRef;
    const { errors } = validateValues(def.fields, rawOf(def, values), { attachments });
    if (Object.keys(errors).length) throw invalid('approvals.form_invalid', errors);
  }
  const from = req.status === 'changes_requested' && def.options.resumeAtSendingStep ? ((await q.lastSendBackStep(db, req.id)) ?? 0) : 0;
  const cur = await patchRequest(db, req.id, req.version, {
    status: 'pending',
    phase: 'approval',
    round: req.round + 1,
    submitted_at: nowIso(),
    ...(payload ? { payload: checkPayload(payload) } : {}),
  });
  await trace(db, actor, cur, req.status === 'draft' ? 'submit' : 'resubmit', null, req.status, 'pending', null);
  return openNextStep(db, actor, cur, type, def, from);
}

function rawOf(def: TypeDefinition, payload: Payload): RawValues {
  const out: RawValues = {};
  for (const f of def.fields) {
    const v = payload[f.name];
    if (v === undefined || v === null) continue;
    if (f.kind === 'daterange' && typeof v === 'object') {
      out[`${f.name}_from`] = (v as { from: string }).from;
      out[`${f.name}_to`] = (v as { to: string }).to;
    } else if (f.kind === 'amount') out[f.name] = (Number(v) / 100).toFixed(2);
    else if (f.kind === 'yesno') out[f.name] = v ? '1' : '';
    else if (f.kind !== 'attachment') out[f.name] = String(v);
  }
  return out;
}

/** An attached file of a request the actor may see (the request page's download link). */
export async function attachmentOf(db: ApprovalsDb, actor: Actor, id: number, field: string): Promise<AttachmentRef> {
  const view = await getRequestView(db, actor, id);
  const f = view.definition.fields.find((x) => x.name === field && x.kind === 'attachment');
  const v = f ? view.payload[f.name] : undefined;
  if (!isAttachment(v)) throw notFound('approvals.not_found');
  return v;
}

/** Edits a draft or a request sent back (admin-defined types), without submitting it. */
export async function editFromForm(db: ApprovalsDb, actor: Actor, id: number, version: number, raw: RawValues, submit: boolean, uploads?: Uploads): Promise<ApprovalRequestRow> {
  const { req, type, def } = await loadRequest(db, id);
  assertRequester(actor, req);
  if (type.owner !== 'approvals') throw conflict('approvals.owned_elsewhere');
  if (req.status !== 'draft' && req.status !== 'changes_requested') throw conflict('approvals.cannot_resubmit');
  assertVersion(req, version);
  // A file already attached stays unless a new one is sent.
  const kept: Record<string, AttachmentRef> = {};
  const before = payloadOf(req);
  for (const f of def.fields) if (f.kind === 'attachment' && isAttachment(before[f.name])) kept[f.name] = before[f.name] as AttachmentRef;
  const payload = payloadFromForm(def, raw, !submit, { ...kept, ...(uploads ? storeUploads(def.fields, uploads) : {}) });
  const title = (raw._title ?? '').trim().slice(0, 200) || req.title;
  if (submit) {
    const cur = await patchRequest(db, req.id, req.version, { title });
    return resubmit(db, actor, id, cur.version, payload);
  }
  const cur = await patchRequest(db, req.id, req.version, { title, payload: checkPayload(payload) });
  await trace(db, actor, cur, 'edit', null, req.status, req.status, null);
  return cur;
}

/** Once approved, the requester asks for cancellation: through the steps again if the type says so, else at once. */
export async function requestCancellation(db: ApprovalsDb, actor: Actor, id: number, version: number, reason?: string): Promise<ApprovalRequestRow> {
  const { req, type, def } = await loadRequest(db, id);
  assertRequester(actor, req);
  assertVersion(req, version);
  if (req.status !== 'approved') throw conflict('approvals.cannot_cancel');
  const text = cleanComment(reason);
  if (def.options.cancellationThroughSteps) {
    const cur = await patchRequest(db, req.id, req.version, { status: 'cancellation_pending', phase: 'cancellation', round: req.round + 1 });
    await trace(db, actor, cur, 'cancellation_requested', text, 'approved', 'cancellation_pending', null);
    return openNextStep(db, actor, cur, type, def, 0);
  }
  const cur = await patchRequest(db, req.id, req.version, { status: 'cancelled', decided_at: nowIso() });
  await trace(db, actor, cur, 'cancelled', text, 'approved', 'cancelled', null);
  await runHook(db, type, 'cancelled', cur, actor, text);
  return cur;
}

// ---------------------------------------------------------------- replacing seats

/**
 * Moves an open seat to someone else (absence, escalation), keeping its slot: in an "all of"
 * step the stand-in approves in the place of the person replaced.
 */
export async function replaceSeat(db: ApprovalsDb, seat: ApprovalAssignmentRow, reason: 'deputy' | 'escalation' | 'level_up', onlyAbsent: boolean): Promise<number | null> {
  const req = await q.findRequest(db, seat.request_id);
  if (!req) return null;
  const people = new People(db, todayParis());
  const open = await q.openSeats(db, req);
  const excluded = new Set<number>([req.requester_id, ...open.map((s) => s.approver_id)]);
  const s = await standIn(db, people, seat.approver_id, excluded, onlyAbsent);
  if (!s) return null;
  const now = nowIso();
  await db.updateTable('approval_assignments').set({ state: 'replaced', decided_at: now }).where('id', '=', seat.id).where('state', '=', 'open').execute();
  await db
    .insertInto('approval_assignments')
    .values({ request_id: seat.request_id, round: seat.round, phase: seat.phase, step_index: seat.step_index, slot: seat.slot, approver_id: s.approverId, reason: s.reason === 'deputy' ? 'deputy' : reason, replaces_id: seat.approver_id, state: 'open', decided_at: null, created_at: now })
    .execute();
  return s.approverId;
}

// ---------------------------------------------------------------- reading

export interface RequestFilter {
  /** mine: I filed them; to_approve: a step waits for me; all: every request (approvals:admin) */
  scope: 'mine' | 'to_approve' | 'all';
  typeCode?: string;
  status?: RequestStatus;
  ownerRef?: string;
}
export type RequestPage = { items: q.RequestListRow[]; total: number; page: number; perPage: number };

export async function listRequestsFor(db: ApprovalsDb, actor: Actor, filter: RequestFilter, page = 1, perPage = 50): Promise<RequestPage> {
  if (actor.id === null) throw forbidden('approvals.staff_only');
  const p = Number.isInteger(page) && page > 0 ? Math.min(page, 10_000) : 1;
  const n = Math.min(Math.max(1, perPage), 200);
  const base: q.ListQuery = { typeCode: filter.typeCode, status: filter.status, ownerRef: filter.ownerRef };
  if (filter.scope === 'mine') base.requesterId = actor.id;
  else if (filter.scope === 'to_approve') base.openSeatOf = actor.id;
  else if (!mayAdministerTypes(actor)) throw forbidden('approvals.not_allowed');
  else base.excludeOwners = routeOnlyOwners();
  const { items, total } = await q.listRequests(db, base, p, n);
  return { items, total, page: p, perPage: n };
}

export interface RequestView {
  request: ApprovalRequestRow;
  type: ApprovalTypeRow;
  typeVersion: ApprovalTypeVersionRow;
  definition: TypeDefinition;
  payload: Payload;
  requesterName: string;
  seats: (ApprovalAssignmentRow & { approver_name: string })[];
  history: ApprovalHistoryRow[];
  /** what the actor may do now */
  can: { approve: boolean; refuse: boolean; sendBack: boolean; withdraw: boolean; edit: boolean; resubmit: boolean; cancel: boolean };
}

export async function getRequestView(db: ApprovalsDb, actor: Actor, id: number): Promise<RequestView> {
  const { req, type, ver, def } = await loadRequest(db, id);
  const isRequester = actor.id !== null && actor.id === req.requester_id;
  const adminReads = mayAdministerTypes(actor) && adminReadsRequestsOf(type.owner);
  if (!isRequester && !adminReads && (actor.id === null || !(await q.hasSeat(db, req.id, actor.id)))) throw notFound('approvals.not_found');
  const seats = await q.seatsOf(db, req.id);
  const myOpen = seats.some((s) => s.state === 'open' && s.approver_id === actor.id && s.round === req.round && s.step_index === req.step_index);
  const adminType = type.owner === 'approvals';
  return {
    request: req,
    type,
    typeVersion: ver,
    definition: def,
    payload: payloadOf(req),
    requesterName: (await q.findPerson(db, req.requester_id))?.name ?? '',
    seats,
    history: await q.historyOf(db, req.id),
    can: {
      approve: myOpen,
      refuse: myOpen,
      sendBack: myOpen && req.phase === 'approval',
      withdraw: isRequester && ['draft', 'pending', 'changes_requested', 'cancellation_pending'].includes(req.status),
      edit: isRequester && adminType && (req.status === 'draft' || req.status === 'changes_requested'),
      resubmit: isRequester && (req.status === 'draft' || req.status === 'changes_requested'),
      cancel: isRequester && req.status === 'approved',
    },
  };
}
