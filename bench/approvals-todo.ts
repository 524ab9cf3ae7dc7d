// Approvals benchmark (#13): the "to approve" list and the team calendar with STAFF people and
// REQUESTS leave requests going through the approval engine, each page against the raw query of
// the same run (the same rows, read on the same handle, nothing else). In process, through
// fastify.inject with a real session, so the figure is the server's time, not the network's.
//
// Data: 25 managers with their reports, one HR approver, every person in a staff group; the
// requests spread over three years, 50 % approved, 20 % pending (half at the manager's step, half
// at HR's), the rest refused, withdrawn or cancelled; each with its approval request, its seats
// (open ones for the pending) and its leave row. HR's list is the heavy one (~2,000 open seats);
// a manager's the typical one.
// Usage: npx tsx bench/approvals-todo.ts   [STAFF=500] [REQUESTS=20000] [N=200 samples]
//        TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run on a throwaway PostgreSQL database
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { approvalsModule, defineSystemType, listRequestsFor } from '../src/modules/approvals/index.js';
import type { ApprovalsDb } from '../src/modules/approvals/approvals.table.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { leaveModule } from '../src/modules/leave/index.js';
import { addDays, monthBounds, todayInParis } from '../src/modules/leave/dates.js';
import { TEAM_PAGE } from '../src/modules/leave/calendar.service.js';
import { absencesBetween, activeStaff } from '../src/modules/leave/leave.queries.js';
import { LEAVE_TYPE } from '../src/modules/leave/requests.service.js';
import type { LeaveDb } from '../src/modules/leave/leave.table.js';
import { permissionsOf } from '../src/platform/access/permissions.js';
import type { Actor } from '../src/platform/audit/audit.js';
import { agent, createTestApp, makeUser } from '../test/helpers.js';
import { machine, ms, ratio, timeIt, writeResult } from './lib.js';

const STAFF = Number(process.env.STAFF ?? 500);
const REQUESTS = Number(process.env.REQUESTS ?? 20000);
const N = Number(process.env.N ?? 200);
const MANAGERS = 25;
const onPg = Boolean(process.env.TEST_DATABASE_URL);

