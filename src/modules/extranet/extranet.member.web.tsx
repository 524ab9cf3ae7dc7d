// Member-side handlers of the extranet (/extranet/…), listed with their access in
// extranet.routes.ts: sign-in and account pages, then the pages of the member's current company.
// Every page below sign-in declares `audience: 'member'`; every read goes through a service or a
// query that filters on the scope's company (the one the resolver verified).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren, VNode } from 'preact';
import type { Crumb } from '../../platform/ui/layout.js';
import type { ViewContext } from '../../platform/ui/view-context.js';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { completeSecondFactor, createSession, destroySession } from '../../platform/auth/sessions.js';
import { acceptTotpOnce, newTotpSecret, totpQrSvg } from '../../platform/auth/totp.js';
import { ForgotPage, NewPasswordPage, TotpStepPage } from '../../platform/auth/views.js';
import { AppError, isAppError, notFound, type FieldErrors } from '../../platform/errors.js';
import { idParam, list, onInvalid, raw, requireId, str } from '../../platform/http/forms.js';
import { cookieOptions, rotateCsrf, safeNext, type MemberResolver } from '../../platform/http/lifecycle.js';
import type { ModuleContext } from '../../platform/module.js';
import { getPublishedFor, listDocumentsFor, listPublishedFor, type Kind } from '../content/index.js';
import { findCompany } from '../registry/index.js';
import {
  acceptInvitation,
  assertNotLocked,
  changePassword,
  confirmSignup,
  disableMemberTotp,
  enableMemberTotp,
  getAccount,
  inviteMember,
  listMemberships,
  noteAttempt,
  peekPendingLink,
  peekReset,
  pendingSignupsOf,
  removeColleague,
  requestReset,
  requestSignup,
  resetPassword,
  revokeInvitation,
  setMembershipRole,
  signInMember,
  switchCompany,
  type MailDeps,
  type PendingLink,
} from './accounts.service.js';
import { listCompanyPreferences, setPreferences } from './consent.service.js';
import { CORRECTABLE, CORRECTION_FORM_FIELDS, countPendingCorrections, currentValues, getMemberCorrection, listCompanyCorrections, proposeCorrection } from './corrections.service.js';
import { activeMembershipsOf, companyTeam, countCompanyRequestsIn, findAccountForSession, pendingInvitations } from './extranet.queries.js';
import { takeToken } from './extranet.rate.js';
import type { ExtranetDb } from './extranet.table.js';
import { addMemberMessage, closeMemberRequest, countOpenRequests, createRequest, getMemberAttachment, getMemberRequest, listCompanyRequests, requestLimitNotice } from './requests.service.js';
import { scopeOf, type MemberScope } from './scope.js';
import { companyTimeline, type ExtraTimelineSource } from './timeline.service.js';
import { DocumentsPage, EventsPage, ItemPage, NewsListPage } from './views/content.js';
import { formatDateTime } from './views/format.js';
import {
  CompanyPage,
  ContactsPage,
  CorrectionFormPage,
  CorrectionPage,
  HomePage,
  LinkPasswordPage,
  MemberAccountPage,
  MemberPage,
  MemberSignInPage,
  MemberTotpEnrolPage,
  RequestFormPage,
  RequestsPage,
  RequestThreadPage,
  SignupPage,
  TeamPage,
  TimelinePage,
  memberNav,
  type MemberChrome,
  type RequestLimitNotice,
} from './views/member.js';
import { allowOnly, readForm, sendFile } from './web-helpers.js';

type Ctx = ModuleContext<ExtranetDb>;

export const MEMBER_COOKIE = 'msid';

