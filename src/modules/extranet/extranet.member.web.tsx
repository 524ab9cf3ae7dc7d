// Member-side routes of the extranet (/extranet/…): sign-in and account pages, then the pages
// of the member's current company. Every page below sign-in declares `audience: 'member'`; every
// query goes through a service that filters on the scope's company.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { record, type Actor } from '../../platform/audit/audit.js';
import { createSession, destroySession, completeSecondFactor } from '../../platform/auth/sessions.js';
import { acceptTotpOnce, newTotpSecret, totpQrSvg } from '../../platform/auth/totp.js';
import { sha256 } from '../../platform/auth/secrets.js';
import type { AnyDb } from '../../platform/db/index.js';
import { AppError, isAppError, notFound } from '../../platform/errors.js';
import { idParam, list, raw, str } from '../../platform/http/forms.js';
import { cookieOptions, rotateCsrf, safeNext, type MemberResolver } from '../../platform/http/lifecycle.js';
import type { ModuleContext } from '../../platform/module.js';
import { ForgotPage, NewPasswordPage, TotpStepPage } from '../../platform/auth/views.js';
import { findCompany } from '../registry/index.js';
import { getPublishedFor, listDocumentsFor, listPublishedFor, type Kind } from '../content/index.js';
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
  peekInvitation,
  peekReset,
  peekSignup,
  pendingSignupsOf,
  requestReset,
  requestSignup,
  resetPassword,
  revokeInvitation,
  revokeMembership,
  setMembershipRole,
  signInMember,
  x,
  type MailDeps,
} from './accounts.service.js';
import { listCompanyPreferences, setPreferences } from './consent.service.js';
import { countPendingCorrections, currentValues, getMemberCorrection, listCompanyCorrections, proposeCorrection, CORRECTION_FORM_FIELDS } from './corrections.service.js';
import { addMemberMessage, closeMemberRequest, createRequest, getMemberAttachment, getMemberRequest, listCompanyRequests, requestLimitNotice } from './requests.service.js';
import { formatDateTime } from './views/format.js';
import { scopeOf, type MemberScope } from './scope.js';
import { companyTimeline } from './timeline.service.js';
import { allowOnly, readForm } from './web-helpers.js';
import { takeToken } from './extranet.rate.js';
import type { ExtranetTables } from './extranet.table.js';
import {
  CompanyPage,
  ContactsPage,
  CorrectionFormPage,
  CorrectionPage,
  HomePage,
  LinkPasswordPage,
  MemberAccountPage,
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
import { DocumentsPage, EventsPage, ItemPage, NewsListPage } from './views/content.js';

export const MEMBER_COOKIE = 'msid';
const member = { config: { audience: 'member' as const } };
const memberUse = { config: { audience: 'member' as const, permission: 'member:use' as const } };
const memberAdmin = { config: { audience: 'member' as const, permission: 'member:admin' as const } };

/** Turns a member session into an actor: active account, active memberships, current company. */
export function memberResolver(): MemberResolver {
  return async (db, session) => {
    const account = await x(db).selectFrom('member_accounts').select(['id', 'email', 'name', 'status']).where('id', '=', session.subject_id).executeTakeFirst();
    if (!account || account.status !== 'active') return undefined;
    const memberships = await x(db).selectFrom('member_memberships').select(['company_id', 'role']).where('account_id', '=', account.id).where('status', '=', 'active').orderBy('id').execute();
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

export function memberWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db, config } = ctx;
  const lifetimes = { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds };

  const mail = async (req: FastifyRequest): Promise<MailDeps> => ({ mailer: ctx.mailer, publicUrl: config.publicUrl, cciName: await ctx.settings.get('cci.name'), t: req.t });
  const scope = (req: FastifyRequest): MemberScope => scopeOf(req.actor, req.user as unknown as { id: number; name: string; email: string } | undefined);
  const chrome = async (req: FastifyRequest): Promise<MemberChrome> => {
    const memberships = req.user ? await listMemberships(db, req.user.id) : [];
    return { memberships, current: req.actor.memberOf?.current, isAdmin: req.actor.permissions.has('member:admin') };
  };
  const view = (req: FastifyRequest, c: MemberChrome) => {
    const base = req.view();
    return { ...base, nav: memberNav(base, c, req.url) };
  };
  const id = (req: FastifyRequest, name = 'id'): number => {
    const v = idParam((req.params as Record<string, string>)[name]);
    if (v === undefined) throw notFound();
    return v;
  };
  const actorFor = (req: FastifyRequest, email: string): Actor => ({ ...req.actor, label: `membre:${email}` });

  async function startSession(req: FastifyRequest, reply: FastifyReply, accountId: number, pending: 0 | 1) {
    if (req.sessionToken) await destroySession(db, req.sessionToken);
    const existing = req.cookies[MEMBER_COOKIE];
    if (existing) await destroySession(db, existing);
    const { token } = await createSession(db, 'member', accountId, lifetimes, { ip: req.ip, userAgent: req.headers['user-agent'], secondFactorPending: pending });
    reply.setCookie(MEMBER_COOKIE, token, cookieOptions(config));
    rotateCsrf(req, reply, config);
    return token;
  }

  // ——— sign-in, sign-out ———

  // The member audience (so a member session, or a pending TOTP step, is read) but open to
  // anyone: the pages before sign-in.
  const memberOpen = { config: { audience: 'member' as const, public: true } };

  app.get('/extranet/connexion', memberOpen, async (req, reply) => {
    if (req.actor.kind === 'member') return reply.redirect('/extranet');
    const next = safeNext((req.query as Record<string, string>).next, '');
    return reply.render(<MemberSignInPage ctx={req.view({ shell: 'member' })} next={next.startsWith('/extranet') ? next : undefined} />);
  });

  app.post('/extranet/connexion', memberOpen, async (req, reply) => {
    const email = str(req.body, 'email', 300);
    const password = raw(req.body, 'password');
    const nextRaw = safeNext(str(req.body, 'next'), '/extranet');
    const next = nextRaw.startsWith('/extranet') ? nextRaw : '/extranet';
    try {
      if (!email || !password) throw new AppError('unauthenticated', 'auth.bad_credentials');
      const account = await signInMember(db, email, password, req.ip);
      await startSession(req, reply, account.id, account.totp_enabled ? 1 : 0);
      if (account.totp_enabled) return reply.redirect(`/extranet/connexion/code?next=${encodeURIComponent(next)}`);
      await record(db, actorFor(req, account.email), { entity: 'member_account', entityId: account.id, action: 'sign_in', changes: {} });
      return reply.redirect(next);
    } catch (e) {
      if (!isAppError(e) || (e.kind !== 'unauthenticated' && e.kind !== 'rate_limited')) throw e;
      return reply.render(<MemberSignInPage ctx={req.view({ shell: 'member' })} email={email} next={next} errors={{ _form: req.t(e.code, e.params) }} />, e.kind === 'rate_limited' ? 429 : 401);
    }
  });

  app.get('/extranet/connexion/code', memberOpen, async (req, reply) => {
    if (!req.pendingUserId) return reply.redirect('/extranet/connexion');
    return reply.render(<TotpStepPage ctx={req.view({ shell: 'member' })} action="/extranet/connexion/code" next={safeNext((req.query as Record<string, string>).next, '/extranet')} />);
  });

  app.post('/extranet/connexion/code', memberOpen, async (req, reply) => {
    if (!req.pendingUserId || !req.sessionToken) return reply.redirect('/extranet/connexion');
    const account = await getAccount(db, req.pendingUserId);
    const nextRaw = safeNext(str(req.body, 'next'), '/extranet');
    const next = nextRaw.startsWith('/extranet') ? nextRaw : '/extranet';
    const key = `totp:${account.email}`;
    const page = (errors: Record<string, string>, status: number) => reply.render(<TotpStepPage ctx={req.view({ shell: 'member' })} action="/extranet/connexion/code" next={next} errors={errors} />, status);
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
    const token = await startSession(req, reply, account.id, 0);
    await destroySession(db, pendingToken);
    await completeSecondFactor(db, token);
    await record(db, actorFor(req, account.email), { entity: 'member_account', entityId: account.id, action: 'sign_in', changes: { second_factor: ['', 'totp'] } });
    return reply.redirect(next);
  });

  app.post('/extranet/deconnexion', memberOpen, async (req, reply) => {
    const token = req.cookies[MEMBER_COOKIE];
    if (token) await destroySession(db, token);
    reply.clearCookie(MEMBER_COOKIE, { path: '/' });
    rotateCsrf(req, reply, config);
    reply.flash('info', 'auth.signed_out');
    return reply.redirect('/extranet/connexion');
  });

  // ——— password reset ———

  app.get('/extranet/mot-de-passe-oublie', memberOpen, async (req, reply) => reply.render(<ForgotPage ctx={req.view({ shell: 'member' })} action="/extranet/mot-de-passe-oublie" />));

  app.post('/extranet/mot-de-passe-oublie', memberOpen, async (req, reply) => {
    const email = str(req.body, 'email', 300);
    if (!email) return reply.render(<ForgotPage ctx={req.view({ shell: 'member' })} action="/extranet/mot-de-passe-oublie" errors={{ email: 'field.required' }} />, 422);
    await db.transaction().execute(async (trx) => requestReset(trx, req.ip, email, await mail(req)));
    return reply.render(<ForgotPage ctx={req.view({ shell: 'member' })} sent />);
  });

  app.get('/extranet/mot-de-passe/:token', memberOpen, async (req, reply) => {
    const { token } = req.params as { token: string };
    const link = await peekReset(db, token);
    return reply.render(<NewPasswordPage ctx={req.view({ shell: 'member' })} title={req.t('auth.reset_title')} action={`/extranet/mot-de-passe/${token}`} invalidLink={!link} />, link ? 200 : 410);
  });

  app.post('/extranet/mot-de-passe/:token', memberOpen, async (req, reply) => {
    const { token } = req.params as { token: string };
    try {
      await db.transaction().execute((trx) => resetPassword(trx, req.actor, token, raw(req.body, 'password', 300), raw(req.body, 'confirm', 300)));
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) {
        const gone = e.kind === 'conflict';
        return reply.render(<NewPasswordPage ctx={req.view({ shell: 'member' })} title={req.t('auth.reset_title')} action={`/extranet/mot-de-passe/${token}`} invalidLink={gone} errors={e.fields} />, gone ? 410 : 422);
      }
      throw e;
    }
    reply.flash('success', 'auth.reset_done');
    return reply.redirect('/extranet/connexion');
  });

  // ——— invitation ———

  app.get('/extranet/invitation/:token', memberOpen, async (req, reply) => {
    const { token } = req.params as { token: string };
    const inv = await peekInvitation(db, token);
    return reply.render(
      <LinkPasswordPage ctx={req.view({ shell: 'member' })} title={req.t('extranet.invitation.title')} intro={inv ? req.t('extranet.invitation.intro', { company: inv.companyName, email: inv.email }) : undefined} action={`/extranet/invitation/${token}`} hasAccount={inv?.hasAccount ?? false} invalidLink={!inv} />,
      inv ? 200 : 410,
    );
  });

  app.post('/extranet/invitation/:token', memberOpen, async (req, reply) => {
    const { token } = req.params as { token: string };
    const inv = await peekInvitation(db, token);
    try {
      await db.transaction().execute((trx) => acceptInvitation(trx, req.actor, token, raw(req.body, 'password', 300), raw(req.body, 'confirm', 300)));
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) {
        const gone = e.kind === 'conflict';
        return reply.render(
          <LinkPasswordPage ctx={req.view({ shell: 'member' })} title={req.t('extranet.invitation.title')} action={`/extranet/invitation/${token}`} hasAccount={inv?.hasAccount ?? false} invalidLink={gone} errors={e.fields} />,
          gone ? 410 : 422,
        );
      }
      throw e;
    }
    reply.flash('success', 'extranet.invitation.done');
    return reply.redirect('/extranet/connexion');
  });

  // ——— sign-up with a SIRET ———

  app.get('/extranet/inscription', memberOpen, async (req, reply) => reply.render(<SignupPage ctx={req.view({ shell: 'member' })} />));

  app.post('/extranet/inscription', memberOpen, async (req, reply) => {
    const values = { siret: str(req.body, 'siret', 30), name: str(req.body, 'name', 200), email: str(req.body, 'email', 300) };
    try {
      await db.transaction().execute(async (trx) => requestSignup(trx, req.actor, req.ip, values, await mail(req)));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<SignupPage ctx={req.view({ shell: 'member' })} values={values} errors={e.fields} />, 422);
      throw e;
    }
    // Same page whatever the address and the SIRET: nothing is revealed.
    return reply.render(<SignupPage ctx={req.view({ shell: 'member' })} sent />);
  });

  app.get('/extranet/inscription/:token', memberOpen, async (req, reply) => {
    const { token } = req.params as { token: string };
    const s = await peekSignup(db, token);
    return reply.render(
      <LinkPasswordPage ctx={req.view({ shell: 'member' })} title={req.t('extranet.signup.confirm_title')} intro={s ? req.t('extranet.signup.confirm_intro', { siret: s.signup.siret }) : undefined} action={`/extranet/inscription/${token}`} hasAccount={s?.hasAccount ?? false} invalidLink={!s} />,
      s ? 200 : 410,
    );
  });

  app.post('/extranet/inscription/:token', memberOpen, async (req, reply) => {
    const { token } = req.params as { token: string };
    const s = await peekSignup(db, token);
    try {
      await db.transaction().execute((trx) => confirmSignup(trx, req.actor, token, raw(req.body, 'password', 300), raw(req.body, 'confirm', 300)));
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) {
        const gone = e.kind === 'conflict';
        return reply.render(
          <LinkPasswordPage ctx={req.view({ shell: 'member' })} title={req.t('extranet.signup.confirm_title')} action={`/extranet/inscription/${token}`} hasAccount={s?.hasAccount ?? false} invalidLink={gone} errors={e.fields} />,
          gone ? 410 : 422,
        );
      }
      throw e;
    }
    reply.flash('success', 'extranet.signup.confirmed');
    return reply.redirect('/extranet/connexion');
  });

  // ——— home, company switch ———

  app.get('/extranet', member, async (req, reply) => {
    const c = await chrome(req);
    if (!c.current) {
      return reply.render(<HomePage ctx={view(req, c)} chrome={c} timeline={[]} signups={await pendingSignupsOf(db, req.user!.id)} />);
    }
    const s = scope(req);
    const d = db as Kysely<ExtranetTables>;
    const [timeline, open, waiting, pendingCorrections, news] = await Promise.all([
      companyTimeline(db, s.companyId, { perPage: 10 }).then((p) => p.items),
      d.selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('company_id', '=', s.companyId).where('status', '!=', 'closed').executeTakeFirstOrThrow(),
      d.selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('company_id', '=', s.companyId).where('status', '=', 'waiting_member').executeTakeFirstOrThrow(),
      countPendingCorrections(db, s.companyId),
      listPublishedFor(db, 'extranet', { kind: 'news', limit: 3 }),
    ]);
    return reply.render(<HomePage ctx={view(req, c)} chrome={c} timeline={timeline} signups={[]} counts={{ openRequests: Number(open.n), waiting: Number(waiting.n), pendingCorrections }} news={news.items} />);
  });

  app.post('/extranet/entreprise-courante', member, async (req, reply) => {
    allowOnly(req, ['company_id', 'next']);
    const companyId = idParam(str(req.body, 'company_id', 12));
    // Only a company the member belongs to: any other id is "not found".
    if (companyId === undefined || !req.actor.memberOf?.companyIds.includes(companyId)) throw notFound();
    const token = req.cookies[MEMBER_COOKIE]!;
    await x(db).updateTable('sessions').set({ data: JSON.stringify({ company: companyId }) }).where('id', '=', sha256(token)).execute();
    await record(db, req.actor, { entity: 'member_account', entityId: req.user!.id, action: 'switch_company', changes: { company: [req.actor.memberOf?.current ?? null, companyId] } });
    const next = safeNext(str(req.body, 'next'), '/extranet');
    // Pages of a record of the previous company would be "not found" now: go to the section.
    const section = next.match(/^\/extranet(\/[a-z-]+)?/)?.[0] ?? '/extranet';
    return reply.redirect(section === '/extranet/entreprise-courante' ? '/extranet' : section);
  });

  // ——— account ———

  const accountPage = async (req: FastifyRequest, reply: FastifyReply, errors?: Record<string, string>, status = 200) => {
    const c = await chrome(req);
    const account = await getAccount(db, req.user!.id);
    return reply.render(<MemberAccountPage ctx={view(req, c)} chrome={c} account={account} errors={errors} />, status);
  };

  app.get('/extranet/compte', member, async (req, reply) => accountPage(req, reply));

  app.post('/extranet/compte/mot-de-passe', member, async (req, reply) => {
    allowOnly(req, ['current', 'password', 'confirm']);
    try {
      await db.transaction().execute(async (trx) => {
        await changePassword(trx, req.actor, req.user!.id, raw(req.body, 'current', 300), raw(req.body, 'password', 300), raw(req.body, 'confirm', 300));
        // Other sessions end: a stolen session does not survive a password change.
        const mine = sha256(req.cookies[MEMBER_COOKIE] ?? '');
        await x(trx).deleteFrom('sessions').where('audience', '=', 'member').where('subject_id', '=', req.user!.id).where('id', '!=', mine).execute();
      });
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return accountPage(req, reply, e.fields, 422);
      throw e;
    }
    reply.flash('success', 'auth.password_changed');
    return reply.redirect('/extranet/compte');
  });

  app.get('/extranet/compte/double-authentification', member, async (req, reply) => {
    const c = await chrome(req);
    const secret = newTotpSecret();
    const cci = await ctx.settings.get('cci.name');
    return reply.render(<MemberTotpEnrolPage ctx={view(req, c)} chrome={c} secret={secret} qrSvg={await totpQrSvg(secret, req.user!.email, `Extranet ${cci}`)} />);
  });

  app.post('/extranet/compte/double-authentification', member, async (req, reply) => {
    allowOnly(req, ['secret', 'code']);
    const secret = str(req.body, 'secret', 64);
    if (!/^[A-Z2-7]{32}$/.test(secret)) throw new AppError('invalid', 'common.invalid');
    try {
      await enableMemberTotp(db, req.actor, req.user!.id, secret, str(req.body, 'code', 20));
    } catch (e) {
      if (!isAppError(e) || e.kind !== 'invalid') throw e;
      const c = await chrome(req);
      const cci = await ctx.settings.get('cci.name');
      return reply.render(<MemberTotpEnrolPage ctx={view(req, c)} chrome={c} secret={secret} qrSvg={await totpQrSvg(secret, req.user!.email, `Extranet ${cci}`)} errors={e.fields} />, 422);
    }
    reply.flash('success', 'auth.totp_enabled');
    return reply.redirect('/extranet/compte');
  });

  app.post('/extranet/compte/double-authentification/desactiver', member, async (req, reply) => {
    allowOnly(req, ['current']);
    try {
      await disableMemberTotp(db, req.actor, req.user!.id, raw(req.body, 'current', 300));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return accountPage(req, reply, e.fields, 422);
      throw e;
    }
    reply.flash('success', 'auth.totp_disabled');
    return reply.redirect('/extranet/compte');
  });

  // ——— Mon entreprise ———

  app.get('/extranet/mon-entreprise', memberUse, async (req, reply) => {
    const s = scope(req);
    const c = await chrome(req);
    const company = await findCompany(db, s.companyId);
    if (!company) throw notFound();
    const [values, corrections] = await Promise.all([currentValues(db, s.companyId), listCompanyCorrections(db, s.companyId)]);
    return reply.render(<CompanyPage ctx={view(req, c)} chrome={c} company={company} values={values} corrections={corrections} />);
  });

  app.get('/extranet/mon-entreprise/corriger', memberUse, async (req, reply) => {
    const s = scope(req);
    const c = await chrome(req);
    const values = await currentValues(db, s.companyId);
    return reply.render(<CorrectionFormPage ctx={view(req, c)} chrome={c} values={values as unknown as Record<string, string | null>} />);
  });

  app.post('/extranet/mon-entreprise/corrections', memberUse, async (req, reply) => {
    allowOnly(req, CORRECTION_FORM_FIELDS);
    const s = scope(req);
    const body = Object.fromEntries(CORRECTION_FORM_FIELDS.filter((f) => (req.body as Record<string, unknown>)?.[f] !== undefined).map((f) => [f, str(req.body, f, 5000)]));
    try {
      const newId = await db.transaction().execute((trx) => proposeCorrection(trx, s, body));
      reply.flash('success', 'extranet.correction.sent');
      return reply.redirect(`/extranet/mon-entreprise/corrections/${newId}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') {
        const c = await chrome(req);
        return reply.render(<CorrectionFormPage ctx={view(req, c)} chrome={c} values={body} errors={e.fields} />, 422);
      }
      throw e;
    }
  });

  app.get('/extranet/mon-entreprise/corrections/:id', memberUse, async (req, reply) => {
    const s = scope(req);
    const c = await chrome(req);
    return reply.render(<CorrectionPage ctx={view(req, c)} chrome={c} req={await getMemberCorrection(db, s, id(req))} />);
  });

  // ——— Mes demandes ———

  app.get('/extranet/demandes', memberUse, async (req, reply) => {
    const s = scope(req);
    const c = await chrome(req);
    return reply.render(<RequestsPage ctx={view(req, c)} chrome={c} requests={await listCompanyRequests(db, s.companyId)} />);
  });

  // The form says when a limit is near or reached: which one and until when.
  const limitNotice = async (req: FastifyRequest, s: MemberScope): Promise<RequestLimitNotice | undefined> => {
    const n = await requestLimitNotice(db, s);
    return n && { ...n, params: { ...n.params, until: formatDateTime(n.params.until, req.locale) } };
  };

  app.get('/extranet/demandes/nouvelle', memberUse, async (req, reply) => {
    const c = await chrome(req);
    const limit = await limitNotice(req, scope(req));
    return reply.render(<RequestFormPage ctx={view(req, c)} chrome={c} values={{ category: (req.query as Record<string, string>).categorie ?? '' }} limit={limit} />);
  });

  app.post('/extranet/demandes', memberUse, async (req, reply) => {
    const s = scope(req);
    const form = await readForm(req, ['category', 'subject', 'body']);
    const values = { category: form.fields.category ?? '', subject: form.fields.subject ?? '', body: form.fields.body ?? '' };
    const again = async (errors: Record<string, string>, status: number) => {
      const c = await chrome(req);
      return reply.render(<RequestFormPage ctx={view(req, c)} chrome={c} values={values} errors={errors} />, status);
    };
    if (form.fileError) return again({ attachments: form.fileError }, 422);
    try {
      const m = await mail(req);
      const newId = await db.transaction().execute((trx) => createRequest(trx, s, req.ip, values, form.files, m));
      reply.flash('success', 'extranet.requests.sent');
      return reply.redirect(`/extranet/demandes/${newId}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return again(e.fields, 422);
      // A limit reached: the form again, the text kept, saying which limit and until when.
      if (isAppError(e) && e.kind === 'rate_limited') {
        const c = await chrome(req);
        const limit = { code: e.code, params: { ...e.params, until: formatDateTime(String(e.params.until), req.locale) }, blocked: true };
        return reply.render(<RequestFormPage ctx={view(req, c)} chrome={c} values={values} limit={limit} />, 429);
      }
      throw e;
    }
  });

  app.get('/extranet/demandes/:id', memberUse, async (req, reply) => {
    const s = scope(req);
    const c = await chrome(req);
    return reply.render(<RequestThreadPage ctx={view(req, c)} chrome={c} thread={await getMemberRequest(db, s, id(req))} />);
  });

  app.post('/extranet/demandes/:id/messages', memberUse, async (req, reply) => {
    const s = scope(req);
    const requestId = id(req);
    // Check the scope before reading any upload: another company's id is refused at once.
    await getMemberRequest(db, s, requestId);
    const form = await readForm(req, ['body']);
    const again = async (errors: Record<string, string>, status: number) => {
      const c = await chrome(req);
      return reply.render(<RequestThreadPage ctx={view(req, c)} chrome={c} thread={await getMemberRequest(db, s, requestId)} body={form.fields.body} errors={errors} />, status);
    };
    if (form.fileError) return again({ attachments: form.fileError }, 422);
    try {
      const m = await mail(req);
      await db.transaction().execute((trx) => addMemberMessage(trx, s, req.ip, requestId, form.fields.body ?? '', form.files, m));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return again(e.fields, 422);
      throw e;
    }
    reply.flash('success', 'extranet.thread.sent');
    return reply.redirect(`/extranet/demandes/${requestId}`);
  });

  app.post('/extranet/demandes/:id/cloturer', memberUse, async (req, reply) => {
    allowOnly(req, []);
    const s = scope(req);
    const requestId = id(req);
    await db.transaction().execute((trx) => closeMemberRequest(trx, s, requestId));
    reply.flash('success', 'extranet.requests.closed');
    return reply.redirect(`/extranet/demandes/${requestId}`);
  });

  app.get('/extranet/pieces-jointes/:id', memberUse, async (req, reply) => {
    const f = await getMemberAttachment(db, scope(req), id(req));
    return sendFile(reply, f);
  });

  // ——— Suivi des affaires ———

  app.get('/extranet/suivi', memberUse, async (req, reply) => {
    const s = scope(req);
    // ?page=: a positive whole number, else no such page; past the end, the last page.
    const asked = (req.query as Record<string, unknown>).page;
    const page = asked === undefined ? 1 : idParam(asked);
    if (page === undefined || page < 1) throw notFound();
    const c = await chrome(req);
    const tl = await companyTimeline(db, s.companyId, { page });
    if (tl.page !== page) return reply.redirect(`/extranet/suivi?page=${tl.page}`);
    return reply.render(<TimelinePage ctx={view(req, c)} chrome={c} items={tl.items} total={tl.total} page={tl.page} perPage={tl.perPage} />);
  });

  // ——— what the CCI published for members (content module, audience 'extranet') ———

  const PER_PAGE = 10;
  const pageOf = (req: FastifyRequest): number => {
    const n = idParam((req.query as Record<string, string>).page);
    // A page far past the end is an empty page, not an error; the cap keeps OFFSET sane.
    return n === undefined || n < 1 ? 1 : Math.min(n, 10_000);
  };
  // `/extranet/actualites/<id>-<slug>` (the slug is for people; the id decides). An item of
  // another kind, of another audience only, a draft or an unknown id: the same 404.
  const published = async (req: FastifyRequest, kind: Kind) => {
    const ref = /^(\d{1,9})(?:-[^/]*)?$/.exec((req.params as { ref: string }).ref);
    const itemId = ref ? idParam(ref[1]) : undefined;
    const item = itemId === undefined ? undefined : await getPublishedFor(db, 'extranet', itemId);
    if (!item || item.kind !== kind) throw notFound();
    return item;
  };

  app.get('/extranet/actualites', memberUse, async (req, reply) => {
    const page = pageOf(req);
    const c = await chrome(req);
    const { items, total } = await listPublishedFor(db, 'extranet', { kind: 'news', limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    return reply.render(<NewsListPage ctx={view(req, c)} chrome={c} items={items} total={total} page={page} perPage={PER_PAGE} query={req.query as Record<string, string>} />);
  });

  app.get('/extranet/actualites/:ref', memberUse, async (req, reply) => {
    const item = await published(req, 'news');
    const c = await chrome(req);
    return reply.render(<ItemPage ctx={view(req, c)} chrome={c} item={item} />);
  });

  app.get('/extranet/evenements', memberUse, async (req, reply) => {
    const page = pageOf(req);
    const c = await chrome(req);
    const { items, total } = await listPublishedFor(db, 'extranet', { kind: 'event', upcoming: true, limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    return reply.render(<EventsPage ctx={view(req, c)} chrome={c} items={items} total={total} page={page} perPage={PER_PAGE} query={req.query as Record<string, string>} />);
  });

  app.get('/extranet/evenements/:ref', memberUse, async (req, reply) => {
    const item = await published(req, 'event');
    const c = await chrome(req);
    return reply.render(<ItemPage ctx={view(req, c)} chrome={c} item={item} />);
  });

  app.get('/extranet/documents', memberUse, async (req, reply) => {
    const c = await chrome(req);
    return reply.render(<DocumentsPage ctx={view(req, c)} chrome={c} docs={await listDocumentsFor(db, 'extranet')} />);
  });

  // ——— contacts' consent ———

  app.get('/extranet/contacts', memberUse, async (req, reply) => {
    const s = scope(req);
    const c = await chrome(req);
    return reply.render(<ContactsPage ctx={view(req, c)} chrome={c} contacts={await listCompanyPreferences(db, s.companyId)} />);
  });

  app.post('/extranet/contacts/:id/preferences', memberUse, async (req, reply) => {
    allowOnly(req, ['channels']);
    const s = scope(req);
    const contactId = id(req);
    await db.transaction().execute((trx) => setPreferences(trx, s, contactId, list(req.body, 'channels')));
    reply.flash('success', 'common.saved');
    return reply.redirect('/extranet/contacts');
  });

  // ——— team (company administrators) ———

  const teamPage = async (req: FastifyRequest, reply: FastifyReply, extra: { values?: Record<string, string>; errors?: Record<string, string> } = {}, status = 200) => {
    const s = scope(req);
    const c = await chrome(req);
    const rows = await x(db)
      .selectFrom('member_memberships as m')
      .innerJoin('member_accounts as a', 'a.id', 'm.account_id')
      .select(['m.id', 'm.role', 'a.id as account_id', 'a.name', 'a.email'])
      .where('m.company_id', '=', s.companyId)
      .where('m.status', '=', 'active')
      .orderBy('a.name')
      .execute();
    const invitations = await x(db).selectFrom('member_invitations').select(['id', 'email', 'name', 'role', 'created_at']).where('company_id', '=', s.companyId).where('status', '=', 'pending').orderBy('created_at', 'desc').execute();
    return reply.render(
      <TeamPage ctx={view(req, c)} chrome={c} members={rows.map((r) => ({ membershipId: r.id, name: r.name, email: r.email, role: r.role, self: r.account_id === s.accountId }))} invitations={invitations} {...extra} />,
      status,
    );
  };

  app.get('/extranet/equipe', memberAdmin, async (req, reply) => teamPage(req, reply));

  app.post('/extranet/equipe/invitations', memberAdmin, async (req, reply) => {
    allowOnly(req, ['name', 'email', 'role']);
    const s = scope(req);
    const values = { name: str(req.body, 'name', 200), email: str(req.body, 'email', 300), role: str(req.body, 'role', 20) };
    try {
      const m = await mail(req);
      await db.transaction().execute(async (trx) => {
        await takeInviteToken(trx, req.ip, s.accountId);
        await inviteMember(trx, s.actor, { companyId: s.companyId, ...values, origin: 'member_invitation' }, m);
      });
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return teamPage(req, reply, { values, errors: e.fields }, 422);
      throw e;
    }
    reply.flash('success', 'extranet.team.invited');
    return reply.redirect('/extranet/equipe');
  });

  app.post('/extranet/equipe/invitations/:id/annuler', memberAdmin, async (req, reply) => {
    allowOnly(req, []);
    const s = scope(req);
    await db.transaction().execute((trx) => revokeInvitation(trx, s.actor, id(req), s.companyId));
    reply.flash('success', 'extranet.team.invitation_cancelled');
    return reply.redirect('/extranet/equipe');
  });

  app.post('/extranet/equipe/:id/role', memberAdmin, async (req, reply) => {
    allowOnly(req, ['role']);
    const s = scope(req);
    await db.transaction().execute((trx) => setMembershipRole(trx, s.actor, id(req), str(req.body, 'role', 20), s.companyId));
    reply.flash('success', 'common.saved');
    return reply.redirect('/extranet/equipe');
  });

  app.post('/extranet/equipe/:id/retirer', memberAdmin, async (req, reply) => {
    allowOnly(req, []);
    const s = scope(req);
    const membershipId = id(req);
    const own = await x(db).selectFrom('member_memberships').select('id').where('id', '=', membershipId).where('account_id', '=', s.accountId).executeTakeFirst();
    if (own) throw new AppError('conflict', 'extranet.team.cannot_remove_self');
    await db.transaction().execute((trx) => revokeMembership(trx, s.actor, membershipId, s.companyId));
    reply.flash('success', 'extranet.team.removed');
    return reply.redirect('/extranet/equipe');
  });
}

/** A member may send 20 invitations an hour: the extranet is no relay for unsolicited mail. */
async function takeInviteToken(db: AnyDb, ip: string, accountId: number) {
  await takeToken(db, ip, [{ key: `invite-account:${accountId}`, max: 20, windowSeconds: 3600 }]);
}

/** Sends a stored attachment as a download, never rendered inline (no stored XSS via a PDF/SVG). */
export function sendFile(reply: FastifyReply, f: { fileName: string; contentType: string; data: Buffer }) {
  const ascii = f.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .header('content-type', f.contentType)
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.fileName)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(f.data);
}
