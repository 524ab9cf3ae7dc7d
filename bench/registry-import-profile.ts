// Registry import, one step at a time, for profiling (#12): generates (once) SIRENE files of SIZE
// establishments in DIR, then runs a first load and a re-import of the same files on one database,
// printing the time of each. Run under `node --cpu-prof --import tsx` to see where time goes.
//   npx tsx bench/registry-import-profile.ts --size 200000 --db sqlite|postgres --dir /tmp/x [--only first|same] [--batch N]
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { freshDb } from './registry-lib.js';
import { changeEstablishmentLines, generateSireneFiles } from '../src/modules/registry/generator.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';

const { values } = parseArgs({ options: { size: { type: 'string' }, db: { type: 'string' }, dir: { type: 'string' }, only: { type: 'string' }, thread: { type: 'boolean' }, batch: { type: 'string' } } });
const SIZE = Number(values.size ?? 200_000);
const dialect = values.db ?? 'sqlite';
const dir = values.dir ?? path.join(tmpdir(), `consulaire-import-profile-${SIZE}`);
const TERRITORY = ['42', '69'];
mkdirSync(dir, { recursive: true });
const units = path.join(dir, 'units.csv');
const ests = path.join(dir, 'ests.csv');
const ests1 = path.join(dir, 'ests-1pc.csv');
if (!existsSync(ests1)) {
  await generateSireneFiles(units, ests, { establishments: SIZE, territory: TERRITORY, seed: 1 });
  await changeEstablishmentLines(ests, ests1, 100, 'ENSEIGNE A');
}
const dbDir = mkdtempSync(path.join(tmpdir(), 'consulaire-import-profile-db-'));
const { database, drop } = await freshDb(dialect, dbDir, 'h1_profile');
try {
  await migrateToLatest(database.db);
  const run = async (label: string, file: string) => {
    const l0 = loadavg()[0];
    const t0 = performance.now();
    const r = await importSireneStock(database.db, { unitsFile: units, establishmentsFile: file, territory: TERRITORY, actor: SYSTEM_ACTOR, scanThread: values.thread ?? false, batchSize: values.batch ? Number(values.batch) : undefined });
    const s = r.stats;
    console.log(`${dialect}${values.thread ? ' (scan thread)' : ''} ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${s.establishmentsPerSecond}/s, phases ${JSON.stringify(s.phases)}, created ${s.establishmentsCreated} updated ${s.establishmentsUpdated} unchanged ${s.establishmentsUnchanged}; load ${l0.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
  };
  if (values.only === 'same') {
    // Profile the re-import only: the first load runs with the profiler paused (inspector).
    const { Session } = await import('node:inspector/promises');
    const s = new Session();
    s.connect();
    await run('first load (setup)', ests);
    await s.post('Profiler.enable');
    await s.post('Profiler.start');
    await run('nothing changed', ests);
    await run('1 % changed', ests1);
    const { profile } = await s.post('Profiler.stop');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, `reimport-${dialect}.cpuprofile`), JSON.stringify(profile));
  } else await run('first load', ests);
  if (values.only !== 'first' && values.only !== 'same') {
    await run('nothing changed', ests);
    await run('1 % changed', ests1);
  }
} finally {
  await database.close();
  await drop();
  rmSync(dbDir, { recursive: true, force: true });
}
