// Statistics pages: the dashboard (usage and activity, each figure with its month, the previous
// month and the same month last year: an SVG chart with the same numbers in the table beside it),
// the archive of monthly reports, the public opt-out page; and the report's body (mail and archive).
import type { ComponentChildren } from 'preact';
import { formatDateTime, formatMoney, formatMonth, formatNumber, type Locale } from '../../../platform/i18n/index.js';
import { ButtonLink, Field, PostButton, Table } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { change, type Dashboard, type KpiRow, type TopList, type UsageRow } from '../dashboard.service.js';
import type { Report } from '../stats.table.js';

export function formatValue(n: number, unit: string, locale: Locale): string {
  if (unit === 'cents') return formatMoney(n, locale);
  if (unit === 'percent') return `${formatNumber(n, locale)} %`;
  return formatNumber(n, locale);
}

function Change({ ctx, current, before }: { ctx: ViewContext; current: number; before: number }) {
  const c = change(current, before);
  if (c === null) return <span class="muted">{ctx.t('stats.none')}</span>;
  return <span class={c > 0 ? 'stats-up' : c < 0 ? 'stats-down' : undefined}>{`${c > 0 ? '+' : ''}${formatNumber(c, ctx.locale)} %`}</span>;
}

interface Series {
  label: string;
  current: number;
  previous: number;
  lastYear: number;
}

/**
 * Horizontal grouped bars: for each figure, this month, the previous month and a year before.
 * role="img" with a title naming what it compares; every number is in the table beside it.
 */
