// The registry's activity figures for the statistics (ConsulaireModule.kpis), and the size and
// sector of member companies for the extranet's usage roll-ups. Read on the heavy-read path.
import type { Kpi, KpiPeriod, ModuleContext } from '../../platform/module.js';
import type { RegistryDb } from './registry.table.js';

const n = (row: { n: number | string | bigint } | undefined) => Number(row?.n ?? 0);

export async function registryKpis(ctx: ModuleContext, p: KpiPeriod): Promise<Kpi[]> {
  const db: RegistryDb = ctx.reads;
  const [onFile, creations, closures, noEmail] = await Promise.all([
    db.selectFrom('establishments').select((eb) => eb.fn.countAll().as('n')).where('created_at', '<', p.to).executeTakeFirst(),
    db.selectFrom('establishments').select((eb) => eb.fn.countAll().as('n')).where('creation_date', '>=', p.fromDate).where('creation_date', '<', p.toDate).executeTakeFirst(),
    db.selectFrom('registry_changes').select((eb) => eb.fn.countAll().as('n')).where('entity', '=', 'establishment').where('at', '>=', p.from).where('at', '<', p.to).where('changes', 'like', '%"status"%closed%').executeTakeFirst(),
    db.selectFrom('companies').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'active').where('email', 'is', null).where('created_at', '<', p.to).executeTakeFirst(),
  ]);
  return [
    { key: 'registry.establishments', label: { fr: 'Établissements au fichier (fin de période)', en: 'Establishments on file (end of period)' }, value: n(onFile) },
    { key: 'registry.creations', label: { fr: 'Créations d’établissements', en: 'Establishments created' }, value: n(creations) },
    { key: 'registry.closures', label: { fr: 'Fermetures d’établissements (mises à jour reçues)', en: 'Establishments closed (updates received)' }, value: n(closures) },
    { key: 'registry.missing_email', label: { fr: 'Entreprises actives sans courriel', en: 'Active companies without e-mail' }, value: n(noEmail) },
  ];
}

/** Headcount band (INSEE code) and NAF division of companies, by id. */
export async function companySizeAndSector(db: RegistryDb, ids: number[]): Promise<Map<number, { size: string | null; sector: string | null }>> {
  const out = new Map<number, { size: string | null; sector: string | null }>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('companies').select(['id', 'headcount_band', 'naf_code']).where('id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, { size: r.headcount_band, sector: r.naf_code ? r.naf_code.slice(0, 2) : null });
  }
  return out;
}
