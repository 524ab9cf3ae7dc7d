// Reading channels: the public site (anyone), the intranet (staff), file downloads for each
// channel, RSS/Atom feeds and sitemap.xml. Every read goes through the live queries scoped by
// audience (content.queries.ts `visible`): a channel never receives another audience's item.
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/access/index.js';
import { AppError } from '../../platform/errors.js';
import type { ModuleContext } from '../../platform/module.js';
import { fileById, findLive, findLiveBySlug, listLive, liveAncestors, d, sharedRead, topPages } from './content.queries.js';
import { readStored } from './content.files.js';
import { searchable } from './content.sanitize.js';
import { fileVisible } from './content.service.js';
import type { Audience, LiveRow } from './content.table.js';
import { hrefOf, type Channel } from './views/common.js';
import { DocumentsPage, HomePage, ItemPage, ListPage, PagesIndex, SearchPage, TextPage, type SiteNav } from './views/public.js';
import type { AnyDb } from '../../platform/db/index.js';

const PUBLIC: Channel = { base: '', audience: 'public' };
const INTRANET: Channel = { base: '/intranet', audience: 'intranet' };

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

export async function siteNav(db: AnyDb, audience: Audience): Promise<SiteNav> {
  return { pages: await topPages(db, audience) };
}

export async function liveDocuments(db: AnyDb, audience: Audience) {
  const { items } = await listLive(db, audience, { kind: 'document', limit: 500 });
  if (items.length === 0) return [];
  const fileIds = items.map((i) => i.document_file_id).filter((x): x is number => !!x);
  const files = fileIds.length ? await d(db).selectFrom('content_files').select(['id', 'name', 'size']).where('id', 'in', fileIds).execute() : [];
  const folders = await d(db).selectFrom('content_folders').select(['id', 'name']).execute();
  return items
    .map((i) => ({ ...i, file_name: files.find((f) => f.id === i.document_file_id)?.name ?? null, file_size: files.find((f) => f.id === i.document_file_id)?.size ?? null, folder_name: folders.find((f) => f.id === i.folder_id)?.name ?? null }))
    .sort((a, b) => (a.folder_name ?? '').localeCompare(b.folder_name ?? '') || a.title.localeCompare(b.title));
}

async function imageAlt(db: AnyDb, id: number | null): Promise<string | null> {
  if (!id) return null;
  return (await fileById(db, id))?.alt ?? null;
}

