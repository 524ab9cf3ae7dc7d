// kill -9 during a SIRENE import (#12, #20): the command-line import runs in a child process and
// is SIGKILLed while it writes (a bulk load: indexes dropped, full-text index and facet summary
// suspended, all inside its one transaction). The registry must be exactly as before — counts,
// full-text index active and finding the rows, facet summary equal to the live counts — and
// running the import again must give the same registry as a clean import of the same files.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import type { AnyDb } from '../src/platform/db/index.js';
import { dialectOf } from '../src/platform/db/index.js';
import { fullTextIndexActive, fullTextMatch } from '../src/platform/db/search.js';
import { generateSireneFiles } from '../src/modules/registry/generator.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { testDatabase, type TestDatabase } from './helpers.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'registry-kill-'));
const TERRITORY = ['42', '69'];
const files = {
  before: { units: path.join(dir, 'u0.csv'), ests: path.join(dir, 'e0.csv') },
  next: { units: path.join(dir, 'u1.csv'), ests: path.join(dir, 'e1.csv') },
};
let killed: TestDatabase;
let clean: TestDatabase;

beforeAll(async () => {
  [killed, clean] = await Promise.all([testDatabase(), testDatabase()]);
  // The registry before: a small import. The next file is more than twice the registry, and
  // `--bulk-from 1000` takes the bulk path that drops and rebuilds the indexes (20,000 by default).
  await generateSireneFiles(files.before.units, files.before.ests, { establishments: 300, territory: TERRITORY, seed: 11, sirenStart: 30_000_000 });
  await generateSireneFiles(files.next.units, files.next.ests, { establishments: 3500, territory: TERRITORY, seed: 12, sirenStart: 40_000_000 });
  for (const db of [killed.db, clean.db]) await importSireneStock(db, { unitsFile: files.before.units, establishmentsFile: files.before.ests, territory: TERRITORY, actor: SYSTEM_ACTOR });
}, 120_000);
afterAll(async () => {
  await Promise.all([killed?.drop(), clean?.drop()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `import sirene` on `database` in a child process and SIGKILLs it once it is saving establishments. */
function importAndKill(database: TestDatabase): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'src', 'main.ts'), 'import', 'sirene', '--unites', files.next.units, '--etablissements', files.next.ests, '--batch', '50', '--bulk-from', '1000'],
    {
      cwd: root,
      env: { ...process.env, DATA_DIR: database.dataDir, ...(database.url ? { DATABASE_URL: database.url } : {}), CCI_TERRITORY: TERRITORY.join(','), LOG_LEVEL: 'silent', NODE_ENV: 'test' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr += s;
      // The progress line of the saving step: companies are written, establishments are being written.
      if (stderr.includes('enregistrement') && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stderr }));
  });
}

/** What must not differ between two registries (no ids, nor establishments' sirene_hash, which holds the company id: PostgreSQL's sequences do not roll back). */
async function snapshot(db: AnyDb) {
  const companies = await db.selectFrom('companies').select(['siren', 'name', 'legal_form', 'sirene_hash', 'sirene_line', 'status']).orderBy('siren').execute();
  const establishments = await db
    .selectFrom('establishments as e')
    .innerJoin('companies as c', 'c.id', 'e.company_id')
    .select(['e.siret', 'c.siren', 'e.status', 'e.department', 'e.naf_section', 'e.search_text', 'e.sort_name', 'e.sirene_line'])
    .orderBy('e.siret')
    .execute();
  const summary = await db.selectFrom('registry_facet_counts').select(['status', 'f1', 'v1', 'f2', 'v2', 'n']).where('n', '<>', 0).orderBy('status').orderBy('f1').orderBy('v1').orderBy('f2').orderBy('v2').execute();
  return { companies, establishments, summary: summary.map((r) => ({ ...r, n: Number(r.n) })) };
}

/** The registry is usable: every index there, the full-text index finds rows, the summary equals live counts. */
async function expectConsistent(db: AnyDb) {
  expect(await fullTextIndexActive(db, 'establishments')).toBe(true);
  const indexes =
    dialectOf(db) === 'postgres'
      ? (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'establishments'`.execute(db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'establishments'`.execute(db)).rows;
  expect(indexes.map((x) => x.name)).toEqual(expect.arrayContaining(['establishments_department_idx', 'establishments_facets_idx', 'establishments_sort_name_idx', 'establishments_company_idx', 'establishments_geo_idx']));
  // Searches find rows: a sample of establishments, each by its SIRET through the full-text index.
  const sample = await db.selectFrom('establishments').select(['id', 'siret']).where(sql<boolean>`id % 17 = 0`).limit(20).execute();
  expect(sample.length).toBeGreaterThan(5);
  for (const e of sample) {
    const hits = await db.selectFrom('establishments as e').select('e.id').where(fullTextMatch(db, 'establishments', 'e', 'search_text', [e.siret!]) as never).execute();
    expect(hits.map((h) => h.id)).toContain(e.id);
  }
  // The facet summary equals the live counts (total and by département, per status).
  const live = await db.selectFrom('establishments').select(['status', 'department', sql<number>`count(*)`.as('n')]).groupBy(['status', 'department']).execute();
  const summary = await db.selectFrom('registry_facet_counts').select(['status', 'f1', 'v1', 'n']).where('f2', '=', '').where('f1', 'in', ['*', 'department']).where('n', '<>', 0).execute();
  const want = new Map<string, number>();
  for (const r of live) {
    want.set(`${r.status}|*`, (want.get(`${r.status}|*`) ?? 0) + Number(r.n));
    if (r.department) want.set(`${r.status}|${r.department}`, Number(r.n));
  }
  expect(new Map(summary.map((r) => [`${r.status}|${r.f1 === '*' ? '*' : r.v1}`, Number(r.n)]))).toEqual(want);
}

describe('kill -9 during a command-line import', () => {
  it('leaves the registry as it was, and a rerun gives the registry of a clean import', async () => {
    const before = await snapshot(killed.db);
    expect(before.establishments.length).toBeGreaterThan(200);

    const { signal, stderr } = await importAndKill(killed);
    expect(signal, `the import ended before it could be killed:\n${stderr}`).toBe('SIGKILL');

    // Intact: the same rows, indexes, full-text index and summary as before the import.
    expect(await snapshot(killed.db)).toEqual(before);
    await expectConsistent(killed.db);

    // The rerun (the same import, in process) converges to what a clean import gives.
    const rerun = await importSireneStock(killed.db, { unitsFile: files.next.units, establishmentsFile: files.next.ests, territory: TERRITORY, actor: SYSTEM_ACTOR, bulkThreshold: 1000 });
    const reference = await importSireneStock(clean.db, { unitsFile: files.next.units, establishmentsFile: files.next.ests, territory: TERRITORY, actor: SYSTEM_ACTOR, bulkThreshold: 1000 });
    expect(rerun.stats.establishmentsCreated).toBe(reference.stats.establishmentsCreated);
    expect(rerun.stats.establishmentsCreated).toBeGreaterThan(3000);
    const [after, want] = await Promise.all([snapshot(killed.db), snapshot(clean.db)]);
    for (const part of ['companies', 'establishments', 'summary'] as const) {
      expect(after[part].length, part).toBe(want[part].length);
      const i = after[part].findIndex((x, k) => JSON.stringify(x) !== JSON.stringify(want[part][k]));
      expect(i < 0 ? null : { part, got: after[part][i], want: want[part][i] }).toBeNull();
    }
    await expectConsistent(killed.db);
  }, 120_000);
});
