// Member-side pages of the extranet (shell 'member': no staff menus). Pure components.
import { SignInPage, TotpEnrolForm } from '../../../platform/auth/views.js';
import type { ComponentChildren } from 'preact';
import { CsrfField, Page, type Crumb } from '../../../platform/ui/layout.js';
import { Actions, ButtonLink, ErrorSummary, Facts, Field, Pagination, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatDate, formatDateTime } from './format.js';
import type { MembershipView } from '../accounts.service.js';
import type { ContactPreferences } from '../consent.service.js';
import { CHANNELS } from '../consent.service.js';
import { CORRECTABLE, DIFF_KEYS, type ChangeRequestView } from '../corrections.service.js';
import type { CorrectableFields } from '../../registry/index.js';
import type { MemberRequestRow, SignupRow } from '../extranet.table.js';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../attachments.js';
import { REQUEST_CATEGORIES, type RequestThread } from '../requests.service.js';
import type { TimelineItem } from '../timeline.service.js';
import { CorrectionDiff, CorrectionStatusBadge, PendingInvitations, RequestStatusBadge, Thread, TimelineList, fieldLabel, type PendingInvitationItem } from './common.js';
import type { PublishedItem } from '../../content/index.js';
import { NewsCards } from './content.js';

export interface MemberChrome {
  memberships: MembershipView[];
  current?: number;
  isAdmin: boolean;
}

/** The member's navigation, built into the platform's nav sections (shown by the layout). */
export function memberNav(ctx: ViewContext, chrome: MemberChrome, path: string) {
  const t = ctx.t;
  const links: [string, string][] = chrome.current
    ? [
        ['/extranet', 'extranet.nav.home'],
        ['/extranet/mon-entreprise', 'extranet.nav.company'],
        ['/extranet/demandes', 'extranet.nav.requests'],
        ['/extranet/suivi', 'extranet.nav.timeline'],
        ['/extranet/contacts', 'extranet.nav.contacts'],
        ['/extranet/actualites', 'extranet.nav.news'],
        ['/extranet/evenements', 'extranet.nav.events'],
        ['/extranet/documents', 'extranet.nav.documents'],
        ...(chrome.isAdmin ? ([['/extranet/equipe', 'extranet.nav.team']] as [string, string][]) : []),
      ]
    : [
        ['/extranet', 'extranet.nav.home'],
        ['/extranet/compte', 'extranet.nav.account'],
      ];
  // Other modules' member pages (training, messages…) come from their `nav` entries, already
  // translated and filtered by the platform; the account closes the list.
  if (chrome.current) for (const l of ctx.memberLinks ?? []) links.push([l.href, l.label]);
  if (chrome.current) links.push(['/extranet/compte', 'extranet.nav.account']);
  const translated = new Set((ctx.memberLinks ?? []).map((l) => l.href));
  const current = links
    .map(([href]) => href)
    .filter((href) => path === href || path.startsWith(href + '/') || path.startsWith(href + '?'))
    .sort((a, b) => b.length - a.length)[0];
  return [{ label: t('extranet.nav.section'), links: links.map(([href, key]) => ({ href, label: translated.has(href) ? key : t(key), current: href === current })) }];
}

export function MemberPage({ ctx, chrome, title, crumbs, children }: { ctx: ViewContext; chrome: MemberChrome; title: string; crumbs?: Crumb[]; children?: ComponentChildren }) {
  const t = ctx.t;
  const company = chrome.memberships.find((m) => m.companyId === chrome.current);
  return (
    <Page ctx={ctx} title={title} crumbs={crumbs}>
      {chrome.memberships.length > 1 ? (
        <form method="post" action="/extranet/entreprise-courante" class="company-switcher">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="next" value={ctx.path} />
          <label for="switch-company">{t('extranet.switch_company')}</label>
          <select id="switch-company" name="company_id">
            {chrome.memberships.map((m) => (
              <option value={String(m.companyId)} selected={m.companyId === chrome.current}>
                {m.companyName}
              </option>
            ))}
          </select>
          <button type="submit" class="button button-secondary">
            {t('extranet.switch')}
          </button>
        </form>
      ) : company ? (
        <p class="current-company">
          {t('extranet.current_company')} <strong>{company.companyName}</strong>
        </p>
      ) : null}
      {children}
    </Page>
  );
}

