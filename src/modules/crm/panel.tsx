// The CRM's block on the registry's company page: adviser, quick actions, latest timeline events.
import type { RecordPanel } from '../../platform/module.js';
import { mayUseCrm, mayWriteCrm } from './policy.js';
import { adviserOf } from './portfolio.service.js';
import { companyTimeline } from './timeline.service.js';
import { CompanyPanel } from './views/timeline.js';

export const companyPanel: RecordPanel = {
  entity: 'company',
  order: 20,
  async render(ctx, view, companyId) {
    if (!mayUseCrm(view.actor)) return null;
    const [events, adviser] = await Promise.all([companyTimeline(ctx.db, view.actor, companyId, { limit: 15 }), adviserOf(ctx.db, companyId)]);
    const canWrite = mayWriteCrm(view.actor);
    return <CompanyPanel ctx={view} companyId={companyId} events={events} adviser={adviser} canWrite={canWrite} canAssignSelf={canWrite && !adviser} />;
  },
};
