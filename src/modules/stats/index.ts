// Statistics (M14, issue #18): usage of the public site, the intranet and the extranet counted
// server-side without cookies (a response observer buffering events, flushed in batches), rolled
// up per hour/day/month by an hourly job, every module's activity figures (ConsulaireModule.kpis),
// the dashboard, and the monthly report mailed with its PDF on the first working day. See README.md.
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule, type ModuleContext } from '../../platform/module.js';
import { companySizeAndSector } from '../registry/index.js';
import { UsageCollector } from './collector.js';
import { statsMessages } from './messages.js';
import { monthlyReportJob } from './report.job.js';
import { rollUp } from './rollup.service.js';
import { seedStats } from './seed.js';
import { statsWebRoutes } from './stats.routes.js';
import type { StatsDb } from './stats.table.js';

// Job handlers receive the database only; the report also needs the mailer, the read path and the
// other modules' figures: the context of the app that owns this database (several apps may share
// a test process).
const contexts = new WeakMap<StatsDb, ModuleContext>();
const collectors = new WeakMap<StatsDb, UsageCollector>();

/** For tests and the bench: writes what the app's observer has buffered. */
export function flushUsage(db: StatsDb): Promise<number> {
  return collectors.get(db)?.flush() ?? Promise.resolve(0);
}

export const statsModule = defineModule({
  name: 'stats',
  messages: statsMessages,
  nav: [
    { section: 'nav.section.stats', label: 'stats.nav.dashboard', href: '/statistiques', permission: 'stats:read', order: 1 },
    { section: 'nav.section.stats', label: 'stats.nav.reports', href: '/statistiques/rapports', permission: 'stats:read', order: 2 },
  ],
  web: (app, ctx) => {
    contexts.set(ctx.db, ctx);
    mountRoutes(app, ctx, statsWebRoutes);
  },
  onResponse: (ctx) => {
    const c = new UsageCollector(ctx.db, ctx.config.statsCounting, Date.now, (err) => console.error('stats: flush failed', err));
    collectors.set(ctx.db, c);
    return c;
  },
  jobs: {
    // The slot's time (run_at), not the clock: a late run still rolls up to the hour it was due for.
    'stats.rollup': async (_payload, { db, job }) => {
      const ctx = contexts.get(db);
      const rawDays = ctx?.config.statsRawDays ?? 30;
      const typed: StatsDb = db;
      return typed.transaction().execute((trx) => rollUp(trx, new Date(job.run_at), { rawDays, profiles: (ids) => companySizeAndSector(trx, ids) }));
    },
    'stats.report': async (_payload, { db, job }) => {
      const ctx = contexts.get(db);
      if (!ctx) throw new Error('stats: no module context for this database');
      return monthlyReportJob(ctx, new Date(job.run_at));
    },
  },
  schedules: [
    { kind: 'stats.rollup', everySeconds: 3600 },
    { kind: 'stats.report', everySeconds: 3600 },
  ],
  seedDemo: seedStats,
});
