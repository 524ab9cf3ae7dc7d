// Sign-in, reset, invitation, second factor and account pages.
import type { ComponentChildren } from 'preact';
import { CsrfField, Page } from '../ui/layout.js';
import { ErrorSummary, Facts, Field, Badge, PostButton, Table, Select, Choices, type Errors } from '../ui/components.js';
import type { ViewContext } from '../ui/view-context.js';
import { formatDateTime } from '../i18n/index.js';
import type { ApiTokenRow } from '../db/tables.js';
import type { User } from './users.js';

export function SignInPage({
  ctx,
  email,
  next,
  errors,
  action = '/connexion',
  forgotHref = '/mot-de-passe-oublie',
  title,
  children,
}: {
  ctx: ViewContext;
  email?: string;
  next?: string;
  errors?: Errors;
  action?: string;
  forgotHref?: string;
  /** defaults to the staff portal's title; the extranet passes its own */
  title?: string;
  /** shown under the form (the extranet's sign-up link) */
  children?: ComponentChildren;
}) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={title ?? t('auth.sign_in_title')}>
      <div class="auth-box">
        <ErrorSummary ctx={ctx} errors={errors} />
        <form method="post" action={action} class="stack" novalidate>
          <CsrfField ctx={ctx} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <Field ctx={ctx} name="email" type="email" label={t('auth.email')} value={email} autocomplete="username" required />
          <Field ctx={ctx} name="password" type="password" label={t('auth.password')} autocomplete="current-password" required />
          <div class="actions">
            <button type="submit">{t('auth.sign_in')}</button>
            <a href={forgotHref}>{t('auth.forgot')}</a>
          </div>
        </form>
        {children}
      </div>
    </Page>
  );
}

export function TotpStepPage({ ctx, errors, next, action = '/connexion/code' }: { ctx: ViewContext; errors?: Errors; next?: string; action?: string }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('auth.totp_title')}>
      <div class="auth-box">
        <ErrorSummary ctx={ctx} errors={errors} />
        <form method="post" action={action} class="stack" novalidate>
          <CsrfField ctx={ctx} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <Field ctx={ctx} name="code" label={t('auth.totp_code')} inputmode="numeric" autocomplete="one-time-code" maxlength={7} required autofocus errors={errors} />
          <button type="submit">{t('auth.totp_verify')}</button>
        </form>
      </div>
    </Page>
  );
}

export function ForgotPage({ ctx, sent, errors, action = '/mot-de-passe-oublie' }: { ctx: ViewContext; sent?: boolean; errors?: Errors; action?: string }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('auth.forgot_title')}>
      <div class="auth-box">
        {sent ? (
          <p class="flash flash-success" role="status">
            {t('auth.forgot_sent')}
          </p>
        ) : (
          <form method="post" action={action} class="stack" novalidate>
            <ErrorSummary ctx={ctx} errors={errors} />
            <CsrfField ctx={ctx} />
            <p>{t('auth.forgot_help')}</p>
            <Field ctx={ctx} name="email" type="email" label={t('auth.email')} autocomplete="username" required errors={errors} />
            <button type="submit">{t('auth.forgot_send')}</button>
          </form>
        )}
      </div>
    </Page>
  );
}

export function NewPasswordPage({ ctx, title, action, errors, invalidLink }: { ctx: ViewContext; title: string; action: string; errors?: Errors; invalidLink?: boolean }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={title}>
      <div class="auth-box">
        {invalidLink ? (
          <p class="flash flash-error" role="alert">
            {t('auth.link_invalid')}
          </p>
        ) : (
          <form method="post" action={action} class="stack" novalidate>
            <ErrorSummary ctx={ctx} errors={errors} />
            <CsrfField ctx={ctx} />
            <Field ctx={ctx} name="password" type="password" label={t('auth.new_password')} hint={t('auth.password_rules')} autocomplete="new-password" required errors={errors} />
            <Field ctx={ctx} name="confirm" type="password" label={t('auth.new_password_confirm')} autocomplete="new-password" required errors={errors} />
            <button type="submit">{t('common.save')}</button>
          </form>
        )}
      </div>
    </Page>
  );
}

export interface AccountProps {
  ctx: ViewContext;
  user: User;
  tokens: ApiTokenRow[];
  scopes: string[];
  errors?: Errors;
  newToken?: string;
  totpRequired: boolean;
}

