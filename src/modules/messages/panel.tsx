// The messages' block on the registry's company page: the company's conversations this staff
// member may see (confidential ones only for their participants and assignees), and a link to
// write to the company for those who answer companies.
import { can } from '../../platform/access/index.js';
import type { ModuleContext, RecordPanel } from '../../platform/module.js';
import { companyThreadsForStaff } from './messages.service.js';
import type { MessagesDb } from './messages.table.js';
import { CompanyPanel } from './views.js';

export const companyPanel: RecordPanel = {
  entity: 'company',
  order: 40,
  async render(ctx: ModuleContext, view, companyId) {
    if (view.actor.kind !== 'staff') return null;
    const db: MessagesDb = ctx.db;
    const items = await companyThreadsForStaff(db, view.actor, companyId);
    const canWrite = can(view.actor, 'messages:companies');
    if (items.length === 0 && !canWrite) return null;
    return <CompanyPanel ctx={view} companyId={companyId} items={items} canWrite={canWrite} />;
  },
};
