// Staff sign-in, sign-out, password reset, invitations, second factor, account, language.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { API_SCOPES, permissionsOf, type ApiScope } from '../access/permissions.js';
import { record } from '../audit/audit.js';
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import { AppError, isAppError } from '../errors.js';
import { raw, str, list, int, idParam } from '../http/forms.js';
import { adminSecondFactorEnforced, cookieOptions, rotateCsrf, safeNext, SESSION_COOKIE } from '../http/lifecycle.js';
import { isLocale } from '../i18n/index.js';
import type { Mailer } from '../mail/index.js';
import type { Settings } from '../settings.js';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.js';
import { consumeLink, createLink, peekLink } from './links.js';
import { verifyPassword } from './password.js';
import { completeSecondFactor, createSession, destroySession, destroySessionsOf } from './sessions.js';
import { assertNotLocked, noteAttempt, signInWithPassword } from './sign-in.js';
import { acceptTotpOnce, disableTotp, enableTotp, newTotpSecret, totpQrSvg } from './totp.js';
import { findUserByEmail, getUser, setLocale, setPassword } from './users.js';
import { AccountPage, ForgotPage, NewPasswordPage, SignInPage, TotpEnrolPage, TotpStepPage } from './views.js';

export interface AuthDeps {
  db: AnyDb;
  config: Config;
  mailer: Mailer;
  settings: Settings;
}

const RESET_SECONDS = 3600;
const LANG_SECONDS = 365 * 86400;
export const INVITATION_SECONDS = 7 * 24 * 3600;

