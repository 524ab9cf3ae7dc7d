// The content workflow: who may edit and publish where, the state machine, revisions, the live
// copy, scheduled publication, uploads. Routes open the transaction; every verb audits.
//
//   draft ──submit──▶ submitted ──publish──▶ published (live copy replaced)
//     ▲                 │   │                    │
//     └──── send back ──┘   └─publish at─▶ scheduled ──(job at the time)──▶ published
//   any save of the working copy ⇒ draft (the live copy, if any, stays online until the next publish)
import { sql } from 'kysely';
import { can } from '../../platform/access/index.js';
import { record, SYSTEM_ACTOR, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../platform/errors.js';
import { isDate, parisToUtc, todayParis } from './content.dates.js';
import { storeDocument, storeImage } from './content.files.js';
import { fileById, findItem, findLive, forgetSharedReads, listItems, liveOf, revision, type ItemListRow } from './content.queries.js';
import { cleanHtml, imagesWithoutAlt, searchable, slugify, textOf } from './content.sanitize.js';
import { editableOf, type Audience, type ContentDb, type EditableFields, type FileRow, type ItemRow, type Kind } from './content.table.js';

export interface Rights {
  edit: boolean;
  publish: boolean;
}

/**
 * Per-section rights. A section with named editors is edited only by them; a section with named
 * publishers is published only by them (the "section publisher" need not be a webmaster).
 * Sections without names follow the roles: content:write edits, content:publish publishes.
 * content:admin (the webmaster) may do everything everywhere.
 */
export async function rightsIn(db: ContentDb, actor: Actor, sectionId: number | null): Promise<Rights> {
  if (can(actor, 'content:admin')) return { edit: true, publish: true };
  if (!can(actor, 'content:write')) return { edit: false, publish: false };
  const rows = sectionId ? await db.selectFrom('content_section_rights').selectAll().where('section_id', '=', sectionId).execute() : [];
  const mine = rows.find((r) => r.user_id === actor.id);
  const editors = rows.filter((r) => r.can_edit || r.can_publish);
  const publishers = rows.filter((r) => r.can_publish);
  return {
    edit: editors.length === 0 || !!mine,
    publish: publishers.length === 0 ? can(actor, 'content:publish') : !!mine?.can_publish,
  };
}

/** Submitted items in the sections where the actor may publish (the review queue). */
export async function reviewQueue(db: ContentDb, actor: Actor): Promise<ItemListRow[]> {
  if (!can(actor, 'content:write')) return [];
  const { items } = await listItems(db, { status: 'submitted' }, 1, 200);
  const mayPublish = new Map<number | null, boolean>();
  const out: ItemListRow[] = [];
  for (const i of items) {
    if (!mayPublish.has(i.section_id)) mayPublish.set(i.section_id, (await rightsIn(db, actor, i.section_id)).publish);
    if (mayPublish.get(i.section_id)) out.push(i);
  }
  return out;
}

async function assertRight(db: ContentDb, actor: Actor, item: { section_id: number | null }, right: keyof Rights): Promise<void> {
  if (!(await rightsIn(db, actor, item.section_id))[right]) throw forbidden('content.no_right');
}

export async function getItem(db: ContentDb, id: number): Promise<ItemRow> {
  const item = await findItem(db, id);
  if (!item) throw notFound('content.not_found');
  return item;
}

/** What the edit form sends (strings, as typed). */
export interface ItemInput {
  title?: string;
  slug?: string;
  summary?: string;
  body?: string;
  meta_description?: string;
  audiences?: string[];
  section_id?: string;
  parent_id?: string;
  folder_id?: string;
  position?: string;
  image_file_id?: string;
  news_date?: string;
  event_start?: string;
  event_end?: string;
  event_place?: string;
  event_link?: string;
}

const optId = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : null);

