// CRM benchmark: p95 of the company timeline page with 200 events, and of the pipeline board
// with 5,000 open deals, on SQLite and on PostgreSQL, each against a baseline measured in the same
// run: the raw SQL those pages need (same rows, no HTTP, no session, no rendering, no registry
// lookups). Data: 300 companies, 8 advisers; one company carries the 200 timeline events.
// Usage: npx tsx bench/crm.ts   (PostgreSQL at PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres;
// BENCH_PG=0 to skip it). Writes bench/results/crm.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MODULES } from '../src/modules/index.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { createUser, setManager } from '../src/platform/auth/users.js';
import { openDatabase, type AnyDb } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { csrfTokenFor } from '../src/platform/http/lifecycle.js';
import { machine, ms, ratio, timeIt, type Stats } from './lib.js';
import { writeResult } from './lib.js';

const COMPANIES = 300;
const OPEN_DEALS = 5000;
const ADVISERS = 8;
const RUNS_TIMELINE = 200;
const RUNS_BOARD = 40;
const SECRET = 'bench-secret-bench-secret-bench-secret-1';
const PASSWORD = 'bench password long enough';

async function seed(db: AnyDb) {
  const now = new Date().toISOString();
  const manager = await createUser(db, SYSTEM_ACTOR, { email: 'manager@bench.fr', name: 'Manager', roles: ['manager'], password: PASSWORD });
  const advisers: number[] = [];
  for (let i = 0; i < ADVISERS; i++) {
    const u = await createUser(db, SYSTEM_ACTOR, { email: `conseiller${i}@bench.fr`, name: `Conseiller ${i}`, roles: ['adviser'], password: PASSWORD });
    await setManager(db, SYSTEM_ACTOR, u.id, manager.id);
    advisers.push(u.id);
  }
  const companies: number[] = [];
  for (let c = 0; c < COMPANIES; c++) {
    const row = await db.insertInto('companies').values({ siren: String(400000000 + c), name: `Entreprise Banc ${c}`, naf_code: '47.11B', status: 'active', diffusion: 'public', source: 'manual', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('establishments').values({ siret: String(400000000 + c) + '00012', company_id: row.id, nic: '00012', is_head_office: 1, status: 'active', diffusion: 'public', sort_name: `ENTREPRISE BANC ${c}`, search_text: `entreprise banc ${c}`, postal_code: '42000', commune_code: '42218', city: 'SAINT-ETIENNE', created_at: now, updated_at: now }).execute();
    companies.push(row.id);
  }
  const stages = await db.selectFrom('crm_stages').select(['id', 'kind', 'probability']).orderBy('position').execute();
  const open = stages.filter((s) => s.kind === 'open');
  const day = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 86400_000).toISOString().slice(0, 10);
  const deals = Array.from({ length: OPEN_DEALS }, (_, i) => {
    const s = open[i % open.length];
    return { company_id: companies[i % COMPANIES], owner_id: advisers[i % ADVISERS], service_id: null, stage_id: s.id, title: `Affaire ${i}`, amount_cents: 10000 + ((i * 7919) % 5_000_000), probability: s.probability, expected_close_date: day(i % 400), closed_on: null, lost_reason: null, notes: '', confidential_notes: '', created_at: now, updated_at: now };
  });
  for (let i = 0; i < deals.length; i += 500) await db.insertInto('crm_deals').values(deals.slice(i, i + 500)).execute();

  // The timeline company: 200 events = 80 visits, its deals, 30 stage changes, tasks to make up the count, 10 notes, 10 registry changes.
  const target = companies[0];
  const a = advisers[0];
  await db.insertInto('crm_visits').values(Array.from({ length: 80 }, (_, i) => ({ company_id: target, owner_id: advisers[i % ADVISERS], visit_date: day(i * 3), topics: '["export","hiring"]', notes: `Visite ${i} : point d’activité.`, needs: 'Recrutement', confidential_notes: i % 5 ? '' : 'confidentiel', shareable: 0, created_at: now, updated_at: now }))).execute();
  const targetDeals = await db.selectFrom('crm_deals').select('id').where('company_id', '=', target).orderBy('id').execute();
  // Two stage changes on each of 15 of its deals.
  await db.insertInto('crm_deal_stage_history').values(targetDeals.slice(0, 15).flatMap((d, i) => [0, 1].map((k) => ({ deal_id: d.id, from_stage_id: open[k].id, to_stage_id: open[k + 1].id, changed_by: a, changed_at: new Date(Date.UTC(2026, 1, 1) + (i * 2 + k) * 3600_000).toISOString(), lost_reason: null })))).execute();
  const taskCount = 200 - 80 - targetDeals.length - 30 - 10 - 10;
  await db.insertInto('crm_tasks').values(Array.from({ length: taskCount }, (_, i) => ({ owner_id: a, created_by: a, company_id: target, visit_id: null, deal_id: null, title: `Tâche ${i}`, due_date: day(i * 5), done_at: i % 2 ? now : null, created_at: now, updated_at: now }))).execute();
  await db.insertInto('crm_notes').values(Array.from({ length: 10 }, (_, i) => ({ company_id: target, author_id: a, body: `Note ${i}`, confidential: i % 3 === 0 ? 1 : 0, created_at: now, updated_at: now }))).execute();
  await db.insertInto('registry_changes').values(Array.from({ length: 10 }, (_, i) => ({ company_id: target, entity: 'company', entity_id: target, at: new Date(Date.UTC(2025, 5, 1) + i * 86400_000).toISOString(), source: 'sirene', import_id: null, actor_label: 'import', action: 'update', changes: JSON.stringify({ headcount_band: ['11', '12'] }) }))).execute();
  return { target, manager };
}

async function signIn(app: Awaited<ReturnType<typeof buildApp>>, email: string): Promise<string> {
  const first = await app.fastify.inject({ method: 'GET', url: '/connexion' });
  const csrf = [first.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('csrf='))!.split(';')[0];
  const token = csrfTokenFor(SECRET, csrf.slice(5));
  const res = await app.fastify.inject({ method: 'POST', url: '/connexion', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrf }, payload: new URLSearchParams({ email, password: PASSWORD, _csrf: token }).toString() });
  if (res.statusCode !== 302) throw new Error(`sign-in failed: ${res.statusCode}`);
  const sid = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('sid='))!.split(';')[0];
  return `${sid}; ${csrf}`;
}