export function publicWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;
  const pub = { config: { public: true } } as const;
  const staff = { config: { permission: 'portal:use' } } as const;
  // Reading pages of the public site use the public shell, whoever looks at them.
  const view = (req: FastifyRequest, ch: Channel) => (ch.base === '' ? req.view({ shell: 'public', nav: [] }) : req.view());

  const notFound = () => new AppError('not_found', 'content.not_found');

  const channels: Channel[] = [PUBLIC, INTRANET];
  for (const ch of channels) {
    const opts: { config: FastifyContextConfig } = ch.base === '' ? pub : staff;
    const base = ch.base;

    app.get(`${base}/actualites`, opts, async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const page = pageParam(q);
      const [{ items, total }, nav] = await Promise.all([listLive(db, ch.audience, { kind: 'news', limit: 20, offset: (page - 1) * 20 }), siteNav(db, ch.audience)]);
      return reply.render(<ListPage ctx={view(req, ch)} ch={ch} nav={nav} kind="news" items={items} total={total} page={page} query={q} />);
    });
    app.get(`${base}/evenements`, opts, async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const page = pageParam(q);
      const [{ items, total }, nav] = await Promise.all([listLive(db, ch.audience, { kind: 'event', upcomingFrom: new Date().toISOString(), limit: 20, offset: (page - 1) * 20 }), siteNav(db, ch.audience)]);
      return reply.render(<ListPage ctx={view(req, ch)} ch={ch} nav={nav} kind="event" items={items} total={total} page={page} query={q} />);
    });
    for (const [prefix, kind] of [
      ['actualites', 'news'],
      ['evenements', 'event'],
    ] as const) {
      app.get(`${base}/${prefix}/:ref`, opts, async (req, reply) => {
        const id = refId((req.params as { ref: string }).ref);
        const r = id === undefined ? undefined : await findLive(db, ch.audience, id);
        if (!r || r.kind !== kind) throw notFound();
        const canonical = hrefOf(ch, r);
        if (req.url.split('?')[0] !== canonical) return reply.redirect(canonical, 301);
        const [nav, alt] = await Promise.all([siteNav(db, ch.audience), imageAlt(db, r.image_file_id)]);
        return reply.render(<ItemPage ctx={view(req, ch)} ch={ch} nav={nav} r={{ ...r, id: r.item_id }} imageAlt={alt} />);
      });
    }
    app.get(`${base}/pages/:slug`, opts, async (req, reply) => {
      const slug = (req.params as { slug: string }).slug.slice(0, 100);
      const r = await findLiveBySlug(db, ch.audience, 'page', slug);
      if (!r) throw notFound();
      const [nav, alt, ancestors, children] = await Promise.all([siteNav(db, ch.audience), imageAlt(db, r.image_file_id), liveAncestors(db, ch.audience, r), listLive(db, ch.audience, { kind: 'page', parentId: r.item_id, limit: 50 })]);
      return reply.render(<ItemPage ctx={view(req, ch)} ch={ch} nav={nav} r={{ ...r, id: r.item_id }} imageAlt={alt} ancestors={ancestors} children={children.items} />);
    });
    app.get(`${base}/pages`, opts, async (req, reply) => {
      const [{ items }, nav] = await Promise.all([listLive(db, ch.audience, { kind: 'page', limit: 1000, count: false }), siteNav(db, ch.audience)]);
      return reply.render(<PagesIndex ctx={view(req, ch)} ch={ch} nav={nav} pages={items} />);
    });
    app.get(`${base}/documents`, opts, async (req, reply) => {
      const [docs, nav] = await Promise.all([liveDocuments(db, ch.audience), siteNav(db, ch.audience)]);
      return reply.render(<DocumentsPage ctx={view(req, ch)} ch={ch} nav={nav} docs={docs} />);
    });
    app.get(`${base}/rechercher`, opts, async (req, reply) => {
      const q = String((req.query as Record<string, unknown>).q ?? '').trim().slice(0, 100);
      const [found, nav] = await Promise.all([q.length >= 2 ? listLive(db, ch.audience, { q: searchable(q), limit: 30 }) : Promise.resolve({ items: [] as LiveRow[], total: 0 }), siteNav(db, ch.audience)]);
      return reply.render(<SearchPage ctx={view(req, ch)} ch={ch} nav={nav} q={q} items={found.items} />);
    });
  }

  app.get('/', pub, async (req, reply) => {
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
  });

  app.get('/intranet', staff, async (_req, reply) => reply.redirect('/intranet/actualites'));

  app.get('/mentions-legales', pub, async (req, reply) => {
    const t = req.t;
    const name = await ctx.settings.get('cci.name');
    const siren = await ctx.settings.get('cci.siren');
    const paragraphs = [
      { h: t('content.legal.publisher'), p: t('content.legal.publisher_text', { name, siren }) },
      { h: t('content.legal.hosting'), p: t('content.legal.hosting_text') },
      { h: t('content.legal.data'), p: t('content.legal.data_text', { name }) },
      { h: t('content.legal.cookies'), p: t('content.legal.cookies_text') },
      { h: t('content.legal.ip'), p: t('content.legal.ip_text', { name }) },
    ];
    return reply.render(<TextPage ctx={view(req, PUBLIC)} nav={await siteNav(db, 'public')} title={t('content.legal.title')} paragraphs={paragraphs} />);
  });

  app.get('/accessibilite', pub, async (req, reply) => {
    const t = req.t;
    const name = await ctx.settings.get('cci.name');
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
  });

  // — feeds and sitemap: the public audience only —
  const base = () => ctx.config.publicUrl.replace(/\/$/, '');
  app.get('/actualites/flux.rss', pub, async (req, reply) => {
    const { items } = await listLive(db, 'public', { kind: 'news', limit: 30, count: false });
    const name = await ctx.settings.get('cci.name');
    const u = base();
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>${xml(req.t('content.site.news'))} — ${xml(name)}</title><link>${u}/actualites</link><description>${xml(req.t('content.site.feed_description', { name }))}</description><language>fr</language>
<atom:link href="${u}/actualites/flux.rss" rel="self" type="application/rss+xml"/>
${items.map((n) => `<item><title>${xml(n.title)}</title><link>${u}${hrefOf(PUBLIC, n)}</link><guid isPermaLink="true">${u}${hrefOf(PUBLIC, n)}</guid><pubDate>${new Date(n.published_at).toUTCString()}</pubDate><description>${xml(n.summary)}</description></item>`).join('\n')}
</channel></rss>`;
    return reply.type('application/rss+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(body);
  });
  app.get('/actualites/flux.atom', pub, async (req, reply) => {
    const { items } = await listLive(db, 'public', { kind: 'news', limit: 30, count: false });
    const name = await ctx.settings.get('cci.name');
    const u = base();
    const updated = items.reduce((m, n) => (n.updated_at > m ? n.updated_at : m), '1970-01-01T00:00:00.000Z');
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
<title>${xml(req.t('content.site.news'))} — ${xml(name)}</title><id>${u}/actualites</id><updated>${updated}</updated>
<link rel="self" href="${u}/actualites/flux.atom"/><link rel="alternate" href="${u}/actualites"/>
${items.map((n) => `<entry><title>${xml(n.title)}</title><id>${u}${hrefOf(PUBLIC, n)}</id><link rel="alternate" href="${u}${hrefOf(PUBLIC, n)}"/><published>${n.published_at}</published><updated>${n.updated_at}</updated><author><name>${xml(name)}</name></author><summary>${xml(n.summary)}</summary></entry>`).join('\n')}
</feed>`;
    return reply.type('application/atom+xml; charset=utf-8').header('cache-control', 'public, max-age=300').send(body);
  });
  app.get('/sitemap.xml', pub, async (_req, reply) => {
    const u = base();
    const all: LiveRow[] = [];
    for (const kind of ['page', 'news', 'event'] as const) all.push(...(await listLive(db, 'public', { kind, limit: 5000, count: false })).items);
    const fixed = ['/', '/actualites', '/evenements', '/pages', '/documents', '/mentions-legales', '/accessibilite'];
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${fixed.map((p) => `<url><loc>${u}${p}</loc></url>`).join('\n')}
${all.map((r) => `<url><loc>${xml(u + hrefOf(PUBLIC, r))}</loc><lastmod>${r.updated_at.slice(0, 10)}</lastmod></url>`).join('\n')}
</urlset>`;
    return reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=600').send(body);
  });
  app.get('/robots.txt', pub, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(`User-agent: *\nDisallow: /contenus\nDisallow: /intranet\nDisallow: /portail\nDisallow: /extranet\nDisallow: /admin\nSitemap: ${base()}/sitemap.xml\n`),
  );

  // — files —
  const sendFile = async (req: FastifyRequest, reply: FastifyReply, audiences: Audience[]) => {
    const id = refId((req.params as { id: string }).id);
    const file = id === undefined ? undefined : await fileById(db, id);
    let ok = false;
    if (file) for (const a of audiences) if (!ok && (await fileVisible(db, req.actor, file, a))) ok = true;
    // Invisible and absent look the same: a 404 does not confirm that a file exists.
    if (!file || !ok) throw notFound();
    const bytes = readStored(ctx.config.dataDir, file.storage_key);
    const inline = file.kind === 'image' || file.mime === 'application/pdf';
    return reply
      .type(file.mime)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${file.name}"`)
      .header('cache-control', audiences.includes('public') && req.actor.kind === 'anonymous' ? 'public, max-age=3600' : 'private, max-age=300')
      .send(bytes);
  };
  app.get('/fichiers/:id', pub, (req, reply) => sendFile(req, reply, req.actor.kind === 'staff' && can(req.actor, 'portal:use') ? ['public', 'intranet'] : ['public']));
  app.get('/fichiers/:id/:name', pub, (req, reply) => sendFile(req, reply, req.actor.kind === 'staff' && can(req.actor, 'portal:use') ? ['public', 'intranet'] : ['public']));
  // Members download through the extranet's session (the platform resolves it on member routes).
  app.get('/extranet/contenus/fichiers/:id/:name', { config: { audience: 'member' } }, (req, reply) => sendFile(req, reply, ['extranet', 'public']));
}
