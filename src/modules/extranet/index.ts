// The extranet module (M4 business follow-up, M6 member extranet): member accounts and their
// companies, invitations and SIRET sign-ups, "Mon entreprise" corrections, "Mes demandes",
// "Suivi des affaires", contacts' consent; and the staff back office under /gestion-extranet.
// Other modules import ONLY from this file.
import { can } from '../../platform/access/index.js';
import { hashPassword } from '../../platform/auth/password.js';
import { nowIso } from '../../platform/db/index.js';
import { defineModule, type ModuleContext } from '../../platform/module.js';
import { DEMO_PASSWORD } from '../../platform/seed.js';
import { purgeStale, x } from './accounts.service.js';
import { extranetApi } from './extranet.api.js';
import { memberResolver, memberWeb } from './extranet.member.web.js';
import { staffWeb } from './extranet.staff.web.js';
import { extranetMessages } from './messages.js';
import { companyPanel } from './panel.js';
import { auditRefusals } from './web-helpers.js';

export { preferencesOf, type Preference, type Channel } from './consent.service.js';

export const DEMO_MEMBER_EMAIL = 'membre@demo-entreprise.fr';

/** A demo member, administrator of the first active company of the demo register (if any). */
async function seedExtranet(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db = ctx.db;
  const now = nowIso();
  const account = await x(db)
    .insertInto('member_accounts')
    .values({ email: DEMO_MEMBER_EMAIL, name: 'Marie Membre', password_hash: await hashPassword(DEMO_PASSWORD), status: 'active', locale: 'fr', totp_enabled: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Prefer companies the CRM demo shares something with (a livelier timeline), then any.
  const companies: { id: number; name: string }[] = [];
  try {
    const shared = (await db
      .selectFrom('crm_visits')
      .innerJoin('companies', 'companies.id', 'crm_visits.company_id')
      .select(['companies.id', 'companies.name'])
      .where('crm_visits.shared_with_company', '=', 1)
      .orderBy('companies.id')
      .limit(2)
      .execute()
      .catch(() => [])) as { id: number; name: string }[];
    companies.push(...shared);
    if (companies.length < 2) {
      const more = (await db.selectFrom('companies').select(['id', 'name']).where('status', '=', 'active').orderBy('id').limit(3).execute()) as { id: number; name: string }[];
      for (const c of more) if (companies.length < 2 && !companies.some((k) => k.id === c.id)) companies.push(c);
    }
  } catch {
    // no register yet: the account stays without company
  }
  if (companies.length === 0) {
    log(`extranet: demo member ${DEMO_MEMBER_EMAIL} (no company in the register to link)`);
    return;
  }
  const company = companies[0];
  for (const [i, c] of companies.entries()) {
    await x(db).insertInto('member_memberships').values({ account_id: account.id, company_id: c.id, role: i === 0 ? 'administrator' : 'member', status: 'active', origin: 'staff_invitation', created_at: now, updated_at: now }).execute();
  }
  const req = await x(db)
    .insertInto('member_requests')
    .values({ company_id: company.id, account_id: account.id, category: 'formalities', subject: 'Modification de nos statuts', status: 'new', assignee_id: null, first_response_at: null, last_message_at: now, closed_at: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await x(db)
    .insertInto('member_request_messages')
    .values({ request_id: req.id, author_kind: 'member', author_account_id: account.id, author_user_id: null, author_name: 'Marie Membre', body: 'Bonjour, nous transférons notre siège : quelles formalités devons-nous accomplir ?', created_at: now })
    .execute();
  log(`extranet: demo member ${DEMO_MEMBER_EMAIL} (${companies.map((c) => c.name).join(', ')}), password: the demo password`);
}

export const extranetModule = defineModule({
  name: 'extranet',
  messages: extranetMessages,
  nav: [
    { section: 'nav.section.extranet', label: 'nav.extranet.requests', href: '/gestion-extranet/demandes', permission: 'extranet:requests', order: 1 },
    { section: 'nav.section.extranet', label: 'nav.extranet.signups', href: '/gestion-extranet/inscriptions', permission: 'extranet:manage', order: 2 },
    { section: 'nav.section.extranet', label: 'nav.extranet.corrections', href: '/gestion-extranet/corrections', permission: 'extranet:manage', order: 3 },
    { section: 'nav.section.extranet', label: 'nav.extranet.accounts', href: '/gestion-extranet/comptes', permission: 'extranet:manage', order: 4 },
    { section: 'nav.section.extranet', label: 'nav.extranet.dashboard', href: '/gestion-extranet', permission: 'extranet:manage', order: 5 },
  ],
  web(app, ctx) {
    app.setMemberResolver(memberResolver());
    auditRefusals(app, ctx.db);
    memberWeb(app, ctx);
    staffWeb(app, ctx);
  },
  api: extranetApi,
  panels: [companyPanel],
  jobs: {
    'extranet.purge': async (_payload, { db }) => purgeStale(db),
  },
  schedules: [{ kind: 'extranet.purge', everySeconds: 86400 }],
  // Sign-ups and corrections for the documentation service; unassigned requests for answerers.
  todo: async (ctx, actor, translate) => {
    const items: { label: string; href: string }[] = [];
    const t = (n: number, key: string) => translate(key, { count: n });
    if (can(actor, 'extranet:manage')) {
      const [signups, corrections] = await Promise.all([
        x(ctx.db).selectFrom('member_signups').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
        x(ctx.db).selectFrom('member_change_requests').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
      ]);
      if (Number(signups.n)) items.push({ label: t(Number(signups.n), 'extranet.todo.signups'), href: '/gestion-extranet/inscriptions' });
      if (Number(corrections.n)) items.push({ label: t(Number(corrections.n), 'extranet.todo.corrections'), href: '/gestion-extranet/corrections' });
    }
    if (can(actor, 'extranet:requests')) {
      const open = await x(ctx.db).selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'new').where('assignee_id', 'is', null).executeTakeFirstOrThrow();
      if (Number(open.n)) items.push({ label: t(Number(open.n), 'extranet.todo.unassigned'), href: '/gestion-extranet/demandes?statut=new&assigne=none' });
      if (actor.id !== null) {
        const mine = await x(ctx.db).selectFrom('member_requests').select((eb) => eb.fn.countAll().as('n')).where('assignee_id', '=', actor.id).where('status', 'in', ['new', 'in_progress']).executeTakeFirstOrThrow();
        if (Number(mine.n)) items.push({ label: t(Number(mine.n), 'extranet.todo.mine'), href: '/gestion-extranet/demandes?assigne=me' });
      }
    }
    return items;
  },
  seedDemo: seedExtranet,
});
