#!/usr/bin/env node
// The `consulaire` command line: serve | migrate | seed | user | token (and module commands).
// Every command reads DATA_DIR and DATABASE_URL, and exits non-zero with a one-line reason.
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { MODULES } from './modules/index.js';
import { SYSTEM_ACTOR } from './platform/audit/audit.js';
import { createApiToken, revokeApiToken } from './platform/auth/api-tokens.js';
import { sendStaffLink } from './platform/auth/auth.web.js';
import { createUser, findUserByEmail } from './platform/auth/users.js';
import { openDatabase, type Database } from './platform/db/index.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { isAppError } from './platform/errors.js';
import { I18n, type Translate } from './platform/i18n/index.js';
import { Mailer } from './platform/mail/index.js';
import type { ModuleContext } from './platform/module.js';
import { DEMO_PASSWORD, DEMO_USERS, isEmptyDatabase, seedDemoUsers } from './platform/seed.js';
import { Settings } from './platform/settings.js';
import { OPS_USAGE, OpsUsageError, runOpsCommand } from './platform/ops/cli.js';
import { COMMANDS } from './commands.js';

const USAGE = `usage: consulaire <command>
  serve [--demo]                         start the portal (--demo: seed an empty database)
  migrate                                apply pending migrations
  seed [--demo]                          fill an empty database with the demo CCI
  user create --email E --name N --role R[,R] [--password P]
  user reset-password --email E          e-mail a reset link
  token create --email E --scopes a,b [--days N] [--name N]
  token revoke --id N
  routes                                 print the route table (method, path, who may call it)
${[...OPS_USAGE, ...COMMANDS.map((c) => c.usage)].map((u) => `  ${u}`).join('\n')}`;

class UsageError extends Error {}

async function open(config: Config): Promise<Database> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, reads: config.reads });
  await migrateToLatest(database.db);
  return database;
}

export function moduleContext(config: Config, database: Database): ModuleContext {
  const ctx: ModuleContext = {
    db: database.db,
    reads: database.reads,
    quickReads: database.quickReads,
    loadStats: () => ({ eventLoop: null, reads: database.readPool.stats() }),
    dialect: database.dialect,
    config,
    mailer: new Mailer(config.smtpUrl, config.mailFrom),
    settings: new Settings(database.db, config.territory ? { 'cci.territory': config.territory } : {}),
    panelsFor: (entity) => MODULES.flatMap((m) => m.panels ?? []).filter((p) => p.entity === entity),
    memberTimelineSources: () => MODULES.flatMap((m) => (m.memberTimeline ? [m.memberTimeline] : [])),
    kpis: (period) => Promise.all(MODULES.flatMap((m) => (m.kpis ? [m.kpis(ctx, period).then((kpis) => ({ module: m.name, kpis }))] : []))),
  };
  return ctx;
}

/** Demo data: platform accounts, then each module's demo content. */
async function seedDemo(config: Config, database: Database, log: (s: string) => void): Promise<boolean> {
  if (config.production) throw new Error('production mode (NODE_ENV=production) never seeds demo data');
  if (!(await isEmptyDatabase(database.db))) return false;
  await seedDemoUsers(database.db);
  const ctx = moduleContext(config, database);
  for (const m of MODULES) if (m.seedDemo) await m.seedDemo(ctx, log);
  return true;
}

function printDemoAccounts(log: (s: string) => void) {
  log('Demo accounts (password: ' + DEMO_PASSWORD + '):');
  for (const u of DEMO_USERS) log(`  ${u.role.padEnd(14)} ${u.email}`);
}

async function serve(config: Config, demo: boolean): Promise<void> {
  const started = Date.now();
  const database = await open(config);
  if (demo && !config.production) {
    const seeded = await seedDemo(config, database, (s) => console.log(s));
    if (seeded) console.log('Demo CCI created.');
  }
  const app = await buildApp({ config, database, modules: MODULES });
  if (config.runJobs) app.jobs.start();
  const address = await app.fastify.listen({ port: config.port, host: config.host });
  const url = config.publicUrl.startsWith('http://localhost') ? `http://localhost:${(app.fastify.server.address() as { port: number }).port}` : config.publicUrl;
  console.log(`Consulaire is running at ${url} (listening on ${address}, ${database.describe}, ready in ${Date.now() - started} ms)`);
  if (demo && !config.production) printDemoAccounts((s) => console.log(s));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const deadline = (config.ops?.shutdownSeconds ?? 25) * 1000;
    app.fastify.log.info(`${signal}: shutting down (requests in flight finish, jobs stop at a safe point, at most ${deadline / 1000} s)`);
    // Past the deadline the process leaves anyway: a job not at a safe point is resumed by the
    // next start (its lock goes stale), never left half-written (jobs write in transactions).
    const force = setTimeout(() => {
      app.fastify.log.error('shutdown deadline passed: exiting');
      process.exit(1);
    }, deadline + 5000);
    force.unref();
    try {
      await app.close({ jobDeadlineMs: deadline });
      await database.close();
      app.fastify.log.info('stopped');
      process.exit(0);
    } catch (e) {
      app.fastify.log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // Started by a supervisor that may die without a word (npm killed, `kill -9` of start.mjs):
  // an orphan shuts down instead of serving on unseen.
  if (process.env.CONSULAIRE_SUPERVISED === '1') {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void stop('parent gone');
    }, 500).unref();
  }
}

function need(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError(`missing --${flag}`);
  return v;
}

