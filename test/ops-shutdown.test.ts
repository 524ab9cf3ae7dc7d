// Graceful shutdown (#20): `npm start` (scripts/start.mjs) passes SIGTERM on to the server and
// exits with it, and stops the server when its own parent dies (npm's `sh -c` passes no signal
// on); in process, close() lets a request in flight finish and puts a job interrupted at a safe
// point back in the queue without counting the attempt.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createUser } from '../src/platform/auth/users.js';
import { enqueue, getJob } from '../src/platform/jobs/index.js';
import type { ConsulaireModule } from '../src/platform/module.js';
import { createTestApp, testDatabase, type TestApp, type TestDatabase } from './helpers.js';

const ROOT = path.resolve(__dirname, '..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** `sh -c "node scripts/start.mjs"` like npm runs it; resolves the pids of the shell, start.mjs and the server. */
async function startLikeNpm(tdb: TestDatabase, port: number): Promise<{ sh: ChildProcess; startPid: number; serverPid: number; port: number; exited: Promise<number | null> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: tdb.dataDir, PORT: String(port), LOG_LEVEL: 'info', CONSULAIRE_FROM_SOURCE: '1', SESSION_SECRET: 'x'.repeat(40), NODE_ENV: 'development' };
  if (tdb.url) env.DATABASE_URL = tdb.url;
  else delete env.DATABASE_URL;
  // `echo $$` then exec-less child: the shell stays the parent of start.mjs, as under npm.
  const sh = spawn('sh', ['-c', 'node scripts/start.mjs; echo "start.mjs exit $?"'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  sh.stdout!.on('data', (d) => (out += d));
  sh.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => sh.on('exit', (c) => r(c)));
  await until('the server to answer', async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
    } catch {
      return false;
    }
  });
  const serverPid = Number(/"pid":(\d+)/.exec(out)?.[1]);
  const { execFileSync } = await import('node:child_process');
  const startPid = Number(execFileSync('pgrep', ['-P', String(sh.pid), '-f', 'scripts/start.mjs']).toString().trim().split('\n')[0]);
  expect(serverPid).toBeGreaterThan(0);
  expect(startPid).toBeGreaterThan(0);
  return { sh, startPid, serverPid, port, exited, get out() { return out; } } as never;
}

describe('npm start and signals (real processes)', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await testDatabase();
    // Not empty: the demo seed is skipped, the start is quick.
    await createUser(tdb.db, SYSTEM_ACTOR, { email: 'ops@test.cci.fr', name: 'Ops', roles: ['admin'], password: 'a long ops password' });
  });
  afterAll(async () => {
    await tdb.drop();
  });

  it('SIGTERM to start.mjs stops the server gracefully; start.mjs exits with its code', async () => {
    const p = await startLikeNpm(tdb, await freePort());
    process.kill(p.startPid, 'SIGTERM');
    await until('both processes to end', () => !alive(p.startPid) && !alive(p.serverPid), 30_000);
    await p.exited;
    const out = (p as unknown as { out: string }).out;
    expect(out).toContain('SIGTERM: shutting down');
    expect(out).toContain('"msg":"stopped"');
    expect(out).toContain('start.mjs exit 0');
  }, 90_000);

  it('when npm (its parent) dies, start.mjs stops the server and leaves', async () => {
    const p = await startLikeNpm(tdb, await freePort());
    // What killing `npm start` does: the shell above start.mjs goes, without passing a signal on.
    process.kill(p.sh.pid!, 'SIGKILL');
    await until('both processes to end', () => !alive(p.startPid) && !alive(p.serverPid), 30_000);
    await expect(fetch(`http://127.0.0.1:${p.port}/health`)).rejects.toThrow();
  }, 90_000);
});

describe('graceful close in process', () => {
  let t: TestApp;
  let release: () => void = () => {};
  const seen: number[] = [];
  const slowModule: ConsulaireModule = {
    name: 'opsslow',
    web: async (app) => {
      app.get('/ops-test/slow', { config: { public: true } }, async () => {
        await new Promise<void>((r) => (release = r));
        return { done: true };
      });
    },
    jobs: {
      // Counts steps; at shutdown it stops between two steps and says it is unfinished.
      'opsslow.steps': async (_payload: unknown, ctx) => {
        for (let i = 0; i < 1000; i++) {
          if (ctx.signal?.aborted) return { interrupted: true };
          seen.push(i);
          await new Promise((r) => setTimeout(r, 10));
        }
        return { steps: 1000 };
      },
    },
  };

  beforeAll(async () => {
    t = await createTestApp({ modules: [slowModule] });
  });
  afterAll(async () => {
    await t.database.drop();
  });

  it('lets the request in flight finish, refuses new connections, and requeues the interrupted job', async () => {
    await t.app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.fastify.server.address() as { port: number }).port;
    const id = (await enqueue(t.db, 'opsslow.steps', {}))!;
    t.app.jobs.start(50);
    await until('the job to start', () => seen.length > 3, 10_000);
    const inFlight = fetch(`http://127.0.0.1:${port}/ops-test/slow`);
    await new Promise((r) => setTimeout(r, 200));
    const closing = t.app.close({ jobDeadlineMs: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    const job = await getJob(t.db, id);
    expect(job?.status).toBe('queued');
    expect(job?.attempts).toBe(0);
    expect(job?.locked_by).toBeNull();
    expect(seen.length).toBeLessThan(1000);
  }, 30_000);
});
