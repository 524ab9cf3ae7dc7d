// Management reports: tables and simple bar charts drawn as inline SVG on the server (no script).
import { Field, Select, type Option } from '../../../platform/ui/components.js';
import { Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { Reports } from '../reports.service.js';
import { crmCrumbs, money, monthLabel } from './common.js';

/** Horizontal bars, one per row; the numbers are also in the table next to it. */
export function BarChart({ title, rows, format }: { title: string; rows: { label: string; value: number; second?: number }[]; format: (n: number) => string }) {
  const max = Math.max(1, ...rows.map((r) => Math.max(r.value, r.second ?? 0)));
  const rowH = rows.some((r) => r.second !== undefined) ? 34 : 24;
  const labelW = 170;
  const barW = 300;
  const h = rows.length * rowH + 8;
  return (
    <figure class="crm-chart">
      <svg viewBox={`0 0 ${labelW + barW + 110} ${h}`} role="img" aria-label={title} width="100%" preserveAspectRatio="xMinYMin meet">
        <title>{title}</title>
        {rows.map((r, i) => {
          const y = 4 + i * rowH;
          const w = Math.round((r.value / max) * barW);
          const w2 = r.second !== undefined ? Math.round((r.second / max) * barW) : 0;
          return (
            <g>
              <text x={labelW - 6} y={y + 14} text-anchor="end" class="crm-chart-label">
                {r.label.length > 24 ? r.label.slice(0, 23) + '…' : r.label}
              </text>
              <rect x={labelW} y={y + 3} width={Math.max(w, 1)} height={r.second !== undefined ? 13 : 16} class="crm-bar" />
              <text x={labelW + Math.max(w, 1) + 4} y={y + 14} class="crm-chart-value">
                {format(r.value)}
              </text>
              {r.second !== undefined ? (
                <>
                  <rect x={labelW} y={y + 17} width={Math.max(w2, 1)} height={13} class="crm-bar crm-bar-second" />
                  <text x={labelW + Math.max(w2, 1) + 4} y={y + 28} class="crm-chart-value">
                    {format(r.second)}
                  </text>
                </>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="visually-hidden">{title}</figcaption>
    </figure>
  );
}

export interface ReportFilterValues {
  from: string;
  to: string;
  team: string;
  department: string;
  naf: string;
}

function exportQuery(f: ReportFilterValues, report: string, format: string): string {
  const q = new URLSearchParams({ ...f, report, format });
  return `/crm/rapports/export?${q.toString()}`;
}

function Exports({ ctx, f, report }: { ctx: ViewContext; f: ReportFilterValues; report: string }) {
  return (
    <p class="crm-exports">
      <a href={exportQuery(f, report, 'csv')}>{ctx.t('common.export_csv')}</a> · <a href={exportQuery(f, report, 'xlsx')}>{ctx.t('common.export_xlsx')}</a>
    </p>
  );
}

function Grid({ caption, head, rows }: { caption: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={caption}>
      <table class="table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th scope="col" class={i > 0 ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              {r.map((c, i) => (i === 0 ? <th scope="row">{c}</th> : <td class="num">{c}</td>))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The rows of each report as plain values (the page, CSV and XLSX share them). */
export function reportTables(ctx: ViewContext, r: Reports): Record<string, { title: string; head: string[]; rows: (string | number)[][] }> {
  const t = ctx.t;
  const name = new Map(r.advisers.map((a) => [a.id, a.name]));
  const eur = (c: number) => money(ctx, c);
  return {
    visits: {
      title: t('crm.reports.visits'),
      head: [t('crm.portfolio.adviser'), ...r.months.map((m) => monthLabel(ctx, m)), t('crm.deal.total')],
      rows: r.visitsPerAdviser.map((v) => [name.get(v.adviserId) ?? '', ...r.months.map((m) => v.perMonth[m] ?? 0), v.total]),
    },
    coverage: {
      title: t('crm.reports.coverage'),
      head: [t('crm.portfolio.adviser'), t('crm.reports.portfolio_size'), t('crm.reports.visited_in_portfolio'), t('crm.reports.companies_visited')],
      rows: r.coverage.map((c) => [name.get(c.adviserId) ?? '', c.portfolio, c.visitedInPortfolio, c.companiesVisited]),
    },
    stages: {
      title: t('crm.reports.pipeline_stage'),
      head: [t('crm.deal.stage'), t('crm.deal.count'), t('crm.deal.amount'), t('crm.deal.weighted')],
      rows: r.pipelineByStage.map((s) => [s.label, s.count, eur(s.amountCents), eur(s.weightedCents)]),
    },
    services: {
      title: t('crm.reports.pipeline_service'),
      head: [t('crm.deal.service'), t('crm.deal.count'), t('crm.deal.amount'), t('crm.deal.weighted')],
      rows: r.pipelineByService.map((s) => [s.service || t('common.none'), s.count, eur(s.amountCents), eur(s.weightedCents)]),
    },
    wonlost: {
      title: t('crm.reports.won_lost'),
      head: [t('crm.deal.month'), t('crm.reports.won'), t('crm.reports.won_amount'), t('crm.reports.lost'), t('crm.reports.lost_amount')],
      rows: r.wonLost.map((w) => [monthLabel(ctx, w.month), w.won, eur(w.wonCents), w.lost, eur(w.lostCents)]),
    },
    reasons: {
      title: t('crm.reports.lost_reasons'),
      head: [t('crm.deal.lost_reason'), t('crm.deal.count')],
      rows: r.lostReasons.map((x) => [x.reason || '—', x.count]),
    },
  };
}

export function ReportsPage({ ctx, r, f, teams, departments, sections }: { ctx: ViewContext; r: Reports; f: ReportFilterValues; teams: Option[]; departments: Option[]; sections: Option[] }) {
  const t = ctx.t;
  const tables = reportTables(ctx, r);
  const name = new Map(r.advisers.map((a) => [a.id, a.name]));
  const n = (x: number) => String(x);
  const eur = (c: number) => money(ctx, c);
  return (
    <Page ctx={ctx} title={t('crm.reports.title')} crumbs={crmCrumbs(ctx, { label: t('crm.reports.title') })}>
      <form method="get" action="/crm/rapports" class="toolbar" aria-label={t('common.filter')}>
        <Field ctx={ctx} name="from" type="text" pattern="\d{4}-\d{2}" label={t('crm.reports.from')} hint="AAAA-MM" value={f.from} />
        <Field ctx={ctx} name="to" type="text" pattern="\d{4}-\d{2}" label={t('crm.reports.to')} hint="AAAA-MM" value={f.to} />
        <Select ctx={ctx} name="team" label={t('crm.reports.team')} value={f.team} empty={t('common.all')} options={teams} />
        <Select ctx={ctx} name="department" label={t('crm.reports.department')} value={f.department} empty={t('common.all')} options={departments} />
        <Select ctx={ctx} name="naf" label={t('crm.reports.naf')} value={f.naf} empty={t('common.all')} options={sections} />
        <button type="submit" class="button button-secondary">
          {t('common.filter')}
        </button>
      </form>

      <h2>{tables.visits.title}</h2>
      <BarChart title={tables.visits.title} rows={r.visitsPerAdviser.map((v) => ({ label: name.get(v.adviserId) ?? '', value: v.total }))} format={n} />
      <Grid caption={tables.visits.title} head={tables.visits.head} rows={tables.visits.rows} />
      <Exports ctx={ctx} f={f} report="visits" />

      <h2>{tables.coverage.title}</h2>
      <BarChart title={tables.coverage.title} rows={r.coverage.map((c) => ({ label: name.get(c.adviserId) ?? '', value: c.portfolio, second: c.visitedInPortfolio }))} format={n} />
      <p class="hint">{t('crm.reports.coverage_legend')}</p>
      <Grid caption={tables.coverage.title} head={tables.coverage.head} rows={tables.coverage.rows} />
      <Exports ctx={ctx} f={f} report="coverage" />

      <h2>{tables.stages.title}</h2>
      <BarChart title={tables.stages.title} rows={r.pipelineByStage.map((s) => ({ label: s.label, value: s.amountCents, second: s.weightedCents }))} format={eur} />
      <p class="hint">{t('crm.reports.amount_legend')}</p>
      <Grid caption={tables.stages.title} head={tables.stages.head} rows={tables.stages.rows} />
      <Exports ctx={ctx} f={f} report="stages" />

      <h2>{tables.services.title}</h2>
      <BarChart title={tables.services.title} rows={r.pipelineByService.map((s) => ({ label: s.service || t('common.none'), value: s.amountCents, second: s.weightedCents }))} format={eur} />
      <Grid caption={tables.services.title} head={tables.services.head} rows={tables.services.rows} />
      <Exports ctx={ctx} f={f} report="services" />

      <h2>{tables.wonlost.title}</h2>
      <BarChart title={tables.wonlost.title} rows={r.wonLost.map((w) => ({ label: monthLabel(ctx, w.month), value: w.won, second: w.lost }))} format={n} />
      <p class="hint">{t('crm.reports.wonlost_legend')}</p>
      <Grid caption={tables.wonlost.title} head={tables.wonlost.head} rows={tables.wonlost.rows} />
      <Exports ctx={ctx} f={f} report="wonlost" />

      <h2>{tables.reasons.title}</h2>
      <Grid caption={tables.reasons.title} head={tables.reasons.head} rows={tables.reasons.rows} />
      <Exports ctx={ctx} f={f} report="reasons" />
    </Page>
  );
}
