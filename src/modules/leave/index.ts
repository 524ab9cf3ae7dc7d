// Leave (M10, issue #13): kinds, staff groups with their unit (ouvrables/ouvrés) and holiday
// calendar, dated accrual, balances, requests approved through the approval engine, the team
// calendar, iCalendar and payroll exports, and the public holidays API. See README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { registerOwnerHooks, setHolidayCalendar } from '../approvals/index.js';
import { holidayDates } from './holidays.js';
import { leaveApiRoutes, leaveWebRoutes } from './leave.routes.js';
import { leaveKpis } from './kpis.js';
import { leaveMessages } from './messages.js';
import { onApprovalEvent } from './requests.service.js';
import { seedLeave } from './seed.js';

export { countLeaveDays } from './counting.js';
export { holidays } from './holidays.js';

// The engine tells leave about its decisions in the transaction of each transition.
registerOwnerHooks('leave', {
  approved: onApprovalEvent,
  refused: onApprovalEvent,
  withdrawn: onApprovalEvent,
  cancelled: onApprovalEvent,
  changesRequested: onApprovalEvent,
});
// Reminders and escalation count working days without the (general calendar's) public holidays.
setHolidayCalendar((iso) => holidayDates(iso, iso, 'general').has(iso));

export const leaveModule = defineModule({
  name: 'leave',
  messages: leaveMessages,
  kpis: leaveKpis,
  nav: [
    { section: 'nav.section.leave', label: 'leave.nav.mine', href: '/conges', permission: 'leave:use', order: 1 },
    { section: 'nav.section.leave', label: 'leave.nav.team', href: '/conges/equipe', permission: 'leave:use', order: 2 },
    { section: 'nav.section.leave', label: 'leave.nav.hr', href: '/conges/rh', permission: 'leave:hr', order: 3 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, leaveWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, leaveApiRoutes),
  seedDemo: seedLeave,
});