/** Validates and normalises the editor's input; throws 422 with every field error at once. */
export async function validateInput(db: ContentDb, kind: Kind, input: ItemInput, itemId?: number): Promise<EditableFields> {
  const fields: Record<string, string> = {};
  const title = (input.title ?? '').trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 200) fields.title = 'content.too_long_200';
  const summary = (input.summary ?? '').trim();
  if (summary.length > 600) fields.summary = 'content.too_long_600';
  const meta = (input.meta_description ?? '').trim();
  if (meta.length > 300) fields.meta_description = 'content.too_long_300';
  const body = cleanHtml(input.body ?? '');
  if (body.length > 300_000) fields.body = 'content.body_too_long';
  else if (imagesWithoutAlt(body)) fields.body = 'content.image_alt_required';
  const audiences = new Set((input.audiences ?? []).filter((a) => a === 'intranet' || a === 'extranet' || a === 'public'));
  if (audiences.size === 0) fields.audiences = 'content.audience_required';
  let slug = slugify((input.slug ?? '').trim() || title);
  const sectionId = optId(input.section_id);
  if (sectionId && !(await db.selectFrom('content_sections').select('id').where('id', '=', sectionId).executeTakeFirst())) fields.section_id = 'field.invalid';
  const out: EditableFields = {
    slug,
    title,
    summary,
    body,
    meta_description: meta,
    aud_intranet: audiences.has('intranet') ? 1 : 0,
    aud_extranet: audiences.has('extranet') ? 1 : 0,
    aud_public: audiences.has('public') ? 1 : 0,
    section_id: sectionId,
    parent_id: null,
    folder_id: null,
    position: 0,
    image_file_id: null,
    document_file_id: null,
    news_date: null,
    event_start: null,
    event_end: null,
    event_place: null,
    event_link: null,
  };
  const imageId = optId(input.image_file_id);
  if (imageId) {
    const f = await fileById(db, imageId);
    if (!f || f.kind !== 'image' || (itemId !== undefined && f.item_id !== itemId)) fields.image_file_id = 'field.invalid';
    else out.image_file_id = imageId;
  }
  if (kind === 'news') {
    const date = (input.news_date ?? '').trim() || todayParis();
    if (!isDate(date)) fields.news_date = 'field.date';
    out.news_date = date;
  }
  if (kind === 'page') {
    const parentId = optId(input.parent_id);
    if (parentId) {
      // The parent must be a page and not the page itself or one of its descendants.
      let p: number | null = parentId;
      for (let i = 0; p && i < 20; i++) {
        if (p === itemId) {
          fields.parent_id = 'content.parent_cycle';
          break;
        }
        const row: { kind: string; parent_id: number | null } | undefined = await db.selectFrom('content_items').select(['kind', 'parent_id']).where('id', '=', p).executeTakeFirst();
        if (!row || row.kind !== 'page') {
          fields.parent_id = 'field.invalid';
          break;
        }
        p = row.parent_id;
      }
      out.parent_id = parentId;
    }
    const pos = Number(input.position ?? 0);
    out.position = Number.isInteger(pos) && pos >= 0 && pos < 10000 ? pos : 0;
    let same = db.selectFrom('content_items').select('id').where('kind', '=', 'page').where('slug', '=', slug);
    if (itemId !== undefined) same = same.where('id', '<>', itemId);
    if (await same.executeTakeFirst()) fields.slug = 'content.slug_taken';
  }
  if (kind === 'event') {
    const start = input.event_start ? parisToUtc(input.event_start) : undefined;
    if (!input.event_start) fields.event_start = 'field.required';
    else if (!start) fields.event_start = 'content.datetime_invalid';
    const end = input.event_end ? parisToUtc(input.event_end) : undefined;
    if (input.event_end && !end) fields.event_end = 'content.datetime_invalid';
    else if (start && end && end < start) fields.event_end = 'content.end_before_start';
    const place = (input.event_place ?? '').trim();
    if (place.length > 200) fields.event_place = 'content.too_long_200';
    const link = (input.event_link ?? '').trim();
    if (link && (!/^https?:\/\/[^\s<>"]+$/.test(link) || link.length > 500)) fields.event_link = 'content.link_invalid';
    Object.assign(out, { event_start: start ?? null, event_end: end ?? null, event_place: place || null, event_link: link || null });
  }
  if (kind === 'document') {
    const folderId = optId(input.folder_id);
    if (folderId && !(await db.selectFrom('content_folders').select('id').where('id', '=', folderId).executeTakeFirst())) fields.folder_id = 'field.invalid';
    out.folder_id = folderId;
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 200 });
  slug = out.slug;
  return out;
}

function snapshot(item: EditableFields): string {
  return JSON.stringify(editableOf(item));
}

async function addRevision(db: ContentDb, actor: Actor, itemId: number, number: number, fields: EditableFields, note: string): Promise<void> {
  await db
    .insertInto('content_revisions')
    .values({ item_id: itemId, number, snapshot: snapshot(fields), note, author_id: actor.id, author_name: actor.label, created_at: nowIso() })
    .execute();
}

async function log(db: ContentDb, actor: Actor, itemId: number, action: string, comment?: string | null): Promise<void> {
  await db.insertInto('content_log').values({ item_id: itemId, action, comment: comment ?? null, actor_id: actor.id, actor_name: actor.label, at: nowIso() }).execute();
}

export async function createItem(db: ContentDb, actor: Actor, kind: Kind, input: ItemInput): Promise<ItemRow> {
  const fields = await validateInput(db, kind, input);
  await assertRight(db, actor, fields, 'edit');
  const now = nowIso();
  const item = await db
    .insertInto('content_items')
    .values({ ...fields, kind, status: 'draft', author_id: actor.id, revision: 1, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await addRevision(db, actor, item.id, 1, fields, 'create');
  await log(db, actor, item.id, 'create');
  await record(db, actor, { entity: 'content_item', entityId: item.id, action: 'create', after: { kind, ...fields, body: undefined } });
  return item;
}

/** Saves the working copy: a new revision, and back to draft (the live copy stays online). */
export async function saveItem(db: ContentDb, actor: Actor, id: number, version: number, input: ItemInput, note = 'save'): Promise<ItemRow> {
  const item = await getItem(db, id);
  await assertRight(db, actor, item, 'edit');
  const fields = await validateInput(db, item.kind, input, id);
  // Moving an item to another section needs the right there too.
  if (fields.section_id !== item.section_id) await assertRight(db, actor, fields, 'edit');
  fields.document_file_id = item.document_file_id;
  return writeWorkingCopy(db, actor, item, version, fields, note);
}

async function writeWorkingCopy(db: ContentDb, actor: Actor, item: ItemRow, version: number, fields: EditableFields, note: string): Promise<ItemRow> {
  const number = item.revision + 1;
  await updateWithVersion(db, 'content_items', item.id, version, { ...fields, status: 'draft', scheduled_at: null, revision: number });
  await addRevision(db, actor, item.id, number, fields, note);
  await log(db, actor, item.id, note === 'save' ? 'save' : note.startsWith('restore') ? 'restore' : note);
  const after = await getItem(db, item.id);
  await record(db, actor, { entity: 'content_item', entityId: item.id, action: note.startsWith('restore') ? 'restore' : 'update', before: { ...item, body: textOf(item.body).slice(0, 2000) }, after: { ...after, body: textOf(after.body).slice(0, 2000) } });
  return after;
}

/** Moves the state, checking the version the user saw (nobody acts on a stale screen). */
async function transition(db: ContentDb, actor: Actor, item: ItemRow, version: number, patch: Partial<ItemRow>, action: string, comment?: string | null): Promise<ItemRow> {
  await updateWithVersion(db, 'content_items', item.id, version, patch);
  await log(db, actor, item.id, action, comment);
  await record(db, actor, { entity: 'content_item', entityId: item.id, action, changes: { status: [item.status, patch.status ?? item.status], ...(comment ? { comment } : {}), ...(patch.scheduled_at ? { scheduled_at: patch.scheduled_at } : {}) } });
  return getItem(db, item.id);
}

export async function submitItem(db: ContentDb, actor: Actor, id: number, version: number): Promise<ItemRow> {
  const item = await getItem(db, id);
  await assertRight(db, actor, item, 'edit');
  if (item.status !== 'draft') throw conflict('content.wrong_state');
  if (item.kind === 'document' && !item.document_file_id) throw invalid('common.invalid', { file: 'content.document_missing' });
  return transition(db, actor, item, version, { status: 'submitted', review_comment: null }, 'submit');
}

export async function sendBack(db: ContentDb, actor: Actor, id: number, version: number, comment: string): Promise<ItemRow> {
  const item = await getItem(db, id);
  await assertRight(db, actor, item, 'publish');
  if (item.status !== 'submitted') throw conflict('content.wrong_state');
  const c = comment.trim();
  if (!c) throw invalid('common.invalid', { comment: 'content.comment_required' });
  if (c.length > 2000) throw invalid('common.invalid', { comment: 'content.too_long_2000' });
  return transition(db, actor, item, version, { status: 'draft', review_comment: c }, 'send_back', c);
}

/** Copies the working copy into the live table (replacing the previous live version). */
async function putLive(db: ContentDb, item: ItemRow, publishedAt: string, unpublishAt: string | null): Promise<void> {
  forgetSharedReads();
  await db.deleteFrom('content_live').where('item_id', '=', item.id).execute();
  await db
    .insertInto('content_live')
    .values({
      ...editableOf(item),
      item_id: item.id,
      kind: item.kind,
      search_text: searchable(item.title, item.summary, textOf(item.body)),
      revision: item.revision,
      published_at: publishedAt,
      unpublish_at: unpublishAt,
      updated_at: nowIso(),
    })
    .execute();
}

export interface PublishOptions {
  /** Paris local date-time; empty → now */
  at?: string;
  until?: string;
}

export async function publishItem(db: ContentDb, actor: Actor, id: number, version: number, opts: PublishOptions = {}, now = new Date()): Promise<ItemRow> {
  const item = await getItem(db, id);
  await assertRight(db, actor, item, 'publish');
  if (item.status !== 'submitted') throw conflict('content.wrong_state');
  const fields: Record<string, string> = {};
  const at = opts.at ? parisToUtc(opts.at) : undefined;
  if (opts.at && !at) fields.at = 'content.datetime_invalid';
  const until = opts.until ? parisToUtc(opts.until) : undefined;
  if (opts.until && !until) fields.until = 'content.datetime_invalid';
  const start = at && at > now.toISOString() ? at : now.toISOString();
  if (until && until <= start) fields.until = 'content.until_before_start';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  if (at && at > now.toISOString()) {
    return transition(db, actor, item, version, { status: 'scheduled', scheduled_at: at, unpublish_at: until ?? null }, 'schedule', at);
  }
  const after = await transition(db, actor, item, version, { status: 'published', scheduled_at: null, unpublish_at: until ?? null, review_comment: null }, 'publish');
  await putLive(db, after, start, until ?? null);
  return after;
}

export async function cancelSchedule(db: ContentDb, actor: Actor, id: number, version: number): Promise<ItemRow> {
  const item = await getItem(db, id);
  await assertRight(db, actor, item, 'publish');
  if (item.status !== 'scheduled') throw conflict('content.wrong_state');
  return transition(db, actor, item, version, { status: 'submitted', scheduled_at: null }, 'cancel_schedule');
}

export async function unpublishItem(db: ContentDb, actor: Actor, id: number, version: number): Promise<ItemRow> {
  const item = await getItem(db, id);
  await assertRight(db, actor, item, 'publish');
  if (!(await liveOf(db, id))) throw conflict('content.not_online');
  await db.deleteFrom('content_live').where('item_id', '=', id).execute();
  forgetSharedReads();
  return transition(db, actor, item, version, { status: item.status === 'published' ? 'draft' : item.status }, 'unpublish');
}

/** Makes an old revision the working copy again (as a new revision; history is never rewritten). */
export async function restoreRevision(db: ContentDb, actor: Actor, id: number, version: number, number: number): Promise<ItemRow> {
  const item = await getItem(db, id);
  await assertRight(db, actor, item, 'edit');
  const rev = await revision(db, id, number);
  if (!rev) throw notFound('content.revision_not_found');
  const fields = JSON.parse(rev.snapshot) as EditableFields;
  // The snapshot was clean when saved; clean it again in case the allow-list has since narrowed.
  fields.body = cleanHtml(fields.body ?? '');
  return writeWorkingCopy(db, actor, item, version, fields, `restore ${number}`);
}

/**
 * The `content.publish_due` schedule: publishes items whose time has come and takes expired ones
 * offline. Each item is claimed by a conditional update, so it fires once even when several
 * instances run the schedule, and a restart simply catches up on the next run.
 */
export async function publishDue(db: ContentDb, now: Date): Promise<{ published: number; expired: number }> {
  const nowS = now.toISOString();
  let published = 0;
  let expired = 0;
  const due = await db.selectFrom('content_items').select(['id']).where('status', '=', 'scheduled').where('scheduled_at', '<=', nowS).execute();
  for (const { id } of due) {
    await db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('content_items')
        .set({ status: 'published', updated_at: nowIso(), version: sql`version + 1` })
        .where('id', '=', id)
        .where('status', '=', 'scheduled')
        .where('scheduled_at', '<=', nowS)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return;
      const item = await getItem(trx, id);
      await putLive(trx, item, item.scheduled_at ?? nowS, item.unpublish_at);
      await trx.updateTable('content_items').set({ scheduled_at: null }).where('id', '=', id).execute();
      await log(trx, SYSTEM_ACTOR, id, 'publish', item.scheduled_at);
      await record(trx, SYSTEM_ACTOR, { entity: 'content_item', entityId: id, action: 'publish', changes: { status: ['scheduled', 'published'], scheduled_at: item.scheduled_at } });
      published++;
    });
  }
  const gone = await db.selectFrom('content_live').select(['item_id']).where('unpublish_at', '<=', nowS).execute();
  for (const { item_id } of gone) {
    await db.transaction().execute(async (trx) => {
      const res = await trx.deleteFrom('content_live').where('item_id', '=', item_id).where('unpublish_at', '<=', nowS).executeTakeFirst();
      if (Number(res.numDeletedRows) !== 1) return;
      forgetSharedReads();
      await trx.updateTable('content_items').set({ status: 'draft', updated_at: nowIso(), version: sql`version + 1` }).where('id', '=', item_id).where('status', '=', 'published').execute();
      await log(trx, SYSTEM_ACTOR, item_id, 'expire');
      await record(trx, SYSTEM_ACTOR, { entity: 'content_item', entityId: item_id, action: 'expire', changes: {} });
      expired++;
    });
  }
  return { published, expired };
}

/** An image for an item (body or cover), resized and with its required alternative text. */
export async function addImage(db: ContentDb, dataDir: string, actor: Actor, itemId: number, upload: { bytes: Buffer; filename: string; alt: string }): Promise<FileRow> {
  const item = await getItem(db, itemId);
  await assertRight(db, actor, item, 'edit');
  const alt = upload.alt.trim();
  if (!alt) throw invalid('common.invalid', { alt: 'content.alt_required' });
  if (alt.length > 250) throw invalid('common.invalid', { alt: 'content.too_long_250' });
  const stored = await storeImage(dataDir, upload.bytes, upload.filename);
  const row = await db
    .insertInto('content_files')
    .values({ item_id: itemId, kind: 'image', name: stored.name, mime: stored.mime, size: stored.size, sha256: stored.sha256, storage_key: stored.storageKey, alt, width: stored.width ?? null, height: stored.height ?? null, uploaded_by: actor.id, created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'content_file', entityId: row.id, action: 'create', after: { item_id: itemId, kind: 'image', name: row.name, size: row.size, alt } });
  return row;
}

/** A new version of a document's file: it becomes the working copy and goes through review. */
export async function addDocumentVersion(db: ContentDb, dataDir: string, actor: Actor, itemId: number, version: number, upload: { bytes: Buffer; filename: string; note: string }): Promise<ItemRow> {
  const item = await getItem(db, itemId);
  if (item.kind !== 'document') throw invalid('common.invalid', { file: 'field.invalid' });
  await assertRight(db, actor, item, 'edit');
  const note = upload.note.trim().slice(0, 300);
  const stored = storeDocument(dataDir, upload.bytes, upload.filename);
  const last = await db.selectFrom('content_files').select((eb) => eb.fn.max('version_number').as('n')).where('item_id', '=', itemId).where('kind', '=', 'document').executeTakeFirst();
  const number = Number(last?.n ?? 0) + 1;
  const file = await db
    .insertInto('content_files')
    .values({ item_id: itemId, kind: 'document', name: stored.name, mime: stored.mime, size: stored.size, sha256: stored.sha256, storage_key: stored.storageKey, version_number: number, note: note || null, uploaded_by: actor.id, created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'content_file', entityId: file.id, action: 'create', after: { item_id: itemId, kind: 'document', name: file.name, size: file.size, version: number } });
  const fields = editableOf(item);
  fields.document_file_id = file.id;
  return writeWorkingCopy(db, actor, item, version, fields, 'new_version');
}

/**
 * May this reader download this file through this channel? Only files of a live item addressed
 * to the channel's audience: the live cover image, an image the live body shows, or the live
 * version of a document. Editors (content:write) may also fetch working files to preview them.
 */
export async function fileVisible(db: ContentDb, actor: Actor, file: FileRow, audience: Audience, now = new Date().toISOString()): Promise<boolean> {
  if (actor.kind === 'staff' && can(actor, 'content:write')) return true;
  if (!file.item_id) return false;
  const live = await findLive(db, audience, file.item_id, now);
  if (!live) return false;
  if (file.kind === 'document') return live.document_file_id === file.id;
  return live.image_file_id === file.id || live.body.includes(`/fichiers/${file.id}/`) || live.body.includes(`/fichiers/${file.id}"`);
}

// — sections, rights, folders, pinned links (content:admin) —

export async function createSection(db: ContentDb, actor: Actor, input: { name: string; description: string }) {
  const name = input.name.trim();
  if (!name) throw invalid('common.invalid', { name: 'field.required' });
  if (name.length > 120) throw invalid('common.invalid', { name: 'content.too_long_200' });
  const slug = slugify(name);
  if (await db.selectFrom('content_sections').select('id').where('slug', '=', slug).executeTakeFirst()) throw invalid('common.invalid', { name: 'content.section_exists' });
  const now = nowIso();
  const row = await db.insertInto('content_sections').values({ name, slug, description: input.description.trim().slice(0, 500), created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'content_section', entityId: row.id, action: 'create', after: { name, slug } });
  return row;
}

export async function setSectionRight(db: ContentDb, actor: Actor, sectionId: number, userId: number, right: 'edit' | 'publish' | 'none') {
  if (!(await db.selectFrom('content_sections').select('id').where('id', '=', sectionId).executeTakeFirst())) throw notFound('content.not_found');
  if (!(await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst())) throw invalid('common.invalid', { user_id: 'field.invalid' });
  const before = await db.selectFrom('content_section_rights').selectAll().where('section_id', '=', sectionId).where('user_id', '=', userId).executeTakeFirst();
  await db.deleteFrom('content_section_rights').where('section_id', '=', sectionId).where('user_id', '=', userId).execute();
  if (right !== 'none') await db.insertInto('content_section_rights').values({ section_id: sectionId, user_id: userId, can_edit: 1, can_publish: right === 'publish' ? 1 : 0 }).execute();
  await record(db, actor, { entity: 'content_section', entityId: sectionId, action: 'rights', changes: { user_id: userId, right: [before ? (before.can_publish ? 'publish' : 'edit') : 'none', right] } });
}

export async function createFolder(db: ContentDb, actor: Actor, input: { name: string; parent_id?: number | null }) {
  const name = input.name.trim();
  if (!name) throw invalid('common.invalid', { name: 'field.required' });
  if (name.length > 120) throw invalid('common.invalid', { name: 'content.too_long_200' });
  if (input.parent_id && !(await db.selectFrom('content_folders').select('id').where('id', '=', input.parent_id).executeTakeFirst())) throw invalid('common.invalid', { parent_id: 'field.invalid' });
  const now = nowIso();
  const row = await db.insertInto('content_folders').values({ name, parent_id: input.parent_id ?? null, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'content_folder', entityId: row.id, action: 'create', after: { name, parent_id: row.parent_id } });
  return row;
}

export async function addLink(db: ContentDb, actor: Actor, input: { title: string; url: string }) {
  const fields: Record<string, string> = {};
  const title = input.title.trim();
  const url = input.url.trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 120) fields.title = 'content.too_long_200';
  if (!url) fields.url = 'field.required';
  else if (!(/^https?:\/\/[^\s<>"]+$/.test(url) || /^\/[^\s<>"]*$/.test(url)) || url.startsWith('//') || url.length > 500) fields.url = 'content.link_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const now = nowIso();
  const max = await db.selectFrom('content_links').select((eb) => eb.fn.max('position').as('p')).executeTakeFirst();
  const row = await db.insertInto('content_links').values({ title, url, position: Number(max?.p ?? 0) + 1, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'content_link', entityId: row.id, action: 'create', after: { title, url } });
  return row;
}

export async function deleteLink(db: ContentDb, actor: Actor, id: number) {
  const row = await db.selectFrom('content_links').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  await db.deleteFrom('content_links').where('id', '=', id).execute();
  await record(db, actor, { entity: 'content_link', entityId: id, action: 'delete', before: { title: row.title, url: row.url } });
}

export { AppError };
