// Reads of the extranet's tables that pages, the company panel, the to-do list and the refusal
// audit need beside the services' own: (db: ExtranetDb, …) → rows, no rule and no write here.
// Member-side reads take the company the resolver verified (scope.companyId), never a URL's.
import { ilike } from '../../platform/db/index.js';
import type { ExtranetDb, InvitationRow, MembershipRole, MemberAccountRow, MembershipRow, RequestStatus } from './extranet.table.js';

const count = (r: { n: string | number | bigint }) => Number(r.n);

// ——— accounts and memberships ———

/** What the member resolver needs of a session's account. */
export function findAccountForSession(db: ExtranetDb, accountId: number) {
  return db.selectFrom('member_accounts').select(['id', 'email', 'name', 'status']).where('id', '=', accountId).executeTakeFirst();
}

/** An account's active memberships, oldest first (the first is the default current company). */
export function activeMembershipsOf(db: ExtranetDb, accountId: number): Promise<{ company_id: number; role: MembershipRole }[]> {
  return db.selectFrom('member_memberships').select(['company_id', 'role']).where('account_id', '=', accountId).where('status', '=', 'active').orderBy('id').execute();
}

/** Every membership of an account, revoked ones included (the staff account page). */
export function membershipsOfAccount(db: ExtranetDb, accountId: number): Promise<MembershipRow[]> {
  return db.selectFrom('member_memberships').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
}

/** Active memberships of several accounts (the staff account list names their companies). */
export function activeMembershipsOfAccounts(db: ExtranetDb, accountIds: number[]): Promise<{ account_id: number; company_id: number }[]> {
  if (!accountIds.length) return Promise.resolve([]);
  return db.selectFrom('member_memberships').select(['account_id', 'company_id']).where('account_id', 'in', accountIds).where('status', '=', 'active').execute();
}

export function findMembership(db: ExtranetDb, membershipId: number): Promise<MembershipRow | undefined> {
  return db.selectFrom('member_memberships').selectAll().where('id', '=', membershipId).executeTakeFirst();
}

/** Accounts by name or address (contains, case-insensitive), in name order. */
export function searchAccounts(db: ExtranetDb, q: string, limit = 200): Promise<MemberAccountRow[]> {
  let query = db.selectFrom('member_accounts').selectAll();
  if (q) query = query.where((eb) => eb.or([ilike(db, 'name', q), ilike(db, 'email', q)]));
  return query.orderBy('name').limit(limit).execute();
}

export async function countActiveAccounts(db: ExtranetDb): Promise<number> {
  return count(await db.selectFrom('member_accounts').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow());
}

/** "Name <address>" of an account, or undefined (the author line of staff pages). */
export async function accountLabel(db: ExtranetDb, accountId: number): Promise<string | undefined> {
  const a = await db.selectFrom('member_accounts').select(['name', 'email']).where('id', '=', accountId).executeTakeFirst();
  return a ? `${a.name} <${a.email}>` : undefined;
}

export interface TeamMemberRow {
  membershipId: number;
  accountId: number;
  name: string;
  email: string;
  role: MembershipRole;
  lastSignIn: string | null;
}

/** A member account by its address, with the companies it has active access to (demo data of other modules, tests). */
export async function accountWithCompanies(db: ExtranetDb, email: string): Promise<{ accountId: number; name: string; companyIds: number[] } | undefined> {
  const a = await db.selectFrom('member_accounts').select(['id', 'name']).where('email', '=', email.toLowerCase()).executeTakeFirst();
  if (!a) return undefined;
  const rows = await db.selectFrom('member_memberships').select('company_id').where('account_id', '=', a.id).where('status', '=', 'active').orderBy('id').execute();
  return { accountId: a.id, name: a.name, companyIds: rows.map((r) => r.company_id) };
}

/** The people with active access to a company, in name order. */
export async function companyTeam(db: ExtranetDb, companyId: number): Promise<TeamMemberRow[]> {
  const rows = await db
    .selectFrom('member_memberships as m')
    .innerJoin('member_accounts as a', 'a.id', 'm.account_id')
    .select(['m.id', 'm.role', 'a.id as account_id', 'a.name', 'a.email', 'a.last_sign_in_at'])
    .where('m.company_id', '=', companyId)
    .where('m.status', '=', 'active')
    .orderBy('a.name')
    .execute();
  return rows.map((r) => ({ membershipId: r.id, accountId: r.account_id, name: r.name, email: r.email, role: r.role, lastSignIn: r.last_sign_in_at }));
}

// ——— invitations ———

export type PendingInvitation = Pick<InvitationRow, 'id' | 'email' | 'name' | 'role' | 'created_at'>;

/** A company's invitations still waiting for an answer, newest first (both sides show them). */
export function pendingInvitations(db: ExtranetDb, companyId: number): Promise<PendingInvitation[]> {
  return db.selectFrom('member_invitations').select(['id', 'email', 'name', 'role', 'created_at']).where('company_id', '=', companyId).where('status', '=', 'pending').orderBy('created_at', 'desc').execute();
}

export function findInvitation(db: ExtranetDb, invitationId: number): Promise<InvitationRow | undefined> {
  return db.selectFrom('member_invitations').selectAll().where('id', '=', invitationId).executeTakeFirst();
}

// ——— counts for the panel, the home page and the to-do list ———

export async function countPendingSignups(db: ExtranetDb): Promise<number> {
  return count(await db.selectFrom('member_signups').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow());
}

/** A company's requests in one status. */
export async function countCompanyRequestsIn(db: ExtranetDb, companyId: number, status: RequestStatus): Promise<number> {
  return count(await db.selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('company_id', '=', companyId).where('status', '=', status).executeTakeFirstOrThrow());
}

/** New requests nobody took yet (the answerers' to-do). */
export async function countUnassignedNewRequests(db: ExtranetDb): Promise<number> {
  return count(await db.selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'new').where('assignee_id', 'is', null).executeTakeFirstOrThrow());
}

/** Requests assigned to a staff member and not yet answered for good. */
export async function countAssignedOpenRequests(db: ExtranetDb, userId: number): Promise<number> {
  return count(await db.selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('assignee_id', '=', userId).where('status', 'in', ['new', 'in_progress']).executeTakeFirstOrThrow());
}

/** A company's correction requests waiting for the documentation service, oldest first. */
export function pendingCorrectionsOf(db: ExtranetDb, companyId: number): Promise<{ id: number; created_at: string }[]> {
  return db.selectFrom('member_change_requests').select(['id', 'created_at']).where('company_id', '=', companyId).where('status', '=', 'pending').orderBy('created_at').execute();
}

/** A company's open requests, latest activity first. */
export function openRequestsOf(db: ExtranetDb, companyId: number, limit = 10): Promise<{ id: number; subject: string; status: RequestStatus }[]> {
  return db.selectFrom('member_requests').select(['id', 'subject', 'status']).where('company_id', '=', companyId).where('status', '!=', 'closed').orderBy('last_message_at', 'desc').limit(limit).execute();
}

// ——— the refusal audit ———

/** Extranet tables whose rows belong to one company (`company_id`). */
export type CompanyOwnedTable = 'member_requests' | 'member_attachments' | 'member_change_requests' | 'member_invitations' | 'member_memberships';

/** The company a row of one of those tables belongs to; undefined when the row does not exist. */
export async function companyOfRow(db: ExtranetDb, table: CompanyOwnedTable, id: number): Promise<number | undefined> {
  const row = await db.selectFrom(table).select('company_id').where('id', '=', id).executeTakeFirst();
  return row?.company_id;
}
