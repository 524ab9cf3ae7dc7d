// Member accounts: sign-in (same lockout rules as staff, separate table and audience),
// memberships (one person, several companies, a role in each), invitations, SIRET sign-ups with
// an approval queue, password reset, second factor. Every write is audited.
import { record, type Actor } from '../../platform/audit/audit.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../platform/auth/password.js';
import { consumeLink, createLink, peekLink } from '../../platform/auth/links.js';
import { sha256 } from '../../platform/auth/secrets.js';
import { destroySessionsOf } from '../../platform/auth/sessions.js';
import { assertNotLocked as platformAssertNotLocked, noteAttempt as platformNoteAttempt } from '../../platform/auth/sign-in.js';
import { acceptTotpOnce } from '../../platform/auth/totp.js';
import { isEmail, normaliseEmail } from '../../platform/auth/users.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { AppError, conflict, invalid, notFound } from '../../platform/errors.js';
import type { Mailer } from '../../platform/mail/index.js';
import type { Translate } from '../../platform/i18n/index.js';
import { findCompany, isValidSiret } from '../registry/index.js';
import type { ExtranetDb, InvitationRow, MemberAccountRow, MembershipRole, SignupRow } from './extranet.table.js';
import { takeToken } from './extranet.rate.js';
import type { MemberScope } from './scope.js';


export const INVITATION_SECONDS = 7 * 24 * 3600;
export const RESET_SECONDS = 3600;
export const SIGNUP_SECONDS = 24 * 3600;
export const MEMBERSHIP_ROLES: readonly MembershipRole[] = ['administrator', 'member'];

/** What a module needs to send member mail: the mailer, the public URL, the translator. */
export interface MailDeps {
  mailer: Mailer;
  publicUrl: string;
  cciName: string;
  t: Translate;
}

export function isMembershipRole(v: string): v is MembershipRole {
  return (MEMBERSHIP_ROLES as readonly string[]).includes(v);
}

export async function findAccountByEmail(db: ExtranetDb, email: string): Promise<MemberAccountRow | undefined> {
  return db.selectFrom('member_accounts').selectAll().where('email', '=', normaliseEmail(email)).executeTakeFirst();
}

