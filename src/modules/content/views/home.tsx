// The content block of the staff home page (/portail): search, staff news, pinned links,
// upcoming events.
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { LinkRow, LiveRow } from '../content.table.js';
import { EventWhen, hrefOf, fmtDate } from './common.js';

const INTRANET = { base: '/intranet', audience: 'intranet' } as const;

export function HomeBlock({ ctx, news, events, links }: { ctx: ViewContext; news: LiveRow[]; events: LiveRow[]; links: LinkRow[] }) {
  const t = ctx.t;
  return (
    <div class="home-content">
      <form method="get" action="/recherche" role="search" class="toolbar home-search">
        <div class="field">
          <label for="home-q">{t('content.home.search_label')}</label>
          <input id="home-q" type="search" name="q" maxLength={200} />
        </div>
        <button type="submit">{t('app.search')}</button>
      </form>
      <div class="home-grid">
        <section aria-labelledby="home-staff-news">
          <h2 id="home-staff-news">{t('content.home.news')}</h2>
          {news.length ? (
            <ul class="plain-list">
              {news.map((n) => (
                <li>
                  <a href={hrefOf(INTRANET, n)}>{n.title}</a>
                  {n.news_date ? <span class="muted"> — {fmtDate(n.news_date, ctx.locale)}</span> : null}
                  {n.summary ? <p class="muted">{n.summary}</p> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">{t('content.site.no_news')}</p>
          )}
          <p>
            <a href="/intranet/actualites">{t('content.site.all_news')}</a>
          </p>
        </section>
        <section aria-labelledby="home-events">
          <h2 id="home-events">{t('content.home.events')}</h2>
          {events.length ? (
            <ul class="plain-list">
              {events.map((e) => (
                <li>
                  <a href={hrefOf(INTRANET, e)}>{e.title}</a>
                  <span class="muted">
                    {' — '}
                    <EventWhen ctx={ctx} r={e} />
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">{t('content.site.no_events')}</p>
          )}
          <h2>{t('content.home.links')}</h2>
          {links.length ? (
            <ul class="plain-list">
              {links.map((l) => (
                <li>
                  <a href={l.url}>{l.title}</a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">{t('content.home.no_links')}</p>
          )}
        </section>
      </div>
    </div>
  );
}
