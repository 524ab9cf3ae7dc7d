// Kysely types of the workspaces tables (migration 2026-11-29T0042-workspaces-core).
import type { Generated } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const KINDS = ['committee', 'working_group'] as const;
export type WorkspaceKind = (typeof KINDS)[number];

interface Rec {
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export interface WorkspacesTables extends PlatformTables {
  workspaces: Rec & { id: Generated<number>; name: string; kind: WorkspaceKind; description: string; archived: number; created_by: number | null };
  workspace_members: { workspace_id: number; user_id: number; role: 'lead' | 'member'; added_at: string };
  workspace_documents: Rec & { id: Generated<number>; workspace_id: number; title: string; created_by: number | null };
  workspace_document_versions: { id: Generated<number>; document_id: number; number: number; name: string; mime: string; size: number; storage_key: string; note: string | null; uploaded_by: number | null; uploaded_by_name: string; created_at: string };
  workspace_messages: { id: Generated<number>; workspace_id: number; author_id: number | null; author_name: string; body: string; created_at: string };
  workspace_decisions: { id: Generated<number>; workspace_id: number; decided_on: string; title: string; detail: string; decided_by: string; recorded_by: number | null; recorded_by_name: string; created_at: string };
  workspace_tasks: Rec & { id: Generated<number>; workspace_id: number; title: string; owner_id: number | null; due_on: string | null; status: 'open' | 'done'; created_by: number | null };
}

/** The workspaces module's database handle: its tables and the platform's. */
export type WorkspacesDb = ModuleDb<WorkspacesTables>;
