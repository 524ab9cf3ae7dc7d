// All SQL of the content module. Reader queries go through `visible()`, the one place that says
// which live rows an audience may receive: every channel (pages, search, feeds, sitemap, files,
// API, the extranet's calls) uses it, so isolation cannot be forgotten in one of them.
import type { SelectQueryBuilder } from 'kysely';
import { sql } from '../../platform/db/index.js';
import type { Audience, ContentDb, ContentTables, FileRow, ItemListRow, ItemRow, Kind, LinkRow, LiveRow, LogRow, RevisionRow, Status } from './content.table.js';
export type { ItemListRow } from './content.table.js';

const AUD_COLUMN = { intranet: 'aud_intranet', extranet: 'aud_extranet', public: 'aud_public' } as const;

/** Live rows an audience may see at `now`: published, started, not expired, addressed to it. */
export function visible<O>(q: SelectQueryBuilder<ContentTables, 'content_live', O>, audience: Audience, now: string) {
  return q
    .where(AUD_COLUMN[audience], '=', 1)
    .where('content_live.published_at', '<=', now)
    .where((eb) => eb.or([eb('content_live.unpublish_at', 'is', null), eb('content_live.unpublish_at', '>', now)]));
}

export interface LiveFilter {
  kind?: Kind;
  q?: string;
  parentId?: number | null;
  folderId?: number;
  /** events that end (or start) after this moment */
  upcomingFrom?: string;
  limit?: number;
  offset?: number;
  /** false when the caller does not show a total (home, navigation, feeds): one query less */
  count?: boolean;
}

