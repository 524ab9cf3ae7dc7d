// Mailing (M9, issue #14): subscription and segment lists on the registry's one consent record,
// double opt-in, campaigns from structured templates sent as a durable, resumable job with
// one-click unsubscribe, bounces (VERP, inbound SMTP listener, webhook), aggregated statistics,
// a public archive, and letters as PDF. See README.md.
import { registerOwnerHooks } from '../approvals/index.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule, type ModuleContext } from '../../platform/module.js';
import { startBounceListener } from './bounces.service.js';
import { onApproval, tick } from './campaigns.service.js';
import { readMailingConfig } from './mailing.config.js';
import { mailingApiRoutes, mailingWebRoutes } from './mailing.routes.js';
import type { MailingDb } from './mailing.table.js';
import { sendDeps } from './mailing.web.js';
import { mailingMessages } from './messages.js';
import { companyPanel } from './panel.js';
import { seedMailingDemo } from './seed.js';
import { closeTransports, sendJob, sendUntilDone } from './send.service.js';

// The approvals engine moves a campaign waiting for its approval (owner hooks, same transaction).
registerOwnerHooks('mailing', {
  approved: (db, e) => onApproval(db, e),
  refused: (db, e) => onApproval(db, e),
  withdrawn: (db, e) => onApproval(db, e),
  cancelled: (db, e) => onApproval(db, e),
  changesRequested: (db, e) => onApproval(db, e),
});

/** The application's context, kept when the routes are mounted: jobs need its configuration. */
let appContext: ModuleContext | undefined;
let listener: { port: number; close(): Promise<void> } | undefined;

/** The port of the inbound SMTP listener for bounces, when it runs (MAILING_BOUNCE_PORT). */
export function bounceListenerPort(): number | undefined {
  return listener?.port;
}

export const mailingModule = defineModule({
  name: 'mailing',
  messages: mailingMessages,
  nav: [
    { section: 'nav.section.mailing', label: 'mailing.nav.campaigns', href: '/mailing/campagnes', permission: 'mailing:write', order: 1 },
    { section: 'nav.section.mailing', label: 'mailing.nav.lists', href: '/mailing/listes', permission: 'mailing:write', order: 2 },
    { section: 'nav.section.mailing', label: 'mailing.nav.templates', href: '/mailing/modeles', permission: 'mailing:write', order: 3 },
    { section: 'nav.section.mailing', label: 'mailing.nav.letters', href: '/mailing/courriers', permission: 'mailing:write', order: 4 },
    { section: 'nav.section.mailing', label: 'mailing.settings', href: '/mailing/reglages', permission: 'mailing:admin', order: 5 },
  ],
  web: (app, ctx) => {
    readMailingConfig(); // a wrong MAILING_* value stops the start with its name, not each request
    appContext = ctx;
    mountRoutes(app, ctx, mailingWebRoutes);
    // The inbound SMTP listener for DSNs runs with the application when configured.
    app.addHook('onReady', async () => {
      const cfg = readMailingConfig();
      if (cfg.bouncePort !== undefined && !listener) listener = await startBounceListener(ctx.db, cfg, ctx.config.sessionSecret, app.log);
    });
    app.addHook('onClose', async () => {
      await listener?.close();
      listener = undefined;
      closeTransports();
    });
  },
  api: (app, ctx) => mountRoutes(app, ctx, mailingApiRoutes),
  jobs: {
    'mailing.send': async (payload: { campaignId: number }, job) => {
      if (!appContext) throw new Error('mailing: the application context is not ready');
      return sendJob(job.db, await sendDeps(appContext), payload.campaignId, 20_000, job.signal);
    },
    'mailing.tick': async (_payload, job) => ({ queued: await tick(job.db, readMailingConfig().leaseSeconds) }),
  },
  schedules: [{ kind: 'mailing.tick', everySeconds: 15 }],
  panels: [companyPanel],
  seedDemo: seedMailingDemo,
});

/** The command line (`mailing send --campaign N`): sends until the campaign is finished, taking it over from a dead sender. */
export async function sendCampaignFromCli(ctx: ModuleContext, campaignId: number, log: (line: string) => void): Promise<string> {
  const db: MailingDb = ctx.db;
  try {
    return await sendUntilDone(db, await sendDeps(ctx), campaignId, log);
  } finally {
    closeTransports();
  }
}
