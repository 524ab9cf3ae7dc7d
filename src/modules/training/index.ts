// Training centre (M12, issue #15): catalogue on the public site and the extranet, sessions by
// half day with rooms and trainers, enrolments with a waiting list, convocations with an
// iCalendar invitation, attendance signed on a tablet, certificates, hot surveys, gapless
// invoices posted to accounting, trainers' pay (SEPA orders through accounting), reports and
// the BPF. See README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { countRequested } from './enrolment.service.js';
import { trainingMessages } from './messages.js';
import { mayManageTraining } from './policy.js';
import { seedTraining } from './seed.js';
import { trainingApiRoutes, trainingWebRoutes } from './training.routes.js';

export const trainingModule = defineModule({
  name: 'training',
  messages: trainingMessages,
  nav: [
    { section: 'nav.section.training', label: 'training.nav.planning', href: '/formation', permission: 'training:manage', order: 1 },
    { section: 'nav.section.training', label: 'training.nav.catalogue', href: '/formation/catalogue', permission: 'training:manage', order: 2 },
    { section: 'nav.section.training', label: 'training.nav.resources', href: '/formation/ressources', permission: 'training:manage', order: 3 },
    { section: 'nav.section.training', label: 'training.nav.invoices', href: '/formation/factures', permission: 'training:manage', order: 4 },
    { section: 'nav.section.training', label: 'training.nav.pay', href: '/formation/paie', permission: 'training:manage', order: 5 },
    { section: 'nav.section.training', label: 'training.nav.reports', href: '/formation/bilans', permission: 'training:reports', order: 6 },
    // a member-only permission: shown in the extranet's member navigation, never to staff
    { section: 'nav.section.training', label: 'training.nav.member', href: '/extranet/formations', permission: 'member:use', order: 20 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, trainingWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, trainingApiRoutes),
  // Enrolments requested by member companies, for the training staff.
  todo: async (ctx, actor, t) => {
    if (!mayManageTraining(actor)) return [];
    const n = await countRequested(ctx.db);
    return n ? [{ label: t('training.todo.requested', { count: n }), href: '/formation' }] : [];
  },
  seedDemo: seedTraining,
});
