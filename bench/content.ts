// Public site benchmark: the home page and a news page, against a static file served by the same
// server in the same run (the floor: Fastify + @fastify/static + security headers, no database,
// no rendering). Throughput with autocannon (10 connections), latency percentiles from a separate
// closed loop of fetches (10 in flight) so that p95 is exact.
// Usage: npx tsx bench/content.ts   [DURATION=8 seconds per URL] [BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres
//        to run on a throwaway PostgreSQL database created (and dropped) through that admin URL]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { machine, ms, stats, writeResult, type Stats } from './lib.js';
import { loadavg } from 'node:os';

const ROOT = path.resolve(import.meta.dirname, '..');
const PORT = 4100 + Math.floor(Math.random() * 100);
const BASE = `http://127.0.0.1:${PORT}`;
const DURATION = Number(process.env.DURATION ?? 8);
const LOOP = Number(process.env.LOOP ?? 1500);

async function waitHealthy(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/health`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start');
}

async function latency(url: string, n: number, concurrency = 10): Promise<Stats> {
  return stats(await latencySamples(url, n, concurrency));
}

async function latencySamples(url: string, n: number, concurrency = 10): Promise<number[]> {
  const samples: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const t0 = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      samples.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${url} → ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return samples;
}

async function throughput(url: string, seconds: number): Promise<{ rps: number; errors: number; non2xx: number }> {
  const r = await autocannon({ url, connections: 10, duration: seconds, pipelining: 1 });
  return { rps: r.requests.average, errors: r.errors, non2xx: r.non2xx };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'consulaire-bench-content-'));
let databaseUrl: string | undefined;
const dbName = `consulaire_bench_content_${process.pid}`;
if (process.env.BENCH_PG) {
  const c = new pg.Client({ connectionString: process.env.BENCH_PG });
  await c.connect();
  await c.query(`create database ${dbName}`);
  await c.end();
  const u = new URL(process.env.BENCH_PG);
  u.pathname = `/${dbName}`;
  databaseUrl = u.toString();
}
const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/content-server.ts')], {
  cwd: ROOT,
  env: { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), DATA_DIR: dataDir, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RUN_JOBS: '0', NODE_ENV: 'development' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  await waitHealthy(Date.now() + 120_000);
  const list = await (await fetch(`${BASE}/actualites`)).text();
  const news = list.match(/href="(\/actualites\/\d+-[a-z0-9-]+)"/)?.[1];
  if (!news) throw new Error('no public news in the demo data');
  const targets: [string, string][] = [
    ['static file (/static/app.css)', `${BASE}/static/app.css`],
    ['public home (/)', `${BASE}/`],
    [`news page (${news})`, `${BASE}${news}`],
    ['news list (/actualites)', `${BASE}/actualites`],
  ];
  // The machine is shared: measure in interleaved rounds (every URL in each round) so that a
  // burst of load elsewhere hits all URLs alike, then pool latencies and take the median rate.
  const ROUNDS = Number(process.env.ROUNDS ?? 3);
  const samples = new Map<string, number[]>();
  const rates = new Map<string, { rps: number[]; errors: number; non2xx: number }>();
  for (const [, url] of targets) await latency(url, 200); // warm-up (JIT, caches)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of targets) {
      const lat = await latencySamples(url, Math.ceil(LOOP / ROUNDS));
      samples.set(name, [...(samples.get(name) ?? []), ...lat]);
      const tp = await throughput(url, Math.max(1, Math.round(DURATION / ROUNDS)));
      const r = rates.get(name) ?? { rps: [], errors: 0, non2xx: 0 };
      r.rps.push(tp.rps);
      r.errors += tp.errors;
      r.non2xx += tp.non2xx;
      rates.set(name, r);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = targets.map(([name]) => {
    const r = rates.get(name)!;
    const row = { name, lat: stats(samples.get(name)!), tp: { rps: median(r.rps), errors: r.errors, non2xx: r.non2xx } };
    console.error(`${name}: p95 ${ms(row.lat.p95)}, ${row.tp.rps.toFixed(0)} req/s (rounds: ${r.rps.map((x) => x.toFixed(0)).join(', ')})`);
    return row;
  });
  const base = rows[0];
  const md = [
    '# Public site (content module)',
    '',
    `${machine()}, ${databaseUrl ? 'PostgreSQL' : 'SQLite'}, demo data, loopback, 10 concurrent clients; latency from ${LOOP} requests, throughput from autocannon over ${DURATION} s; both in ${ROUNDS} interleaved rounds (latencies pooled, median rate). Server and load generator share the machine's 2 cores; load average at the end ${loadavg()[0].toFixed(1)}.`,
    '',
    '| URL | p50 | p95 | p99 | req/s | req/s vs static | p95 vs static |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${ms(r.lat.p50)} | ${ms(r.lat.p95)} | ${ms(r.lat.p99)} | ${r.tp.rps.toFixed(0)}${r.tp.errors || r.tp.non2xx ? ` (${r.tp.errors + r.tp.non2xx} errors)` : ''} | ${(r.tp.rps / base.tp.rps).toFixed(2)} | ${(r.lat.p95 / base.lat.p95).toFixed(1)}× |`),
    '',
  ].join('\n');
  writeResult(`content-${databaseUrl ? 'postgres' : 'sqlite'}`, md);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl) {
    const c = new pg.Client({ connectionString: process.env.BENCH_PG });
    await c.connect();
    await c.query(`drop database if exists ${dbName} with (force)`);
    await c.end();
  }
}
