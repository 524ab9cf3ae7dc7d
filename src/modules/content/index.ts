// The content module (M5 intranet reading, M7 public site, M8 workflow): news, pages, events and
// documents written by editors, reviewed and published by the webmaster (or a section's
// publisher) for the intranet, the extranet and/or the public site. See README.md.
//
// Other modules call the functions exported here, never the tables: the extranet module serves
// /extranet and lists what members may read with listPublishedFor(db, 'extranet', …).
import { can } from '../../platform/access/index.js';
import type { CallerDb } from '../../platform/db/typed.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { findLive, findLiveBySlug, listLinks, listLive, listItems, liveDocuments } from './content.queries.js';
import { contentApiRoutes, contentWebRoutes } from './content.routes.js';
import { searchable } from './content.sanitize.js';
import { publishDue, reviewQueue } from './content.service.js';
import type { Audience, ContentDb, Kind, LiveRow } from './content.table.js';
import { contentKpis } from './kpis.js';
import { contentMessages } from './messages.js';
import { seedContent } from './seed.js';
import { HomeBlock } from './views/home.js';
import { hrefOf } from './views/common.js';

export type { Audience, ContentDb, Kind } from './content.table.js';
/** Upload checks shared with other modules (workspaces): type judged by the bytes, stored by hash. */
export { detectType, readStored, storeDocument } from './content.files.js';

/** A published item as another module receives it (body is sanitised HTML, safe to print). */
export interface PublishedItem {
  id: number;
  kind: Kind;
  slug: string;
  title: string;
  summary: string;
  body: string;
  metaDescription: string;
  publishedAt: string;
  newsDate: string | null;
  eventStart: string | null;
  eventEnd: string | null;
  eventPlace: string | null;
  eventLink: string | null;
  /** extranet only: the file of a document, to link as /extranet/contenus/fichiers/<id>/<name> */
  documentFileId: number | null;
  coverImageUrl: string | null;
}

