// Per-request work shared by every route: locale, session → actor, CSRF, flash messages,
// rendering, and the route-level permission table (deny by default).
import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderToString } from 'preact-render-to-string';
import type { VNode } from 'preact';
import type { Config } from '../../config.js';
import { assertCan, can } from '../access/index.js';
import { MEMBER_ONLY, permissionsOf } from '../access/permissions.js';
import type { Actor } from '../audit/audit.js';
import { authenticateToken } from '../auth/api-tokens.js';
import { newToken, safeEqual } from '../auth/secrets.js';
import { loadSession } from '../auth/sessions.js';
import { findUserById } from '../auth/users.js';
import type { AnyDb } from '../db/index.js';
import type { SessionRow } from '../db/tables.js';
import { AppError } from '../errors.js';
import { isLocale, type I18n } from '../i18n/index.js';
import type { NavEntry } from '../module.js';
import type { Settings } from '../settings.js';
import type { NavSection, ViewContext } from '../ui/view-context.js';
import type { FlashMessage } from './context.js';

export const SESSION_COOKIE = 'sid';
export const CSRF_COOKIE = 'csrf';
const FLASH_COOKIE = 'flash';
const LANG_COOKIE = 'lang';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function anonymousActor(req: FastifyRequest): Actor {
  return { id: null, label: 'anonyme', kind: 'anonymous', roles: [], permissions: new Set(), requestId: req.id, ip: req.ip };
}

/** Resolves the extranet member of a session row; registered by the extranet module. */
export type MemberResolver = (db: AnyDb, session: SessionRow, req: FastifyRequest) => Promise<{ actor: Actor; user: { id: number; name: string; email: string } } | undefined>;

export interface LifecycleDeps {
  config: Config;
  db: AnyDb;
  i18n: I18n;
  settings: Settings;
  nav: NavEntry[];
  memberResolver?: () => MemberResolver | undefined;
}

/** Administrators must have a second factor before acting; the demo waives it (and says so). */
export function adminSecondFactorEnforced(config: Config): boolean {
  return config.adminTotpRequired && !config.demo;
}

/** Where an administrator without a second factor may still go: to enrol one (sign-out is public). */
const ENROLMENT_ROUTES = new Set(['/compte', '/compte/double-authentification', '/compte/mot-de-passe']);

function lacksRequiredSecondFactor(config: Config, req: FastifyRequest): boolean {
  return adminSecondFactorEnforced(config) && req.actor.kind === 'staff' && !!req.user && req.user.roles.includes('admin') && !req.user.totp_enabled;
}

export function cookieOptions(config: Config, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.publicUrl.startsWith('https:'),
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

export function csrfTokenFor(secret: string, cookieValue: string): string {
  return createHmac('sha256', secret).update(`csrf:${cookieValue}`).digest('base64url');
}

/** Gives the browser a fresh CSRF cookie (at sign-in and sign-out: tokens do not outlive a session). */
export function rotateCsrf(req: FastifyRequest, reply: FastifyReply, config: Config): void {
  const value = newToken(18);
  reply.setCookie(CSRF_COOKIE, value, cookieOptions(config));
  req.csrfToken = csrfTokenFor(config.sessionSecret, value);
}

function buildNav(entries: NavEntry[], actor: Actor, path: string, t: (k: string) => string): NavSection[] {
  const sections = new Map<string, NavSection>();
  const visible = entries.filter((e) => can(actor, e.permission)).sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
  // The longest matching href is the current page (so /admin/utilisateurs/3 lights up "Utilisateurs").
  const current = visible.filter((e) => path === e.href || path.startsWith(e.href + '/') || path.startsWith(e.href + '?')).sort((a, b) => b.href.length - a.href.length)[0];
  for (const e of visible) {
    let s = sections.get(e.section);
    if (!s) sections.set(e.section, (s = { label: t(e.section), links: [] }));
    s.links.push({ label: t(e.label), href: e.href, current: e === current });
  }
  return [...sections.values()];
}

/**
 * For a multipart form without a token in a header: the request's multipart readers (`parts`,
 * `file`) refuse (403) unless the first part is the `_csrf` field with the right token, before
 * any field or file reaches the handler. A handler that never reads its body acts on nothing it
 * was sent; the state-changing work of every multipart route starts by reading its parts.
 */
function requireCsrfFirst(req: FastifyRequest): void {
  const expected = req.csrfToken;
  const check = (value: unknown) => {
    if (typeof value !== 'string' || !safeEqual(value, expected)) throw new AppError('forbidden', 'common.csrf');
  };
  const parts = req.parts.bind(req);
  req.parts = (options) => {
    const source = parts(options);
    return (async function* () {
      const first = await source.next();
      if (first.done || first.value.type !== 'field' || first.value.fieldname !== '_csrf') throw new AppError('forbidden', 'common.csrf');
      check(first.value.value);
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        yield next.value;
      }
    })();
  };
  const file = req.file.bind(req);
  req.file = async (options) => {
    const data = await file(options);
    // Fields before the file are in `fields`; the token must be one of them, and the first.
    const token = data?.fields._csrf;
    if (Object.keys(data?.fields ?? {})[0] !== '_csrf' || !token || Array.isArray(token) || token.type !== 'field') throw new AppError('forbidden', 'common.csrf');
    check(token.value);
    return data;
  };
}