/** Turns a member session into an actor: active account, active memberships, current company. */
export function memberResolver(): MemberResolver {
  return async (db, session) => {
    const account = await findAccountForSession(db, session.subject_id);
    if (!account || account.status !== 'active') return undefined;
    const memberships = await activeMembershipsOf(db, account.id);
    let wanted: number | undefined;
    try {
      wanted = (JSON.parse(session.data || '{}') as { company?: number }).company;
    } catch {
      wanted = undefined;
    }
    // The current company is re-checked on every request: a revoked membership takes effect at once.
    const current = memberships.find((m) => m.company_id === wanted) ?? memberships[0];
    const permissions = new Set<string>();
    if (current) {
      permissions.add('member:use');
      if (current.role === 'administrator') permissions.add('member:admin');
    }
    const actor: Actor = {
      id: null,
      label: `membre:${account.email}`,
      kind: 'member',
      roles: current ? [current.role] : [],
      permissions,
      memberOf: { companyIds: memberships.map((m) => m.company_id), current: current?.company_id },
    };
    return { actor, user: { id: account.id, name: account.name, email: account.email } };
  };
}

// ——— shared steps ———

const mailDeps = async (req: FastifyRequest, { mailer, config, settings }: Ctx): Promise<MailDeps> => ({ mailer, publicUrl: config.publicUrl, cciName: await settings.get('cci.name'), t: req.t });
const scope = (req: FastifyRequest): MemberScope => scopeOf(req.actor, req.user);
const actorFor = (req: FastifyRequest, email: string): Actor => ({ ...req.actor, label: `membre:${email}` });
const openView = (req: FastifyRequest) => req.view({ shell: 'member' });
/** A `next` target inside the extranet, else the extranet's home. */
const extranetNext = (value: string) => {
  const next = safeNext(value, '/extranet');
  return next.startsWith('/extranet') ? next : '/extranet';
};

async function chrome(req: FastifyRequest, db: ExtranetDb): Promise<MemberChrome> {
  const memberships = req.user ? await listMemberships(db, req.user.id) : [];
  return { memberships, current: req.actor.memberOf?.current, isAdmin: req.actor.permissions.has('member:admin') };
}

/** The member's page context: the platform's, with the member navigation. */
function memberView(req: FastifyRequest, c: MemberChrome) {
  const base = req.view();
  return { ...base, nav: memberNav(base, c, req.url) };
}

/** A page of the member area: its chrome read, its context built, `page` renders with both. */
async function memberPage(req: FastifyRequest, db: ExtranetDb, page: (ctx: ReturnType<typeof memberView>, chrome: MemberChrome) => VNode): Promise<VNode> {
  const c = await chrome(req, db);
  return page(memberView(req, c), c);
}

/**
 * Another module's member page in the extranet's shell (company switcher, member navigation):
 * exported through index.ts, so a training or messages page looks like every extranet page.
 */
export async function renderMemberShell(req: FastifyRequest, db: ExtranetDb, title: string, body: (ctx: ViewContext) => ComponentChildren, crumbs?: Crumb[]): Promise<VNode> {
  return memberPage(req, db, (ctx, c) => (
    <MemberPage ctx={ctx} chrome={c} title={title} crumbs={crumbs}>
      {body(ctx)}
    </MemberPage>
  ));
}

async function startSession(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx, accountId: number, pending: 0 | 1): Promise<string> {
  if (req.sessionToken) await destroySession(db, req.sessionToken);
  const existing = req.cookies[MEMBER_COOKIE];
  if (existing) await destroySession(db, existing);
  const lifetimes = { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds };
  const { token } = await createSession(db, 'member', accountId, lifetimes, { ip: req.ip, userAgent: req.headers['user-agent'], secondFactorPending: pending });
  reply.setCookie(MEMBER_COOKIE, token, cookieOptions(config));
  rotateCsrf(req, reply, config);
  return token;
}

// ——— sign-in, sign-out ———

export async function handleSignInPage(req: FastifyRequest, reply: FastifyReply) {
  if (req.actor.kind === 'member') return reply.redirect('/extranet');
  const next = safeNext((req.query as Record<string, string>).next, '');
  return reply.render(<MemberSignInPage ctx={openView(req)} next={next.startsWith('/extranet') ? next : undefined} />);
}

