// The approval engine through its API (as the leave module uses it): versions, steps, the
// lifecycle, nobody approving their own request, absences and deputies, separation of duties,
// optimistic locking, history and audit, owner hooks, reminders and escalation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { SYSTEM_ACTOR, type Actor } from '../src/platform/audit/audit.js';
import { setManager, type User } from '../src/platform/auth/users.js';
import { isAppError } from '../src/platform/errors.js';
import {
  approvalsModule, approve, clearAbsence, defineSystemType, getRequest, listRequestsFor, recordAbsence, refuse, registerOwnerHooks, requestCancellation, resubmit, sendBack, setDeputy,
  submitRequest, withdraw, type OwnerEvent,
} from '../src/modules/approvals/index.js';
import { createType, editType } from '../src/modules/approvals/types.service.js';
import { sweep, workingDaysBetween } from '../src/modules/approvals/notify.service.js';
import { todayParis } from '../src/modules/approvals/engine.service.js';
import { count, createTestApp, makeUser, type TestApp } from './helpers.js';

let t: TestApp;
const actorOf = (u: User, roles: string[]): Actor => ({ id: u.id, label: u.email, kind: 'staff', roles, permissions: permissionsOf(roles) });
const tx = <T>(fn: (db: TestApp['db']) => Promise<T>) => t.db.transaction().execute(fn);
async function failure(p: Promise<unknown>): Promise<{ kind: string; code: string; fields?: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return { kind: e.kind, code: e.code, fields: e.fields };
    throw e;
  }
  throw new Error('expected a failure');
}

const events: OwnerEvent[] = [];
registerOwnerHooks('testowner', {
  approved: async (db, e) => {
    events.push(e);
    await db.insertInto('settings').values({ key: `approved:${e.request.owner_ref}`, value: '1', updated_at: new Date().toISOString() }).execute();
  },
  refused: async (_db, e) => void events.push(e),
  cancelled: async (_db, e) => void events.push(e),
  withdrawn: async (_db, e) => void events.push(e),
});

// A little organisation: direction ← boss ← manager ← staff; hr; two accountants.
let director: User, boss: User, manager: User, staff: User, hr: User, acc1: User, acc2: User, deputy: User;
let A: Record<string, Actor>;

beforeAll(async () => {
  t = await createTestApp({ modules: [approvalsModule] });
  director = await makeUser(t.db, ['direction']);
  boss = await makeUser(t.db, ['manager']);
  manager = await makeUser(t.db, ['manager']);
  staff = await makeUser(t.db, ['staff']);
  hr = await makeUser(t.db, ['hr']);
  acc1 = await makeUser(t.db, ['accounting']);
  acc2 = await makeUser(t.db, ['accounting']);
  deputy = await makeUser(t.db, ['staff']);
  await setManager(t.db, SYSTEM_ACTOR, boss.id, director.id);
  await setManager(t.db, SYSTEM_ACTOR, manager.id, boss.id);
  await setManager(t.db, SYSTEM_ACTOR, staff.id, manager.id);
  await setManager(t.db, SYSTEM_ACTOR, hr.id, boss.id);
  A = {
    director: actorOf(director, ['direction']),
    boss: actorOf(boss, ['manager']),
    manager: actorOf(manager, ['manager']),
    staff: actorOf(staff, ['staff']),
    hr: actorOf(hr, ['hr']),
    acc1: actorOf(acc1, ['accounting']),
    acc2: actorOf(acc2, ['accounting']),
    deputy: actorOf(deputy, ['staff']),
  };
  await tx((db) =>
    defineSystemType(db, {
      code: 'test-leave',
      owner: 'testowner',
      name: { fr: 'Congés (test)', en: 'Leave (test)' },
      steps: [
        { id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] },
        { id: 'hr', mode: 'any', approvers: [{ kind: 'role', role: 'hr' }], when: { field: 'days', op: 'gt', value: 5 } },
      ],
      options: { cancellationThroughSteps: true, remindAfterDays: 2, escalateAfterDays: 4 },
    }),
  );
});
afterAll(async () => t?.close());

const openSeats = async (id: number) => (await getRequest(t.db, SYSTEM_ACTOR, id)).seats.filter((s) => s.state === 'open').map((s) => s.approver_id);

