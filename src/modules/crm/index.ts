// The CRM module (M2 visit reports, M3 prospects and deals): advisers' visits from the field
// (offline-capable), deals and the pipeline, tasks, portfolios, one timeline per company,
// reminders (digest, calendar feed) and management reports. Other modules import only this file.
import type { CallerDb } from '../../platform/db/typed.js';
import type { Actor } from '../../platform/audit/audit.js';
import * as analysis from './analysis.service.js';
import type { AnalysisFilter, DealFact, VisitFact } from './analysis.service.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule, type ModuleContext } from '../../platform/module.js';
import { listMemberVisibleActivity as memberActivity, type MemberActivity } from './activity.service.js';
import { companyNamer } from './companies.js';
import { crmApiRoutes, crmWebRoutes } from './crm.routes.js';
import type { CrmDb } from './crm.table.js';
import { searchDeals } from './deal.service.js';
import { mayUseCrm } from './policy.js';
import { todayParis } from './dates.js';
import { planDigests, sendDigest } from './digest.service.js';
import { crmKpis } from './kpis.js';
import { crmMessages } from './messages.js';
import { companyPanel } from './panel.js';
import { seedCrmDemo } from './seed.js';
import { listTasks } from './task.service.js';

export { compareMemberActivity, type MemberActivity } from './activity.service.js';
export type { CrmDb } from './crm.table.js';
export type { AnalysisFilter, VisitFact, DealFact } from './analysis.service.js';

/** For the map's layers and the reports module: visits of a period (crm:use, else 403). */
export function visitFacts(db: CallerDb, actor: Actor, f: AnalysisFilter): Promise<VisitFact[]> {
  return analysis.visitFacts(db, actor, f);
}
/** For the map's layers and the reports module: deals (open ones only when asked; crm:use, else 403). */
export function dealFacts(db: CallerDb, actor: Actor, f: AnalysisFilter & { openOnly?: boolean }): Promise<DealFact[]> {
  return analysis.dealFacts(db, actor, f);
}

/**
 * For the extranet: the first `limit` deals, visits and tasks shared with the company, newest
 * first, in member wording (never notes, owners, probabilities, stage names or lost reasons).
 */
export function listMemberVisibleActivity(db: CallerDb, companyId: number, opts: { limit?: number } = {}): Promise<{ items: MemberActivity[]; total: number }> {
  return memberActivity(db, companyId, opts);
}

// Job handlers receive the database only; the digest also needs the mailer and the public URL
// of the app that owns this database (one per app, several apps in one test process).
const contexts = new WeakMap<CrmDb, ModuleContext>();

// The digest speaks the user's language (users.locale), French by default.
function digestText(locale: string) {
  const m = (locale === 'en' ? crmMessages.en : crmMessages.fr) as Record<string, string>;
  return {
    subject: (n: number) => m['crm.digest.subject'].replace('{n}', String(n)),
    intro: (name: string) => m['crm.digest.intro'].replace('{name}', name),
    overdue: m['crm.digest.overdue'],
    today: m['crm.digest.today'],
    footer: m['crm.digest.footer'],
  };
}

export const crmModule = defineModule({
  name: 'crm',
  messages: crmMessages,
  kpis: crmKpis,
  nav: [
    { section: 'nav.section.crm', label: 'nav.crm.home', href: '/crm', permission: 'crm:use', order: 1 },
    { section: 'nav.section.crm', label: 'nav.crm.new_visit', href: '/crm/visites/nouvelle', permission: 'crm:write', order: 2 },
    { section: 'nav.section.crm', label: 'nav.crm.visits', href: '/crm/visites', permission: 'crm:use', order: 3 },
    { section: 'nav.section.crm', label: 'nav.crm.tasks', href: '/crm/taches', permission: 'crm:use', order: 4 },
    { section: 'nav.section.crm', label: 'nav.crm.deals', href: '/crm/affaires', permission: 'crm:use', order: 5 },
    { section: 'nav.section.crm', label: 'nav.crm.board', href: '/crm/affaires/tableau', permission: 'crm:use', order: 6 },
    { section: 'nav.section.crm', label: 'nav.crm.portfolio', href: '/crm/portefeuille', permission: 'crm:use', order: 7 },
    { section: 'nav.section.crm', label: 'nav.crm.calendar', href: '/crm/calendrier', permission: 'crm:use', order: 8 },
    { section: 'nav.section.crm', label: 'nav.crm.reports', href: '/crm/rapports', permission: 'crm:reports', order: 9 },
    { section: 'nav.section.crm', label: 'nav.crm.settings', href: '/crm/parametres', permission: 'crm:settings', order: 10 },
  ],
  web: (app, ctx) => {
    contexts.set(ctx.db, ctx);
    mountRoutes(app, ctx, crmWebRoutes);
  },
  api: (app, ctx) => mountRoutes(app, ctx, crmApiRoutes),
  jobs: {
    // The slot's time (run_at), not the clock: a late run still plans the day it was due for.
    'crm.digest.plan': async (_payload, { db, job }) => ({ queued: await planDigests(db, new Date(job.run_at)) }),
    'crm.digest.send': async (payload: { userId: number; day: string }, { db }) => {
      const ctx = contexts.get(db);
      if (!ctx) throw new Error('crm: no module context for this database');
      return { sent: await sendDigest(db, ctx.mailer, ctx.config.publicUrl, digestText, payload.userId, payload.day, companyNamer(db)) };
    },
  },
  schedules: [{ kind: 'crm.digest.plan', everySeconds: 3600 }],
  // The adviser's tasks due today or overdue, on /portail.
  todo: async (ctx, actor) => {
    if (!mayUseCrm(actor) || actor.id === null) return [];
    const today = todayParis();
    const tasks = await listTasks(ctx.db, { ownerIds: [actor.id], open: true, dueBy: today }, 10);
    return tasks.map((t) => ({ label: `${t.due_date < today ? '⚠ ' : ''}${t.title}`, href: '/crm/taches', due: t.due_date }));
  },
  panels: [companyPanel],
  // Global search: deals by title (companies are the registry's answer).
  search: {
    permission: 'crm:use',
    async search(ctx, _actor, q, limit) {
      const rows = await searchDeals(ctx.db, q, limit);
      return rows.map((r) => ({ kind: 'crm.kind.deal', title: r.title, subtitle: r.label, href: `/crm/affaires/${r.id}` }));
    },
  },
  seedDemo: seedCrmDemo,
});