/** Sends a password-reset (or invitation) link; the caller never tells whether the address exists. */
export async function sendStaffLink(deps: AuthDeps, purpose: 'password_reset' | 'invitation', userId: number, t: (k: string, p?: Record<string, string | number>) => string, inviter?: string): Promise<void> {
  const user = await getUser(deps.db, userId);
  const token = await createLink(deps.db, purpose, 'staff', user.id, user.email, purpose === 'invitation' ? INVITATION_SECONDS : RESET_SECONDS);
  const path = purpose === 'invitation' ? `/invitation/${token}` : `/mot-de-passe/${token}`;
  const cci = await deps.settings.get('cci.name');
  const key = purpose === 'invitation' ? 'invite' : 'reset';
  await deps.mailer.queue(deps.db, {
    to: user.email,
    subject: t(`mail.${key}.subject`),
    text: t(`mail.${key}.body`, { name: user.name, link: deps.config.publicUrl + path, cci, inviter: inviter ?? cci }),
  });
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): void {
  const { db, config } = deps;
  const lifetimes = { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds };
  const pub = { config: { public: true } };
  const signedIn = { config: { signedIn: true } };

  async function startSession(req: FastifyRequest, reply: FastifyReply, userId: number, pending: 0 | 1) {
    // Rotation: whatever session the browser had is dropped, and the CSRF cookie renewed.
    if (req.sessionToken) await destroySession(db, req.sessionToken);
    const { token } = await createSession(db, 'staff', userId, lifetimes, { ip: req.ip, userAgent: req.headers['user-agent'], secondFactorPending: pending });
    reply.setCookie(SESSION_COOKIE, token, cookieOptions(config));
    rotateCsrf(req, reply, config);
  }

  app.get('/connexion', pub, async (req, reply) => {
    if (req.user) return reply.redirect('/portail');
    const next = safeNext((req.query as Record<string, string>).next, '');
    return reply.render(<SignInPage ctx={req.view()} next={next || undefined} />);
  });

  app.post('/connexion', pub, async (req, reply) => {
    const email = str(req.body, 'email', 300);
    const password = raw(req.body, 'password');
    const next = safeNext(str(req.body, 'next'));
    try {
      if (!email || !password) throw new AppError('unauthenticated', 'auth.bad_credentials');
      const { user } = await signInWithPassword(db, email, password, req.ip);
      await startSession(req, reply, user.id, user.totp_enabled ? 1 : 0);
      if (user.totp_enabled) return reply.redirect(`/connexion/code?next=${encodeURIComponent(next)}`);
      await record(db, { ...req.actor, id: user.id, label: user.email }, { entity: 'user', entityId: user.id, action: 'sign_in', changes: {} });
      if (!req.cookies.lang && isLocale(user.locale)) reply.setCookie('lang', user.locale, cookieOptions(config, LANG_SECONDS));
      return reply.redirect(next);
    } catch (e) {
      if (!isAppError(e) || (e.kind !== 'unauthenticated' && e.kind !== 'rate_limited')) throw e;
      const status = e.kind === 'rate_limited' ? 429 : 401;
      return reply.render(<SignInPage ctx={req.view()} email={email} next={next} errors={{ _form: req.t(e.code, e.params) }} />, status);
    }
  });

  app.get('/connexion/code', pub, async (req, reply) => {
    if (!req.pendingUserId) return reply.redirect('/connexion');
    return reply.render(<TotpStepPage ctx={req.view()} next={safeNext((req.query as Record<string, string>).next)} />);
  });

  app.post('/connexion/code', pub, async (req, reply) => {
    if (!req.pendingUserId || !req.sessionToken) return reply.redirect('/connexion');
    const user = await getUser(db, req.pendingUserId);
    const next = safeNext(str(req.body, 'next'));
    // The code is a second password: it counts toward the same lockout.
    const attemptsKey = `totp:${user.email}`;
    try {
      await assertNotLocked(db, attemptsKey, req.ip, 'staff');
    } catch (e) {
      if (isAppError(e)) return reply.render(<TotpStepPage ctx={req.view()} next={next} errors={{ _form: req.t(e.code, e.params) }} />, 429);
      throw e;
    }
    const who = { ...req.actor, id: user.id, label: user.email };
    const outcome = user.totp_secret ? await acceptTotpOnce(db, who, { table: 'users', entity: 'user', id: user.id }, user.totp_secret, str(req.body, 'code', 20)) : 'wrong';
    if (outcome !== 'accepted') {
      await noteAttempt(db, attemptsKey, req.ip, 'staff', false);
      return reply.render(<TotpStepPage ctx={req.view()} next={next} errors={{ code: 'auth.totp_wrong' }} />, 401);
    }
    await noteAttempt(db, attemptsKey, req.ip, 'staff', true);
    // A new session id once fully signed in, as at any privilege change.
    await startSession(req, reply, user.id, 0);
    await completeSecondFactor(db, req.sessionToken);
    await record(db, who, { entity: 'user', entityId: user.id, action: 'sign_in', changes: { second_factor: ['', 'totp'] } });
    return reply.redirect(next);
  });

  app.post('/deconnexion', pub, async (req, reply) => {
    if (req.sessionToken) await destroySession(db, req.sessionToken);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    rotateCsrf(req, reply, config);
    // What this browser keeps for the user (offline visit drafts: localStorage, the CRM's service
    // worker) goes with the session. Browsers honour this header on https and localhost only, so
    // app.js also clears the drafts when the form is sent, and tells how many it cleared.
    reply.header('clear-site-data', '"storage"');
    const cleared = Math.min(int(req.body, 'drafts_cleared') ?? 0, 10_000);
    if (cleared > 0) reply.flash('info', 'auth.signed_out_drafts_cleared', { n: cleared });
    else reply.flash('info', 'auth.signed_out');
    return reply.redirect('/connexion');
  });

  app.get('/mot-de-passe-oublie', pub, async (req, reply) => reply.render(<ForgotPage ctx={req.view()} />));

  app.post('/mot-de-passe-oublie', pub, async (req, reply) => {
    const email = str(req.body, 'email', 300);
    if (!email) return reply.render(<ForgotPage ctx={req.view()} errors={{ email: 'field.required' }} />, 422);
    await limitResetRequests(db, req.ip, email);
    const user = await findUserByEmail(db, email);
    if (user && user.status === 'active') await sendStaffLink(deps, 'password_reset', user.id, req.t);
    // Same answer whether the address exists or not.
    return reply.render(<ForgotPage ctx={req.view()} sent />);
  });

  for (const [prefix, purpose, titleKey, doneKey] of [
    ['/mot-de-passe', 'password_reset', 'auth.reset_title', 'auth.reset_done'],
    ['/invitation', 'invitation', 'auth.invitation_title', 'auth.invitation_done'],
  ] as const) {
    app.get(`${prefix}/:token`, pub, async (req, reply) => {
      const { token } = req.params as { token: string };
      const link = await peekLink(db, purpose, token);
      return reply.render(<NewPasswordPage ctx={req.view()} title={req.t(titleKey)} action={`${prefix}/${token}`} invalidLink={!link} />, link ? 200 : 410);
    });
    app.post(`${prefix}/:token`, pub, async (req, reply) => {
      const { token } = req.params as { token: string };
      const link = await peekLink(db, purpose, token);
      const page = (errors?: Record<string, string>, status = 422) =>
        reply.render(<NewPasswordPage ctx={req.view()} title={req.t(titleKey)} action={`${prefix}/${token}`} invalidLink={!link} errors={errors} />, link ? status : 410);
      if (!link) return page();
      const password = raw(req.body, 'password', 300);
      if (password !== raw(req.body, 'confirm', 300)) return page({ confirm: 'auth.password_mismatch' });
      const user = await getUser(db, link.subjectId);
      if (user.email !== link.email) return page(); // the address changed since: the link is void
      try {
        await db.transaction().execute(async (trx) => {
          if (!(await consumeLink(trx, link.id))) throw new AppError('conflict', 'auth.link_invalid');
          await setPassword(trx, { ...req.actor, label: user.email }, user.id, password, { activate: purpose === 'invitation' });
          await destroySessionsOf(trx, 'staff', user.id);
        });
      } catch (e) {
        if (isAppError(e) && e.kind === 'invalid') return page(e.fields);
        throw e;
      }
      reply.flash('success', doneKey);
      return reply.redirect('/connexion');
    });
  }

  app.get('/lang/:locale', pub, async (req, reply) => {
    const { locale } = req.params as { locale: string };
    if (!isLocale(locale)) throw new AppError('not_found', 'common.not_found');
    reply.setCookie('lang', locale, cookieOptions(config, LANG_SECONDS));
    if (req.user && req.actor.kind === 'staff') await setLocale(db, req.user.id, locale);
    return reply.redirect(safeNext((req.query as Record<string, string>).next, '/'));
  });

  // ——— account ———
  const ownScopes = (roles: string[]) => {
    const mine = permissionsOf(roles);
    return (Object.keys(API_SCOPES) as ApiScope[]).filter((s) => API_SCOPES[s].every((p) => mine.has(p)));
  };
  const accountPage = async (req: FastifyRequest, reply: FastifyReply, extra: { errors?: Record<string, string>; newToken?: string } = {}, status = 200) => {
    const user = await getUser(db, req.user!.id);
    const tokens = await listApiTokens(db, user.id);
    return reply.render(
      <AccountPage ctx={req.view()} user={user} tokens={tokens} scopes={ownScopes(user.roles)} totpRequired={user.roles.includes('admin') && adminSecondFactorEnforced(config)} {...extra} />,
      status,
    );
  };

  app.get('/compte', signedIn, async (req, reply) => accountPage(req, reply));

  app.post('/compte/mot-de-passe', signedIn, async (req, reply) => {
    const user = await getUser(db, req.user!.id);
    const password = raw(req.body, 'password', 300);
    if (!(await verifyPassword(user.password_hash, raw(req.body, 'current', 300)))) return accountPage(req, reply, { errors: { current: 'auth.current_password_wrong' } }, 422);
    if (password !== raw(req.body, 'confirm', 300)) return accountPage(req, reply, { errors: { confirm: 'auth.password_mismatch' } }, 422);
    try {
      await db.transaction().execute(async (trx) => {
        await setPassword(trx, req.actor, user.id, password);
        await destroySessionsOf(trx, 'staff', user.id, req.sessionToken);
      });
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return accountPage(req, reply, { errors: e.fields }, 422);
      throw e;
    }
    reply.flash('success', 'auth.password_changed');
    return reply.redirect('/compte');
  });

  app.get('/compte/double-authentification', signedIn, async (req, reply) => {
    const secret = newTotpSecret();
    const cci = await deps.settings.get('cci.name');
    return reply.render(<TotpEnrolPage ctx={req.view()} secret={secret} qrSvg={await totpQrSvg(secret, req.user!.email, `Consulaire ${cci}`)} />);
  });

  app.post('/compte/double-authentification', signedIn, async (req, reply) => {
    const secret = str(req.body, 'secret', 64);
    if (!/^[A-Z2-7]{32}$/.test(secret)) throw new AppError('invalid', 'common.invalid');
    try {
      await enableTotp(db, req.actor, req.user!.id, secret, str(req.body, 'code', 20));
    } catch (e) {
      if (!isAppError(e) || e.kind !== 'invalid') throw e;
      const cci = await deps.settings.get('cci.name');
      return reply.render(<TotpEnrolPage ctx={req.view()} secret={secret} qrSvg={await totpQrSvg(secret, req.user!.email, `Consulaire ${cci}`)} errors={e.fields} />, 422);
    }
    reply.flash('success', 'auth.totp_enabled');
    return reply.redirect('/compte');
  });

  app.post('/compte/double-authentification/desactiver', signedIn, async (req, reply) => {
    if (req.user!.roles.includes('admin') && adminSecondFactorEnforced(config)) throw new AppError('forbidden', 'auth.totp_required_for_role');
    await disableTotp(db, req.actor, req.user!.id);
    reply.flash('success', 'auth.totp_disabled');
    return reply.redirect('/compte');
  });

  app.post('/compte/jetons', { config: { permission: 'api:tokens' } }, async (req, reply) => {
    try {
      const { token } = await db.transaction().execute((trx) =>
        createApiToken(trx, req.actor, req.user!.id, { name: str(req.body, 'name', 200), scopes: list(req.body, 'scopes'), days: int(req.body, 'days') ?? 90 }),
      );
      return accountPage(req, reply, { newToken: token });
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return accountPage(req, reply, { errors: e.fields }, 422);
      throw e;
    }
  });

  app.post('/compte/jetons/:id/revoquer', { config: { permission: 'api:tokens' } }, async (req, reply) => {
    const id = idParam((req.params as { id: string }).id);
    if (id === undefined) throw new AppError('not_found', 'common.not_found');
    await db.transaction().execute((trx) => revokeApiToken(trx, req.actor, id, req.user!.id));
    reply.flash('success', 'admin.token_revoked_done');
    return reply.redirect('/compte#tokens');
  });
}

// ——— reset requests ———

/** At most 5 reset e-mails per address and 20 per IP an hour: no mail bombing through us. */
async function limitResetRequests(db: AnyDb, ip: string, email: string) {
  const since = new Date(Date.now() - 3600_000).toISOString();
  const d: PlatformDb = db;
  const key = `reset:${email.toLowerCase()}`;
  const [byMail, byIp] = await Promise.all([
    d.selectFrom('sign_in_attempts').select((eb) => eb.fn.countAll().as('n')).where('email', '=', key).where('at', '>', since).executeTakeFirstOrThrow(),
    d.selectFrom('sign_in_attempts').select((eb) => eb.fn.countAll().as('n')).where('ip', '=', ip).where('email', 'like', 'reset:%').where('at', '>', since).executeTakeFirstOrThrow(),
  ]);
  if (Number(byMail.n) >= 5 || Number(byIp.n) >= 20) throw new AppError('rate_limited', 'common.rate_limited');
  await d.insertInto('sign_in_attempts').values({ at: nowIso(), ip, email: key, audience: 'staff', success: 1 }).execute();
}
