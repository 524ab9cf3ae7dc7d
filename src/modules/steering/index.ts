// Steering (M17, issue #18): the master plan's costed scenarios (totals always computed from the
// lines, stated totals flagged when they disagree, payback, 3/5-year cost and net value, side by
// side), the action plan (projects, milestones, dependencies, timeline) and the committee's
// decisions. See README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { steeringMessages } from './messages.js';
import { seedSteering } from './seed.js';
import { steeringApiRoutes, steeringWebRoutes } from './steering.routes.js';

export { figuresOf, francsToCents, FRANCS_PER_EURO } from './figures.js';

export const steeringModule = defineModule({
  name: 'steering',
  messages: steeringMessages,
  nav: [
    { section: 'nav.section.steering', label: 'steering.nav.scenarios', href: '/pilotage', permission: 'steering:read', order: 1 },
    { section: 'nav.section.steering', label: 'steering.nav.plan', href: '/pilotage/plan', permission: 'steering:read', order: 2 },
    { section: 'nav.section.steering', label: 'steering.nav.decisions', href: '/pilotage/decisions', permission: 'steering:read', order: 3 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, steeringWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, steeringApiRoutes),
  seedDemo: seedSteering,
});
