// Steering pages: scenarios side by side (table + chart), one scenario with its lines, the action
import type { ComponentChildren } from 'preact';
// plan (an SVG timeline with the same facts in a table), a project, the committee's decisions.
import { formatDate, formatMoney, formatNumber } from '../../../platform/i18n/index.js';
import { Badge, ErrorSummary, Facts, Field, PostButton, Select, Table, Choices, type Errors, type Option } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { Figures } from '../figures.js';
import type { PlanView } from '../plan.service.js';
import type { ScenarioView } from '../scenario.service.js';
import { LINE_KINDS, PROJECT_STATUSES, type Decision, type Milestone, type ProjectRow, type ProjectStatus } from '../steering.table.js';

const money = (ctx: ViewContext, cents: number) => formatMoney(cents, ctx.locale);
const francs = (ctx: ViewContext, f: number) => ctx.t('steering.francs', { francs: formatNumber(Math.round(f), ctx.locale) });
const crumbs = (ctx: ViewContext) => [{ label: ctx.t('nav.section.steering'), href: '/pilotage' }];
const statusKind: Record<ProjectStatus, 'neutral' | 'success' | 'warning' | 'danger' | 'info'> = { planned: 'neutral', running: 'info', done: 'success', stopped: 'danger' };
const StatusBadge = ({ ctx, status }: { ctx: ViewContext; status: ProjectStatus }) => <Badge kind={statusKind[status]}>{ctx.t(`steering.status.${status}`)}</Badge>;

/** Amount in euros, with the francs of the historic plan beside it. */
function Amount({ ctx, cents, f }: { ctx: ViewContext; cents: number; f?: number | null }) {
  return (
    <>
      {money(ctx, cents)}
      {f !== null && f !== undefined ? <span class="steering-francs"> ({francs(ctx, f)})</span> : null}
    </>
  );
}

function Discrepancies({ ctx, figures, historic }: { ctx: ViewContext; figures: Figures; historic: boolean }) {
  if (figures.discrepancies.length === 0) return null;
  const withFrancs = (cents: number) => (historic ? `${money(ctx, cents)} = ${francs(ctx, (cents / 100) * 6.55957)}` : money(ctx, cents));
  return (
    <div class="flash flash-error steering-discrepancy" role="note">
      {figures.discrepancies.map((d) => (
        <p>
          {ctx.t('steering.discrepancy', { kind: ctx.t(`steering.total.${d.kind}`), stated: withFrancs(d.stated), computed: withFrancs(d.computed), difference: withFrancs(d.difference) })}
        </p>
      ))}
    </div>
  );
}

type FigureRow = { label: string; cell: (v: ScenarioView) => ComponentChildren };

function figureRows(ctx: ViewContext): FigureRow[] {
  const t = ctx.t;
  const fr = (v: ScenarioView, k: 'investment' | 'running' | 'gain') => <Amount ctx={ctx} cents={v.figures.totals[k]} f={v.figures.francs?.[k]} />;
  return [
    { label: t('steering.total.investment'), cell: (v) => fr(v, 'investment') },
    { label: t('steering.total.running'), cell: (v) => fr(v, 'running') },
    { label: t('steering.total.gain'), cell: (v) => fr(v, 'gain') },
    { label: t('steering.yearly_net'), cell: (v) => money(ctx, v.figures.yearlyNet) },
    { label: t('steering.payback'), cell: (v) => (v.figures.paybackYears === null ? t('steering.payback.never') : t('steering.payback.years', { years: formatNumber(v.figures.paybackYears, ctx.locale) })) },
    { label: t('steering.cost3'), cell: (v) => money(ctx, v.figures.cost3) },
    { label: t('steering.cost5'), cell: (v) => money(ctx, v.figures.cost5) },
    { label: t('steering.net3'), cell: (v) => money(ctx, v.figures.net3) },
    { label: t('steering.net5'), cell: (v) => money(ctx, v.figures.net5) },
  ];
}

