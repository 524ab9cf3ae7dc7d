// Kysely table types of the platform's own tables (see migrations/…-platform-core.ts).
import type { Generated, Selectable } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  status: 'active' | 'disabled' | 'invited';
  locale: string;
  totp_secret: string | null;
  totp_enabled: number;
  /** the 30 s time step of the last TOTP code accepted: an older or equal step is a replay */
  totp_last_step: number | null;
  failed_sign_ins: number;
  locked_until: string | null;
  last_sign_in_at: string | null;
  password_changed_at: string | null;
  /** the person's manager (approvals, team visibility, org chart) */
  manager_id: number | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type UserRow = Selectable<UsersTable>;

export interface UserRolesTable {
  user_id: number;
  role: string;
}

export interface SessionsTable {
  id: string;
  audience: string;
  subject_id: number;
  second_factor_pending: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  data: string;
}
export type SessionRow = Selectable<SessionsTable>;

export interface OneTimeLinksTable {
  id: Generated<number>;
  token_hash: string;
  purpose: string;
  audience: string;
  subject_id: number;
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}
export type ApiTokenRow = Selectable<ApiTokensTable>;

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  actor_label: string;
  entity: string;
  entity_id: string;
  action: string;
  changes: string;
  request_id: string | null;
  ip: string | null;
}
export type AuditRow = Selectable<AuditLogTable>;

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  run_at: string;
  attempts: number;
  max_attempts: number;
  unique_key: string | null;
  locked_by: string | null;
  locked_at: string | null;
  progress: string | null;
  result: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}
export type JobRow = Selectable<JobsTable>;

export interface MailOutboxTable {
  id: Generated<number>;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  /** JSON { name: value } of extra headers (List-Unsubscribe…) or null (migration 2026-12-07T0131) */
  headers: string | null;
  /** JSON [{ filename, contentType, base64 }] or null (migration 2026-12-07T0161) */
  attachments: string | null;
  status: 'queued' | 'sent' | 'kept' | 'failed';
  error: string | null;
  created_at: string;
  sent_at: string | null;
}
export type MailRow = Selectable<MailOutboxTable>;

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface SignInAttemptsTable {
  id: Generated<number>;
  at: string;
  ip: string;
  email: string;
  audience: string;
  success: number;
}

export interface PlatformTables {
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  one_time_links: OneTimeLinksTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  mail_outbox: MailOutboxTable;
  settings: SettingsTable;
  sign_in_attempts: SignInAttemptsTable;
}
