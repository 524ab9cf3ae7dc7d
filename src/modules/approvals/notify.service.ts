// E-mails of the engine, written by the 'approvals.notify' job (queued in the transition's
// transaction, so nothing is sent for a transition that rolled back), and the hourly sweep:
// reminders, escalation, seats of people who became absent. A mail carries a summary and links,
// never the request's content.
import { SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { createLink } from '../../platform/auth/links.js';
import { nowIso } from '../../platform/db/index.js';
import { enqueue, type JobHandler } from '../../platform/jobs/index.js';
import type { ModuleContext } from '../../platform/module.js';
import * as q from './approvals.queries.js';
import type { ApprovalRequestRow, ApprovalsDb } from './approvals.table.js';
import { moveSeatsOfAbsent } from './absence.service.js';
import { replaceSeat, todayParis } from './engine.service.js';
import { parseDefinition, type TypeOptions } from './definition.js';
import { isHoliday } from './hooks.js';
import { approvalsMessages } from './messages.js';

export const LINK_PURPOSE = 'approval_action';
export const LINK_VALID_SECONDS = 72 * 3600;

// The job runner gives a job the database only; the mailer and the public URL come from the
// module context the web hook saw for that database (as the CRM digest does).
const contexts = new WeakMap<object, ModuleContext>();
let lastContext: ModuleContext | undefined;
export function rememberContext(ctx: ModuleContext): void {
  contexts.set(ctx.db, ctx);
  lastContext = ctx;
}
function contextFor(db: object): ModuleContext {
  const ctx = contexts.get(db) ?? lastContext;
  if (!ctx) throw new Error('approvals: no module context for this database');
  return ctx;
}

function text(locale: string, key: string, params: Record<string, string | number> = {}): string {
  const cat = (locale === 'en' ? approvalsMessages.en : approvalsMessages.fr) as Record<string, string>;
  return (cat[key] ?? approvalsMessages.fr[key as keyof typeof approvalsMessages.fr] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** Working days strictly after `from` up to `to` (ISO dates): weekends and public holidays skipped. */
export function workingDaysBetween(from: string, to: string, holiday: (isoDate: string) => boolean = isHoliday): number {
  let n = 0;
  const d = new Date(`${from}T12:00:00Z`);
  const end = new Date(`${to}T12:00:00Z`);
  for (let i = 0; i < 3660 && d < end; i++) {
    d.setUTCDate(d.getUTCDate() + 1);
    const day = d.getUTCDay();
    const iso = d.toISOString().slice(0, 10);
    if (day !== 0 && day !== 6 && !holiday(iso)) n++;
  }
  return n;
}

async function mailSeatHolders(ctx: ModuleContext, db: ApprovalsDb, requestId: number, onlyApprover: number | undefined, subjectKey: string, at?: { round?: number; step?: number; phase?: string }): Promise<number> {
  const req = await q.findRequest(db, requestId);
  if (!req) return 0;
  // A step that closed before its mail left gets none: the next step's own job mails its
  // approvers (a late job, e.g. after a restart, would otherwise mail them twice).
  if (at && at.step !== undefined && (req.round !== at.round || req.step_index !== at.step || req.phase !== at.phase)) return 0;
  const ver = await q.findVersion(db, req.type_version_id);
  const requester = await q.findPerson(db, req.requester_id);
  let sent = 0;
  for (const seat of await q.openSeats(db, req)) {
    if (onlyApprover !== undefined && seat.approver_id !== onlyApprover) continue;
    const who = await q.findPerson(db, seat.approver_id);
    if (!who || who.status !== 'active') continue;
    const token = await createLink(db, LINK_PURPOSE, 'staff', seat.id, who.email, LINK_VALID_SECONDS);
    const loc = who.locale === 'en' ? 'en' : 'fr';
    const type = loc === 'en' ? ver?.name_en : ver?.name_fr;
    await ctx.mailer.queue(db, {
      to: who.email,
      subject: text(loc, subjectKey, { type: type ?? '', requester: requester?.name ?? '' }),
      text: [
        text(loc, 'approvals.mail.step_body', { title: req.title, requester: requester?.name ?? '', step: (req.step_index ?? 0) + 1 }),
        '',
        text(loc, 'approvals.mail.open', { url: `${ctx.config.publicUrl}/demandes/${req.id}` }),
        text(loc, 'approvals.mail.act', { url: `${ctx.config.publicUrl}/approbations/lien/${token}` }),
      ].join('\n'),
    });
    sent++;
  }
  return sent;
}

type NotifyPayload = { requestId: number; event: string; action?: string; comment?: string | null; seatApprover?: number; round?: number; step?: number; phase?: string };

async function notifyOnce(ctx: ModuleContext, d: ApprovalsDb, payload: NotifyPayload): Promise<{ sent: number }> {
  if (payload.event === 'step_opened') return { sent: await mailSeatHolders(ctx, d, payload.requestId, undefined, 'approvals.mail.step_subject', payload) };
  if (payload.event === 'seat_moved' || payload.event === 'escalated') return { sent: await mailSeatHolders(ctx, d, payload.requestId, payload.seatApprover, 'approvals.mail.step_subject') };
  if (payload.event === 'reminder') return { sent: await mailSeatHolders(ctx, d, payload.requestId, undefined, 'approvals.mail.reminder_subject') };
  const req = await q.findRequest(d, payload.requestId);
  const requester = req && (await q.findPerson(d, req.requester_id));
  if (!req || !requester || requester.status !== 'active') return { sent: 0 };
  const loc = requester.locale === 'en' ? 'en' : 'fr';
  const outcome = text(loc, `approvals.mail.outcome.${payload.action ?? 'approved'}`);
  await ctx.mailer.queue(d, {
    to: requester.email,
    subject: text(loc, 'approvals.mail.decided_subject', { title: req.title.slice(0, 80), outcome }),
    text: [text(loc, 'approvals.mail.decided_body', { title: req.title, outcome }), '', text(loc, 'approvals.mail.open', { url: `${ctx.config.publicUrl}/demandes/${req.id}` })].join('\n'),
  });
  return { sent: 1 };
}

/**
 * Mails of one transition, queued once. The mails and the job's result commit together: a
 * process killed after that commit but before the runner marked the job done leaves the job to
 * be taken again, and that attempt finds the result and queues nothing more (kill -9 test,
 * test/ops-fault-approvals.test.ts). Killed before the commit, nothing was queued.
 */
export const notifyJob: JobHandler = async (payload: NotifyPayload, { db, job }) => {
  const ctx = contextFor(db);
  const d: ApprovalsDb = db;
  return d.transaction().execute(async (trx) => {
    const done = await trx.selectFrom('jobs').select('result').where('id', '=', job.id).executeTakeFirst();
    if (done?.result) return JSON.parse(done.result) as { sent: number };
    const out = await notifyOnce(ctx, trx, payload);
    const marked = await trx.updateTable('jobs').set({ result: JSON.stringify(out) }).where('id', '=', job.id).where('result', 'is', null).executeTakeFirst();
    // Another attempt committed first (two instances taking a stale job at once): this one rolls back.
    if (Number(marked.numUpdatedRows) !== 1) throw new Error('approvals.notify: already done by another attempt');
    return out;
  });
};

/** Reminders and escalation of steps left waiting, and seats of people absent today. */
export async function sweep(db: ApprovalsDb, now = new Date(), pageSize = 500): Promise<{ reminded: number; escalated: number; moved: number }> {
  const today = todayParis(now);
  let reminded = 0;
  let escalated = 0;
  const moved = await db.transaction().execute((trx) => moveSeatsOfAbsent(trx, SYSTEM_ACTOR));
  // A step opened today cannot be late: only older ones are read, page after page.
  const versions = new Map<number, ReturnType<typeof parseDefinition>['options']>();
  let after = 0;
  for (;;) {
    const page = await q.pendingStepsOpenedBefore(db, `${today}T00:00:00.000Z`, after, pageSize);
    if (!page.length) break;
    after = page[page.length - 1].id;
    for (const req of page) {
      if (!versions.has(req.type_version_id)) {
        const ver = await q.findVersion(db, req.type_version_id);
        versions.set(req.type_version_id, ver ? parseDefinition(ver.definition).options : {});
      }
      const r = await sweepOne(db, req, versions.get(req.type_version_id) ?? {}, today);
      reminded += r.reminded;
      escalated += r.escalated;
    }
  }
  return { reminded, escalated, moved };
}

async function sweepOne(db: ApprovalsDb, req: ApprovalRequestRow, options: TypeOptions, today: string): Promise<{ reminded: number; escalated: number }> {
  let reminded = 0;
  let escalated = 0;
  if (!req.step_opened_at || (!options.remindAfterDays && !options.escalateAfterDays)) return { reminded, escalated };
  const waited = workingDaysBetween(todayParis(new Date(req.step_opened_at)), today);
  if (options.escalateAfterDays && !req.escalated_at && waited >= options.escalateAfterDays) {
    await db.transaction().execute(async (trx) => {
      const fresh = await q.findRequest(trx, req.id);
      if (!fresh || fresh.escalated_at || fresh.step_index !== req.step_index || fresh.round !== req.round) return;
      for (const seat of await q.openSeats(trx, fresh)) {
        const to = await replaceSeat(trx, seat, 'escalation', false);
        if (to === null) continue;
        escalated++;
        await trx
          .insertInto('approval_history')
          .values({ request_id: fresh.id, at: nowIso(), actor_id: null, actor_label: SYSTEM_ACTOR.label, action: 'escalated', comment: null, type_version_id: fresh.type_version_id, step_index: fresh.step_index, from_status: fresh.status, to_status: fresh.status })
          .execute();
        await record(trx, SYSTEM_ACTOR, { entity: 'approval_request', entityId: fresh.id, action: 'escalate', changes: { approver: [seat.approver_id, to], waited_days: waited } });
        await ctxQueue(trx, fresh.id, 'escalated', to);
      }
      await trx.updateTable('approval_requests').set({ escalated_at: nowIso(), reminded_at: fresh.reminded_at ?? nowIso() }).where('id', '=', fresh.id).execute();
    });
  } else if (options.remindAfterDays && !req.reminded_at && waited >= options.remindAfterDays) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('approval_requests').set({ reminded_at: nowIso() }).where('id', '=', req.id).where('reminded_at', 'is', null).execute();
      await trx
        .insertInto('approval_history')
        .values({ request_id: req.id, at: nowIso(), actor_id: null, actor_label: SYSTEM_ACTOR.label, action: 'reminded', comment: null, type_version_id: req.type_version_id, step_index: req.step_index, from_status: req.status, to_status: req.status })
        .execute();
      await record(trx, SYSTEM_ACTOR, { entity: 'approval_request', entityId: req.id, action: 'remind', changes: { waited_days: waited } });
      await ctxQueue(trx, req.id, 'reminder');
    });
    reminded++;
  }
  return { reminded, escalated };
}

async function ctxQueue(db: ApprovalsDb, requestId: number, event: string, seatApprover?: number): Promise<void> {
  await enqueue(db, 'approvals.notify', { requestId, event, seatApprover });
}

export const sweepJob: JobHandler = async (_payload, { db, job }) => sweep(db, new Date(job.run_at));
