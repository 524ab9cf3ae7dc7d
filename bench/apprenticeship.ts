// Apprenticeship-tax benchmark: the staff's follow-up board over TARGETS target companies and
// PLEDGES pledges (two schools; last year's campaign as large, for the comparison), against the
// raw query of the same run (the pledges summed by school and the targets grouped by adviser
// with their companies' pledges, as raw SQL on the same handle, nothing rendered). In process,
// through fastify.inject with a real session, so the figure is the server's time.
// Usage: npx tsx bench/apprenticeship.ts   [TARGETS=50000] [PLEDGES=10000] [N=100 samples]
//        TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres for a throwaway PostgreSQL database
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { apprenticeshipModule } from '../src/modules/apprenticeship/index.js';
import { board } from '../src/modules/apprenticeship/board.service.js';
import { campaignOfYear } from '../src/modules/apprenticeship/campaign.service.js';
import type { ApprenticeshipDb } from '../src/modules/apprenticeship/apprenticeship.table.js';
import { extranetModule } from '../src/modules/extranet/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { agent, createTestApp, makeUser } from '../test/helpers.js';
import { machine, ms, ratio, timeIt, writeResult } from './lib.js';

const TARGETS = Number(process.env.TARGETS ?? 50_000);
const PLEDGES = Number(process.env.PLEDGES ?? 10_000);
const N = Number(process.env.N ?? 100);
const onPg = Boolean(process.env.TEST_DATABASE_URL);
const YEAR = new Date().getUTCFullYear() + 1;

