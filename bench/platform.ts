// Platform benchmark: start-up time, memory at idle, sign-in latency with Argon2id, page latency.
// Each figure is reported next to a baseline measured in the same run:
//  - start-up vs a bare `node -e` process start;
//  - sign-in vs the Argon2id verification alone (the floor any secure sign-in pays);
//  - a portal page vs a static file served by the same server.
// Usage: npx tsx bench/platform.ts   (needs `npm run build` first: it starts dist/main.js)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { machine, ms, ratio, stats, timeIt, writeResult } from './lib.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PORT = 3950 + Math.floor(Math.random() * 40);
const BASE = `http://127.0.0.1:${PORT}`;

async function waitHealthy(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('server did not start');
}

function rssMb(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startServer(dataDir: string, demo: boolean) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/main.js'), 'serve', ...(demo ? ['--demo'] : [])], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(PORT), LOG_LEVEL: 'warn', RUN_JOBS: '0' },
    stdio: 'ignore',
  });
  await waitHealthy(Date.now() + 60_000);
  return { child, ms: performance.now() - t0 };
}

async function stop(child: ReturnType<typeof spawn>) {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** A signed-in session through the real form, returning the cookie header. */
async function signIn(email: string, password: string): Promise<{ cookie: string; ms: number }> {
  const first = await fetch(`${BASE}/connexion`);
  const csrfCookie = first.headers.getSetCookie().find((c) => c.startsWith('csrf='))!.split(';')[0];
  const token = (await first.text()).match(/name="_csrf" value="([^"]+)"/)![1];
  const t0 = performance.now();
  const res = await fetch(`${BASE}/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ email, password, _csrf: token }).toString(),
  });
  const elapsed = performance.now() - t0;
  if (res.status !== 302) throw new Error(`sign-in failed: ${res.status}`);
  const sid = res.headers.getSetCookie().find((c) => c.startsWith('sid='))!.split(';')[0];
  return { cookie: `${sid}; ${csrfCookie}`, ms: elapsed };
}

async function main() {
  const baselineStart = stats(
    Array.from({ length: 5 }, () => {
      const t0 = performance.now();
      execFileSync(process.execPath, ['-e', '0']);
      return performance.now() - t0;
    }),
  );

  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulaire-bench-'));
  const cold = await startServer(dataDir, true); // creates, migrates, seeds the demo CCI
  await stop(cold.child);
  const warmRuns: number[] = [];
  let server = await startServer(dataDir, false);
  warmRuns.push(server.ms);
  for (let i = 0; i < 2; i++) {
    await stop(server.child);
    server = await startServer(dataDir, false);
    warmRuns.push(server.ms);
  }
  const warm = stats(warmRuns);

  await new Promise((r) => setTimeout(r, 3000));
  const idleRss = rssMb(server.child.pid!);

  // Sign-in: distinct demo accounts so no lockout interferes; 3 rounds over 11 accounts.
  const emails = ['admin', 'direction', 'manager', 'conseiller', 'documentation', 'redacteur', 'webmestre', 'rh', 'compta', 'formation', 'collaborateur'].map((e) => `${e}@demo.cci.fr`);
  const signIns: number[] = [];
  let cookie = '';
  for (let round = 0; round < 3; round++) {
    for (const e of emails) {
      const r = await signIn(e, 'demo-consulaire-2026');
      signIns.push(r.ms);
      if (e.startsWith('collaborateur')) cookie = r.cookie;
    }
  }
  const signIn_ = stats(signIns);
  const stored = await hash('demo-consulaire-2026', { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const argon = await timeIt(() => verify(stored, 'demo-consulaire-2026'), 20, 3);

  const portal = await timeIt(() => fetch(`${BASE}/portail`, { headers: { cookie } }).then((r) => r.text()), 300);
  const staticFile = await timeIt(() => fetch(`${BASE}/static/app.css`).then((r) => r.text()), 300);
  const afterRss = rssMb(server.child.pid!);
  await stop(server.child);
  rmSync(dataDir, { recursive: true, force: true });

  writeResult(
    'platform',
    `## Platform (SQLite, ${machine()})

| measure | value | baseline (same run) | ratio |
|---|---|---|---|
| start-up, first run (create DB, migrate, seed demo, listen) | ${ms(cold.ms)} | bare \`node -e 0\`: ${ms(baselineStart.p50)} | ${ratio(cold.ms, baselineStart.p50)} |
| start-up, existing database (median of 3) | ${ms(warm.p50)} | bare \`node -e 0\`: ${ms(baselineStart.p50)} | ${ratio(warm.p50, baselineStart.p50)} |
| server RSS at idle | ${idleRss.toFixed(0)} MB | — | — |
| server RSS after 600 requests | ${afterRss.toFixed(0)} MB | — | — |
| sign-in POST p50 / p95 (Argon2id m=19 MiB, t=2) | ${ms(signIn_.p50)} / ${ms(signIn_.p95)} | Argon2id verify alone p50: ${ms(argon.p50)} | ${ratio(signIn_.p50, argon.p50)} |
| portal home p50 / p95 (signed in) | ${ms(portal.p50)} / ${ms(portal.p95)} | static CSS file p50: ${ms(staticFile.p50)} | ${ratio(portal.p50, staticFile.p50)} |
`,
  );
}

await main();
