// The server of the content journeys: like helpers.startServer, but with the modules of the
// intranet and public site only (admin, content, directory, workspaces), so that these journeys
// do not depend on other modules' demo data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { adminModule } from '../src/modules/admin/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { workspacesModule } from '../src/modules/workspaces/index.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { seedDemoUsers } from '../src/platform/seed.js';
import type { ConsulaireModule } from '../src/platform/module.js';
import type { Server } from './helpers.js';

export async function startContentServer(env: Record<string, string> = {}, extra: readonly ConsulaireModule[] = []): Promise<Server> {
  useFastHashingForTests();
  const modules = [adminModule, ...extra, contentModule, directoryModule, workspacesModule];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulaire-e2e-content-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', ...env } as NodeJS.ProcessEnv);
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir });
  await migrateToLatest(database.db);
  await seedDemoUsers(database.db);
  const app = await buildApp({ config, database, modules, logger: false });
  for (const m of modules) if (m.seedDemo) await m.seedDemo(app.ctx, () => {});
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.fastify.server.address() as { port: number }).port}`;
  (config as { publicUrl: string }).publicUrl = url;
  app.jobs.start(200);
  return {
    url,
    app,
    config,
    database,
    async stop() {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
