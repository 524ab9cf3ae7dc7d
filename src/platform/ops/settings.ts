// The operations part of the configuration, with its defaults when a Config was built without it.
import path from 'node:path';
import type { Config, OpsConfig } from '../../config.js';

export function opsConfig(config: Config): OpsConfig {
  return (
    config.ops ?? {
      shutdownSeconds: 25,
      backupDir: path.join(config.dataDir, 'backups'),
      backupEveryHours: 0,
      keepDaily: 7,
      keepWeekly: 5,
      keepMonthly: 12,
    }
  );
}
