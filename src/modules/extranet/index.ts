// The extranet module (M4 business follow-up, M6 member extranet): member accounts and their
// companies, invitations and SIRET sign-ups, "Mon entreprise" corrections, "Mes demandes",
// "Suivi des affaires", contacts' consent; and the staff back office under /gestion-extranet.
// Other modules import ONLY from this file.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren, VNode } from 'preact';
import { can } from '../../platform/access/index.js';
import type { Crumb } from '../../platform/ui/layout.js';
import type { ViewContext } from '../../platform/ui/view-context.js';
import { mountRoutes } from '../../platform/http/routes.js';
import type { CallerDb } from '../../platform/db/typed.js';
import { defineModule } from '../../platform/module.js';
import type { Actor } from '../../platform/audit/audit.js';
import * as analysis from './analysis.service.js';
import type { RequestFact } from './analysis.service.js';
import { purgeStale } from './accounts.service.js';
import { preferencesOf as contactPreferences, type Channel, type Preference } from './consent.service.js';
import { countPendingCorrections } from './corrections.service.js';
import { accountWithCompanies, companyTeam, countAssignedOpenRequests, countPendingSignups, countUnassignedNewRequests } from './extranet.queries.js';
import { extranetApiRoutes, extranetMemberRoutes, extranetStaffRoutes } from './extranet.routes.js';
import { memberResolver, renderMemberShell } from './extranet.member.web.js';
import { extranetKpis } from './kpis.js';
import { extranetMessages } from './messages.js';
import { companyPanel } from './panel.js';
import { seedExtranet } from './seed.js';
import { auditRefusals, readForm, sendFile, type FormWithFiles } from './web-helpers.js';

export type { Preference, Channel } from './consent.service.js';
export type { RequestFact } from './analysis.service.js';

/** For the reports module: members' requests of a period, narrow rows (extranet:requests, else 403). */
export function requestFacts(db: CallerDb, actor: Actor, f: { from?: string; to?: string }): Promise<RequestFact[]> {
  return analysis.requestFacts(db, actor, f);
}
export { DEMO_MEMBER_EMAIL } from './seed.js';

/** For mailing modules: each contact's latest newsletter and event answers, as the member or the CCI recorded them. */
export function preferencesOf(db: CallerDb, contactIds: number[]): Promise<Map<number, Partial<Record<Channel, Preference>>>> {
  return contactPreferences(db, contactIds);
}

/**
 * For other modules' member pages (declared with `audience: 'member'`): the page in the extranet's
 * shell — company switcher and member navigation, where the module's own `nav` entry with
 * permission `member:use` appears. The caller passes its own handle.
 */
export function memberPage(req: FastifyRequest, db: CallerDb, title: string, body: (ctx: ViewContext) => ComponentChildren, crumbs?: Crumb[]): Promise<VNode> {
  return renderMemberShell(req, db, title, body, crumbs);
}

/** For other modules' member forms with attachments: fields and checked files (size, type by content; 403 on a field not offered). */
export function readMemberForm(req: FastifyRequest, allowed: readonly string[]): Promise<FormWithFiles> {
  return readForm(req, allowed);
}

/** Sends a stored attachment as a download that can never run in the browser (sandbox CSP, nosniff). */
export function sendAttachment(reply: FastifyReply, file: { fileName: string; contentType: string; data: Buffer }) {
  return sendFile(reply, file);
}

/** The people with active extranet access to a company (for notifications: e-mail addresses). */
export function companyMembers(db: CallerDb, companyId: number): Promise<{ accountId: number; name: string; email: string }[]> {
  return companyTeam(db, companyId).then((rows) => rows.map((r) => ({ accountId: r.accountId, name: r.name, email: r.email })));
}

/** A member account by its address and the companies it acts for (other modules' demo data and tests). */
export function memberAccount(db: CallerDb, email: string): Promise<{ accountId: number; name: string; companyIds: number[] } | undefined> {
  return accountWithCompanies(db, email);
}

export type { CheckedFile } from './attachments.js';
export type { FormWithFiles } from './web-helpers.js';

export const extranetModule = defineModule({
  name: 'extranet',
  messages: extranetMessages,
  kpis: extranetKpis,
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
    mountRoutes(app, ctx, extranetMemberRoutes);
    mountRoutes(app, ctx, extranetStaffRoutes);
  },
  api: (app, ctx) => mountRoutes(app, ctx, extranetApiRoutes),
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
      const [signups, corrections] = await Promise.all([countPendingSignups(ctx.db), countPendingCorrections(ctx.db)]);
      if (signups) items.push({ label: t(signups, 'extranet.todo.signups'), href: '/gestion-extranet/inscriptions' });
      if (corrections) items.push({ label: t(corrections, 'extranet.todo.corrections'), href: '/gestion-extranet/corrections' });
    }
    if (can(actor, 'extranet:requests')) {
      const open = await countUnassignedNewRequests(ctx.db);
      if (open) items.push({ label: t(open, 'extranet.todo.unassigned'), href: '/gestion-extranet/demandes?statut=new&assigne=none' });
      if (actor.id !== null) {
        const mine = await countAssignedOpenRequests(ctx.db, actor.id);
        if (mine) items.push({ label: t(mine, 'extranet.todo.mine'), href: '/gestion-extranet/demandes?assigne=me' });
      }
    }
    return items;
  },
  seedDemo: seedExtranet,
});