describe('system types and the lifecycle', () => {
  it('defineSystemType is idempotent: a second call returns the same version', async () => {
    const again = await tx((db) => defineSystemType(db, { code: 'test-leave', owner: 'testowner', name: { fr: 'x', en: 'x' }, steps: [{ id: 'a', mode: 'any', approvers: [{ kind: 'manager' }] }] }));
    const types = await t.db.selectFrom('approval_type_versions').selectAll().where('type_id', '=', again.typeId).execute();
    expect(types).toHaveLength(1);
    expect(await failure(tx((db) => defineSystemType(db, { code: 'test-leave', owner: 'other', name: { fr: 'x', en: 'x' }, steps: [] })))).toMatchObject({ kind: 'conflict' });
  });

  it('a short request needs the manager only; approval runs the owner hook in the same transaction, with history and audit', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 3 }, 'L1', { title: 'CP 3 jours' }));
    expect(r.status).toBe('pending');
    expect(r.step_index).toBe(0);
    expect(await openSeats(r.id)).toEqual([manager.id]);
    const todo = await listRequestsFor(t.db, A.manager, { scope: 'to_approve' });
    expect(todo.items.map((x) => x.id)).toContain(r.id);
    // The requester cannot approve, nor can someone without a seat.
    expect(await failure(tx((db) => approve(db, A.staff, r.id, r.version)))).toMatchObject({ kind: 'forbidden', code: 'approvals.own_request' });
    expect(await failure(tx((db) => approve(db, A.hr, r.id, r.version)))).toMatchObject({ kind: 'forbidden', code: 'approvals.not_your_step' });
    const done = await tx((db) => approve(db, A.manager, r.id, r.version, 'Bonnes vacances'));
    expect(done.status).toBe('approved');
    expect(events.at(-1)).toMatchObject({ action: 'approved', request: { id: r.id, owner_ref: 'L1' } });
    expect(await count(t.db, 'settings', ['key', 'approved:L1'])).toBe(1);
    const view = await getRequest(t.db, A.staff, r.id);
    expect(view.history.map((h) => h.action)).toEqual(['submit', 'step_opened', 'approve', 'approved']);
    expect(view.history.every((h) => h.type_version_id === r.type_version_id)).toBe(true);
    expect(view.history.find((h) => h.action === 'approve')).toMatchObject({ actor_id: manager.id, comment: 'Bonnes vacances' });
    expect(await count(t.db, 'audit_log', ['entity', 'approval_request'])).toBeGreaterThanOrEqual(3);
    // Notifications were queued with the transitions.
    expect(await count(t.db, 'jobs', ['kind', 'approvals.notify'])).toBeGreaterThanOrEqual(2);
  });

  it('a long request goes on to HR; a hook that throws rolls the whole transition back', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 8 }, 'L2'));
    const r2 = await tx((db) => approve(db, A.manager, r.id, r.version));
    expect(r2).toMatchObject({ status: 'pending', step_index: 1 });
    expect(await openSeats(r.id)).toEqual([hr.id]);
    registerOwnerHooks('testowner', {
      approved: async () => {
        const { invalid } = await import('../src/platform/errors.js');
        throw invalid('leave.balance_exceeded');
      },
    });
    const err = await failure(tx((db) => approve(db, A.hr, r.id, r2.version)));
    expect(err.code).toBe('leave.balance_exceeded');
    const after = await getRequest(t.db, SYSTEM_ACTOR, r.id);
    expect(after.request).toMatchObject({ status: 'pending', step_index: 1, version: r2.version });
    expect(after.history.map((h) => h.action)).not.toContain('approved');
    registerOwnerHooks('testowner', { approved: async (_db, e) => void events.push(e), refused: async (_db, e) => void events.push(e), cancelled: async (_db, e) => void events.push(e), withdrawn: async (_db, e) => void events.push(e) });
    expect((await tx((db) => approve(db, A.hr, r.id, r2.version))).status).toBe('approved');
  });

  it('a stale version is a 409 and changes nothing', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'L3'));
    const err = await failure(tx((db) => approve(db, A.manager, r.id, r.version - 1)));
    expect(err).toMatchObject({ kind: 'conflict', code: 'common.stale_version' });
    expect((await getRequest(t.db, SYSTEM_ACTOR, r.id)).request.status).toBe('pending');
  });

  it('refusing needs a reason; sending back needs a comment; both change nothing without', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 2 }, 'L4'));
    expect(await failure(tx((db) => refuse(db, A.manager, r.id, r.version, '  ')))).toMatchObject({ kind: 'invalid', fields: { comment: 'approvals.reason_required' } });
    expect(await failure(tx((db) => sendBack(db, A.manager, r.id, r.version, '')))).toMatchObject({ kind: 'invalid', fields: { comment: 'approvals.comment_required' } });
    expect((await getRequest(t.db, SYSTEM_ACTOR, r.id)).request.version).toBe(r.version);
    const refused = await tx((db) => refuse(db, A.manager, r.id, r.version, 'Période chargée'));
    expect(refused.status).toBe('refused');
    expect(events.at(-1)).toMatchObject({ action: 'refused', comment: 'Période chargée' });
    expect(await failure(tx((db) => withdraw(db, A.staff, r.id, refused.version)))).toMatchObject({ kind: 'conflict', code: 'approvals.cannot_withdraw' });
  });

  it('sent back, edited and resubmitted: the route starts again at step 1', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 8 }, 'L5'));
    const s1 = await tx((db) => approve(db, A.manager, r.id, r.version));
    const back = await tx((db) => sendBack(db, A.hr, r.id, s1.version, 'Précisez les dates'));
    expect(back.status).toBe('changes_requested');
    expect(await failure(tx((db) => resubmit(db, A.manager, r.id, back.version)))).toMatchObject({ kind: 'forbidden' });
    const again = await tx((db) => resubmit(db, A.staff, r.id, back.version, { days: 9 }));
    expect(again).toMatchObject({ status: 'pending', step_index: 0, round: 2 });
    expect(await openSeats(r.id)).toEqual([manager.id]);
  });

  it('the requester withdraws before the decision; the owner hears of it', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'L6'));
    expect(await failure(tx((db) => withdraw(db, A.manager, r.id, r.version)))).toMatchObject({ kind: 'forbidden', code: 'approvals.requester_only' });
    const w = await tx((db) => withdraw(db, A.staff, r.id, r.version));
    expect(w.status).toBe('withdrawn');
    expect(await openSeats(r.id)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ action: 'withdrawn' });
  });

  it('cancelling an approved request goes through the steps again; a refused cancellation leaves it approved', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'L7'));
    const ok = await tx((db) => approve(db, A.manager, r.id, r.version));
    const c = await tx((db) => requestCancellation(db, A.staff, r.id, ok.version, 'Projet déplacé'));
    expect(c).toMatchObject({ status: 'cancellation_pending', phase: 'cancellation', step_index: 0 });
    const no = await tx((db) => refuse(db, A.manager, r.id, c.version, 'Trop tard'));
    expect(no.status).toBe('approved');
    const c2 = await tx((db) => requestCancellation(db, A.staff, r.id, no.version));
    const yes = await tx((db) => approve(db, A.manager, r.id, c2.version));
    expect(yes.status).toBe('cancelled');
    expect(events.at(-1)).toMatchObject({ action: 'cancelled', request: { id: r.id } });
  });
});

