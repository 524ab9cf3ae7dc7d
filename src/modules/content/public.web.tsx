// Reading channels: the public site (anyone), the intranet (staff), file downloads for each
// channel, RSS/Atom feeds and sitemap.xml; listed with their access in content.routes.ts. Every
// read goes through the live queries scoped by audience (content.queries.ts `visible`): a channel
// never receives another audience's item. The same handler serves a page on the public site and
// on the intranet (`/actualites`, `/intranet/actualites`): the route's path says which channel.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/access/index.js';
import { AppError } from '../../platform/errors.js';
import { noteUsage } from '../../platform/http/usage.js';
import type { ModuleContext } from '../../platform/module.js';
import { readStored } from './content.files.js';
import { fileById, findLive, findLiveBySlug, listLive, liveAncestors, liveDocuments, sharedRead, topPages } from './content.queries.js';
import { searchable } from './content.sanitize.js';
import { fileVisible } from './content.service.js';
import type { Audience, ContentDb, LiveRow } from './content.table.js';
import { hrefOf, type Channel } from './views/common.js';
import { DocumentsPage, HomePage, ItemPage, ListPage, PagesIndex, SearchPage, TextPage, type SiteNav } from './views/public.js';

type Ctx = ModuleContext<ContentDb>;

const PUBLIC: Channel = { base: '', audience: 'public' };
const INTRANET: Channel = { base: '/intranet', audience: 'intranet' };

/** The channel a reading route belongs to, from its declared path (`/intranet/…` or the public site). */
function channelOf(req: FastifyRequest): Channel {
  return req.routeOptions.url?.startsWith('/intranet/') ? INTRANET : PUBLIC;
}

// Reading pages of the public site use the public shell, whoever looks at them.
const view = (req: FastifyRequest, ch: Channel) => (ch.base === '' ? req.view({ shell: 'public', nav: [] }) : req.view());

const notFound = () => new AppError('not_found', 'content.not_found');

function xml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function pageParam(q: Record<string, string | undefined>): number {
  const p = Number(q.page);
  return Number.isInteger(p) && p > 0 && p < 10000 ? p : 1;
}

/** "12-some-title" → 12 */
function refId(ref: string): number | undefined {
  const m = /^(\d{1,9})(?:-|$)/.exec(ref);
  return m ? Number(m[1]) : undefined;
}

export async function siteNav(db: ContentDb, audience: Audience): Promise<SiteNav> {
  return { pages: await topPages(db, audience) };
}

async function imageAlt(db: ContentDb, id: number | null): Promise<string | null> {
  if (!id) return null;
  return (await fileById(db, id))?.alt ?? null;
}

export async function handleNewsList(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const ch = channelOf(req);
  const q = req.query as Record<string, string | undefined>;
  const page = pageParam(q);
  const [{ items, total }, nav] = await Promise.all([listLive(db, ch.audience, { kind: 'news', limit: 20, offset: (page - 1) * 20 }), siteNav(db, ch.audience)]);
  return reply.render(<ListPage ctx={view(req, ch)} ch={ch} nav={nav} kind="news" items={items} total={total} page={page} query={q} />);
}

export async function handleEventList(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const ch = channelOf(req);
  const q = req.query as Record<string, string | undefined>;
  const page = pageParam(q);
  const [{ items, total }, nav] = await Promise.all([listLive(db, ch.audience, { kind: 'event', upcomingFrom: new Date().toISOString(), limit: 20, offset: (page - 1) * 20 }), siteNav(db, ch.audience)]);
  return reply.render(<ListPage ctx={view(req, ch)} ch={ch} nav={nav} kind="event" items={items} total={total} page={page} query={q} />);
}

/** A news item or an event by `<id>-<slug>`; any other slug is redirected to the canonical one. */
async function itemByRef(req: FastifyRequest, reply: FastifyReply, db: ContentDb, kind: 'news' | 'event') {
  const ch = channelOf(req);
  const id = refId((req.params as { ref: string }).ref);
  const r = id === undefined ? undefined : await findLive(db, ch.audience, id);
  if (!r || r.kind !== kind) throw notFound();
  const canonical = hrefOf(ch, r);
  if (req.url.split('?')[0] !== canonical) return reply.redirect(canonical, 301);
  const [nav, alt] = await Promise.all([siteNav(db, ch.audience), imageAlt(db, r.image_file_id)]);
  return reply.render(<ItemPage ctx={view(req, ch)} ch={ch} nav={nav} r={{ ...r, id: r.item_id }} imageAlt={alt} />);
}

export async function handleNewsItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return itemByRef(req, reply, db, 'news');
}

export async function handleEvent(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return itemByRef(req, reply, db, 'event');
}

