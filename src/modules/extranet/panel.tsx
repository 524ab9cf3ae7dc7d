// The extranet's block on the registry's company page: who has access, pending invitations,
// correction requests waiting for the documentation service, open requests.
// Members' e-mails, sign-ins, consents and request subjects are not registry data: every staff
// member reads the registry, only those given `extranet:read` see this block. Without it the
// block is absent (no heading, no empty frame): its presence alone would say the company has
// extranet activity.
import { can } from '../../platform/access/index.js';
import type { ModuleContext, RecordPanel } from '../../platform/module.js';
import { listCompanyPreferences } from './consent.service.js';
import { companyTeam, openRequestsOf, pendingCorrectionsOf, pendingInvitations } from './extranet.queries.js';
import type { ExtranetDb } from './extranet.table.js';
import { CompanyPanel } from './views/staff.js';

export const companyPanel: RecordPanel = {
  entity: 'company',
  order: 60,
  async render(ctx: ModuleContext, view, companyId) {
    const actor = view.actor;
    if (actor.kind !== 'staff' || !can(actor, 'extranet:read')) return null;
    const db: ExtranetDb = ctx.db;
    const [members, invitations, corrections, requests] = await Promise.all([companyTeam(db, companyId), pendingInvitations(db, companyId), pendingCorrectionsOf(db, companyId), openRequestsOf(db, companyId)]);
    const contacts = await listCompanyPreferences(db, companyId);
    const consents = contacts
      .filter((c) => Object.keys(c.preferences).length)
      .map((c) => ({ name: [c.firstName, c.lastName].filter(Boolean).join(' '), newsletter: c.preferences.newsletter, events: c.preferences.events }));
    return (
      <CompanyPanel
        ctx={view}
        data={{
          companyId,
          members,
          invitations,
          corrections,
          requests,
          consents,
          canManage: can(actor, 'extranet:manage'),
          canAnswer: can(actor, 'extranet:requests'),
        }}
      />
    );
  },
};
