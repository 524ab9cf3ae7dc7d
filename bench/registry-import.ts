// Registry IMPORT bench (#12): at SIZE establishments, on each database, in ONE run:
//  - first load of the SIRENE files (the command line's path: one transaction, bulk index rebuild),
//    with the time of each step, and the bare insert of the same rows measured in the same run;
//  - re-import of the same files (nothing changed);
//  - re-import of a file where 1 % of the establishment lines changed (their sign), on the
//    command line's path and on the server job's path (besideRequests: short transactions).
//   npx tsx bench/registry-import.ts [--size 1000000] [--db sqlite|postgres|both]
// Appends its table to bench/results/registry.md.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import type { AnyDb } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { freshDb, rawInsertRate } from './registry-lib.js';
import { changeEstablishmentLines, generateSireneFiles } from '../src/modules/registry/generator.js';
import { importSireneStock, type ImportStats } from '../src/modules/registry/import.service.js';

const { values } = parseArgs({ options: { size: { type: 'string' }, db: { type: 'string' } } });
const SIZE = Number(values.size ?? 100_000);
const DIALECTS = (values.db ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [values.db!];
const TERRITORY = ['42', '69'];
const fmt = (n: number, d = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: d, minimumFractionDigits: d });

async function historyLines(db: AnyDb): Promise<number> {
  return Number((await sql<{ n: number }>`select count(*) as n from registry_changes`.execute(db)).rows[0].n);
}

const phases = (s: ImportStats) => `establishments ${s.phases.establishments} s · units ${s.phases.units} s · saving ${s.phases.saving} s · indexes ${s.phases.indexes} s`;

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'consulaire-bench-import-'));
  const units = path.join(work, 'StockUniteLegale_utf8.csv');
  const ests = path.join(work, 'StockEtablissement_utf8.csv');
  const ests1 = path.join(work, 'StockEtablissement_1pc.csv');
  const ests2 = path.join(work, 'StockEtablissement_1pc_b.csv');
  console.error(`generating ${fmt(SIZE)} establishments…`);
  await generateSireneFiles(units, ests, { establishments: SIZE, territory: TERRITORY, seed: 1 });
  const changed1 = await changeEstablishmentLines(ests, ests1, 100, 'ENSEIGNE A');
  const changed2 = await changeEstablishmentLines(ests, ests2, 100, 'ENSEIGNE B');
  const out: string[] = [];
  out.push(`\n## ${new Date().toISOString().slice(0, 16)} — import bench (bench/registry-import.ts), ${fmt(SIZE)} establishments\n`);
  out.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, load average at start ${loadavg().map((x) => x.toFixed(2)).join(' / ')} (shared with other engineers' work).\n`);
  out.push('| database | first load (command line) | bare insert of the same rows | import / bare | time per step (first load) | re-import, nothing changed | re-import, 1 % changed (command line) | re-import, 1 % changed (server job) |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const dialect of DIALECTS) {
    const dir = mkdtempSync(path.join(tmpdir(), `consulaire-bench-import-${dialect}-`));
    const { database, drop } = await freshDb(dialect, dir, 'bench_import');
    const db = database.db;
    try {
      await migrateToLatest(db);
      const load0 = loadavg()[0];
      console.error(`${dialect}: first load…`);
      const first = await importSireneStock(db, { unitsFile: units, establishmentsFile: ests, territory: TERRITORY, actor: SYSTEM_ACTOR });
      console.error(`${dialect}: ${first.stats.establishmentsPerSecond}/s ${phases(first.stats)}`);
      console.error(`${dialect}: bare insert…`);
      const raw = await rawInsertRate(db);
      console.error(`${dialect}: re-import, nothing changed…`);
      const same = await importSireneStock(db, { unitsFile: units, establishmentsFile: ests, territory: TERRITORY, actor: SYSTEM_ACTOR });
      const h0 = await historyLines(db);
      console.error(`${dialect}: re-import, 1 % changed (command line)…`);
      const one = await importSireneStock(db, { unitsFile: units, establishmentsFile: ests1, territory: TERRITORY, actor: SYSTEM_ACTOR });
      const h1 = await historyLines(db);
      console.error(`${dialect}: re-import, 1 % changed (server job path)…`);
      const job = await importSireneStock(db, { unitsFile: units, establishmentsFile: ests2, territory: TERRITORY, actor: SYSTEM_ACTOR, besideRequests: true });
      const h2 = await historyLines(db);
      const s = first.stats;
      out.push(
        `| ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${fmt(s.establishmentsPerSecond)} establishments/s (${fmt(s.establishmentRows)} in ${s.seconds} s) | ${fmt(raw)} rows/s | ${fmt((s.establishmentsPerSecond / raw) * 100)} % | ${phases(s)} | ${same.stats.seconds} s (${fmt(same.stats.establishmentsUpdated)} rows written) | ${one.stats.seconds} s (${fmt(one.stats.establishmentsUpdated)} of ${fmt(changed1)} changed lines written, ${fmt(h1 - h0)} history lines) | ${job.stats.seconds} s (${fmt(job.stats.establishmentsUpdated)} of ${fmt(changed2)} written, ${fmt(h2 - h1)} history lines) |`,
      );
      console.error(out[out.length - 1], `load at start of this database: ${load0.toFixed(2)}, now ${loadavg()[0].toFixed(2)}`);
      out.push(`<!-- ${dialect}: load average at its start ${load0.toFixed(2)}, at its end ${loadavg()[0].toFixed(2)} -->`);
    } finally {
      await database.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  rmSync(work, { recursive: true, force: true });
  const text = out.join('\n') + '\n';
  console.log(text);
  appendFileSync(path.join(import.meta.dirname, 'results', 'registry.md'), text);
}

await main();
