// Leave pages: my leave (balances, the request form with its quote, my requests), one request,
// the team calendar (a real table with letters, not colours only) and HR's settings.
import { formatDate, formatMonth, formatNumber, type Locale } from '../../../platform/i18n/index.js';
import { Badge, ButtonLink, ErrorSummary, Facts, Field, Pagination, PostButton, Select, Table, type Errors, type Option } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { Balance } from '../balance.js';
import { TEAM_PAGE, type TeamMonth } from '../calendar.service.js';
import type { LeaveKind, LeaveStatus } from '../leave.table.js';
import type { Quote } from '../requests.service.js';

const num = (n: number, l: Locale) => formatNumber(n, l);
const kindName = (ctx: ViewContext, k: { name_fr: string; name_en: string } | { kind_fr: string; kind_en: string }) =>
  'name_fr' in k ? (ctx.locale === 'en' ? k.name_en : k.name_fr) : ctx.locale === 'en' ? k.kind_en : k.kind_fr;
const statusKind: Record<LeaveStatus, 'neutral' | 'success' | 'warning' | 'danger' | 'info'> = {
  pending: 'info',
  changes_requested: 'warning',
  approved: 'success',
  refused: 'danger',
  withdrawn: 'neutral',
  cancellation_pending: 'warning',
  cancelled: 'neutral',
  recorded: 'success',
};
export const StatusBadge = ({ ctx, status }: { ctx: ViewContext; status: LeaveStatus }) => <Badge kind={statusKind[status]}>{ctx.t(`leave.status.${status}`)}</Badge>;

export function datesOf(ctx: ViewContext, r: { start_date: string; start_half: string | null; end_date: string; end_half: string | null }): string {
  const s = `${formatDate(r.start_date, ctx.locale)}${r.start_half === 'afternoon' ? ` ${ctx.t('leave.half_afternoon')}` : ''}`;
  const e = `${formatDate(r.end_date, ctx.locale)}${r.end_half === 'morning' ? ` ${ctx.t('leave.half_morning')}` : ''}`;
  return r.start_date === r.end_date && !(r.start_half === 'afternoon' && r.end_half === null) && !(r.end_half === 'morning' && r.start_half === null) ? s : ctx.t('leave.from_to', { start: s, end: e });
}