export async function handlePage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const ch = channelOf(req);
  const slug = (req.params as { slug: string }).slug;
  // Slugs are [a-z0-9-] (slugify): anything else names no page, and a NUL would be a 500 on PostgreSQL.
  if (!/^[a-z0-9-]{1,100}$/.test(slug)) throw notFound();
  const r = await findLiveBySlug(db, ch.audience, 'page', slug);
  if (!r) throw notFound();
  const [nav, alt, ancestors, children] = await Promise.all([siteNav(db, ch.audience), imageAlt(db, r.image_file_id), liveAncestors(db, ch.audience, r), listLive(db, ch.audience, { kind: 'page', parentId: r.item_id, limit: 50 })]);
  return reply.render(<ItemPage ctx={view(req, ch)} ch={ch} nav={nav} r={{ ...r, id: r.item_id }} imageAlt={alt} ancestors={ancestors} children={children.items} />);
}

export async function handlePagesIndex(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const ch = channelOf(req);
  const [{ items }, nav] = await Promise.all([listLive(db, ch.audience, { kind: 'page', limit: 1000, count: false }), siteNav(db, ch.audience)]);
  return reply.render(<PagesIndex ctx={view(req, ch)} ch={ch} nav={nav} pages={items} />);
}

export async function handleDocuments(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const ch = channelOf(req);
  const [docs, nav] = await Promise.all([liveDocuments(db, ch.audience), siteNav(db, ch.audience)]);
  return reply.render(<DocumentsPage ctx={view(req, ch)} ch={ch} nav={nav} docs={docs} />);
}

export async function handleSearch(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const ch = channelOf(req);
  const q = String((req.query as Record<string, unknown>).q ?? '').trim().slice(0, 100);
  const [found, nav] = await Promise.all([q.length >= 2 ? listLive(db, ch.audience, { q: searchable(q), limit: 30 }) : Promise.resolve({ items: [] as LiveRow[], total: 0 }), siteNav(db, ch.audience)]);
  if (q) noteUsage(req, 'search.results', found.total); // usage statistics: searches with no result
  return reply.render(<SearchPage ctx={view(req, ch)} ch={ch} nav={nav} q={q} items={found.items} />);
}

export async function handleHome(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const [{ news, events, pages }, nav] = await Promise.all([
    sharedRead(db, 'public', 'home', async () => {
      const now = new Date().toISOString();
      const [news, events, pages] = await Promise.all([
        listLive(db, 'public', { kind: 'news', limit: 4, count: false }, now),
        listLive(db, 'public', { kind: 'event', upcomingFrom: now, limit: 4, count: false }, now),
        listLive(db, 'public', { kind: 'page', parentId: null, limit: 8, count: false }, now),
      ]);
      return { news, events, pages };
    }),
    siteNav(db, 'public'),
  ]);
  return reply.render(<HomePage ctx={view(req, PUBLIC)} nav={nav} news={news.items} events={events.items} pages={pages.items} />);
}

export async function handleIntranetHome(_req: FastifyRequest, reply: FastifyReply) {
  return reply.redirect('/intranet/actualites');
}

export async function handleLegalNotice(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const t = req.t;
  const name = await settings.get('cci.name');
  const siren = await settings.get('cci.siren');
  const paragraphs = [
    { h: t('content.legal.publisher'), p: t('content.legal.publisher_text', { name, siren }) },
    { h: t('content.legal.hosting'), p: t('content.legal.hosting_text') },
    { h: t('content.legal.data'), p: t('content.legal.data_text', { name }) },
    { h: t('content.legal.cookies'), p: t('content.legal.cookies_text') },
    { h: t('content.legal.ip'), p: t('content.legal.ip_text', { name }) },
  ];
  return reply.render(<TextPage ctx={view(req, PUBLIC)} nav={await siteNav(db, 'public')} title={t('content.legal.title')} paragraphs={paragraphs} />);
}

export async function handleAccessibilityStatement(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const t = req.t;
  const name = await settings.get('cci.name');
  const paragraphs = [
    { p: t('content.a11y.intro', { name }) },
    { h: t('content.a11y.status'), p: t('content.a11y.status_text') },
    { h: t('content.a11y.results'), p: t('content.a11y.results_text') },
    { h: t('content.a11y.non_compliant'), list: [t('content.a11y.nc1'), t('content.a11y.nc2'), t('content.a11y.nc3')] },
    { h: t('content.a11y.tech'), list: ['HTML5', 'CSS', 'WAI-ARIA', 'JavaScript (optionnel)'] },
    { h: t('content.a11y.env'), p: t('content.a11y.env_text') },
    { h: t('content.a11y.feedback'), p: t('content.a11y.feedback_text', { name }) },
    { h: t('content.a11y.remedy'), p: t('content.a11y.remedy_text') },
  ];
  return reply.render(<TextPage ctx={view(req, PUBLIC)} nav={await siteNav(db, 'public')} title={t('content.a11y.title')} paragraphs={paragraphs} />);
}

