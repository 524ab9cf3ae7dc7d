// Demo data (empty database only, never in production): a member, administrator of the first
// company of the demo register, with a request waiting for the CCI.
import { hashPassword } from '../../platform/auth/password.js';
import { nowIso } from '../../platform/db/index.js';
import type { ModuleContext } from '../../platform/module.js';
import { DEMO_PASSWORD } from '../../platform/seed.js';
import type { ExtranetDb } from './extranet.table.js';

export const DEMO_MEMBER_EMAIL = 'membre@demo-entreprise.fr';

/** Up to two companies to link, those the CRM demo shares something with first (a livelier timeline), then any active one. */
async function demoCompanies(ctx: ModuleContext): Promise<{ id: number; name: string }[]> {
  // The register's and the CRM's tables, read untyped: demo data only, and either module may be absent.
  const companies: { id: number; name: string }[] = [];
  try {
    const shared = await ctx.db
      .selectFrom('crm_visits')
      .innerJoin('companies', 'companies.id', 'crm_visits.company_id')
      .select(['companies.id', 'companies.name'])
      .where('crm_visits.shared_with_company', '=', 1)
      .orderBy('companies.id')
      .limit(2)
      .execute()
      .catch(() => []);
    companies.push(...shared);
    if (companies.length < 2) {
      const more: { id: number; name: string }[] = await ctx.db.selectFrom('companies').select(['id', 'name']).where('status', '=', 'active').orderBy('id').limit(3).execute();
      for (const c of more) if (companies.length < 2 && !companies.some((k) => k.id === c.id)) companies.push(c);
    }
  } catch {
    // no register yet: the account stays without company
  }
  return companies;
}

export async function seedExtranet(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: ExtranetDb = ctx.db;
  const now = nowIso();
  const account = await db
    .insertInto('member_accounts')
    .values({ email: DEMO_MEMBER_EMAIL, name: 'Marie Membre', password_hash: await hashPassword(DEMO_PASSWORD), status: 'active', locale: 'fr', totp_enabled: 0, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const companies = await demoCompanies(ctx);
  if (companies.length === 0) {
    log(`extranet: demo member ${DEMO_MEMBER_EMAIL} (no company in the register to link)`);
    return;
  }
  const company = companies[0];
  for (const [i, c] of companies.entries()) {
    await db.insertInto('member_memberships').values({ account_id: account.id, company_id: c.id, role: i === 0 ? 'administrator' : 'member', status: 'active', origin: 'staff_invitation', created_at: now, updated_at: now }).execute();
  }
  const req = await db
    .insertInto('member_requests')
    .values({ company_id: company.id, account_id: account.id, category: 'formalities', subject: 'Modification de nos statuts', status: 'new', assignee_id: null, first_response_at: null, last_message_at: now, closed_at: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('member_request_messages')
    .values({ request_id: req.id, author_kind: 'member', author_account_id: account.id, author_user_id: null, author_name: 'Marie Membre', body: 'Bonjour, nous transférons notre siège : quelles formalités devons-nous accomplir ?', created_at: now })
    .execute();
  log(`extranet: demo member ${DEMO_MEMBER_EMAIL} (${companies.map((c) => c.name).join(', ')}), password: the demo password`);
}
