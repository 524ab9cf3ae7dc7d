// Builds and sends the monthly report (the schedule's job): the dashboard of the month as HTML
// (mail body and archive) and PDF (attached), to every subscriber through the outbox, archived
// once per month (unique month: several instances or a retry never send it twice).
import { renderToString } from 'preact-render-to-string';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import { formatMonth, formatNumber, type Locale } from '../../platform/i18n/index.js';
import type { ModuleContext } from '../../platform/module.js';
import type { ViewContext } from '../../platform/ui/view-context.js';
import { holidays } from '../leave/index.js';
import { dashboard } from './dashboard.service.js';
import { statsMessages } from './messages.js';
import { reportPdf } from './pdf.js';
import { archiveReport, findReport, reportDue, subscribers } from './report.service.js';
import type { StatsDb } from './stats.table.js';
import { formatValue, kpiLabel, ReportBody } from './views/pages.js';

function translator(locale: Locale) {
  const cat = statsMessages[locale] as Record<string, string>;
  const fr = statsMessages.fr as Record<string, string>;
  return (key: string, params?: Record<string, string | number | null | undefined>) => (cat[key] ?? fr[key] ?? key).replace(/\{(\w+)\}/g, (_, n: string) => String(params?.[n] ?? ''));
}

function mailView(locale: Locale, cciName: string): ViewContext {
  return { t: translator(locale), locale, actor: SYSTEM_ACTOR, csrf: '', nav: [], demo: false, cciName, flashes: [], path: '/', warnings: [] };
}

const isHoliday = (day: string) => holidays(Number(day.slice(0, 4))).some((h) => h.date === day);

/** Builds the report of `month`, archives it and queues one mail per subscriber; null if already done. */
export async function sendMonthlyReport(ctx: ModuleContext, month: string): Promise<{ month: string; recipients: number } | null> {
  const db: StatsDb = ctx.db;
  if (await findReport(db, month)) return null;
  const cciName = await ctx.settings.get('cci.name');
  const d = await dashboard(ctx.reads, ctx.kpis, null, month);
  const view = mailView('fr', cciName);
  const t = view.t;
  const monthName = formatMonth(month, 'fr');
  const html = renderToString(<ReportBody ctx={view} d={d} />);
  const pdf = await reportPdf(d, {
    title: t('stats.report.title', { month: monthName }),
    cciName,
    usageTitle: t('stats.usage'),
    kpiTitle: t('stats.kpis'),
    columns: [t('stats.col.figure'), formatMonth(d.month, 'fr'), formatMonth(d.previous, 'fr'), formatMonth(d.lastYear, 'fr')],
    area: (a) => t(`stats.area.${a}`),
    metric: (m) => t(`stats.metric.${m}`),
    kpi: (label) => label.fr,
    value: (n, unit) => formatValue(n, unit, 'fr').replace(/[\u202f\u00a0]/g, ' '),
    empty: t('stats.kpis.none'),
  });
  const people = await subscribers(db);
  return db.transaction().execute(async (trx) => {
    if (!(await archiveReport(trx, { month, html, pdf, recipients: people.length }))) return null;
    const archive = `${ctx.config.publicUrl}/statistiques/rapports/${month}`;
    for (const p of people) {
      const pt = translator(p.locale === 'en' ? 'en' : 'fr');
      const m = formatMonth(month, p.locale === 'en' ? 'en' : 'fr');
      const lines = [pt('stats.report.intro', { cci: cciName }), '', ...d.usage.map((u) => `${pt(`stats.area.${u.area}`)} — ${pt(`stats.metric.${u.metric}`)} : ${formatNumber(u.current, 'fr')}`), '', ...d.kpis.map((k) => `${kpiLabel(view, k)} : ${formatValue(k.current, k.unit, 'fr')}`), '', pt('stats.report.link', { url: archive })];
      await ctx.mailer.queue(trx, {
        to: p.email,
        subject: pt('stats.report.subject', { month: m }),
        text: lines.join('\n'),
        html: `<p>${escapeHtml(pt('stats.report.intro', { cci: cciName }))}</p>${html}<p><a href="${escapeHtml(archive)}">${escapeHtml(archive)}</a></p>`,
        attachments: [{ filename: `rapport-statistique-${month}.pdf`, contentType: 'application/pdf', content: pdf }],
      });
    }
    return { month, recipients: people.length };
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The hourly schedule: on the first working day of a month, the report of the month before. */
export async function monthlyReportJob(ctx: ModuleContext, now: Date): Promise<{ month: string; recipients: number } | null> {
  const month = reportDue(now, isHoliday);
  return month ? sendMonthlyReport(ctx, month) : null;
}
