// Command-line entry points: `import sirene` (progress line with rows/s and ETA, summary) and
// `seed --establishments N` (synthetic registry for benchmarks and demos).
import { SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import type { ModuleContext } from '../../platform/module.js';
import { ImportCancelled, importSireneStock, type ImportProgress } from './import.service.js';

function fmtEta(s: number | null): string {
  if (s === null) return '…';
  const m = Math.floor(s / 60);
  return m ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

export function progressLine(p: ImportProgress): string {
  const width = 30;
  const filled = Math.round((p.percent / 100) * width);
  const phase = { establishments: 'établissements', units: 'unités légales', saving: 'enregistrement', done: 'terminé' }[p.phase];
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.percent.toFixed(1).padStart(5)} % ${phase.padEnd(15)} ${p.rows.toLocaleString('fr-FR')} lignes, ${p.rate.toLocaleString('fr-FR')} lignes/s, reste ${fmtEta(p.etaSeconds)}`;
}

export async function importSireneCommand(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void> {
  const units = values.unites;
  const ests = values.etablissements;
  if (typeof units !== 'string' || typeof ests !== 'string') throw new Error('usage: import sirene --unites FICHIER --etablissements FICHIER [--report FICHIER] [--batch LIGNES] [--bulk-from LIGNES] [--commit-each-batch]');
  const batch = values.batch === undefined ? undefined : Number(values.batch);
  if (batch !== undefined && (!Number.isInteger(batch) || batch < 1 || batch > 100_000)) throw new Error('--batch must be a number between 1 and 100000');
  const bulkFrom = values['bulk-from'] === undefined ? undefined : Number(values['bulk-from']);
  if (bulkFrom !== undefined && (!Number.isInteger(bulkFrom) || bulkFrom < 1)) throw new Error('--bulk-from must be a positive number');
  const territory = await ctx.settings.get('cci.territory');
  const tty = process.stderr.isTTY;
  // Ctrl-C: the import stops at its next chunk and its one transaction is rolled back, so the
  // registry stays as it was. A second Ctrl-C quits at once (the database rolls back as well).
  // With --commit-each-batch (SQLite with a busy server: its writes then wait one batch, not the
  // whole import), the batches written stay, whole, and running the import again finishes it.
  const stop = new AbortController();
  const onInt = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    process.stderr.write('\nAnnulation… (Ctrl-C encore pour quitter tout de suite ; le registre reste inchangé)\n');
  };
  process.on('SIGINT', onInt);
  let result: Awaited<ReturnType<typeof importSireneStock>>;
  try {
    result = await importSireneStock(ctx.db, {
      unitsFile: units,
      establishmentsFile: ests,
      territory,
      actor: { ...SYSTEM_ACTOR, label: 'import SIRENE (ligne de commande)' },
      reportFile: typeof values.report === 'string' ? values.report : undefined,
      batchSize: batch,
      bulkThreshold: bulkFrom,
      atomic: values['commit-each-batch'] !== true,
      signal: stop.signal,
      onProgress: (p) => {
        process.stderr.write(tty ? `\r${progressLine(p)}` : `${progressLine(p)}\n`);
      },
    });
  } catch (e) {
    if (e instanceof ImportCancelled) throw new Error(values['commit-each-batch'] ? 'import annulé (Ctrl-C) : les lots déjà écrits restent, relancer l’import le termine' : 'import annulé (Ctrl-C) : rien n’a été écrit, le registre est inchangé');
    throw e;
  } finally {
    process.off('SIGINT', onInt);
  }
  const { stats, rejected } = result;
  if (tty) process.stderr.write('\n');
  console.log(`Import SIRENE terminé en ${stats.seconds} s (${stats.establishmentsPerSecond.toLocaleString('fr-FR')} établissements/s) — territoire ${territory.join(', ')}`);
  console.log(`  établissements lus ${stats.establishmentRows}, retenus ${stats.kept}, hors territoire ${stats.outOfTerritory}, à l'étranger ${stats.foreign}`);
  console.log(`  unités légales lues ${stats.unitRows}`);
  console.log(`  durée par étape : établissements ${stats.phases.establishments} s, unités légales ${stats.phases.units} s, enregistrement ${stats.phases.saving} s, index ${stats.phases.indexes} s`);
  console.log(`  entreprises : ${stats.companiesCreated} créées, ${stats.companiesUpdated} modifiées, ${stats.companiesUnchanged} inchangées`);
  console.log(`  établissements : ${stats.establishmentsCreated} créés, ${stats.establishmentsUpdated} modifiés (dont ${stats.establishmentsClosed} fermés), ${stats.establishmentsUnchanged} inchangés`);
  console.log(`  lignes rejetées : ${stats.rejected} (dont ${stats.duplicates} doublons exacts)${values.report ? ` — détail dans ${values.report}` : ''}`);
  for (const x of rejected.slice(0, 10)) console.log(`    ${x.file} ligne ${x.line} ${x.key} : ${x.reason} ${x.detail}`);
}

export async function seedEstablishmentsCommand(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void> {
  const n = Number(values.establishments);
  if (!Number.isInteger(n) || n < 1 || n > 5_000_000) throw new Error('--establishments must be a number between 1 and 5000000');
  const { seedRegistry } = await import('./seed.service.js');
  const territory = await ctx.settings.get('cci.territory');
  const existing = Number(((await ctx.db.selectFrom('companies').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()) as { n: number }).n);
  const tty = process.stderr.isTTY;
  // A second run adds new companies instead of re-importing the same SIRENs.
  const res = await seedRegistry(ctx.db, { establishments: n, territory, seed: 42 + existing, sirenStart: 10_000_000 + existing * 2, onProgress: (p) => process.stderr.write(tty ? `\r${progressLine(p)}` : `${progressLine(p)}\n`) });
  if (tty) process.stderr.write('\n');
  console.log(`${res.stats.establishmentsCreated} établissements et ${res.stats.companiesCreated} entreprises créés, ${res.contacts} contacts (${res.stats.seconds} s, ${res.stats.establishmentsPerSecond} établissements/s).`);
}
