// Synthetic registry: generated SIRENE files go through the real import (so seeding also
// exercises it), then contacts are added to a third of the companies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { normaliseSearchText } from '../../platform/db/search.js';
import { FIRST_NAMES, generateSireneFiles, LAST_NAMES, rng } from './generator.js';
import { importSireneStock, type ImportProgress, type ImportResult } from './import.service.js';
import type { RegistryDb } from './registry.table.js';

const ROLES = ['Gérant', 'Gérante', 'Président', 'Directrice générale', 'Responsable administratif', 'Comptable', 'Directeur commercial', 'Responsable RH'];

export async function seedRegistry(db: RegistryDb, opts: { establishments: number; territory: readonly string[]; seed?: number; sirenStart?: number; onProgress?: (p: ImportProgress) => void }): Promise<ImportResult & { contacts: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'consulaire-seed-'));
  try {
    const units = path.join(dir, 'StockUniteLegale_utf8.csv');
    const ests = path.join(dir, 'StockEtablissement_utf8.csv');
    await generateSireneFiles(units, ests, { establishments: opts.establishments, territory: opts.territory, seed: opts.seed, sirenStart: opts.sirenStart });
    const result = await importSireneStock(db, { unitsFile: units, establishmentsFile: ests, territory: opts.territory, actor: { ...SYSTEM_ACTOR, label: 'jeu de données synthétique' }, onProgress: opts.onProgress });
    const contacts = await addSyntheticContacts(db, opts.seed ?? 42);
    return { ...result, contacts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One or two contacts for a third of the companies that have none yet. */
export async function addSyntheticContacts(db: RegistryDb, seed: number): Promise<number> {
  const rand = rng(seed + 1);
  const ids = await db.selectFrom('companies').select(['id', 'name']).where('diffusion', '=', 'public').where(({ not, exists, selectFrom }) => not(exists(selectFrom('contacts').select('id').whereRef('contacts.company_id', '=', 'companies.id')))).execute();
  let n = 0;
  const now = nowIso();
  for (let i = 0; i < ids.length; i += 2000) {
    const chunk = ids.slice(i, i + 2000).filter(() => rand.next() < 0.33);
    if (!chunk.length) continue;
    const rows = chunk.flatMap((c) => {
      const people = rand.next() < 0.7 ? 1 : 2;
      return Array.from({ length: people }, (_, k) => {
        const first = rand.pick(FIRST_NAMES);
        const last = rand.pick(LAST_NAMES);
        const domain = normaliseSearchText(c.name).replace(/ /g, '-').slice(0, 30) || 'exemple';
        const consent = rand.next();
        return {
          company_id: c.id,
          first_name: first,
          last_name: last,
          role: k === 0 ? rand.pick(ROLES.slice(0, 4)) : rand.pick(ROLES.slice(4)),
          email: `${normaliseSearchText(first).replace(/ /g, '')}.${normaliseSearchText(last).replace(/ /g, '')}@${domain}.fr`,
          phone: `04 ${String(70 + rand.int(30))} ${String(rand.int(100)).padStart(2, '0')} ${String(rand.int(100)).padStart(2, '0')} ${String(rand.int(100)).padStart(2, '0')}`,
          is_officer: k === 0 ? 1 : 0,
          consent: (consent < 0.5 ? 'unknown' : consent < 0.9 ? 'granted' : 'refused') as 'unknown' | 'granted' | 'refused',
          consent_date: consent < 0.5 ? null : '2025-0' + (1 + rand.int(9)) + '-1' + rand.int(10),
          consent_source: consent < 0.5 ? null : rand.pick(['salon', 'formulaire du site', 'visite conseiller', 'appel entrant']),
          created_at: now,
          updated_at: now,
        };
      });
    });
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('contacts').values(rows).execute();
      // The people's names make their companies findable: append them to the search text.
      const byCompany = new Map<number, string>();
      for (const x of rows) byCompany.set(x.company_id, `${byCompany.get(x.company_id) ?? ''} ${normaliseSearchText(x.first_name + ' ' + x.last_name)}`);
      for (const [cid, names] of byCompany) {
        await trx.updateTable('establishments').set({ search_text: sql`search_text || ${names}` }).where('company_id', '=', cid).execute();
      }
    });
    n += rows.length;
  }
  return n;
}