const t = await createTestApp({ modules: [registryModule, extranetModule, apprenticeshipModule] });
try {
  const db: ApprenticeshipDb = t.db;
  const now = new Date().toISOString();
  const t0 = performance.now();
  const advisers: number[] = [];
  for (let i = 0; i < 20; i++) advisers.push((await makeUser(t.db, ['adviser'], { name: `Conseiller ${String(i).padStart(2, '0')}` })).id);
  const schools = await db
    .insertInto('apprenticeship_schools')
    .values([
      { name: 'École A', siret: '13000253200013', uai: '0691234A', trainings: '', contact_name: '', contact_email: '', contact_phone: '', active: 1, created_at: now, updated_at: now },
      { name: 'CFA B', siret: '13000253200021', uai: '0695678B', trainings: '', contact_name: '', contact_email: '', contact_phone: '', active: 1, created_at: now, updated_at: now },
    ])
    .returning('id')
    .execute();
  let seed = 16;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const year of [YEAR - 1, YEAR]) {
    const c = await db.insertInto('apprenticeship_campaigns').values({ year, payroll_year: year - 1, title: `Bench ${year}`, segment_id: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('apprenticeship_windows').values({ campaign_id: c.id, position: 1, opens_on: `${year}-05-26`, closes_on: `${year}-10-24` }).execute();
    await db.insertInto('apprenticeship_campaign_schools').values(schools.map((s) => ({ campaign_id: c.id, school_id: s.id, goal_cents: 10_000_000 }))).execute();
    for (let i = 0; i < TARGETS; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, TARGETS - i) }, (_, k) => ({
        campaign_id: c.id,
        company_id: 1 + i + k,
        name: `Entreprise ${String(i + k).padStart(6, '0')}`,
        adviser_id: rnd() < 0.8 ? advisers[Math.floor(rnd() * advisers.length)]! : null,
        naf_section: String(10 + Math.floor(rnd() * 80)),
        department: ['42', '69', '01', '38'][Math.floor(rnd() * 4)]!,
        contacted_at: rnd() < 0.4 ? now : null,
      }));
      await db.insertInto('apprenticeship_targets').values(rows).execute();
    }
    // PLEDGES pledges: one or two schools per company, the first PLEDGES / 1.5 companies.
    const pledges: { campaign_id: number; company_id: number; school_id: number; pledged_bp: number; pledged_cents: number; confirmed_bp: number | null; confirmed_cents: number | null; created_at: string; updated_at: string }[] = [];
    for (let company = 1; pledges.length < PLEDGES; company++) {
      for (const s of rnd() < 0.5 ? schools : [schools[0]!]) {
        if (pledges.length >= PLEDGES) break;
        const bp = 1000 * (1 + Math.floor(rnd() * 5));
        const cents = Math.floor(rnd() * 500_000);
        const confirmed = rnd() < 0.5;
        pledges.push({ campaign_id: c.id, company_id: company, school_id: s.id, pledged_bp: bp, pledged_cents: cents, confirmed_bp: confirmed ? bp : null, confirmed_cents: confirmed ? cents : null, created_at: now, updated_at: now });
      }
    }
    for (let i = 0; i < pledges.length; i += 1000) await db.insertInto('apprenticeship_pledges').values(pledges.slice(i, i + 1000)).execute();
  }
  const loadMs = performance.now() - t0;
  const campaign = (await campaignOfYear(db, YEAR))!;

  const viewer = await makeUser(t.db, ['direction']);
  const a = agent(t);
  await a.signIn(viewer.email);
  const first = await a.get(`/taxe-apprentissage?annee=${YEAR}`);
  if (first.status !== 200) throw new Error(`board → ${first.status}`);

  const reads: ApprenticeshipDb = t.app.ctx.reads;
  // The raw query: what the board cannot do without — sums by school, and targets by adviser
  // with their companies' pledges — as hand-written SQL, two statements on one connection.
  const raw = await timeIt(
    () =>
      reads.connection().execute(async (conn) => {
        await sql`select school_id, count(distinct company_id), sum(pledged_cents), sum(confirmed_cents) from apprenticeship_pledges where campaign_id = ${campaign.id} group by school_id`.execute(conn);
        await sql`select t.adviser_id, count(*), count(t.contacted_at), sum(p.pledged) from apprenticeship_targets t left join (select company_id, sum(pledged_cents) as pledged from apprenticeship_pledges where campaign_id = ${campaign.id} group by company_id) p on p.company_id = t.company_id where t.campaign_id = ${campaign.id} group by t.adviser_id`.execute(conn);
      }),
    N,
  );
  const actor = { id: viewer.id, label: viewer.email, kind: 'staff' as const, roles: ['direction'], permissions: permissionsOf(['direction']) };
  const data = await timeIt(() => board(reads, actor, campaign), N);
  const page = await timeIt(async () => {
    const r = await a.get(`/taxe-apprentissage?annee=${YEAR}`);
    if (r.status !== 200) throw new Error(String(r.status));
  }, N);

  writeResult(
    `apprenticeship-${onPg ? 'postgres' : 'sqlite'}`,
    `# Apprenticeship tax — follow-up board (${onPg ? 'PostgreSQL' : 'SQLite'})

${machine()} — ${new Date().toISOString().slice(0, 10)}

${TARGETS} target companies and ${PLEDGES} pledges (two schools, half confirmed, 20 advisers), and last year's campaign as large for the comparison (loaded in ${(loadMs / 1000).toFixed(1)} s). ${N} samples each, one at a time, after 20 warm-up runs.

| | p50 | p95 | p99 |
|---|---|---|---|
| raw query: pledges by school, targets by adviser with their pledges (two statements, \`ctx.reads\`) | ${ms(raw.p50)} | ${ms(raw.p95)} | ${ms(raw.p99)} |
| the board's data (\`board()\`: totals this year and last, schools, advisers, sectors, départements, first companies not contacted) | ${ms(data.p50)} | ${ms(data.p95)} | ${ms(data.p99)} |
| page \`/taxe-apprentissage\` (session, data, rendered) | ${ms(page.p50)} | ${ms(page.p95)} | ${ms(page.p99)} |

Board data p95 / raw p95: ${ratio(data.p95, raw.p95)}; page p95 / raw p95: ${ratio(page.p95, raw.p95)}. Load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (a shared machine: figures are noisy).
`,
  );
} finally {
  await t.close();
}
