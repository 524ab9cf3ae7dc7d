// Kysely types of the messages tables (migration 2026-12-07T0145-messages-core).
import type { Generated } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const THREAD_KINDS = ['internal', 'company'] as const;
export type ThreadKind = (typeof THREAD_KINDS)[number];
export type ThreadStatus = 'open' | 'closed';

export interface ThreadsTable {
  id: Generated<number>;
  kind: ThreadKind;
  company_id: number | null;
  subject: string;
  confidential: number;
  status: ThreadStatus;
  assignee_user_id: number | null;
  assignee_service_id: number | null;
  started_by_user_id: number | null;
  started_by_account_id: number | null;
  last_post_at: string;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface ParticipantsTable {
  thread_id: number;
  user_id: number;
  added_at: string;
}

export interface PostsTable {
  id: Generated<number>;
  thread_id: number;
  author_kind: 'staff' | 'member';
  author_user_id: number | null;
  author_account_id: number | null;
  author_name: string;
  body: string;
  created_at: string;
}

export interface FilesTable {
  id: Generated<number>;
  thread_id: number;
  post_id: number;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: string;
}

export interface ReadsTable {
  thread_id: number;
  /** 'u:<user id>' (staff) or 'm:<member account id>' (member) */
  reader: string;
  last_post_id: number;
  read_at: string;
}

export interface MessagesTables extends PlatformTables {
  message_threads: ThreadsTable;
  message_participants: ParticipantsTable;
  message_posts: PostsTable;
  message_files: FilesTable;
  message_reads: ReadsTable;
}

/** The messages module's database handle: its tables and the platform's. */
export type MessagesDb = ModuleDb<MessagesTables>;

export type ThreadRow = Omit<ThreadsTable, 'id' | 'version'> & { id: number; version: number };
export type PostRow = Omit<PostsTable, 'id'> & { id: number };