export async function handleSignIn(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  const email = str(req.body, 'email', 300);
  const password = raw(req.body, 'password');
  const next = extranetNext(str(req.body, 'next'));
  try {
    if (!email || !password) throw new AppError('unauthenticated', 'auth.bad_credentials');
    const account = await signInMember(db, email, password, req.ip);
    await startSession(req, reply, ctx, account.id, account.totp_enabled ? 1 : 0);
    if (account.totp_enabled) return reply.redirect(`/extranet/connexion/code?next=${encodeURIComponent(next)}`);
    await record(db, actorFor(req, account.email), { entity: 'member_account', entityId: account.id, action: 'sign_in', changes: {} });
    return reply.redirect(next);
  } catch (e) {
    if (!isAppError(e) || (e.kind !== 'unauthenticated' && e.kind !== 'rate_limited')) throw e;
    return reply.render(<MemberSignInPage ctx={openView(req)} email={email} next={next} errors={{ _form: req.t(e.code, e.params) }} />, e.kind === 'rate_limited' ? 429 : 401);
  }
}

export async function handleSecondFactorPage(req: FastifyRequest, reply: FastifyReply) {
  if (!req.pendingUserId) return reply.redirect('/extranet/connexion');
  return reply.render(<TotpStepPage ctx={openView(req)} action="/extranet/connexion/code" next={safeNext((req.query as Record<string, string>).next, '/extranet')} />);
}

export async function handleSecondFactor(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  if (!req.pendingUserId || !req.sessionToken) return reply.redirect('/extranet/connexion');
  const account = await getAccount(db, req.pendingUserId);
  const next = extranetNext(str(req.body, 'next'));
  const key = `totp:${account.email}`;
  const page = (errors: Record<string, string>, status: number) => reply.render(<TotpStepPage ctx={openView(req)} action="/extranet/connexion/code" next={next} errors={errors} />, status);
  try {
    await assertNotLocked(db, key, req.ip);
  } catch (e) {
    if (isAppError(e)) return page({ _form: req.t(e.code, e.params) }, 429);
    throw e;
  }
  const holder = { table: 'member_accounts', entity: 'member_account', id: account.id } as const;
  const outcome = account.totp_secret ? await acceptTotpOnce(db, actorFor(req, account.email), holder, account.totp_secret, str(req.body, 'code', 20)) : 'wrong';
  if (outcome !== 'accepted') {
    await noteAttempt(db, key, req.ip, false);
    return page({ code: 'auth.totp_wrong' }, 401);
  }
  await noteAttempt(db, key, req.ip, true);
  const pendingToken = req.sessionToken;
  const token = await startSession(req, reply, ctx, account.id, 0);
  await destroySession(db, pendingToken);
  await completeSecondFactor(db, token);
  await record(db, actorFor(req, account.email), { entity: 'member_account', entityId: account.id, action: 'sign_in', changes: { second_factor: ['', 'totp'] } });
  return reply.redirect(next);
}

export async function handleSignOut(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const token = req.cookies[MEMBER_COOKIE];
  if (token) await destroySession(db, token);
  reply.clearCookie(MEMBER_COOKIE, { path: '/' });
  rotateCsrf(req, reply, config);
  reply.flash('info', 'auth.signed_out');
  return reply.redirect('/extranet/connexion');
}

// ——— password reset ———

export async function handleForgotPage(req: FastifyRequest, reply: FastifyReply) {
  return reply.render(<ForgotPage ctx={openView(req)} action="/extranet/mot-de-passe-oublie" />);
}

export async function handleForgot(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const email = str(req.body, 'email', 300);
  if (!email) return reply.render(<ForgotPage ctx={openView(req)} action="/extranet/mot-de-passe-oublie" errors={{ email: 'field.required' }} />, 422);
  const mail = await mailDeps(req, ctx);
  await ctx.db.transaction().execute((trx) => requestReset(trx, req.ip, email, mail));
  return reply.render(<ForgotPage ctx={openView(req)} sent />);
}

export async function handleResetPage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const { token } = req.params as { token: string };
  const link = await peekReset(db, token);
  return reply.render(<NewPasswordPage ctx={openView(req)} title={req.t('auth.reset_title')} action={`/extranet/mot-de-passe/${token}`} invalidLink={!link} />, link ? 200 : 410);
}

