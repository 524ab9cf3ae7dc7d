// The operations commands: `backup [--out DIR]`, `backup verify FILE`, `restore FILE [--force]`.
// They run before the usual open-and-migrate of the command line: a restore must find its target
// as it is (migrating it first would make it non-empty).
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../config.js';
import { openDatabase } from '../db/index.js';
import { migrateToLatest } from '../db/migrate.js';
import { createBackup } from './backup.js';
import { prune } from './retention.js';
import { restoreBackup, verifyBackup } from './restore.js';
import { opsConfig } from './settings.js';

export const OPS_USAGE = [
  'backup [--out DIR]                     online backup: database + files + manifest (BACKUP_KEY: encrypted)',
  'backup verify FILE                     restore FILE into a throwaway target and check it',
  'restore FILE [--force]                 restore into an empty DATA_DIR / DATABASE_URL, then check it',
];

export class OpsUsageError extends Error {}

/** Handles the command if it is one of ours; false otherwise. */
export async function runOpsCommand(argv: { cmd?: string; positionals: string[]; out?: string; force?: boolean }, config: Config, log: (s: string) => void): Promise<boolean> {
  const { cmd, positionals } = argv;
  const ops = opsConfig(config);
  if (cmd === 'backup' && positionals[1] === 'verify') {
    const file = positionals[2];
    if (!file) throw new OpsUsageError('backup verify needs the backup FILE');
    log(`Verifying ${path.resolve(file)} by restoring it into a throwaway target…`);
    const checks = await verifyBackup(path.resolve(file), { serverUrl: config.databaseUrl, key: ops.backupKey, tmpDir: tmpdir(), log: (c) => log(`  ✓ ${c}`) });
    log(`Backup verified: ${checks.length} checks passed.`);
    return true;
  }
  if (cmd === 'backup') {
    if (positionals.length > 1) throw new OpsUsageError(`unknown backup argument "${positionals[1]}"`);
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, reads: config.reads });
    try {
      await migrateToLatest(database.db);
      const started = Date.now();
      const r = await createBackup(config, database, { outDir: argv.out });
      const rows = Object.values(r.manifest.tables).reduce((s, n) => s + n, 0);
      log(`Backup written: ${r.file}`);
      log(`  ${r.bytes} bytes${r.manifest.encrypted ? ', encrypted (AES-256-GCM)' : ''}, ${Object.keys(r.manifest.tables).length} tables, ${rows} rows, ${r.manifest.entries.length - 1} files, schema ${r.manifest.schema.last}, ${Date.now() - started} ms`);
      if (!argv.out) {
        const removed = prune(ops.backupDir, ops);
        if (removed.length) log(`  retention: ${removed.length} older backups removed`);
      }
    } finally {
      await database.close();
    }
    return true;
  }
  if (cmd === 'restore') {
    const file = positionals[1];
    if (!file) throw new OpsUsageError('restore needs the backup FILE');
    log(`Restoring ${path.resolve(file)} into ${config.databaseUrl ? 'DATABASE_URL' : path.join(config.dataDir, 'consulaire.sqlite')} and ${config.dataDir}…`);
    const checks = await restoreBackup(path.resolve(file), { dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { force: argv.force, key: ops.backupKey, log: (c) => log(`  ✓ ${c}`) });
    log(`Restore complete and verified: ${checks.length} checks passed.`);
    return true;
  }
  return false;
}