interface Row {
  dialect: string;
  floor: Stats;
  timeline: Stats;
  timelineRaw: Stats;
  board: Stats;
  boardRaw: Stats;
  events: number;
  cards: number;
}

async function run(dialect: 'sqlite' | 'postgres', databaseUrl?: string): Promise<Row> {
  useFastHashingForTests();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulaire-bench-crm-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: SECRET, CONSULAIRE_DEMO: '0', DATABASE_URL: databaseUrl ?? '' } as NodeJS.ProcessEnv);
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir });
  const db = database.db;
  try {
    await migrateToLatest(db);
    const app = await buildApp({ config, database, modules: MODULES, logger: false });
    await app.fastify.ready();
    const t0 = performance.now();
    const { target } = await seed(db);
    if (dialect === 'postgres') await sql`analyze`.execute(db);
    console.log(`${dialect}: seeded in ${ms(performance.now() - t0)}`);
    const cookie = await signIn(app, 'manager@bench.fr');
    const get = (url: string) => async () => {
      const r = await app.fastify.inject({ method: 'GET', url, headers: { cookie } });
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode}`);
      return r.body;
    };
    const timelineUrl = `/crm/entreprises/${target}/chronologie`;
    const boardUrl = '/crm/affaires/tableau?portee=all';
    const page = await get(timelineUrl)();
    const events = (page.match(/<li data-kind=/g) ?? []).length;
    if (events !== 200) throw new Error(`timeline shows ${events} events, expected 200`);
    const boardPage = await get(boardUrl)();
    const cards = (boardPage.match(/class="crm-card"/g) ?? []).length;
    if (!boardPage.includes(String(OPEN_DEALS / 4).slice(0, 2))) throw new Error('board totals missing');

    // Baselines: the same rows, straight from SQL.
    const rawTimeline = async () => {
      await sql`select v.id, v.visit_date, v.owner_id, v.topics, v.notes, v.needs, v.confidential_notes, u.name from crm_visits v join users u on u.id = v.owner_id where v.company_id = ${target} order by v.visit_date desc, v.id desc limit 200`.execute(db);
      await sql`select d.id, d.title, d.created_at, d.amount_cents, d.stage_id, d.owner_id, u.name from crm_deals d join users u on u.id = d.owner_id where d.company_id = ${target} order by d.created_at desc limit 200`.execute(db);
      await sql`select h.id, h.deal_id, h.changed_at, h.to_stage_id, h.lost_reason, d.title from crm_deal_stage_history h join crm_deals d on d.id = h.deal_id where d.company_id = ${target} and h.from_stage_id is not null order by h.changed_at desc limit 200`.execute(db);
      await sql`select t.id, t.title, t.due_date, t.done_at, u.name from crm_tasks t join users u on u.id = t.owner_id where t.company_id = ${target} order by t.due_date desc limit 200`.execute(db);
      await sql`select n.id, n.body, n.confidential, n.created_at, u.name from crm_notes n join users u on u.id = n.author_id where n.company_id = ${target} order by n.created_at desc limit 200`.execute(db);
      await sql`select * from registry_changes where company_id = ${target} order by at desc, id desc limit 200`.execute(db);
    };
    const rawBoard = async () => {
      await sql`select stage_id, count(*), sum(amount_cents), sum((amount_cents * probability + 50) / 100) from crm_deals where closed_on is null group by stage_id`.execute(db);
      await sql`select r.*, c.name from (select d.id, d.company_id, d.stage_id, d.title, d.amount_cents, d.probability, d.expected_close_date, d.version, row_number() over (partition by d.stage_id order by coalesce(d.expected_close_date, '9999-12-31'), d.id) as rank from crm_deals d where d.closed_on is null) r join companies c on c.id = r.company_id where r.rank <= 50`.execute(db);
    };
    // The floor: a CRM page with one tiny query (session, permissions, layout, rendering).
    const floor = await timeIt(get('/crm/calendrier'), RUNS_TIMELINE);
    const timeline = await timeIt(get(timelineUrl), RUNS_TIMELINE);
    const timelineRaw = await timeIt(rawTimeline, RUNS_TIMELINE);
    const board = await timeIt(get(boardUrl), RUNS_BOARD, 5);
    const boardRaw = await timeIt(rawBoard, RUNS_BOARD, 5);
    await app.close();
    return { dialect, floor, timeline, timelineRaw, board, boardRaw, events, cards };
  } finally {
    await database.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const rows: Row[] = [await run('sqlite')];
  const admin = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (process.env.BENCH_PG !== '0') {
    const name = `consulaire_bench_crm_${process.pid}`;
    const c = new pg.Client({ connectionString: admin });
    try {
      await c.connect();
      await c.query(`create database ${name}`);
      const u = new URL(admin);
      u.pathname = `/${name}`;
      rows.push(await run('postgres', u.toString()));
    } catch (e) {
      console.error(`PostgreSQL skipped: ${(e as Error).message}`);
    } finally {
      await c.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await c.end().catch(() => {});
    }
  }
  const lines = [
    '# CRM benchmark',
    '',
    machine(),
    '',
    `Company timeline: one company with 200 events (visits, deals, stage changes, tasks, notes, registry changes), ${RUNS_TIMELINE} requests. Pipeline board: ${OPEN_DEALS.toLocaleString('en')} open deals over ${COMPANIES} companies, ${RUNS_BOARD} requests (the page shows each column’s totals and its first 50 cards). Pages are GET requests through Fastify (session, permission, queries, registry lookups, rendering) by a signed-in manager; the baseline is the raw SQL of the same rows in the same run.`,
    '',
    '| database | page | p50 | p95 | baseline p95 (raw SQL) | ratio p95 |',
    '|---|---|---|---|---|---|',
    ...rows.flatMap((r) => [
      `| ${r.dialect} | floor: a CRM page with one small query (/crm/calendrier) | ${ms(r.floor.p50)} | ${ms(r.floor.p95)} | — | — |`,
      `| ${r.dialect} | timeline (${r.events} events) | ${ms(r.timeline.p50)} | ${ms(r.timeline.p95)} | ${ms(r.timelineRaw.p95)} | ${ratio(r.timeline.p95, r.timelineRaw.p95)} |`,
      `| ${r.dialect} | board (${r.cards} cards shown) | ${ms(r.board.p50)} | ${ms(r.board.p95)} | ${ms(r.boardRaw.p95)} | ${ratio(r.board.p95, r.boardRaw.p95)} |`,
    ]),
    '',
  ];
  writeResult('crm', lines.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
