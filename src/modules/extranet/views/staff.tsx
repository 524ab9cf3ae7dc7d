// Staff back office of the extranet (/gestion-extranet/…): accounts, invitations, sign-up queue,
// correction requests, members' requests queue, routing. Pure components.
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import { Actions, Badge, ButtonLink, ErrorSummary, Facts, Field, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatDate, formatDateTime } from './format.js';
import type { MemberAccountRow, SignupRow } from '../extranet.table.js';
import { CORRECTABLE, DIFF_KEYS, type ChangeRequestView } from '../corrections.service.js';
import type { Preference } from '../consent.service.js';
import { REQUEST_CATEGORIES, REQUEST_STATUSES, type QueueRow, type RequestThread, type ResponseStats } from '../requests.service.js';
import { AttachmentField } from './member.js';
import { CorrectionDiff, CorrectionStatusBadge, PendingInvitations, RequestStatusBadge, Thread, fieldLabel, type PendingInvitationItem } from './common.js';

const base = (ctx: ViewContext) => ({ label: ctx.t('extranet.admin.title'), href: '/gestion-extranet' });

export function DashboardPage({ ctx, counts }: { ctx: ViewContext; counts: { signups: number; corrections: number; requests: number; accounts: number } }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.admin.title')}>
      <ul class="cards">
        <li class="card">
          <h2 class="card-title">
            <a href="/gestion-extranet/inscriptions">{t('extranet.admin.signups')}</a>
          </h2>
          <p>{t('extranet.admin.pending_count', { count: counts.signups })}</p>
        </li>
        <li class="card">
          <h2 class="card-title">
            <a href="/gestion-extranet/corrections">{t('extranet.admin.corrections')}</a>
          </h2>
          <p>{t('extranet.admin.pending_count', { count: counts.corrections })}</p>
        </li>
        <li class="card">
          <h2 class="card-title">
            <a href="/gestion-extranet/demandes">{t('extranet.admin.requests')}</a>
          </h2>
          <p>{t('extranet.admin.open_count', { count: counts.requests })}</p>
        </li>
        <li class="card">
          <h2 class="card-title">
            <a href="/gestion-extranet/comptes">{t('extranet.admin.accounts')}</a>
          </h2>
          <p>{t('extranet.admin.accounts_count', { count: counts.accounts })}</p>
        </li>
      </ul>
      <p>
        <a href="/gestion-extranet/routage">{t('extranet.admin.routing')}</a>
      </p>
    </Page>
  );
}

export interface AccountListRow extends MemberAccountRow {
  companies: string;
}

export function AccountsPage({ ctx, rows, q }: { ctx: ViewContext; rows: AccountListRow[]; q: string }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.admin.accounts')} crumbs={[base(ctx), { label: t('extranet.admin.accounts') }]}>
      <form method="get" action="/gestion-extranet/comptes" class="toolbar" role="search">
        <Field ctx={ctx} name="q" type="search" label={t('extranet.admin.search_accounts')} value={q} />
        <button type="submit">{t('common.search')}</button>
      </form>
      <Table
        ctx={ctx}
        caption={t('extranet.admin.accounts')}
        rows={rows}
        columns={[
          { label: t('extranet.col.name'), rowHeader: true, cell: (a) => <a href={`/gestion-extranet/comptes/${a.id}`}>{a.name}</a> },
          { label: t('auth.email'), cell: (a) => a.email },
          { label: t('extranet.col.companies'), cell: (a) => a.companies || '—' },
          { label: t('extranet.col.status'), cell: (a) => <Badge kind={a.status === 'active' ? 'success' : a.status === 'disabled' ? 'danger' : 'info'}>{t(`extranet.account_status.${a.status}`)}</Badge> },
          { label: t('extranet.col.last_sign_in'), cell: (a) => formatDateTime(a.last_sign_in_at, ctx.locale) || '—' },
        ]}
      />
    </Page>
  );
}

