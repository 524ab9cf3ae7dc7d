// The admin module: the platform's own screens (users, roles, tokens, audit, outbox, jobs,
// settings, server health). Its routes are listed in admin.routes.ts; see README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { adminApiRoutes, adminWebRoutes } from './admin.routes.js';
import { adminMessages } from './messages.js';

export const adminModule = defineModule({
  name: 'admin',
  messages: adminMessages,
  nav: [
    { section: 'nav.section.admin', label: 'nav.admin.users', href: '/admin/utilisateurs', permission: 'admin:users', order: 1 },
    { section: 'nav.section.admin', label: 'nav.admin.roles', href: '/admin/roles', permission: 'admin:users', order: 2 },
    { section: 'nav.section.admin', label: 'nav.admin.tokens', href: '/admin/jetons', permission: 'admin:users', order: 3 },
    { section: 'nav.section.admin', label: 'nav.admin.audit', href: '/admin/audit', permission: 'admin:audit', order: 4 },
    { section: 'nav.section.admin', label: 'nav.admin.outbox', href: '/admin/boite-envoi', permission: 'admin:outbox', order: 5 },
    { section: 'nav.section.admin', label: 'nav.admin.jobs', href: '/admin/taches', permission: 'admin:jobs', order: 6 },
    { section: 'nav.section.admin', label: 'nav.admin.health', href: '/admin/sante', permission: 'admin:jobs', order: 6.5 },
    { section: 'nav.section.admin', label: 'nav.admin.settings', href: '/admin/parametres', permission: 'admin:settings', order: 7 },
    { section: 'nav.section.admin', label: 'nav.admin.api_docs', href: '/api/docs', permission: 'api:tokens', order: 8 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, adminWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, adminApiRoutes),
});
