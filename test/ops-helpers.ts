// Real server processes for the fault tests (#20): start `src/main.ts serve` from sources in a
// child process on a test database, wait until it is ready, talk to it over HTTP like a browser
// (cookies kept, CSRF token sent with forms), kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { csrfTokenFor } from '../src/platform/http/lifecycle.js';
import type { TestDatabase } from './helpers.js';

export const ROOT = path.resolve(__dirname, '..');
export const OPS_SECRET = 'ops-fault-secret-ops-fault-secret-42';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function until(what: string, test: () => Promise<boolean> | boolean, ms = 60_000, every = 100): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  /** everything the server wrote (pino lines at LOG_LEVEL) */
  output(): string;
  exited: Promise<number | null>;
}

/** Starts the server from sources on `tdb` and resolves once /ready answers 200. */
export async function startServer(tdb: Pick<TestDatabase, 'dataDir' | 'url'>, env: Record<string, string> = {}, port?: number): Promise<ServerProcess> {
  const p = port ?? (await freePort());
  const full: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: tdb.dataDir, PORT: String(p), SESSION_SECRET: OPS_SECRET, CONSULAIRE_DEMO: '0', LOG_LEVEL: 'warn', NODE_ENV: 'development', ...env };
  if (tdb.url) full.DATABASE_URL = tdb.url;
  else delete full.DATABASE_URL;
  delete full.SMTP_URL;
  if (env.SMTP_URL) full.SMTP_URL = env.SMTP_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], { cwd: ROOT, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${p}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await until(
    'the server to be ready',
    async () => {
      if (gone) throw new Error(`the server exited before it was ready:\n${out.slice(-3000)}`);
      return (await fetch(`${base}/ready`).catch(() => undefined))?.status === 200;
    },
    90_000,
  );
  return { child, base, output: () => out, exited };
}

/** A browser over fetch: cookies kept, the CSRF token added to every form. */
export class Browser {
  cookies = new Map<string, string>();
  constructor(public base: string) {}

  async request(method: string, url: string, form?: Record<string, string>, signal?: AbortSignal): Promise<{ status: number; body: string; location?: string; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (form) {
      const p = new URLSearchParams(form);
      p.append('_csrf', csrfTokenFor(OPS_SECRET, this.cookies.get('csrf') ?? ''));
      body = p.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.base + url, { method, headers, body, redirect: 'manual', signal });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const v = pair.slice(i + 1);
      if (v === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), v);
    }
    return { status: res.status, body: await res.text(), location: res.headers.get('location') ?? undefined, headers: res.headers };
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.request('GET', '/connexion');
    const r = await this.request('POST', '/connexion', { email, password });
    if (r.status !== 302 && r.status !== 303) throw new Error(`sign-in of ${email} answered ${r.status}`);
  }
}