export async function run(argv: string[]): Promise<void> {
  const [cmd, sub] = argv;
  const { values, positionals } = parseArgs({
    args: argv.slice(cmd === 'user' || cmd === 'token' || COMMANDS.some((c) => c.name === cmd && c.sub) ? 2 : 1),
    options: {
      demo: { type: 'boolean' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      scopes: { type: 'string' },
      days: { type: 'string' },
      id: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      ...Object.fromEntries(COMMANDS.flatMap((c) => Object.entries(c.options))),
    },
    strict: true,
    allowPositionals: true,
  });
  const config = loadConfig();
  const t = new I18n(MODULES.flatMap((m) => (m.messages ? [m.messages] : []))).translator('fr');

  if (cmd === 'serve') return serve(config, Boolean(values.demo));
  if (cmd === 'backup' || cmd === 'restore') {
    try {
      await runOpsCommand({ cmd, positionals: [cmd, ...positionals], out: values.out, force: values.force }, config, (s) => console.log(s));
    } catch (e) {
      if (e instanceof OpsUsageError) throw new UsageError(e.message);
      throw e;
    }
    return;
  }
  if (cmd === 'routes') {
    const database = await open(config);
    const app = await buildApp({ config, database, modules: MODULES, logger: false });
    await app.fastify.ready();
    for (const r of [...app.routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
      console.log(`${r.method.padEnd(7)} ${r.url.padEnd(60)} ${r.access}`);
    }
    await app.close();
    await database.close();
    return;
  }

  // A module command is either `name sub` (import sirene) or `name` with one of its own options
  // (seed --establishments N); `seed --demo` stays the platform's.
  const module = COMMANDS.find((c) => c.name === cmd && (c.sub ? c.sub === sub : Object.keys(c.options).some((o) => values[o as keyof typeof values] !== undefined)));
  if (module) {
    const database = await open(config);
    try {
      await module.run(moduleContext(config, database), values as Record<string, string | boolean | undefined>);
    } finally {
      await database.close();
    }
    return;
  }

  const database = await open(config);
  try {
    if (cmd === 'migrate') {
      console.log(`Database up to date (${database.describe}).`);
    } else if (cmd === 'seed') {
      if (!values.demo) throw new UsageError('seed needs --demo (or a module option such as --establishments N)');
      const seeded = await seedDemo(config, database, (s) => console.log(s));
      console.log(seeded ? 'Demo CCI created.' : 'The database is not empty: nothing seeded.');
      if (seeded) printDemoAccounts((s) => console.log(s));
    } else if (cmd === 'user' && sub === 'create') {
      const roles = need(values.role, 'role').split(',').map((r) => r.trim());
      const u = await database.db.transaction().execute((trx) =>
        createUser(trx, SYSTEM_ACTOR, { email: need(values.email, 'email'), name: need(values.name, 'name'), roles, password: values.password }),
      );
      console.log(`User #${u.id} ${u.email} created (${u.roles.join(', ')}, ${u.status}).`);
    } else if (cmd === 'user' && sub === 'reset-password') {
      const user = await findUserByEmail(database.db, need(values.email, 'email'));
      if (!user) throw new Error(`no user with e-mail ${values.email}`);
      const ctx = moduleContext(config, database);
      await sendStaffLink({ db: database.db, config, mailer: ctx.mailer, settings: ctx.settings }, user.status === 'invited' ? 'invitation' : 'password_reset', user.id, t);
      console.log(`Reset link sent to ${user.email}${config.smtpUrl ? '' : ' (kept in the outbox: SMTP_URL is not set)'}.`);
    } else if (cmd === 'token' && sub === 'create') {
      const user = await findUserByEmail(database.db, need(values.email, 'email'));
      if (!user) throw new Error(`no user with e-mail ${values.email}`);
      const days = values.days ? Number(values.days) : 90;
      const { token, row } = await database.db.transaction().execute((trx) =>
        createApiToken(trx, SYSTEM_ACTOR, user.id, { name: values.name ?? 'command line', scopes: need(values.scopes, 'scopes').split(','), days }),
      );
      console.log(token);
      console.error(`Token #${row.id} for ${user.email}, scopes ${row.scopes}, expires ${row.expires_at}. It is shown once.`);
    } else if (cmd === 'token' && sub === 'revoke') {
      const id = Number(need(values.id, 'id'));
      if (!Number.isInteger(id)) throw new UsageError('--id must be a number');
      await database.db.transaction().execute((trx) => revokeApiToken(trx, SYSTEM_ACTOR, id));
      console.log(`Token #${id} revoked.`);
    } else {
      throw new UsageError(cmd ? `unknown command "${[cmd, sub].filter(Boolean).join(' ')}"` : 'no command given');
    }
  } finally {
    await database.close();
  }
}

function oneLine(e: unknown, t: Translate): string {
  if (isAppError(e)) {
    const fields = Object.entries(e.fields).map(([k, v]) => `${k}: ${t(v, e.params)}`);
    return fields.length ? fields.join('; ') : t(e.code, e.params);
  }
  if (e instanceof ConfigError) return `configuration error — ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

const isMain = process.argv[1] && /main\.(ts|js)$/.test(process.argv[1]);
if (isMain || process.env.CONSULAIRE_CLI === '1') {
  run(process.argv.slice(2)).catch((e: unknown) => {
    const t = new I18n(MODULES.flatMap((m) => (m.messages ? [m.messages] : []))).translator('fr');
    console.error(`consulaire: ${oneLine(e, t)}`);
    if (e instanceof UsageError) console.error(USAGE);
    process.exit(e instanceof UsageError ? 64 : 1);
  });
}
