// Deal pages: list with filters, totals and forecast; the pipeline board; the form; one deal.
import { Badge, ButtonLink, ErrorSummary, Facts, Field, Pagination, Select, Table, type Errors, type Option } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { CompanySummary, ContactSummary } from '../../registry/index.js';
import type { ServiceRow, StageRow, TaskRow } from '../crm.table.js';
import type { BoardColumn, DealListItem, DealView, ForecastLine } from '../deal.service.js';
import { maySeeConfidential, type ConfidentialRow } from '../policy.js';
import { crmCrumbs, day, money, monthLabel, Notes, SharingFields, sharingFact, type SharingValues } from './common.js';
import { CompanyField, PeopleChoices } from './visits.js';

export interface DealFilterValues {
  portee: string;
  stage?: string;
  service?: string;
  status?: string;
  from?: string;
  to?: string;
}

function stageBadge(stage: StageRow | undefined) {
  if (!stage) return null;
  return <Badge kind={stage.kind === 'won' ? 'success' : stage.kind === 'lost' ? 'danger' : 'info'}>{stage.label}</Badge>;
}

function Filters({ ctx, f, stages, services, action, canTeam }: { ctx: ViewContext; f: DealFilterValues; stages: StageRow[]; services: ServiceRow[]; action: string; canTeam: boolean }) {
  const t = ctx.t;
  return (
    <form method="get" action={action} class="toolbar" role="search" aria-label={t('common.filter')}>
      <Select ctx={ctx} name="portee" label={t('crm.scope.label')} value={f.portee} options={['mine', ...(canTeam ? ['team'] : []), 'all'].map((o) => ({ value: o, label: t(`crm.scope.${o}`) }))} />
      {action === '/crm/affaires' ? <Select ctx={ctx} name="status" label={t('crm.deal.status')} value={f.status ?? ''} empty={t('common.all')} options={['open', 'won', 'lost'].map((o) => ({ value: o, label: t(`crm.deal.status_${o}`) }))} /> : null}
      {action === '/crm/affaires' ? <Select ctx={ctx} name="stage" label={t('crm.deal.stage')} value={f.stage ?? ''} empty={t('common.all')} options={stages.map((s) => ({ value: String(s.id), label: s.label }))} /> : null}
      <Select ctx={ctx} name="service" label={t('crm.deal.service')} value={f.service ?? ''} empty={t('common.all')} options={services.map((s) => ({ value: String(s.id), label: s.name }))} />
      {action === '/crm/affaires' ? <Field ctx={ctx} name="from" type="date" label={t('crm.deal.close_from')} value={f.from ?? ''} /> : null}
      {action === '/crm/affaires' ? <Field ctx={ctx} name="to" type="date" label={t('crm.deal.close_to')} value={f.to ?? ''} /> : null}
      <button type="submit" class="button button-secondary">
        {t('common.filter')}
      </button>
    </form>
  );
}