export function HomePage({ ctx, chrome, counts, timeline, signups, news = [] }: { ctx: ViewContext; chrome: MemberChrome; counts?: { openRequests: number; waiting: number; pendingCorrections: number }; timeline: TimelineItem[]; signups: SignupRow[]; news?: PublishedItem[] }) {
  const t = ctx.t;
  if (!chrome.current) {
    return (
      <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.home.title')}>
        <p>{t('extranet.home.no_company')}</p>
        {signups.length ? (
          <ul>
            {signups.map((s) => (
              <li>
                {t('extranet.home.signup_line', { siret: s.siret, date: formatDate(s.created_at, ctx.locale) })} — {t(`extranet.signup_status.${s.status}`)}
                {s.status === 'refused' && s.reason ? <> ({t('extranet.reason')} : {s.reason})</> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </MemberPage>
    );
  }
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.home.title')}>
      <ul class="cards">
        <li class="card">
          <h2 class="card-title">
            <a href="/extranet/demandes">{t('extranet.nav.requests')}</a>
          </h2>
          <p>{t('extranet.home.open_requests', { count: counts?.openRequests ?? 0 })}</p>
          {counts?.waiting ? <p class="emphasis">{t('extranet.home.waiting', { count: counts.waiting })}</p> : null}
        </li>
        <li class="card">
          <h2 class="card-title">
            <a href="/extranet/mon-entreprise">{t('extranet.nav.company')}</a>
          </h2>
          <p>{t('extranet.home.pending_corrections', { count: counts?.pendingCorrections ?? 0 })}</p>
        </li>
      </ul>
      <h2>{t('extranet.home.latest')}</h2>
      <TimelineList ctx={ctx} items={timeline} member />
      <p>
        <a href="/extranet/suivi">{t('extranet.home.all_timeline')}</a>
      </p>
      <section aria-labelledby="home-news">
        <h2 id="home-news">{t('extranet.home.news')}</h2>
        <NewsCards ctx={ctx} items={news} level={3} />
        <p>
          <a href="/extranet/actualites">{t('extranet.news.all')}</a>
        </p>
      </section>
    </MemberPage>
  );
}

const show = (v: string | null | undefined) => (v && v.trim() ? v : '—');

export function CompanyPage({ ctx, chrome, company, values, corrections }: { ctx: ViewContext; chrome: MemberChrome; company: { name: string; siren: string | null; nafCode: string | null }; values: CorrectableFields; corrections: ChangeRequestView[] }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.company.title')}>
      <p class="hint">{t('extranet.company.help')}</p>
      <Facts
        items={[
          [t('extranet.company.name'), company.name],
          [t('extranet.company.siren'), show(company.siren)],
          [t('extranet.company.naf'), show(company.nafCode)],
          [t('extranet.company.address'), [values.address_complement, [values.street_number, values.street_type, values.street_name].filter(Boolean).join(' '), [values.postal_code, values.city].filter(Boolean).join(' ')].filter((s) => s && s.trim()).join(', ') || '—'],
          [fieldLabel(ctx, 'phone'), show(values.phone)],
          [fieldLabel(ctx, 'website'), show(values.website)],
          [fieldLabel(ctx, 'description'), show(values.description)],
          [fieldLabel(ctx, 'activity_text'), show(values.activity_text)],
        ]}
      />
      <Actions>
        <ButtonLink href="/extranet/mon-entreprise/corriger">{t('extranet.company.propose')}</ButtonLink>
      </Actions>
      <h2>{t('extranet.company.my_corrections')}</h2>
      <Table
        ctx={ctx}
        caption={t('extranet.company.my_corrections')}
        empty={t('extranet.company.no_corrections')}
        rows={corrections}
        columns={[
          { label: t('extranet.col.date'), rowHeader: true, cell: (c) => <a href={`/extranet/mon-entreprise/corrections/${c.id}`}>{formatDateTime(c.created_at, ctx.locale)}</a> },
          { label: t('extranet.col.fields'), cell: (c) => DIFF_KEYS.filter((f) => c.changes[f]).map((f) => fieldLabel(ctx, f)).join(', ') },
          { label: t('extranet.col.status'), cell: (c) => <CorrectionStatusBadge ctx={ctx} status={c.status} /> },
        ]}
      />
    </MemberPage>
  );
}

export function CorrectionFormPage({ ctx, chrome, values, errors }: { ctx: ViewContext; chrome: MemberChrome; values: Record<string, string | null>; errors?: Errors }) {
  const t = ctx.t;
  const labels: Record<string, string> = {
    ...Object.fromEntries(CORRECTABLE.map((f) => [f, fieldLabel(ctx, f)])),
    contact_first_name: t('extranet.contact.first_name'),
    contact_last_name: t('extranet.contact.last_name'),
    contact_role: t('extranet.contact.role'),
    contact_email: t('extranet.contact.email'),
    contact_phone: t('extranet.contact.phone'),
  };
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.correction.form_title')} crumbs={[{ label: t('extranet.company.title'), href: '/extranet/mon-entreprise' }, { label: t('extranet.correction.form_title') }]}>
      <p>{t('extranet.correction.form_help')}</p>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action="/extranet/mon-entreprise/corrections" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>{t('extranet.company.address')}</legend>
          <div class="form-grid">
            <Field ctx={ctx} name="address_complement" label={labels.address_complement} value={values.address_complement} errors={errors} maxlength={200} />
            <Field ctx={ctx} name="street_number" label={labels.street_number} value={values.street_number} errors={errors} maxlength={10} />
            <Field ctx={ctx} name="street_type" label={labels.street_type} value={values.street_type} errors={errors} maxlength={10} />
            <Field ctx={ctx} name="street_name" label={labels.street_name} value={values.street_name} errors={errors} maxlength={200} />
            <Field ctx={ctx} name="postal_code" label={labels.postal_code} value={values.postal_code} errors={errors} inputmode="numeric" maxlength={5} autocomplete="postal-code" />
            <Field ctx={ctx} name="city" label={labels.city} value={values.city} errors={errors} maxlength={100} autocomplete="address-level2" />
          </div>
        </fieldset>
        <Field ctx={ctx} name="phone" type="tel" label={labels.phone} value={values.phone} errors={errors} maxlength={30} autocomplete="tel" />
        <Field ctx={ctx} name="website" type="url" label={labels.website} value={values.website} errors={errors} maxlength={300} hint={t('extranet.website_hint')} />
        <Field ctx={ctx} name="description" label={labels.description} value={values.description} errors={errors} multiline maxlength={4000} />
        <Field ctx={ctx} name="activity_text" label={labels.activity_text} value={values.activity_text} errors={errors} multiline maxlength={2000} />
        <fieldset>
          <legend>{t('extranet.correction.new_contact')}</legend>
          <p class="hint">{t('extranet.correction.new_contact_hint')}</p>
          <div class="form-grid">
            <Field ctx={ctx} name="contact_first_name" label={t('extranet.contact.first_name')} value={values.contact_first_name} errors={errors} maxlength={100} autocomplete="off" />
            <Field ctx={ctx} name="contact_last_name" label={t('extranet.contact.last_name')} value={values.contact_last_name} errors={errors} maxlength={100} autocomplete="off" />
            <Field ctx={ctx} name="contact_role" label={t('extranet.contact.role')} value={values.contact_role} errors={errors} maxlength={200} autocomplete="off" />
            <Field ctx={ctx} name="contact_email" type="email" label={t('extranet.contact.email')} value={values.contact_email} errors={errors} maxlength={200} autocomplete="off" />
            <Field ctx={ctx} name="contact_phone" type="tel" label={t('extranet.contact.phone')} value={values.contact_phone} errors={errors} maxlength={30} autocomplete="off" />
          </div>
        </fieldset>
        <Actions>
          <button type="submit">{t('extranet.correction.submit')}</button>
          <a href="/extranet/mon-entreprise">{t('common.cancel')}</a>
        </Actions>
      </form>
    </MemberPage>
  );
}

export function CorrectionPage({ ctx, chrome, req }: { ctx: ViewContext; chrome: MemberChrome; req: ChangeRequestView }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.correction.title', { date: formatDate(req.created_at, ctx.locale) })} crumbs={[{ label: t('extranet.company.title'), href: '/extranet/mon-entreprise' }, { label: t('extranet.correction.crumb') }]}>
      <p>
        <CorrectionStatusBadge ctx={ctx} status={req.status} />
        {req.decided_at ? <span class="muted"> {t('extranet.correction.decided_on', { date: formatDateTime(req.decided_at, ctx.locale) })}</span> : null}
      </p>
      {req.reason ? (
        <p>
          <strong>{t('extranet.reason')} :</strong> {req.reason}
        </p>
      ) : null}
      <CorrectionDiff ctx={ctx} req={req} />
    </MemberPage>
  );
}

export function RequestsPage({ ctx, chrome, requests }: { ctx: ViewContext; chrome: MemberChrome; requests: MemberRequestRow[] }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.requests.title')}>
      <Actions>
        <ButtonLink href="/extranet/demandes/nouvelle">{t('extranet.requests.new')}</ButtonLink>
      </Actions>
      <Table
        ctx={ctx}
        caption={t('extranet.requests.title')}
        empty={t('extranet.requests.empty')}
        rows={requests}
        columns={[
          { label: t('extranet.col.subject'), rowHeader: true, cell: (r) => <a href={`/extranet/demandes/${r.id}`}>{r.subject}</a> },
          { label: t('extranet.col.category'), cell: (r) => t(`extranet.category.${r.category}`) },
          { label: t('extranet.col.status'), cell: (r) => <RequestStatusBadge ctx={ctx} status={r.status} /> },
          { label: t('extranet.col.last_message'), cell: (r) => formatDateTime(r.last_message_at, ctx.locale) },
        ]}
      />
    </MemberPage>
  );
}

export function AttachmentField({ ctx, errors }: { ctx: ViewContext; errors?: Errors }) {
  const t = ctx.t;
  return (
    <div class={`field${errors?.attachments ? ' field-error' : ''}`}>
      <label for="f-attachments">{t('extranet.attachments')}</label>
      <p class="hint" id="f-attachments-hint">
        {t('extranet.attachments_hint', { max: MAX_ATTACHMENTS, size: Math.round(MAX_ATTACHMENT_BYTES / 1024 / 1024) })}
      </p>
      {errors?.attachments ? (
        <p class="error-text" id="f-attachments-error">
          {t(errors.attachments)}
        </p>
      ) : null}
      <input
        id="f-attachments"
        type="file"
        name="attachments"
        multiple
        accept=".pdf,.png,.jpg,.jpeg,.webp,.docx,.xlsx,.pptx,.odt,.ods,.txt,.csv"
        aria-describedby={errors?.attachments ? 'f-attachments-hint f-attachments-error' : 'f-attachments-hint'}
        aria-invalid={errors?.attachments ? 'true' : undefined}
      />
    </div>
  );
}

/** A rate limit the member is at (`blocked`) or close to: its message key and parameters. */
export interface RequestLimitNotice {
  code: string;
  params: Record<string, string | number>;
  blocked: boolean;
}

export function RequestFormPage({ ctx, chrome, values, errors, limit }: { ctx: ViewContext; chrome: MemberChrome; values: Record<string, string>; errors?: Errors; limit?: RequestLimitNotice }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.requests.new')} crumbs={[{ label: t('extranet.requests.title'), href: '/extranet/demandes' }, { label: t('extranet.requests.new') }]}>
      {limit ? (
        <p class={limit.blocked ? 'flash flash-error' : 'flash flash-info'} role={limit.blocked ? 'alert' : 'status'} id="request-limit">
          {t(limit.code, limit.params)}
        </p>
      ) : null}
      <ErrorSummary ctx={ctx} errors={errors} labels={{ category: t('extranet.col.category'), subject: t('extranet.col.subject'), body: t('extranet.message'), attachments: t('extranet.attachments') }} />
      <form method="post" action="/extranet/demandes" enctype="multipart/form-data" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <Select ctx={ctx} name="category" label={t('extranet.col.category')} required empty={t('extranet.choose')} value={values.category} errors={errors} options={REQUEST_CATEGORIES.map((c) => ({ value: c, label: t(`extranet.category.${c}`) }))} />
        <Field ctx={ctx} name="subject" label={t('extranet.col.subject')} value={values.subject} required maxlength={200} errors={errors} />
        <Field ctx={ctx} name="body" label={t('extranet.message')} value={values.body} required multiline rows={8} errors={errors} />
        <AttachmentField ctx={ctx} errors={errors} />
        <Actions>
          <button type="submit">{t('extranet.requests.send')}</button>
          <a href="/extranet/demandes">{t('common.cancel')}</a>
        </Actions>
      </form>
    </MemberPage>
  );
}

