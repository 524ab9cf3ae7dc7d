// Builds the Fastify application from the configuration, a database and the list of modules.
// Nothing else knows which modules exist: add one to MODULES (src/modules/index.ts) and it is
// wired — routes, API, permissions, navigation, jobs, search, demo data.
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import qs from 'node:querystring';
import { constants as zlib } from 'node:zlib';
import type { Config } from './config.js';
import { registerAuthRoutes } from './platform/auth/auth.web.js';
import type { Database } from './platform/db/index.js';
import { EventLoopWatch } from './platform/db/load-stats.js';
import { registerAssetRoutes } from './platform/http/assets.js';
import { errorHandler, renderError } from './platform/http/errors.js';
import './platform/http/context.js';
import { installLifecycle, type MemberResolver } from './platform/http/lifecycle.js';
import { registerPortalRoutes } from './platform/http/portal.web.js';
import { I18n } from './platform/i18n/index.js';
import { JobRunner, type JobHandler } from './platform/jobs/index.js';
import { Mailer } from './platform/mail/index.js';
import type { ConsulaireModule, ModuleContext } from './platform/module.js';
import { SETTINGS_CHANNEL, Settings } from './platform/settings.js';
import { opsJobs, opsSchedules } from './platform/ops/jobs.js';
import { registerOpsRoutes } from './platform/ops/metrics.js';
import { listenForInvalidation } from './platform/ops/invalidation.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppOptions {
  config: Config;
  database: Database;
  modules: readonly ConsulaireModule[];
  /** false: no logs (tests); a stream: logs written there (tests that read them) */
  logger?: boolean | { write(line: string): void };
}

/** One row of the route table: who may call what (shown to admins, checked by a test). */
export interface RouteInfo {
  method: string;
  url: string;
  access: string;
}

export interface App {
  fastify: FastifyInstance;
  routes: RouteInfo[];
  ctx: ModuleContext;
  jobs: JobRunner;
  i18n: I18n;
  modules: readonly ConsulaireModule[];
  /**
   * Graceful stop: stops accepting connections and answers new requests on open ones 503, lets
   * requests in flight finish, and asks running jobs to reach a safe point (waiting for them at
   * most `jobDeadlineMs`, default: as long as they take). The database is the caller's to close.
   */
  close(opts?: { jobDeadlineMs?: number }): Promise<void>;
}

/** Hides long random tokens (reset links, calendar feeds) from logged URLs. */
function redactUrl(url: string): string {
  return url.replace(/[A-Za-z0-9_-]{24,}/g, '…');
}

