// Statistics handlers, listed with their access in stats.routes.ts: the dashboard, the reports
// and the subscription (stats:read), and the public audience-measurement page with its opt-out.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalid } from '../../platform/errors.js';
import { str } from '../../platform/http/forms.js';
import { cookieOptions } from '../../platform/http/lifecycle.js';
import type { ModuleContext } from '../../platform/module.js';
import { OPT_OUT_COOKIE } from './classify.js';
import { dashboard } from './dashboard.service.js';
import { isMonth, parisMonth } from './periods.js';
import { mayReadBreakdowns } from './policy.js';
import { getReport, isSubscribed, listReports, setSubscription } from './report.service.js';
import type { StatsDb } from './stats.table.js';
import { DashboardPage, PrivacyPage, ReportPage, ReportsPage } from './views/pages.js';

type Ctx = ModuleContext<StatsDb>;

function monthOf(req: FastifyRequest, name = 'mois'): string {
  const raw = (req.query as Record<string, unknown>)[name];
  if (raw === undefined || raw === '') return parisMonth(Date.now());
  if (!isMonth(raw)) throw invalid('stats.month_invalid', { mois: 'stats.month_invalid' });
  return raw;
}

function monthParam(req: FastifyRequest): string {
  const m = (req.params as Record<string, string>).month;
  if (!isMonth(m)) throw invalid('stats.month_invalid', { month: 'stats.month_invalid' });
  return m;
}

export async function handleDashboard(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const month = monthOf(req);
  const d = await dashboard(ctx.reads, ctx.kpis, req.actor, month);
  const subscribed = req.actor.id !== null && (await isSubscribed(ctx.db, req.actor.id));
  return reply.render(<DashboardPage ctx={req.view()} d={d} subscribed={subscribed} breakdowns={mayReadBreakdowns(req.actor)} />);
}

export async function handleSubscription(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const subscribe = str(req.body, 'subscribe', 1) === '1';
  await db.transaction().execute((trx) => setSubscription(trx, req.actor, subscribe));
  reply.flash('success', subscribe ? 'stats.subscribed' : 'stats.unsubscribed');
  return reply.redirect('/statistiques');
}

export async function handleReports(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ReportsPage ctx={req.view()} reports={await listReports(db)} />);
}

export async function handleReport(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const r = await getReport(db, monthParam(req));
  return reply.render(<ReportPage ctx={req.view()} month={r.month} html={r.html} />);
}

export async function handleReportPdf(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const r = await getReport(db, monthParam(req));
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="rapport-statistique-${r.month}.pdf"`)
    .header('cache-control', 'private, no-store')
    .send(Buffer.from(r.pdf_base64, 'base64'));
}

export async function handlePrivacy(req: FastifyRequest, reply: FastifyReply, { config }: Ctx) {
  return reply.render(<PrivacyPage ctx={req.view({ shell: req.actor.kind === 'staff' ? 'staff' : 'public', nav: req.actor.kind === 'staff' ? req.view().nav : [] })} optedOut={req.cookies[OPT_OUT_COOKIE] === '1'} rawDays={config.statsRawDays} />);
}

export async function handleOptOut(req: FastifyRequest, reply: FastifyReply, { config }: Ctx) {
  const out = str(req.body, 'optout', 1) === '1';
  if (out) reply.setCookie(OPT_OUT_COOKIE, '1', cookieOptions(config, 365 * 86400));
  else reply.clearCookie(OPT_OUT_COOKIE, { path: '/' });
  reply.flash('success', out ? 'stats.privacy.done_out' : 'stats.privacy.done_in');
  return reply.redirect('/mesure-audience');
}