describe('cancellation without the steps', () => {
  it('a type that does not route cancellations cancels at once, and the owner hears of it; only the requester may ask', async () => {
    await tx((db) => defineSystemType(db, { code: 'quick-cancel', owner: 'testowner', name: { fr: 'Q', en: 'Q' }, steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }] }));
    const r = await tx((db) => submitRequest(db, A.staff, 'quick-cancel', {}, 'Q1'));
    expect(await failure(tx((db) => requestCancellation(db, A.staff, r.id, r.version)))).toMatchObject({ kind: 'conflict', code: 'approvals.cannot_cancel' });
    const ok = await tx((db) => approve(db, A.manager, r.id, r.version));
    expect(await failure(tx((db) => requestCancellation(db, A.manager, r.id, ok.version)))).toMatchObject({ kind: 'forbidden' });
    const c = await tx((db) => requestCancellation(db, A.staff, r.id, ok.version, 'Plus nécessaire'));
    expect(c.status).toBe('cancelled');
    expect(events.at(-1)).toMatchObject({ action: 'cancelled', request: { owner_ref: 'Q1' }, comment: 'Plus nécessaire' });
  });
});

describe('types without code: versions', () => {
  it('editing a type writes a new version; a request under way keeps the one it started with', async () => {
    const admin: Actor = { ...A.hr, permissions: permissionsOf(['hr']) };
    const typeId = await tx((db) =>
      createType(db, admin, { code: 'materiel', name_fr: 'Matériel', name_en: 'Equipment', definition: { fields: [{ name: 'objet', label: { fr: 'Objet', en: 'Item' }, kind: 'text', required: true }], steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }], options: {} } }),
    );
    const r = await tx((db) => submitRequest(db, A.staff, 'materiel', { objet: 'Écran' }, null));
    const type = await t.db.selectFrom('approval_types').selectAll().where('id', '=', typeId).executeTakeFirstOrThrow();
    await tx((db) =>
      editType(db, admin, typeId, type.version, {
        name_fr: 'Matériel',
        name_en: 'Equipment',
        active: true,
        definition: { fields: [{ name: 'objet', label: { fr: 'Objet', en: 'Item' }, kind: 'text', required: true }], steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }, { id: 'compta', mode: 'any', approvers: [{ kind: 'role', role: 'accounting' }] }], options: {} },
      }),
    );
    expect(await count(t.db, 'approval_type_versions', ['type_id', typeId])).toBe(2);
    // The old request: one step, approved by the manager alone.
    expect((await tx((db) => approve(db, A.manager, r.id, r.version))).status).toBe('approved');
    // A new one: two steps.
    const r2 = await tx((db) => submitRequest(db, A.staff, 'materiel', { objet: 'Clavier' }, null));
    expect(r2.type_version_id).not.toBe(r.type_version_id);
    expect((await tx((db) => approve(db, A.manager, r2.id, r2.version))).status).toBe('pending');
    expect(await openSeats(r2.id)).toEqual([acc1.id, acc2.id]);
    // staff may not define types
    expect(await failure(tx((db) => createType(db, A.staff, { code: 'x1', name_fr: 'x', name_en: 'x', definition: { fields: [], steps: [], options: {} } })))).toMatchObject({ kind: 'forbidden' });
  });
});