// — feeds and sitemap: the public audience only —
const baseUrl = (ctx: Ctx) => ctx.config.publicUrl.replace(/\/$/, '');

export async function handleRssFeed(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { items } = await listLive(ctx.db, 'public', { kind: 'news', limit: 30, count: false });
  const name = await ctx.settings.get('cci.name');
  const u = baseUrl(ctx);
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>${xml(req.t('content.site.news'))} — ${xml(name)}</title><link>${u}/actualites</link><description>${xml(req.t('content.site.feed_description', { name }))}</description><language>fr</language>
<atom:link href="${u}/actualites/flux.rss" rel="self" type="application/rss+xml"/>
${items.map((n) => `<item><title>${xml(n.title)}</title><link>${u}${hrefOf(PUBLIC, n)}</link><guid isPermaLink="true">${u}${hrefOf(PUBLIC, n)}</guid><pubDate>${new Date(n.published_at).toUTCString()}</pubDate><description>${xml(n.summary)}</description></item>`).join('\n')}
</channel></rss>`;
  return reply.type('application/rss+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(body);
}

export async function handleAtomFeed(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { items } = await listLive(ctx.db, 'public', { kind: 'news', limit: 30, count: false });
  const name = await ctx.settings.get('cci.name');
  const u = baseUrl(ctx);
  const updated = items.reduce((m, n) => (n.updated_at > m ? n.updated_at : m), '1970-01-01T00:00:00.000Z');
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
<title>${xml(req.t('content.site.news'))} — ${xml(name)}</title><id>${u}/actualites</id><updated>${updated}</updated>
<link rel="self" href="${u}/actualites/flux.atom"/><link rel="alternate" href="${u}/actualites"/>
${items.map((n) => `<entry><title>${xml(n.title)}</title><id>${u}${hrefOf(PUBLIC, n)}</id><link rel="alternate" href="${u}${hrefOf(PUBLIC, n)}"/><published>${n.published_at}</published><updated>${n.updated_at}</updated><author><name>${xml(name)}</name></author><summary>${xml(n.summary)}</summary></entry>`).join('\n')}
</feed>`;
  return reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(body);
}

export async function handleSitemap(_req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const u = baseUrl(ctx);
  const all: LiveRow[] = [];
  for (const kind of ['page', 'news', 'event'] as const) all.push(...(await listLive(ctx.db, 'public', { kind, limit: 5000, count: false })).items);
  const fixed = ['/', '/actualites', '/evenements', '/pages', '/documents', '/mentions-legales', '/accessibilite'];
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${fixed.map((p) => `<url><loc>${u}${p}</loc></url>`).join('\n')}
${all.map((r) => `<url><loc>${xml(u + hrefOf(PUBLIC, r))}</loc><lastmod>${r.updated_at.slice(0, 10)}</lastmod></url>`).join('\n')}
</urlset>`;
  return reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=600').send(body);
}

export async function handleRobots(_req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return reply.type('text/plain; charset=utf-8').send(`User-agent: *\nDisallow: /contenus\nDisallow: /intranet\nDisallow: /portail\nDisallow: /extranet\nDisallow: /admin\nSitemap: ${baseUrl(ctx)}/sitemap.xml\n`);
}

// — files —

async function sendFile(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx, audiences: Audience[]) {
  const id = refId((req.params as { id: string }).id);
  const file = id === undefined ? undefined : await fileById(db, id);
  let ok = false;
  if (file) for (const a of audiences) if (!ok && (await fileVisible(db, req.actor, file, a))) ok = true;
  // Invisible and absent look the same: a 404 does not confirm that a file exists.
  if (!file || !ok) throw notFound();
  const bytes = readStored(config.dataDir, file.storage_key);
  const inline = file.kind === 'image' || file.mime === 'application/pdf';
  return reply
    .type(file.mime)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${file.name}"`)
    .header('cache-control', audiences.includes('public') && req.actor.kind === 'anonymous' ? 'public, max-age=3600' : 'private, max-age=300')
    .send(bytes);
}

/** /fichiers/…: public files for anyone, intranet files too for staff. */
export async function handleFile(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return sendFile(req, reply, ctx, req.actor.kind === 'staff' && can(req.actor, 'portal:use') ? ['public', 'intranet'] : ['public']);
}

/** Members download through the extranet's session (the platform resolves it on member routes). */
export async function handleMemberFile(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return sendFile(req, reply, ctx, ['extranet', 'public']);
}