export function CompareChart({ ctx, id, title, series, months }: { ctx: ViewContext; id: string; title: string; series: Series[]; months: [string, string, string] }) {
  const max = Math.max(1, ...series.flatMap((s) => [s.current, s.previous, s.lastYear]));
  const labelW = 170;
  const barH = 9;
  const groupH = 3 * barH + 12;
  const width = 420;
  const height = series.length * groupH + 10;
  const w = (v: number) => Math.max(v > 0 ? 1 : 0, Math.round((v / max) * (width - labelW - 10)));
  return (
    <figure class="stats-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title`} class="chart-svg">
        <title id={`${id}-title`}>{title}</title>
        {series.map((s, i) => {
          const y = i * groupH + 4;
          return (
            <g>
              <text x={0} y={y + barH * 2} class="chart-label">
                {s.label.slice(0, 30)}
              </text>
              <rect x={labelW} y={y} width={w(s.current)} height={barH} class="chart-bar chart-bar-0" />
              <rect x={labelW} y={y + barH} width={w(s.previous)} height={barH} class="chart-bar chart-bar-1" />
              <rect x={labelW} y={y + 2 * barH} width={w(s.lastYear)} height={barH} class="chart-bar chart-bar-2" />
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="chart-legend">
          {months.map((m, j) => (
            <li>
              <span class={`chart-key chart-bar-${j}`} aria-hidden="true" /> {formatMonth(m, ctx.locale)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

function CompareTable<T extends Series>({ ctx, caption, rows, unit }: { ctx: ViewContext; caption: string; rows: (T & { unit?: string })[]; unit?: string }) {
  const t = ctx.t;
  const v = (n: number, r: { unit?: string }) => formatValue(n, r.unit ?? unit ?? 'count', ctx.locale);
  return (
    <Table
      ctx={ctx}
      caption={caption}
      rows={rows}
      columns={[
        { label: t('stats.col.figure'), cell: (r) => r.label, rowHeader: true },
        { label: t('stats.col.current'), cell: (r) => v(r.current, r), numeric: true },
        { label: t('stats.col.previous'), cell: (r) => v(r.previous, r), numeric: true },
        { label: t('stats.col.change'), cell: (r) => <Change ctx={ctx} current={r.current} before={r.previous} />, numeric: true },
        { label: t('stats.col.last_year'), cell: (r) => v(r.lastYear, r), numeric: true },
        { label: t('stats.col.change'), cell: (r) => <Change ctx={ctx} current={r.current} before={r.lastYear} />, numeric: true },
      ]}
    />
  );
}

function topValue(ctx: ViewContext, list: TopList, value: string): string {
  if (list.dim === 'device') return ctx.t(`stats.device.${value}`);
  if (list.dim === 'size') return ctx.t(`stats.size.${value}`);
  if (list.dim === 'sector' && value === 'unknown') return ctx.t('stats.sector.unknown');
  return value;
}

export function kpiLabel(ctx: ViewContext, k: KpiRow): string {
  return `${ctx.locale === 'en' ? k.label.en : k.label.fr}${k.group ? ` — ${k.group}` : ''}`;
}

function UsageSection({ ctx, d }: { ctx: ViewContext; d: Dashboard }) {
  const t = ctx.t;
  const months: [string, string, string] = [d.month, d.previous, d.lastYear];
  return (
    <section aria-labelledby="stats-usage">
      <h2 id="stats-usage">{t('stats.usage')}</h2>
      {(['public', 'intranet', 'extranet'] as const).map((area) => {
        const rows = d.usage.filter((u: UsageRow) => u.area === area).map((u) => ({ ...u, label: t(`stats.metric.${u.metric}`) }));
        const areaName = t(`stats.area.${area}`);
        return (
          <div class="stats-block">
            <h3>{t('stats.usage.caption', { area: areaName })}</h3>
            <div class="stats-pair">
              <CompareChart ctx={ctx} id={`chart-${area}`} title={t('stats.chart.caption', { area: areaName, month: formatMonth(d.month, ctx.locale) })} series={rows.filter((r) => r.metric === 'views' || r.metric === 'visitors' || r.metric === 'entries')} months={months} />
              <CompareTable ctx={ctx} caption={t('stats.usage.caption', { area: areaName })} rows={rows} />
            </div>
          </div>
        );
      })}
      <div class="stats-tops">
        {d.tops.map((list) => (
          <div>
            <h3>{t(list.title)}</h3>
            <Table ctx={ctx} caption={t(list.title)} rows={list.rows} empty={t('stats.none')} columns={[{ label: t('stats.col.value'), cell: (r) => topValue(ctx, list, r.value), rowHeader: true }, { label: t('stats.col.count'), cell: (r) => formatNumber(r.count, ctx.locale), numeric: true }]} />
          </div>
        ))}
      </div>
    </section>
  );
}

function KpiSection({ ctx, d, breakdowns }: { ctx: ViewContext; d: Dashboard; breakdowns: boolean }) {
  const t = ctx.t;
  const modules = [...new Set(d.kpis.map((k) => k.module))];
  return (
    <section aria-labelledby="stats-kpis">
      <h2 id="stats-kpis">{t('stats.kpis')}</h2>
      {breakdowns ? null : <p class="hint">{t('stats.kpis.breakdown_hint')}</p>}
      {modules.length === 0 ? <p class="empty">{t('stats.kpis.none')}</p> : null}
      {modules.map((m) => {
        const rows = d.kpis.filter((k) => k.module === m).map((k) => ({ ...k, label: kpiLabel(ctx, k) }));
        const totals = rows.filter((r) => !r.group && r.unit === 'count');
        return (
          <div class="stats-block">
            <h3>{t(`stats.module.${m}`) === `stats.module.${m}` ? m : t(`stats.module.${m}`)}</h3>
            <div class="stats-pair">
              {totals.length ? <CompareChart ctx={ctx} id={`kpi-${m}`} title={`${m} — ${formatMonth(d.month, ctx.locale)}`} series={totals.slice(0, 8)} months={[d.month, d.previous, d.lastYear]} /> : null}
              <CompareTable ctx={ctx} caption={`${t('stats.kpis.caption')} : ${m}`} rows={rows} />
            </div>
          </div>
        );
      })}
    </section>
  );
}

export function DashboardPage({ ctx, d, subscribed, breakdowns }: { ctx: ViewContext; d: Dashboard; subscribed: boolean; breakdowns: boolean }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('stats.title')} wide>
      <p class="lead">{t('stats.lead')}</p>
      <form method="get" action="/statistiques" class="toolbar">
        <Field ctx={ctx} name="mois" type="text" label={t('stats.month')} value={d.month} pattern="\d{4}-\d{2}" inputmode="numeric" maxlength={7} hint="AAAA-MM" />
        <button type="submit" class="button button-secondary">
          {t('stats.show')}
        </button>
      </form>
      <div class="actions">
        {subscribed ? <p>{t('stats.is_subscribed')}</p> : null}
        <PostButton ctx={ctx} action="/statistiques/abonnement" label={t(subscribed ? 'stats.unsubscribe' : 'stats.subscribe')} fields={{ subscribe: subscribed ? '0' : '1' }} />
        <ButtonLink href="/statistiques/rapports" variant="secondary">
          {t('stats.nav.reports')}
        </ButtonLink>
      </div>
      <UsageSection ctx={ctx} d={d} />
      <KpiSection ctx={ctx} d={d} breakdowns={breakdowns} />
    </Page>
  );
}

export function ReportsPage({ ctx, reports }: { ctx: ViewContext; reports: Pick<Report, 'id' | 'month' | 'recipients' | 'created_at'>[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('stats.reports.title')} crumbs={[{ label: t('stats.title'), href: '/statistiques' }]}>
      <Table
        ctx={ctx}
        caption={t('stats.reports.caption')}
        rows={reports}
        empty={t('stats.reports.empty')}
        columns={[
          { label: t('stats.month'), cell: (r) => <a href={`/statistiques/rapports/${r.month}`}>{formatMonth(r.month, ctx.locale)}</a>, rowHeader: true },
          { label: t('stats.reports.sent_at'), cell: (r) => formatDateTime(r.created_at, ctx.locale) },
          { label: t('stats.reports.recipients'), cell: (r) => formatNumber(r.recipients, ctx.locale), numeric: true },
          { label: t('stats.reports.pdf'), cell: (r) => <a href={`/statistiques/rapports/${r.month}/pdf`}>{`${t('stats.reports.pdf')} ${formatMonth(r.month, ctx.locale)}`}</a> },
        ]}
      />
    </Page>
  );
}

/** The report's body: the same tables as the dashboard, no chart (mail clients), no script. */
export function ReportBody({ ctx, d, intro }: { ctx: ViewContext; d: Dashboard; intro?: ComponentChildren }) {
  const t = ctx.t;
  const head = (
    <tr>
      <th scope="col">{t('stats.col.figure')}</th>
      <th scope="col">{formatMonth(d.month, ctx.locale)}</th>
      <th scope="col">{formatMonth(d.previous, ctx.locale)}</th>
      <th scope="col">{formatMonth(d.lastYear, ctx.locale)}</th>
    </tr>
  );
  return (
    <div class="stats-report">
      {intro}
      <h2>{t('stats.usage')}</h2>
      <table class="table">
        <caption>{t('stats.usage')}</caption>
        <thead>{head}</thead>
        <tbody>
          {d.usage.map((u) => (
            <tr>
              <th scope="row">{`${t(`stats.area.${u.area}`)} — ${t(`stats.metric.${u.metric}`)}`}</th>
              <td class="num">{formatNumber(u.current, ctx.locale)}</td>
              <td class="num">{formatNumber(u.previous, ctx.locale)}</td>
              <td class="num">{formatNumber(u.lastYear, ctx.locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('stats.kpis')}</h2>
      <table class="table">
        <caption>{t('stats.kpis.caption')}</caption>
        <thead>{head}</thead>
        <tbody>
          {d.kpis.map((k) => (
            <tr>
              <th scope="row">{kpiLabel(ctx, k)}</th>
              <td class="num">{formatValue(k.current, k.unit, ctx.locale)}</td>
              <td class="num">{formatValue(k.previous, k.unit, ctx.locale)}</td>
              <td class="num">{formatValue(k.lastYear, k.unit, ctx.locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ReportPage({ ctx, month, html }: { ctx: ViewContext; month: string; html: string }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('stats.report.title', { month: formatMonth(month, ctx.locale) })} crumbs={[{ label: t('stats.title'), href: '/statistiques' }, { label: t('stats.reports.title'), href: '/statistiques/rapports' }]}>
      <p>
        <a href={`/statistiques/rapports/${month}/pdf`}>{`${t('stats.reports.pdf')} ${formatMonth(month, ctx.locale)}`}</a>
      </p>
      {/* The archived body was rendered (escaped) by ReportBody when the report was built. */}
      <div dangerouslySetInnerHTML={{ __html: html }} />
    </Page>
  );
}

export function PrivacyPage({ ctx, optedOut, rawDays }: { ctx: ViewContext; optedOut: boolean; rawDays: number }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('stats.privacy.title')}>
      <p>{t('stats.privacy.body', { days: rawDays })}</p>
      <p>
        <strong>{t(optedOut ? 'stats.privacy.state_out' : 'stats.privacy.state_in')}</strong>
      </p>
      <form method="post" action="/mesure-audience">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="optout" value={optedOut ? '0' : '1'} />
        <button type="submit" class="button button-primary">
          {t(optedOut ? 'stats.privacy.opt_in' : 'stats.privacy.opt_out')}
        </button>
      </form>
      <p class="hint">{t('stats.privacy.cookie_note')}</p>
    </Page>
  );
}
