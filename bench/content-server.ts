// The server the content benchmark loads: the real app with the modules of the intranet and
// public site (admin, content, directory, workspaces) and their demo data, on its own process,
// so that a module elsewhere cannot skew or break this measurement.
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { adminModule } from '../src/modules/admin/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { workspacesModule } from '../src/modules/workspaces/index.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { seedDemoUsers } from '../src/platform/seed.js';

const modules = [adminModule, contentModule, directoryModule, workspacesModule];
const config = loadConfig(process.env);
const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
await migrateToLatest(database.db);
await seedDemoUsers(database.db);
const app = await buildApp({ config, database, modules, logger: false });
for (const m of modules) if (m.seedDemo) await m.seedDemo(app.ctx, () => {});
await app.fastify.listen({ port: config.port, host: '127.0.0.1' });
process.on('SIGTERM', async () => {
  await app.close();
  await database.close();
  process.exit(0);
});
