// Statistics benchmark: the public home page with usage counting on against the same page with
// counting off (STATS_COUNTING=0), in the same run: two apps in this process on two fresh
// databases, each listening on loopback, measured by autocannon in alternating rounds
// (off, on, off, on…) so that the machine's load falls on both alike. With counting on, every
// request is classified and buffered, and the buffer is written in batches during the run.
// Aim (issue #18): at most 5 % fewer requests per second with counting on.
// Usage: npx tsx bench/stats.ts   [ROUNDS=4] [SECONDS=5] [CONNECTIONS=10]
//        TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres for PostgreSQL
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { contentModule } from '../src/modules/content/index.js';
import { flushUsage, statsModule } from '../src/modules/stats/index.js';
import { createTestApp, count } from '../test/helpers.js';
import { machine, writeResult } from './lib.js';

const ROUNDS = Number(process.env.ROUNDS ?? 4);
const SECONDS = Number(process.env.SECONDS ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const onPg = Boolean(process.env.TEST_DATABASE_URL);
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

const off = await createTestApp({ modules: [contentModule, statsModule], env: { STATS_COUNTING: '0' } });
const on = await createTestApp({ modules: [contentModule, statsModule], env: { STATS_COUNTING: '1' } });
try {
  const urls: Record<string, string> = {};
  for (const [name, t] of [['off', off], ['on', on]] as const) {
    await t.app.fastify.listen({ port: 0, host: '127.0.0.1' });
    urls[name] = `http://127.0.0.1:${(t.app.fastify.server.address() as { port: number }).port}/`;
  }
  const run = (url: string) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { 'user-agent': UA } }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  // Warm up both (JIT, caches).
  await run(urls.off);
  await run(urls.on);
  const load0 = loadavg()[0];
  const rps: Record<'off' | 'on', number[]> = { off: [], on: [] };
  const p99: Record<'off' | 'on', number[]> = { off: [], on: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of (r % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as ('off' | 'on')[]) {
      const res = await run(urls[name]);
      if (res.non2xx) throw new Error(`${name}: ${res.non2xx} non-2xx answers`);
      rps[name].push(res.requests.average);
      p99[name].push(res.latency.p99);
    }
  }
  await flushUsage(on.db);
  const counted = await count(on.db, 'stats_events');
  const uncounted = await count(off.db, 'stats_events');
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const diff = (1 - mean(rps.on) / mean(rps.off)) * 100;
  const load1 = loadavg()[0];
  const md = `# Statistics bench — public home, counting on vs off (${onPg ? 'PostgreSQL' : 'SQLite'})

${machine()}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)} during the run.
${ROUNDS} alternating rounds of ${SECONDS} s per side, ${CONNECTIONS} connections, autocannon on loopback against two apps in one process.

| | req/s (mean of rounds) | rounds | p99 latency (mean) |
|---|---|---|---|
| counting off | ${mean(rps.off).toFixed(0)} | ${rps.off.map((v) => v.toFixed(0)).join(', ')} | ${mean(p99.off).toFixed(1)} ms |
| counting on | ${mean(rps.on).toFixed(0)} | ${rps.on.map((v) => v.toFixed(0)).join(', ')} | ${mean(p99.on).toFixed(1)} ms |

Counting on serves **${diff.toFixed(1)} %** fewer requests per second (aim: ≤ 5 %); ratio on/off ${(mean(rps.on) / mean(rps.off)).toFixed(3)}.
Events written with counting on: ${counted} (off: ${uncounted}).
`;
  console.log(md);
  writeResult(`stats-${onPg ? 'postgres' : 'sqlite'}`, md);
} finally {
  await off.close();
  await on.close();
}
