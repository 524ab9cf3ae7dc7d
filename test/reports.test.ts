// Reports (issue #17, BI): figures equal the owning modules' own counts; a report never shows
// what its viewer could not see (subject permissions, sharing by role, scheduled sendings computed
// with each recipient's rights); 422 on bad definitions; exports; API; the PostgreSQL reporting
// views and their read-only role.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmModule } from '../src/modules/crm/index.js';
import { createDeal } from '../src/modules/crm/deal.service.js';
import { recordVisit } from '../src/modules/crm/visit.service.js';
import { extranetModule } from '../src/modules/extranet/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { reportsModule } from '../src/modules/reports/index.js';
import { reportingRoleCommand } from '../src/modules/reports/reports.cli.js';
import { sendDueReports } from '../src/modules/reports/reports.service.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { enqueue } from '../src/platform/jobs/index.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { actorOf } from './crm-fixtures.js';
import { agent, api, count, createTestApp, makeUser, onPostgres, type TestApp } from './helpers.js';

const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules', 'registry', 'reference', 'sample');
let t: TestApp;
let companies: number[];
beforeAll(async () => {
  t = await createTestApp({ modules: [registryModule, crmModule, extranetModule, reportsModule] });
  await importSireneStock(t.db, { unitsFile: path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), establishmentsFile: path.join(SAMPLE, 'StockEtablissement_utf8.csv'), territory: ['42', '69'], actor: SYSTEM_ACTOR });
  companies = (await t.db.selectFrom('companies').select('id').orderBy('id').limit(6).execute()).map((c) => c.id);
}, 60_000);
afterAll(async () => t?.close());

const form = (o: Record<string, string | string[]>) => o;
const idOf = (res: { headers: Record<string, unknown> }) => Number(String(res.headers.location).split('/').pop());

describe('establishments', () => {
  it('counts by NAF section × département equal the registry’s; the page has a chart and its table; saved and audited', async () => {
    const staff = agent(t);
    const user = await makeUser(t.db, ['staff']);
    await staff.signIn(user.email);
    const page = await staff.get('/rapports/nouveau?subject=establishments&dims=section&dims=department&measure=count&query=status%3Dall');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<svg role="img"');
    expect(page.body).toContain('<table');
    const rows = await t.db.selectFrom('establishments').select(['naf_section', 'department', sql<number>`count(*)`.as('n')]).groupBy(['naf_section', 'department']).execute();
    const largest = rows.sort((a, b) => Number(b.n) - Number(a.n))[0];
    const res = await staff.post('/rapports', form({ subject: 'establishments', dims: ['section', 'department'], measure: 'count', query: 'status=all', name: 'Établissements par section', shared_role: 'manager' }));
    expect(res.status).toBe(302);
    const id = idOf(res);
    expect(await count(t.db, 'audit_log', ['entity', 'report'])).toBe(1);
    const csv = await staff.get(`/rapports/${id}/export.csv`);
    expect(csv.status).toBe(200);
    const line = csv.body.split('\n').find((l) => l.startsWith(`${largest.naf_section};`) && l.includes(`;${largest.department};`));
    expect(line?.trim().endsWith(`;${largest.n}`)).toBe(true);
    const total = csv.body.trim().split('\n').slice(1).reduce((a, l) => a + Number(l.trim().split(';').pop()), 0);
    expect(total).toBe(await count(t.db, 'establishments'));
    expect((await staff.get(`/rapports/${id}/export.xlsx`)).status).toBe(200);
    // shared with managers: a manager opens it, another staff member does not know it exists
    const manager = agent(t);
    await manager.signIn((await makeUser(t.db, ['manager'])).email);
    expect((await manager.get(`/rapports/${id}`)).status).toBe(200);
    expect((await manager.get('/rapports')).body).toContain('Établissements par section');
    expect((await manager.post(`/rapports/${id}/supprimer`, {})).status).toBe(403);
    const other = agent(t);
    await other.signIn((await makeUser(t.db, ['staff'])).email);
    expect((await other.get(`/rapports/${id}`)).status).toBe(404);
    expect((await other.get('/rapports')).body).not.toContain('Établissements par section');
  });

  it('refuses a bad definition with 422 naming the field, and changes nothing', async () => {
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    const before = await count(t.db, 'reports');
    const bad = await staff.post('/rapports', form({ subject: 'establishments', dims: ['nope'], measure: 'count', name: 'X' }));
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Choisissez un ou deux regroupements');
    expect((await staff.post('/rapports', form({ subject: 'establishments', dims: ['section'], measure: 'count', name: '' }))).status).toBe(422);
    expect((await staff.get('/rapports/nouveau?subject=visits&dims=month&from=2026-13-45')).status).toBe(403); // no crm:use: the subject is refused first
    expect((await staff.get('/rapports/nouveau?subject=establishments&dims=section&measure=sum_amount')).status).toBe(422);
    expect(await count(t.db, 'reports')).toBe(before);
    expect((await staff.get('/rapports/abc')).status).toBe(404);
  });
});

