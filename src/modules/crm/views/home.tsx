// The adviser's home (my tasks, my visits, my portfolio), the tasks page, the portfolio pages
// and the calendar feed page.
import { Badge, ButtonLink, ErrorSummary, Field, Pagination, Select, Table, type Errors, type Option } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { TaskRow } from '../crm.table.js';
import type { VisitListItem } from '../visit.service.js';
import { crmCrumbs, day, OfflineStatus, ScopeSwitch, Section, SharingFields, type SharingValues } from './common.js';

export function TaskTable({ ctx, tasks, today, names, owners, caption, showOwner }: { ctx: ViewContext; tasks: TaskRow[]; today: string; names: Map<number, string>; owners?: Map<number, string>; caption: string; showOwner?: boolean }) {
  const t = ctx.t;
  return (
    <Table
      ctx={ctx}
      caption={caption}
      rows={tasks}
      empty={t('crm.tasks.none')}
      columns={[
        {
          label: t('crm.task.title'),
          cell: (x) => (
            <>
              <a href={`/crm/taches/${x.id}`}>{x.title}</a>
              {x.shared_with_company === 1 ? <> <Badge kind="info">{t('crm.sharing.badge')}</Badge></> : null}
            </>
          ),
          rowHeader: true,
        },
        {
          label: t('crm.task.due'),
          cell: (x) => (
            <>
              {day(ctx, x.due_date)}{' '}
              {!x.done_at && x.due_date < today ? <Badge kind="danger">{t('crm.task.overdue')}</Badge> : !x.done_at && x.due_date === today ? <Badge kind="warning">{t('crm.task.today')}</Badge> : null}
            </>
          ),
        },
        { label: t('crm.visit.company'), cell: (x) => (x.company_id ? <a href={`/crm/entreprises/${x.company_id}/chronologie`}>{names.get(x.company_id) ?? `#${x.company_id}`}</a> : '—') },
        ...(showOwner ? [{ label: t('crm.owner'), cell: (x: TaskRow) => owners?.get(x.owner_id) ?? '' }] : []),
        {
          label: t('common.actions'),
          cell: (x) => (
            <form method="post" action={`/crm/taches/${x.id}/${x.done_at ? 'rouvrir' : 'terminer'}`} class="inline-form">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(x.version)} />
              <button type="submit" class="button button-secondary">
                {x.done_at ? t('crm.task.reopen') : t('crm.task.complete')}
                <span class="visually-hidden"> : {x.title}</span>
              </button>
            </form>
          ),
        },
      ]}
    />
  );
}

export function HomePage(p: { ctx: ViewContext; tasks: TaskRow[]; visits: VisitListItem[]; portfolio: { company_id: number; last_visit: string | null; open_deals: number }[]; portfolioTotal: number; names: Map<number, string>; today: string }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.home.title')} crumbs={crmCrumbs(ctx).slice(0, 2)}>
      <div class="actions">
        <ButtonLink href="/crm/visites/nouvelle">{t('crm.visit.new_title')}</ButtonLink>
        <ButtonLink variant="secondary" href="/crm/affaires/nouvelle">
          {t('crm.deal.new_title')}
        </ButtonLink>
      </div>
      <OfflineStatus ctx={ctx} />
      <Section title={t('crm.home.my_tasks')} id="my-tasks">
        <TaskTable ctx={ctx} tasks={p.tasks} today={p.today} names={p.names} caption={t('crm.home.my_tasks')} />
        <p>
          <a href="/crm/taches">{t('crm.home.all_tasks')}</a>
        </p>
      </Section>
      <Section title={t('crm.home.my_visits')} id="my-visits">
        <Table
          ctx={ctx}
          caption={t('crm.home.my_visits')}
          rows={p.visits}
          empty={t('crm.visits.none')}
          columns={[
            { label: t('crm.visit.date'), cell: (v) => <a href={`/crm/visites/${v.id}`}>{day(ctx, v.visit_date)}</a>, rowHeader: true },
            { label: t('crm.visit.company'), cell: (v) => p.names.get(v.company_id) ?? `#${v.company_id}` },
          ]}
        />
        <p>
          <a href="/crm/visites">{t('crm.home.all_visits')}</a>
        </p>
      </Section>
      <Section title={t('crm.home.my_portfolio', { n: p.portfolioTotal })} id="my-portfolio">
        <PortfolioTable ctx={ctx} rows={p.portfolio} names={p.names} />
        <p>
          <a href="/crm/portefeuille">{t('crm.home.all_portfolio')}</a>
        </p>
      </Section>
      <script src="/static/crm-offline.js" defer></script>
    </Page>
  );
}

