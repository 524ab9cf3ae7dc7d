// Test harness: a freshly migrated database per test file (SQLite in a temp folder, or a
// throwaway PostgreSQL database when TEST_DATABASE_URL is set), the app built on it, and an
// agent that keeps cookies and sends the CSRF token like a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { MODULES } from '../src/modules/index.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { createUser, type User } from '../src/platform/auth/users.js';
import { openDatabase, type AnyDb, type Database } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { csrfTokenFor } from '../src/platform/http/lifecycle.js';
import type { ConsulaireModule } from '../src/platform/module.js';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-42';
export const PASSWORD = 'correct horse battery staple';
export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

export interface TestDatabase extends Database {
  dataDir: string;
  url?: string;
  drop(): Promise<void>;
}

/** A new empty, migrated database for one test file. */
export async function testDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulaire-test-'));
  let url: string | undefined;
  const admin = process.env.TEST_DATABASE_URL;
  let name = '';
  if (admin) {
    name = `consulaire_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const database = openDatabase({ databaseUrl: url, dataDir, poolSize: 5 });
  await migrateToLatest(database.db);
  return {
    ...database,
    dataDir,
    url,
    async drop() {
      await database.close();
      if (admin) {
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: App;
  db: AnyDb;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function createTestApp(opts: { env?: Record<string, string>; modules?: readonly ConsulaireModule[]; config?: Partial<Config>; logStream?: { write(line: string): void } } = {}): Promise<TestApp> {
  useFastHashingForTests();
  const database = await testDatabase();
  const config = loadConfig(
    { DATA_DIR: database.dataDir, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', CONSULAIRE_DEMO: '0', ...opts.env } as NodeJS.ProcessEnv,
    { databaseUrl: database.url, ...opts.config },
  );
  const app = await buildApp({ config, database, modules: opts.modules ?? MODULES, logger: opts.logStream ?? false });
  await app.fastify.ready();
  return {
    app,
    db: database.db,
    config,
    database,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

let seq = 0;
export async function makeUser(db: AnyDb, roles: string[], overrides: { email?: string; name?: string; password?: string } = {}): Promise<User> {
  seq++;
  return createUser(db, SYSTEM_ACTOR, {
    email: overrides.email ?? `user${seq}-${roles.join('-')}@test.cci.fr`,
    name: overrides.name ?? `Test ${roles.join(' ')} ${seq}`,
    roles,
    password: overrides.password ?? PASSWORD,
  });
}

export interface Res {
  status: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
  json<T = any>(): T;
}

/** A browser-like client over app.inject: cookies kept, CSRF token added to every POST. */
export class Agent {
  cookies = new Map<string, string>();
  constructor(private readonly t: TestApp) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(setCookie: string | string[] | undefined) {
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a) || /max-age=0\b/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get csrf(): string {
    const c = this.cookies.get('csrf');
    return c ? csrfTokenFor(this.t.config.sessionSecret, c) : '';
  }

  async request(method: string, url: string, opts: { form?: Record<string, string | string[]>; headers?: Record<string, string>; payload?: unknown; noCsrf?: boolean } = {}): Promise<Res> {
    if (!this.cookies.has('csrf') && method !== 'GET') await this.get('/connexion');
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    let payload: string | undefined;
    if (opts.form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.form)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
      if (!opts.noCsrf && !('_csrf' in opts.form)) p.append('_csrf', this.csrf);
      payload = p.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (opts.payload !== undefined) {
      payload = JSON.stringify(opts.payload);
      headers['content-type'] = 'application/json';
      if (!opts.noCsrf) headers['x-csrf-token'] = this.csrf;
    } else if (method !== 'GET' && !opts.noCsrf) {
      headers['x-csrf-token'] = this.csrf;
    }
    const res = await this.t.app.fastify.inject({ method: method as 'GET', url, headers, payload });
    this.keep(res.headers['set-cookie'] as string | string[] | undefined);
    return { status: res.statusCode, body: res.body, headers: res.headers, json: () => JSON.parse(res.body) };
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, { headers });
  }
  post(url: string, form: Record<string, string | string[]> = {}, opts: { noCsrf?: boolean; headers?: Record<string, string> } = {}) {
    return this.request('POST', url, { form, ...opts });
  }

  /** Signs in through the real form; returns the response of the POST. */
  async signIn(email: string, password = PASSWORD): Promise<Res> {
    await this.get('/connexion');
    return this.post('/connexion', { email, password });
  }
}

export function agent(t: TestApp): Agent {
  return new Agent(t);
}

/** Calls the JSON API with a bearer token. */
export async function api(t: TestApp, method: string, url: string, token?: string, payload?: unknown): Promise<Res> {
  const res = await t.app.fastify.inject({
    method: method as 'GET',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    payload: payload === undefined ? undefined : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.body, headers: res.headers, json: () => JSON.parse(res.body) };
}

/** Counts rows of a table (to prove a refused request changed nothing). */
export async function count(db: AnyDb, table: string, where?: [string, unknown]): Promise<number> {
  let q = db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  if (where) q = q.where(where[0], '=', where[1]);
  return Number(((await q.executeTakeFirstOrThrow()) as { n: number }).n);
}