describe('CRM and extranet subjects', () => {
  it('visits and deals per adviser equal the CRM’s; a report never shows what its viewer could not see', async () => {
    const a1 = await makeUser(t.db, ['adviser'], { name: 'Alice Conseil' });
    const a2 = await makeUser(t.db, ['adviser'], { name: 'Bruno Conseil' });
    const dates = ['2026-01-15', '2026-01-20', '2026-02-03', '2026-03-11'];
    for (const [i, d] of dates.entries()) await t.db.transaction().execute((trx) => recordVisit(trx, actorOf(i % 2 ? a2 : a1), { companyId: companies[i], date: d, topics: [], contactIds: [] }, '2026-06-01'));
    await t.db.transaction().execute((trx) => createDeal(trx, actorOf(a1), { companyId: companies[0], title: 'Formation', amountCents: 120000 }, '2026-06-01'));
    await t.db.transaction().execute((trx) => createDeal(trx, actorOf(a1), { companyId: companies[1], title: 'Export', amountCents: 80000 }, '2026-06-01'));
    await t.db.transaction().execute((trx) => createDeal(trx, actorOf(a2), { companyId: companies[2], title: 'Salon', amountCents: 150000 }, '2026-06-01'));
    const adviser = agent(t);
    await adviser.signIn(a1.email);
    const visits = await adviser.get('/rapports/nouveau?subject=visits&dims=month&dims=adviser&measure=count&from=2026-01-01&to=2026-12-31');
    expect(visits.status).toBe(200);
    expect(visits.body).toMatch(/2026-01<\/th>\s*<td[^>]*>Alice Conseil<\/td>\s*<td[^>]*>1<\/td>/);
    const deals = await adviser.post('/rapports', form({ subject: 'deals', dims: ['adviser'], measure: 'sum_amount', name: 'Montants par conseiller', shared_role: 'staff' }));
    expect(deals.status).toBe(302);
    const id = idOf(deals);
    const shown = await adviser.get(`/rapports/${id}`);
    expect(shown.body).toMatch(/Alice Conseil<\/th>\s*<td[^>]*>2[\s\u202f\u00a0]?000<\/td>/);
    // shared with every staff member, but a member of staff without crm:use may not see deals
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    expect((await staff.get(`/rapports/${id}`)).status).toBe(403);
    expect((await staff.get(`/rapports/${id}/export.csv`)).status).toBe(403);
    // members' requests belong to who answers them
    expect((await adviser.get('/rapports/nouveau?subject=requests&dims=status')).status).toBe(403);
    const doc = agent(t);
    await doc.signIn((await makeUser(t.db, ['documentation'])).email);
    expect((await doc.get('/rapports/nouveau?subject=requests&dims=status&measure=count')).status).toBe(200);
    // the builder offers only the subjects the viewer may see
    expect((await staff.get('/rapports/nouveau')).body).not.toContain('value="deals"');
  });

  it('scheduled sendings go to named accounts, each computed with the recipient’s own rights', async () => {
    const owner = await makeUser(t.db, ['adviser']);
    const staffUser = await makeUser(t.db, ['staff']);
    const a = agent(t);
    await a.signIn(owner.email);
    const res = await a.post('/rapports', form({ subject: 'visits', dims: ['adviser'], measure: 'count', name: 'Visites par conseiller' }));
    const id = idOf(res);
    expect((await a.post(`/rapports/${id}/planification`, { schedule: 'weekly', recipients: 'inconnu@example.org' })).status).toBe(422);
    expect((await a.post(`/rapports/${id}/planification`, { schedule: 'daily', recipients: owner.email })).status).toBe(422);
    expect((await a.post(`/rapports/${id}/planification`, { schedule: 'weekly', recipients: `${owner.email}, ${staffUser.email}` })).status).toBe(302);
    const before = await count(t.db, 'mail_outbox');
    await enqueue(t.db, 'reports.send_due', {});
    await t.app.jobs.tick(new Date(Date.now() + 1000));
    const runs = await t.db.selectFrom('jobs').select('result').where('kind', '=', 'reports.send_due').execute();
    const totals = runs.map((j) => JSON.parse(String(j.result)) as { sent: number; skipped: number }).reduce((a, r) => ({ sent: a.sent + r.sent, skipped: a.skipped + r.skipped }), { sent: 0, skipped: 0 });
    expect(totals).toEqual({ sent: 1, skipped: 1 });
    expect(await count(t.db, 'mail_outbox')).toBe(before + 1);
    const mail = await t.db.selectFrom('mail_outbox').selectAll().where('subject', 'like', 'Rapport%').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(mail.to_address).toBe(owner.email);
    expect(mail.text_body).toContain('Visites par conseiller');
    expect(mail.text_body).toContain(`/rapports/${id}`);
    const attached = JSON.parse(String(mail.attachments)) as { filename: string; base64: string }[];
    expect(attached[0].filename).toBe(`rapport-${id}.csv`);
    expect(Buffer.from(attached[0].base64, 'base64').toString('utf8')).toContain('Conseiller');
    // not due again within the week
    expect(await sendDueReports(t.db, t.db, t.app.ctx.mailer, async () => ({ subject: 's', text: 't', csv: Buffer.from('') }))).toEqual({ sent: 0, skipped: 0 });
    expect(await count(t.db, 'audit_log', ['action', 'send'])).toBeGreaterThan(0);
  });

  it('the API gives a report’s rows with a reports:read token, within the owner’s rights', async () => {
    const owner = await makeUser(t.db, ['manager']);
    const a = agent(t);
    await a.signIn(owner.email);
    const res = await a.post('/rapports', form({ subject: 'establishments', dims: ['department'], measure: 'count', name: 'Par département' }));
    const id = idOf(res);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, owner.id, { name: 'bi', scopes: ['reports:read', 'registry:read'] });
    const data = await api(t, 'GET', `/api/v1/reports/${id}`, token);
    expect(data.status).toBe(200);
    const body = JSON.parse(data.body);
    expect(body.rows.reduce((s: number, r: { value: number }) => s + r.value, 0)).toBe(await count(t.db, 'establishments', ['status', 'active']));
    expect((await api(t, 'GET', '/api/v1/reports', token)).status).toBe(200);
    const other = await makeUser(t.db, ['manager']);
    const otherToken = await createApiToken(t.db, SYSTEM_ACTOR, other.id, { name: 'bi', scopes: ['reports:read', 'registry:read'] });
    expect((await api(t, 'GET', `/api/v1/reports/${id}`, otherToken.token)).status).toBe(404);
  });
});