describe('who sits on a step', () => {
  it('nobody approves their own request: the only HR asking goes to the next level up', async () => {
    await tx((db) => defineSystemType(db, { code: 'hr-only', owner: 'testowner', name: { fr: 'RH', en: 'HR' }, steps: [{ id: 'hr', mode: 'any', approvers: [{ kind: 'role', role: 'hr' }] }] }));
    const r = await tx((db) => submitRequest(db, A.hr, 'hr-only', {}, 'H1'));
    expect(await openSeats(r.id)).toEqual([boss.id]); // hr's manager
    const view = await getRequest(t.db, A.boss, r.id);
    expect(view.seats[0]).toMatchObject({ reason: 'level_up', replaces_id: hr.id });
    expect(view.can.approve).toBe(true);
  });

  it('"all of": each named approver must approve before the next step', async () => {
    await tx((db) => defineSystemType(db, { code: 'two-keys', owner: 'testowner', name: { fr: 'Deux clés', en: 'Two keys' }, steps: [{ id: 'both', mode: 'all', approvers: [{ kind: 'user', userId: acc1.id }, { kind: 'user', userId: acc2.id }] }] }));
    const r = await tx((db) => submitRequest(db, A.staff, 'two-keys', {}, 'K1'));
    const one = await tx((db) => approve(db, A.acc1, r.id, r.version));
    expect(one.status).toBe('pending');
    expect(await openSeats(r.id)).toEqual([acc2.id]);
    expect((await tx((db) => approve(db, A.acc2, r.id, one.version))).status).toBe('approved');
  });

  it('separation of duties: whoever approved as orderer is left out of the payment step', async () => {
    await tx((db) =>
      defineSystemType(db, {
        code: 'spend-test',
        owner: 'testowner',
        name: { fr: 'Dépense', en: 'Spending' },
        steps: [
          { id: 'order', mode: 'any', approvers: [{ kind: 'role', role: 'accounting' }] },
          { id: 'payment', mode: 'any', approvers: [{ kind: 'role', role: 'accounting' }] },
        ],
        options: { separateDuties: [['order', 'payment']] },
      }),
    );
    const r = await tx((db) => submitRequest(db, A.staff, 'spend-test', { amount: 120000 }, 'S1'));
    const s1 = await tx((db) => approve(db, A.acc1, r.id, r.version));
    expect(s1.step_index).toBe(1);
    expect(await openSeats(r.id)).toEqual([acc2.id]);
    expect(await failure(tx((db) => approve(db, A.acc1, r.id, s1.version)))).toMatchObject({ kind: 'forbidden' });
  });

  it('an approver absent today is replaced by their deputy, else by their manager; recording an absence moves open seats', async () => {
    const today = todayParis();
    await tx((db) => recordAbsence(db, SYSTEM_ACTOR, manager.id, today, today, 'leave:99'));
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'D1'));
    expect(await openSeats(r.id)).toEqual([boss.id]);
    await tx((db) => setDeputy(db, A.manager, manager.id, deputy.id));
    const r2 = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'D2'));
    expect(await openSeats(r2.id)).toEqual([deputy.id]);
    await tx((db) => clearAbsence(db, SYSTEM_ACTOR, manager.id, 'leave:99'));
    const r3 = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'D3'));
    expect(await openSeats(r3.id)).toEqual([manager.id]);
    // The manager goes on leave today: the open seat moves to the deputy at once.
    await tx((db) => recordAbsence(db, SYSTEM_ACTOR, manager.id, today, today, 'leave:100'));
    expect(await openSeats(r3.id)).toEqual([deputy.id]);
    expect((await getRequest(t.db, SYSTEM_ACTOR, r3.id)).history.map((h) => h.action)).toContain('reassigned_absent');
    await tx((db) => clearAbsence(db, SYSTEM_ACTOR, manager.id, 'leave:100'));
    await tx((db) => setDeputy(db, A.manager, manager.id, null));
    expect(await failure(tx((db) => setDeputy(db, A.manager, manager.id, manager.id)))).toMatchObject({ kind: 'invalid' });
    expect(await failure(tx((db) => recordAbsence(db, SYSTEM_ACTOR, manager.id, '2026-02-10', '2026-02-01', 'x')))).toMatchObject({ kind: 'invalid' });
  });
});