export function installLifecycle(app: FastifyInstance, deps: LifecycleDeps): void {
  const { config, db, i18n, settings } = deps;
  const lifetimes = { idleSeconds: config.sessionIdleSeconds, absoluteSeconds: config.sessionAbsoluteSeconds };

  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('user', undefined);
  app.decorateRequest('locale', 'fr');
  app.decorateRequest('t', null as never);
  app.decorateRequest('sessionToken', undefined);
  app.decorateRequest('pendingUserId', undefined);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('isHtmx', false);
  app.decorateRequest('flashes', null as never);
  app.decorateRequest('view', null as never);

  app.decorateReply('render', function (this: FastifyReply, node: VNode, status = 200) {
    const html = renderToString(node);
    const full = html.startsWith('<html');
    // A page rendered consumes the flash messages it shows.
    if (full && this.request.flashes.length && !this.request.flashes.every((f) => (f as FlashMessage & { fresh?: boolean }).fresh)) {
      this.clearCookie(FLASH_COOKIE, { path: '/' });
    }
    return this.code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(full ? '<!doctype html>' + html : html);
  });

  app.decorateReply('flash', function (this: FastifyReply, kind: FlashMessage['kind'], key: string, params?: FlashMessage['params']) {
    const list = [...(this.request.flashes ?? []).filter((f) => (f as { fresh?: boolean }).fresh), { kind, key, params }];
    this.setCookie(FLASH_COOKIE, JSON.stringify(list.map(({ kind, key, params }) => ({ kind, key, params }))), { ...cookieOptions(config, 60), signed: true });
    this.request.flashes = list.map((f) => ({ ...f, fresh: true }) as FlashMessage);
    return this;
  });


  const viewFor = (req: FastifyRequest, cciName: string) => (extra: Partial<ViewContext> = {}): ViewContext => {
    const warnings: string[] = [];
    if (req.user && req.actor.kind === 'staff' && req.user.roles.includes('admin') && !req.user.totp_enabled) {
      warnings.push(req.t(config.demo ? 'app.admin_totp_waived_demo' : config.adminTotpRequired ? 'app.admin_totp_required' : 'app.admin_totp_recommended'));
    }
    return {
      t: req.t,
      locale: req.locale,
      actor: req.actor,
      user: req.user ? { id: req.user.id, name: req.user.name, email: req.user.email } : undefined,
      csrf: req.csrfToken,
      nav: req.actor.kind === 'staff' ? buildNav(deps.nav, req.actor, req.url, req.t) : [],
      // Entries for members carry a member-only permission, which no staff role holds: the staff
      // navigation never shows them, and a member sees only these.
      memberLinks: req.actor.kind === 'member' ? buildNav(deps.nav.filter((e) => MEMBER_ONLY.includes(e.permission)), req.actor, req.url, req.t).flatMap((s) => s.links) : [],
      demo: config.demo,
      cciName,
      flashes: req.flashes.filter((f) => !(f as { fresh?: boolean }).fresh),
      path: req.url,
      warnings,
      shell: req.routeOptions.config?.audience === 'member' ? 'member' : req.actor.kind === 'staff' ? 'staff' : 'public',
      ...extra,
    };
  };

  app.addHook('onRequest', async (req, reply) => {
    req.isHtmx = req.headers['hx-request'] === 'true';
    req.actor = anonymousActor(req);
    req.flashes = [];
    const langCookie = req.cookies[LANG_COOKIE];
    req.locale = isLocale(langCookie) ? langCookie : 'fr';
    req.t = i18n.translator(req.locale);
    // The settings cache answers without touching the database most of the time. When it must
    // and the database cannot be reached, the error page still has a language and a view
    // (without them the error handler itself failed: a 500 instead of the 503).
    req.view = viewFor(req, '');
    req.view = viewFor(req, await settings.get('cci.name'));

    // CSRF cookie: every browser gets one; the form token is its HMAC.
    let csrf = req.cookies[CSRF_COOKIE];
    if (!csrf || csrf.length > 64) {
      csrf = newToken(18);
      reply.setCookie(CSRF_COOKIE, csrf, cookieOptions(config));
    }
    req.csrfToken = csrfTokenFor(config.sessionSecret, csrf);

    const rawFlash = req.cookies[FLASH_COOKIE];
    if (rawFlash) {
      const un = req.unsignCookie(rawFlash);
      if (un.valid && un.value) {
        try {
          req.flashes = (JSON.parse(un.value) as FlashMessage[]).slice(0, 5);
        } catch {
          /* a mangled flash cookie is ignored */
        }
      }
    }

    if (req.url.startsWith('/api/v1')) {
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ')) {
        const identity = await authenticateToken(db, auth.slice(7).trim());
        if (identity) {
          req.user = identity.user;
          req.actor = { id: identity.user.id, label: `${identity.user.email} (API)`, kind: 'staff', roles: identity.user.roles, permissions: identity.permissions, requestId: req.id, ip: req.ip };
        }
      }
      return;
    }

    const audience = req.routeOptions.config?.audience;
    if (audience === 'member') {
      const resolver = deps.memberResolver?.();
      const token = req.cookies['msid'];
      if (resolver && token) {
        const session = await loadSession(db, token, 'member', lifetimes);
        if (session && session.second_factor_pending === 0) {
          const who = await resolver(db, session, req);
          if (who) {
            req.actor = { ...who.actor, requestId: req.id, ip: req.ip };
            req.user = who.user as never;
            req.sessionToken = token;
          }
        } else if (session) {
          req.pendingUserId = session.subject_id;
          req.sessionToken = token;
        }
      }
      if (isLocale(langCookie)) req.t = i18n.translator(req.locale);
      return;
    }

    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await loadSession(db, token, 'staff', lifetimes);
    if (!session) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    req.sessionToken = token;
    if (session.second_factor_pending) {
      req.pendingUserId = session.subject_id;
      return;
    }
    const user = await findUserById(db, session.subject_id);
    if (!user || user.status !== 'active') return;
    req.user = user;
    req.actor = { id: user.id, label: user.email, kind: 'staff', roles: user.roles, permissions: permissionsOf(user.roles), requestId: req.id, ip: req.ip };
    if (!isLocale(langCookie) && isLocale(user.locale)) {
      req.locale = user.locale;
      req.t = i18n.translator(user.locale);
    }
  });

  // PostgreSQL refuses NUL characters in text (it would be a 500) and no form means one: they
  // are removed from every query string and body before validation, for every route.
  app.addHook('preValidation', async (req) => {
    if (req.body !== undefined && !Buffer.isBuffer(req.body)) req.body = withoutNul(req.body);
    if (req.query && typeof req.query === 'object') withoutNul(req.query);
  });

  // No header built from request data may turn a response into a 500 or split it: a character
  // a header cannot carry becomes its percent-escape in a Location, and is dropped elsewhere.
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      const unsafe = name.toLowerCase() === 'location' ? UNSAFE_LOCATION_CHAR : UNSAFE_HEADER_CHAR;
      if (typeof value === 'string' && unsafe.test(value)) reply.header(name, headerSafe(name, value));
      else if (Array.isArray(value) && value.some((v) => unsafe.test(v))) reply.header(name, value.map((v) => headerSafe(name, v)));
    }
    return payload;
  });

  // CSRF and Origin on every state-changing browser request; API calls authenticate with bearer
  // tokens (never cookies), so a forged cross-site request cannot carry their credentials.
  // This and the route table run before schema validation: who may call comes before what was
  // sent, so a caller without access learns 401/403, never which fields a route expects.
  const siteOrigin = new URL(config.publicUrl).origin;
  app.addHook('preValidation', async (req) => {
    if (SAFE_METHODS.has(req.method) || req.url.startsWith('/api/')) return;
    // RFC 8058 one-click unsubscribe (declared on the route, public only): the signed token in
    // the URL authorises the request, which acts for nobody's session.
    const route = req.routeOptions.config ?? {};
    if (route.oneClick === true && route.public === true && req.method === 'POST') return;
    // Defence in depth behind the token: a browser names the page that sent the request, and a
    // page of another site may not act with this site's cookies, even with a leaked token.
    if (req.headers['sec-fetch-site'] === 'cross-site' || !originAllowed(req.headers.origin, siteOrigin, req)) throw new AppError('forbidden', 'common.cross_origin');
    const body = req.body as Record<string, unknown> | undefined;
    const sent = (req.headers['x-csrf-token'] as string | undefined) ?? (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? (req.query as Record<string, string>)?._csrf;
    // A form with files (multipart) is read by its handler, part by part, after this hook: its
    // token is then the form's first field, checked before any other part is handed over (see
    // requireCsrfFirst) — so it travels in the body, never in the URL (logs, Referer).
    if (!sent && req.isMultipart()) return requireCsrfFirst(req);
    if (!sent || !safeEqual(sent, req.csrfToken)) throw new AppError('forbidden', 'common.csrf');
  });

  // The route table: each route says who may call it; a route that says nothing is refused.
  app.addHook('preValidation', async (req, reply) => {
    const cfg = req.routeOptions.config ?? {};
    if (cfg.public || req.is404) return;
    if (cfg.audience === 'member') {
      if (req.actor.kind !== 'member') throw new AppError('unauthenticated', 'common.unauthenticated');
      if (cfg.permission) assertCan(req.actor, cfg.permission);
      return;
    }
    if (req.actor.kind === 'anonymous') throw new AppError('unauthenticated', 'common.unauthenticated');
    if (req.actor.kind === 'member') throw new AppError('forbidden', 'common.forbidden');
    // An administrator holds every permission: without the required second factor, a stolen
    // password would be all it takes. Enrolment comes first, on every page and API call, and
    // API tokens cannot be minted meanwhile.
    if (lacksRequiredSecondFactor(config, req) && !ENROLMENT_ROUTES.has(req.routeOptions.url ?? '')) {
      if (req.method === 'GET' && !req.isHtmx && !req.url.startsWith('/api/')) {
        reply.flash('info', 'app.admin_totp_enrol_first');
        return reply.redirect('/compte/double-authentification');
      }
      throw new AppError('forbidden', 'app.admin_totp_enrol_first');
    }
    if (cfg.signedIn) return;
    if (!cfg.permission) throw new AppError('forbidden', 'common.forbidden');
    assertCan(req.actor, cfg.permission);
  });
}

