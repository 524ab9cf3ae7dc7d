// Pages of the reports: the list, the builder (subject, groupings, measure, filters → table and
// chart), a saved report (sharing, schedule, exports). The chart is a server-rendered SVG whose
// alternative is the table that follows it.
import { ROLES } from '../../../platform/access/permissions.js';
import { ButtonLink, ErrorSummary, Field, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatNumber, labelValue } from '../labels.js';
import type { ReportResult } from '../reports.service.js';
import type { ReportRow } from '../reports.table.js';
import { SUBJECT_OF, SUBJECTS, type Cell, type Definition, type SubjectKey } from '../subjects.js';

const CHART_BARS = 25;

export function ReportsListPage({ ctx, reports }: { ctx: ViewContext; reports: (ReportRow & { owner_name: string })[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('reports.title')}>
      <p class="actions">
        <ButtonLink href="/rapports/nouveau">{t('reports.new')}</ButtonLink>
      </p>
      <h2>{t('reports.mine')}</h2>
      <Table<ReportRow & { owner_name: string }>
        ctx={ctx}
        caption={t('reports.mine')}
        rows={reports}
        empty={t('reports.none')}
        columns={[
          { label: t('reports.name'), rowHeader: true, cell: (r) => <a href={`/rapports/${r.id}`}>{r.name}</a> },
          { label: t('reports.subject'), cell: (r) => t(`reports.subject.${r.subject}`) },
          { label: t('reports.owner'), cell: (r) => r.owner_name },
          { label: t('reports.share_role'), cell: (r) => r.shared_role ?? '—' },
          { label: t('reports.schedule'), cell: (r) => t(`reports.schedule.${r.schedule}`) },
        ]}
      />
      <h2>{t('reports.bi')}</h2>
      <p>{t('reports.bi_text')}</p>
    </Page>
  );
}

export interface BuilderProps {
  ctx: ViewContext;
  subjects: SubjectKey[];
  input: { subject?: string; dims?: string[]; measure?: string; query?: string; from?: string; to?: string; adviser?: string; name?: string; sharedRole?: string };
  result?: ReportResult;
  errors?: Errors;
  /** editing a saved report */
  report?: ReportRow;
}