/**
 * Runs what a link page's form does (set a password, accept, confirm). A bad password shows the
 * form again (422); a link used, revoked or expired in between says so (410).
 */
async function onLinkRefused(reply: FastifyReply, action: () => Promise<unknown>, form: (errors: FieldErrors, gone: boolean) => VNode): Promise<unknown> {
  try {
    return await action();
  } catch (e) {
    if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) {
      const gone = e.kind === 'conflict';
      return reply.render(form(e.fields, gone), gone ? 410 : 422);
    }
    throw e;
  }
}

export async function handleReset(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const { token } = req.params as { token: string };
  return onLinkRefused(
    reply,
    async () => {
      await db.transaction().execute((trx) => resetPassword(trx, req.actor, token, raw(req.body, 'password', 300), raw(req.body, 'confirm', 300)));
      reply.flash('success', 'auth.reset_done');
      return reply.redirect('/extranet/connexion');
    },
    (errors, gone) => <NewPasswordPage ctx={openView(req)} title={req.t('auth.reset_title')} action={`/extranet/mot-de-passe/${token}`} invalidLink={gone} errors={errors} />,
  );
}

// ——— invitation and sign-up links: one page, a password to choose (unless the address has one) ———

/** Which link a route serves: `/extranet/invitation/:token` or `/extranet/inscription/:token`. */
function linkKind(req: FastifyRequest) {
  const invitation = req.routeOptions.url?.startsWith('/extranet/invitation/') ?? false;
  const { token } = req.params as { token: string };
  return invitation
    ? { purpose: 'member_invitation' as const, token, action: `/extranet/invitation/${token}`, title: 'extranet.invitation.title', done: 'extranet.invitation.done' }
    : { purpose: 'member_signup' as const, token, action: `/extranet/inscription/${token}`, title: 'extranet.signup.confirm_title', done: 'extranet.signup.confirmed' };
}

function linkIntro(req: FastifyRequest, link: PendingLink): string {
  return link.purpose === 'member_invitation' ? req.t('extranet.invitation.intro', { company: link.companyName, email: link.email }) : req.t('extranet.signup.confirm_intro', { siret: link.signup.siret });
}

export async function handleLinkPage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const k = linkKind(req);
  const link = await peekPendingLink(db, k.purpose, k.token);
  return reply.render(
    <LinkPasswordPage ctx={openView(req)} title={req.t(k.title)} intro={link ? linkIntro(req, link) : undefined} action={k.action} hasAccount={link?.hasAccount ?? false} invalidLink={!link} />,
    link ? 200 : 410,
  );
}

export async function handleFollowLink(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const k = linkKind(req);
  const link = await peekPendingLink(db, k.purpose, k.token);
  const password = raw(req.body, 'password', 300);
  const confirm = raw(req.body, 'confirm', 300);
  return onLinkRefused(
    reply,
    async () => {
      await db.transaction().execute(async (trx) => {
        if (k.purpose === 'member_invitation') await acceptInvitation(trx, req.actor, k.token, password, confirm);
        else await confirmSignup(trx, req.actor, k.token, password, confirm);
      });
      reply.flash('success', k.done);
      return reply.redirect('/extranet/connexion');
    },
    (errors, gone) => <LinkPasswordPage ctx={openView(req)} title={req.t(k.title)} action={k.action} hasAccount={link?.hasAccount ?? false} invalidLink={gone} errors={errors} />,
  );
}

// ——— sign-up with a SIRET ———

export async function handleSignupPage(req: FastifyRequest, reply: FastifyReply) {
  return reply.render(<SignupPage ctx={openView(req)} />);
}

export async function handleSignup(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const values = { siret: str(req.body, 'siret', 30), name: str(req.body, 'name', 200), email: str(req.body, 'email', 300) };
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      await ctx.db.transaction().execute((trx) => requestSignup(trx, req.actor, req.ip, values, mail));
      // Same page whatever the address and the SIRET: nothing is revealed.
      return reply.render(<SignupPage ctx={openView(req)} sent />);
    },
    (errors) => <SignupPage ctx={openView(req)} values={values} errors={errors} />,
  );
}

// ——— home, company switch ———