export function ForecastTable({ ctx, months, total }: { ctx: ViewContext; months: ForecastLine[]; total: Omit<ForecastLine, 'month'> }) {
  const t = ctx.t;
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={t('crm.deal.forecast')}>
      <table class="table">
        <caption class="visually-hidden">{t('crm.deal.forecast')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('crm.deal.month')}</th>
            <th scope="col" class="num">{t('crm.deal.count')}</th>
            <th scope="col" class="num">{t('crm.deal.amount')}</th>
            <th scope="col" class="num">{t('crm.deal.weighted')}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr>
              <th scope="row">{monthLabel(ctx, m.month)}</th>
              <td class="num">{m.count}</td>
              <td class="num">{money(ctx, m.amountCents)}</td>
              <td class="num">{money(ctx, m.weightedCents)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('crm.deal.total')}</th>
            <td class="num">{total.count}</td>
            <td class="num" data-total-amount={String(total.amountCents)}>
              {money(ctx, total.amountCents)}
            </td>
            <td class="num" data-total-weighted={String(total.weightedCents)}>
              {money(ctx, total.weightedCents)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function DealsPage(p: { ctx: ViewContext; items: DealListItem[]; total: number; page: number; f: DealFilterValues; stages: StageRow[]; services: ServiceRow[]; names: Map<number, string>; owners: Map<number, string>; forecast: { months: ForecastLine[]; total: Omit<ForecastLine, 'month'> }; canTeam: boolean }) {
  const { ctx } = p;
  const t = ctx.t;
  const stage = new Map(p.stages.map((s) => [s.id, s]));
  return (
    <Page ctx={ctx} title={t('crm.deals.title')} crumbs={crmCrumbs(ctx, { label: t('crm.deals.title') })}>
      <div class="actions">
        <ButtonLink href="/crm/affaires/nouvelle">{t('crm.deal.new_title')}</ButtonLink>
        <ButtonLink variant="secondary" href="/crm/affaires/tableau">
          {t('crm.board.title')}
        </ButtonLink>
      </div>
      <Filters ctx={ctx} f={p.f} stages={p.stages} services={p.services} action="/crm/affaires" canTeam={p.canTeam} />
      <Table
        ctx={ctx}
        caption={t('crm.deals.title')}
        rows={p.items}
        empty={t('crm.deals.none')}
        columns={[
          { label: t('crm.deal.title_field'), cell: (d) => <a href={`/crm/affaires/${d.id}`}>{d.title}</a>, rowHeader: true },
          { label: t('crm.visit.company'), cell: (d) => p.names.get(d.company_id) ?? `#${d.company_id}` },
          { label: t('crm.deal.stage'), cell: (d) => stageBadge(stage.get(d.stage_id)) },
          { label: t('crm.deal.amount'), cell: (d) => money(ctx, Number(d.amount_cents)), numeric: true },
          { label: t('crm.deal.probability'), cell: (d) => `${d.probability} %`, numeric: true },
          { label: t('crm.deal.expected_close'), cell: (d) => day(ctx, d.expected_close_date) },
          { label: t('crm.owner'), cell: (d) => p.owners.get(d.owner_id) ?? '' },
        ]}
      />
      <Pagination ctx={ctx} page={p.page} perPage={50} total={p.total} path="/crm/affaires" query={{ ...p.f }} />
      <h2>{t('crm.deal.forecast')}</h2>
      <p class="hint">{t('crm.deal.forecast_hint')}</p>
      <ForecastTable ctx={ctx} months={p.forecast.months} total={p.forecast.total} />
    </Page>
  );
}

/** The keyboard / no-JS way to move a deal: a select of stages and a button. */
export function MoveForm({ ctx, deal, stages, errors, lostReason, withReason }: { ctx: ViewContext; deal: { id: number; stage_id: number; version: number; title: string }; stages: StageRow[]; errors?: Errors; lostReason?: string; withReason?: boolean }) {
  const t = ctx.t;
  const id = `move-${deal.id}`;
  return (
    <form method="post" action={`/crm/affaires/${deal.id}/etape`} class="crm-move">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="version" value={String(deal.version)} />
      <label for={`${id}-stage`} class="visually-hidden">
        {t('crm.board.move_label', { title: deal.title })}
      </label>
      <select id={`${id}-stage`} name="stage_id">
        {stages.map((s) => (
          <option value={String(s.id)} selected={s.id === deal.stage_id}>
            {s.label}
          </option>
        ))}
      </select>
      {withReason ? (
        <>
          {errors?.lost_reason ? (
            <p class="error-text" id={`${id}-reason-error`}>
              {t(errors.lost_reason)}
            </p>
          ) : null}
          <label for={`${id}-reason`}>{t('crm.deal.lost_reason')}</label>
          <input id={`${id}-reason`} name="lost_reason" value={lostReason ?? ''} aria-invalid={errors?.lost_reason ? 'true' : undefined} aria-describedby={errors?.lost_reason ? `${id}-reason-error` : undefined} />
        </>
      ) : null}
      <button type="submit" class="button button-secondary">
        {t('crm.board.move')}
      </button>
    </form>
  );
}

export function BoardPage(p: { ctx: ViewContext; columns: BoardColumn[]; f: DealFilterValues; stages: StageRow[]; services: ServiceRow[]; names: Map<number, string>; canTeam: boolean; perColumn: number }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.board.title')} wide crumbs={crmCrumbs(ctx, { label: t('crm.deals.title'), href: '/crm/affaires' }, { label: t('crm.board.title') })}>
      <div class="actions">
        <ButtonLink href="/crm/affaires/nouvelle">{t('crm.deal.new_title')}</ButtonLink>
        <ButtonLink variant="secondary" href="/crm/affaires">
          {t('crm.deals.list_view')}
        </ButtonLink>
      </div>
      <Filters ctx={ctx} f={p.f} stages={p.stages} services={p.services} action="/crm/affaires/tableau" canTeam={p.canTeam} />
      <p class="hint">{t('crm.board.hint')}</p>
      <p id="board-status" class="crm-offline-status" role="status" aria-live="polite" data-conflict={t('crm.board.conflict')} data-refused={t('crm.board.refused')} data-offline={t('crm.board.offline')}></p>
      <div class="board crm-board">
        {p.columns.map((c) => (
          <section class="board-column" data-stage={String(c.stage.id)} data-kind={c.stage.kind} aria-labelledby={`stage-${c.stage.id}`}>
            <h2 id={`stage-${c.stage.id}`} class="crm-column-title">
              {c.stage.label} <span class="muted">({c.count})</span>
            </h2>
            <p class="crm-column-totals">
              {money(ctx, c.amountCents)}
              {c.stage.kind === 'open' ? <span class="muted"> · {t('crm.deal.weighted_short')} {money(ctx, c.weightedCents)}</span> : null}
            </p>
            <ul class="crm-cards">
              {c.deals.map((d) => (
                <li class="crm-card" draggable={true} data-deal={String(d.id)} data-version={String(d.version)}>
                  <a href={`/crm/affaires/${d.id}`}>{d.title}</a>
                  <span class="muted">{p.names.get(d.company_id) ?? `#${d.company_id}`}</span>
                  <span>
                    {money(ctx, Number(d.amount_cents))} · {d.probability} %{d.expected_close_date ? ` · ${day(ctx, d.expected_close_date)}` : ''}
                  </span>
                  <MoveForm ctx={ctx} deal={d} stages={p.stages} />
                </li>
              ))}
            </ul>
            {c.count > c.deals.length ? (
              <p>
                <a href={`/crm/affaires?stage=${c.stage.id}&portee=${p.f.portee}`}>{t('crm.board.more', { n: c.count - c.deals.length })}</a>
              </p>
            ) : null}
          </section>
        ))}
      </div>
      <script src="/static/crm-board.js" defer></script>
    </Page>
  );
}

export interface DealFormValues extends SharingValues {
  companyId?: number;
  companyQ?: string;
  title: string;
  serviceId?: string;
  amount: string;
  probability: string;
  expectedCloseDate: string;
  stageId?: string;
  lostReason: string;
  ownerId?: string;
  contactIds: number[];
  notes: string;
  /** undefined when the form did not carry the field (or its reader may not see it) */
  confidentialNotes?: string;
  version?: number;
}

export function DealFormPage(p: { ctx: ViewContext; values: DealFormValues; errors?: Errors; company?: CompanySummary; candidates: CompanySummary[]; contacts: ContactSummary[]; services: ServiceRow[]; stages: StageRow[]; users: Option[]; dealId?: number; confidentialOf?: ConfidentialRow }) {
  const { ctx, values: v, errors } = p;
  const t = ctx.t;
  const showConfidential = v.confidentialNotes !== undefined && (!p.confidentialOf || maySeeConfidential(ctx.actor, p.confidentialOf));
  const title = p.dealId ? t('crm.deal.edit_title') : t('crm.deal.new_title');
  return (
    <Page ctx={ctx} title={title} crumbs={crmCrumbs(ctx, { label: t('crm.deals.title'), href: '/crm/affaires' }, { label: title })}>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ company_id: t('crm.visit.company'), amount: t('crm.deal.amount'), title: t('crm.deal.title_field'), probability: t('crm.deal.probability'), expected_close_date: t('crm.deal.expected_close'), lost_reason: t('crm.deal.lost_reason'), member_title: t('crm.sharing.member_title'), member_summary: t('crm.sharing.member_summary') }} />
      <form method="post" action={p.dealId ? `/crm/affaires/${p.dealId}` : '/crm/affaires'} novalidate>
        <CsrfField ctx={ctx} />
        {v.version !== undefined ? <input type="hidden" name="version" value={String(v.version)} /> : null}
        <CompanyField ctx={ctx} company={p.company} candidates={p.candidates} companyId={v.companyId} companyQ={v.companyQ} errors={errors} />
        <div class="form-grid">
          <Field ctx={ctx} name="title" label={t('crm.deal.title_field')} value={v.title} errors={errors} required maxlength={200} />
          <Select ctx={ctx} name="service_id" label={t('crm.deal.service')} value={v.serviceId ?? ''} empty={t('common.none')} errors={errors} options={p.services.map((s) => ({ value: String(s.id), label: `${s.name} (${s.family}, ${money(ctx, Number(s.unit_price_cents))})` }))} />
          <Field ctx={ctx} name="amount" label={t('crm.deal.amount_eur')} hint={t('crm.deal.amount_hint')} value={v.amount} errors={errors} inputmode="decimal" />
          <Select ctx={ctx} name="stage_id" label={t('crm.deal.stage')} value={v.stageId ?? ''} errors={errors} options={p.stages.map((s) => ({ value: String(s.id), label: s.label }))} />
          <Field ctx={ctx} name="probability" type="number" min={0} max={100} label={t('crm.deal.probability_pct')} hint={t('crm.deal.probability_hint')} value={v.probability} errors={errors} />
          <Field ctx={ctx} name="expected_close_date" type="date" label={t('crm.deal.expected_close')} value={v.expectedCloseDate} errors={errors} />
          <Field ctx={ctx} name="lost_reason" label={t('crm.deal.lost_reason')} hint={t('crm.deal.lost_reason_hint')} value={v.lostReason} errors={errors} />
          <Select ctx={ctx} name="owner_id" label={t('crm.owner')} value={v.ownerId ?? String(ctx.user?.id ?? '')} errors={errors} options={p.users} />
        </div>
        <fieldset class="field">
          <legend>{t('crm.deal.contacts')}</legend>
          <div id="people">
            <PeopleChoices ctx={ctx} contacts={p.contacts} selected={v.contactIds} />
          </div>
        </fieldset>
        <Field ctx={ctx} name="notes" label={t('crm.visit.notes')} value={v.notes} errors={errors} multiline rows={3} />
        {showConfidential ? <Field ctx={ctx} name="confidential_notes" label={t('crm.visit.confidential_notes')} hint={t('crm.visit.confidential_hint')} value={v.confidentialNotes} errors={errors} multiline rows={2} /> : null}
        <SharingFields ctx={ctx} v={v} errors={errors} withAmount />
        <div class="actions">
          <button type="submit" class="button button-primary">
            {t('common.save')}
          </button>
        </div>
      </form>
    </Page>
  );
}