export function PortfolioTable({ ctx, rows, names, advisers }: { ctx: ViewContext; rows: { company_id: number; adviser_id?: number; last_visit: string | null; open_deals: number }[]; names: Map<number, string>; advisers?: Map<number, string> }) {
  const t = ctx.t;
  return (
    <Table
      ctx={ctx}
      caption={t('crm.portfolio.title')}
      rows={rows}
      empty={t('crm.portfolio.none')}
      columns={[
        { label: t('crm.visit.company'), cell: (r) => <a href={`/registre/entreprises/${r.company_id}`}>{names.get(r.company_id) ?? `#${r.company_id}`}</a>, rowHeader: true },
        { label: t('crm.portfolio.last_visit'), cell: (r) => (r.last_visit ? day(ctx, r.last_visit) : <Badge kind="warning">{t('crm.portfolio.never')}</Badge>) },
        { label: t('crm.portfolio.open_deals'), cell: (r) => String(r.open_deals), numeric: true },
        ...(advisers ? [{ label: t('crm.portfolio.adviser'), cell: (r: { adviser_id?: number }) => advisers.get(r.adviser_id ?? 0) ?? '' }] : []),
      ]}
    />
  );
}

export function TasksPage(p: { ctx: ViewContext; open: TaskRow[]; done: TaskRow[]; names: Map<number, string>; owners: Map<number, string>; today: string; scope: string; canTeam: boolean; users: Option[]; errors?: Errors; values?: { title: string; due: string; ownerId?: string } }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.tasks.title')} crumbs={crmCrumbs(ctx, { label: t('crm.tasks.title') })}>
      <ScopeSwitch ctx={ctx} path="/crm/taches" scope={p.scope} canTeam={p.canTeam} />
      <TaskTable ctx={ctx} tasks={p.open} today={p.today} names={p.names} owners={p.owners} showOwner={p.scope !== 'mine'} caption={t('crm.tasks.open')} />
      <h2>{t('crm.task.add')}</h2>
      <ErrorSummary ctx={ctx} errors={p.errors} />
      <form method="post" action="/crm/taches" class="form-grid">
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="title" label={t('crm.task.title')} value={p.values?.title} errors={p.errors} required />
        <Field ctx={ctx} name="due" type="date" label={t('crm.task.due')} value={p.values?.due ?? p.today} errors={p.errors} required />
        <Select ctx={ctx} name="owner_id" label={t('crm.owner')} value={p.values?.ownerId ?? String(ctx.user?.id ?? '')} options={p.users} errors={p.errors} />
        <div class="actions">
          <button type="submit" class="button button-primary">
            {t('crm.task.add')}
          </button>
        </div>
      </form>
      <h2>{t('crm.tasks.done')}</h2>
      <TaskTable ctx={ctx} tasks={p.done} today={p.today} names={p.names} owners={p.owners} showOwner={p.scope !== 'mine'} caption={t('crm.tasks.done')} />
    </Page>
  );
}

export function PortfolioPage(p: { ctx: ViewContext; rows: { company_id: number; adviser_id: number; last_visit: string | null; open_deals: number }[]; total: number; page: number; names: Map<number, string>; advisers: Map<number, string>; scope: string; canTeam: boolean; canAssign: boolean }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.portfolio.title')} crumbs={crmCrumbs(ctx, { label: t('crm.portfolio.title') })}>
      {p.canAssign ? (
        <div class="actions">
          <ButtonLink href="/crm/portefeuille/attribuer">{t('crm.portfolio.assign_title')}</ButtonLink>
        </div>
      ) : null}
      <ScopeSwitch ctx={ctx} path="/crm/portefeuille" scope={p.scope} canTeam={p.canTeam} />
      <PortfolioTable ctx={ctx} rows={p.rows} names={p.names} advisers={p.scope === 'mine' ? undefined : p.advisers} />
      <Pagination ctx={ctx} page={p.page} perPage={100} total={p.total} path="/crm/portefeuille" query={{ portee: p.scope }} />
    </Page>
  );
}

