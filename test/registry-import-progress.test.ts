// SIRENE import (#12): a re-import where 1 % of the lines changed writes only those rows; a
// company renamed in the units file renames its unchanged establishments; cancelling from the
// page (CSRF, audited, refused when finished) and from the command line's signal.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { changeEstablishmentLines, generateSireneFiles, UNIT_HEADER } from '../src/modules/registry/generator.js';
import { ImportCancelled, importSireneStock } from '../src/modules/registry/import.service.js';
import { parseSearch, searchEstablishments } from '../src/modules/registry/search.service.js';
import { agent, count, createTestApp, makeUser, type TestApp } from './helpers.js';
import { multipart, SAMPLE } from './registry-helpers.js';

const TERRITORY = ['42', '69'];
const dir = mkdtempSync(path.join(tmpdir(), 'registry-import-progress-'));
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('re-import of a newer file', () => {
  const units = path.join(dir, 'u.csv');
  const ests = path.join(dir, 'e.csv');
  const run = (u: string, e: string) => importSireneStock(t.db, { unitsFile: u, establishmentsFile: e, territory: TERRITORY, actor: SYSTEM_ACTOR });

  it('writes only the 1 % of lines that changed, with one history line each, and the search finds the new values', async () => {
    await generateSireneFiles(units, ests, { establishments: 2000, territory: TERRITORY, seed: 21, sirenStart: 50_000_000 });
    const first = await run(units, ests);
    expect(first.stats.establishmentsCreated).toBeGreaterThan(1900);
    const same = await run(units, ests);
    expect(same.stats.establishmentsUpdated + same.stats.establishmentsCreated + same.stats.companiesUpdated + same.stats.companiesCreated).toBe(0);
    expect(same.stats.establishmentsUnchanged).toBe(first.stats.establishmentsCreated);

    const newer = path.join(dir, 'e2.csv');
    const changed = await changeEstablishmentLines(ests, newer, 100, 'ZYTHUM');
    expect(changed).toBeGreaterThan(10);
    const historyBefore = await count(t.db, 'registry_changes');
    const { stats, importId } = await run(units, newer);
    expect(stats.establishmentsUpdated).toBe(changed);
    expect(stats.establishmentsCreated).toBe(0);
    expect(stats.establishmentsUnchanged).toBe(first.stats.establishmentsCreated - changed);
    expect(await count(t.db, 'registry_changes')).toBe(historyBefore + changed);
    const lines = await t.db.selectFrom('registry_changes').select(['entity', 'action', 'changes']).where('import_id', '=', importId).execute();
    expect(lines.length).toBe(changed);
    for (const l of lines) expect(Object.keys(JSON.parse(l.changes))).toEqual(['sign']);
    // only those rows were written: their version moved, no other did
    expect(await count(t.db, 'establishments', ['version', 2])).toBe(changed);
    const found = await searchEstablishments(t.db, parseSearch({ q: 'zythum', status: 'all' }));
    expect(found.total).toBe(changed);
  }, 90_000);

  it('renames the unchanged establishments of a company whose unit line changed', async () => {
    const unitLines = readFileSync(units, 'utf8').split('\n');
    const nameAt = UNIT_HEADER.indexOf('denominationUniteLegale');
    const i = unitLines.findIndex((l, k) => k > 0 && !l.includes('"') && (l.split(',')[nameAt] ?? '') !== '');
    const cells = unitLines[i].split(',');
    const siren = cells[0];
    cells[nameAt] = 'QUUXOTIQUE INDUSTRIES';
    unitLines[i] = cells.join(',');
    const renamedUnits = path.join(dir, 'u2.csv');
    writeFileSync(renamedUnits, unitLines.join('\n'));
    const { stats } = await run(renamedUnits, path.join(dir, 'e2.csv'));
    expect(stats.companiesUpdated).toBe(1);
    expect(stats.establishmentsUpdated).toBe(0);
    const found = await searchEstablishments(t.db, parseSearch({ q: 'quuxotique', status: 'all' }));
    expect(found.total).toBeGreaterThan(0);
    expect(found.items.every((x) => x.siren === siren)).toBe(true);
    expect(found.total).toBe(await count(t.db, 'establishments', ['company_id', (await t.db.selectFrom('companies').select('id').where('siren', '=', siren).executeTakeFirstOrThrow()).id]));
  });
});

describe('cancel', () => {
  it('on the command line (its signal): nothing written, the run says cancelled', async () => {
    const other = await createTestApp();
    try {
      const stop = new AbortController();
      stop.abort();
      const promise = importSireneStock(other.db, { unitsFile: path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), establishmentsFile: path.join(SAMPLE, 'StockEtablissement_utf8.csv'), territory: TERRITORY, actor: SYSTEM_ACTOR, signal: stop.signal });
      await expect(promise).rejects.toBeInstanceOf(ImportCancelled);
      expect(await count(other.db, 'establishments')).toBe(0);
      expect(await count(other.db, 'companies')).toBe(0);
      const runRow = await other.db.selectFrom('registry_imports').select(['status']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(runRow.status).toBe('cancelled');
    } finally {
      await other.close();
    }
  });

  it('from the page: POST with CSRF, audited; the job stops and the run says cancelled; refused once finished and for advisers', async () => {
    const doc = agent(t);
    await doc.signIn((await makeUser(t.db, ['documentation'])).email);
    const files = { unites: ['StockUniteLegale_utf8.csv', readFileSync(path.join(SAMPLE, 'StockUniteLegale_utf8.csv'))], etablissements: ['StockEtablissement_utf8.csv', readFileSync(path.join(SAMPLE, 'StockEtablissement_utf8.csv'))] } as Record<string, [string, Buffer]>;
    const mp = multipart(files, doc.csrf);
    const cookie = [...doc.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.fastify.inject({ method: 'POST', url: '/registre/imports', headers: { cookie, 'content-type': mp.type, 'x-csrf-token': doc.csrf }, payload: mp.body });
    expect(res.statusCode).toBe(302);
    const page = res.headers.location as string;
    const id = Number(page.split('/').pop());
    const shown = await doc.get(page);
    expect(shown.body).toContain(`action="${page}/annuler"`);
    expect(shown.body).toMatch(/<label for="import-progress-\d+">/);
    expect(shown.body).toContain('aria-live="polite"');

    const adv = agent(t);
    await adv.signIn((await makeUser(t.db, ['adviser'])).email);
    expect((await adv.post(`${page}/annuler`)).status).toBe(403);
    expect((await doc.post(`${page}/annuler`, {}, { noCsrf: true })).status).toBe(403);
    const establishments = await count(t.db, 'establishments');

    expect((await doc.post(`${page}/annuler`)).status).toBe(302);
    const audit = await t.db.selectFrom('audit_log').select(['action']).where('entity', '=', 'registry_import').where('entity_id', '=', String(id)).execute();
    expect(audit.map((a) => a.action)).toContain('cancel');
    expect((await doc.get(page, { 'hx-request': 'true' })).body).toContain('Annulation demandée');

    expect(await t.app.jobs.tick()).toBeGreaterThanOrEqual(1);
    const row = await t.db.selectFrom('registry_imports').select(['status']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
    expect(await count(t.db, 'establishments')).toBe(establishments);
    const after = await doc.get(page);
    expect(after.body).toContain('Annulé');
    expect(after.body).not.toContain(`action="${page}/annuler"`);
    const again = await doc.post(`${page}/annuler`);
    expect(again.status).toBe(409);
    expect(again.body).toContain('ne peut pas être annulé');
  });
});