/** The builder: a GET form (preview) and, below the result, the form that saves it. */
export function BuilderPage(p: BuilderProps) {
  const { ctx, input } = p;
  const t = ctx.t;
  const subject = (SUBJECTS as readonly string[]).includes(input.subject ?? '') ? (input.subject as SubjectKey) : p.subjects[0];
  const s = subject ? SUBJECT_OF[subject] : undefined;
  const dims = input.dims ?? [];
  const hidden = (
    <>
      <input type="hidden" name="subject" value={subject} />
      {dims.filter(Boolean).map((d) => (
        <input type="hidden" name="dims" value={d} />
      ))}
      <input type="hidden" name="measure" value={input.measure ?? 'count'} />
      {input.query ? <input type="hidden" name="query" value={input.query} /> : null}
      {input.from ? <input type="hidden" name="from" value={input.from} /> : null}
      {input.to ? <input type="hidden" name="to" value={input.to} /> : null}
      {input.adviser ? <input type="hidden" name="adviser" value={input.adviser} /> : null}
    </>
  );
  return (
    <Page ctx={ctx} title={p.report ? p.report.name : t('reports.builder')} crumbs={[{ label: t('reports.title'), href: '/rapports' }, { label: p.report ? p.report.name : t('reports.builder') }]}>
      <ErrorSummary ctx={ctx} errors={p.errors} labels={{ subject: t('reports.subject'), dims: t('reports.dims'), measure: t('reports.measure'), from: t('reports.from'), to: t('reports.to'), name: t('reports.name'), query: t('reports.query'), adviser: t('reports.adviser'), shared_role: t('reports.share_role') }} />
      <form method="get" action={p.report ? `/rapports/${p.report.id}/modifier` : '/rapports/nouveau'} class="report-builder">
        <Select ctx={ctx} name="subject" label={t('reports.subject')} value={subject} errors={p.errors} options={p.subjects.map((k) => ({ value: k, label: t(`reports.subject.${k}`) }))} />
        {s ? (
          <>
            <Select ctx={ctx} name="dims" id="f-dim1" label={t('reports.dim1')} value={dims[0] ?? s.dimensions[0]} errors={p.errors} options={s.dimensions.map((d) => ({ value: d, label: t(`reports.dim.${d}`) }))} />
            <Select ctx={ctx} name="dims" id="f-dim2" label={t('reports.dim2')} value={dims[1] ?? ''} empty={t('reports.dim.none')} options={s.dimensions.map((d) => ({ value: d, label: t(`reports.dim.${d}`) }))} />
            <Select ctx={ctx} name="measure" label={t('reports.measure')} value={input.measure ?? 'count'} errors={p.errors} options={s.measures.map((m) => ({ value: m, label: t(`reports.measure.${m}`) }))} />
            <fieldset>
              <legend>{t('reports.filters')}</legend>
              {s.filters.includes('query') ? <Field ctx={ctx} name="query" label={t('reports.query')} hint={t('reports.query_hint')} value={input.query ?? ''} errors={p.errors} maxlength={2000} /> : null}
              {s.filters.includes('from') ? <Field ctx={ctx} name="from" type="date" label={t('reports.from')} value={input.from ?? ''} errors={p.errors} /> : null}
              {s.filters.includes('to') ? <Field ctx={ctx} name="to" type="date" label={t('reports.to')} value={input.to ?? ''} errors={p.errors} /> : null}
              {s.filters.includes('adviser') ? <Field ctx={ctx} name="adviser" label={t('reports.adviser')} value={input.adviser ?? ''} errors={p.errors} inputmode="numeric" maxlength={9} /> : null}
            </fieldset>
          </>
        ) : null}
        <p class="actions">
          <button type="submit" class="button button-secondary">{t('reports.preview')}</button>
        </p>
      </form>
      {p.result ? <ResultView ctx={ctx} result={p.result} /> : null}
      {subject ? (
        <form method="post" action={p.report ? `/rapports/${p.report.id}` : '/rapports'} class="report-save">
          <CsrfField ctx={ctx} />
          {hidden}
          {p.report ? <input type="hidden" name="version" value={String(p.report.version)} /> : null}
          <Field ctx={ctx} name="name" label={t('reports.name')} value={input.name ?? ''} errors={p.errors} required maxlength={120} />
          <Select ctx={ctx} name="shared_role" label={t('reports.share_role')} value={input.sharedRole ?? ''} errors={p.errors} empty={t('reports.share_none')} options={ROLES.map((r) => ({ value: r, label: r }))} />
          <p class="actions">
            <button type="submit" class="button button-primary">{p.report ? t('reports.save_changes') : t('reports.save')}</button>
          </p>
        </form>
      ) : null}
    </Page>
  );
}

export function ResultView({ ctx, result }: { ctx: ViewContext; result: ReportResult }) {
  const t = ctx.t;
  const { def } = result;
  const label = (c: Cell) => c.keys.map((k, i) => labelValue(def.dims[i], k, t, ctx.locale)).join(' · ');
  return (
    <section aria-labelledby="report-result-title" class="report-result">
      <h2 id="report-result-title">{t('reports.result')}</h2>
      {def.measure === 'count' ? <p>{t('reports.total', { n: formatNumber(result.total, ctx.locale) })}</p> : null}
      {result.rows.length ? <BarChart ctx={ctx} rows={result.rows.slice(0, CHART_BARS)} label={label} measure={t(`reports.measure.${def.measure}`)} /> : null}
      {result.truncated ? <p class="hint">{t('reports.truncated', { n: result.rows.length })}</p> : null}
      <Table<Cell>
        ctx={ctx}
        caption={t('reports.result')}
        rows={result.rows}
        columns={[
          ...def.dims.map((d, i) => ({ label: t(`reports.dim.${d}`), rowHeader: i === 0, cell: (c: Cell) => labelValue(d, c.keys[i], t, ctx.locale) })),
          { label: t(`reports.measure.${def.measure}`), numeric: true, cell: (c: Cell) => formatNumber(c.value, ctx.locale) },
        ]}
      />
    </section>
  );
}

