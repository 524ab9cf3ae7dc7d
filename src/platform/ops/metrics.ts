// /metrics (Prometheus text format, prom-client) and /ready.
//
// /metrics: requests per route, method and status with their latency (a histogram), the job
// queue (depth and age of the oldest due job, by kind), the mail outbox backlog, the database
// pools (PostgreSQL main pool, read pool or SQLite read workers), plus the process figures of
// prom-client (memory, CPU, event loop lag, GC). Queue figures are read from the database when
// scraped: they are the cluster's, the same on every instance. Readable from loopback without
// a proxy in front (no X-Forwarded-For), or anywhere with `Authorization: Bearer $METRICS_TOKEN`.
//
// /ready (readiness) differs from /health (liveness): ready means this instance should receive
// traffic now — the database answers, every migration this code knows is applied, and the
// process is not shutting down. A load balancer takes an instance out while /ready says 503.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import client from 'prom-client';
import type { Config } from '../../config.js';
import { safeEqual } from '../auth/secrets.js';
import { sql, type Database } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';
import { opsConfig } from './settings.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'db', 'migrations');

function latestMigration(): string {
  const names = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .sort();
  return names[names.length - 1];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function mayReadMetrics(req: FastifyRequest, token: string | undefined): boolean {
  const auth = req.headers.authorization;
  if (token && auth?.startsWith('Bearer ')) return safeEqual(auth.slice(7).trim(), token);
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

export interface OpsRoutesDeps {
  config: Config;
  database: Database;
  /** true once the process is shutting down */
  closing: () => boolean;
}

export function registerOpsRoutes(app: FastifyInstance, deps: OpsRoutesDeps): void {
  const { database } = deps;
  const db: PlatformDb = database.db;
  const register = new client.Registry();
  client.collectDefaultMetrics({ register, prefix: 'consulaire_' });

  const duration = new client.Histogram({
    name: 'consulaire_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status, with their duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });
  app.addHook('onResponse', async (req, reply) => {
    // The route pattern, never the raw URL (ids and tokens would make a series per request).
    const route = req.routeOptions.url ?? (reply.statusCode === 404 ? 'not found' : 'unknown');
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  new client.Gauge({
    name: 'consulaire_jobs',
    help: 'Jobs by kind and status (queued includes those not yet due)',
    labelNames: ['kind', 'status'],
    registers: [register],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('jobs').select(['kind', 'status', (eb) => eb.fn.countAll<number>().as('n')]).where('status', 'in', ['queued', 'running', 'failed']).groupBy(['kind', 'status']).execute();
      for (const r of rows) this.set({ kind: r.kind, status: r.status }, Number(r.n));
    },
  });
  new client.Gauge({
    name: 'consulaire_jobs_oldest_due_seconds',
    help: 'Age of the oldest queued job that is due (0 when none waits)',
    registers: [register],
    async collect() {
      const r = await db.selectFrom('jobs').select((eb) => eb.fn.min<string>('run_at').as('at')).where('status', '=', 'queued').where('run_at', '<=', new Date().toISOString()).executeTakeFirst();
      this.set(r?.at ? Math.max(0, (Date.now() - new Date(r.at).getTime()) / 1000) : 0);
    },
  });
  new client.Gauge({
    name: 'consulaire_mail_outbox_backlog',
    help: 'Mails waiting in the outbox to be sent',
    registers: [register],
    async collect() {
      const r = await db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'queued').executeTakeFirst();
      this.set(Number(r?.n ?? 0));
    },
  });
  new client.Gauge({
    name: 'consulaire_mail_outbox_oldest_seconds',
    help: 'Age of the oldest mail waiting in the outbox',
    registers: [register],
    async collect() {
      const r = await db.selectFrom('mail_outbox').select((eb) => eb.fn.min<string>('created_at').as('at')).where('status', '=', 'queued').executeTakeFirst();
      this.set(r?.at ? Math.max(0, (Date.now() - new Date(r.at).getTime()) / 1000) : 0);
    },
  });
  new client.Gauge({
    name: 'consulaire_db_pool',
    help: 'Database connections: main pool (PostgreSQL) and read path (read pool or SQLite read workers)',
    labelNames: ['pool', 'state'],
    registers: [register],
    collect() {
      this.reset();
      const main = database.poolStats?.();
      if (main) {
        this.set({ pool: 'main', state: 'total' }, main.total);
        this.set({ pool: 'main', state: 'idle' }, main.idle);
        this.set({ pool: 'main', state: 'waiting' }, main.waiting);
      }
      const reads = database.readPool.stats();
      this.set({ pool: 'reads', state: 'size' }, reads.size);
      this.set({ pool: 'reads', state: 'busy' }, reads.busy);
      this.set({ pool: 'reads', state: 'queued' }, reads.queued);
    },
  });

  app.get('/metrics', { config: { public: true } }, async (req, reply) => {
    if (!mayReadMetrics(req, opsConfig(deps.config).metricsToken)) return reply.code(403).type('text/plain; charset=utf-8').send('metrics: loopback or Authorization: Bearer $METRICS_TOKEN\n');
    const text = await register.metrics();
    return reply.header('cache-control', 'no-store').type(register.contentType).send(text);
  });

  const latest = latestMigration();
  app.get('/ready', { config: { public: true } }, async (_req, reply) => {
    if (deps.closing()) return reply.code(503).header('cache-control', 'no-store').send({ ready: false, reason: 'shutting down' });
    try {
      const r = await sql<{ name: string }>`select max(name) as name from kysely_migration`.execute(database.db);
      const applied = r.rows[0]?.name ?? null;
      if (applied !== latest) return reply.code(503).header('cache-control', 'no-store').send({ ready: false, reason: 'migrations pending', applied, expected: latest });
      return reply.header('cache-control', 'no-store').send({ ready: true, schema: applied });
    } catch {
      return reply.code(503).header('cache-control', 'no-store').send({ ready: false, reason: 'database unreachable' });
    }
  });
}
