// How long a request waits for the SQLite connection while a SIRENE import runs in the same
// process (issue #22, ADR 0009 "Long writes"): a `select 1` on `db` every 20 ms, timed from when
// its timer was due, during an import of N new establishments into a registry of N, in three
// modes: the command line's 10,000-row batches, a job with fixed 1,000-row batches, and a job
// with batches sized to ~25 ms (`besideRequests`, what the server's import job uses).
//   npx tsx bench/registry-import-wait.ts [--size 50000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { generateSireneFiles } from '../src/modules/registry/generator.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { testDatabase } from '../test/helpers.js';
import { machine, stats, writeResult } from './lib.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '50000' } } });
const N = Number(values.size);
const territory = ['42', '69'];
const dir = mkdtempSync(path.join(tmpdir(), 'consulaire-import-wait-'));
const database = await testDatabase();
const db = database.db;
const files = async (name: string, seed: number) => {
  const u = path.join(dir, `${name}-u.csv`);
  const e = path.join(dir, `${name}-e.csv`);
  await generateSireneFiles(u, e, { establishments: N, territory, seed, sirenStart: 40_000_000 + seed * 1_000_000 });
  return { unitsFile: u, establishmentsFile: e };
};
const rows: string[] = [];
try {
  await importSireneStock(db, { ...(await files('base', 1)), territory, actor: SYSTEM_ACTOR });
  const modes = [
    ['command line (10,000-row batches)', {}],
    ['job, fixed 1,000-row batches', { besideRequests: true, batchSize: 1000 }],
    ['job, ~25 ms batches (the server)', { besideRequests: true }],
  ] as const;
  let seed = 2;
  for (const [label, opts] of modes) {
    const input = await files(`m${seed}`, seed++);
    const waits: number[] = [];
    let running = true;
    const probe = (async () => {
      while (running) {
        const due = performance.now() + 20;
        await new Promise((r) => setTimeout(r, 20));
        await sql`select 1`.execute(db);
        waits.push(performance.now() - due);
      }
    })();
    const t0 = performance.now();
    const { stats: s } = await importSireneStock(db, { ...input, territory, actor: SYSTEM_ACTOR, ...opts });
    const seconds = (performance.now() - t0) / 1000;
    running = false;
    await probe;
    const w = stats(waits);
    rows.push(`| ${label} | ${w.p50.toFixed(0)} ms | ${w.p99.toFixed(0)} ms | ${Math.max(...waits).toFixed(0)} ms | ${Math.round(s.establishmentsCreated / seconds).toLocaleString('en-US')} |`);
    console.log(rows.at(-1));
  }
} finally {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
writeResult(
  'registry-import-wait',
  [
    '# A request beside an import (bench/registry-import-wait.ts)',
    '',
    `${machine()}; SQLite (or TEST_DATABASE_URL); ${N.toLocaleString('en-US')} new establishments imported into a registry of ${N.toLocaleString('en-US')}; \`select 1\` on the main connection every 20 ms, wait timed from when it was due.`,
    '',
    '| mode | wait p50 | wait p99 | wait max | establishments/s |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