/** A missing Origin passes (older browsers, same-origin GET-turned-POST); a present one must be ours. */
function originAllowed(origin: string | undefined, siteOrigin: string, req: FastifyRequest): boolean {
  if (origin === undefined) return true;
  if (origin === siteOrigin) return true;
  try {
    // The address the browser used, when it is not PUBLIC_URL (a second host name, a test port).
    return origin === new URL(`${req.protocol}://${req.host}`).origin;
  } catch {
    return false;
  }
}

/** What Node refuses in a header value (it would answer 500). */
const UNSAFE_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
/** A Location is a URL: spaces, controls and letters beyond ASCII travel percent-encoded. */
const UNSAFE_LOCATION_CHAR = /[^\x21-\x7e]/;

function headerSafe(name: string, value: string): string {
  if (name.toLowerCase() !== 'location') return value.replace(new RegExp(UNSAFE_HEADER_CHAR.source, 'g'), '');
  return value.replace(/[^\x21-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''));
}

function withoutNul(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\u0000') ? v.replace(/\u0000/g, '') : v;
  if (Array.isArray(v)) return v.map(withoutNul);
  if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) (v as Record<string, unknown>)[k] = withoutNul(x);
  }
  return v;
}

// Characters a browser drops or rewrites while parsing a URL (tabs, CR/LF, other controls, line
// separators, invisible format characters), or that a header cannot carry: with any of them,
// "/<tab>/evil.example" becomes "//evil.example", a host.
const UNSAFE_IN_TARGET = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\\]/u;
const MAX_TARGET_LENGTH = 2000;