describe('reminders and escalation', () => {
  it('working days skip weekends and the holidays given', () => {
    // Friday 2026-12-04 → Tuesday 2026-12-08: Monday and Tuesday.
    expect(workingDaysBetween('2026-12-04', '2026-12-08', () => false)).toBe(2);
    expect(workingDaysBetween('2026-12-04', '2026-12-08', (d) => d === '2026-12-07')).toBe(1);
    expect(workingDaysBetween('2026-12-08', '2026-12-08', () => false)).toBe(0);
  });

  it('a step left waiting gets one reminder, then goes to the next level up', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'E1'));
    // Opened on a Monday; the sweep runs on the Thursday (3 working days: reminder) then the next Monday (5: escalation).
    await t.db.updateTable('approval_requests').set({ step_opened_at: '2026-11-30T09:00:00.000Z' }).where('id', '=', r.id).execute();
    const first = await sweep(t.db, new Date('2026-12-03T10:00:00Z'));
    expect(first.reminded).toBeGreaterThanOrEqual(1);
    const again = await sweep(t.db, new Date('2026-12-03T11:00:00Z'));
    expect(again.reminded).toBe(0);
    expect(await openSeats(r.id)).toEqual([manager.id]);
    const late = await sweep(t.db, new Date('2026-12-07T10:00:00Z'));
    expect(late.escalated).toBeGreaterThanOrEqual(1);
    expect(await openSeats(r.id)).toEqual([boss.id]);
    const view = await getRequest(t.db, A.boss, r.id);
    expect(view.history.map((h) => h.action)).toEqual(expect.arrayContaining(['reminded', 'escalated']));
    expect((await tx((db) => approve(db, A.boss, r.id, view.request.version))).status).toBe('approved');
  });
});

describe('the sweep walks every waiting request', () => {
  it('requests of types without reminders do not hide a later one that needs its reminder (regression: a fixed first page)', async () => {
    await tx((db) => defineSystemType(db, { code: 'no-remind', owner: 'testowner', name: { fr: 'N', en: 'N' }, steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }] }));
    const quiet = await tx((db) => submitRequest(db, A.staff, 'no-remind', {}, 'N1'));
    const quiet2 = await tx((db) => submitRequest(db, A.staff, 'no-remind', {}, 'N2'));
    const late = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'N3'));
    await t.db.updateTable('approval_requests').set({ step_opened_at: '2026-11-30T09:00:00.000Z' }).where('id', 'in', [quiet.id, quiet2.id, late.id]).execute();
    // Pages of one request: the two quiet ones come first.
    await sweep(t.db, new Date('2026-12-03T10:00:00Z'), 1);
    expect((await getRequest(t.db, SYSTEM_ACTOR, late.id)).request.reminded_at).not.toBeNull();
    expect((await getRequest(t.db, SYSTEM_ACTOR, quiet.id)).request.reminded_at).toBeNull();
  });
});

describe('visibility', () => {
  it('a request is seen by its requester, its approvers and approvals:admin only', async () => {
    const r = await tx((db) => submitRequest(db, A.staff, 'test-leave', { days: 1 }, 'V1'));
    expect(await failure(getRequest(t.db, A.acc1, r.id))).toMatchObject({ kind: 'not_found' });
    expect((await getRequest(t.db, A.hr, r.id)).request.id).toBe(r.id);
    expect((await getRequest(t.db, A.manager, r.id)).can.approve).toBe(true);
    expect(await failure(listRequestsFor(t.db, A.staff, { scope: 'all' }))).toMatchObject({ kind: 'forbidden' });
    const mine = await listRequestsFor(t.db, A.staff, { scope: 'mine', ownerRef: 'V1' });
    expect(mine.items.map((x) => x.id)).toEqual([r.id]);
  });
});