const t = await createTestApp({ modules: [approvalsModule, directoryModule, leaveModule] });
try {
  const db: LeaveDb & ApprovalsDb = t.db;
  const now = new Date().toISOString();
  const t0 = performance.now();
  const hrUser = await makeUser(t.db, ['hr'], { name: 'Hélène Bench RH' });
  const managerUsers = [];
  for (let i = 0; i < MANAGERS; i++) managerUsers.push(await makeUser(t.db, ['manager'], { name: `Manager ${String(i).padStart(2, '0')}` }));
  const managers = managerUsers.map((m) => m.id);
  const users: number[] = [];
  for (let i = 0; i < STAFF - MANAGERS - 1; i += 250) {
    const rows = Array.from({ length: Math.min(250, STAFF - MANAGERS - 1 - i) }, (_, k) => ({ email: `bench${i + k}@bench.cci.fr`, name: `Agent ${String(i + k).padStart(4, '0')}`, status: 'active' as const, locale: 'fr', totp_enabled: 0, failed_sign_ins: 0, manager_id: managers[(i + k) % MANAGERS], created_at: now, updated_at: now }));
    users.push(...(await db.insertInto('users').values(rows).returning('id').execute()).map((r) => r.id));
  }
  const managerOf = new Map(users.map((u, i) => [u, managers[i % MANAGERS]!]));
  const group = await db.insertInto('leave_groups').values({ name: 'Bench', unit: 'ouvres', calendar: 'general', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const everyone = [...users, ...managers, hrUser.id];
  for (let i = 0; i < everyone.length; i += 250) {
    await db.insertInto('leave_members').values(everyone.slice(i, i + 250).map((u) => ({ user_id: u, group_id: group.id, non_working_days: '', starts_on: '2024-01-01', created_at: now, updated_at: now }))).execute();
  }
  const { typeId, versionId } = await defineSystemType(db, LEAVE_TYPE);
  const cp = await db.selectFrom('leave_kinds').select('id').where('code', '=', 'CP').executeTakeFirstOrThrow();
  const today = todayInParis();
  // status of the leave, status of its approval, the step it waits at (pending only)
  const mix = [
    ['approved', 'approved', null], ['approved', 'approved', null], ['approved', 'approved', null], ['approved', 'approved', null], ['approved', 'approved', null],
    ['pending', 'pending', 0], ['pending', 'pending', 1],
    ['refused', 'refused', null], ['withdrawn', 'withdrawn', null], ['cancelled', 'cancelled', null],
  ] as const;
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < REQUESTS; i += 500) {
    const batch = Array.from({ length: Math.min(500, REQUESTS - i) }, () => {
      const user = users[Math.floor(rnd() * users.length)]!;
      const start = addDays(today, Math.floor(rnd() * 1095) - 730);
      const len = 1 + Math.floor(rnd() * 10);
      const [leaveStatus, status, step] = mix[Math.floor(rnd() * mix.length)]!;
      return { user, start, len, leaveStatus, status, step };
    });
    const leaves = await db
      .insertInto('leave_requests')
      .values(batch.map((b) => ({ user_id: b.user, kind_id: cp.id, start_date: b.start, start_half: null, end_date: addDays(b.start, b.len - 1), end_half: null, days: b.len, period_start: `${b.start.slice(0, 4)}-06-01`, status: b.leaveStatus, comment: '', created_at: now, updated_at: now })))
      .returning('id')
      .execute();
    const approvals = await db
      .insertInto('approval_requests')
      .values(
        batch.map((b, k) => ({
          type_id: typeId,
          type_version_id: versionId,
          requester_id: b.user,
          owner_ref: String(leaves[k]!.id),
          title: `CP ${b.start} (${b.len} j)`,
          href: `/conges/${leaves[k]!.id}`,
          payload: JSON.stringify({ days: b.len, kind: 'CP' }),
          status: b.status,
          phase: 'approval' as const,
          step_index: b.step,
          round: 1,
          step_opened_at: b.step === null ? null : now,
          reminded_at: null,
          escalated_at: null,
          submitted_at: now,
          decided_at: b.step === null ? now : null,
          created_at: now,
          updated_at: now,
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('approval_assignments')
      .values(
        batch.flatMap((b, k) => {
          const request_id = approvals[k]!.id;
          const manager = managerOf.get(b.user)!;
          const seat = (step_index: number, approver_id: number, state: 'open' | 'approved' | 'refused' | 'closed') => ({ request_id, round: 1, phase: 'approval' as const, step_index, slot: 0, approver_id, reason: 'step', replaces_id: null, state, decided_at: state === 'open' ? null : now, created_at: now });
          if (b.step === 0) return [seat(0, manager, 'open')];
          if (b.step === 1) return [seat(0, manager, 'approved'), seat(1, hrUser.id, 'open')];
          if (b.status === 'approved') return [seat(0, manager, 'approved'), seat(1, hrUser.id, 'approved')];
          return [seat(0, manager, b.status === 'refused' ? 'refused' : 'closed')];
        }),
      )
      .execute();
    for (let k = 0; k < batch.length; k++) await db.updateTable('leave_requests').set({ approval_id: approvals[k]!.id }).where('id', '=', leaves[k]!.id).execute();
  }
  // A PostgreSQL server analyses new tables by itself (autovacuum); this machine's runs with
  // autovacuum off, so the bench does it, or the planner reads 20,000 rows as if there were none.
  if (onPg) await sql`analyze`.execute(db);
  const loadMs = performance.now() - t0;
  const reads: LeaveDb & ApprovalsDb = t.app.ctx.reads;

  const actorOf = (u: { id: number; email: string }, roles: string[]): Actor => ({ id: u.id, label: u.email, kind: 'staff', roles, permissions: permissionsOf(roles) });
  /** The bare read behind the first page of "to approve": the approver's open seats, newest request first, 25 rows. */
  const rawToApprove = (approverId: number) =>
    sql<{ id: number }>`select r.id, r.title, r.status, r.step_index, u.name as requester_name, r.submitted_at
      from approval_assignments a join approval_requests r on r.id = a.request_id join users u on u.id = r.requester_id
      where a.approver_id = ${approverId} and a.state = 'open' order by r.id desc limit 25`.execute(reads);

  const measureList = async (who: { id: number; email: string }, roles: string[]) => {
    const session = agent(t);
    await session.signIn(who.email);
    const first = await session.get('/demandes/a-approuver');
    if (first.status !== 200) throw new Error(`/demandes/a-approuver → ${first.status}`);
    const actor = actorOf(who, roles);
    const open = (await listRequestsFor(reads, actor, { scope: 'to_approve' }, 1, 25)).total;
    const raw = await timeIt(() => rawToApprove(who.id), N);
    const engine = await timeIt(() => listRequestsFor(reads, actor, { scope: 'to_approve' }, 1, 25), N);
    const page = await timeIt(async () => {
      const r = await session.get('/demandes/a-approuver');
      if (r.status !== 200) throw new Error(String(r.status));
    }, N);
    const portal = await timeIt(async () => {
      const r = await session.get('/portail');
      if (r.status !== 200) throw new Error(String(r.status));
    }, N);
    return { open, raw, engine, page, portal };
  };
  const hr = await measureList(hrUser, ['hr']);
  const mgr = await measureList(managerUsers[0]!, ['manager']);

  // The team calendar of this month, first page of 50 people, as HR sees it.
  const month = today.slice(0, 7);
  const { from, to } = monthBounds(month);
  const calSession = agent(t);
  await calSession.signIn(hrUser.email);
  const firstCal = await calSession.get(`/conges/equipe?mois=${month}`);
  if (firstCal.status !== 200) throw new Error(`/conges/equipe → ${firstCal.status}`);
  const pagePeople = (await activeStaff(reads)).slice(0, TEAM_PAGE).map((p) => p.id);
  const absences = (await absencesBetween(reads, from, to, pagePeople)).length;
  const calRaw = await timeIt(() => absencesBetween(reads, from, to, pagePeople), N);
  const calPage = await timeIt(async () => {
    const r = await calSession.get(`/conges/equipe?mois=${month}`);
    if (r.status !== 200) throw new Error(String(r.status));
  }, N);

  const row = (label: string, s: { p50: number; p95: number; p99: number }) => `| ${label} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} |`;
  writeResult(
    `approvals-todo-${onPg ? 'postgres' : 'sqlite'}`,
    `# Approvals — "to approve" and the team calendar (${onPg ? 'PostgreSQL' : 'SQLite'})

${machine()} — ${STAFF} people (${MANAGERS} managers, one HR approver), ${REQUESTS} leave requests through the engine over three years (loaded in ${(loadMs / 1000).toFixed(1)} s). ${N} samples each, one at a time, after 20 warm-up runs. Load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} on 2 cores (a shared machine: figures are noisy).

**HR** (${hr.open} requests waiting for them)

| | p50 | p95 | p99 |
|---|---|---|---|
${row('raw query: first 25 open seats with their requests (`approval_assignments` ⋈ `approval_requests` ⋈ `users`)', hr.raw)}
${row('engine: `listRequestsFor(to_approve)` (count + page of 25)', hr.engine)}
${row('page `/demandes/a-approuver` (session, list, types, rendered)', hr.page)}
${row('portal `/portail` ("À traiter" of every module)', hr.portal)}

Page p95 / raw p95: ${ratio(hr.page.p95, hr.raw.p95)}.

**A manager** (${mgr.open} requests waiting for them)

| | p50 | p95 | p99 |
|---|---|---|---|
${row('raw query', mgr.raw)}
${row('engine: `listRequestsFor(to_approve)`', mgr.engine)}
${row('page `/demandes/a-approuver`', mgr.page)}
${row('portal `/portail`', mgr.portal)}

Page p95 / raw p95: ${ratio(mgr.page.p95, mgr.raw.p95)}.

**Team calendar** (${month}, first page of ${TEAM_PAGE} people, ${absences} absences)

| | p50 | p95 | p99 |
|---|---|---|---|
${row('raw query: the month\'s absences of the page\'s people (`absencesBetween`)', calRaw)}
${row('page `/conges/equipe`', calPage)}

Page p95 / raw p95: ${ratio(calPage.p95, calRaw.p95)}. Aim: each page's p95 under 20 ms.
`,
  );
} finally {
  await t.close();
}