/** Other modules' entries of the follow-up, bound to this request's context and language. */
const extraTimeline = (req: FastifyRequest, ctx: Ctx): ExtraTimelineSource[] =>
  ctx.memberTimelineSources().map((src) => ({ count: (companyId) => src.count(ctx, companyId), list: (companyId, limit) => src.list(ctx, companyId, limit, req.t) }));

export async function handleHome(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  const c = await chrome(req, db);
  if (!c.current) return reply.render(<HomePage ctx={memberView(req, c)} chrome={c} timeline={[]} signups={await pendingSignupsOf(db, req.user!.id)} />);
  const s = scope(req);
  const [timeline, openRequests, waiting, pendingCorrections, news] = await Promise.all([
    companyTimeline(db, s.companyId, { perPage: 10 }, extraTimeline(req, ctx)).then((p) => p.items),
    countOpenRequests(db, s.companyId),
    countCompanyRequestsIn(db, s.companyId, 'waiting_member'),
    countPendingCorrections(db, s.companyId),
    listPublishedFor(db, 'extranet', { kind: 'news', limit: 3 }),
  ]);
  return reply.render(<HomePage ctx={memberView(req, c)} chrome={c} timeline={timeline} signups={[]} counts={{ openRequests, waiting, pendingCorrections }} news={news.items} />);
}

export async function handleSwitchCompany(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['company_id', 'next']);
  // Only a company the member belongs to: any other id is "not found".
  await switchCompany(db, req.actor, req.user!.id, req.cookies[MEMBER_COOKIE]!, idParam(str(req.body, 'company_id', 12)));
  const next = safeNext(str(req.body, 'next'), '/extranet');
  // Pages of a record of the previous company would be "not found" now: go to the section.
  const section = next.match(/^\/extranet(\/[a-z-]+)?/)?.[0] ?? '/extranet';
  return reply.redirect(section === '/extranet/entreprise-courante' ? '/extranet' : section);
}

// ——— account ———

async function accountPage(req: FastifyRequest, db: ExtranetDb, errors?: FieldErrors): Promise<VNode> {
  const account = await getAccount(db, req.user!.id);
  return memberPage(req, db, (ctx, c) => <MemberAccountPage ctx={ctx} chrome={c} account={account} errors={errors} />);
}

export async function handleAccount(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await accountPage(req, db));
}

export async function handleChangePassword(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['current', 'password', 'confirm']);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => changePassword(trx, req.actor, req.user!.id, req.cookies[MEMBER_COOKIE] ?? '', raw(req.body, 'current', 300), raw(req.body, 'password', 300), raw(req.body, 'confirm', 300)));
      reply.flash('success', 'auth.password_changed');
      return reply.redirect('/extranet/compte');
    },
    (errors) => accountPage(req, db, errors),
  );
}

async function totpEnrolPage(req: FastifyRequest, { db, settings }: Ctx, secret: string, errors?: FieldErrors): Promise<VNode> {
  const cci = await settings.get('cci.name');
  const qrSvg = await totpQrSvg(secret, req.user!.email, `Extranet ${cci}`);
  return memberPage(req, db, (ctx, c) => <MemberTotpEnrolPage ctx={ctx} chrome={c} secret={secret} qrSvg={qrSvg} errors={errors} />);
}

export async function handleTotpEnrolPage(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return reply.render(await totpEnrolPage(req, ctx, newTotpSecret()));
}

export async function handleEnableTotp(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  allowOnly(req, ['secret', 'code']);
  const secret = str(req.body, 'secret', 64);
  if (!/^[A-Z2-7]{32}$/.test(secret)) throw new AppError('invalid', 'common.invalid');
  return onInvalid(
    reply,
    async () => {
      await enableMemberTotp(ctx.db, req.actor, req.user!.id, secret, str(req.body, 'code', 20));
      reply.flash('success', 'auth.totp_enabled');
      return reply.redirect('/extranet/compte');
    },
    (errors) => totpEnrolPage(req, ctx, secret, errors),
  );
}

