// The reports module (issue #17, BI): a report builder over subjects contributed by the owning
// modules (registry establishments, CRM visits and deals, extranet requests), each run with the
// viewer's permissions; table + accessible SVG chart; save, share with a role, schedule by e-mail,
// export CSV/XLSX; the API; read-only reporting views on PostgreSQL. See README.md.
import { writeExport, fromArray } from '../../platform/export.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule, type ModuleContext } from '../../platform/module.js';
import { PassThrough } from 'node:stream';
import { formatNumber, labelValue } from './labels.js';
import { reportsMessages } from './messages.js';
import { reportsApiRoutes, reportsWebRoutes } from './reports.routes.js';
import { createReport, sendDueReports, type ReportResult } from './reports.service.js';
import { demoActor } from '../../platform/seed.js';
import type { ReportRow, ReportsDb } from './reports.table.js';
import { exportColumns } from './reports.web.js';

// The sending job receives the database only; the mailer and public URL are the app's.
const contexts = new WeakMap<object, ModuleContext>();

function translator(locale: string) {
  const m = (locale === 'en' ? reportsMessages.en : reportsMessages.fr) as Record<string, string>;
  return (key: string, params: Record<string, string | number> = {}) => (m[key] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** A report as an e-mail: the first 50 rows as text, every row as a CSV attachment. */
async function renderMail(ctx: ModuleContext, r: ReportRow, result: ReportResult, locale: string) {
  const t = translator(locale);
  const lines = result.rows.slice(0, 50).map((c) => `${c.keys.map((k, i) => labelValue(result.def.dims[i], k, t, locale)).join(' · ')} : ${formatNumber(c.value, locale)}`);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  await writeExport('csv', fromArray(result.rows), exportColumns(result, t, locale), out);
  return {
    subject: t('reports.mail_subject', { name: r.name }),
    text: [t('reports.mail_intro', { name: r.name, date: new Date().toISOString().slice(0, 10) }), '', ...lines, '', t('reports.mail_link', { url: `${ctx.config.publicUrl}/rapports/${r.id}` })].join('\n'),
    csv: Buffer.concat(chunks),
  };
}

export const reportsModule = defineModule({
  name: 'reports',
  messages: reportsMessages,
  nav: [{ section: 'nav.section.portal', label: 'reports.nav', href: '/rapports', permission: 'reports:use', order: 40 }],
  web: (app, ctx) => {
    contexts.set(ctx.db, ctx);
    mountRoutes(app, ctx, reportsWebRoutes);
  },
  api: (app, ctx) => mountRoutes(app, ctx, reportsApiRoutes),
  jobs: {
    'reports.send_due': async (_payload: unknown, { db }) => {
      const ctx = contexts.get(db);
      if (!ctx) return { skipped: 'no app context' };
      const reportsDb: ReportsDb = db;
      return sendDueReports(reportsDb, ctx.reads, ctx.mailer, (r, result, locale) => renderMail(ctx, r, result, locale));
    },
  },
  schedules: [{ kind: 'reports.send_due', everySeconds: 3600 }],
  async seedDemo(ctx, log) {
    const db: ReportsDb = ctx.db;
    const manager = await demoActor(db, 'manager@demo.cci.fr');
    if (!manager) return;
    await db.transaction().execute((trx) =>
      createReport(trx, manager, { name: 'Établissements actifs par section NAF et département', subject: 'establishments', dims: ['section', 'department'], measure: 'count', sharedRole: 'direction' }),
    );
    await db.transaction().execute((trx) => createReport(trx, manager, { name: 'Affaires par étape (montants)', subject: 'deals', dims: ['stage'], measure: 'sum_amount', sharedRole: 'manager' }));
    await db.transaction().execute((trx) => createReport(trx, manager, { name: 'Visites par mois et par conseiller', subject: 'visits', dims: ['month', 'adviser'], measure: 'count', sharedRole: 'adviser' }));
    log('Rapports : trois rapports du responsable, partagés avec la direction, les responsables et les conseillers.');
  },
});
