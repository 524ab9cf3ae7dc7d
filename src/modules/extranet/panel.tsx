// The extranet's block on the registry's company page: who has access, pending invitations,
// correction requests waiting for the documentation service, open requests.
// Members' e-mails, sign-ins, consents and request subjects are not registry data: every staff
// member reads the registry, only those given `extranet:read` see this block. Without it the
// block is absent (no heading, no empty frame): its presence alone would say the company has
// extranet activity.
import { can } from '../../platform/access/index.js';
import type { ModuleContext, RecordPanel } from '../../platform/module.js';
import { x } from './accounts.service.js';
import { listCompanyPreferences } from './consent.service.js';
import { CompanyPanel } from './views/staff.js';

export const companyPanel: RecordPanel = {
  entity: 'company',
  order: 60,
  async render(ctx: ModuleContext, view, companyId) {
    const actor = view.actor;
    if (actor.kind !== 'staff' || !can(actor, 'extranet:read')) return null;
    const db = ctx.db;
    const [members, invitations, corrections, requests] = await Promise.all([
      x(db)
        .selectFrom('member_memberships as m')
        .innerJoin('member_accounts as a', 'a.id', 'm.account_id')
        .select(['a.id', 'a.name', 'a.email', 'a.last_sign_in_at', 'm.role'])
        .where('m.company_id', '=', companyId)
        .where('m.status', '=', 'active')
        .orderBy('a.name')
        .execute(),
      x(db).selectFrom('member_invitations').select(['id', 'email', 'created_at']).where('company_id', '=', companyId).where('status', '=', 'pending').execute(),
      x(db).selectFrom('member_change_requests').select(['id', 'created_at']).where('company_id', '=', companyId).where('status', '=', 'pending').orderBy('created_at').execute(),
      x(db).selectFrom('member_requests').select(['id', 'subject', 'status']).where('company_id', '=', companyId).where('status', '!=', 'closed').orderBy('last_message_at', 'desc').limit(10).execute(),
    ]);
    const contacts = await listCompanyPreferences(db, companyId);
    const consents = contacts
      .filter((c) => Object.keys(c.preferences).length)
      .map((c) => ({ name: [c.firstName, c.lastName].filter(Boolean).join(' '), newsletter: c.preferences.newsletter, events: c.preferences.events }));
    return (
      <CompanyPanel
        ctx={view}
        data={{
          companyId,
          members: members.map((m) => ({ accountId: m.id, name: m.name, email: m.email, role: m.role, lastSignIn: m.last_sign_in_at })),
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
