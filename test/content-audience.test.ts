// Audience isolation on every channel (pages, search, feeds, sitemap, files, API, the extranet's
// calls) and sanitisation of rich text against XSS payloads. The server must never send an item
// to someone outside its audience.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentModule, getPublishedFor, listDocumentsFor, listPublishedFor } from '../src/modules/content/index.js';
import * as svc from '../src/modules/content/content.service.js';
import { cleanHtml } from '../src/modules/content/content.sanitize.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createSession } from '../src/platform/auth/sessions.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { agent, api, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { publishedDocument, publishedItem } from './content-helpers.js';

let t: TestApp;
let staff: Agent, member: Agent, anon: Agent;
const ids: Record<'pub' | 'intra' | 'extra' | 'intraPage' | 'extraPage' | 'pubPage' | 'intraEvent', number> = {} as never;
const docs: Record<'pub' | 'intra' | 'extra', { id: number; fileId: number }> = {} as never;

beforeAll(async () => {
  t = await createTestApp({ modules: [contentModule] });
  ids.pub = await publishedItem(t.db, 'news', ['public'], { title: 'Zeta publique' });
  ids.intra = await publishedItem(t.db, 'news', ['intranet'], { title: 'Zeta interne' });
  ids.extra = await publishedItem(t.db, 'news', ['extranet'], { title: 'Zeta adherents' });
  ids.pubPage = await publishedItem(t.db, 'page', ['public'], { title: 'Page publique', slug: 'page-publique' });
  ids.intraPage = await publishedItem(t.db, 'page', ['intranet'], { title: 'Page interne', slug: 'page-interne' });
  ids.extraPage = await publishedItem(t.db, 'page', ['extranet'], { title: 'Page adherents', slug: 'page-adherents' });
  ids.intraEvent = await publishedItem(t.db, 'event', ['intranet'], { title: 'Zeta pot interne' });
  docs.pub = await publishedDocument(t.db, t.config.dataDir, ['public'], 'guide-public');
  docs.intra = await publishedDocument(t.db, t.config.dataDir, ['intranet'], 'procedure-interne');
  docs.extra = await publishedDocument(t.db, t.config.dataDir, ['extranet'], 'guide-adherents');
  // A member session, resolved the way the extranet module does it (members are not staff).
  t.app.fastify.setMemberResolver(async (_db, session) => ({
    actor: { id: session.subject_id, label: 'membre', kind: 'member', roles: [], permissions: new Set(), memberOf: { companyIds: [1] } },
    user: { id: session.subject_id, name: 'Membre', email: 'membre@example.fr' },
  }));
  const s = await createSession(t.db, 'member', 4242, { idleSeconds: 3600, absoluteSeconds: 7200 }, {});
  member = agent(t);
  member.cookies.set('msid', s.token);
  const u = await makeUser(t.db, ['staff']);
  staff = agent(t);
  await staff.signIn(u.email);
  anon = agent(t);
});
afterAll(async () => t?.close());

describe('audience isolation', () => {
  it('public site pages show public items only', async () => {
    const list = await anon.get('/actualites');
    expect(list.body).toContain('Zeta publique');
    expect(list.body).not.toContain('Zeta interne');
    expect(list.body).not.toContain('Zeta adherents');
    expect((await anon.get(`/actualites/${ids.intra}`)).status).toBe(404);
    expect((await anon.get(`/actualites/${ids.extra}`)).status).toBe(404);
    expect((await anon.get('/pages/page-interne')).status).toBe(404);
    expect((await anon.get('/pages/page-adherents')).status).toBe(404);
    expect((await anon.get('/pages/page-publique')).status).toBe(200);
    const index = await anon.get('/pages');
    expect(index.body).toContain('Page publique');
    expect(index.body).not.toMatch(/Page (interne|adherents)/);
    const intranetIndex = await staff.get('/intranet/pages');
    expect(intranetIndex.body).toContain('Page interne');
    expect(intranetIndex.body).not.toMatch(/Page (publique|adherents)/);
    expect((await anon.get(`/evenements/${ids.intraEvent}`)).status).toBe(404);
    const home = await anon.get('/');
    expect(home.body).toContain('Zeta publique');
    expect(home.body).not.toMatch(/Zeta (interne|adherents|pot)/);
    // Signed-in staff on the public site still get the public audience only.
    expect((await staff.get('/actualites')).body).not.toContain('Zeta interne');
  });

  it('site search, feeds and sitemap carry public items only', async () => {
    const search = await anon.get('/rechercher?q=zeta');
    expect(search.body).toContain('Zeta publique');
    expect(search.body).not.toMatch(/Zeta (interne|adherents|pot)/);
    for (const url of ['/actualites/flux.rss', '/actualites/flux.atom', '/sitemap.xml']) {
      const res = await anon.get(url);
      expect(res.status).toBe(200);
      expect(res.body).not.toMatch(/Zeta (interne|adherents)/);
      expect(res.body).not.toContain(`/actualites/${ids.intra}-`);
      expect(res.body).not.toContain('page-interne');
      expect(res.body).not.toContain('page-adherents');
    }
    expect((await anon.get('/actualites/flux.rss')).body).toContain('Zeta publique');
    expect((await anon.get('/sitemap.xml')).body).toContain('/pages/page-publique');
  });

  it('the intranet is for staff, with intranet items only; its search too', async () => {
    expect((await anon.get('/intranet/actualites')).status).toBe(302);
    expect((await member.get('/intranet/actualites')).status).toBe(302);
    const list = await staff.get('/intranet/actualites');
    expect(list.body).toContain('Zeta interne');
    expect(list.body).not.toContain('Zeta adherents');
    expect(list.body).not.toContain('Zeta publique');
    expect((await staff.get(`/intranet/actualites/${ids.extra}`)).status).toBe(404);
    expect((await staff.get('/intranet/pages/page-adherents')).status).toBe(404);
    const global = await staff.get('/recherche?q=zeta');
    expect(global.body).toContain('Zeta interne');
    expect(global.body).not.toContain('Zeta adherents');
  });

  it('file downloads follow the audience of the live item', async () => {
    const f = (d: { fileId: number }) => `/fichiers/${d.fileId}/x.pdf`;
    expect((await anon.get(f(docs.pub))).status).toBe(200);
    expect((await anon.get(f(docs.intra))).status).toBe(404);
    expect((await anon.get(f(docs.extra))).status).toBe(404);
    expect((await staff.get(f(docs.intra))).status).toBe(200);
    expect((await staff.get(f(docs.extra))).status).toBe(404);
    const mf = (d: { fileId: number }) => `/extranet/contenus/fichiers/${d.fileId}/x.pdf`;
    expect((await member.get(mf(docs.extra))).status).toBe(200);
    expect((await member.get(mf(docs.intra))).status).toBe(404);
    expect((await anon.get(mf(docs.extra))).status).toBe(302);
    const pdf = await anon.get(f(docs.pub));
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['x-content-type-options']).toBe('nosniff');
    // Unpublishing closes the download at once.
    const item = await svc.getItem(t.db, docs.pub.id);
    await t.db.transaction().execute((trx) => svc.unpublishItem(trx, SYSTEM_ACTOR, docs.pub.id, item.version));
    expect((await anon.get(f(docs.pub))).status).toBe(404);
  });

  it('the API gives public items to anyone, other audiences only to content tokens', async () => {
    const res = await api(t, 'GET', '/api/v1/content/published?kind=news');
    expect(res.status).toBe(200);
    const titles = res.json().items.map((i: { title: string }) => i.title);
    expect(titles).toContain('Zeta publique');
    expect(titles).not.toContain('Zeta interne');
    expect(titles).not.toContain('Zeta adherents');
    expect((await api(t, 'GET', '/api/v1/content/published?audience=intranet')).status).toBe(401);
    expect((await api(t, 'GET', '/api/v1/content/published?audience=extranet')).status).toBe(401);
    expect((await api(t, 'GET', '/api/v1/content/items')).status).toBe(401);
  });

  it('a token with the content scope reads the intranet through the API; a plain token does not', async () => {
    const editor = await makeUser(t.db, ['editor']);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, editor.id, { name: 'lecture', scopes: ['content:read'] });
    const res = await api(t, 'GET', '/api/v1/content/published?audience=intranet&kind=news', token);
    expect(res.status).toBe(200);
    expect(res.json().items.map((i: { title: string }) => i.title)).toEqual(['Zeta interne']);
    const plain = await makeUser(t.db, ['staff']);
    const other = await createApiToken(t.db, SYSTEM_ACTOR, plain.id, { name: 'registre', scopes: ['registry:read'] });
    expect((await api(t, 'GET', '/api/v1/content/published?audience=intranet', other.token)).status).toBe(403);
    expect((await api(t, 'GET', '/api/v1/content/published?audience=extranet', other.token)).status).toBe(403);
  });

  it('the portal home shows intranet news, upcoming intranet events and pinned links only', async () => {
    await svc.addLink(t.db, SYSTEM_ACTOR, { title: 'Lien épinglé utile', url: '/annuaire' });
    const home = await staff.get('/portail');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Zeta interne');
    expect(home.body).toContain('Zeta pot interne');
    expect(home.body).toContain('Lien épinglé utile');
    expect(home.body).not.toContain('Zeta adherents');
    expect(home.body).not.toContain('Zeta publique');
  });

  it('the extranet module receives extranet items only, with member file links', async () => {
    const { items } = await listPublishedFor(t.db, 'extranet', { kind: 'news' });
    expect(items.map((i) => i.title)).toEqual(['Zeta adherents']);
    expect(await getPublishedFor(t.db, 'extranet', ids.intra)).toBeUndefined();
    expect(await getPublishedFor(t.db, 'extranet', ids.pub)).toBeUndefined();
    expect((await getPublishedFor(t.db, 'extranet', { kind: 'page', slug: 'page-adherents' }))?.title).toBe('Page adherents');
    const documents = await listDocumentsFor(t.db, 'extranet');
    expect(documents.map((d) => d.title)).toEqual(['guide-adherents']);
  });
});