export function AccountPage({ ctx, account, memberships }: { ctx: ViewContext; account: MemberAccountRow; memberships: { id: number; companyId: number; companyName: string; role: string; status: string; origin: string }[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={account.name} crumbs={[base(ctx), { label: t('extranet.admin.accounts'), href: '/gestion-extranet/comptes' }, { label: account.name }]}>
      <Facts
        items={[
          [t('auth.email'), account.email],
          [t('extranet.col.status'), t(`extranet.account_status.${account.status}`)],
          [t('auth.totp_title'), t(account.totp_enabled ? 'auth.totp_status_on' : 'auth.totp_status_off')],
          [t('extranet.col.last_sign_in'), formatDateTime(account.last_sign_in_at, ctx.locale) || '—'],
        ]}
      />
      <Actions>
        {account.status === 'active' ? (
          <PostButton ctx={ctx} action={`/gestion-extranet/comptes/${account.id}/statut`} fields={{ status: 'disabled', version: account.version }} label={t('extranet.admin.disable')} variant="danger" />
        ) : account.status === 'disabled' ? (
          <PostButton ctx={ctx} action={`/gestion-extranet/comptes/${account.id}/statut`} fields={{ status: 'active', version: account.version }} label={t('extranet.admin.enable')} />
        ) : null}
      </Actions>
      <h2>{t('extranet.col.companies')}</h2>
      <Table
        ctx={ctx}
        caption={t('extranet.col.companies')}
        rows={memberships}
        columns={[
          { label: t('extranet.col.company'), rowHeader: true, cell: (m) => <a href={`/registre/entreprises/${m.companyId}`}>{m.companyName}</a> },
          { label: t('extranet.col.role'), cell: (m) => t(`extranet.role.${m.role}`) },
          { label: t('extranet.col.origin'), cell: (m) => t(`extranet.origin.${m.origin}`) },
          { label: t('extranet.col.status'), cell: (m) => t(`extranet.membership_status.${m.status}`) },
          { label: t('common.actions'), cell: (m) => (m.status === 'active' ? <PostButton ctx={ctx} action={`/gestion-extranet/acces/${m.id}/retirer`} label={t('extranet.admin.revoke_access')} variant="danger" /> : null) },
        ]}
      />
    </Page>
  );
}

export function InvitePage({ ctx, company, contacts, values, errors }: { ctx: ViewContext; company: { id: number; name: string }; contacts: { id: number; name: string; email: string | null }[]; values: Record<string, string>; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.admin.invite_title', { company: company.name })} crumbs={[base(ctx), { label: company.name, href: `/registre/entreprises/${company.id}` }, { label: t('extranet.admin.invite') }]}>
      {contacts.length ? (
        <>
          <h2>{t('extranet.admin.invite_contact')}</h2>
          <ul>
            {contacts.map((c) => (
              <li>
                <a href={`/gestion-extranet/invitations/nouvelle?entreprise=${company.id}&contact=${c.id}`}>{c.name}</a> {c.email ? <span class="muted">&lt;{c.email}&gt;</span> : <span class="muted">({t('extranet.admin.no_email')})</span>}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h2>{t('extranet.admin.invite_form')}</h2>
      <ErrorSummary ctx={ctx} errors={errors} />
      <form method="post" action="/gestion-extranet/invitations" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="company_id" value={String(company.id)} />
        <Field ctx={ctx} name="name" label={t('extranet.col.name')} value={values.name} required maxlength={120} errors={errors} />
        <Field ctx={ctx} name="email" type="email" label={t('auth.email')} value={values.email} required errors={errors} />
        <Select ctx={ctx} name="role" label={t('extranet.col.role')} value={values.role ?? 'administrator'} errors={errors} options={['administrator', 'member'].map((r) => ({ value: r, label: t(`extranet.role.${r}`) }))} />
        <div>
          <button type="submit">{t('extranet.team.send_invitation')}</button>
        </div>
      </form>
    </Page>
  );
}

export interface SignupQueueRow extends SignupRow {
  suggestion?: { id: number; name: string };
}

export function SignupsPage({ ctx, rows, errors, errorFor, q, found }: { ctx: ViewContext; rows: SignupQueueRow[]; errors?: Errors; errorFor?: number; q?: string; found?: { id: number; name: string; siren: string | null; city: string | null }[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.admin.signups')} crumbs={[base(ctx), { label: t('extranet.admin.signups') }]}>
      <p class="hint">{t('extranet.admin.signups_help')}</p>
      <form method="get" action="/gestion-extranet/inscriptions" class="toolbar" role="search">
        <Field ctx={ctx} name="q" type="search" label={t('extranet.admin.find_company')} hint={t('extranet.admin.find_company_hint')} value={q} />
        <button type="submit">{t('common.search')}</button>
      </form>
      {found ? (
        <Table
          ctx={ctx}
          caption={t('extranet.admin.find_company')}
          rows={found}
          columns={[
            { label: t('extranet.admin.company_id'), rowHeader: true, numeric: true, cell: (c) => c.id },
            { label: t('extranet.col.company'), cell: (c) => <a href={`/registre/entreprises/${c.id}`}>{c.name}</a> },
            { label: t('extranet.company.siren'), cell: (c) => <span class="mono">{c.siren ?? '—'}</span> },
            { label: t('extranet.field.city'), cell: (c) => c.city ?? '—' },
          ]}
        />
      ) : null}
      {rows.length === 0 ? <p class="empty">{t('extranet.admin.queue_empty')}</p> : null}
      {rows.map((s) => (
        <section class="card signup-card" aria-labelledby={`signup-${s.id}`}>
          <h2 id={`signup-${s.id}`} class="card-title">
            {s.name} &lt;{s.email}&gt;
          </h2>
          <Facts
            items={[
              [t('extranet.siret'), <span class="mono">{s.siret}</span>],
              [t('extranet.col.date'), formatDateTime(s.created_at, ctx.locale)],
              [t('extranet.admin.suggested_company'), s.suggestion ? <a href={`/registre/entreprises/${s.suggestion.id}`}>{s.suggestion.name}</a> : t('extranet.admin.no_match')],
            ]}
          />
          {errorFor === s.id ? <ErrorSummary ctx={ctx} errors={errors} /> : null}
          <div class="form-grid">
            <form method="post" action={`/gestion-extranet/inscriptions/${s.id}/approuver`} class="stack">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(s.version)} />
              <Field ctx={ctx} id={`company-${s.id}`} name="company_id" label={t('extranet.admin.company_id')} value={s.suggestion ? String(s.suggestion.id) : ''} inputmode="numeric" required errors={errorFor === s.id ? errors : undefined} />
              <Select ctx={ctx} id={`role-${s.id}`} name="role" label={t('extranet.col.role')} value="administrator" options={['administrator', 'member'].map((r) => ({ value: r, label: t(`extranet.role.${r}`) }))} />
              <div>
                <button type="submit">{t('extranet.admin.approve')}</button>
              </div>
            </form>
            <form method="post" action={`/gestion-extranet/inscriptions/${s.id}/refuser`} class="stack">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(s.version)} />
              <Field ctx={ctx} id={`reason-${s.id}`} name="reason" label={t('extranet.reason')} multiline rows={3} required errors={errorFor === s.id ? errors : undefined} />
              <div>
                <button type="submit" class="button button-danger">
                  {t('extranet.admin.refuse')}
                </button>
              </div>
            </form>
          </div>
        </section>
      ))}
    </Page>
  );
}

export function CorrectionsPage({ ctx, rows }: { ctx: ViewContext; rows: (ChangeRequestView & { companyName: string })[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.admin.corrections')} crumbs={[base(ctx), { label: t('extranet.admin.corrections') }]}>
      <Table
        ctx={ctx}
        caption={t('extranet.admin.corrections')}
        empty={t('extranet.admin.queue_empty')}
        rows={rows}
        columns={[
          { label: t('extranet.col.company'), rowHeader: true, cell: (c) => <a href={`/gestion-extranet/corrections/${c.id}`}>{c.companyName}</a> },
          { label: t('extranet.col.fields'), cell: (c) => DIFF_KEYS.filter((f) => c.changes[f]).map((f) => fieldLabel(ctx, f)).join(', ') },
          { label: t('extranet.col.date'), cell: (c) => formatDateTime(c.created_at, ctx.locale) },
        ]}
      />
    </Page>
  );
}

export function CorrectionDecisionPage({ ctx, req, companyName, by, errors }: { ctx: ViewContext; req: ChangeRequestView; companyName: string; by: string; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.admin.correction_title', { company: companyName })} crumbs={[base(ctx), { label: t('extranet.admin.corrections'), href: '/gestion-extranet/corrections' }, { label: companyName }]}>
      <p>
        <CorrectionStatusBadge ctx={ctx} status={req.status} /> · {t('extranet.admin.proposed_by', { name: by, date: formatDateTime(req.created_at, ctx.locale) })} ·{' '}
        <a href={`/registre/entreprises/${req.company_id}`}>{t('extranet.admin.company_page')}</a>
      </p>
      <ErrorSummary ctx={ctx} errors={errors} />
      {req.status === 'pending' ? (
        <form method="post" action={`/gestion-extranet/corrections/${req.id}/decision`} class="stack stack-wide">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="version" value={String(req.version)} />
          <p class="hint">{t('extranet.admin.decision_help')}</p>
          <CorrectionDiff ctx={ctx} req={req} selectable />
          <Field ctx={ctx} name="reason" label={t('extranet.reason')} hint={t('extranet.admin.reason_hint')} multiline rows={3} errors={errors} />
          <Actions>
            <button type="submit" name="decision" value="apply">
              {t('extranet.admin.apply_selected')}
            </button>
            <button type="submit" name="decision" value="refuse" class="button button-danger">
              {t('extranet.admin.refuse_all')}
            </button>
          </Actions>
        </form>
      ) : (
        <>
          {req.reason ? (
            <p>
              <strong>{t('extranet.reason')} :</strong> {req.reason}
            </p>
          ) : null}
          <CorrectionDiff ctx={ctx} req={req} />
        </>
      )}
    </Page>
  );
}

export function QueuePage({ ctx, rows, query, stats, companies }: { ctx: ViewContext; rows: QueueRow[]; query: Record<string, string | undefined>; stats: ResponseStats[]; companies: Map<number, string> }) {
  const t = ctx.t;
  const minutes = (m: number | null) => (m === null ? '—' : m < 120 ? t('extranet.admin.minutes', { n: m }) : m < 2880 ? t('extranet.admin.hours', { n: Math.round(m / 60) }) : t('extranet.admin.days', { n: Math.round(m / 1440) }));
  return (
    <Page ctx={ctx} title={t('extranet.admin.requests')} crumbs={[base(ctx), { label: t('extranet.admin.requests') }]}>
      <form method="get" action="/gestion-extranet/demandes" class="toolbar">
        <Select ctx={ctx} name="categorie" label={t('extranet.col.category')} empty={t('common.all')} value={query.categorie} options={REQUEST_CATEGORIES.map((c) => ({ value: c, label: t(`extranet.category.${c}`) }))} />
        <Select ctx={ctx} name="statut" label={t('extranet.col.status')} empty={t('extranet.admin.open_statuses')} value={query.statut} options={REQUEST_STATUSES.map((s) => ({ value: s, label: t(`extranet.staff_status.${s}`) }))} />
        {query.entreprise ? <input type="hidden" name="entreprise" value={query.entreprise} /> : null}
        <Select ctx={ctx} name="assigne" label={t('extranet.col.assignee')} empty={t('common.all')} value={query.assigne} options={[{ value: 'me', label: t('extranet.admin.assigned_to_me') }, { value: 'none', label: t('extranet.admin.unassigned') }]} />
        <button type="submit">{t('common.filter')}</button>
      </form>
      <Table
        ctx={ctx}
        caption={t('extranet.admin.requests')}
        empty={t('extranet.admin.queue_empty')}
        rows={rows}
        columns={[
          { label: t('extranet.col.subject'), rowHeader: true, cell: (r) => <a href={`/gestion-extranet/demandes/${r.id}`}>{r.subject}</a> },
          { label: t('extranet.col.company'), cell: (r) => companies.get(r.company_id) ?? `#${r.company_id}` },
          { label: t('extranet.col.category'), cell: (r) => t(`extranet.category.${r.category}`) },
          { label: t('extranet.col.status'), cell: (r) => <RequestStatusBadge ctx={ctx} status={r.status} /> },
          { label: t('extranet.col.assignee'), cell: (r) => r.assignee_name ?? '—' },
          { label: t('extranet.col.last_message'), cell: (r) => formatDateTime(r.last_message_at, ctx.locale) },
        ]}
      />
      <h2>{t('extranet.admin.response_times')}</h2>
      <Table
        ctx={ctx}
        caption={t('extranet.admin.response_times')}
        rows={stats}
        columns={[
          { label: t('extranet.col.category'), rowHeader: true, cell: (s) => t(`extranet.category.${s.category}`) },
          { label: t('extranet.admin.received'), numeric: true, cell: (s) => s.total },
          { label: t('extranet.admin.answered'), numeric: true, cell: (s) => s.answered },
          { label: t('extranet.admin.median'), numeric: true, cell: (s) => minutes(s.medianMinutes) },
          { label: t('extranet.admin.average'), numeric: true, cell: (s) => minutes(s.averageMinutes) },
        ]}
      />
    </Page>
  );
}

export function StaffThreadPage({ ctx, thread, companyName, author, staff, errors, body }: { ctx: ViewContext; thread: RequestThread; companyName: string; author: string; staff: { id: number; name: string }[]; errors?: Errors; body?: string }) {
  const t = ctx.t;
  const r = thread.request;
  return (
    <Page ctx={ctx} title={r.subject} crumbs={[base(ctx), { label: t('extranet.admin.requests'), href: '/gestion-extranet/demandes' }, { label: r.subject }]}>
      <Facts
        items={[
          [t('extranet.col.company'), <a href={`/registre/entreprises/${r.company_id}`}>{companyName}</a>],
          [t('extranet.admin.from'), author],
          [t('extranet.col.category'), t(`extranet.category.${r.category}`)],
          [t('extranet.col.status'), <RequestStatusBadge ctx={ctx} status={r.status} />],
          [t('extranet.admin.first_response'), r.first_response_at ? formatDateTime(r.first_response_at, ctx.locale) : '—'],
        ]}
      />
      {r.status !== 'closed' ? (
        <form method="post" action={`/gestion-extranet/demandes/${r.id}/assigner`} class="toolbar">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="version" value={String(r.version)} />
          <Select ctx={ctx} name="assignee_id" label={t('extranet.col.assignee')} empty={t('extranet.admin.unassigned')} value={r.assignee_id ? String(r.assignee_id) : ''} options={staff.map((s) => ({ value: String(s.id), label: s.name }))} />
          <button type="submit" class="button button-secondary">
            {t('extranet.admin.assign')}
          </button>
        </form>
      ) : null}
      <h2>{t('extranet.thread.title')}</h2>
      <Thread ctx={ctx} thread={thread} fileBase="/gestion-extranet/pieces-jointes" />
      {r.status !== 'closed' ? (
        <>
          <h2>{t('extranet.thread.reply')}</h2>
          <ErrorSummary ctx={ctx} errors={errors} />
          <form method="post" action={`/gestion-extranet/demandes/${r.id}/reponse`} enctype="multipart/form-data" class="stack" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="version" value={String(r.version)} />
            <Field ctx={ctx} name="body" label={t('extranet.message')} value={body} required multiline rows={6} errors={errors} />
            <AttachmentField ctx={ctx} errors={errors} />
            <Select ctx={ctx} name="status" label={t('extranet.admin.status_after')} value="waiting_member" options={['waiting_member', 'in_progress', 'closed'].map((s) => ({ value: s, label: t(`extranet.staff_status.${s}`) }))} />
            <div>
              <button type="submit">{t('extranet.thread.send')}</button>
            </div>
          </form>
          <PostButton ctx={ctx} action={`/gestion-extranet/demandes/${r.id}/cloturer`} fields={{ version: r.version }} label={t('extranet.requests.close')} />
        </>
      ) : null}
    </Page>
  );
}

export function RoutingPage({ ctx, routes, staff }: { ctx: ViewContext; routes: Record<string, number | null>; staff: { id: number; name: string }[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.admin.routing')} crumbs={[base(ctx), { label: t('extranet.admin.routing') }]}>
      <p class="hint">{t('extranet.admin.routing_help')}</p>
      <form method="post" action="/gestion-extranet/routage" class="stack">
        <CsrfField ctx={ctx} />
        {REQUEST_CATEGORIES.map((c) => (
          <Select ctx={ctx} name={`route_${c}`} label={t(`extranet.category.${c}`)} empty={t('extranet.admin.whole_team')} value={routes[c] ? String(routes[c]) : ''} options={staff.map((s) => ({ value: String(s.id), label: s.name }))} />
        ))}
        <div>
          <button type="submit">{t('common.save')}</button>
        </div>
      </form>
    </Page>
  );
}

export interface PanelData {
  companyId: number;
  members: { accountId: number; name: string; email: string; role: string; lastSignIn: string | null }[];
  invitations: PendingInvitationItem[];
  corrections: { id: number; created_at: string }[];
  requests: { id: number; subject: string; status: 'new' | 'in_progress' | 'waiting_member' | 'closed' }[];
  /** contacts whose preferences the member recorded on the extranet */
  consents: { name: string; newsletter?: Preference; events?: Preference }[];
  canManage: boolean;
  canAnswer: boolean;
}

/** The block on the registry's company page: who has access, what is pending. */
export function CompanyPanel({ ctx, data }: { ctx: ViewContext; data: PanelData }) {
  const t = ctx.t;
  return (
    <section class="panel extranet-panel" aria-labelledby="extranet-panel-title">
      <h2 id="extranet-panel-title">{t('extranet.panel.title')}</h2>
      {data.members.length === 0 ? (
        <p class="empty">{t('extranet.panel.no_access')}</p>
      ) : (
        <ul>
          {data.members.map((m) => (
            <li>
              {data.canManage ? <a href={`/gestion-extranet/comptes/${m.accountId}`}>{m.name}</a> : m.name} <span class="muted">&lt;{m.email}&gt;</span> — {t(`extranet.role.${m.role}`)}
              {m.lastSignIn ? <span class="muted"> · {t('extranet.panel.last_seen', { date: formatDate(m.lastSignIn, ctx.locale) })}</span> : null}
            </li>
          ))}
        </ul>
      )}
      <PendingInvitations ctx={ctx} invitations={data.invitations} cancel={data.canManage ? (id) => `/gestion-extranet/invitations/${id}/annuler` : undefined} level={3} />
      {data.corrections.length ? (
        <p>
          {t('extranet.panel.corrections', { count: data.corrections.length })}{' '}
          {data.canManage
            ? data.corrections.map((c) => (
                <>
                  <a href={`/gestion-extranet/corrections/${c.id}`}>{formatDate(c.created_at, ctx.locale)}</a>{' '}
                </>
              ))
            : null}
        </p>
      ) : null}
      {data.requests.length ? (
        <>
          <h3>{t('extranet.panel.requests')}</h3>
          {data.canAnswer ? (
            <p>
              <a href={`/gestion-extranet/demandes?entreprise=${data.companyId}&statut=`}>{t('extranet.panel.all_requests')}</a>
            </p>
          ) : null}
          <ul>
            {data.requests.map((r) => (
              <li>
                {data.canAnswer ? <a href={`/gestion-extranet/demandes/${r.id}`}>{r.subject}</a> : r.subject} <RequestStatusBadge ctx={ctx} status={r.status} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {data.consents.length ? (
        <>
          <h3>{t('extranet.panel.consents')}</h3>
          <ul>
            {data.consents.map((c) => (
              <li>
                {c.name} —{' '}
                {(['newsletter', 'events'] as const)
                  .filter((ch) => c[ch])
                  .map((ch) => t('extranet.contacts.last_change', { channel: t(`extranet.channel.${ch}`), value: t(c[ch]!.value ? 'common.yes' : 'common.no'), date: formatDate(c[ch]!.at, ctx.locale), origin: t(`extranet.origin.${c[ch]!.origin}`) }))
                  .join(' ; ')}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {data.canManage ? (
        <Actions>
          <ButtonLink href={`/gestion-extranet/invitations/nouvelle?entreprise=${data.companyId}`} variant="secondary">
            {t('extranet.admin.invite')}
          </ButtonLink>
        </Actions>
      ) : null}
    </section>
  );
}
