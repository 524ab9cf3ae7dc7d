// Members read what the CCI published for the extranet audience (news, events, documents) on
// the extranet's own pages; nothing published only for the intranet or the public site, and no
// draft, ever reaches them. Items are published through the content module's real service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as svc from '../src/modules/content/content.service.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { agent, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { publishedDocument, publishedItem } from './content-helpers.js';
import { makeCompany, makeMember, memberAgent } from './extranet-helpers.js';

let t: TestApp;
let a: Agent;
const ids = {} as Record<'extra' | 'intra' | 'pub' | 'draft' | 'submitted' | 'event' | 'intraEvent' | 'both', number>;
const docs = {} as Record<'extra' | 'intra', { id: number; fileId: number }>;

beforeAll(async () => {
  t = await createTestApp();
  ids.extra = await publishedItem(t.db, 'news', ['extranet'], { title: 'Kappa pour les adhérents', summary: 'Résumé kappa', body: '<p>Corps kappa <strong>important</strong></p>', news_date: '2026-11-20' });
  ids.intra = await publishedItem(t.db, 'news', ['intranet'], { title: 'Kappa interne seulement' });
  ids.pub = await publishedItem(t.db, 'news', ['public'], { title: 'Kappa public seulement' });
  ids.both = await publishedItem(t.db, 'news', ['public', 'extranet'], { title: 'Kappa pour tous', news_date: '2026-11-25' });
  ids.event = await publishedItem(t.db, 'event', ['extranet'], { title: 'Kappa petit-déjeuner', event_place: 'Salle Vauban' });
  ids.intraEvent = await publishedItem(t.db, 'event', ['intranet'], { title: 'Kappa pot interne' });
  // A draft aimed at the extranet, and one submitted for review: neither is live.
  ids.draft = await t.db.transaction().execute(async (trx) => (await svc.createItem(trx, SYSTEM_ACTOR, 'news', { title: 'Kappa brouillon', audiences: ['extranet'] })).id);
  ids.submitted = await t.db.transaction().execute(async (trx) => {
    const it = await svc.createItem(trx, SYSTEM_ACTOR, 'news', { title: 'Kappa en relecture', audiences: ['extranet'] });
    return (await svc.submitItem(trx, SYSTEM_ACTOR, it.id, it.version)).id;
  });
  docs.extra = await publishedDocument(t.db, t.config.dataDir, ['extranet'], 'guide-adherents');
  docs.intra = await publishedDocument(t.db, t.config.dataDir, ['intranet'], 'procedure-interne');
  const c = await makeCompany(t.db, 'Quincaillerie Kappa');
  const m = await makeMember(t.db, [c.id], 'member');
  a = await memberAgent(t, m.email);
});
afterAll(async () => t?.close());