/**
 * The one gate for every redirect whose target comes from the request (`next` in a query or a
 * form, a company switch, a language switch): only a path on this site passes, anything else
 * gives `fallback`. The target is checked as sent and after each round of percent-decoding
 * (double encoding included), since browsers and proxies decode at different stages.
 */
export function safeNext(next: unknown, fallback = '/portail'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_TARGET_LENGTH) return fallback;
  // Encoded slashes or backslashes in the path: some servers and browsers decode them into a
  // second leading slash. A query or fragment may carry them (a search for "a/b").
  if (/%(2f|5c)/i.test(next.split(/[?#]/)[0])) return fallback;
  let form = next;
  for (let round = 0; ; round++) {
    if (!isSitePath(form)) return fallback;
    let decoded: string;
    try {
      decoded = decodeURIComponent(form);
    } catch {
      return fallback; // malformed escapes: no honest link has them
    }
    if (decoded === form) break;
    if (round === 3) return fallback; // still encoded after three rounds: nobody writes that in good faith
    form = decoded;
  }
  // Spaces and letters beyond ASCII are fine in a path but not in a Location header: encode them.
  return next.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** A path-absolute reference: one slash, then anything but a second slash or a backslash. */
function isSitePath(s: string): boolean {
  return s.startsWith('/') && s[1] !== '/' && !UNSAFE_IN_TARGET.test(s);
}
