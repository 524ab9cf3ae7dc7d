// Member pages reading what the CCI published for the extranet audience (news, events,
// documents). The items come from the content module's exports, already filtered on the extranet
// audience, with sanitised bodies and file links rewritten to /extranet/contenus/fichiers/….
import { Pagination } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { PublishedItem } from '../../content/index.js';
import { fileSize } from './common.js';
import { formatDate, formatDateTime } from './format.js';
import { MemberPage, type MemberChrome } from './member.js';

/** Items are written in French: an English interface announces them as French (RGAA 8.7). */
const CONTENT_LANG = 'fr';

export const newsHref = (n: Pick<PublishedItem, 'id' | 'slug'>) => `/extranet/actualites/${n.id}-${n.slug}`;
export const eventHref = (n: Pick<PublishedItem, 'id' | 'slug'>) => `/extranet/evenements/${n.id}-${n.slug}`;

export interface PublishedDocument extends PublishedItem {
  fileName: string | null;
  fileSize: number | null;
  folder: string | null;
}

/** News as cards; `level` keeps the heading order right on the home page and on the list. */
export function NewsCards({ ctx, items, level = 2 }: { ctx: ViewContext; items: PublishedItem[]; level?: 2 | 3 }) {
  const H = level === 2 ? 'h2' : 'h3';
  if (items.length === 0) return <p class="empty">{ctx.t('extranet.news.empty')}</p>;
  return (
    <ul class="cards news-cards" lang={CONTENT_LANG}>
      {items.map((n) => (
        <li class="card">
          <H class="card-title">
            <a href={newsHref(n)}>{n.title}</a>
          </H>
          <p class="muted">
            <time dateTime={n.newsDate ?? n.publishedAt}>{formatDate(n.newsDate ?? n.publishedAt, ctx.locale)}</time>
          </p>
          {n.summary ? <p>{n.summary}</p> : null}
        </li>
      ))}
    </ul>
  );
}

type ListQuery = Record<string, string | string[] | undefined>;

export function NewsListPage({ ctx, chrome, items, total, page, perPage, query }: { ctx: ViewContext; chrome: MemberChrome; items: PublishedItem[]; total: number; page: number; perPage: number; query: ListQuery }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.news.title')}>
      <NewsCards ctx={ctx} items={items} />
      <Pagination ctx={ctx} page={page} perPage={perPage} total={total} path="/extranet/actualites" query={query} />
    </MemberPage>
  );
}

function When({ ctx, item }: { ctx: ViewContext; item: PublishedItem }) {
  if (!item.eventStart) return null;
  return (
    <>
      <time dateTime={item.eventStart}>{formatDateTime(item.eventStart, ctx.locale)}</time>
      {item.eventEnd ? (
        <>
          {' – '}
          <time dateTime={item.eventEnd}>{formatDateTime(item.eventEnd, ctx.locale)}</time>
        </>
      ) : null}
    </>
  );
}

/** One news item or event. The body was cleaned by the content module's allow-list when saved. */
export function ItemPage({ ctx, chrome, item }: { ctx: ViewContext; chrome: MemberChrome; item: PublishedItem }) {
  const t = ctx.t;
  const isEvent = item.kind === 'event';
  const crumbs = [isEvent ? { label: t('extranet.events.title'), href: '/extranet/evenements' } : { label: t('extranet.news.title'), href: '/extranet/actualites' }, { label: item.title }];
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={item.title} crumbs={crumbs}>
      <article class="content-article" lang={CONTENT_LANG}>
        {isEvent ? (
          <dl class="facts">
            <div>
              <dt>{t('extranet.events.when')}</dt>
              <dd>
                <When ctx={ctx} item={item} />
              </dd>
            </div>
            {item.eventPlace ? (
              <div>
                <dt>{t('extranet.events.place')}</dt>
                <dd>{item.eventPlace}</dd>
              </div>
            ) : null}
            {item.eventLink ? (
              <div>
                <dt>{t('extranet.events.link')}</dt>
                <dd>
                  <a href={item.eventLink} rel="noopener noreferrer">
                    {t('extranet.events.register')}
                    <span class="visually-hidden"> — {item.title}</span>
                  </a>
                </dd>
              </div>
            ) : null}
          </dl>
        ) : (
          <p class="muted">
            <time dateTime={item.newsDate ?? item.publishedAt}>{formatDate(item.newsDate ?? item.publishedAt, ctx.locale)}</time>
          </p>
        )}
        {item.summary ? <p class="lead">{item.summary}</p> : null}
        {/* The export carries no alternative text for the cover: it is shown as decorative. */}
        {item.coverImageUrl ? <img class="content-cover" src={item.coverImageUrl} alt="" /> : null}
        <div class="rich-text" dangerouslySetInnerHTML={{ __html: item.body }} />
      </article>
      <p>
        <a href={isEvent ? '/extranet/evenements' : '/extranet/actualites'}>{isEvent ? t('extranet.events.all') : t('extranet.news.all')}</a>
      </p>
    </MemberPage>
  );
}

export function EventsPage({ ctx, chrome, items, total, page, perPage, query }: { ctx: ViewContext; chrome: MemberChrome; items: PublishedItem[]; total: number; page: number; perPage: number; query: ListQuery }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.events.title')}>
      {items.length === 0 ? (
        <p class="empty">{t('extranet.events.empty')}</p>
      ) : (
        <ul class="event-list" lang={CONTENT_LANG}>
          {items.map((e) => (
            <li>
              <a href={eventHref(e)}>{e.title}</a>
              <span class="muted">
                {' — '}
                <When ctx={ctx} item={e} />
                {e.eventPlace ? ` · ${e.eventPlace}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      <Pagination ctx={ctx} page={page} perPage={perPage} total={total} path="/extranet/evenements" query={query} />
    </MemberPage>
  );
}

export function DocumentsPage({ ctx, chrome, docs }: { ctx: ViewContext; chrome: MemberChrome; docs: PublishedDocument[] }) {
  const t = ctx.t;
  const byFolder = new Map<string, PublishedDocument[]>();
  for (const d of docs) {
    const folder = d.folder || t('extranet.documents.no_folder');
    (byFolder.get(folder) ?? byFolder.set(folder, []).get(folder)!).push(d);
  }
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.documents.title')}>
      {docs.length === 0 ? <p class="empty">{t('extranet.documents.empty')}</p> : null}
      {[...byFolder].map(([folder, list]) => (
        <section>
          <h2>{folder}</h2>
          <ul class="document-list" lang={CONTENT_LANG}>
            {list.map((d) => (
              <li id={`doc-${d.id}`}>
                {d.documentFileId ? (
                  <a href={`/extranet/contenus/fichiers/${d.documentFileId}/${encodeURIComponent(d.fileName ?? 'document')}`} download>
                    {d.title}
                    <span class="muted">
                      {' '}
                      ({t('extranet.documents.download', { type: (d.fileName?.split('.').pop() ?? '').toUpperCase(), size: fileSize(d.fileSize ?? 0, ctx.locale) })})
                    </span>
                  </a>
                ) : (
                  d.title
                )}
                {d.summary ? <p class="muted">{d.summary}</p> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </MemberPage>
  );
}