export function AccountPage({ ctx, user, tokens, scopes, errors, newToken, totpRequired }: AccountProps) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('account.title')} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('account.title') }]}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <h2>{t('account.profile')}</h2>
      <Facts
        items={[
          [t('admin.name'), user.name],
          [t('auth.email'), user.email],
          [t('admin.roles'), user.roles.map((r) => t(`role.${r}`)).join(', ')],
          [t('account.second_factor'), user.totp_enabled ? <Badge kind="success">{t('auth.totp_status_on')}</Badge> : <Badge kind="warning">{t('auth.totp_status_off')}</Badge>],
        ]}
      />
      <h2>{t('account.second_factor')}</h2>
      {user.totp_enabled ? (
        totpRequired ? (
          <p>{t('auth.totp_required_for_role')}</p>
        ) : (
          <PostButton ctx={ctx} action="/compte/double-authentification/desactiver" label={t('auth.totp_disable')} variant="danger" />
        )
      ) : (
        <p>
          <a class="button button-primary" href="/compte/double-authentification">
            {t('auth.totp_enrol_title')}
          </a>
        </p>
      )}
      <h2>{t('account.change_password')}</h2>
      <form method="post" action="/compte/mot-de-passe" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="current" type="password" label={t('auth.current_password')} autocomplete="current-password" required errors={errors} />
        <Field ctx={ctx} name="password" type="password" label={t('auth.new_password')} hint={t('auth.password_rules')} autocomplete="new-password" required errors={errors} />
        <Field ctx={ctx} name="confirm" type="password" label={t('auth.new_password_confirm')} autocomplete="new-password" required errors={errors} />
        <button type="submit">{t('account.change_password')}</button>
      </form>
      <h2>{t('account.language')}</h2>
      <p>
        <a href={`/lang/fr?next=/compte`} lang="fr" aria-current={ctx.locale === 'fr' ? 'true' : undefined}>
          Français
        </a>{' '}
        ·{' '}
        <a href={`/lang/en?next=/compte`} lang="en" aria-current={ctx.locale === 'en' ? 'true' : undefined}>
          English
        </a>
      </p>
      <h2 id="tokens">{t('account.tokens')}</h2>
      {newToken ? (
        <div class="flash flash-success" role="status">
          <p>{t('admin.token_created_once')}</p>
          <p>
            <code class="mono" id="new-token">
              {newToken}
            </code>
          </p>
        </div>
      ) : null}
      <TokenTable ctx={ctx} tokens={tokens} revokeBase="/compte/jetons" />
      <form method="post" action="/compte/jetons" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="name" label={t('admin.token_name')} required errors={errors} maxlength={80} />
        <Choices ctx={ctx} name="scopes" legend={t('admin.token_scopes')} options={scopes.map((s) => ({ value: s, label: s }))} values={[]} errors={errors} />
        <Select
          ctx={ctx}
          name="days"
          label={t('admin.token_days_label')}
          value="90"
          options={['7', '30', '90', '180', '365'].map((d) => ({ value: d, label: t('admin.days', { n: d }) }))}
          errors={errors}
        />
        <button type="submit">{t('admin.token_create')}</button>
      </form>
    </Page>
  );
}

export function TokenTable({ ctx, tokens, revokeBase, showOwner }: { ctx: ViewContext; tokens: (ApiTokenRow & { user_name?: string })[]; revokeBase: string; showOwner?: boolean }) {
  const t = ctx.t;
  const now = new Date().toISOString();
  return (
    <Table
      ctx={ctx}
      caption={t('account.tokens')}
      rows={tokens}
      empty={t('admin.no_tokens')}
      columns={[
        { label: t('admin.token_name'), cell: (r) => r.name, rowHeader: true },
        ...(showOwner ? [{ label: t('admin.owner'), cell: (r: ApiTokenRow & { user_name?: string }) => r.user_name ?? '' }] : []),
        { label: t('admin.token_prefix'), cell: (r) => <code>{r.prefix}…</code> },
        { label: t('admin.token_scopes'), cell: (r) => r.scopes.split(',').join(', ') },
        { label: t('admin.token_expires'), cell: (r) => formatDateTime(r.expires_at, ctx.locale) },
        { label: t('admin.token_last_used'), cell: (r) => formatDateTime(r.last_used_at, ctx.locale) || '—' },
        {
          label: t('admin.status'),
          cell: (r) =>
            r.revoked_at ? <Badge kind="danger">{t('admin.token_revoked')}</Badge> : r.expires_at && r.expires_at < now ? <Badge kind="warning">{t('admin.token_expired')}</Badge> : <Badge kind="success">{t('admin.token_active')}</Badge>,
        },
        { label: t('common.actions'), cell: (r) => (r.revoked_at ? '' : <PostButton ctx={ctx} action={`${revokeBase}/${r.id}/revoquer`} label={t('admin.token_revoke')} variant="danger" />) },
      ]}
    />
  );
}

/** The enrolment block (QR code, key, code field), shared by the staff and member account pages. */
export function TotpEnrolForm({ ctx, secret, qrSvg, errors, action }: { ctx: ViewContext; secret: string; qrSvg: string; errors?: Errors; action: string }) {
  const t = ctx.t;
  return (
    <>
      <ErrorSummary ctx={ctx} errors={errors} />
      <p>{t('auth.totp_enrol_help')}</p>
      <div class="qr" role="img" aria-label={t('auth.totp_enrol_title')} dangerouslySetInnerHTML={{ __html: qrSvg }} />
      <p>
        {t('auth.totp_secret')} : <code class="mono" id="totp-secret">{secret}</code>
      </p>
      <form method="post" action={action} class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="secret" value={secret} />
        <Field ctx={ctx} name="code" label={t('auth.totp_code')} inputmode="numeric" autocomplete="one-time-code" maxlength={7} required errors={errors} />
        <div>
          <button type="submit">{t('auth.totp_verify')}</button>
        </div>
      </form>
    </>
  );
}

export function TotpEnrolPage({ ctx, secret, qrSvg, errors }: { ctx: ViewContext; secret: string; qrSvg: string; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('auth.totp_enrol_title')} crumbs={[{ label: t('account.title'), href: '/compte' }, { label: t('auth.totp_enrol_title') }]}>
      <TotpEnrolForm ctx={ctx} secret={secret} qrSvg={qrSvg} errors={errors} action="/compte/double-authentification" />
    </Page>
  );
}
