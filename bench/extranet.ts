// Extranet benchmark: the member home page (/extranet) and the full timeline (/extranet/suivi)
// for a member of a company with 500 timeline events (250 requests, 250 shareable visits),
// among 20 companies of the same size (so scoping has to use the indexes). Baseline, in the
// same run: the raw SQL those pages need (the counts and the latest events), without HTTP,
// rendering, session or membership checks.
// Usage: npx tsx bench/extranet.ts   (SQLite in a temp folder; DATABASE_URL=postgres://… for
// PostgreSQL: a throwaway database is created on that server and dropped at the end)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { MODULES } from '../src/modules/index.js';
import { hashPassword, useFastHashingForTests } from '../src/platform/auth/password.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createUser } from '../src/platform/auth/users.js';
import { machine, ms, ratio, timeIt, writeResult } from './lib.js';

const COMPANIES = 20;
const REQUESTS = 250;
const VISITS = 250;
const RUNS = 300;

async function main() {
  useFastHashingForTests();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulaire-bench-extranet-'));
  const admin = process.env.DATABASE_URL;
  let url = '';
  const dbName = `consulaire_bench_extranet_${process.pid}`;
  if (admin) {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${dbName}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-1', CONSULAIRE_DEMO: '0', DATABASE_URL: url } as NodeJS.ProcessEnv);
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir });
  const db = database.db;
  await migrateToLatest(db);
  const app = await buildApp({ config, database, modules: MODULES, logger: false });
  await app.fastify.ready();

  // ——— data ———
  const now = new Date().toISOString();
  const owner = await createUser(db, SYSTEM_ACTOR, { email: 'conseiller@bench.fr', name: 'Conseiller', roles: ['adviser'], password: 'bench password long enough' });
  const hash = await hashPassword('bench password long enough');
  let target = 0;
  let email = '';
  for (let c = 0; c < COMPANIES; c++) {
    const company = await db.insertInto('companies').values({ siren: String(300000000 + c), name: `Entreprise ${c}`, status: 'active', diffusion: 'public', source: 'manual', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    const account = await db.insertInto('member_accounts').values({ email: `membre${c}@bench.fr`, name: `Membre ${c}`, password_hash: hash, status: 'active', locale: 'fr', totp_enabled: 0, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('member_memberships').values({ account_id: account.id, company_id: company.id, role: 'administrator', status: 'active', origin: 'staff_invitation', created_at: now, updated_at: now }).execute();
    const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 86400_000).toISOString();
    const requests = Array.from({ length: REQUESTS }, (_, i) => ({ company_id: company.id, account_id: account.id, category: 'other', subject: `Demande ${i}`, status: i % 4 === 0 ? 'closed' : 'in_progress', assignee_id: null, first_response_at: null, last_message_at: day(i), closed_at: null, created_at: day(i), updated_at: day(i) }));
    for (let i = 0; i < requests.length; i += 100) await db.insertInto('member_requests').values(requests.slice(i, i + 100)).execute();
    const visits = Array.from({ length: VISITS }, (_, i) => ({ company_id: company.id, owner_id: owner.id, visit_date: day(i * 2).slice(0, 10), topics: '[]', notes: 'note', needs: '', confidential_notes: 'secret', shareable: 1, created_at: now, updated_at: now }));
    for (let i = 0; i < visits.length; i += 100) await db.insertInto('crm_visits').values(visits.slice(i, i + 100)).execute();
    if (c === COMPANIES - 1) {
      target = company.id;
      email = `membre${c}@bench.fr`;
    }
  }

  // ——— a signed-in member ———
  const first = await app.fastify.inject({ method: 'GET', url: '/extranet/connexion' });
  const csrfCookie = [first.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('csrf='))!.split(';')[0];
  const token = first.body.match(/name="_csrf" value="([^"]+)"/)![1];
  const signed = await app.fastify.inject({ method: 'POST', url: '/extranet/connexion', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie }, payload: new URLSearchParams({ email, password: 'bench password long enough', _csrf: token }).toString() });
  if (signed.statusCode !== 302) throw new Error(`sign-in failed: ${signed.statusCode}`);
  const msid = [signed.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('msid='))!.split(';')[0];
  const cookie = `${msid}; ${csrfCookie}`;
  const page = (url: string) => async () => {
    const r = await app.fastify.inject({ method: 'GET', url, headers: { cookie } });
    if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode}`);
  };
  const check = await app.fastify.inject({ method: 'GET', url: '/extranet/suivi', headers: { cookie } });
  const items = (check.body.match(/class="timeline-item/g) ?? []).length;
  if (items !== REQUESTS + VISITS) throw new Error(`timeline shows ${items} items, expected ${REQUESTS + VISITS}`);

  // ——— baseline: the SQL the home page needs, straight ———
  const rawHome = async () => {
    await sql`select count(*) from member_requests where company_id = ${target} and status <> 'closed'`.execute(db);
    await sql`select count(*) from member_requests where company_id = ${target} and status = 'waiting_member'`.execute(db);
    await sql`select count(*) from member_change_requests where company_id = ${target} and status = 'pending'`.execute(db);
    await sql`select id, subject, status, created_at from member_requests where company_id = ${target} order by created_at desc limit 10`.execute(db);
    await sql`select id, visit_date, topics from crm_visits where company_id = ${target} and shareable = 1 order by visit_date desc limit 10`.execute(db);
  };
  const rawTimeline = async () => {
    await sql`select id, subject, status, created_at from member_requests where company_id = ${target} order by created_at desc`.execute(db);
    await sql`select id, visit_date, topics from crm_visits where company_id = ${target} and shareable = 1 order by visit_date desc`.execute(db);
  };

  const home = await timeIt(page('/extranet'), RUNS);
  const homeRaw = await timeIt(rawHome, RUNS);
  const timeline = await timeIt(page('/extranet/suivi'), RUNS / 3);
  const timelineRaw = await timeIt(rawTimeline, RUNS / 3);

  const row = (name: string, s: { p50: number; p95: number }, base: { p50: number; p95: number }) => `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(base.p50)} | ${ms(base.p95)} | ${ratio(s.p95, base.p95)} |`;
  writeResult(
    `extranet-${database.dialect}`,
    [
      `# Extranet — ${database.dialect}`,
      '',
      `${machine()}. ${COMPANIES} companies × ${REQUESTS + VISITS} timeline events (${REQUESTS} requests + ${VISITS} shareable visits each); the member belongs to one of them. In-process requests (fastify.inject: routing, member session and membership check, queries, rendering), ${RUNS} runs after warm-up.`,
      '',
      '| page | p50 | p95 | raw SQL p50 | raw SQL p95 | p95 / raw SQL |',
      '|---|---|---|---|---|---|',
      row('home `/extranet` (counts + 10 latest events)', home, homeRaw),
      row(`timeline \`/extranet/suivi\` (${REQUESTS + VISITS} events)`, timeline, timelineRaw),
      '',
      'The home page reads the whole CRM activity of the company (the CRM export has no limit) then keeps the latest ten; the raw baseline asks each table for ten rows.',
    ].join('\n'),
  );
  await app.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (admin) {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