export function QuoteBox({ ctx, quote, error }: { ctx: ViewContext; quote?: Quote; error?: string }) {
  const t = ctx.t;
  return (
    <div id="leave-quote" class="leave-quote" role="status" aria-live="polite">
      {error ? <p class="error-text">{t(error)}</p> : null}
      {quote ? (
        <>
          <p>
            <strong>{t('leave.quote.days', { days: num(quote.days, ctx.locale), unit: t(`leave.unit.${quote.unit}`) })}</strong>
          </p>
          {quote.balance && quote.after !== null ? (
            <p>
              {t('leave.quote.after', { kind: kindName(ctx, quote.kind), available: num(quote.balance.available, ctx.locale), after: num(quote.after, ctx.locale) })}
              {quote.after < 0 && !quote.kind.allow_negative ? <strong class="error-text"> {t('leave.quote.over')}</strong> : null}
            </p>
          ) : (
            <p class="muted">{t('leave.quote.no_balance')}</p>
          )}
          {quote.lines.some((l) => l.skipped) ? (
            <p class="muted">
              {t('leave.quote.skipped', {
                list: quote.lines
                  .filter((l) => l.skipped)
                  .map((l) => `${formatDate(l.date, ctx.locale)} (${l.holiday ? t(`leave.holiday.${l.holiday}`) : t(`leave.skip.${l.skipped}`)})`)
                  .join(', '),
              })}
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

export interface RequestFormValues {
  kind: string;
  start: string;
  startHalf: string;
  end: string;
  endHalf: string;
  comment?: string;
}

export function RequestForm(p: { ctx: ViewContext; action: string; kinds: LeaveKind[]; values?: RequestFormValues; errors?: Errors; quote?: Quote; submitLabel: string }) {
  const { ctx } = p;
  const t = ctx.t;
  const v = p.values;
  return (
    <form method="post" action={p.action} class="stack leave-form" novalidate hx-get="/conges/devis" hx-trigger="change" hx-target="#leave-quote" hx-swap="outerHTML" hx-include="this">
      <CsrfField ctx={ctx} />
      <ErrorSummary ctx={ctx} errors={p.errors} />
      <Select ctx={ctx} name="kind" label={t('leave.kind')} required value={v?.kind} errors={p.errors} options={p.kinds.filter((k) => !k.hr_only).map((k) => ({ value: k.code, label: kindName(ctx, k) }))} />
      <div class="form-grid">
        <Field ctx={ctx} name="start" type="date" label={t('leave.start')} required value={v?.start} errors={p.errors} />
        <Select ctx={ctx} name="startHalf" label={t('leave.start_half')} value={v?.startHalf} errors={p.errors} options={[{ value: '', label: t('leave.half.full_start') }, { value: 'afternoon', label: t('leave.half.afternoon_start') }]} />
        <Field ctx={ctx} name="end" type="date" label={t('leave.end')} required value={v?.end} errors={p.errors} />
        <Select ctx={ctx} name="endHalf" label={t('leave.end_half')} value={v?.endHalf} errors={p.errors} options={[{ value: '', label: t('leave.half.full_end') }, { value: 'morning', label: t('leave.half.morning_end') }]} />
      </div>
      <Field ctx={ctx} name="comment" label={t('leave.comment')} multiline rows={2} maxlength={1000} value={v?.comment} />
      <QuoteBox ctx={ctx} quote={p.quote} />
      <div class="actions">
        <button type="submit" name="step" value="quote" class="button button-secondary">
          {t('leave.quote.check')}
        </button>
        <button type="submit" name="step" value="send" class="button button-primary">
          {p.submitLabel}
        </button>
      </div>
    </form>
  );
}

type MyRow = { id: number; kind_code: string; kind_fr: string; kind_en: string; start_date: string; start_half: string | null; end_date: string; end_half: string | null; days: number; status: LeaveStatus };

export function MyLeavePage(p: { ctx: ViewContext; balances: { kind: LeaveKind; balance: Balance }[]; hasGroup: boolean; kinds: LeaveKind[]; requests: MyRow[]; values?: RequestFormValues; errors?: Errors; quote?: Quote }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('leave.title')} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('leave.title') }]}>
      <section aria-labelledby="leave-balances">
        <h2 id="leave-balances">{t('leave.balances')}</h2>
        {p.hasGroup ? (
          <Table
            ctx={ctx}
            caption={t('leave.balances')}
            rows={p.balances}
            columns={[
              { label: t('leave.balance.kind'), rowHeader: true, cell: (b) => kindName(ctx, b.kind) },
              { label: t('leave.balance.period'), cell: (b) => t('leave.balance.period_value', { from: formatDate(b.balance.period, ctx.locale), to: formatDate(b.balance.periodEnd, ctx.locale) }) },
              { label: t('leave.balance.carried'), numeric: true, cell: (b) => num(b.balance.carried, ctx.locale) },
              { label: t('leave.balance.accrued'), numeric: true, cell: (b) => num(b.balance.accrued, ctx.locale) },
              { label: t('leave.balance.adjusted'), numeric: true, cell: (b) => num(b.balance.adjusted, ctx.locale) },
              { label: t('leave.balance.taken'), numeric: true, cell: (b) => num(b.balance.taken, ctx.locale) },
              { label: t('leave.balance.pending'), numeric: true, cell: (b) => num(b.balance.pending, ctx.locale) },
              { label: t('leave.balance.available'), numeric: true, cell: (b) => <strong>{num(b.balance.available, ctx.locale)}</strong> },
            ]}
          />
        ) : (
          <p class="empty">{t('leave.no_balance')}</p>
        )}
      </section>
      <section aria-labelledby="leave-new">
        <h2 id="leave-new">{t('leave.new')}</h2>
        <RequestForm ctx={ctx} action="/conges" kinds={p.kinds} values={p.values} errors={p.errors} quote={p.quote} submitLabel={t('leave.send')} />
      </section>
      <section aria-labelledby="leave-mine">
        <h2 id="leave-mine">{t('leave.my_requests')}</h2>
        <Table
          ctx={ctx}
          caption={t('leave.my_requests')}
          rows={p.requests}
          empty={t('leave.none')}
          columns={[
            { label: t('leave.dates'), rowHeader: true, cell: (r) => <a href={`/conges/${r.id}`}>{datesOf(ctx, r)}</a> },
            { label: t('leave.kind'), cell: (r) => kindName(ctx, r) },
            { label: t('leave.days'), numeric: true, cell: (r) => num(r.days, ctx.locale) },
            { label: t('leave.status'), cell: (r) => <StatusBadge ctx={ctx} status={r.status} /> },
          ]}
        />
        <p>
          <a href="/conges/calendrier.ics">{t('leave.my_ical')}</a>
        </p>
      </section>
    </Page>
  );
}

export function RequestPage(p: { ctx: ViewContext; row: MyRow & { user_id: number; user_name: string; comment: string; approval_id: number | null }; mine: boolean; hr: boolean; kinds: LeaveKind[]; values?: RequestFormValues; errors?: Errors; quote?: Quote }) {
  const { ctx, row } = p;
  const t = ctx.t;
  const title = t('leave.request_title', { id: row.id });
  return (
    <Page ctx={ctx} title={title} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('leave.title'), href: '/conges' }, { label: title }]}>
      <ErrorSummary ctx={ctx} errors={p.errors && !p.values ? p.errors : undefined} />
      <Facts
        items={[
          [t('leave.requester'), row.user_name],
          [t('leave.kind'), kindName(ctx, row)],
          [t('leave.dates'), datesOf(ctx, row)],
          [t('leave.days'), num(row.days, ctx.locale)],
          [t('leave.status'), <StatusBadge ctx={ctx} status={row.status} />],
          ...(row.comment ? ([[t('leave.comment'), row.comment]] as [string, string][]) : []),
        ]}
      />
      {row.approval_id ? (
        <p>
          <a href={`/demandes/${row.approval_id}`}>{t('leave.approval_link')}</a>
        </p>
      ) : null}
      <div class="actions">
        {p.mine && (row.status === 'pending' || row.status === 'changes_requested') ? <PostButton ctx={ctx} action={`/conges/${row.id}/retirer`} label={t('leave.withdraw')} /> : null}
        {p.mine && row.status === 'approved' ? <PostButton ctx={ctx} action={`/conges/${row.id}/annuler`} label={t('leave.cancel')} variant="danger" /> : null}
        {p.hr && row.status === 'recorded' ? <PostButton ctx={ctx} action={`/conges/${row.id}/annuler`} label={t('leave.cancel_recorded')} variant="danger" /> : null}
      </div>
      {p.mine && row.status === 'changes_requested' ? (
        <section aria-labelledby="leave-fix">
          <h2 id="leave-fix">{t('leave.resubmit')}</h2>
          <RequestForm
            ctx={ctx}
            action={`/conges/${row.id}/renvoyer`}
            kinds={p.kinds}
            values={p.values ?? { kind: row.kind_code, start: row.start_date, startHalf: row.start_half ?? '', end: row.end_date, endHalf: row.end_half ?? '', comment: row.comment }}
            errors={p.errors}
            quote={p.quote}
            submitLabel={t('leave.resubmit')}
          />
        </section>
      ) : null}
    </Page>
  );
}