// Payloads from the OWASP XSS filter evasion cheat sheet and friends.
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/xss.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="/fichiers/1/a.webp" alt="ok" onerror="alert(1)">',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<svg onload=alert(1)><circle r="1"/></svg>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<p style="background:url(javascript:alert(1))">styled</p>',
  '<div style="width: expression(alert(1))">ie</div>',
  '<style>body{background:url("javascript:alert(1)")}</style>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
  '<embed src="javascript:alert(1)">',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<img src="https://evil.example/track.png" alt="pixel">',
  '<form action="javascript:alert(1)"><input type="submit"></form>',
  '<p onmouseover="alert(1)">survol</p>',
  '<table background="javascript:alert(1)"><tr><td onclick="alert(1)">x</td></tr></table>',
  '<a href="//evil.example/">relatif au protocole</a>',
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel="stylesheet" href="javascript:alert(1)">',
  '<details open ontoggle=alert(1)>',
  '<body onload=alert(1)>',
  '<<script>script>alert(1)<</script>/script>',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<template><script>alert(1)</script></template>',
];

describe('rich text sanitisation', () => {
  const forbidden = [/<script/i, /\son\w+\s*=/i, /javascript:/i, /vbscript:/i, /<svg/i, /<math/i, /style=/i, /<style/i, /<iframe/i, /<object/i, /<embed/i, /<form/i, /<input/i, /data:/i, /<base/i, /<meta/i, /<link/i, /expression\(/i, /evil\.example/i, /<details/i, /<template/i];

  it.each(PAYLOADS)('neutralises %s', (payload) => {
    const out = cleanHtml(payload);
    for (const re of forbidden) expect(out, `${payload} → ${out}`).not.toMatch(re);
  });

  it('keeps the allowed structure: headings, lists, links, tables, our images', () => {
    const html = '<h2>Titre</h2><p><strong>gras</strong> <em>it</em> <a href="https://www.cci.fr/">lien</a> <a href="/pages/x">interne</a> <a href="mailto:a@b.fr">mail</a></p><ul><li>un</li></ul><ol><li>deux</li></ol><table><caption>T</caption><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table><p><img src="/fichiers/12/logo.webp" alt="Logo" /></p>';
    expect(cleanHtml(html)).toBe(html);
    expect(cleanHtml('<img src="/fichiers/1/a.webp" alt="ok" onerror="alert(1)">')).toBe('<img src="/fichiers/1/a.webp" alt="ok" />');
  });

  it('cleans what Word pastes', () => {
    const word = `<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{mso-style-parent:"";}</style><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml></head><body><p class=MsoNormal style='mso-margin-top-alt:auto'><b><span lang=FR style='font-size:12.0pt'>Titre gras</span></b><o:p></o:p></p><!--[if !supportLists]--><p class=MsoListParagraph>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span>Point<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p></body></html>`;
    const out = cleanHtml(word).replace(/\u00a0/g, ' ');
    expect(out).toBe('<p><strong>Titre gras</strong></p><p>·   Point</p>');
  });

  it('every payload sent through the editor is stored clean and served clean', async () => {
    const u = await makeUser(t.db, ['webmaster']);
    const a = agent(t);
    await a.signIn(u.email);
    const res = await a.post('/contenus?type=news', { title: '"><script>alert(1)</script>', summary: '<img src=x onerror=alert(1)>', body: '<p>Texte sûr</p>' + PAYLOADS.join('\n'), audiences: ['public'] });
    expect(res.status).toBe(302);
    const id = Number(String(res.headers.location).split('/').pop());
    const row = await svc.getItem(t.db, id);
    for (const re of forbidden) expect(row.body).not.toMatch(re);
    expect(row.body).toContain('<p>Texte sûr</p>');
    await a.post(`/contenus/${id}/soumettre`, { version: String(row.version) });
    await a.post(`/contenus/${id}/publier`, { version: String(row.version + 1) });
    const page = await anon.get(`/actualites/${id}`);
    const html = (await anon.get(String(page.headers.location))).body;
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&quot;>&lt;script>alert(1)&lt;/script>');
    expect(html).not.toMatch(/<img src="?x/);
  });

  it('refuses a body image without alternative text, changing nothing', async () => {
    const u = await makeUser(t.db, ['editor']);
    const a = agent(t);
    await a.signIn(u.email);
    const before = await count(t.db, 'content_items');
    const res = await a.post('/contenus?type=news', { title: 'Sans alt', body: '<p><img src="/fichiers/3/a.webp"></p>', audiences: ['public'] });
    expect(res.status).toBe(422);
    expect(res.body).toContain('texte alternatif');
    expect(await count(t.db, 'content_items')).toBe(before);
  });
});

describe('public site', () => {
  it('home: lang, title, description, compliance mention and accessibility statement', async () => {
    const home = await anon.get('/');
    expect(home.status).toBe(200);
    expect(home.body).toMatch(/<html lang="fr"/);
    expect(home.body).toMatch(/<title>[^<]+<\/title>/);
    expect(home.body).toContain('<meta name="description"');
    expect(home.body).toContain('partiellement conforme');
    expect(home.body).toContain('href="/accessibilite"');
    const a11y = await anon.get('/accessibilite');
    expect(a11y.status).toBe(200);
    expect(a11y.body).toContain('Déclaration d’accessibilité');
    expect(a11y.body).toContain('Défenseur des droits');
    expect((await anon.get('/mentions-legales')).body).toContain('Mentions légales');
    expect((await anon.get('/robots.txt')).body).toContain('Sitemap:');
    // A stale slug redirects to the canonical address.
    const moved = await anon.get(`/actualites/${ids.pub}-ancien-titre`);
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe(`/actualites/${ids.pub}-zeta-publique`);
  });
});
