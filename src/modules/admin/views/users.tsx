import { CsrfField, Page } from '../../../platform/ui/layout.js';
import { Actions, Badge, ButtonLink, Choices, ErrorSummary, Facts, Field, Pagination, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatDateTime } from '../../../platform/i18n/index.js';
import { ROLES } from '../../../platform/access/permissions.js';
import type { User } from '../../../platform/auth/users.js';

const crumbs = (ctx: ViewContext, last?: string) => [
  { label: ctx.t('nav.section.admin') },
  { label: ctx.t('admin.users'), href: '/admin/utilisateurs' },
  ...(last ? [{ label: last }] : []),
];

export function statusBadge(ctx: ViewContext, u: User) {
  const locked = u.locked_until && u.locked_until > new Date().toISOString();
  return (
    <>
      <Badge kind={u.status === 'active' ? 'success' : u.status === 'invited' ? 'info' : 'neutral'}>{ctx.t(`admin.status.${u.status}`)}</Badge>
      {locked ? (
        <>
          {' '}
          <Badge kind="danger">{ctx.t('admin.locked_until', { at: formatDateTime(u.locked_until, ctx.locale) })}</Badge>
        </>
      ) : null}
    </>
  );
}

export function UsersPage({ ctx, users, total, page, query }: { ctx: ViewContext; users: User[]; total: number; page: number; query: Record<string, string | undefined> }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('admin.users')} crumbs={crumbs(ctx).slice(0, 2)}>
      <Actions>
        <ButtonLink href="/admin/utilisateurs/nouveau">{t('admin.new_user')}</ButtonLink>
      </Actions>
      <form method="get" action="/admin/utilisateurs" class="toolbar" role="search">
        <Field ctx={ctx} name="q" type="search" label={t('admin.search_users')} value={query.q} />
        <Select ctx={ctx} name="role" label={t('admin.roles')} value={query.role} empty={t('admin.all_roles')} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        <Select ctx={ctx} name="status" label={t('admin.status')} value={query.status} empty={t('admin.all_statuses')} options={['active', 'invited', 'disabled'].map((s) => ({ value: s, label: t(`admin.status.${s}`) }))} />
        <button type="submit">{t('common.filter')}</button>
      </form>
      <Table
        ctx={ctx}
        caption={t('admin.users')}
        rows={users}
        columns={[
          { label: t('admin.name'), cell: (u) => <a href={`/admin/utilisateurs/${u.id}`}>{u.name}</a>, rowHeader: true },
          { label: t('auth.email'), cell: (u) => u.email },
          { label: t('admin.roles'), cell: (u) => u.roles.map((r) => t(`role.${r}`)).join(', ') },
          { label: t('admin.status'), cell: (u) => statusBadge(ctx, u) },
          { label: t('admin.last_sign_in'), cell: (u) => formatDateTime(u.last_sign_in_at, ctx.locale) || '—' },
        ]}
      />
      <Pagination ctx={ctx} page={page} perPage={50} total={total} path="/admin/utilisateurs" query={query} />
    </Page>
  );
}

export interface UserFormValues {
  name?: string;
  email?: string;
  roles?: string[];
  version?: number;
  managerId?: string;
}

export function UserFormPage({ ctx, values, errors, userId, managers = [] }: { ctx: ViewContext; values: UserFormValues; errors?: Errors; userId?: number; managers?: { id: number; name: string }[] }) {
  const t = ctx.t;
  const title = userId ? `${t('common.edit')} — ${values.name ?? ''}` : t('admin.new_user');
  const labels = { name: t('admin.name'), email: t('auth.email'), roles: t('admin.roles'), password: t('admin.initial_password') };
  return (
    <Page ctx={ctx} title={title} crumbs={crumbs(ctx, title)}>
      <form method="post" action={userId ? `/admin/utilisateurs/${userId}` : '/admin/utilisateurs'} class="stack" novalidate>
        <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
        <CsrfField ctx={ctx} />
        {values.version !== undefined ? <input type="hidden" name="version" value={String(values.version)} /> : null}
        <Field ctx={ctx} name="name" label={labels.name} value={values.name} required maxlength={120} errors={errors} autocomplete="off" />
        <Field ctx={ctx} name="email" type="email" label={labels.email} value={values.email} required errors={errors} autocomplete="off" />
        <Choices ctx={ctx} name="roles" legend={labels.roles} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} values={values.roles ?? []} errors={errors} />
        {userId ? (
          <Select ctx={ctx} name="manager_id" id="f-manager_id" label={t('admin.manager')} value={values.managerId} empty={t('common.none')} errors={errors} options={managers.filter((m) => m.id !== userId).map((m) => ({ value: String(m.id), label: m.name }))} />
        ) : null}
        {userId ? null : <Field ctx={ctx} name="password" type="password" label={labels.password} hint={t('admin.invite_hint')} errors={errors} autocomplete="new-password" />}
        <Actions>
          <button type="submit">{userId ? t('common.save') : t('common.create')}</button>
          <a href={userId ? `/admin/utilisateurs/${userId}` : '/admin/utilisateurs'}>{t('common.cancel')}</a>
        </Actions>
      </form>
    </Page>
  );
}

export function UserPage({ ctx, user, managerName }: { ctx: ViewContext; user: User; managerName?: string }) {
  const t = ctx.t;
  const self = ctx.user?.id === user.id;
  return (
    <Page ctx={ctx} title={user.name} crumbs={crumbs(ctx, user.name)}>
      <Facts
        items={[
          [t('auth.email'), user.email],
          [t('admin.roles'), user.roles.map((r) => t(`role.${r}`)).join(', ')],
          [t('admin.manager'), managerName ?? '—'],
          [t('admin.status'), statusBadge(ctx, user)],
          [t('account.second_factor'), user.totp_enabled ? t('auth.totp_status_on') : t('auth.totp_status_off')],
          [t('admin.last_sign_in'), formatDateTime(user.last_sign_in_at, ctx.locale) || '—'],
          [t('admin.failed_sign_ins'), String(user.failed_sign_ins)],
        ]}
      />
      <Actions>
        <ButtonLink href={`/admin/utilisateurs/${user.id}/modifier`}>{t('common.edit')}</ButtonLink>
        {user.status === 'invited' ? <PostButton ctx={ctx} action={`/admin/utilisateurs/${user.id}/inviter`} label={t('admin.resend_invite')} /> : null}
        {user.status === 'active' ? <PostButton ctx={ctx} action={`/admin/utilisateurs/${user.id}/reinitialiser`} label={t('admin.send_reset')} /> : null}
        {user.locked_until ? <PostButton ctx={ctx} action={`/admin/utilisateurs/${user.id}/deverrouiller`} label={t('admin.unlock')} /> : null}
        {user.status === 'active' && !self ? (
          <PostButton ctx={ctx} action={`/admin/utilisateurs/${user.id}/desactiver`} label={t('admin.deactivate')} variant="danger" confirm={t('admin.confirm_deactivate')} fields={{ version: user.version }} />
        ) : null}
        {user.status === 'disabled' ? <PostButton ctx={ctx} action={`/admin/utilisateurs/${user.id}/reactiver`} label={t('admin.activate')} fields={{ version: user.version }} /> : null}
        <a href={`/admin/audit?entity=user&entityId=${user.id}`}>{t('admin.audit')}</a>
      </Actions>
    </Page>
  );
}
