// Kysely table types of the extranet's own tables (see migrations/…-extranet-core.ts), and the
// module's typed handle: every query, service and handler of the extranet takes `ExtranetDb`.
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

/** A person who signs in to the extranet. Not a staff user: a separate table and audience. */
export interface MemberAccountsTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string | null;
  /** invited: no password yet; active; disabled by the documentation service */
  status: 'invited' | 'active' | 'disabled';
  locale: string;
  totp_secret: string | null;
  totp_enabled: number;
  last_sign_in_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type MemberAccountRow = Selectable<MemberAccountsTable>;

export type MembershipRole = 'administrator' | 'member';

/** The link between a person and a company: what scopes every extranet query. */
export interface MemberMembershipsTable {
  id: Generated<number>;
  account_id: number;
  company_id: number;
  role: MembershipRole;
  status: 'active' | 'revoked';
  /** how the link was made: staff_invitation | member_invitation | signup */
  origin: string;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type MembershipRow = Selectable<MemberMembershipsTable>;

export interface MemberInvitationsTable {
  id: Generated<number>;
  company_id: number;
  email: string;
  name: string;
  role: MembershipRole;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  invited_by: string;
  origin: string;
  created_at: string;
  accepted_at: string | null;
}
export type InvitationRow = Selectable<MemberInvitationsTable>;

export interface MemberSignupsTable {
  id: Generated<number>;
  email: string;
  name: string;
  siret: string;
  /** unconfirmed: the e-mail link was not followed yet; pending: in the documentation queue */
  status: 'unconfirmed' | 'pending' | 'approved' | 'refused';
  company_id: number | null;
  account_id: number | null;
  reason: string | null;
  decided_by: number | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type SignupRow = Selectable<MemberSignupsTable>;

export interface MemberChangeRequestsTable {
  id: Generated<number>;
  company_id: number;
  account_id: number;
  status: 'pending' | 'accepted' | 'partial' | 'refused';
  /** JSON: { field: { from, to } } as proposed */
  changes: string;
  /** JSON: { field: 'accepted' | 'refused' } once decided */
  decisions: string | null;
  reason: string | null;
  decided_by: number | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type ChangeRequestRow = Selectable<MemberChangeRequestsTable>;

export type RequestStatus = 'new' | 'in_progress' | 'waiting_member' | 'closed';

export interface MemberRequestsTable {
  id: Generated<number>;
  company_id: number;
  account_id: number;
  category: string;
  subject: string;
  status: RequestStatus;
  assignee_id: number | null;
  first_response_at: string | null;
  last_message_at: string;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}
export type MemberRequestRow = Selectable<MemberRequestsTable>;

export interface MemberRequestMessagesTable {
  id: Generated<number>;
  request_id: number;
  author_kind: 'member' | 'staff';
  author_account_id: number | null;
  author_user_id: number | null;
  author_name: string;
  body: string;
  created_at: string;
}
export type RequestMessageRow = Selectable<MemberRequestMessagesTable>;

export interface MemberAttachmentsTable {
  id: Generated<number>;
  /** copied from the request so an attachment is scoped without a join */
  company_id: number;
  request_id: number;
  message_id: number;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: string;
}

export interface MemberRequestRoutesTable {
  category: string;
  user_id: number | null;
  updated_at: string;
}

export interface ExtranetTables extends PlatformTables {
  member_accounts: MemberAccountsTable;
  member_memberships: MemberMembershipsTable;
  member_invitations: MemberInvitationsTable;
  member_signups: MemberSignupsTable;
  member_change_requests: MemberChangeRequestsTable;
  member_requests: MemberRequestsTable;
  member_request_messages: MemberRequestMessagesTable;
  member_attachments: MemberAttachmentsTable;
  member_request_routes: MemberRequestRoutesTable;
}

export type ExtranetDb = ModuleDb<ExtranetTables>;
