// Pieces shared by the public site, the intranet reading pages and the previews.
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatDate, formatDateTime, type Locale } from '../../../platform/i18n/index.js';
import type { EditableFields, Kind } from '../content.table.js';

/** What any reading page needs of an item: the live row or, in a preview, the working copy. */
export type Readable = EditableFields & { id: number; kind: Kind; published_at?: string | null };

/** Items are written in French: when the interface is in English, the item says so (RGAA 8.7). */
export const CONTENT_LANG = 'fr';

/** Where a reader channel lives: '' for the public site, '/intranet' for staff. */
export type Channel = { base: '' | '/intranet'; audience: 'public' | 'intranet' | 'extranet' };

export function hrefOf(ch: Channel, r: { kind: Kind; slug: string; id?: number; item_id?: number }): string {
  const id = r.item_id ?? r.id;
  if (r.kind === 'page') return `${ch.base}/pages/${r.slug}`;
  if (r.kind === 'event') return `${ch.base}/evenements/${id}-${r.slug}`;
  if (r.kind === 'document') return `${ch.base}/documents#doc-${id}`;
  return `${ch.base}/actualites/${id}-${r.slug}`;
}

/** The stored body was cleaned by the allow-list when saved (content.sanitize.ts). */
export function RichText({ html }: { html: string }) {
  return <div class="rich-text" dangerouslySetInnerHTML={{ __html: html }} />;
}

export function EventWhen({ ctx, r }: { ctx: ViewContext; r: Pick<EditableFields, 'event_start' | 'event_end'> }) {
  if (!r.event_start) return null;
  return (
    <>
      <time dateTime={r.event_start}>{fmtDateTime(r.event_start, ctx.locale)}</time>
      {r.event_end ? (
        <>
          {' – '}
          <time dateTime={r.event_end}>{fmtDateTime(r.event_end, ctx.locale)}</time>
        </>
      ) : null}
    </>
  );
}

export function Cover({ r }: { r: Readable & { image_alt?: string | null } }) {
  if (!r.image_file_id) return null;
  return <img class="content-cover" src={`/fichiers/${r.image_file_id}/image.webp`} alt={r.image_alt ?? ''} loading="lazy" />;
}

/** Full reading view of one item (news, page, event). */
export function ItemArticle({ ctx, r, imageAlt }: { ctx: ViewContext; r: Readable; imageAlt?: string | null }) {
  const t = ctx.t;
  return (
    <article class="content-article" lang={CONTENT_LANG}>
      {r.kind === 'news' && r.news_date ? (
        <p class="muted">
          <time dateTime={r.news_date}>{fmtDate(r.news_date, ctx.locale)}</time>
        </p>
      ) : null}
      {r.kind === 'event' ? (
        <dl class="facts">
          <div>
            <dt>{t('content.field.event_start')}</dt>
            <dd>
              <EventWhen ctx={ctx} r={r} />
            </dd>
          </div>
          {r.event_place ? (
            <div>
              <dt>{t('content.field.event_place')}</dt>
              <dd>{r.event_place}</dd>
            </div>
          ) : null}
          {r.event_link ? (
            <div>
              <dt>{t('content.field.event_link')}</dt>
              <dd>
                <a href={r.event_link} rel="noopener noreferrer">
                  {t('content.register')}
                  <span class="visually-hidden"> — {r.title}</span>
                </a>
              </dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      {r.summary ? <p class="lead">{r.summary}</p> : null}
      {r.image_file_id ? <img class="content-cover" src={`/fichiers/${r.image_file_id}/image.webp`} alt={imageAlt ?? ''} /> : null}
      <RichText html={r.body} />
    </article>
  );
}

export function audiencesLabel(ctx: ViewContext, r: Pick<EditableFields, 'aud_intranet' | 'aud_extranet' | 'aud_public'>): string {
  return [r.aud_intranet ? ctx.t('content.audience.intranet') : '', r.aud_extranet ? ctx.t('content.audience.extranet') : '', r.aud_public ? ctx.t('content.audience.public') : ''].filter(Boolean).join(', ');
}

/** Dates of the content pages: the platform's cached formatters. */
export const fmtDate = (iso: string | null | undefined, locale: string): string => formatDate(iso, locale as Locale);
export const fmtDateTime = (iso: string | null | undefined, locale: string): string => formatDateTime(iso, locale as Locale);