// Files of extranet items are served on a member route (/extranet/contenus/fichiers/…): the
// member session is only resolved there, and the check is done against the extranet audience.
function toPublished(r: LiveRow, audience: Audience): PublishedItem {
  const files = audience === 'extranet' ? '/extranet/contenus/fichiers/' : '/fichiers/';
  const body = audience === 'extranet' ? r.body.replace(/(src|href)="\/fichiers\//g, `$1="${files}`) : r.body;
  return {
    id: r.item_id,
    kind: r.kind,
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    body,
    metaDescription: r.meta_description,
    publishedAt: r.published_at,
    newsDate: r.news_date,
    eventStart: r.event_start,
    eventEnd: r.event_end,
    eventPlace: r.event_place,
    eventLink: r.event_link,
    documentFileId: r.document_file_id,
    coverImageUrl: r.image_file_id ? `${files}${r.image_file_id}/image.webp` : null,
  };
}

/** Published items of one audience (newest news first, next events first, pages by position). */
export async function listPublishedFor(db: CallerDb, audience: Audience, opts: { kind?: Kind; q?: string; limit?: number; offset?: number; upcoming?: boolean } = {}): Promise<{ items: PublishedItem[]; total: number }> {
  const { items, total } = await listLive(db, audience, { kind: opts.kind, q: opts.q ? searchable(opts.q) : undefined, limit: Math.min(opts.limit ?? 20, 200), offset: opts.offset, upcomingFrom: opts.upcoming ? new Date().toISOString() : undefined });
  return { items: items.map((r) => toPublished(r, audience)), total };
}

/** One published item of that audience, by id (news, events, documents) or by slug (pages); undefined when not visible. */
export async function getPublishedFor(db: CallerDb, audience: Audience, ref: number | { kind: Kind; slug: string }): Promise<PublishedItem | undefined> {
  const r = typeof ref === 'number' ? await findLive(db, audience, ref) : await findLiveBySlug(db, audience, ref.kind, ref.slug);
  return r ? toPublished(r, audience) : undefined;
}

/** Documents published for that audience, with their file name and folder. */
export async function listDocumentsFor(db: CallerDb, audience: Audience) {
  return (await liveDocuments(db, audience)).map((d) => ({ ...toPublished(d, audience), fileName: d.file_name, fileSize: d.file_size, folder: d.folder_name }));
}

export const contentModule = defineModule({
  name: 'content',
  messages: contentMessages,
  kpis: contentKpis,
  nav: [
    { section: 'nav.section.content', label: 'content.nav.news', href: '/intranet/actualites', permission: 'portal:use', order: 1 },
    { section: 'nav.section.content', label: 'content.nav.events', href: '/intranet/evenements', permission: 'portal:use', order: 2 },
    { section: 'nav.section.content', label: 'content.nav.pages', href: '/intranet/pages', permission: 'portal:use', order: 3 },
    { section: 'nav.section.content', label: 'content.nav.documents', href: '/intranet/documents', permission: 'portal:use', order: 4 },
    { section: 'nav.section.content', label: 'content.nav.items', href: '/contenus', permission: 'content:write', order: 10 },
    { section: 'nav.section.content', label: 'content.nav.review', href: '/contenus/relecture', permission: 'content:write', order: 11 },
    { section: 'nav.section.content', label: 'content.nav.settings', href: '/contenus/reglages', permission: 'content:admin', order: 12 },
    { section: 'nav.section.content', label: 'content.nav.public_site', href: '/', permission: 'portal:use', order: 20 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, contentWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, contentApiRoutes),
  jobs: {
    'content.publish_due': async (_payload, job) => publishDue(job.db, new Date(job.job.run_at)),
  },
  // Every 15 s: scheduled items whose time has come go live (published_at is the scheduled time
  // itself), expired ones go offline (readers already stop seeing them at the exact second).
  schedules: [{ kind: 'content.publish_due', everySeconds: 15 }],
  search: {
    permission: 'portal:use',
    async search(ctx, actor, q, limit) {
      const { items } = await listLive(ctx.db, 'intranet', { q: searchable(q), limit });
      const hits = items.map((r) => ({ kind: `content.kind.${r.kind}`, title: r.title, subtitle: r.summary.slice(0, 120) || undefined, href: hrefOf({ base: '/intranet', audience: 'intranet' }, r) }));
      if (can(actor, 'content:write')) {
        const working = await listItems(ctx.db, { q }, 1, limit);
        for (const w of working.items) hits.push({ kind: 'content.kind.working', title: w.title, subtitle: undefined, href: `/contenus/${w.id}` });
      }
      return hits.slice(0, limit * 2);
    },
  },
  async todo(ctx, actor, t) {
    if (!can(actor, 'content:write')) return [];
    const review = await reviewQueue(ctx.db, actor);
    const sentBack = actor.id ? (await listItems(ctx.db, { status: 'draft', authorId: actor.id }, 1, 50)).items.filter((i) => i.review_comment) : [];
    return [
      ...review.map((i) => ({ label: t('content.todo.review', { title: i.title }), href: `/contenus/${i.id}` })),
      ...sentBack.map((i) => ({ label: t('content.todo.sent_back', { title: i.title }), href: `/contenus/${i.id}` })),
    ];
  },
  async home(ctx, view) {
    if (!can(view.actor, 'portal:use')) return null;
    const now = new Date().toISOString();
    const [news, events, links] = await Promise.all([
      listLive(ctx.db, 'intranet', { kind: 'news', limit: 5, count: false }, now),
      listLive(ctx.db, 'intranet', { kind: 'event', upcomingFrom: now, limit: 4, count: false }, now),
      listLinks(ctx.db),
    ]);
    return HomeBlock({ ctx: view, news: news.items, events: events.items, links });
  },
  seedDemo: seedContent,
});