const CODE_LABEL: Record<string, string> = { A: 'leave.team.absent', M: 'leave.team.morning', AM: 'leave.team.afternoon' };

export function TeamPage({ ctx, data, serviceId, query }: { ctx: ViewContext; data: TeamMonth; serviceId?: number; query: Record<string, string> }) {
  const t = ctx.t;
  const [y, m] = data.month.split('-').map(Number) as [number, number];
  const shift = (n: number) => {
    const k = y * 12 + (m - 1) + n;
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
  };
  const qs = (month: string) => `/conges/equipe?mois=${month}${serviceId ? `&service=${serviceId}` : ''}`;
  const monthName = formatMonth(data.month, ctx.locale);
  const services: Option[] = data.services.map((s) => ({ value: String(s.id), label: s.name }));
  return (
    <Page ctx={ctx} title={t('leave.team.title')} wide crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('leave.team.title') }]}>
      <form method="get" action="/conges/equipe" class="toolbar">
        <Field ctx={ctx} name="mois" label={t('leave.team.month')} placeholder={t('leave.month_placeholder')} maxlength={7} value={data.month} />
        <Select ctx={ctx} name="service" label={t('leave.team.service')} value={serviceId ? String(serviceId) : ''} empty={t('leave.team.all_services')} options={services} />
        <button type="submit" class="button button-secondary">
          {t('leave.team.show')}
        </button>
      </form>
      <p class="actions">
        <a href={qs(shift(-1))}>{t('leave.team.previous')}</a> <a href={qs(shift(1))}>{t('leave.team.next')}</a> <a href={`/conges/equipe.ics${serviceId ? `?service=${serviceId}` : ''}`}>{t('leave.team.ical')}</a>
      </p>
      <p class="hint" id="leave-legend">
        {t('leave.team.legend')}
      </p>
      <div class="table-wrap" tabindex={0} role="region" aria-label={t('leave.team.caption', { month: monthName })} aria-describedby="leave-legend">
        <table class="table leave-grid">
          <caption class="visually-hidden">{t('leave.team.caption', { month: monthName })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('leave.team.person')}</th>
              {data.days.map((d) => (
                <th scope="col" class={d.weekday === 0 || d.weekday === 6 ? 'leave-rest' : d.holiday ? 'leave-holiday' : undefined}>
                  <abbr title={`${t(`leave.weekday.${d.weekday}`)} ${formatDate(d.date, ctx.locale)}${d.holiday ? ` — ${t(`leave.holiday.${d.holiday}`)}` : ''}`}>{Number(d.date.slice(8))}</abbr>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.people.map((p) => (
              <tr>
                <th scope="row">{p.name}</th>
                {p.cells.map((c, i) => {
                  const d = data.days[i]!;
                  const weekend = d.weekday === 0 || d.weekday === 6;
                  if (!c.code && c.holiday && !weekend) return <td class="leave-holiday"><abbr title={t('leave.team.holiday_local', { name: t(`leave.holiday.${c.holiday}`) })}>F</abbr></td>;
                  if (!c.code) return <td class={weekend ? 'leave-rest' : d.holiday ? 'leave-holiday' : undefined}>{d.holiday && !weekend ? <abbr title={t('leave.team.holiday')}>F</abbr> : ''}</td>;
                  const label = `${t(CODE_LABEL[c.code]!)}${c.pending ? ` — ${t('leave.team.absent_pending')}` : ''}${c.kind ? ` (${c.kind})` : ''}`;
                  return (
                    <td class={`leave-cell leave-${c.code.toLowerCase()}${c.pending ? ' leave-pending' : ''}`}>
                      <abbr title={label}>{`${c.code}${c.pending ? '?' : ''}`}</abbr>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination ctx={ctx} page={data.page} perPage={TEAM_PAGE} total={data.total} path="/conges/equipe" query={{ ...query, mois: data.month }} />
      <section aria-labelledby="leave-list">
        <h2 id="leave-list">{t('leave.team.list')}</h2>
        {data.absences.length === 0 ? (
          <p class="empty">{t('leave.team.none')}</p>
        ) : (
          <ul class="plain-list">
            {data.absences.map((a) => (
              <li>
                <strong>{a.user_name}</strong> — {datesOf(ctx, a)}
                {a.kindVisible ? ` — ${kindName(ctx, a)}` : ''} — <StatusBadge ctx={ctx} status={a.status} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </Page>
  );
}

type MemberRow = { id: number; name: string; email: string; group_id: number | null; non_working_days: string | null; starts_on: string | null; group_name: string | null };
type RuleRow = { id: number; group_name: string; kind_code: string; valid_from: string; per_month: number; carry_over_max: number | null };

export function HrPage(p: { ctx: ViewContext; kinds: LeaveKind[]; groups: { id: number; name: string; unit: string; calendar: string }[]; rules: RuleRow[]; members: MemberRow[]; errors?: Errors; form?: string; values?: Record<string, string> }) {
  const { ctx } = p;
  const t = ctx.t;
  const errs = (form: string) => (p.form === form ? p.errors : undefined);
  const vals = (form: string) => (p.form === form ? p.values : undefined);
  const people: Option[] = p.members.map((m) => ({ value: String(m.id), label: `${m.name} (${m.email})` }));
  const groups: Option[] = p.groups.map((g) => ({ value: String(g.id), label: g.name }));
  const balanceKinds: Option[] = p.kinds.filter((k) => k.has_balance).map((k) => ({ value: k.code, label: kindName(ctx, k) }));
  const hrKinds: Option[] = p.kinds.filter((k) => k.hr_only).map((k) => ({ value: k.code, label: kindName(ctx, k) }));
  const thisMonth = new Date().toISOString().slice(0, 7);
  const weekdays = [1, 2, 3, 4, 5, 6, 0];
  return (
    <Page ctx={ctx} title={t('leave.hr.title')} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('leave.hr.title') }]}>
      <section aria-labelledby="hr-export">
        <h2 id="hr-export">{t('leave.hr.export')}</h2>
        <form method="get" action="/conges/rh/export" class="toolbar">
          <Field ctx={ctx} name="mois" label={t('leave.team.month')} placeholder={t('leave.month_placeholder')} maxlength={7} value={thisMonth} />
          <button type="submit" name="format" value="csv" class="button button-secondary">
            {t('leave.hr.export_csv')}
          </button>
          <button type="submit" name="format" value="xlsx" class="button button-secondary">
            {t('leave.hr.export_xlsx')}
          </button>
        </form>
      </section>
      <section aria-labelledby="hr-record">
        <h2 id="hr-record">{t('leave.hr.record')}</h2>
        <form method="post" action="/conges/rh/absences" class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={errs('record')} />
          <Select ctx={ctx} name="user_id" label={t('leave.hr.user')} required options={people} value={vals('record')?.user_id} errors={errs('record')} />
          <Select ctx={ctx} name="kind" label={t('leave.kind')} required options={hrKinds} value={vals('record')?.kind} errors={errs('record')} />
          <div class="form-grid">
            <Field ctx={ctx} name="start" type="date" label={t('leave.start')} required value={vals('record')?.start} errors={errs('record')} />
            <Field ctx={ctx} name="end" type="date" label={t('leave.end')} required value={vals('record')?.end} errors={errs('record')} />
          </div>
          <button type="submit" class="button button-primary">{t('common.save')}</button>
        </form>
      </section>
      <section aria-labelledby="hr-members">
        <h2 id="hr-members">{t('leave.hr.members')}</h2>
        <Table
          ctx={ctx}
          caption={t('leave.hr.members')}
          rows={p.members}
          columns={[
            { label: t('leave.hr.user'), rowHeader: true, cell: (m) => m.name },
            { label: t('leave.hr.group'), cell: (m) => m.group_name ?? <span class="muted">{t('leave.hr.no_group')}</span> },
            { label: t('leave.hr.non_working'), cell: (m) => (m.non_working_days ?? '').split(',').filter(Boolean).map((d) => t(`leave.weekday.${d}`)).join(', ') },
            { label: t('leave.hr.starts_on'), cell: (m) => formatDate(m.starts_on, ctx.locale) },
          ]}
        />
        <form method="post" action="/conges/rh/personnes" class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={errs('member')} />
          <Select ctx={ctx} name="user_id" label={t('leave.hr.user')} required options={people} value={vals('member')?.user_id} errors={errs('member')} />
          <Select ctx={ctx} name="group_id" label={t('leave.hr.group')} required options={groups} value={vals('member')?.group_id} errors={errs('member')} />
          <fieldset class="field choices">
            <legend>{t('leave.hr.non_working')}</legend>
            {weekdays.map((d) => (
              <div class="choice">
                <input type="checkbox" id={`nw-${d}`} name="non_working_days" value={String(d)} />
                <label for={`nw-${d}`}>{t(`leave.weekday.${d}`)}</label>
              </div>
            ))}
          </fieldset>
          <Field ctx={ctx} name="starts_on" type="date" label={t('leave.hr.starts_on')} required value={vals('member')?.starts_on} errors={errs('member')} />
          <button type="submit" class="button button-primary">{t('leave.hr.set_member')}</button>
        </form>
      </section>
      <section aria-labelledby="hr-adjust">
        <h2 id="hr-adjust">{t('leave.hr.adjust')}</h2>
        <form method="post" action="/conges/rh/ajustements" class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={errs('adjust')} />
          <Select ctx={ctx} name="user_id" label={t('leave.hr.user')} required options={people} value={vals('adjust')?.user_id} errors={errs('adjust')} />
          <Select ctx={ctx} name="kind" label={t('leave.kind')} required options={balanceKinds} value={vals('adjust')?.kind} errors={errs('adjust')} />
          <div class="form-grid">
            <Field ctx={ctx} name="date" type="date" label={t('leave.hr.date')} required value={vals('adjust')?.date} errors={errs('adjust')} />
            <Field ctx={ctx} name="days" label={t('leave.hr.days')} required inputmode="decimal" value={vals('adjust')?.days} errors={errs('adjust')} />
          </div>
          <Field ctx={ctx} name="reason" label={t('leave.hr.reason')} required value={vals('adjust')?.reason} errors={errs('adjust')} maxlength={500} />
          <button type="submit" class="button button-primary">{t('common.save')}</button>
        </form>
      </section>
      <section aria-labelledby="hr-groups">
        <h2 id="hr-groups">{t('leave.hr.groups')}</h2>
        <Table
          ctx={ctx}
          caption={t('leave.hr.groups')}
          rows={p.groups}
          columns={[
            { label: t('leave.hr.name'), rowHeader: true, cell: (g) => g.name },
            { label: t('leave.hr.unit'), cell: (g) => t(`leave.unit.${g.unit}`) },
            { label: t('leave.hr.calendar'), cell: (g) => t(`leave.calendar.${g.calendar}`) },
          ]}
        />
        <form method="post" action="/conges/rh/groupes" class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={errs('group')} />
          <Field ctx={ctx} name="name" label={t('leave.hr.name')} required value={vals('group')?.name} errors={errs('group')} maxlength={120} />
          <Select ctx={ctx} name="unit" label={t('leave.hr.unit')} value={vals('group')?.unit} errors={errs('group')} options={[{ value: 'ouvrables', label: t('leave.unit.ouvrables') }, { value: 'ouvres', label: t('leave.unit.ouvres') }]} />
          <Select ctx={ctx} name="calendar" label={t('leave.hr.calendar')} value={vals('group')?.calendar} errors={errs('group')} options={[{ value: 'general', label: t('leave.calendar.general') }, { value: 'alsace-moselle', label: t('leave.calendar.alsace-moselle') }]} />
          <button type="submit" class="button button-primary">{t('leave.hr.new_group')}</button>
        </form>
      </section>
      <section aria-labelledby="hr-rules">
        <h2 id="hr-rules">{t('leave.hr.rules')}</h2>
        <Table
          ctx={ctx}
          caption={t('leave.hr.rules')}
          rows={p.rules}
          columns={[
            { label: t('leave.hr.group'), rowHeader: true, cell: (r) => r.group_name },
            { label: t('leave.kind'), cell: (r) => r.kind_code },
            { label: t('leave.hr.valid_from'), cell: (r) => r.valid_from.slice(0, 7) },
            { label: t('leave.hr.per_month'), numeric: true, cell: (r) => num(r.per_month, ctx.locale) },
            { label: t('leave.hr.carry_max'), numeric: true, cell: (r) => (r.carry_over_max === null ? '—' : num(r.carry_over_max, ctx.locale)) },
          ]}
        />
        <form method="post" action="/conges/rh/regles" class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={errs('rule')} />
          <Select ctx={ctx} name="group_id" label={t('leave.hr.group')} required options={groups} value={vals('rule')?.group_id} errors={errs('rule')} />
          <Select ctx={ctx} name="kind" label={t('leave.kind')} required options={balanceKinds} value={vals('rule')?.kind} errors={errs('rule')} />
          <div class="form-grid">
            <Field ctx={ctx} name="valid_from" label={t('leave.hr.valid_from')} placeholder={t('leave.month_placeholder')} maxlength={7} required value={vals('rule')?.valid_from} errors={errs('rule')} />
            <Field ctx={ctx} name="per_month" label={t('leave.hr.per_month')} required inputmode="decimal" value={vals('rule')?.per_month} errors={errs('rule')} />
            <Field ctx={ctx} name="carry_over_max" label={t('leave.hr.carry_max')} inputmode="decimal" value={vals('rule')?.carry_over_max} errors={errs('rule')} />
          </div>
          <button type="submit" class="button button-primary">{t('leave.hr.new_rule')}</button>
        </form>
      </section>
      <section aria-labelledby="hr-kinds">
        <h2 id="hr-kinds">{t('leave.hr.kinds')}</h2>
        <Table
          ctx={ctx}
          caption={t('leave.hr.kinds')}
          rows={p.kinds}
          columns={[
            { label: t('leave.hr.code'), rowHeader: true, cell: (k) => k.code },
            { label: t('leave.hr.name'), cell: (k) => kindName(ctx, k) },
            { label: t('leave.hr.has_balance'), cell: (k) => (k.has_balance ? t('common.yes') : t('common.no')) },
            { label: t('leave.hr.hr_only'), cell: (k) => (k.hr_only ? t('common.yes') : t('common.no')) },
            { label: t('leave.hr.past_days'), numeric: true, cell: (k) => k.past_days_allowed },
            { label: t('leave.hr.period_month'), numeric: true, cell: (k) => k.period_start_month },
          ]}
        />
        <form method="post" action="/conges/rh/types" class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={errs('kind')} />
          <div class="form-grid">
            <Field ctx={ctx} name="code" label={t('leave.hr.code')} required value={vals('kind')?.code} errors={errs('kind')} maxlength={12} />
            <Field ctx={ctx} name="name_fr" label={t('leave.hr.name_fr')} required value={vals('kind')?.name_fr} errors={errs('kind')} maxlength={120} />
            <Field ctx={ctx} name="name_en" label={t('leave.hr.name_en')} value={vals('kind')?.name_en} errors={errs('kind')} maxlength={120} />
            <Field ctx={ctx} name="past_days_allowed" type="number" label={t('leave.hr.past_days')} value={vals('kind')?.past_days_allowed ?? '7'} errors={errs('kind')} />
            <Field ctx={ctx} name="period_start_month" type="number" label={t('leave.hr.period_month')} value={vals('kind')?.period_start_month ?? '1'} errors={errs('kind')} />
          </div>
          <fieldset class="field choices">
            <legend>{t('leave.hr.kinds')}</legend>
            {(['has_balance', 'allow_negative', 'hr_only'] as const).map((f) => (
              <div class="choice">
                <input type="checkbox" id={`k-${f}`} name={f} value="1" />
                <label for={`k-${f}`}>{t(`leave.hr.${f}`)}</label>
              </div>
            ))}
          </fieldset>
          <button type="submit" class="button button-primary">{t('leave.hr.new_kind')}</button>
        </form>
      </section>
      <p>
        <ButtonLink href="/conges/equipe" variant="secondary">
          {t('leave.team.title')}
        </ButtonLink>
      </p>
    </Page>
  );
}
