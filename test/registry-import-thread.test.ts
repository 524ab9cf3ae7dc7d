// The scanning thread of the SIRENE import (ADR 0015, amended 2026-12-07): reading, fingerprinting
// and mapping the files in a worker thread (`scanThread`, the server job's default) must give the
// same import as scanning in the import's own thread (the command line's default) — same stats,
// same rejected rows in the same order, same rows — on a first load with every trap of the real
// files, and on a re-import where lines changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import type { AnyDb } from '../src/platform/db/index.js';
import { changeEstablishmentLines, generateSireneFiles } from '../src/modules/registry/generator.js';
import { fingerprint, importSireneStock } from '../src/modules/registry/import.service.js';
import { fingerprint53 } from '../src/modules/registry/import-lines.js';
import { SAMPLE } from './registry-helpers.js';
import { testDatabase, type TestDatabase } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'registry-thread-'));
const TERRITORY = ['42', '69'];
const units = path.join(dir, 'u.csv');
const ests = path.join(dir, 'e.csv');
const ests2 = path.join(dir, 'e2.csv');
let inline: TestDatabase;
let thread: TestDatabase;

beforeAll(async () => {
  [inline, thread] = await Promise.all([testDatabase(), testDatabase()]);
  await generateSireneFiles(units, ests, { establishments: 2500, territory: TERRITORY, seed: 21, traps: true, outsidePerInside: 1 });
  await changeEstablishmentLines(ests, ests2, 7, 'ENSEIGNE CHANGEE');
}, 120_000);
afterAll(async () => {
  await Promise.all([inline?.drop(), thread?.drop()]);
  rmSync(dir, { recursive: true, force: true });
});

const run = (db: AnyDb, unitsFile: string, establishmentsFile: string, scanThread: boolean) =>
  importSireneStock(db, { unitsFile, establishmentsFile, territory: TERRITORY, actor: SYSTEM_ACTOR, scanThread });

/** What an import leaves that must not depend on the thread: the rows, without ids and times. */
async function contents(db: AnyDb) {
  const companies = await db.selectFrom('companies').select(['siren', 'name', 'legal_form', 'sirene_hash', 'sirene_line', 'version']).orderBy('siren').execute();
  const establishments = await db.selectFrom('establishments').select(['siret', 'sign', 'status', 'search_text', 'sirene_hash', 'sirene_line', 'version']).orderBy('siret').execute();
  const history = await db.selectFrom('registry_changes').select(['entity', 'action', 'changes']).orderBy('entity').orderBy('changes').execute();
  return { companies, establishments, history };
}

const withoutTimes = ({ seconds: _s, establishmentsPerSecond: _r, phases: _p, ...rest }: Record<string, unknown>) => rest;

describe('SIRENE import: scanning thread', () => {
  it('gives the same first load, rejects and re-import as scanning in the import thread', async () => {
    for (const [u, e] of [
      [path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), path.join(SAMPLE, 'StockEtablissement_utf8.csv')],
      [units, ests],
      [units, ests],
      [units, ests2],
    ]) {
      const a = await run(inline.db, u, e, false);
      const b = await run(thread.db, u, e, true);
      expect(withoutTimes({ ...b.stats })).toEqual(withoutTimes({ ...a.stats }));
      expect(b.rejected).toEqual(a.rejected);
    }
    const [a, b] = await Promise.all([contents(inline.db), contents(thread.db)]);
    expect(a.establishments.length).toBeGreaterThan(2000);
    expect(a.history.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  }, 180_000);


  it('computes the stored content key value by value exactly as over the joined values (keys of earlier imports still match)', () => {
    const joined = (values: readonly unknown[]) => {
      const str = values.join('\u001f');
      return fingerprint53(str).toString(36) + '.' + str.length.toString(36);
    };
    const pool: unknown[] = [null, undefined, '', 'Boulangerie Émile', 0, 1, 45.123456, -4.5e-7, 'a\u001fb', 123456789012345, 'MEUNIER & FILS', '😀 café'];
    for (let n = 0; n < 5000; n++) {
      const values = Array.from({ length: 1 + (n % 40) }, (_, i) => pool[(n * 7 + i * 13) % pool.length]);
      expect(fingerprint(values)).toBe(joined(values));
    }
  });
});
