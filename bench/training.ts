// Training benchmark: the session planning page (/formation: the sessions of the period, 100 a
// page, with seats taken and the waiting list) with SESSIONS sessions and ~8 enrolments each,
// against the raw query of the same run (the page's 100 rows with their seat counts in one
// statement, nothing rendered). In process, through fastify.inject with a real session.
// Usage: npx tsx bench/training.ts   [SESSIONS=2000] [N=200 samples]
//        TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run on a throwaway PostgreSQL database
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { accountingModule } from '../src/modules/accounting/index.js';
import { extranetModule } from '../src/modules/extranet/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { trainingModule } from '../src/modules/training/index.js';
import { addDays, todayInParis } from '../src/modules/training/dates.js';
import { planning } from '../src/modules/training/sessions.service.js';
import type { TrainingDb } from '../src/modules/training/training.table.js';
import { agent, createTestApp, makeUser } from '../test/helpers.js';
import { machine, ms, ratio, timeIt, writeResult } from './lib.js';

const SESSIONS = Number(process.env.SESSIONS ?? 2000);
const N = Number(process.env.N ?? 200);
const onPg = Boolean(process.env.TEST_DATABASE_URL);

const t = await createTestApp({ modules: [registryModule, extranetModule, accountingModule, trainingModule] });
try {
  const db: TrainingDb = t.db;
  const now = new Date().toISOString();
  const today = todayInParis();
  const t0 = performance.now();
  const base = { summary: '', objectives: 'o', programme: 'p', prerequisites: '', audience: '', intra_day_cents: 0, vat_exempt: 1, visibility: 'public' as const, teaching_methods: '', assessment: '', access_delay: '', accessibility: 'a', results: '', active: 1, search_text: '', created_at: now, updated_at: now };
  const courses = await db.insertInto('training_courses').values(Array.from({ length: 20 }, (_, i) => ({ ...base, code: `C${i}`, slug: `cours-${i}`, title: `Formation ${i}`, duration_hours: 14, price_cents: 50000 }))).returning('id').execute();
  const rooms = await db.insertInto('training_rooms').values(Array.from({ length: 20 }, (_, i) => ({ name: `Salle ${i}`, capacity: 14, equipment: '', accessible: 1, active: 1, created_at: now, updated_at: now }))).returning('id').execute();
  const trainers = await db.insertInto('training_trainers').values(Array.from({ length: 40 }, (_, i) => ({ name: `Formateur ${i}`, email: `f${i}@bench.fr`, status: 'contract' as const, iban: null, bic: null, rate_face_cents: 6000, rate_prep_cents: 3000, rate_remote_cents: 5000, skills: '', active: 1, created_at: now, updated_at: now }))).returning('id').execute();
  // Sessions spread over the planning's default period (30 days back, 180 ahead).
  for (let i = 0; i < SESSIONS; i += 250) {
    const rows = Array.from({ length: Math.min(250, SESSIONS - i) }, (_, k) => {
      const n = i + k;
      const start = addDays(today, -30 + (n % 205));
      return { course_id: courses[n % courses.length].id, kind: 'inter' as const, company_id: null, room_id: rooms[n % rooms.length].id, trainer_id: trainers[n % trainers.length].id, remote: 0, start_date: start, end_date: addDays(start, 1), min_trainees: 4, max_trainees: 12, price_cents: 50000, status: 'planned' as const, notes: '', created_at: now, updated_at: now };
    });
    const ids = await db.insertInto('training_sessions').values(rows).returning('id').execute();
    const enrolments = ids.flatMap((s, k) =>
      Array.from({ length: 6 + ((i + k) % 5) }, (_, e) => ({ session_id: s.id, company_id: null, trainee_name: `Stagiaire ${e}`, trainee_email: `s${s.id}-${e}@bench.fr`, trainee_job: '', needs: '', status: e < 10 ? ('confirmed' as const) : ('waiting' as const), funding: 'company' as const, opco_name: '', opco_ref: '', price_cents: 50000, member_account_id: null, created_by: null, queued_at: now, confirmed_at: now, convocation_sent_at: null, cancelled_at: null, cancel_reason: null, late_cancel: 0, survey_token: null, created_at: now, updated_at: now })),
    );
    for (let j = 0; j < enrolments.length; j += 500) await db.insertInto('training_enrolments').values(enrolments.slice(j, j + 500)).execute();
  }
  const loadMs = performance.now() - t0;

  const viewer = await makeUser(t.db, ['training']);
  const a = agent(t);
  await a.signIn(viewer.email);
  const first = await a.get('/formation');
  if (first.status !== 200) throw new Error(`planning → ${first.status}`);
  const rowsShown = (first.body.match(/<th scope="row">/g) ?? []).length;
  const from = addDays(today, -30);
  const to = addDays(today, 180);
  const reads: TrainingDb = t.app.ctx.reads;

  // The raw query: the page's 100 rows with their names and seat counts, one statement.
  const rawQuery = () =>
    reads
      .selectFrom('training_sessions as s')
      .innerJoin('training_courses as c', 'c.id', 's.course_id')
      .leftJoin('training_rooms as r', 'r.id', 's.room_id')
      .leftJoin('training_trainers as t', 't.id', 's.trainer_id')
      .select(['s.id', 'c.title', 's.start_date', 's.end_date', 'r.name as room', 't.name as trainer', 's.max_trainees', sql<number>`(select count(*) from training_enrolments e where e.session_id = s.id and e.status in ('requested', 'confirmed'))`.as('seated')])
      .where('s.start_date', '<=', to)
      .where('s.end_date', '>=', from)
      .orderBy('s.start_date')
      .orderBy('s.id')
      .limit(100)
      .execute();
  const raw = await timeIt(rawQuery, N);
  const data = await timeIt(() => planning(reads, { from, to, page: 1, perPage: 100 }), N);
  const page = await timeIt(async () => {
    const r = await a.get('/formation');
    if (r.status !== 200) throw new Error(String(r.status));
  }, N);

  writeResult(
    `training-${onPg ? 'postgres' : 'sqlite'}`,
    `# Training — session planning (${onPg ? 'PostgreSQL' : 'SQLite'})

${machine()} — ${new Date().toISOString().slice(0, 10)}

${SESSIONS} sessions over the planning's default period (30 days back, 180 ahead), with ${await db.selectFrom('training_enrolments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow().then((r) => r.n)} enrolments (loaded in ${(loadMs / 1000).toFixed(1)} s); first page: ${rowsShown} rows. ${N} samples each, one at a time, after 20 warm-up runs.

| | p50 | p95 | p99 |
|---|---|---|---|
| raw query: the page's 100 rows with seat counts (one statement on \`ctx.reads\`) | ${ms(raw.p50)} | ${ms(raw.p95)} | ${ms(raw.p99)} |
| the page's data (\`planning\`: count of the period, page of 100, seats and waiting list) | ${ms(data.p50)} | ${ms(data.p95)} | ${ms(data.p99)} |
| page \`/formation\` (session, data, table of 100 rendered) | ${ms(page.p50)} | ${ms(page.p95)} | ${ms(page.p99)} |

Page p95 / raw query p95: ${ratio(page.p95, raw.p95)}. Load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (a shared machine: figures are noisy).
`,
  );
} finally {
  await t.close();
}
