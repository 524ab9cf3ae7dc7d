// Reading pages: the public site (public shell) and the intranet (staff shell) share them.
import type { ComponentChildren } from 'preact';
import { Pagination } from '../../../platform/ui/components.js';
import { Page, type Crumb } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { LiveRow } from '../content.table.js';
import { CONTENT_LANG, EventWhen, hrefOf, ItemArticle, type Channel, type Readable, fmtDate } from './common.js';

export interface SiteNav {
  pages: { title: string; slug: string }[];
}

function topNav(ctx: ViewContext, ch: Channel, nav: SiteNav) {
  if (ch.base !== '') return undefined;
  const t = ctx.t;
  const path = ctx.path.split('?')[0];
  const links = [
    { label: t('content.site.home'), href: '/' },
    { label: t('content.site.news'), href: '/actualites' },
    { label: t('content.site.events'), href: '/evenements' },
    ...nav.pages.slice(0, 5).map((p) => ({ label: p.title, href: `/pages/${p.slug}` })),
    { label: t('content.site.documents'), href: '/documents' },
    { label: t('content.site.all_pages'), href: '/pages' },
    { label: t('content.site.search'), href: '/rechercher' },
    { label: t('content.site.members'), href: '/extranet' },
    { label: t('content.site.staff'), href: '/portail' },
  ];
  return links.map((l) => ({ ...l, current: l.href === '/' ? path === '/' : path === l.href || path.startsWith(l.href + '/') }));
}

/** The page shell of a reading channel: public site navigation, or the staff portal. */
export function SitePage(p: { ctx: ViewContext; ch: Channel; nav: SiteNav; title: string; description?: string; crumbs?: Crumb[]; children?: ComponentChildren; banner?: ComponentChildren }) {
  const home = p.ch.base === '' ? { label: p.ctx.t('content.site.home'), href: '/' } : { label: p.ctx.t('app.home'), href: '/portail' };
  return (
    <Page ctx={p.ctx} title={p.title} description={p.description} crumbs={p.crumbs ? [home, ...p.crumbs] : undefined} topNav={topNav(p.ctx, p.ch, p.nav)} topNavLabel={p.ctx.t('content.site.nav')}>
      {p.banner}
      {p.children}
    </Page>
  );
}

export function NewsList({ ctx, ch, items, headingLevel = 2 }: { ctx: ViewContext; ch: Channel; items: LiveRow[]; headingLevel?: 2 | 3 }) {
  if (items.length === 0) return <p class="empty">{ctx.t('content.site.no_news')}</p>;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ul class="cards news-cards" lang={CONTENT_LANG}>
      {items.map((n) => (
        <li class="card">
          <H class="card-title">
            <a href={hrefOf(ch, n)}>{n.title}</a>
          </H>
          {n.news_date ? (
            <p class="muted">
              <time dateTime={n.news_date}>{fmtDate(n.news_date, ctx.locale)}</time>
            </p>
          ) : null}
          {n.summary ? <p>{n.summary}</p> : null}
        </li>
      ))}
    </ul>
  );
}