export async function handleDisableTotp(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['current']);
  return onInvalid(
    reply,
    async () => {
      await disableMemberTotp(db, req.actor, req.user!.id, raw(req.body, 'current', 300));
      reply.flash('success', 'auth.totp_disabled');
      return reply.redirect('/extranet/compte');
    },
    (errors) => accountPage(req, db, errors),
  );
}

// ——— Mon entreprise ———

export async function handleCompany(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const s = scope(req);
  const c = await chrome(req, db);
  const company = await findCompany(db, s.companyId);
  if (!company) throw notFound();
  const [values, corrections] = await Promise.all([currentValues(db, s.companyId), listCompanyCorrections(db, s.companyId)]);
  return reply.render(<CompanyPage ctx={memberView(req, c)} chrome={c} company={company} values={values} corrections={corrections} />);
}

export async function handleCorrectionForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const s = scope(req);
  const c = await chrome(req, db);
  const current = await currentValues(db, s.companyId);
  const values = Object.fromEntries(CORRECTABLE.map((f) => [f, current[f]]));
  return reply.render(<CorrectionFormPage ctx={memberView(req, c)} chrome={c} values={values} />);
}

export async function handleProposeCorrection(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, CORRECTION_FORM_FIELDS);
  const s = scope(req);
  const body = Object.fromEntries(CORRECTION_FORM_FIELDS.filter((f) => (req.body as Record<string, unknown>)?.[f] !== undefined).map((f) => [f, str(req.body, f, 5000)]));
  return onInvalid(
    reply,
    async () => {
      const newId = await db.transaction().execute((trx) => proposeCorrection(trx, s, body));
      reply.flash('success', 'extranet.correction.sent');
      return reply.redirect(`/extranet/mon-entreprise/corrections/${newId}`);
    },
    (errors) => memberPage(req, db, (ctx, c) => <CorrectionFormPage ctx={ctx} chrome={c} values={body} errors={errors} />),
  );
}

export async function handleCorrection(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const s = scope(req);
  const c = await chrome(req, db);
  return reply.render(<CorrectionPage ctx={memberView(req, c)} chrome={c} req={await getMemberCorrection(db, s, requireId(req))} />);
}

// ——— Mes demandes ———

export async function handleRequests(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const s = scope(req);
  const c = await chrome(req, db);
  return reply.render(<RequestsPage ctx={memberView(req, c)} chrome={c} requests={await listCompanyRequests(db, s.companyId)} />);
}

/** The form says when a limit is near or reached: which one and until when. */
async function limitNotice(req: FastifyRequest, db: ExtranetDb, s: MemberScope): Promise<RequestLimitNotice | undefined> {
  const n = await requestLimitNotice(db, s);
  return n && { ...n, params: { ...n.params, until: formatDateTime(n.params.until, req.locale) } };
}

export async function handleNewRequestForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const c = await chrome(req, db);
  const limit = await limitNotice(req, db, scope(req));
  return reply.render(<RequestFormPage ctx={memberView(req, c)} chrome={c} values={{ category: (req.query as Record<string, string>).categorie ?? '' }} limit={limit} />);
}

export async function handleCreateRequest(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  const s = scope(req);
  const form = await readForm(req, ['category', 'subject', 'body']);
  const values = { category: form.fields.category ?? '', subject: form.fields.subject ?? '', body: form.fields.body ?? '' };
  const again = (errors: FieldErrors, limit?: RequestLimitNotice) => memberPage(req, db, (v, c) => <RequestFormPage ctx={v} chrome={c} values={values} errors={limit ? undefined : errors} limit={limit} />);
  if (form.fileError) return reply.render(await again({ attachments: form.fileError }), 422);
  try {
    return await onInvalid(
      reply,
      async () => {
        const mail = await mailDeps(req, ctx);
        const newId = await db.transaction().execute((trx) => createRequest(trx, s, req.ip, values, form.files, mail));
        reply.flash('success', 'extranet.requests.sent');
        return reply.redirect(`/extranet/demandes/${newId}`);
      },
      (errors) => again(errors),
    );
  } catch (e) {
    // A limit reached: the form again, the text kept, saying which limit and until when.
    if (isAppError(e) && e.kind === 'rate_limited') {
      const limit = { code: e.code, params: { ...e.params, until: formatDateTime(String(e.params.until), req.locale) }, blocked: true };
      return reply.render(await again({}, limit), 429);
    }
    throw e;
  }
}

