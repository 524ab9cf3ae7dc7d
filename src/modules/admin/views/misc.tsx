import { CsrfField, Page } from '../../../platform/ui/layout.js';
import { Badge, ErrorSummary, Field, Pagination, Select, Table, type Errors } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatDateTime } from '../../../platform/i18n/index.js';
import { API_SCOPES, PERMISSIONS, ROLE_GRANTS, ROLES } from '../../../platform/access/permissions.js';
import type { AuditRow, JobRow, MailRow } from '../../../platform/db/tables.js';
import { TokenTable } from '../../../platform/auth/views.js';
import type { ApiTokenRow } from '../../../platform/db/tables.js';

const adminCrumbs = (ctx: ViewContext, label: string) => [{ label: ctx.t('nav.section.admin') }, { label }];

export function RolesPage({ ctx }: { ctx: ViewContext }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('admin.roles_matrix')} crumbs={adminCrumbs(ctx, t('nav.admin.roles'))} wide>
      <p>{t('admin.roles_help')}</p>
      <div class="table-wrap" tabindex={0} role="region" aria-label={t('admin.roles_matrix')}>
        <table class="table">
          <caption class="visually-hidden">{t('admin.roles_matrix')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.permission')}</th>
              {ROLES.map((r) => (
                <th scope="col">{t(`role.${r}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PERMISSIONS.map((p) => (
              <tr>
                <th scope="row">
                  <code>{p}</code>
                </th>
                {ROLES.map((r) => (
                  <td>{(ROLE_GRANTS[r] as readonly string[]).includes(p) ? <span aria-label={t('common.yes')}>✓</span> : <span class="visually-hidden">{t('common.no')}</span>}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>{t('admin.scopes_title')}</h2>
      <Table
        ctx={ctx}
        caption={t('admin.scopes_title')}
        rows={Object.entries(API_SCOPES)}
        columns={[
          { label: t('admin.scope'), cell: ([s]) => <code>{s}</code>, rowHeader: true },
          { label: t('admin.scope_grants'), cell: ([, ps]) => ps.join(', ') },
        ]}
      />
    </Page>
  );
}

export function TokensPage({ ctx, tokens }: { ctx: ViewContext; tokens: (ApiTokenRow & { user_name: string })[] }) {
  return (
    <Page ctx={ctx} title={ctx.t('nav.admin.tokens')} crumbs={adminCrumbs(ctx, ctx.t('nav.admin.tokens'))}>
      <TokenTable ctx={ctx} tokens={tokens} revokeBase="/admin/jetons" showOwner />
    </Page>
  );
}

function Changes({ ctx, json }: { ctx: ViewContext; json: string }) {
  let changes: Record<string, unknown> = {};
  try {
    changes = JSON.parse(json) as Record<string, unknown>;
  } catch {
    /* shown empty */
  }
  const show = (v: unknown) => (v === null || v === undefined || v === '' ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));
  const entries = Object.entries(changes);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="changes">
      {entries.map(([k, v]) =>
        Array.isArray(v) && v.length === 2 ? (
          <li>
            <code>{k}</code> : <span class="diff-before">{show(v[0])}</span> → <span class="diff-after">{show(v[1])}</span>
          </li>
        ) : (
          <li>
            <code>{k}</code> : {show(v)}
          </li>
        ),
      )}
    </ul>
  );
}

export function AuditPage({
  ctx,
  items,
  total,
  page,
  query,
  users,
  entities,
  actions,
}: {
  ctx: ViewContext;
  items: AuditRow[];
  total: number;
  page: number;
  query: Record<string, string | undefined>;
  users: { id: number; name: string }[];
  entities: string[];
  actions: string[];
}) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('admin.audit')} crumbs={adminCrumbs(ctx, t('admin.audit'))} wide>
      <form method="get" action="/admin/audit" class="toolbar">
        <Select ctx={ctx} name="actor" label={t('admin.audit_actor')} value={query.actor} empty={t('common.all')} options={users.map((u) => ({ value: String(u.id), label: u.name }))} />
        <Select ctx={ctx} name="entity" label={t('admin.audit_entity')} value={query.entity} empty={t('common.all')} options={entities.map((e) => ({ value: e, label: e }))} />
        <Field ctx={ctx} name="entityId" label="Id" value={query.entityId} />
        <Select ctx={ctx} name="action" label={t('admin.audit_action')} value={query.action} empty={t('common.all')} options={actions.map((a) => ({ value: a, label: a }))} />
        <Field ctx={ctx} name="from" type="date" label={t('admin.audit_from')} value={query.from} />
        <Field ctx={ctx} name="to" type="date" label={t('admin.audit_to')} value={query.to} />
        <button type="submit">{t('common.filter')}</button>
      </form>
      <Table
        ctx={ctx}
        caption={t('admin.audit')}
        rows={items}
        columns={[
          { label: t('admin.audit_at'), cell: (r) => formatDateTime(r.at, ctx.locale), rowHeader: true },
          { label: t('admin.audit_actor'), cell: (r) => r.actor_label },
          { label: t('admin.audit_entity'), cell: (r) => `${r.entity} #${r.entity_id}` },
          { label: t('admin.audit_action'), cell: (r) => <Badge>{r.action}</Badge> },
          { label: t('admin.audit_changes'), cell: (r) => <Changes ctx={ctx} json={r.changes} /> },
          { label: t('admin.audit_request'), cell: (r) => <span class="mono muted">{[r.request_id, r.ip].filter(Boolean).join(' · ')}</span> },
        ]}
      />
      <Pagination ctx={ctx} page={page} perPage={50} total={total} path="/admin/audit" query={query} />
    </Page>
  );
}

const mailBadge = (s: string) => (s === 'sent' ? 'success' : s === 'failed' ? 'danger' : s === 'kept' ? 'info' : 'warning');

export function OutboxPage({ ctx, items, total, page }: { ctx: ViewContext; items: MailRow[]; total: number; page: number }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('admin.outbox')} crumbs={adminCrumbs(ctx, t('admin.outbox'))}>
      <p>{t('admin.outbox_help')}</p>
      <Table
        ctx={ctx}
        caption={t('admin.outbox')}
        rows={items}
        columns={[
          { label: t('admin.audit_at'), cell: (m) => formatDateTime(m.created_at, ctx.locale), rowHeader: true },
          { label: t('admin.mail_to'), cell: (m) => m.to_address },
          { label: t('admin.mail_subject'), cell: (m) => <a href={`/admin/boite-envoi/${m.id}`}>{m.subject}</a> },
          { label: t('admin.status'), cell: (m) => <Badge kind={mailBadge(m.status)}>{t(`admin.mail_status.${m.status}`)}</Badge> },
        ]}
      />
      <Pagination ctx={ctx} page={page} perPage={50} total={total} path="/admin/boite-envoi" query={{}} />
    </Page>
  );
}