/** Horizontal bars, server-rendered; the table after it is its text alternative. */
export function BarChart({ ctx, rows, label, measure }: { ctx: ViewContext; rows: Cell[]; label: (c: Cell) => string; measure: string }) {
  const t = ctx.t;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const barH = 22;
  const labelW = 260;
  const chartW = 420;
  const height = rows.length * barH + 10;
  return (
    <figure class="report-chart">
      <svg role="img" aria-labelledby="report-chart-title report-chart-desc" viewBox={`0 0 ${labelW + chartW + 90} ${height}`} width="100%" preserveAspectRatio="xMinYMin meet">
        <title id="report-chart-title">{`${t('reports.chart')} — ${measure}`}</title>
        <desc id="report-chart-desc">{t('reports.chart_desc', { n: rows.length })}</desc>
        {rows.map((r, i) => {
          const w = Math.max(1, Math.round((Math.max(0, r.value) / max) * chartW));
          const y = i * barH + 5;
          const text = label(r);
          return (
            <g>
              <text x={labelW - 6} y={y + barH / 2 + 4} text-anchor="end" class="report-chart-label">
                {text.length > 38 ? text.slice(0, 37) + '…' : text}
              </text>
              <rect x={labelW} y={y + 3} width={w} height={barH - 6} class="report-bar" />
              <text x={labelW + w + 6} y={y + barH / 2 + 4} class="report-chart-value">
                {formatNumber(r.value, ctx.locale)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export interface ReportPageProps {
  ctx: ViewContext;
  report: ReportRow & { recipientEmails: string[] };
  result: ReportResult;
  canManage: boolean;
  errors?: Errors;
  schedule?: { schedule: string; recipients: string };
}

export function ReportPage(p: ReportPageProps) {
  const { ctx, report, result } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={report.name} crumbs={[{ label: t('reports.title'), href: '/rapports' }, { label: report.name }]}>
      <p>
        {t(`reports.subject.${report.subject}`)} — {result.def.dims.map((d) => t(`reports.dim.${d}`)).join(' × ')} — {t(`reports.measure.${result.def.measure}`)}
        {result.def.filters.query ? <> — <code>{result.def.filters.query}</code></> : null}
        {result.def.filters.from || result.def.filters.to ? <> — {result.def.filters.from ?? '…'} → {result.def.filters.to ?? '…'}</> : null}
      </p>
      <p class="actions">
        <a class="button button-secondary" href={`/rapports/${report.id}/export.csv`}>{t('reports.export_csv')}</a>{' '}
        <a class="button button-secondary" href={`/rapports/${report.id}/export.xlsx`}>{t('reports.export_xlsx')}</a>{' '}
        {p.canManage ? <ButtonLink href={`/rapports/${report.id}/modifier`} variant="secondary">{t('reports.edit')}</ButtonLink> : null}
      </p>
      <ResultView ctx={ctx} result={result} />
      {p.canManage ? (
        <>
          <section aria-labelledby="report-schedule-title">
            <h2 id="report-schedule-title">{t('reports.schedule')}</h2>
            <form method="post" action={`/rapports/${report.id}/planification`}>
              <CsrfField ctx={ctx} />
              <ErrorSummary ctx={ctx} errors={p.errors} labels={{ schedule: t('reports.schedule'), recipients: t('reports.recipients') }} />
              <Select ctx={ctx} name="schedule" label={t('reports.schedule')} value={p.schedule?.schedule ?? report.schedule} errors={p.errors} options={['none', 'weekly', 'monthly'].map((v) => ({ value: v, label: t(`reports.schedule.${v}`) }))} />
              <Field ctx={ctx} name="recipients" label={t('reports.recipients')} hint={t('reports.recipients_hint')} value={p.schedule?.recipients ?? report.recipientEmails.join(', ')} errors={p.errors} maxlength={4000} />
              <p class="actions">
                <button type="submit" class="button button-primary">{t('reports.schedule_save')}</button>
              </p>
            </form>
          </section>
          <PostButton ctx={ctx} action={`/rapports/${report.id}/supprimer`} label={t('reports.delete')} variant="danger" confirm={t('reports.delete_confirm')} />
        </>
      ) : null}
    </Page>
  );
}
