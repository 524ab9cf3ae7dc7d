// The server of the content journeys: the modules of the intranet and public site only (admin,
// content, directory, workspaces, plus any extra), so that these journeys do not depend on
// other modules' demo data.
import { adminModule } from '../src/modules/admin/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { workspacesModule } from '../src/modules/workspaces/index.js';
import type { ConsulaireModule } from '../src/platform/module.js';
import { startServer, type Server } from './helpers.js';

export function startContentServer(env: Record<string, string> = {}, extra: readonly ConsulaireModule[] = []): Promise<Server> {
  return startServer(env, [adminModule, ...extra, contentModule, directoryModule, workspacesModule]);
}