export async function handleRequest(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const s = scope(req);
  const c = await chrome(req, db);
  return reply.render(<RequestThreadPage ctx={memberView(req, c)} chrome={c} thread={await getMemberRequest(db, s, requireId(req))} />);
}

export async function handleAddMessage(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  const s = scope(req);
  const requestId = requireId(req);
  // Check the scope before reading any upload: another company's id is refused at once.
  await getMemberRequest(db, s, requestId);
  const form = await readForm(req, ['body']);
  const again = async (errors: FieldErrors) => {
    const thread = await getMemberRequest(db, s, requestId);
    return memberPage(req, db, (v, c) => <RequestThreadPage ctx={v} chrome={c} thread={thread} body={form.fields.body} errors={errors} />);
  };
  if (form.fileError) return reply.render(await again({ attachments: form.fileError }), 422);
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      await db.transaction().execute((trx) => addMemberMessage(trx, s, req.ip, requestId, form.fields.body ?? '', form.files, mail));
      reply.flash('success', 'extranet.thread.sent');
      return reply.redirect(`/extranet/demandes/${requestId}`);
    },
    again,
  );
}

export async function handleCloseRequest(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, []);
  const s = scope(req);
  const requestId = requireId(req);
  await db.transaction().execute((trx) => closeMemberRequest(trx, s, requestId));
  reply.flash('success', 'extranet.requests.closed');
  return reply.redirect(`/extranet/demandes/${requestId}`);
}

export async function handleAttachment(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return sendFile(reply, await getMemberAttachment(db, scope(req), requireId(req)));
}

// ——— Suivi des affaires ———

export async function handleTimeline(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  const s = scope(req);
  // ?page=: a positive whole number, else no such page; past the end, the last page.
  const asked = (req.query as Record<string, unknown>).page;
  const page = asked === undefined ? 1 : idParam(asked);
  if (page === undefined || page < 1) throw notFound();
  const c = await chrome(req, db);
  const tl = await companyTimeline(db, s.companyId, { page }, extraTimeline(req, ctx));
  if (tl.page !== page) return reply.redirect(`/extranet/suivi?page=${tl.page}`);
  return reply.render(<TimelinePage ctx={memberView(req, c)} chrome={c} items={tl.items} total={tl.total} page={tl.page} perPage={tl.perPage} />);
}

// ——— what the CCI published for members (content module, audience 'extranet') ———

const PER_PAGE = 10;

function pageOf(req: FastifyRequest): number {
  const n = idParam((req.query as Record<string, string>).page);
  // A page far past the end is an empty page, not an error; the cap keeps OFFSET sane.
  return n === undefined || n < 1 ? 1 : Math.min(n, 10_000);
}

/**
 * `/extranet/actualites/<id>-<slug>` (the slug is for people; the id decides). An item of
 * another kind, of another audience only, a draft or an unknown id: the same 404.
 */
async function published(req: FastifyRequest, db: ExtranetDb, kind: Kind) {
  const ref = /^(\d{1,9})(?:-[^/]*)?$/.exec((req.params as { ref: string }).ref);
  const itemId = ref ? idParam(ref[1]) : undefined;
  const item = itemId === undefined ? undefined : await getPublishedFor(db, 'extranet', itemId);
  if (!item || item.kind !== kind) throw notFound();
  return item;
}