describe('reporting views (PostgreSQL)', () => {
  it.skipIf(!onPostgres)('expose the registry without personal fields, to a read-only role created by the command', async () => {
    const n = await sql<{ n: number }>`select count(*)::int as n from reporting.establishments`.execute(t.db);
    expect(n.rows[0].n).toBe(await count(t.db, 'establishments'));
    const partial = await sql<{ n: number }>`select count(*)::int as n from reporting.establishments where diffusion = 'partial' and (sign is not null or latitude is not null)`.execute(t.db);
    expect(partial.rows[0].n).toBe(0);
    const role = `rep_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    process.env.TEST_REPORTING_PASSWORD = 'lecture-seule-2026!';
    const ctx = { db: t.db, dialect: 'postgres' } as Parameters<typeof reportingRoleCommand>[0];
    await reportingRoleCommand(ctx, { 'password-env': 'TEST_REPORTING_PASSWORD', role });
    const url = new URL(t.database.url!);
    url.username = role;
    url.password = process.env.TEST_REPORTING_PASSWORD;
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      expect((await c.query('select count(*)::int as n from reporting.companies')).rows[0].n).toBeGreaterThan(0);
      await expect(c.query('select * from public.contacts limit 1')).rejects.toThrow(/permission denied/);
      await expect(c.query("update reporting.companies set name = 'x'")).rejects.toThrow();
    } finally {
      await c.end();
      await sql.raw(`drop owned by ${role}; drop role ${role}`).execute(t.db);
    }
  });

  it('the command refuses SQLite and a missing password', async () => {
    await expect(reportingRoleCommand({ db: t.db, dialect: 'sqlite' } as Parameters<typeof reportingRoleCommand>[0], { 'password-env': 'X' })).rejects.toThrow(/PostgreSQL only/);
    if (onPostgres) await expect(reportingRoleCommand({ db: t.db, dialect: 'postgres' } as Parameters<typeof reportingRoleCommand>[0], { 'password-env': 'NOPE_NOT_SET' })).rejects.toThrow(/at least 12/);
  });
});
