// The scheduled backup: a job of the durable queue, enqueued once per slot of BACKUP_EVERY_HOURS
// (the slot's unique key makes one instance take it, however many run), then the retention.
import type { Config } from '../../config.js';
import type { Database } from '../db/index.js';
import type { JobHandler, Schedule } from '../jobs/index.js';
import { createBackup } from './backup.js';
import { prune } from './retention.js';
import { opsConfig } from './settings.js';

export const BACKUP_JOB = 'platform.backup';

export function opsJobs(config: Config, database: Database): Record<string, JobHandler> {
  return {
    [BACKUP_JOB]: async () => {
      const ops = opsConfig(config);
      const r = await createBackup(config, database);
      const removed = prune(ops.backupDir, ops);
      return { file: r.file, bytes: r.bytes, rows: Object.values(r.manifest.tables).reduce((s, n) => s + n, 0), removed: removed.length };
    },
  };
}

export function opsSchedules(config: Config): Schedule[] {
  const hours = opsConfig(config).backupEveryHours;
  return hours > 0 ? [{ kind: BACKUP_JOB, everySeconds: hours * 3600 }] : [];
}