export async function handleNews(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const page = pageOf(req);
  const c = await chrome(req, db);
  const { items, total } = await listPublishedFor(db, 'extranet', { kind: 'news', limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
  return reply.render(<NewsListPage ctx={memberView(req, c)} chrome={c} items={items} total={total} page={page} perPage={PER_PAGE} query={req.query as Record<string, string>} />);
}

export async function handleEvents(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const page = pageOf(req);
  const c = await chrome(req, db);
  const { items, total } = await listPublishedFor(db, 'extranet', { kind: 'event', upcoming: true, limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
  return reply.render(<EventsPage ctx={memberView(req, c)} chrome={c} items={items} total={total} page={page} perPage={PER_PAGE} query={req.query as Record<string, string>} />);
}

/** One news item or event, as its route says (`/extranet/actualites/:ref`, `/extranet/evenements/:ref`). */
export async function handlePublishedItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const item = await published(req, db, req.routeOptions.url?.startsWith('/extranet/evenements/') ? 'event' : 'news');
  const c = await chrome(req, db);
  return reply.render(<ItemPage ctx={memberView(req, c)} chrome={c} item={item} />);
}

export async function handleDocuments(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const c = await chrome(req, db);
  return reply.render(<DocumentsPage ctx={memberView(req, c)} chrome={c} docs={await listDocumentsFor(db, 'extranet')} />);
}

// ——— contacts' consent ———

export async function handleContacts(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const s = scope(req);
  const c = await chrome(req, db);
  return reply.render(<ContactsPage ctx={memberView(req, c)} chrome={c} contacts={await listCompanyPreferences(db, s.companyId)} />);
}

export async function handleSetPreferences(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['channels']);
  const s = scope(req);
  const contactId = requireId(req);
  await db.transaction().execute((trx) => setPreferences(trx, s, contactId, list(req.body, 'channels')));
  reply.flash('success', 'common.saved');
  return reply.redirect('/extranet/contacts');
}

// ——— team (company administrators) ———

async function teamPage(req: FastifyRequest, db: ExtranetDb, extra: { values?: Record<string, string>; errors?: FieldErrors } = {}): Promise<VNode> {
  const s = scope(req);
  const [team, invitations] = await Promise.all([companyTeam(db, s.companyId), pendingInvitations(db, s.companyId)]);
  const members = team.map((m) => ({ membershipId: m.membershipId, name: m.name, email: m.email, role: m.role, self: m.accountId === s.accountId }));
  return memberPage(req, db, (ctx, c) => <TeamPage ctx={ctx} chrome={c} members={members} invitations={invitations} {...extra} />);
}

export async function handleTeam(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await teamPage(req, db));
}

/** A member may send 20 invitations an hour: the extranet is no relay for unsolicited mail. */
const INVITATIONS_PER_ACCOUNT_PER_HOUR = 20;

export async function handleInviteColleague(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  allowOnly(req, ['name', 'email', 'role']);
  const s = scope(req);
  const values = { name: str(req.body, 'name', 200), email: str(req.body, 'email', 300), role: str(req.body, 'role', 20) };
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      await ctx.db.transaction().execute(async (trx) => {
        await takeToken(trx, req.ip, [{ key: `invite-account:${s.accountId}`, max: INVITATIONS_PER_ACCOUNT_PER_HOUR, windowSeconds: 3600 }]);
        await inviteMember(trx, s.actor, { companyId: s.companyId, ...values, origin: 'member_invitation' }, mail);
      });
      reply.flash('success', 'extranet.team.invited');
      return reply.redirect('/extranet/equipe');
    },
    (errors) => teamPage(req, ctx.db, { values, errors }),
  );
}

export async function handleCancelColleagueInvitation(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, []);
  const s = scope(req);
  await db.transaction().execute((trx) => revokeInvitation(trx, s.actor, requireId(req), s.companyId));
  reply.flash('success', 'extranet.team.invitation_cancelled');
  return reply.redirect('/extranet/equipe');
}

export async function handleSetColleagueRole(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['role']);
  const s = scope(req);
  await db.transaction().execute((trx) => setMembershipRole(trx, s.actor, requireId(req), str(req.body, 'role', 20), s.companyId));
  reply.flash('success', 'common.saved');
  return reply.redirect('/extranet/equipe');
}

export async function handleRemoveColleague(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, []);
  const s = scope(req);
  const membershipId = requireId(req);
  await db.transaction().execute((trx) => removeColleague(trx, s, membershipId));
  reply.flash('success', 'extranet.team.removed');
  return reply.redirect('/extranet/equipe');
}