export function RequestThreadPage({ ctx, chrome, thread, errors, body }: { ctx: ViewContext; chrome: MemberChrome; thread: RequestThread; errors?: Errors; body?: string }) {
  const t = ctx.t;
  const r = thread.request;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={r.subject} crumbs={[{ label: t('extranet.requests.title'), href: '/extranet/demandes' }, { label: r.subject }]}>
      <p>
        <RequestStatusBadge ctx={ctx} status={r.status} /> · {t(`extranet.category.${r.category}`)} · {t('extranet.requests.opened_on', { date: formatDateTime(r.created_at, ctx.locale) })}
      </p>
      <h2>{t('extranet.thread.title')}</h2>
      <Thread ctx={ctx} thread={thread} fileBase="/extranet/pieces-jointes" />
      {r.status === 'closed' ? (
        <p class="muted">{t('extranet.requests.closed_note')}</p>
      ) : (
        <>
          <h2>{t('extranet.thread.reply')}</h2>
          <ErrorSummary ctx={ctx} errors={errors} labels={{ body: t('extranet.message'), attachments: t('extranet.attachments') }} />
          <form method="post" action={`/extranet/demandes/${r.id}/messages`} enctype="multipart/form-data" class="stack" novalidate>
            <CsrfField ctx={ctx} />
            <Field ctx={ctx} name="body" label={t('extranet.message')} value={body} required multiline rows={6} errors={errors} />
            <AttachmentField ctx={ctx} errors={errors} />
            <Actions>
              <button type="submit">{t('extranet.thread.send')}</button>
            </Actions>
          </form>
          <PostButton ctx={ctx} action={`/extranet/demandes/${r.id}/cloturer`} label={t('extranet.requests.close')} />
        </>
      )}
    </MemberPage>
  );
}