describe('extranet news', () => {
  it('lists the news published for the extranet, newest first, and nothing else', async () => {
    const res = await a.get('/extranet/actualites');
    expect(res.status).toBe(200);
    expect(res.body).toContain('shell-member');
    expect(res.body).toContain('Kappa pour les adhérents');
    expect(res.body).toContain('Kappa pour tous');
    expect(res.body.indexOf('Kappa pour tous')).toBeLessThan(res.body.indexOf('Kappa pour les adhérents'));
    for (const hidden of ['Kappa interne seulement', 'Kappa public seulement', 'Kappa brouillon', 'Kappa en relecture', 'Kappa petit-déjeuner']) expect(res.body).not.toContain(hidden);
    // the member navigation leads there, marked as the current page
    expect(res.body).toMatch(/<a[^>]*href="\/extranet\/actualites"[^>]*aria-current="page"|<a[^>]*aria-current="page"[^>]*href="\/extranet\/actualites"/);
  });

  it('shows one extranet item with its sanitised body', async () => {
    const list = await a.get('/extranet/actualites');
    const href = list.body.match(new RegExp(`href="(/extranet/actualites/${ids.extra}-[^"]+)"`))![1];
    const res = await a.get(href);
    expect(res.status).toBe(200);
    expect(res.body).toContain('Kappa pour les adhérents');
    expect(res.body).toContain('Corps kappa <strong>important</strong>');
    expect(res.body).toContain('lang="fr"');
    // the bare id works too (the slug is only for people)
    expect((await a.get(`/extranet/actualites/${ids.extra}`)).status).toBe(200);
  });

  it('answers 404 for items not published for the extranet, drafts, other kinds and malformed refs', async () => {
    for (const ref of [ids.intra, ids.pub, ids.draft, ids.submitted, ids.event, 999999, 0, 'abc', '1e3', '-1', `${ids.intra}-kappa`]) {
      const res = await a.get(`/extranet/actualites/${ref}`);
      expect(res.status, `/extranet/actualites/${ref}`).toBe(404);
      expect(res.body).not.toContain('Kappa interne seulement');
      expect(res.body).not.toContain('Kappa public seulement');
    }
  });

  it('paginates ten a page', async () => {
    for (let i = 0; i < 11; i++) await publishedItem(t.db, 'news', ['extranet'], { title: `Lambda ${String(i).padStart(2, '0')}`, news_date: `2026-10-${String(i + 1).padStart(2, '0')}` });
    const p1 = await a.get('/extranet/actualites');
    const p2 = await a.get('/extranet/actualites?page=2');
    const lambdas = (b: string) => b.match(/Lambda \d\d/g) ?? [];
    expect(p1.body).toContain('href="/extranet/actualites?page=2"');
    expect(lambdas(p1.body).length + lambdas(p2.body).length).toBe(11);
    expect(lambdas(p1.body)[0]).toBe('Lambda 10');
    expect((await a.get('/extranet/actualites?page=0')).status).toBe(200);
    expect((await a.get('/extranet/actualites?page=zz')).status).toBe(200);
  });

  it('shows the three latest news on the member home', async () => {
    const home = await a.get('/extranet');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Dernières actualités de la CCI');
    expect((home.body.match(/href="\/extranet\/actualites\/\d+-/g) ?? []).length).toBe(3);
    expect(home.body).not.toContain('Kappa interne seulement');
  });

  it('speaks English to an English reader (no French key shown raw, no French label left)', async () => {
    for (const [lang, title, home] of [['en', 'News', 'Latest news from the CCI'], ['fr', 'Actualités', 'Dernières actualités de la CCI']]) {
      a.cookies.set('lang', lang);
      const list = await a.get('/extranet/actualites');
      expect(list.body).toContain(`<h1`);
      expect(list.body).toMatch(new RegExp(`<h1[^>]*>${title}</h1>`));
      expect(list.body).not.toMatch(/extranet\.(news|events|documents|nav)\./);
      expect((await a.get('/extranet')).body).toContain(home);
      for (const url of ['/extranet/evenements', '/extranet/documents', `/extranet/actualites/${ids.extra}`]) expect((await a.get(url)).body).not.toMatch(/extranet\.(news|events|documents|nav|home)\./);
    }
    a.cookies.delete('lang');
  });
});

describe('extranet events and documents', () => {
  it('lists upcoming extranet events and shows one; intranet events are 404', async () => {
    const res = await a.get('/extranet/evenements');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Kappa petit-déjeuner');
    expect(res.body).not.toContain('Kappa pot interne');
    const one = await a.get(`/extranet/evenements/${ids.event}`);
    expect(one.status).toBe(200);
    expect(one.body).toContain('Salle Vauban');
    expect((await a.get(`/extranet/evenements/${ids.intraEvent}`)).status).toBe(404);
    expect((await a.get(`/extranet/evenements/${ids.extra}`)).status).toBe(404);
  });

  it('lists extranet documents with a download link that works for the member', async () => {
    const res = await a.get('/extranet/documents');
    expect(res.status).toBe(200);
    expect(res.body).toContain('guide-adherents');
    expect(res.body).not.toContain('procedure-interne');
    const href = res.body.match(new RegExp(`href="(/extranet/contenus/fichiers/${docs.extra.fileId}/[^"]+)"`))![1];
    const file = await a.get(href);
    expect(file.status).toBe(200);
    expect(file.body.startsWith('%PDF')).toBe(true);
    expect((await a.get(`/extranet/contenus/fichiers/${docs.intra.fileId}/procedure-interne.pdf`)).status).toBe(404);
  });
});

describe('access', () => {
  const pages = () => ['/extranet/actualites', `/extranet/actualites/${ids.extra}`, '/extranet/evenements', `/extranet/evenements/${ids.event}`, '/extranet/documents'];

  it('refuses staff sessions and anonymous visitors (sent to the member sign-in, content not shown)', async () => {
    const u = await makeUser(t.db, ['admin']);
    const staff = agent(t);
    await staff.signIn(u.email);
    for (const url of pages()) {
      for (const who of [staff, agent(t)]) {
        const res = await who.get(url);
        expect(res.status, url).toBe(302);
        expect(res.headers.location).toMatch(/^\/extranet\/connexion/);
        expect(res.body).not.toContain('Kappa');
      }
    }
  });

  it('refuses a member account with no company yet', async () => {
    const lone = await makeMember(t.db, []);
    const b = await memberAgent(t, lone.email);
    for (const url of pages()) expect((await b.get(url)).status, url).toBe(403);
  });
});