export function DealPage({ ctx, deal, stages, tasks, moveErrors, lostReason }: { ctx: ViewContext; deal: DealView; stages: StageRow[]; tasks: TaskRow[]; moveErrors?: Errors; lostReason?: string }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={deal.title} crumbs={crmCrumbs(ctx, { label: t('crm.deals.title'), href: '/crm/affaires' }, { label: deal.title })}>
      <Facts
        items={[
          [t('crm.visit.company'), deal.company ? <a href={`/registre/entreprises/${deal.company.id}`}>{deal.company.name}</a> : '?'],
          [t('crm.deal.stage'), stageBadge(deal.stage)],
          [t('crm.deal.service'), deal.service?.name ?? '—'],
          [t('crm.deal.amount'), money(ctx, Number(deal.amount_cents))],
          [t('crm.deal.probability'), `${deal.probability} %`],
          [t('crm.deal.expected_close'), day(ctx, deal.expected_close_date) || '—'],
          [t('crm.owner'), deal.ownerName],
          [t('crm.deal.contacts'), deal.contacts.map((c) => `${c.firstName} ${c.lastName}`.trim()).join(', ') || '—'],
          ...(deal.lost_reason ? ([[t('crm.deal.lost_reason'), deal.lost_reason]] as [string, string][]) : []),
          sharingFact(ctx, deal),
          ...(deal.shared_with_company === 1 && deal.member_summary ? ([[t('crm.sharing.member_summary'), deal.member_summary]] as [string, string][]) : []),
        ]}
      />
      {deal.canEdit ? (
        <section aria-labelledby="move-title">
          <h2 id="move-title">{t('crm.board.move')}</h2>
          {moveErrors ? <ErrorSummary ctx={ctx} errors={moveErrors} /> : null}
          <MoveForm ctx={ctx} deal={deal} stages={stages} errors={moveErrors} lostReason={lostReason} withReason />
        </section>
      ) : null}
      <Notes ctx={ctx} notes={deal.notes} confidential={maySeeConfidential(ctx.actor, deal) ? (deal.confidential_notes ?? null) : undefined} />
      <h2>{t('crm.deal.history')}</h2>
      <Table
        ctx={ctx}
        caption={t('crm.deal.history')}
        rows={deal.history}
        columns={[
          { label: t('crm.deal.when'), cell: (h) => day(ctx, h.changed_at), rowHeader: true },
          { label: t('crm.deal.from'), cell: (h) => h.from_label ?? t('crm.deal.created') },
          { label: t('crm.deal.to'), cell: (h) => h.to_label },
          { label: t('crm.deal.by'), cell: (h) => h.by_name ?? '' },
          { label: t('crm.deal.lost_reason'), cell: (h) => h.lost_reason ?? '' },
        ]}
      />
      <h2>{t('crm.tasks.title')}</h2>
      <Table
        ctx={ctx}
        caption={t('crm.tasks.title')}
        rows={tasks}
        empty={t('crm.tasks.none')}
        columns={[
          { label: t('crm.task.title'), cell: (x) => x.title, rowHeader: true },
          { label: t('crm.task.due'), cell: (x) => day(ctx, x.due_date) },
          { label: t('crm.task.status'), cell: (x) => (x.done_at ? t('crm.task.done') : t('crm.task.open')) },
        ]}
      />
      {deal.canEdit ? (
        <form method="post" action="/crm/taches" class="toolbar">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="deal_id" value={String(deal.id)} />
          <input type="hidden" name="next" value={`/crm/affaires/${deal.id}`} />
          <Field ctx={ctx} name="title" id="deal-task-title" label={t('crm.task.title')} />
          <Field ctx={ctx} name="due" id="deal-task-due" type="date" label={t('crm.task.due')} />
          <button type="submit" class="button button-secondary">
            {t('crm.task.add')}
          </button>
        </form>
      ) : null}
      <div class="actions">{deal.canEdit ? <ButtonLink href={`/crm/affaires/${deal.id}/modifier`}>{t('common.edit')}</ButtonLink> : null}</div>
    </Page>
  );
}