export function TimelinePage({ ctx, chrome, items, total, page, perPage }: { ctx: ViewContext; chrome: MemberChrome; items: TimelineItem[]; total: number; page: number; perPage: number }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.timeline.title')}>
      <p class="hint">{t('extranet.timeline.help')}</p>
      <TimelineList ctx={ctx} items={items} member />
      <Pagination ctx={ctx} page={page} perPage={perPage} total={total} path="/extranet/suivi" query={{}} />
    </MemberPage>
  );
}

export function ContactsPage({ ctx, chrome, contacts }: { ctx: ViewContext; chrome: MemberChrome; contacts: ContactPreferences[] }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.contacts.title')}>
      <p class="hint">{t('extranet.contacts.help')}</p>
      {contacts.length === 0 ? <p class="empty">{t('extranet.contacts.empty')}</p> : null}
      {contacts.map((c) => (
        <section class="card contact-card" aria-labelledby={`contact-${c.id}`}>
          <h2 id={`contact-${c.id}`} class="card-title">
            {[c.firstName, c.lastName].filter(Boolean).join(' ')}
            {c.role ? <span class="muted"> — {c.role}</span> : null}
          </h2>
          <form method="post" action={`/extranet/contacts/${c.id}/preferences`} class="stack">
            <CsrfField ctx={ctx} />
            <fieldset class="field choices">
              <legend>{t('extranet.contacts.legend')}</legend>
              {CHANNELS.map((ch) => (
                <div class="choice">
                  <input type="checkbox" id={`pref-${c.id}-${ch}`} name="channels" value={ch} checked={c.preferences[ch]?.value === true} />
                  <label for={`pref-${c.id}-${ch}`}>{t(`extranet.channel.${ch}`)}</label>
                </div>
              ))}
            </fieldset>
            {c.history.length ? (
              <>
                <h3 class="consent-history-title">{t('extranet.contacts.history')}</h3>
                <ul class="muted consent-history">
                  {c.history.map((e) => (
                    <li>
                      {t('extranet.contacts.history_item', {
                        channel: t(`extranet.channel.${e.channel}`),
                        value: t(`extranet.consent_value.${e.value}`),
                        date: formatDateTime(e.at, ctx.locale),
                        // A member's change names its author; the CCI's staff are "the CCI".
                        who: e.origin === 'extranet' ? e.by.replace(/^membre:/, '') : t('extranet.origin.registry'),
                      })}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <div>
              <button type="submit" class="button button-secondary">
                {t('common.save')}
              </button>
            </div>
          </form>
        </section>
      ))}
    </MemberPage>
  );
}

export interface TeamMember {
  membershipId: number;
  name: string;
  email: string;
  role: string;
  self: boolean;
}

export function TeamPage({ ctx, chrome, members, invitations, values, errors }: { ctx: ViewContext; chrome: MemberChrome; members: TeamMember[]; invitations: PendingInvitationItem[]; values?: Record<string, string>; errors?: Errors }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.team.title')}>
      <Table
        ctx={ctx}
        caption={t('extranet.team.title')}
        rows={members}
        columns={[
          { label: t('extranet.col.name'), rowHeader: true, cell: (m) => m.name },
          { label: t('auth.email'), cell: (m) => m.email },
          { label: t('extranet.col.role'), cell: (m) => t(`extranet.role.${m.role}`) },
          {
            label: t('common.actions'),
            cell: (m) =>
              m.self ? null : (
                <>
                  <PostButton ctx={ctx} action={`/extranet/equipe/${m.membershipId}/role`} fields={{ role: m.role === 'administrator' ? 'member' : 'administrator' }} label={t(m.role === 'administrator' ? 'extranet.team.make_member' : 'extranet.team.make_admin')} />{' '}
                  <PostButton ctx={ctx} action={`/extranet/equipe/${m.membershipId}/retirer`} label={t('extranet.team.remove')} variant="danger" />
                </>
              ),
          },
        ]}
      />
      <PendingInvitations ctx={ctx} invitations={invitations} cancel={(id) => `/extranet/equipe/invitations/${id}/annuler`} />
      <h2>{t('extranet.team.invite')}</h2>
      <ErrorSummary ctx={ctx} errors={errors} />
      <form method="post" action="/extranet/equipe/invitations" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="name" label={t('extranet.col.name')} value={values?.name} required errors={errors} maxlength={120} autocomplete="off" />
        <Field ctx={ctx} name="email" type="email" label={t('auth.email')} value={values?.email} required errors={errors} autocomplete="off" />
        <Select ctx={ctx} name="role" label={t('extranet.col.role')} value={values?.role ?? 'member'} errors={errors} options={['member', 'administrator'].map((r) => ({ value: r, label: t(`extranet.role.${r}`) }))} />
        <div>
          <button type="submit">{t('extranet.team.send_invitation')}</button>
        </div>
      </form>
    </MemberPage>
  );
}

export function MemberAccountPage({ ctx, chrome, account, errors }: { ctx: ViewContext; chrome: MemberChrome; account: { name: string; email: string; totp_enabled: number }; errors?: Errors }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('extranet.account.title')}>
      <Facts
        items={[
          [t('extranet.col.name'), account.name],
          [t('auth.email'), account.email],
          [t('extranet.account.companies'), chrome.memberships.map((m) => `${m.companyName} (${t(`extranet.role.${m.role}`)})`).join(', ') || '—'],
          [t('auth.totp_title'), t(account.totp_enabled ? 'auth.totp_status_on' : 'auth.totp_status_off')],
        ]}
      />
      <ErrorSummary ctx={ctx} errors={errors} />
      <h2>{t('extranet.account.password')}</h2>
      <form method="post" action="/extranet/compte/mot-de-passe" class="stack" novalidate>
        <CsrfField ctx={ctx} />
        <Field ctx={ctx} name="current" type="password" label={t('auth.current_password')} autocomplete="current-password" required errors={errors} />
        <Field ctx={ctx} name="password" type="password" label={t('auth.new_password')} hint={t('auth.password_rules')} autocomplete="new-password" required errors={errors} />
        <Field ctx={ctx} name="confirm" type="password" label={t('auth.new_password_confirm')} autocomplete="new-password" required errors={errors} />
        <div>
          <button type="submit">{t('common.save')}</button>
        </div>
      </form>
      <h2>{t('auth.totp_title')}</h2>
      {account.totp_enabled ? (
        <form method="post" action="/extranet/compte/double-authentification/desactiver" class="stack" novalidate>
          <CsrfField ctx={ctx} />
          <Field ctx={ctx} id="f-current-totp" name="current" type="password" label={t('auth.current_password')} autocomplete="current-password" required />
          <div>
            <button type="submit" class="button button-danger">
              {t('auth.totp_disable')}
            </button>
          </div>
        </form>
      ) : (
        <p>
          <a href="/extranet/compte/double-authentification">{t('auth.totp_enrol_title')}</a>
        </p>
      )}
    </MemberPage>
  );
}

export function MemberTotpEnrolPage({ ctx, chrome, secret, qrSvg, errors }: { ctx: ViewContext; chrome: MemberChrome; secret: string; qrSvg: string; errors?: Errors }) {
  const t = ctx.t;
  return (
    <MemberPage ctx={ctx} chrome={chrome} title={t('auth.totp_enrol_title')} crumbs={[{ label: t('extranet.account.title'), href: '/extranet/compte' }, { label: t('auth.totp_enrol_title') }]}>
      <TotpEnrolForm ctx={ctx} secret={secret} qrSvg={qrSvg} errors={errors} action="/extranet/compte/double-authentification" />
    </MemberPage>
  );
}

// ——— pages before sign-in ———

export function MemberSignInPage({ ctx, email, next, errors }: { ctx: ViewContext; email?: string; next?: string; errors?: Errors }) {
  const t = ctx.t;
  return (
    <SignInPage ctx={ctx} title={t('extranet.sign_in_title')} email={email} next={next} errors={errors} action="/extranet/connexion" forgotHref="/extranet/mot-de-passe-oublie">
      <p>
        {t('extranet.no_account')} <a href="/extranet/inscription">{t('extranet.signup.link')}</a>
      </p>
    </SignInPage>
  );
}

export function SignupPage({ ctx, values, errors, sent }: { ctx: ViewContext; values?: Record<string, string>; errors?: Errors; sent?: boolean }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('extranet.signup.title')}>
      <div class="auth-box">
        {sent ? (
          <p class="flash flash-success" role="status">
            {t('extranet.signup.sent')}
          </p>
        ) : (
          <>
            <p>{t('extranet.signup.help')}</p>
            <ErrorSummary ctx={ctx} errors={errors} labels={{ siret: t('extranet.siret'), email: t('auth.email'), name: t('extranet.col.name') }} />
            <form method="post" action="/extranet/inscription" class="stack" novalidate>
              <CsrfField ctx={ctx} />
              <Field ctx={ctx} name="siret" label={t('extranet.siret')} hint={t('extranet.siret_hint')} value={values?.siret} inputmode="numeric" maxlength={20} required errors={errors} />
              <Field ctx={ctx} name="name" label={t('extranet.your_name')} value={values?.name} autocomplete="name" required maxlength={120} errors={errors} />
              <Field ctx={ctx} name="email" type="email" label={t('extranet.your_email')} value={values?.email} autocomplete="email" required errors={errors} />
              <div>
                <button type="submit">{t('extranet.signup.submit')}</button>
              </div>
            </form>
          </>
        )}
      </div>
    </Page>
  );
}