export function MailPage({ ctx, mail }: { ctx: ViewContext; mail: MailRow }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={mail.subject} crumbs={[{ label: t('nav.section.admin') }, { label: t('admin.outbox'), href: '/admin/boite-envoi' }, { label: mail.subject }]}>
      <p>
        {t('admin.mail_to')} : <strong>{mail.to_address}</strong> · {formatDateTime(mail.created_at, ctx.locale)} · <Badge kind={mailBadge(mail.status)}>{t(`admin.mail_status.${mail.status}`)}</Badge>
      </p>
      {mail.error ? <p class="flash flash-error">{mail.error}</p> : null}
      {/* Plain text shown as such; links made clickable for the demo */}
      <pre class="card mail-body">
        {mail.text_body.split(/(https?:\/\/\S+)/g).map((part) => (/^https?:\/\//.test(part) ? <a href={part}>{part}</a> : part))}
      </pre>
    </Page>
  );
}

export function JobsPage({ ctx, jobs }: { ctx: ViewContext; jobs: JobRow[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('admin.jobs')} crumbs={adminCrumbs(ctx, t('admin.jobs'))} wide>
      <Table
        ctx={ctx}
        caption={t('admin.jobs')}
        rows={jobs}
        columns={[
          { label: '#', cell: (j) => String(j.id), rowHeader: true },
          { label: t('admin.job_kind'), cell: (j) => <code>{j.kind}</code> },
          { label: t('admin.status'), cell: (j) => <Badge kind={j.status === 'done' ? 'success' : j.status === 'failed' ? 'danger' : 'info'}>{j.status}</Badge> },
          { label: t('admin.audit_at'), cell: (j) => formatDateTime(j.run_at, ctx.locale) },
          { label: t('admin.job_attempts'), cell: (j) => `${j.attempts}/${j.max_attempts}`, numeric: true },
          { label: t('admin.job_error'), cell: (j) => j.last_error ?? '' },
        ]}
      />
    </Page>
  );
}

export function SettingsPage({ ctx, name, territory, territoryFromEnv, errors }: { ctx: ViewContext; name: string; territory: string; territoryFromEnv: boolean; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('admin.settings')} crumbs={adminCrumbs(ctx, t('admin.settings'))}>
      <form method="post" action="/admin/parametres" class="stack" novalidate>
        <ErrorSummary ctx={ctx} errors={errors} />
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="name" label={t('admin.cci_name')} value={name} required maxlength={120} errors={errors} />
        {territoryFromEnv ? (
          <p>
            <strong>{t('admin.territory')}</strong> : {territory}
            <br />
            <span class="muted">{t('admin.territory_env')}</span>
          </p>
        ) : (
          <Field ctx={ctx} name="territory" label={t('admin.territory')} value={territory} required errors={errors} />
        )}
        <button type="submit">{t('common.save')}</button>
      </form>
    </Page>
  );
}