/** Grouped bars: investment, running, gain per scenario. Decorative detail is in the table beside. */
function ComparisonChart({ ctx, views }: { ctx: ViewContext; views: ScenarioView[] }) {
  const kinds = ['investment', 'running', 'gain'] as const;
  const max = Math.max(1, ...views.flatMap((v) => kinds.map((k) => v.figures.totals[k])));
  const groupW = 150;
  const barW = 36;
  const h = 180;
  const width = Math.max(320, views.length * groupW + 40);
  return (
    <figure class="steering-chart">
      <svg viewBox={`0 0 ${width} ${h + 60}`} role="img" aria-labelledby="cmp-title" class="chart-svg">
        <title id="cmp-title">{ctx.t('steering.compare.chart')}</title>
        <line x1="30" y1={h + 10} x2={width - 10} y2={h + 10} class="chart-axis" />
        {views.map((v, i) => (
          <g>
            {kinds.map((k, j) => {
              const bh = Math.round((v.figures.totals[k] / max) * h);
              return <rect x={40 + i * groupW + j * (barW + 4)} y={h + 10 - bh} width={barW} height={bh} class={`chart-bar chart-bar-${j}`} />;
            })}
            <text x={40 + i * groupW} y={h + 30} class="chart-label">
              {v.scenario.name.slice(0, 22)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        <ul class="chart-legend">
          {kinds.map((k, j) => (
            <li>
              <span class={`chart-key chart-bar-${j}`} aria-hidden="true" /> {ctx.t(`steering.kind.${k}`)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

export interface ScenarioFormValues {
  name?: string;
  description?: string;
  statedInvestment?: string;
  statedRunning?: string;
  statedGain?: string;
}

export function ScenariosPage({ ctx, views, canManage, values = {}, errors }: { ctx: ViewContext; views: ScenarioView[]; canManage: boolean; values?: ScenarioFormValues; errors?: Errors }) {
  const t = ctx.t;
  const rows = figureRows(ctx);
  return (
    <Page ctx={ctx} title={t('steering.scenarios.title')} crumbs={crumbs(ctx)} wide>
      <p class="lead">{t('steering.scenarios.lead')}</p>
      <h2>{t('steering.compare.title')}</h2>
      {views.length === 0 ? (
        <p class="empty">{t('common.no_results')}</p>
      ) : (
        <div class="steering-compare">
          <div class="table-wrap" tabindex={0} role="region" aria-label={t('steering.compare.caption')}>
            <table class="table" id="steering-comparison">
              <caption class="visually-hidden">{t('steering.compare.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('steering.figure')}</th>
                  {views.map((v) => (
                    <th scope="col" class="num">
                      <a href={`/pilotage/scenarios/${v.scenario.id}`}>{v.scenario.name}</a>
                      {v.figures.discrepancies.length ? (
                        <>
                          {' '}
                          <Badge kind="danger">{t('steering.discrepancy.badge')}</Badge>
                        </>
                      ) : null}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <th scope="row">{r.label}</th>
                    {views.map((v) => (
                      <td class="num">{r.cell(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ComparisonChart ctx={ctx} views={views} />
        </div>
      )}
      {views.map((v) => (
        <Discrepancies ctx={ctx} figures={v.figures} historic={v.scenario.historic === 1} />
      ))}
      {canManage ? (
        <section aria-labelledby="new-scenario">
          <h2 id="new-scenario">{t('steering.scenario.new')}</h2>
          <form method="post" action="/pilotage/scenarios" class="stack" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={errors} />
            <div class="form-grid">
              <Field ctx={ctx} name="name" label={t('steering.scenario.name')} value={values.name} errors={errors} required maxlength={200} />
              <Field ctx={ctx} name="description" label={t('steering.scenario.description')} value={values.description} errors={errors} maxlength={2000} />
              <Field ctx={ctx} name="statedInvestment" label={t('steering.scenario.stated_investment')} value={values.statedInvestment} errors={errors} inputmode="decimal" hint={t('steering.scenario.stated_hint')} />
              <Field ctx={ctx} name="statedRunning" label={t('steering.scenario.stated_running')} value={values.statedRunning} errors={errors} inputmode="decimal" />
              <Field ctx={ctx} name="statedGain" label={t('steering.scenario.stated_gain')} value={values.statedGain} errors={errors} inputmode="decimal" />
            </div>
            <button type="submit" class="button button-primary">
              {t('steering.scenario.create')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

export interface LineFormValues {
  label?: string;
  kind?: string;
  category?: string;
  amount?: string;
  project?: string;
}

export function ScenarioPage({ ctx, view, projects, canManage, values = {}, errors }: { ctx: ViewContext; view: ScenarioView; projects: ProjectRow[]; canManage: boolean; values?: LineFormValues; errors?: Errors }) {
  const t = ctx.t;
  const { scenario, lines, figures } = view;
  const historic = scenario.historic === 1;
  const projectName = new Map(projects.map((p) => [p.id, p.name]));
  const kindOptions: Option[] = LINE_KINDS.map((k) => ({ value: k, label: t(`steering.kind.${k}`) }));
  return (
    <Page ctx={ctx} title={scenario.name} crumbs={[...crumbs(ctx), { label: t('steering.scenarios.title'), href: '/pilotage' }]}>
      {scenario.description ? <p class="lead">{scenario.description}</p> : null}
      {historic ? <p class="muted">{t('steering.historic')}</p> : null}
      <Discrepancies ctx={ctx} figures={figures} historic={historic} />
      <Facts items={figureRows(ctx).map((r) => [r.label, r.cell(view)])} />
      <h2>{t('steering.lines')}</h2>
      <Table
        ctx={ctx}
        caption={t('steering.lines.caption', { name: scenario.name })}
        rows={lines}
        columns={[
          { label: t('steering.line.label'), cell: (l) => l.label, rowHeader: true },
          { label: t('steering.line.kind'), cell: (l) => t(`steering.kind.${l.kind}`) },
          { label: t('steering.line.category'), cell: (l) => l.category || t('steering.none') },
          { label: t('steering.line.amount'), cell: (l) => money(ctx, l.amount_cents), numeric: true },
          ...(historic ? [{ label: t('steering.line.francs'), cell: (l: (typeof lines)[number]) => (l.francs === null ? t('steering.none') : francs(ctx, l.francs)), numeric: true }] : []),
          { label: t('steering.line.project'), cell: (l) => (l.project_id ? <a href={`/pilotage/projets/${l.project_id}`}>{projectName.get(l.project_id)}</a> : t('steering.none')) },
          ...(canManage ? [{ label: t('steering.line.remove'), cell: (l: (typeof lines)[number]) => <PostButton ctx={ctx} action={`/pilotage/scenarios/${scenario.id}/lignes/${l.id}/retirer`} label={t('steering.line.remove')} variant="danger" /> }] : []),
        ]}
      />
      {canManage ? (
        <section aria-labelledby="new-line">
          <h2 id="new-line">{t('steering.line.add')}</h2>
          <form method="post" action={`/pilotage/scenarios/${scenario.id}/lignes`} novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={errors} />
            <div class="form-grid">
              <Field ctx={ctx} name="label" label={t('steering.line.label')} value={values.label} errors={errors} required maxlength={300} />
              <Select ctx={ctx} name="kind" label={t('steering.line.kind')} options={kindOptions} value={values.kind} errors={errors} required />
              <Field ctx={ctx} name="category" label={t('steering.line.category')} value={values.category} errors={errors} maxlength={100} />
              <Field ctx={ctx} name="amount" label={t('steering.line.amount')} value={values.amount} errors={errors} required inputmode="decimal" />
              <Select ctx={ctx} name="project" label={t('steering.line.project')} options={projects.map((p) => ({ value: String(p.id), label: p.name }))} value={values.project} errors={errors} empty={t('steering.none')} />
            </div>
            <button type="submit" class="button button-primary">
              {t('steering.line.add')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

const DAY = 86_400_000;
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/** Gantt-like timeline: one bar per project, milestones as diamonds; the table carries the same facts. */
function Timeline({ ctx, plan }: { ctx: ViewContext; plan: PlanView }) {
  if (plan.projects.length === 0) return null;
  const start = Math.min(...plan.projects.map((p) => dayOf(p.start_date)));
  const end = Math.max(...plan.projects.map((p) => dayOf(p.end_date)), start + DAY);
  const labelW = 190;
  const width = 760;
  const rowH = 28;
  const x = (iso: string) => labelW + ((dayOf(iso) - start) / (end - start)) * (width - labelW - 10);
  const height = plan.projects.length * rowH + 30;
  const years: number[] = [];
  for (let y = new Date(start).getUTCFullYear(); y <= new Date(end).getUTCFullYear(); y++) years.push(y);
  return (
    <figure class="steering-timeline">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby="tl-title tl-desc" class="chart-svg">
        <title id="tl-title">{ctx.t('steering.plan.timeline')}</title>
        <desc id="tl-desc">{ctx.t('steering.plan.timeline_hint')}</desc>
        {years.map((y) => {
          const d = Math.max(start, Date.UTC(y, 0, 1));
          const xx = labelW + ((d - start) / (end - start)) * (width - labelW - 10);
          return (
            <g>
              <line x1={xx} y1={0} x2={xx} y2={height - 20} class="chart-grid" />
              <text x={xx + 2} y={height - 5} class="chart-label">
                {y}
              </text>
            </g>
          );
        })}
        {plan.projects.map((p, i) => (
          <g>
            <text x={4} y={i * rowH + 18} class="chart-label">
              {p.name.slice(0, 28)}
            </text>
            <rect x={x(p.start_date)} y={i * rowH + 6} width={Math.max(3, x(p.end_date) - x(p.start_date))} height={16} class={`chart-bar gantt-${p.status}`} />
            {plan.milestones
              .filter((m) => m.project_id === p.id)
              .map((m) => {
                const cx = x(m.due_date);
                const cy = i * rowH + 14;
                return <polygon points={`${cx},${cy - 7} ${cx + 7},${cy} ${cx},${cy + 7} ${cx - 7},${cy}`} class={m.done ? 'gantt-milestone gantt-milestone-done' : 'gantt-milestone'} />;
              })}
          </g>
        ))}
      </svg>
    </figure>
  );
}

export interface ProjectFormValues {
  name?: string;
  owner?: string;
  phase?: string;
  status?: string;
  start?: string;
  end?: string;
  planned?: string;
  consumed?: string;
  dependsOn?: string[];
}

export function PlanPage({ ctx, plan, owners, canManage, values = {}, errors }: { ctx: ViewContext; plan: PlanView; owners: { id: number; name: string }[]; canManage: boolean; values?: ProjectFormValues; errors?: Errors }) {
  const t = ctx.t;
  const byId = new Map(plan.projects.map((p) => [p.id, p.name]));
  return (
    <Page ctx={ctx} title={t('steering.plan.title')} crumbs={crumbs(ctx)} wide>
      <h2>{t('steering.plan.timeline')}</h2>
      <p class="hint">{t('steering.plan.timeline_hint')}</p>
      <Timeline ctx={ctx} plan={plan} />
      <Table
        ctx={ctx}
        caption={t('steering.plan.caption')}
        rows={plan.projects}
        columns={[
          { label: t('steering.project.name'), cell: (p) => <a href={`/pilotage/projets/${p.id}`}>{p.name}</a>, rowHeader: true },
          { label: t('steering.project.owner'), cell: (p) => p.owner_name ?? t('steering.none') },
          { label: t('steering.project.phase'), cell: (p) => p.phase || t('steering.none') },
          { label: t('steering.project.status'), cell: (p) => <StatusBadge ctx={ctx} status={p.status} /> },
          { label: t('steering.project.start'), cell: (p) => formatDate(p.start_date, ctx.locale) },
          { label: t('steering.project.end'), cell: (p) => formatDate(p.end_date, ctx.locale) },
          { label: t('steering.project.planned'), cell: (p) => money(ctx, p.budget_planned_cents), numeric: true },
          { label: t('steering.project.consumed'), cell: (p) => money(ctx, p.budget_consumed_cents), numeric: true },
          {
            label: t('steering.project.depends_on'),
            cell: (p) =>
              plan.dependencies
                .filter((d) => d.project_id === p.id)
                .map((d) => byId.get(d.depends_on_id))
                .join(', ') || t('steering.none'),
          },
          { label: t('steering.project.milestones'), cell: (p) => plan.milestones.filter((m) => m.project_id === p.id).map((m) => `${m.label} (${formatDate(m.due_date, ctx.locale)}${m.done ? ' ✓' : ''})`).join(' ; ') || t('steering.none') },
        ]}
      />
      <p class="hint">{t('steering.project.consumed_source')}</p>
      {canManage ? (
        <section aria-labelledby="new-project">
          <h2 id="new-project">{t('steering.project.new')}</h2>
          <form method="post" action="/pilotage/projets" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={errors} />
            <div class="form-grid">
              <Field ctx={ctx} name="name" label={t('steering.project.name')} value={values.name} errors={errors} required maxlength={200} />
              <Select ctx={ctx} name="owner" label={t('steering.project.owner')} options={owners.map((o) => ({ value: String(o.id), label: o.name }))} value={values.owner} errors={errors} empty={t('steering.project.no_owner')} />
              <Field ctx={ctx} name="phase" label={t('steering.project.phase')} value={values.phase} errors={errors} maxlength={100} />
              <Select ctx={ctx} name="status" label={t('steering.project.status')} options={PROJECT_STATUSES.map((s) => ({ value: s, label: t(`steering.status.${s}`) }))} value={values.status ?? 'planned'} errors={errors} required />
              <Field ctx={ctx} name="start" type="date" label={t('steering.project.start')} value={values.start} errors={errors} required />
              <Field ctx={ctx} name="end" type="date" label={t('steering.project.end')} value={values.end} errors={errors} required />
              <Field ctx={ctx} name="planned" label={t('steering.project.planned')} value={values.planned} errors={errors} inputmode="decimal" />
              <Field ctx={ctx} name="consumed" label={t('steering.project.consumed')} value={values.consumed} errors={errors} inputmode="decimal" />
            </div>
            {plan.projects.length ? <Choices ctx={ctx} name="dependsOn" legend={t('steering.project.depends_on')} options={plan.projects.map((p) => ({ value: String(p.id), label: p.name }))} values={values.dependsOn ?? []} errors={errors} /> : null}
            <button type="submit" class="button button-primary">
              {t('steering.project.create')}
            </button>
          </form>
        </section>
      ) : null}
    </Page>
  );
}

export function ProjectPage({ ctx, project, milestones, dependsOn, canManage, errors, values = {} }: { ctx: ViewContext; project: ProjectRow; milestones: Milestone[]; dependsOn: ProjectRow[]; canManage: boolean; errors?: Errors; values?: Record<string, string> }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={project.name} crumbs={[...crumbs(ctx), { label: t('steering.plan.title'), href: '/pilotage/plan' }]}>
      <Facts
        items={[
          [t('steering.project.owner'), project.owner_name ?? t('steering.none')],
          [t('steering.project.phase'), project.phase || t('steering.none')],
          [t('steering.project.status'), <StatusBadge ctx={ctx} status={project.status} />],
          [t('steering.project.start'), formatDate(project.start_date, ctx.locale)],
          [t('steering.project.end'), formatDate(project.end_date, ctx.locale)],
          [t('steering.project.planned'), money(ctx, project.budget_planned_cents)],
          [t('steering.project.consumed'), money(ctx, project.budget_consumed_cents)],
          [t('steering.project.depends_on'), dependsOn.map((d) => d.name).join(', ') || t('steering.none')],
        ]}
      />
      <ErrorSummary ctx={ctx} errors={errors} />
      <h2>{t('steering.project.milestones')}</h2>
      <Table
        ctx={ctx}
        caption={t('steering.project.milestones')}
        rows={milestones}
        columns={[
          { label: t('steering.milestone.label'), cell: (m) => m.label, rowHeader: true },
          { label: t('steering.milestone.due'), cell: (m) => formatDate(m.due_date, ctx.locale) },
          { label: t('steering.milestone.done'), cell: (m) => (m.done ? '✓' : t('steering.none')) },
        ]}
      />
      {canManage ? (
        <>
          <form method="post" action={`/pilotage/projets/${project.id}/jalons`} novalidate>
            <CsrfField ctx={ctx} />
            <div class="form-grid">
              <Field ctx={ctx} name="label" label={t('steering.milestone.label')} value={values.label} errors={errors} required maxlength={200} />
              <Field ctx={ctx} name="due" type="date" label={t('steering.milestone.due')} value={values.due} errors={errors} required />
            </div>
            <button type="submit" class="button button-secondary">
              {t('steering.milestone.add')}
            </button>
          </form>
          <h2>{t('steering.project.update')}</h2>
          <form method="post" action={`/pilotage/projets/${project.id}/avancement`} novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="version" value={String(project.version)} />
            <div class="form-grid">
              <Select ctx={ctx} name="status" label={t('steering.project.status')} options={PROJECT_STATUSES.map((s) => ({ value: s, label: t(`steering.status.${s}`) }))} value={values.status ?? project.status} errors={errors} required />
              <Field ctx={ctx} name="consumed" label={t('steering.project.consumed')} value={values.consumed ?? (project.budget_consumed_cents / 100).toFixed(2)} errors={errors} inputmode="decimal" required />
            </div>
            <button type="submit" class="button button-primary">
              {t('steering.project.update')}
            </button>
          </form>
        </>
      ) : null}
    </Page>
  );
}

export function DecisionsPage({ ctx, decisions, scenarios, projects, canManage, values = {}, errors }: { ctx: ViewContext; decisions: (Decision & { author: string | null })[]; scenarios: { id: number; name: string }[]; projects: ProjectRow[]; canManage: boolean; values?: Record<string, string>; errors?: Errors }) {
  const t = ctx.t;
  const sName = new Map(scenarios.map((s) => [s.id, s.name]));
  const pName = new Map(projects.map((p) => [p.id, p.name]));
  return (
    <Page ctx={ctx} title={t('steering.decisions.title')} crumbs={crumbs(ctx)}>
      <Table
        ctx={ctx}
        caption={t('steering.decisions.caption')}
        rows={decisions}
        columns={[
          { label: t('steering.decision.date'), cell: (d) => formatDate(d.decided_on, ctx.locale), rowHeader: true },
          { label: t('steering.decision.title'), cell: (d) => d.title },
          { label: t('steering.decision.body'), cell: (d) => d.body || t('steering.none') },
          { label: t('steering.decision.scenario'), cell: (d) => (d.scenario_id ? sName.get(d.scenario_id) : t('steering.none')) },
          { label: t('steering.decision.project'), cell: (d) => (d.project_id ? pName.get(d.project_id) : t('steering.none')) },
          { label: t('steering.decision.author'), cell: (d) => d.author ?? t('steering.none') },
        ]}
      />
      {canManage ? (
        <form method="post" action="/pilotage/decisions" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={errors} />
          <div class="form-grid">
            <Field ctx={ctx} name="date" type="date" label={t('steering.decision.date')} value={values.date} errors={errors} required />
            <Field ctx={ctx} name="title" label={t('steering.decision.title')} value={values.title} errors={errors} required maxlength={300} />
            <Field ctx={ctx} name="body" label={t('steering.decision.body')} value={values.body} errors={errors} multiline maxlength={4000} />
            <Select ctx={ctx} name="scenario" label={t('steering.decision.scenario')} options={scenarios.map((s) => ({ value: String(s.id), label: s.name }))} value={values.scenario} errors={errors} empty={t('steering.none')} />
            <Select ctx={ctx} name="project" label={t('steering.decision.project')} options={projects.map((p) => ({ value: String(p.id), label: p.name }))} value={values.project} errors={errors} empty={t('steering.none')} />
          </div>
          <button type="submit" class="button button-primary">
            {t('steering.decision.add')}
          </button>
        </form>
      ) : null}
    </Page>
  );
}