export async function listLive(db: ContentDb, audience: Audience, f: LiveFilter = {}, now = new Date().toISOString()): Promise<{ items: LiveRow[]; total: number }> {
  let q = visible(db.selectFrom('content_live'), audience, now);
  if (f.kind) q = q.where('kind', '=', f.kind);
  if (f.q) for (const word of f.q.split(' ').filter(Boolean).slice(0, 6)) q = q.where('search_text', 'like', `%${word.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
  if (f.parentId !== undefined) q = f.parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', f.parentId);
  if (f.folderId !== undefined) q = q.where('folder_id', '=', f.folderId);
  if (f.upcomingFrom) q = q.where((eb) => eb.or([eb('event_end', '>=', f.upcomingFrom!), eb.and([eb('event_end', 'is', null), eb('event_start', '>=', f.upcomingFrom!)])]));
  const total = f.count === false ? -1 : Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  let rows = q.selectAll();
  if (f.kind === 'event') rows = rows.orderBy('event_start', 'asc');
  else if (f.kind === 'page') rows = rows.orderBy('position').orderBy('title');
  else rows = rows.orderBy('news_date', 'desc').orderBy('published_at', 'desc');
  const items = await rows.orderBy('item_id', 'desc').limit(f.limit ?? 20).offset(f.offset ?? 0).execute();
  return { items, total };
}

// Reads that every visitor of a channel shares (the menu's top pages, the home page's lists)
// are kept 5 s per process, per database and per audience — one audience's items never serve
// another. Publishing or withdrawing in this process drops them at once (epoch); other
// instances follow within 5 s. Scheduled and expiring items are bounded by the same 5 s.
const SHARED_TTL_MS = 5000;
let epoch = 0;
const shared = new WeakMap<object, Map<string, { at: number; epoch: number; value: unknown }>>();
export async function sharedRead<T>(db: ContentDb, audience: Audience, key: string, load: () => Promise<T>): Promise<T> {
  let perDb = shared.get(db);
  if (!perDb) shared.set(db, (perDb = new Map()));
  const k = `${audience}:${key}`;
  const hit = perDb.get(k);
  if (hit && hit.epoch === epoch && Date.now() - hit.at < SHARED_TTL_MS) return hit.value as T;
  const value = await load();
  perDb.set(k, { at: Date.now(), epoch, value });
  return value;
}
export function forgetSharedReads(): void {
  epoch++;
}

export async function topPages(db: ContentDb, audience: Audience): Promise<{ title: string; slug: string }[]> {
  return sharedRead(db, audience, 'top-pages', async () => {
    const { items } = await listLive(db, audience, { kind: 'page', parentId: null, limit: 8, count: false });
    return items.map((p) => ({ title: p.title, slug: p.slug }));
  });
}

export async function findLive(db: ContentDb, audience: Audience, id: number, now = new Date().toISOString()): Promise<LiveRow | undefined> {
  return visible(db.selectFrom('content_live'), audience, now).selectAll().where('item_id', '=', id).executeTakeFirst();
}

export async function findLiveBySlug(db: ContentDb, audience: Audience, kind: Kind, slug: string, now = new Date().toISOString()): Promise<LiveRow | undefined> {
  return visible(db.selectFrom('content_live'), audience, now).selectAll().where('kind', '=', kind).where('slug', '=', slug).orderBy('item_id').executeTakeFirst();
}

/** Titles and slugs of live ancestors of a page (breadcrumbs), nearest last. */
export async function liveAncestors(db: ContentDb, audience: Audience, page: LiveRow, now = new Date().toISOString()): Promise<LiveRow[]> {
  const out: LiveRow[] = [];
  let parent = page.parent_id;
  for (let i = 0; parent && i < 8; i++) {
    const p = await findLive(db, audience, parent, now);
    if (!p) break;
    out.unshift(p);
    parent = p.parent_id;
  }
  return out;
}

export async function fileById(db: ContentDb, id: number): Promise<FileRow | undefined> {
  return db.selectFrom('content_files').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function filesOf(db: ContentDb, itemId: number, kind?: 'image' | 'document'): Promise<FileRow[]> {
  let q = db.selectFrom('content_files').selectAll().where('item_id', '=', itemId);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('id', 'desc').execute();
}

export interface ItemFilter {
  kind?: Kind;
  status?: Status;
  sectionId?: number;
  q?: string;
  authorId?: number;
}

export async function listItems(db: ContentDb, f: ItemFilter, page = 1, perPage = 30): Promise<{ items: ItemListRow[]; total: number }> {
  let q = db
    .selectFrom('content_items as i')
    .leftJoin('content_sections as s', 's.id', 'i.section_id')
    .leftJoin('users as u', 'u.id', 'i.author_id')
    .leftJoin('content_live as l', 'l.item_id', 'i.id');
  if (f.kind) q = q.where('i.kind', '=', f.kind);
  if (f.status) q = q.where('i.status', '=', f.status);
  if (f.sectionId) q = q.where('i.section_id', '=', f.sectionId);
  if (f.authorId) q = q.where('i.author_id', '=', f.authorId);
  if (f.q) q = q.where(sql<boolean>`lower(i.title) like ${'%' + f.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c) + '%'} escape '\\'`);
  const total = Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = (await q
    .selectAll('i')
    .select(['s.name as section_name', 'u.name as author_name', 'l.revision as live_revision'])
    .orderBy('i.updated_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute()) as ItemListRow[];
  return { items, total };
}

export async function findItem(db: ContentDb, id: number): Promise<ItemRow | undefined> {
  return db.selectFrom('content_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function liveOf(db: ContentDb, itemId: number): Promise<LiveRow | undefined> {
  return db.selectFrom('content_live').selectAll().where('item_id', '=', itemId).executeTakeFirst();
}

export async function revisionsOf(db: ContentDb, itemId: number): Promise<RevisionRow[]> {
  return db.selectFrom('content_revisions').selectAll().where('item_id', '=', itemId).orderBy('number', 'desc').execute();
}

export async function revision(db: ContentDb, itemId: number, number: number): Promise<RevisionRow | undefined> {
  return db.selectFrom('content_revisions').selectAll().where('item_id', '=', itemId).where('number', '=', number).executeTakeFirst();
}

export async function logOf(db: ContentDb, itemId: number): Promise<LogRow[]> {
  return db.selectFrom('content_log').selectAll().where('item_id', '=', itemId).orderBy('at', 'desc').orderBy('id', 'desc').execute();
}

export async function listSections(db: ContentDb) {
  return db.selectFrom('content_sections').selectAll().orderBy('name').execute();
}

export async function sectionRights(db: ContentDb, sectionId: number) {
  return db
    .selectFrom('content_section_rights as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.section_id', 'r.user_id', 'r.can_edit', 'r.can_publish', 'u.name', 'u.email'])
    .where('r.section_id', '=', sectionId)
    .orderBy('u.name')
    .execute();
}

export async function listFolders(db: ContentDb) {
  return db.selectFrom('content_folders').selectAll().orderBy('name').execute();
}

export async function listLinks(db: ContentDb): Promise<LinkRow[]> {
  return db.selectFrom('content_links').selectAll().orderBy('position').orderBy('id').execute();
}

/** Every page with its state and whether a live copy exists (the back office's tree). */
export async function pageTree(db: ContentDb) {
  return db
    .selectFrom('content_items as i')
    .leftJoin('content_live as l', 'l.item_id', 'i.id')
    .where('i.kind', '=', 'page')
    .select(['i.id', 'i.title', 'i.slug', 'i.parent_id', 'i.position', 'i.status', 'i.aud_intranet', 'i.aud_extranet', 'i.aud_public', 'l.revision as live_revision'])
    .orderBy('i.position')
    .orderBy('i.title')
    .execute();
}

/** Live pages (any audience) for the parent choice of the page form. */
export async function pageChoices(db: ContentDb) {
  return db.selectFrom('content_items').select(['id', 'title', 'parent_id']).where('kind', '=', 'page').orderBy('title').execute();
}

export async function findSection(db: ContentDb, id: number) {
  return db.selectFrom('content_sections').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Active staff, for the choice of who gets rights in a section. */
export async function activeUsers(db: ContentDb): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
}

/** Documents live for an audience, with their file's name and size and their folder, by folder then title. */
export async function liveDocuments(db: ContentDb, audience: Audience) {
  const { items } = await listLive(db, audience, { kind: 'document', limit: 500 });
  if (items.length === 0) return [];
  const fileIds = items.map((i) => i.document_file_id).filter((x): x is number => !!x);
  const files = fileIds.length ? await db.selectFrom('content_files').select(['id', 'name', 'size']).where('id', 'in', fileIds).execute() : [];
  const folders = await db.selectFrom('content_folders').select(['id', 'name']).execute();
  return items
    .map((i) => ({ ...i, file_name: files.find((f) => f.id === i.document_file_id)?.name ?? null, file_size: files.find((f) => f.id === i.document_file_id)?.size ?? null, folder_name: folders.find((f) => f.id === i.folder_id)?.name ?? null }))
    .sort((a, b) => (a.folder_name ?? '').localeCompare(b.folder_name ?? '') || a.title.localeCompare(b.title));
}