export async function getAccount(db: ExtranetDb, id: number): Promise<MemberAccountRow> {
  const a = await db.selectFrom('member_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a) throw notFound();
  return a;
}

export interface MembershipView {
  membershipId: number;
  companyId: number;
  companyName: string;
  role: MembershipRole;
}

/** Active memberships of an account, with company names, in name order. */
export async function listMemberships(db: ExtranetDb, accountId: number): Promise<MembershipView[]> {
  const rows = await db
    .selectFrom('member_memberships')
    .select(['id', 'company_id', 'role'])
    .where('account_id', '=', accountId)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  const out: MembershipView[] = [];
  for (const r of rows) {
    const c = await findCompany(db, r.company_id);
    if (c) out.push({ membershipId: r.id, companyId: r.company_id, companyName: c.name, role: r.role });
  }
  return out.sort((a, b) => a.companyName.localeCompare(b.companyName, 'fr'));
}

/** The member's role in a company, or undefined when they do not (or no longer) belong to it. */
export async function roleIn(db: ExtranetDb, accountId: number, companyId: number): Promise<MembershipRole | undefined> {
  const r = await db
    .selectFrom('member_memberships')
    .select('role')
    .where('account_id', '=', accountId)
    .where('company_id', '=', companyId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return r?.role;
}

// ——— sign-in ———

/** Throws rate_limited when the key (an address, or `totp:<address>`) is locked out. */
export const assertNotLocked = (db: ExtranetDb, key: string, ip: string): Promise<unknown> => platformAssertNotLocked(db, key, ip, 'member');

export const noteAttempt = (db: ExtranetDb, key: string, ip: string, success: boolean): Promise<void> => platformNoteAttempt(db, key, ip, 'member', success);

/**
 * The member twin of the platform's signInWithPassword: same lockout (per address, whether or
 * not it exists; per IP), same answer for an unknown address and a wrong password.
 */
export async function signInMember(db: ExtranetDb, emailInput: string, password: string, ip: string): Promise<MemberAccountRow> {
  const email = normaliseEmail(emailInput).slice(0, 254);
  await assertNotLocked(db, email, ip);
  const account = await findAccountByEmail(db, email);
  const ok = await verifyPassword(account?.password_hash ?? null, password);
  const success = ok && account !== undefined && account.status === 'active';
  await noteAttempt(db, email, ip, success);
  if (!success) throw new AppError('unauthenticated', 'auth.bad_credentials');
  await db.updateTable('member_accounts').set({ last_sign_in_at: nowIso() }).where('id', '=', account.id).execute();
  return account;
}

// ——— accounts ———

function validatePassword(password: string, confirm: string, email: string): void {
  if (password !== confirm) throw invalid('common.invalid', { confirm: 'auth.password_mismatch' });
  const problem = passwordProblem(password, email);
  if (problem) throw invalid('common.invalid', { password: problem });
}

/**
 * The name and the address of a person being invited or signing up, normalised; each problem is
 * added to `fields`, so the form shows them all at once.
 */
function checkPerson(input: { email: string; name: string }, fields: Record<string, string>): { email: string; name: string } {
  const name = input.name.trim();
  if (!name) fields.name = 'field.required';
  else if (name.length > 120) fields.name = 'field.too_long';
  const email = normaliseEmail(input.email);
  if (!email) fields.email = 'field.required';
  else if (!isEmail(email)) fields.email = 'field.email';
  return { email, name };
}

/** Finds the account of an address or creates it (invited, without password). */
async function accountFor(db: ExtranetDb, actor: Actor, email: string, name: string, locale = 'fr'): Promise<MemberAccountRow> {
  const found = await findAccountByEmail(db, email);
  if (found) return found;
  const now = nowIso();
  const row = await db
    .insertInto('member_accounts')
    .values({ email, name, password_hash: null, status: 'invited', locale: locale === 'en' ? 'en' : 'fr', totp_enabled: 0, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'member_account', entityId: row.id, action: 'create', after: { email, name, status: 'invited' } });
  return row;
}

async function setAccountPassword(db: ExtranetDb, actor: Actor, account: MemberAccountRow, password: string): Promise<void> {
  await db
    .updateTable('member_accounts')
    .set({ password_hash: await hashPassword(password), status: account.status === 'disabled' ? 'disabled' : 'active', updated_at: nowIso() })
    .where('id', '=', account.id)
    .execute();
  await record(db, actor, { entity: 'member_account', entityId: account.id, action: 'set_password', changes: { password: ['•••', '•••'] } });
}

/** Adds (or reactivates) a membership. Never lowers an existing administrator silently. */
export async function grantMembership(db: ExtranetDb, actor: Actor, accountId: number, companyId: number, role: MembershipRole, origin: string): Promise<void> {
  const existing = await db.selectFrom('member_memberships').selectAll().where('account_id', '=', accountId).where('company_id', '=', companyId).executeTakeFirst();
  const now = nowIso();
  if (existing) {
    if (existing.status === 'active' && (existing.role === 'administrator' || existing.role === role)) return;
    const patch = { status: 'active' as const, role: existing.status === 'active' && existing.role === 'administrator' ? existing.role : role };
    await updateWithVersion(db, 'member_memberships', existing.id, existing.version, patch);
    await record(db, actor, { entity: 'member_membership', entityId: existing.id, action: 'update', before: { status: existing.status, role: existing.role }, after: patch });
    return;
  }
  const row = await db
    .insertInto('member_memberships')
    .values({ account_id: accountId, company_id: companyId, role, status: 'active', origin, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'member_membership', entityId: row.id, action: 'create', after: { account_id: accountId, company_id: companyId, role, origin } });
}

export async function revokeMembership(db: ExtranetDb, actor: Actor, membershipId: number, companyId?: number): Promise<void> {
  let q = db.selectFrom('member_memberships').selectAll().where('id', '=', membershipId);
  // A company administrator may only touch memberships of their own company.
  if (companyId !== undefined) q = q.where('company_id', '=', companyId);
  const m = await q.executeTakeFirst();
  if (!m || m.status !== 'active') throw notFound();
  await updateWithVersion(db, 'member_memberships', m.id, m.version, { status: 'revoked' });
  await record(db, actor, { entity: 'member_membership', entityId: m.id, action: 'revoke', before: { status: m.status }, after: { status: 'revoked' } });
}

export async function setMembershipRole(db: ExtranetDb, actor: Actor, membershipId: number, role: string, companyId?: number): Promise<void> {
  if (!isMembershipRole(role)) throw invalid('common.invalid', { role: 'field.invalid' });
  let q = db.selectFrom('member_memberships').selectAll().where('id', '=', membershipId).where('status', '=', 'active');
  if (companyId !== undefined) q = q.where('company_id', '=', companyId);
  const m = await q.executeTakeFirst();
  if (!m) throw notFound();
  if (m.role === role) return;
  if (m.role === 'administrator') {
    // A company must keep at least one administrator (else nobody can invite colleagues).
    const admins = await db.selectFrom('member_memberships').select((eb) => eb.fn.countAll().as('n')).where('company_id', '=', m.company_id).where('status', '=', 'active').where('role', '=', 'administrator').executeTakeFirstOrThrow();
    if (Number(admins.n) <= 1) throw conflict('extranet.last_administrator');
  }
  await updateWithVersion(db, 'member_memberships', m.id, m.version, { role });
  await record(db, actor, { entity: 'member_membership', entityId: m.id, action: 'update', before: { role: m.role }, after: { role } });
}

/**
 * A company administrator removes a colleague's access. Not their own: the last step of leaving
 * a company is the CCI's (or another administrator's), so a company is never left unmanaged by mistake.
 */
export async function removeColleague(db: ExtranetDb, scope: MemberScope, membershipId: number): Promise<void> {
  const own = await db.selectFrom('member_memberships').select('id').where('id', '=', membershipId).where('account_id', '=', scope.accountId).executeTakeFirst();
  if (own) throw new AppError('conflict', 'extranet.team.cannot_remove_self');
  await revokeMembership(db, scope.actor, membershipId, scope.companyId);
}

/** Makes one of the member's companies the current one of this session; any other id is "not found". */
export async function switchCompany(db: ExtranetDb, actor: Actor, accountId: number, sessionToken: string, companyId: number | undefined): Promise<void> {
  if (companyId === undefined || !actor.memberOf?.companyIds.includes(companyId)) throw notFound();
  await db.updateTable('sessions').set({ data: JSON.stringify({ company: companyId }) }).where('id', '=', sha256(sessionToken)).execute();
  await record(db, actor, { entity: 'member_account', entityId: accountId, action: 'switch_company', changes: { company: [actor.memberOf?.current ?? null, companyId] } });
}

export async function setAccountStatus(db: ExtranetDb, actor: Actor, accountId: number, status: 'active' | 'disabled', version: number): Promise<void> {
  const a = await getAccount(db, accountId);
  if (status === 'active' && !a.password_hash) throw conflict('extranet.account_no_password');
  await updateWithVersion(db, 'member_accounts', a.id, version, { status });
  if (status === 'disabled') await destroySessionsOf(db, 'member', a.id);
  await record(db, actor, { entity: 'member_account', entityId: a.id, action: status === 'disabled' ? 'disable' : 'enable', before: { status: a.status }, after: { status } });
}

// ——— invitations ———

export interface InvitationInput {
  companyId: number;
  email: string;
  name: string;
  role: string;
  /** staff_invitation | member_invitation */
  origin: 'staff_invitation' | 'member_invitation';
}

/** Records the invitation and e-mails a single-use link bound to the address. */
export async function inviteMember(db: ExtranetDb, actor: Actor, input: InvitationInput, mail: MailDeps): Promise<number> {
  const fields: Record<string, string> = {};
  const { email, name } = checkPerson(input, fields);
  if (!isMembershipRole(input.role)) fields.role = 'field.invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const company = await findCompany(db, input.companyId);
  if (!company) throw notFound();
  const invitation = await db
    .insertInto('member_invitations')
    .values({ company_id: company.id, email, name, role: input.role as MembershipRole, status: 'pending', invited_by: actor.label, origin: input.origin, created_at: nowIso() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'member_invitation', entityId: invitation.id, action: 'create', after: { company_id: company.id, email, role: input.role, origin: input.origin } });
  const token = await createLink(db, 'member_invitation', 'member', invitation.id, email, INVITATION_SECONDS);
  await mail.mailer.queue(db, {
    to: email,
    subject: mail.t('extranet.mail.invite.subject', { cci: mail.cciName }),
    text: mail.t('extranet.mail.invite.body', { name, company: company.name, cci: mail.cciName, link: `${mail.publicUrl}/extranet/invitation/${token}` }),
  });
  return invitation.id;
}

/** What an invitation or sign-up link leads to, while the link is live and its subject still waits. */
export type PendingLink = InvitationLink | SignupLink;
interface LinkCommon {
  linkId: number;
  /** the address the link was sent to (and its subject still names) */
  email: string;
  /** the address already has an account with a password: no password to choose */
  hasAccount: boolean;
}
export interface InvitationLink extends LinkCommon {
  purpose: 'member_invitation';
  invitation: InvitationRow;
  companyName: string;
}
export interface SignupLink extends LinkCommon {
  purpose: 'member_signup';
  signup: SignupRow;
}

/**
 * The invitation or sign-up behind a link, if the link is live and its subject still waits
 * (an invitation pending, a sign-up unconfirmed). Bound to the address: the subject must still
 * name the address the link was sent to.
 */
export function peekPendingLink(db: ExtranetDb, purpose: 'member_invitation', token: string): Promise<InvitationLink | undefined>;
export function peekPendingLink(db: ExtranetDb, purpose: 'member_signup', token: string): Promise<SignupLink | undefined>;
export function peekPendingLink(db: ExtranetDb, purpose: PendingLink['purpose'], token: string): Promise<PendingLink | undefined>;
export async function peekPendingLink(db: ExtranetDb, purpose: PendingLink['purpose'], token: string): Promise<PendingLink | undefined> {
  const link = await peekLink(db, purpose, token);
  if (!link) return undefined;
  let subject: { email: string } & ({ purpose: 'member_invitation'; invitation: InvitationRow; companyName: string } | { purpose: 'member_signup'; signup: SignupRow });
  if (purpose === 'member_invitation') {
    const inv = await db.selectFrom('member_invitations').selectAll().where('id', '=', link.subjectId).executeTakeFirst();
    if (!inv || inv.status !== 'pending' || inv.email !== link.email) return undefined;
    const company = await findCompany(db, inv.company_id);
    if (!company) return undefined;
    subject = { purpose, email: inv.email, invitation: inv, companyName: company.name };
  } else {
    const s = await db.selectFrom('member_signups').selectAll().where('id', '=', link.subjectId).executeTakeFirst();
    if (!s || s.status !== 'unconfirmed' || s.email !== link.email) return undefined;
    subject = { purpose, email: s.email, signup: s };
  }
  const account = await findAccountByEmail(db, subject.email);
  return { ...subject, linkId: link.id, hasAccount: Boolean(account?.password_hash) };
}

/**
 * Following an invitation or sign-up link: the address's account (created if need be, given the
 * password chosen when it has none), the link consumed. Refused (conflict) for a disabled
 * account or a link used in between.
 */
async function claimLink(db: ExtranetDb, actor: Actor, link: PendingLink, name: string, password: string, confirm: string): Promise<MemberAccountRow> {
  const account = await accountFor(db, actor, link.email, name);
  if (account.status === 'disabled') throw conflict('auth.link_invalid');
  if (!account.password_hash) validatePassword(password, confirm, link.email);
  if (!(await consumeLink(db, link.linkId))) throw conflict('auth.link_invalid');
  if (!account.password_hash) await setAccountPassword(db, actor, account, password);
  return account;
}

/** Consumes the link, creates or completes the account, adds the membership. Returns the account id. */
export async function acceptInvitation(db: ExtranetDb, actor: Actor, token: string, password: string, confirm: string): Promise<number> {
  const link = await peekPendingLink(db, 'member_invitation', token);
  if (!link) throw conflict('auth.link_invalid');
  const inv = link.invitation;
  const account = await claimLink(db, actor, link, inv.name, password, confirm);
  await grantMembership(db, actor, account.id, inv.company_id, inv.role, inv.origin);
  await db.updateTable('member_invitations').set({ status: 'accepted', accepted_at: nowIso() }).where('id', '=', inv.id).execute();
  await record(db, { ...actor, label: `membre:${inv.email}` }, { entity: 'member_invitation', entityId: inv.id, action: 'accept', changes: { status: ['pending', 'accepted'] } });
  return account.id;
}

export async function revokeInvitation(db: ExtranetDb, actor: Actor, invitationId: number, companyId?: number): Promise<void> {
  let q = db.selectFrom('member_invitations').selectAll().where('id', '=', invitationId).where('status', '=', 'pending');
  if (companyId !== undefined) q = q.where('company_id', '=', companyId);
  const inv = await q.executeTakeFirst();
  if (!inv) throw notFound();
  await db.updateTable('member_invitations').set({ status: 'revoked' }).where('id', '=', inv.id).execute();
  await db.updateTable('one_time_links').set({ used_at: nowIso() }).where('purpose', '=', 'member_invitation').where('subject_id', '=', inv.id).where('used_at', 'is', null).execute();
  await record(db, actor, { entity: 'member_invitation', entityId: inv.id, action: 'revoke', changes: { status: ['pending', 'revoked'] } });
}

// ——— sign-up with a SIRET ———

export function normaliseSiret(v: string): string {
  return v.replace(/[\s.]/g, '');
}


/**
 * Records a sign-up and e-mails a confirmation link. Whatever the address or the SIRET (known,
 * unknown, already linked), the caller shows the same answer: nothing is revealed.
 */
export async function requestSignup(db: ExtranetDb, actor: Actor, ip: string, input: { email: string; name: string; siret: string }, mail: MailDeps): Promise<void> {
  const fields: Record<string, string> = {};
  const { email, name } = checkPerson(input, fields);
  const siret = normaliseSiret(input.siret);
  if (!siret) fields.siret = 'field.required';
  else if (!isValidSiret(siret)) fields.siret = 'extranet.siret_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  await takeToken(db, ip, [
    { key: `signup-ip:${ip}`, max: 10, windowSeconds: 3600 },
    { key: `signup-mail:${email}`, max: 3, windowSeconds: 3600 },
  ]);
  const now = nowIso();
  const row = await db
    .insertInto('member_signups')
    .values({ email, name, siret, status: 'unconfirmed', company_id: null, account_id: null, reason: null, decided_by: null, decided_at: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'member_signup', entityId: row.id, action: 'create', after: { email, siret } });
  const token = await createLink(db, 'member_signup', 'member', row.id, email, SIGNUP_SECONDS);
  await mail.mailer.queue(db, {
    to: email,
    subject: mail.t('extranet.mail.signup.subject', { cci: mail.cciName }),
    text: mail.t('extranet.mail.signup.body', { name, cci: mail.cciName, link: `${mail.publicUrl}/extranet/inscription/${token}` }),
  });
}

