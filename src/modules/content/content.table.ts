// Kysely types of the content tables (migration 2026-11-29T0040-content-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const KINDS = ['news', 'page', 'event', 'document'] as const;
export type Kind = (typeof KINDS)[number];
export const STATUSES = ['draft', 'submitted', 'scheduled', 'published'] as const;
export type Status = (typeof STATUSES)[number];
export const AUDIENCES = ['intranet', 'extranet', 'public'] as const;
export type Audience = (typeof AUDIENCES)[number];

export function isKind(v: unknown): v is Kind {
  return (KINDS as readonly unknown[]).includes(v);
}
export function isAudience(v: unknown): v is Audience {
  return (AUDIENCES as readonly unknown[]).includes(v);
}

interface Record_ {
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface SectionsTable extends Record_ {
  id: Generated<number>;
  name: string;
  slug: string;
  description: string;
}
export interface SectionRightsTable {
  section_id: number;
  user_id: number;
  can_edit: number;
  can_publish: number;
}
export interface FoldersTable extends Record_ {
  id: Generated<number>;
  parent_id: number | null;
  name: string;
}

/** Fields an editor changes; copied as a whole into revisions and into the live row. */
export interface EditableFields {
  slug: string;
  title: string;
  summary: string;
  body: string;
  meta_description: string;
  aud_intranet: number;
  aud_extranet: number;
  aud_public: number;
  section_id: number | null;
  parent_id: number | null;
  folder_id: number | null;
  position: number;
  image_file_id: number | null;
  document_file_id: number | null;
  news_date: string | null;
  event_start: string | null;
  event_end: string | null;
  event_place: string | null;
  event_link: string | null;
}
/**
 * The editable fields of a row that has more (an item): what a revision and the live copy keep.
 * Spelled out so that the compiler checks it against EditableFields both ways.
 */
export function editableOf(r: EditableFields): EditableFields {
  const { slug, title, summary, body, meta_description, aud_intranet, aud_extranet, aud_public, section_id, parent_id, folder_id, position, image_file_id, document_file_id, news_date, event_start, event_end, event_place, event_link } = r;
  return { slug, title, summary, body, meta_description, aud_intranet, aud_extranet, aud_public, section_id, parent_id, folder_id, position, image_file_id, document_file_id, news_date, event_start, event_end, event_place, event_link };
}

export interface ItemsTable extends Record_, EditableFields {
  id: Generated<number>;
  kind: Kind;
  status: Status;
  scheduled_at: string | null;
  unpublish_at: string | null;
  review_comment: string | null;
  author_id: number | null;
  revision: number;
}
export type ItemRow = Selectable<ItemsTable>;
/** An item as the back-office lists show it. */
export type ItemListRow = ItemRow & { section_name: string | null; author_name: string | null; live_revision: number | null };

export interface RevisionsTable {
  id: Generated<number>;
  item_id: number;
  number: number;
  snapshot: string;
  note: string;
  author_id: number | null;
  author_name: string;
  created_at: string;
}
export type RevisionRow = Selectable<RevisionsTable>;

export interface LiveTable extends Omit<EditableFields, never> {
  item_id: number;
  kind: Kind;
  search_text: string;
  revision: number;
  published_at: string;
  unpublish_at: string | null;
  updated_at: string;
}
export type LiveRow = Selectable<LiveTable>;

export interface FilesTable {
  id: Generated<number>;
  item_id: number | null;
  kind: 'image' | 'document';
  name: string;
  mime: string;
  size: number;
  sha256: string;
  storage_key: string;
  alt: string | null;
  width: number | null;
  height: number | null;
  version_number: number | null;
  note: string | null;
  uploaded_by: number | null;
  created_at: string;
}
export type FileRow = Selectable<FilesTable>;

export interface LogTable {
  id: Generated<number>;
  item_id: number;
  action: string;
  comment: string | null;
  actor_id: number | null;
  actor_name: string;
  at: string;
}
export type LogRow = Selectable<LogTable>;

export interface LinksTable extends Record_ {
  id: Generated<number>;
  title: string;
  url: string;
  position: number;
}
export type LinkRow = Selectable<LinksTable>;

export interface ContentTables extends PlatformTables {
  content_sections: SectionsTable;
  content_section_rights: SectionRightsTable;
  content_folders: FoldersTable;
  content_items: ItemsTable;
  content_revisions: RevisionsTable;
  content_live: LiveTable;
  content_files: FilesTable;
  content_log: LogTable;
  content_links: LinksTable;
}

/** The content module's database handle: its tables and the platform's. */
export type ContentDb = ModuleDb<ContentTables>;
