// Absences (approved leave, recorded by the leave module; or by HR) and named deputies. An open
// seat of someone absent today moves to their deputy, else to the next level up.
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid } from '../../platform/errors.js';
import { enqueue } from '../../platform/jobs/index.js';
import * as q from './approvals.queries.js';
import type { ApprovalsDb } from './approvals.table.js';
import { replaceSeat, todayParis } from './engine.service.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function recordAbsence(db: ApprovalsDb, actor: Actor, userId: number, from: string, to: string, source: string, reason: string): Promise<void> {
  if (!ISO_DATE.test(from) || !ISO_DATE.test(to) || to < from) throw invalid('approvals.absence.dates', { from: 'approvals.absence.dates' });
  const src = source.trim().slice(0, 100);
  if (!src) throw invalid('approvals.absence.source');
  // The same source recorded again (a leave edited) replaces its earlier dates.
  await db.deleteFrom('approval_absences').where('user_id', '=', userId).where('source', '=', src).execute();
  const row = await db.insertInto('approval_absences').values({ user_id: userId, from_date: from, to_date: to, reason: reason.slice(0, 100), source: src, created_at: nowIso() }).returning('id').executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'approval_absence', entityId: row.id, action: 'create', after: { user_id: userId, from, to, reason, source: src } });
  if (from <= todayParis() && todayParis() <= to) await moveSeatsOfAbsent(db, actor);
}

export async function clearAbsence(db: ApprovalsDb, actor: Actor, userId: number, source: string): Promise<void> {
  const rows = await db.selectFrom('approval_absences').selectAll().where('user_id', '=', userId).where('source', '=', source).execute();
  if (!rows.length) return;
  await db.deleteFrom('approval_absences').where('user_id', '=', userId).where('source', '=', source).execute();
  for (const r of rows) await record(db, actor, { entity: 'approval_absence', entityId: r.id, action: 'delete', before: { user_id: userId, from: r.from_date, to: r.to_date, source } });
}

export async function setDeputy(db: ApprovalsDb, actor: Actor, userId: number, deputyId: number | null): Promise<void> {
  const before = await q.deputyOf(db, userId);
  if (deputyId === null) {
    await db.deleteFrom('approval_deputies').where('user_id', '=', userId).execute();
  } else {
    if (deputyId === userId) throw invalid('approvals.deputy.self', { deputy: 'approvals.deputy.self' });
    const deputy = await q.findPerson(db, deputyId);
    if (!deputy || deputy.status !== 'active') throw invalid('approvals.deputy.unknown', { deputy: 'approvals.deputy.unknown' });
    const now = nowIso();
    await db.insertInto('approval_deputies').values({ user_id: userId, deputy_id: deputyId, updated_at: now }).onConflict((oc) => oc.column('user_id').doUpdateSet({ deputy_id: deputyId, updated_at: now })).execute();
  }
  await record(db, actor, { entity: 'approval_deputy', entityId: userId, action: 'update', before: { deputy_id: before ?? null }, after: { deputy_id: deputyId } });
}

/** Moves today's open seats of absent approvers (after an absence is recorded, and by the hourly sweep). */
export async function moveSeatsOfAbsent(db: ApprovalsDb, actor: Actor): Promise<number> {
  let moved = 0;
  for (const seat of await q.openSeatsOfAbsent(db, todayParis())) {
    const to = await replaceSeat(db, seat, 'deputy', true);
    if (to === null) continue;
    moved++;
    const req = await q.findRequest(db, seat.request_id);
    if (!req) continue;
    await db
      .insertInto('approval_history')
      .values({ request_id: req.id, at: nowIso(), actor_id: actor.id, actor_label: actor.label, action: 'reassigned_absent', comment: null, type_version_id: req.type_version_id, step_index: seat.step_index, from_status: req.status, to_status: req.status })
      .execute();
    await enqueue(db, 'approvals.notify', { requestId: req.id, event: 'seat_moved', seatApprover: to });
    await record(db, actor, { entity: 'approval_request', entityId: seat.request_id, action: 'reassign', changes: { approver: [seat.approver_id, to], reason: 'absence' } });
  }
  return moved;
}