/** The address is proven: the account exists (with a password) and the request joins the queue. */
export async function confirmSignup(db: ExtranetDb, actor: Actor, token: string, password: string, confirm: string): Promise<void> {
  const link = await peekPendingLink(db, 'member_signup', token);
  if (!link) throw conflict('auth.link_invalid');
  const s = link.signup;
  const account = await claimLink(db, actor, link, s.name, password, confirm);
  await updateWithVersion(db, 'member_signups', s.id, s.version, { status: 'pending', account_id: account.id });
  await record(db, { ...actor, label: `membre:${s.email}` }, { entity: 'member_signup', entityId: s.id, action: 'confirm', changes: { status: ['unconfirmed', 'pending'] } });
}

export async function getSignup(db: ExtranetDb, id: number): Promise<SignupRow> {
  const s = await db.selectFrom('member_signups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw notFound();
  return s;
}

export async function listPendingSignups(db: ExtranetDb, limit = 200): Promise<SignupRow[]> {
  return db.selectFrom('member_signups').selectAll().where('status', '=', 'pending').orderBy('created_at').limit(limit).execute();
}

export async function approveSignup(db: ExtranetDb, actor: Actor, id: number, input: { companyId: number | undefined; role: string; version: number | undefined }, mail: MailDeps): Promise<void> {
  const s = await getSignup(db, id);
  if (s.status !== 'pending' || !s.account_id) throw conflict('extranet.signup_not_pending');
  const fields: Record<string, string> = {};
  if (!isMembershipRole(input.role)) fields.role = 'field.invalid';
  const company = input.companyId !== undefined ? await findCompany(db, input.companyId) : undefined;
  if (!company) fields.company_id = 'extranet.company_required';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  await updateWithVersion(db, 'member_signups', s.id, input.version ?? -1, { status: 'approved', company_id: company!.id, decided_by: actor.id, decided_at: nowIso() });
  await grantMembership(db, actor, s.account_id, company!.id, input.role as MembershipRole, 'signup');
  await record(db, actor, { entity: 'member_signup', entityId: s.id, action: 'approve', changes: { status: ['pending', 'approved'], company_id: [null, company!.id], role: [null, input.role] } });
  await mail.mailer.queue(db, {
    to: s.email,
    subject: mail.t('extranet.mail.signup_approved.subject', { cci: mail.cciName }),
    text: mail.t('extranet.mail.signup_approved.body', { name: s.name, cci: mail.cciName, link: `${mail.publicUrl}/extranet/connexion` }),
  });
}

export async function refuseSignup(db: ExtranetDb, actor: Actor, id: number, input: { reason: string; version: number | undefined }, mail: MailDeps): Promise<void> {
  const s = await getSignup(db, id);
  if (s.status !== 'pending') throw conflict('extranet.signup_not_pending');
  const reason = input.reason.trim();
  if (!reason) throw invalid('common.invalid', { reason: 'extranet.reason_required' });
  if (reason.length > 2000) throw invalid('common.invalid', { reason: 'field.too_long' });
  await updateWithVersion(db, 'member_signups', s.id, input.version ?? -1, { status: 'refused', reason, decided_by: actor.id, decided_at: nowIso() });
  await record(db, actor, { entity: 'member_signup', entityId: s.id, action: 'refuse', changes: { status: ['pending', 'refused'], reason: [null, reason] } });
  // The reason goes to the person who asked: they proved they own the address.
  await mail.mailer.queue(db, {
    to: s.email,
    subject: mail.t('extranet.mail.signup_refused.subject', { cci: mail.cciName }),
    text: mail.t('extranet.mail.signup_refused.body', { name: s.name, cci: mail.cciName, reason }),
  });
}

/** Sign-ups of this account still waiting (shown on its home page while it has no company). */
export async function pendingSignupsOf(db: ExtranetDb, accountId: number): Promise<SignupRow[]> {
  return db.selectFrom('member_signups').selectAll().where('account_id', '=', accountId).where('status', 'in', ['pending', 'refused']).orderBy('created_at', 'desc').limit(5).execute();
}

// ——— password reset ———

export async function requestReset(db: ExtranetDb, ip: string, emailInput: string, mail: MailDeps): Promise<void> {
  const email = normaliseEmail(emailInput).slice(0, 254);
  await takeToken(db, ip, [
    { key: `reset-ip:${ip}`, max: 20, windowSeconds: 3600 },
    { key: `reset-mail:${email}`, max: 5, windowSeconds: 3600 },
  ]);
  const account = await findAccountByEmail(db, email);
  if (!account || account.status !== 'active') return; // same answer either way
  const token = await createLink(db, 'member_password_reset', 'member', account.id, account.email, RESET_SECONDS);
  await mail.mailer.queue(db, {
    to: account.email,
    subject: mail.t('extranet.mail.reset.subject', { cci: mail.cciName }),
    text: mail.t('extranet.mail.reset.body', { name: account.name, cci: mail.cciName, link: `${mail.publicUrl}/extranet/mot-de-passe/${token}` }),
  });
}

export async function peekReset(db: ExtranetDb, token: string): Promise<{ linkId: number; account: MemberAccountRow } | undefined> {
  const link = await peekLink(db, 'member_password_reset', token);
  if (!link) return undefined;
  const account = await db.selectFrom('member_accounts').selectAll().where('id', '=', link.subjectId).executeTakeFirst();
  // Bound to the address the link was sent to: a changed address voids it.
  if (!account || account.email !== link.email || account.status !== 'active') return undefined;
  return { linkId: link.id, account };
}

export async function resetPassword(db: ExtranetDb, actor: Actor, token: string, password: string, confirm: string): Promise<void> {
  const view = await peekReset(db, token);
  if (!view) throw conflict('auth.link_invalid');
  validatePassword(password, confirm, view.account.email);
  if (!(await consumeLink(db, view.linkId))) throw conflict('auth.link_invalid');
  await setAccountPassword(db, { ...actor, label: `membre:${view.account.email}` }, view.account, password);
  await destroySessionsOf(db, 'member', view.account.id);
}

/** Changes the password and ends the account's other sessions: a stolen session does not survive a password change. */
export async function changePassword(db: ExtranetDb, actor: Actor, accountId: number, sessionToken: string, current: string, password: string, confirm: string): Promise<void> {
  const account = await getAccount(db, accountId);
  if (!(await verifyPassword(account.password_hash, current))) throw invalid('common.invalid', { current: 'auth.current_password_wrong' });
  validatePassword(password, confirm, account.email);
  await setAccountPassword(db, actor, account, password);
  await db.deleteFrom('sessions').where('audience', '=', 'member').where('subject_id', '=', accountId).where('id', '!=', sha256(sessionToken)).execute();
}

export async function enableMemberTotp(db: ExtranetDb, actor: Actor, accountId: number, secret: string, code: string): Promise<void> {
  const outcome = await acceptTotpOnce(db, actor, { table: 'member_accounts', entity: 'member_account', id: accountId }, secret, code, { enrol: true });
  if (outcome !== 'accepted') throw invalid('common.invalid', { code: 'auth.totp_wrong' });
  await record(db, actor, { entity: 'member_account', entityId: accountId, action: 'totp_enable', changes: { totp_enabled: [0, 1] } });
}

export async function disableMemberTotp(db: ExtranetDb, actor: Actor, accountId: number, password: string): Promise<void> {
  const account = await getAccount(db, accountId);
  // Turning the second factor off takes the password: a borrowed session is not enough.
  if (!(await verifyPassword(account.password_hash, password))) throw invalid('common.invalid', { current: 'auth.current_password_wrong' });
  await db.updateTable('member_accounts').set({ totp_secret: null, totp_enabled: 0, updated_at: nowIso() }).where('id', '=', accountId).execute();
  await record(db, actor, { entity: 'member_account', entityId: accountId, action: 'totp_disable', changes: { totp_enabled: [1, 0] } });
}

// ——— housekeeping ———

/**
 * Personal data nobody confirmed is not kept: sign-ups whose address was never confirmed are
 * deleted after 7 days; invitations not accepted within their link's life are marked expired.
 */
export async function purgeStale(db: ExtranetDb, now = new Date()): Promise<{ signups: number; invitations: number }> {
  const week = new Date(now.getTime() - 7 * 86400_000).toISOString();
  const stale = await db.selectFrom('member_signups').select('id').where('status', '=', 'unconfirmed').where('created_at', '<', week).execute();
  if (stale.length) {
    const ids = stale.map((r) => r.id);
    await db.updateTable('one_time_links').set({ used_at: now.toISOString() }).where('purpose', '=', 'member_signup').where('subject_id', 'in', ids).where('used_at', 'is', null).execute();
    await db.deleteFrom('member_signups').where('id', 'in', ids).execute();
  }
  const expiredBefore = new Date(now.getTime() - INVITATION_SECONDS * 1000).toISOString();
  const inv = await db.updateTable('member_invitations').set({ status: 'expired' }).where('status', '=', 'pending').where('created_at', '<', expiredBefore).executeTakeFirst();
  const result = { signups: stale.length, invitations: Number(inv.numUpdatedRows) };
  if (result.signups || result.invitations) await record(db, { id: null, label: 'système', kind: 'system', roles: [], permissions: new Set() }, { entity: 'member_signup', entityId: 'purge', action: 'purge', changes: result });
  return result;
}