export function AssignPage(p: { ctx: ViewContext; users: Option[]; errors?: Errors; values: { ids: string; q: string; adviserId?: string }; preview?: { id: number; name: string }[]; done?: { assigned: number; unchanged: number } }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.portfolio.assign_title')} crumbs={crmCrumbs(ctx, { label: t('crm.portfolio.title'), href: '/crm/portefeuille' }, { label: t('crm.portfolio.assign_title') })}>
      <ErrorSummary ctx={ctx} errors={p.errors} labels={{ company_ids: t('crm.portfolio.ids'), adviser_id: t('crm.portfolio.adviser') }} />
      <p class="hint">{t('crm.portfolio.assign_help')}</p>
      <form method="post" action="/crm/portefeuille/attribuer">
        <CsrfField ctx={ctx} />
        <Select ctx={ctx} name="adviser_id" label={t('crm.portfolio.adviser')} value={p.values.adviserId ?? ''} empty={t('crm.portfolio.nobody')} options={p.users} errors={p.errors} />
        <Field ctx={ctx} name="company_ids" label={t('crm.portfolio.ids')} hint={t('crm.portfolio.ids_hint')} value={p.values.ids} errors={p.errors} multiline rows={4} />
        <Field ctx={ctx} name="q" type="text" label={t('crm.portfolio.search')} hint={t('crm.portfolio.search_hint')} value={p.values.q} errors={p.errors} />
        <div class="actions">
          <button type="submit" name="action" value="preview" class="button button-secondary">
            {t('crm.portfolio.preview')}
          </button>
          <button type="submit" name="action" value="assign" class="button button-primary">
            {t('crm.portfolio.assign')}
          </button>
        </div>
      </form>
      {p.preview ? (
        <>
          <h2>{t('crm.portfolio.preview_title', { n: p.preview.length })}</h2>
          <ul>
            {p.preview.slice(0, 200).map((c) => (
              <li>
                {c.name} <span class="muted">#{c.id}</span>
              </li>
            ))}
          </ul>
          {p.preview.length > 200 ? <p class="muted">{t('crm.board.more', { n: p.preview.length - 200 })}</p> : null}
        </>
      ) : null}
    </Page>
  );
}

export function CalendarPage({ ctx, active, url }: { ctx: ViewContext; active?: { created_at: string }; url?: string }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.calendar.title')} crumbs={crmCrumbs(ctx, { label: t('crm.calendar.title') })}>
      <p>{t('crm.calendar.help')}</p>
      {url ? (
        <div class="flash flash-success" role="status">
          <p>{t('crm.calendar.copy_now')}</p>
          <label for="feed-url">{t('crm.calendar.url')}</label>
          <input id="feed-url" type="text" readonly value={url} class="crm-feed-url" />
        </div>
      ) : active ? (
        <p>{t('crm.calendar.active_since', { date: day(ctx, active.created_at) })}</p>
      ) : (
        <p class="muted">{t('crm.calendar.none')}</p>
      )}
      <div class="actions">
        <form method="post" action="/crm/calendrier" class="inline-form">
          <CsrfField ctx={ctx} />
          <button type="submit" class="button button-primary">
            {active ? t('crm.calendar.regenerate') : t('crm.calendar.create')}
          </button>
        </form>
        {active ? (
          <form method="post" action="/crm/calendrier/revoquer" class="inline-form">
            <CsrfField ctx={ctx} />
            <button type="submit" class="button button-danger">
              {t('crm.calendar.revoke')}
            </button>
          </form>
        ) : null}
      </div>
    </Page>
  );
}

export interface TaskFormValues extends SharingValues {
  title: string;
  due: string;
  ownerId: string;
  version: number;
}

/** One task: its wording, due date, owner and what the company sees of it. */
export function TaskFormPage({ ctx, task, values: v, users, companyName, errors }: { ctx: ViewContext; task: TaskRow; values: TaskFormValues; users: Option[]; companyName?: string; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('crm.task.edit_title')} crumbs={crmCrumbs(ctx, { label: t('crm.tasks.title'), href: '/crm/taches' }, { label: task.title })}>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ title: t('crm.task.title'), due: t('crm.task.due'), owner_id: t('crm.owner'), member_title: t('crm.sharing.member_title'), member_summary: t('crm.sharing.member_summary'), shared_with_company: t('crm.sharing.shared') }} />
      {task.company_id ? (
        <p>
          {t('crm.visit.company')} : <a href={`/crm/entreprises/${task.company_id}/chronologie`}>{companyName ?? `#${task.company_id}`}</a>
        </p>
      ) : null}
      <form method="post" action={`/crm/taches/${task.id}`} novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="version" value={String(v.version)} />
        <div class="form-grid">
          <Field ctx={ctx} name="title" label={t('crm.task.title')} value={v.title} errors={errors} required maxlength={200} />
          <Field ctx={ctx} name="due" type="date" label={t('crm.task.due')} value={v.due} errors={errors} required />
          <Select ctx={ctx} name="owner_id" label={t('crm.owner')} value={v.ownerId} options={users} errors={errors} />
        </div>
        {task.company_id ? <SharingFields ctx={ctx} v={v} errors={errors} /> : <p class="hint">{t('crm.sharing.no_company')}</p>}
        <div class="actions">
          <button type="submit" class="button button-primary">
            {t('common.save')}
          </button>
        </div>
      </form>
    </Page>
  );
}