/** Choose a password (new account) or just confirm (the address already has one). */
export function LinkPasswordPage({ ctx, title, intro, action, hasAccount, invalidLink, errors }: { ctx: ViewContext; title: string; intro?: string; action: string; hasAccount: boolean; invalidLink?: boolean; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={title}>
      <div class="auth-box">
        {invalidLink ? (
          <p class="flash flash-error" role="alert">
            {t('auth.link_invalid')}
          </p>
        ) : (
          <>
            {intro ? <p>{intro}</p> : null}
            <ErrorSummary ctx={ctx} errors={errors} />
            <form method="post" action={action} class="stack" novalidate>
              <CsrfField ctx={ctx} />
              {hasAccount ? (
                <p>{t('extranet.link.existing_account')}</p>
              ) : (
                <>
                  <Field ctx={ctx} name="password" type="password" label={t('auth.new_password')} hint={t('auth.password_rules')} autocomplete="new-password" required errors={errors} />
                  <Field ctx={ctx} name="confirm" type="password" label={t('auth.new_password_confirm')} autocomplete="new-password" required errors={errors} />
                </>
              )}
              <div>
                <button type="submit">{t(hasAccount ? 'extranet.link.confirm' : 'common.save')}</button>
              </div>
            </form>
          </>
        )}
      </div>
    </Page>
  );
}

