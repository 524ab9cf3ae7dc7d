// Leave benchmark: the team calendar of a month (a page of 50 people, one row each) with
// STAFF people and REQUESTS leave requests over three years, against the raw query of the same
// run (the month's absences, read on the same handle, nothing rendered). In process, through
// fastify.inject with a real session, so the figure is the server's time, not the network's.
// Usage: npx tsx bench/leave.ts   [STAFF=500] [REQUESTS=20000] [N=200 samples]
//        TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run on a throwaway PostgreSQL database
import { approvalsModule } from '../src/modules/approvals/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { leaveModule } from '../src/modules/leave/index.js';
import { addDays, monthBounds, todayInParis } from '../src/modules/leave/dates.js';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { TEAM_PAGE, teamMonth } from '../src/modules/leave/calendar.service.js';
import { absencesBetween, activeStaff } from '../src/modules/leave/leave.queries.js';
import type { LeaveDb } from '../src/modules/leave/leave.table.js';
import { agent, createTestApp, makeUser } from '../test/helpers.js';
import { loadavg } from 'node:os';
import { machine, ms, ratio, timeIt, writeResult } from './lib.js';

const STAFF = Number(process.env.STAFF ?? 500);
const REQUESTS = Number(process.env.REQUESTS ?? 20000);
const N = Number(process.env.N ?? 200);
const onPg = Boolean(process.env.TEST_DATABASE_URL);

const t = await createTestApp({ modules: [approvalsModule, directoryModule, leaveModule] });
try {
  const db: LeaveDb = t.db;
  const now = new Date().toISOString();
  const t0 = performance.now();
  const group = await db.insertInto('leave_groups').values({ name: 'Bench', unit: 'ouvres', calendar: 'general', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const users: number[] = [];
  for (let i = 0; i < STAFF; i += 250) {
    const rows = Array.from({ length: Math.min(250, STAFF - i) }, (_, k) => ({ email: `bench${i + k}@bench.cci.fr`, name: `Agent ${String(i + k).padStart(4, '0')}`, status: 'active' as const, locale: 'fr', totp_enabled: 0, failed_sign_ins: 0, created_at: now, updated_at: now }));
    users.push(...(await db.insertInto('users').values(rows).returning('id').execute()).map((r) => r.id));
  }
  for (let i = 0; i < users.length; i += 250) {
    await db.insertInto('leave_members').values(users.slice(i, i + 250).map((u) => ({ user_id: u, group_id: group.id, non_working_days: '', starts_on: '2024-01-01', created_at: now, updated_at: now }))).execute();
  }
  const cp = await db.selectFrom('leave_kinds').select('id').where('code', '=', 'CP').executeTakeFirstOrThrow();
  const today = todayInParis();
  const statuses = ['approved', 'approved', 'approved', 'pending', 'refused', 'cancelled'] as const;
  // Requests spread over three years around today: ~1 to 10 days each.
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < REQUESTS; i += 500) {
    const rows = Array.from({ length: Math.min(500, REQUESTS - i) }, () => {
      const start = addDays(today, Math.floor(rnd() * 1095) - 730);
      const len = 1 + Math.floor(rnd() * 10);
      return { user_id: users[Math.floor(rnd() * users.length)]!, kind_id: cp.id, start_date: start, start_half: null, end_date: addDays(start, len - 1), end_half: null, days: len, period_start: `${start.slice(0, 4)}-06-01`, status: statuses[Math.floor(rnd() * statuses.length)]!, comment: '', created_at: now, updated_at: now };
    });
    await db.insertInto('leave_requests').values(rows).execute();
  }
  const loadMs = performance.now() - t0;

  const viewer = await makeUser(t.db, ['hr']);
  const a = agent(t);
  await a.signIn(viewer.email);
  const month = today.slice(0, 7);
  const { from, to } = monthBounds(month);
  const first = await a.get(`/conges/equipe?mois=${month}`);
  if (first.status !== 200) throw new Error(`team calendar → ${first.status}`);
  const rowsShown = (first.body.match(/<th scope="row">/g) ?? []).length;
  // The page shows 50 people at a time (TEAM_PAGE): the raw query is the same read for the same 50.
  const pagePeople = (await activeStaff(t.app.ctx.reads)).slice(0, TEAM_PAGE).map((p) => p.id);
  const absences = (await absencesBetween(t.app.ctx.reads, from, to, pagePeople)).length;

  const raw = await timeIt(() => absencesBetween(t.app.ctx.reads, from, to, pagePeople), N);
  const actor = { id: viewer.id, label: viewer.email, kind: 'staff' as const, roles: ['hr'], permissions: permissionsOf(['hr']) };
  const data = await timeIt(() => teamMonth(t.app.ctx.reads, actor, month), N);
  const page = await timeIt(async () => {
    const r = await a.get(`/conges/equipe?mois=${month}`);
    if (r.status !== 200) throw new Error(String(r.status));
  }, N);

  writeResult(
    `leave-${onPg ? 'postgres' : 'sqlite'}`,
    `# Leave — team calendar (${onPg ? 'PostgreSQL' : 'SQLite'})

${machine()} — ${new Date().toISOString().slice(0, 10)}

${STAFF} people, ${REQUESTS} requests over three years (loaded in ${(loadMs / 1000).toFixed(1)} s); the month ${month}, first page: ${rowsShown} rows (of ${STAFF + 1} people, ${TEAM_PAGE} a page), ${absences} absences. ${N} samples each, one at a time, after 20 warm-up runs.

| | p50 | p95 | p99 |
|---|---|---|---|
| raw query: the month's absences of the page's people (\`absencesBetween\` on \`ctx.reads\`) | ${ms(raw.p50)} | ${ms(raw.p95)} | ${ms(raw.p99)} |
| the page's data (\`teamMonth\`: people, services, absences, grid) | ${ms(data.p50)} | ${ms(data.p95)} | ${ms(data.p99)} |
| page \`/conges/equipe\` (session, people, services, grid of 50 × days, list, rendered) | ${ms(page.p50)} | ${ms(page.p95)} | ${ms(page.p99)} |

Page p95 / raw query p95: ${ratio(page.p95, raw.p95)}. Target: page p95 under 20 ms. Load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (a shared machine: figures are noisy).
`,
  );
} finally {
  await t.close();
}