export function EventList({ ctx, ch, items }: { ctx: ViewContext; ch: Channel; items: LiveRow[] }) {
  if (items.length === 0) return <p class="empty">{ctx.t('content.site.no_events')}</p>;
  return (
    <ul class="event-list" lang={CONTENT_LANG}>
      {items.map((e) => (
        <li>
          <a href={hrefOf(ch, e)}>{e.title}</a>
          <span class="muted">
            {' — '}
            <EventWhen ctx={ctx} r={e} />
            {e.event_place ? ` · ${e.event_place}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function HomePage({ ctx, nav, news, events, pages }: { ctx: ViewContext; nav: SiteNav; news: LiveRow[]; events: LiveRow[]; pages: LiveRow[] }) {
  const t = ctx.t;
  const ch: Channel = { base: '', audience: 'public' };
  return (
    <SitePage ctx={ctx} ch={ch} nav={nav} title={t('content.site.home_title')} description={t('content.site.home_description', { name: ctx.cciName })}>
      <p class="lead">{t('content.site.welcome', { name: ctx.cciName })}</p>
      <section aria-labelledby="home-news">
        <h2 id="home-news">{t('content.site.latest_news')}</h2>
        <NewsList ctx={ctx} ch={ch} items={news} headingLevel={3} />
        <p>
          <a href="/actualites">{t('content.site.all_news')}</a> · <a href="/actualites/flux.rss">{t('content.site.rss')}</a> · <a href="/actualites/flux.atom">{t('content.site.atom')}</a>
        </p>
      </section>
      <section aria-labelledby="home-events">
        <h2 id="home-events">{t('content.site.upcoming_events')}</h2>
        <EventList ctx={ctx} ch={ch} items={events} />
        <p>
          <a href="/evenements">{t('content.site.all_events')}</a>
        </p>
      </section>
      {pages.length ? (
        <section aria-labelledby="home-pages">
          <h2 id="home-pages">{t('content.site.pages')}</h2>
          <ul>
            {pages.map((p) => (
              <li>
                <a href={hrefOf(ch, p)}>{p.title}</a>
                {p.summary ? <span class="muted"> — {p.summary}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p class="compliance">
        {t('content.site.compliance')} <a href="/accessibilite">{t('content.site.compliance_link')}</a>
      </p>
    </SitePage>
  );
}

export function ListPage(p: { ctx: ViewContext; ch: Channel; nav: SiteNav; kind: 'news' | 'event'; items: LiveRow[]; total: number; page: number; query: Record<string, string | undefined> }) {
  const t = p.ctx.t;
  const title = p.kind === 'news' ? t('content.site.news') : t('content.site.events');
  return (
    <SitePage ctx={p.ctx} ch={p.ch} nav={p.nav} title={title} description={title} crumbs={[{ label: title }]}>
      {p.kind === 'news' ? <NewsList ctx={p.ctx} ch={p.ch} items={p.items} /> : <EventList ctx={p.ctx} ch={p.ch} items={p.items} />}
      <Pagination ctx={p.ctx} page={p.page} perPage={20} total={p.total} path={`${p.ch.base}/${p.kind === 'news' ? 'actualites' : 'evenements'}`} query={p.query} />
      {p.kind === 'news' && p.ch.base === '' ? (
        <p>
          <a href="/actualites/flux.rss">{t('content.site.rss')}</a> · <a href="/actualites/flux.atom">{t('content.site.atom')}</a>
        </p>
      ) : null}
    </SitePage>
  );
}

export function ItemPage(p: { ctx: ViewContext; ch: Channel; nav: SiteNav; r: Readable; imageAlt?: string | null; ancestors?: LiveRow[]; children?: LiveRow[]; banner?: ComponentChildren }) {
  const t = p.ctx.t;
  const crumbs: Crumb[] =
    p.r.kind === 'news'
      ? [{ label: t('content.site.news'), href: `${p.ch.base}/actualites` }]
      : p.r.kind === 'event'
        ? [{ label: t('content.site.events'), href: `${p.ch.base}/evenements` }]
        : (p.ancestors ?? []).map((a) => ({ label: a.title, href: hrefOf(p.ch, a) }));
  return (
    <SitePage ctx={p.ctx} ch={p.ch} nav={p.nav} title={p.r.title} description={p.r.meta_description || p.r.summary || undefined} crumbs={[...crumbs, { label: p.r.title }]} banner={p.banner}>
      <ItemArticle ctx={p.ctx} r={p.r} imageAlt={p.imageAlt} />
      {p.children && p.children.length ? (
        <nav aria-label={t('content.site.subpages')} class="subpages">
          <h2>{t('content.site.subpages')}</h2>
          <ul>
            {p.children.map((c) => (
              <li>
                <a href={hrefOf(p.ch, c)}>{c.title}</a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </SitePage>
  );
}

function PageTree({ ch, pages, parent, depth }: { ch: Channel; pages: LiveRow[]; parent: number | null; depth: number }) {
  const children = pages.filter((p) => p.parent_id === parent);
  if (!children.length || depth > 8) return null;
  return (
    <ul lang={CONTENT_LANG}>
      {children.map((p) => (
        <li>
          <a href={hrefOf(ch, p)}>{p.title}</a>
          {p.summary ? <span class="muted"> — {p.summary}</span> : null}
          <PageTree ch={ch} pages={pages} parent={p.item_id} depth={depth + 1} />
        </li>
      ))}
    </ul>
  );
}

/** Every page of the channel as a tree (the site map for people). */
export function PagesIndex(p: { ctx: ViewContext; ch: Channel; nav: SiteNav; pages: LiveRow[] }) {
  const t = p.ctx.t;
  // A page whose parent is not visible to this audience is shown at the top level.
  const ids = new Set(p.pages.map((x) => x.item_id));
  const pages = p.pages.map((x) => (x.parent_id && !ids.has(x.parent_id) ? { ...x, parent_id: null } : x));
  return (
    <SitePage ctx={p.ctx} ch={p.ch} nav={p.nav} title={t('content.site.all_pages')} description={t('content.site.all_pages')} crumbs={[{ label: t('content.site.all_pages') }]}>
      {pages.length ? <PageTree ch={p.ch} pages={pages} parent={null} depth={0} /> : <p class="empty">{t('common.no_results')}</p>}
    </SitePage>
  );
}

export function DocumentsPage(p: { ctx: ViewContext; ch: Channel; nav: SiteNav; docs: (LiveRow & { file_name: string | null; file_size: number | null; folder_name: string | null })[] }) {
  const t = p.ctx.t;
  const byFolder = new Map<string, typeof p.docs>();
  for (const doc of p.docs) {
    const k = doc.folder_name ?? t('content.site.no_folder');
    byFolder.set(k, [...(byFolder.get(k) ?? []), doc]);
  }
  const files = p.ch.audience === 'extranet' ? '/extranet/contenus/fichiers' : '/fichiers';
  return (
    <SitePage ctx={p.ctx} ch={p.ch} nav={p.nav} title={t('content.site.documents')} crumbs={[{ label: t('content.site.documents') }]}>
      {p.docs.length === 0 ? <p class="empty">{t('content.site.no_documents')}</p> : null}
      {[...byFolder].map(([folder, docs]) => (
        <section>
          <h2>{folder}</h2>
          <ul class="document-list" lang={CONTENT_LANG}>
            {docs.map((doc) => (
              <li id={`doc-${doc.item_id}`}>
                {doc.document_file_id ? (
                  <a href={`${files}/${doc.document_file_id}/${doc.file_name ?? 'document'}`}>
                    {doc.title}
                    <span class="muted"> ({doc.file_name?.split('.').pop()?.toUpperCase()}, {Math.max(1, Math.round((doc.file_size ?? 0) / 1024))} {t('content.kb')})</span>
                  </a>
                ) : (
                  doc.title
                )}
                {doc.summary ? <p class="muted">{doc.summary}</p> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </SitePage>
  );
}

export function SearchPage(p: { ctx: ViewContext; ch: Channel; nav: SiteNav; q: string; items: LiveRow[] }) {
  const t = p.ctx.t;
  return (
    <SitePage ctx={p.ctx} ch={p.ch} nav={p.nav} title={p.q ? t('content.site.search_results', { q: p.q }) : t('content.site.search')} crumbs={[{ label: t('content.site.search') }]}>
      <form method="get" action={`${p.ch.base}/rechercher`} role="search" class="toolbar">
        <div class="field">
          <label for="site-q">{t('content.site.search_label')}</label>
          <input id="site-q" type="search" name="q" value={p.q} maxLength={100} />
        </div>
        <button type="submit">{t('app.search')}</button>
      </form>
      {p.q.length >= 2 ? (
        p.items.length ? (
          <ul>
            {p.items.map((r) => (
              <li>
                <a href={hrefOf(p.ch, r)}>{r.title}</a> <span class="muted">{t(`content.kind.${r.kind}`)}</span>
                {r.summary ? <p class="muted">{r.summary}</p> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">{t('search.nothing', { q: p.q })}</p>
        )
      ) : null}
    </SitePage>
  );
}

/** Legal notice and accessibility statement: fixed texts filled with the CCI's settings. */
export function TextPage(p: { ctx: ViewContext; nav: SiteNav; title: string; paragraphs: { h?: string; p?: string; list?: string[] }[] }) {
  return (
    <SitePage ctx={p.ctx} ch={{ base: '', audience: 'public' }} nav={p.nav} title={p.title} description={p.title} crumbs={[{ label: p.title }]}>
      {p.paragraphs.map((x) => (
        <>
          {x.h ? <h2>{x.h}</h2> : null}
          {x.p ? <p>{x.p}</p> : null}
          {x.list ? (
            <ul>
              {x.list.map((l) => (
                <li>{l}</li>
              ))}
            </ul>
          ) : null}
        </>
      ))}
    </SitePage>
  );
}
