// Statistics (#18) on the app, both databases: counting through real requests (buffered, then
// flushed), the day's salt destroyed at midnight, roll-ups across a DST change and a month end,
// the purge, the dashboard per role, the opt-out page, and the monthly report sent through the
// outbox to a loopback SMTP server with its PDF (text checked).
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushUsage } from '../src/modules/stats/index.js';
import { UsageCollector } from '../src/modules/stats/collector.js';
import { rollUp } from '../src/modules/stats/rollup.service.js';
import { visitorHash } from '../src/modules/stats/salt.js';
import type { StatsDb } from '../src/modules/stats/stats.table.js';
import { agent, count, createTestApp, makeUser, type TestApp } from './helpers.js';
import { startSmtp, type Inbox } from './smtp.js';

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The text drawn in a PDF made by pdfkit (standard fonts: WinAnsi strings in hex, in Flate streams). */
function pdfText(pdf: Buffer): string {
  const s = pdf.toString('latin1');
  let out = '';
  for (const m of s.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const t of content.matchAll(/\[([^\]]*)\]\s*TJ/g)) out += [...t[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => new TextDecoder('windows-1252').decode(Buffer.from(h[1], 'hex'))).join('') + '\n';
  }
  return out;
}

let t: TestApp;
let inbox: Inbox;
let db: StatsDb;
beforeAll(async () => {
  inbox = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: inbox.url } });
  db = t.db;
});
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.fastify.inject({ method: 'GET', url, headers: { 'user-agent': BROWSER, ...headers }, remoteAddress: '203.0.113.77' });

