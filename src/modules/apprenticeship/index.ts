// The apprenticeship-tax campaign (issue #16): the public calculator, members' declarations,
// pledges and confirmations in the extranet, the staff's follow-up board, school directors'
// results, and reminders by e-mail before each SOLTéA window. See README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule, type ModuleContext } from '../../platform/module.js';
import { apprenticeshipApiRoutes, apprenticeshipWebRoutes } from './apprenticeship.routes.js';
import type { ApprenticeshipDb } from './apprenticeship.table.js';
import { grantedSchools, listSchools } from './campaign.service.js';
import { countDeclarations, declarationsOf } from './member.service.js';
import { euros, percent } from './dates.js';
import { apprenticeshipMessages } from './messages.js';
import { sendDueReminders } from './reminders.service.js';
import { seedApprenticeship } from './seed.js';
import { MySchoolsBlock } from './views/pages.js';

export { computeTax, DEFAULT_RATE_SETS, type TaxResult } from './rules.js';

// The reminder job receives the database only; the mailer, the public URL and the secret that
// signs unsubscribe links come from the app that owns that database (one per app, several
// apps in one test process).
const contexts = new WeakMap<ApprenticeshipDb, ModuleContext>();

export const apprenticeshipModule = defineModule({
  name: 'apprenticeship',
  messages: apprenticeshipMessages,
  nav: [
    { section: 'nav.section.apprenticeship', label: 'apprenticeship.nav.board', href: '/taxe-apprentissage', permission: 'apprenticeship:follow', order: 1 },
    { section: 'nav.section.apprenticeship', label: 'apprenticeship.nav.targets', href: '/taxe-apprentissage/cibles', permission: 'apprenticeship:follow', order: 2 },
    { section: 'nav.section.apprenticeship', label: 'apprenticeship.nav.settings', href: '/taxe-apprentissage/campagnes', permission: 'apprenticeship:manage', order: 3 },
    // the extranet's member navigation (a member permission)
    { section: 'nav.section.apprenticeship', label: 'apprenticeship.member.title', href: '/extranet/taxe-apprentissage', permission: 'member:use', order: 4 },
  ],
  web: (app, ctx) => {
    contexts.set(ctx.db, ctx);
    mountRoutes(app, ctx, apprenticeshipWebRoutes);
  },
  api: (app, ctx) => mountRoutes(app, ctx, apprenticeshipApiRoutes),
  jobs: {
    // The slot's time (run_at), not the clock: a late run still sends what was due.
    'apprenticeship.reminders': async (_payload, { db, job }) => {
      const ctx = contexts.get(db);
      if (!ctx) throw new Error('apprenticeship: no module context for this database');
      const sent = await sendDueReminders(db, { mailer: ctx.mailer, publicUrl: ctx.config.publicUrl, secret: ctx.config.sessionSecret, mailFrom: ctx.config.mailFrom }, new Date(job.run_at));
      return { sent };
    },
  },
  schedules: [{ kind: 'apprenticeship.reminders', everySeconds: 3600 }],
  // A school director's results, on /portail (a per-school grant, not a role).
  home: async (ctx, view) => {
    if (view.actor.kind !== 'staff' || view.actor.id === null) return null;
    const ids = await grantedSchools(ctx.db, view.actor.id);
    if (!ids.length) return null;
    const schools = (await listSchools(ctx.db)).filter((s) => ids.includes(s.id));
    return MySchoolsBlock({ ctx: view, schools });
  },
  // The company's declarations in the extranet's follow-up ("Suivi"): solde, share pledged, confirmed.
  memberTimeline: {
    count: (ctx, companyId) => countDeclarations(ctx.db, companyId),
    async list(ctx, companyId, limit, t) {
      const rows = await declarationsOf(ctx.db, companyId, limit);
      const locale = t('apprenticeship.locale') === 'en' ? 'en' : 'fr';
      return rows.map((r) => ({
        kind: 'apprenticeship',
        id: r.id,
        date: String(r.updated_at),
        label: 'apprenticeship.member.title',
        title: t('apprenticeship.timeline.title', { year: r.year, solde: euros(Number(r.solde_cents), locale), share: percent(Number(r.bp ?? 0), locale) }),
        href: `/extranet/taxe-apprentissage?annee=${r.year}`,
        status: t(r.confirmed_at ? 'apprenticeship.timeline.confirmed' : Number(r.bp ?? 0) > 0 ? 'apprenticeship.timeline.pledged' : 'apprenticeship.timeline.declared'),
      }));
    },
  },
  seedDemo: seedApprenticeship,
});