export async function buildApp(opts: AppOptions): Promise<App> {
  const { config, database, modules } = opts;
  const db = database.db;
  const overrides = config.territory ? { 'cci.territory': config.territory } : {};
  const settings = new Settings(db, overrides);
  // Several instances on one PostgreSQL: a settings write on one drops the cache of all.
  const invalidation = database.dialect === 'postgres' && config.databaseUrl ? listenForInvalidation(config.databaseUrl, { [SETTINGS_CHANNEL]: (key) => settings.forget(key) }) : undefined;
  const mailer = new Mailer(config.smtpUrl, config.mailFrom);
  const panels = modules.flatMap((m) => m.panels ?? []).sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
  const eventLoop = new EventLoopWatch().start();
  const ctx: ModuleContext = {
    db,
    reads: database.reads,
    quickReads: database.quickReads,
    loadStats: () => ({ eventLoop: eventLoop.snapshot(), reads: database.readPool.stats() }),
    dialect: database.dialect,
    config,
    mailer,
    settings,
    panelsFor: (entity) => panels.filter((p) => p.entity === entity),
    kpis: (period) => Promise.all(modules.flatMap((m) => (m.kpis ? [m.kpis(ctx, period).then((kpis) => ({ module: m.name, kpis }))] : []))),
    memberTimelineSources: () => modules.flatMap((m) => (m.memberTimeline ? [m.memberTimeline] : [])),
  };
  const i18n = new I18n(modules.flatMap((m) => (m.messages ? [m.messages] : [])));

  const fastify = Fastify({
    logger:
      opts.logger === false
        ? false
        : {
            level: config.logLevel,
            ...(typeof opts.logger === 'object' ? { stream: opts.logger } : {}),
            serializers: {
              // Only what helps: never headers (cookies, tokens), and URLs without secrets.
              req: (r: { method: string; url: string; ip?: string }) => ({ method: r.method, url: redactUrl(r.url), ip: r.ip }),
            },
          },
    genReqId: () => randomUUID().slice(0, 13),
    trustProxy: config.production,
    bodyLimit: 2 * 1024 * 1024,
    // A form may repeat a field (checkboxes); keep every value.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // HTML, JSON, CSV above 1 KB leave compressed (brotli at a quality cheap enough per request,
  // or gzip); fingerprinted assets come precompressed (platform/http/assets.ts).
  await fastify.register(compress, {
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } },
    customTypes: /^(text\/(html|csv|plain|css|javascript|calendar)|application\/(json|javascript|xml|problem\+json)|image\/svg)/,
  });
  await fastify.register(cookie, { secret: config.sessionSecret });
  await fastify.register(formbody, { parser: (body) => qs.parse(body) as Record<string, unknown> });
  await fastify.register(multipart, { limits: { fileSize: 50 * 1024 * 1024, files: 5, fields: 50 } });
  await fastify.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:', ...(process.env.MAP_TILES_ORIGIN ? [process.env.MAP_TILES_ORIGIN] : [])],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
    strictTransportSecurity: config.publicUrl.startsWith('https:') ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });

  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Consulaire API', version: '1', description: 'API of the Consulaire platform. Authenticate with a personal token: `Authorization: Bearer csl_…`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Only the JSON API belongs to the OpenAPI document.
    transform: ({ schema, url }) => (url.startsWith('/api/v1') ? { schema, url } : { schema: { ...(schema ?? {}), hide: true } as never, url }),
  });
  await fastify.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: false, uiConfig: { deepLinking: false } });

  // Static files and the plugin routes above are public; application routes must declare access.
  const routes: RouteInfo[] = [];
  fastify.addHook('onRoute', (route) => {
    if (route.url.startsWith('/static') || route.url.startsWith('/api/docs')) route.config = { ...(route.config ?? {}), public: true };
    const c = (route.config ?? {}) as { public?: boolean; signedIn?: boolean; permission?: string; audience?: string };
    const access = c.public ? 'public' : c.audience === 'member' ? `member${c.permission ? ` + ${c.permission}` : ''}` : c.permission ? c.permission : c.signedIn ? 'signed in' : 'UNDECLARED';
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, access });
  });
  // Plain /static/… URLs keep working, briefly cached; pages use asset() (fingerprinted, immutable).
  await fastify.register(fastifyStatic, { root: path.join(ROOT, 'public'), prefix: '/static/', maxAge: config.production ? 300_000 : 0 });
  registerAssetRoutes(fastify);
  fastify.get('/api/openapi.json', { config: { public: true } }, async () => fastify.swagger());

  let memberResolver: MemberResolver | undefined;
  fastify.decorate('setMemberResolver', (r: MemberResolver) => {
    memberResolver = r;
  });
  installLifecycle(fastify, { config, db, i18n, settings, nav: modules.flatMap((m) => m.nav ?? []), memberResolver: () => memberResolver });
  // Modules that watch responses (usage statistics) see every one, 404s included; a failing
  // observer is logged and never touches the response.
  const observers = modules.flatMap((m) => (m.onResponse ? [m.onResponse(ctx)] : []));
  if (observers.length) {
    fastify.addHook('onResponse', (req, reply, done) => {
      for (const o of observers) {
        try {
          o.observe(req, reply);
        } catch (err) {
          req.log.error({ err }, 'response observer failed');
        }
      }
      done();
    });
  }
  fastify.setErrorHandler(errorHandler);
  fastify.setNotFoundHandler((req, reply) => renderError(req, reply, 404, 'common.not_found'));

  registerAuthRoutes(fastify, { db, config, mailer, settings });
  registerPortalRoutes(fastify, modules, ctx);
  let closing = false;
  registerOpsRoutes(fastify, { config, database, closing: () => closing });
  for (const m of modules) if (m.web) await m.web(fastify, ctx);
  await fastify.register(
    async (api) => {
      for (const m of modules) if (m.api) await m.api(api, ctx);
    },
    { prefix: '/api/v1' },
  );

  const handlers: Record<string, JobHandler> = { 'mail.send': mailer.sendJob, ...opsJobs(config, database) };
  for (const m of modules) Object.assign(handlers, m.jobs ?? {});
  const jobs = new JobRunner(db, handlers, [...modules.flatMap((m) => m.schedules ?? []), ...opsSchedules(config)], fastify.log);

  return {
    fastify,
    routes,
    ctx,
    jobs,
    i18n,
    modules,
    async close(closeOpts = {}) {
      closing = true;
      eventLoop.stop();
      // Node closes the connections idle when the server closes; a keep-alive connection whose
      // request was in flight then (a proxy's, a browser's) would hold the close until its
      // keep-alive timeout: it is closed as soon as its response is sent.
      const sweep = setInterval(() => fastify.server.closeIdleConnections?.(), 50);
      try {
        await Promise.all([jobs.stop(closeOpts.jobDeadlineMs), fastify.close()]);
      } finally {
        clearInterval(sweep);
      }
      for (const o of observers) await o.close?.();
      mailer.close();
      await invalidation?.close();
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the extranet module tells the platform how to turn a member session into an actor */
    setMemberResolver(r: MemberResolver): void;
  }
}