describe('counting', () => {
  it('a public page is counted after the flush, without the IP; DNT, GPC and bots are not; 404s and empty searches are', async () => {
    await t.db.deleteFrom('stats_events').execute();
    expect((await get('/')).statusCode).toBe(200);
    expect(await count(t.db, 'stats_events')).toBe(0); // buffered: the page did not wait for a write
    await get('/', { dnt: '1' });
    await get('/', { 'sec-gpc': '1' });
    await get('/', { 'user-agent': 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)' });
    await get('/page-qui-n-existe-pas');
    await get('/rechercher?q=horaires%20piscine');
    expect(await flushUsage(db)).toBe(3);
    const events = await db.selectFrom('stats_events').selectAll().orderBy('id').execute();
    expect(events.map((e) => [e.kind, e.area, e.path])).toEqual([
      ['view', 'public', '/'],
      ['not_found', 'public', '/page-qui-n-existe-pas'],
      ['search', 'public', '/rechercher'],
    ]);
    expect(events[2]).toMatchObject({ term: 'horaires piscine', results: 0 });
    expect(JSON.stringify(events)).not.toContain('203.0.113.77');
    expect(events[0].visitor).toMatch(/^[0-9a-f]{16}$/);
    expect(events[0].visitor).toBe(events[1].visitor); // same person, same day
  });

  it('the public opt-out page: after opting out, visits from that browser are not counted', async () => {
    await t.db.deleteFrom('stats_events').execute();
    const a = agent(t);
    expect((await a.get('/', { dnt: '1' })).body).toContain('href="/mesure-audience"'); // linked from every page's footer
    const page = await a.get('/mesure-audience');
    expect(page.status).toBe(200);
    expect(page.body).toContain('sans cookie de mesure');
    const res = await a.post('/mesure-audience', { optout: '1' });
    expect(res.status).toBe(302);
    expect(a.cookies.get('stats_optout')).toBe('1');
    await a.get('/', { 'user-agent': BROWSER });
    await flushUsage(db);
    expect(await t.db.selectFrom('stats_events').select('path').where('path', '=', '/').execute()).toEqual([]);
    await a.post('/mesure-audience', { optout: '0' });
    expect(a.cookies.has('stats_optout')).toBe(false);
  });

  it('the salt is destroyed at midnight: yesterday’s hashes cannot be recomputed', async () => {
    let now = Date.parse('2026-06-10T21:00:00Z'); // 23:00 in Paris
    const c = new UsageCollector(db, true, () => now);
    const ev = { kind: 'view' as const, area: 'public' as const, path: '/', entry: true, referrer: null, device: 'desktop' as const, term: null, results: null, companyId: null, ua: BROWSER };
    c.push(ev, '198.51.100.20');
    await c.flush();
    const salt = (await db.selectFrom('stats_salts').select('salt').where('day', '=', '2026-06-10').executeTakeFirstOrThrow()).salt;
    const yesterday = (await db.selectFrom('stats_events').select('visitor').where('at', '=', '2026-06-10T21:00:00.000Z').executeTakeFirstOrThrow()).visitor;
    expect(visitorHash(salt, '198.51.100.0', BROWSER)).toBe(yesterday); // with the salt, the hash is reproducible…
    now = Date.parse('2026-06-10T22:30:00Z'); // 00:30 on 11 June in Paris
    c.push(ev, '198.51.100.20');
    await c.flush();
    // …and the salt is gone from the database and from memory: nothing can recompute it.
    expect(await db.selectFrom('stats_salts').select('day').where('day', '<', '2026-06-11').execute()).toEqual([]);
    const throwaway1 = await c.salts.saltFor(db, '2026-06-10', '2026-06-11');
    const throwaway2 = await c.salts.saltFor(db, '2026-06-10', '2026-06-11');
    expect(throwaway1).not.toBe(salt);
    expect(throwaway2).not.toBe(throwaway1);
    const today = (await db.selectFrom('stats_events').select('visitor').where('at', '=', '2026-06-10T22:30:00.000Z').executeTakeFirstOrThrow()).visitor;
    expect(today).not.toBe(yesterday); // the same person is someone else the next day
    await c.close();
  });
});

describe('roll-ups', () => {
  it('across the October DST change and the month end, hour/day/month figures; idempotent; raw events purged', async () => {
    await t.db.deleteFrom('stats_events').execute();
    await t.db.deleteFrom('stats_rollups').execute();
    await t.db.deleteFrom('stats_state').execute();
    const ev = (at: string, visitor: string, kind: 'view' | 'search' | 'not_found' = 'view', results: number | null = null) => ({ at, area: 'public' as const, kind, path: '/', visitor, entry: 1, referrer: 'google.fr', device: 'mobile' as const, term: kind === 'search' ? 'kbis' : null, results, company_id: null });
    await db
      .insertInto('stats_events')
      .values([
        ev('2026-10-25T00:30:00.000Z', 'a'), // 02:30 summer time
        ev('2026-10-25T01:30:00.000Z', 'a'), // 02:30 winter time: same local hour, another bucket
        ev('2026-10-25T22:59:00.000Z', 'b'), // 23:59 on the 25th (UTC+1)
        ev('2026-10-31T22:59:00.000Z', 'c'), // 23:59 on 31 October
        ev('2026-10-31T23:00:00.000Z', 'c'), // 00:00 on 1 November
        ev('2026-11-01T10:00:00.000Z', 'd', 'search', 0),
        ev('2026-11-01T10:05:00.000Z', 'd', 'not_found'),
      ])
      .execute();
    const run = () => db.transaction().execute((trx) => rollUp(trx, new Date('2026-11-02T12:00:00Z'), { rawDays: 3650, profiles: async () => new Map() }));
    const first = await run();
    expect(first.days).toContain('2026-10-25');
    expect(first.months).toEqual(['2026-10', '2026-11']);
    const row = (period: string, bucket: string, metric: string, dim = '', value = '') =>
      db.selectFrom('stats_rollups').select('count').where('period', '=', period as 'day').where('bucket', '=', bucket).where('area', '=', 'public').where('metric', '=', metric).where('dim', '=', dim).where('value', '=', value).executeTakeFirst().then((r) => r?.count ?? 0);
    expect(await row('hour', '2026-10-25T00:00:00.000Z', 'views')).toBe(1);
    expect(await row('hour', '2026-10-25T01:00:00.000Z', 'views')).toBe(1);
    expect(await row('day', '2026-10-25', 'views')).toBe(3); // a 25-hour day
    expect(await row('day', '2026-10-25', 'visitors')).toBe(2);
    expect(await row('day', '2026-10-31', 'views')).toBe(1);
    expect(await row('day', '2026-11-01', 'views')).toBe(2); // the view at local midnight + the search
    expect(await row('month', '2026-10', 'views')).toBe(4);
    expect(await row('month', '2026-10', 'visitors')).toBe(3); // a sum of days: 2 on the 25th + 1 on the 31st
    expect(await row('month', '2026-11', 'views')).toBe(2);
    expect(await row('month', '2026-11', 'searches_zero')).toBe(1);
    expect(await row('month', '2026-11', 'searches_zero', 'term', 'kbis')).toBe(1);
    expect(await row('month', '2026-11', 'not_found')).toBe(1);
    expect(await row('month', '2026-10', 'entries', 'referrer', 'google.fr')).toBe(4);
    expect(await row('month', '2026-10', 'views', 'device', 'mobile')).toBe(4);
    const before = await db.selectFrom('stats_rollups').select(['period', 'bucket', 'metric', 'dim', 'value', 'count']).orderBy('id').execute();
    await db.deleteFrom('stats_state').execute(); // as if another instance ran the same slot again
    await run();
    const after = await db.selectFrom('stats_rollups').select(['period', 'bucket', 'metric', 'dim', 'value', 'count']).orderBy('id').execute();
    expect(after.map((r) => JSON.stringify(r)).sort()).toEqual(before.map((r) => JSON.stringify(r)).sort());
    // Purge: with 2 days kept, the October and 1 November events go; the roll-ups stay.
    const purged = await db.transaction().execute((trx) => rollUp(trx, new Date('2026-11-03T12:00:00Z'), { rawDays: 2, profiles: async () => new Map() }));
    expect(purged.purged).toBe(7);
    expect(await count(t.db, 'stats_events')).toBe(0);
    expect(await row('month', '2026-10', 'views')).toBe(4);
  });

  it('the hourly schedule rolls up through the job runner', async () => {
    await t.db.deleteFrom('stats_state').execute();
    await db.insertInto('stats_events').values({ at: '2026-11-02T09:10:00.000Z', area: 'intranet', kind: 'view', path: '/crm', visitor: 'e', entry: 0, referrer: null, device: 'desktop', term: null, results: null, company_id: null }).execute();
    await t.app.jobs.tick(new Date('2026-11-03T11:00:00Z')); // a Tuesday: no report due
    const r = await db.selectFrom('stats_rollups').select('count').where('period', '=', 'day').where('bucket', '=', '2026-11-02').where('area', '=', 'intranet').where('metric', '=', 'views').where('dim', '=', '').executeTakeFirst();
    expect(r?.count).toBe(1);
  });
});

describe('dashboard and monthly report', () => {
  it('per role: the direction sees usage and every module’s figures with breakdowns; a manager the totals; staff 403', async () => {
    const direction = agent(t);
    await direction.signIn((await makeUser(t.db, ['direction'])).email);
    const page = await direction.get('/statistiques?mois=2026-11');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('role="img"');
    expect(page.body).toContain('Recherches sans résultat');
    expect(page.body).toContain('kbis');
    expect(page.body).toContain('Publications'); // content's figures
    expect(page.body).toContain('Visites réalisées'); // the CRM's
    expect(page.body).toContain('Créations d’établissements'); // the registry's
    expect(page.body).not.toContain('stats.kpis.breakdown_hint');
    expect((await direction.get('/statistiques?mois=2026-13')).status).toBe(422);
    const manager = agent(t);
    await manager.signIn((await makeUser(t.db, ['manager'])).email);
    const m = await manager.get('/statistiques?mois=2026-11');
    expect(m.status).toBe(200);
    expect(m.body).toContain('réservé à la direction');
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    expect((await staff.get('/statistiques')).status).toBe(403);
    expect((await staff.post('/statistiques/abonnement', { subscribe: '1' })).status).toBe(403);
    expect((await agent(t).get('/statistiques')).status).toBe(302);
  });

  it('on the first working day the report is built, archived once, mailed with its PDF to subscribers', async () => {
    const user = await makeUser(t.db, ['direction']);
    const a = agent(t);
    await a.signIn(user.email);
    expect((await a.post('/statistiques/abonnement', { subscribe: '1' })).status).toBe(302);
    expect(await count(t.db, 'audit_log', ['entity', 'stats_subscription'])).toBe(1);
    const manager = await makeUser(t.db, ['manager']);
    await t.db.insertInto('stats_subscriptions').values({ user_id: manager.id, created_at: new Date().toISOString() }).execute();
    const formerlyAllowed = await makeUser(t.db, ['staff']);
    await t.db.insertInto('stats_subscriptions').values({ user_id: formerlyAllowed.id, created_at: new Date().toISOString() }).execute();
    await t.app.jobs.tick(new Date('2026-12-02T08:00:00Z')); // not the first working day: nothing
    expect(await count(t.db, 'stats_reports')).toBe(0);
    await t.app.jobs.tick(new Date('2026-12-01T08:00:00Z'));
    expect(await count(t.db, 'stats_reports')).toBe(1);
    await t.app.jobs.tick(new Date('2026-12-01T09:00:00Z')); // next slot: already archived
    expect(await count(t.db, 'stats_reports')).toBe(1);
    await t.app.jobs.tick();
    const mails = await inbox.waitFor(2);
    expect(mails.map((m) => m.to && 'text' in m.to ? m.to.text : '').sort()).toEqual([user.email, manager.email].sort());
    const mail = mails[0];
    expect(mail.subject).toMatch(/Rapport statistique de nov\.? 2026/);
    expect(mail.html).toContain('Pages vues');
    const pdf = mail.attachments.find((x) => x.contentType === 'application/pdf');
    expect(pdf?.filename).toBe('rapport-statistique-2026-11.pdf');
    const text = pdfText(pdf!.content);
    expect(text).toContain('Rapport statistique');
    expect(text).toMatch(/Pages vues \(public\)\n[^\n]*\n/);
    expect(text).toContain('Pages vues (public)\n2\n');
    expect(text).toContain('Recherches sans résultat');
    expect(text).toContain('Publications');
    // The archive on the intranet
    const list = await a.get('/statistiques/rapports');
    expect(list.body).toContain('/statistiques/rapports/2026-11');
    const archived = await a.get('/statistiques/rapports/2026-11');
    expect(archived.status).toBe(200);
    expect(archived.body).toContain('Pages vues');
    const file = await a.get('/statistiques/rapports/2026-11/pdf');
    expect(file.headers['content-type']).toBe('application/pdf');
    expect((await a.get('/statistiques/rapports/2025-01')).status).toBe(404);
    expect((await a.get('/statistiques/rapports/abc')).status).toBe(422);
  });
});
