// Public pages of the mailing module (subscription, confirmation, unsubscribe, preferences,
// archive): the public site's shell, no sign-in, French first.
import { Choices, ErrorSummary, Field, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { Preferences } from '../lists.service.js';
import type { MailingList } from '../mailing.table.js';
import type { UnsubscribeTarget } from '../unsubscribe.service.js';

export function SubscribePage(p: { ctx: ViewContext; lists: MailingList[]; action: string; values?: { email?: string; first_name?: string; last_name?: string; list_id?: string }; errors?: Errors; sent?: boolean }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.subscribe.title')}>
      {p.sent ? (
        <p class="flash flash-success" role="status">
          {ctx.t('mailing.subscribe.sent')}
        </p>
      ) : null}
      {p.lists.length === 0 ? (
        <p>{ctx.t('mailing.subscribe.none')}</p>
      ) : (
        <form method="post" action={p.action} class="form" novalidate>
          <CsrfField ctx={ctx} />
          <p>{ctx.t('mailing.subscribe.intro')}</p>
          <ErrorSummary ctx={ctx} errors={p.errors} />
          <fieldset class={`field choices${p.errors?.list_id ? ' field-error' : ''}`}>
            <legend>{ctx.t('mailing.list')}</legend>
            {p.errors?.list_id ? (
              <p class="error-text" id="f-list_id-error">
                {ctx.t(p.errors.list_id)}
              </p>
            ) : null}
            {p.lists.map((l, i) => (
              <div class="choice mailing-list-choice">
                <input type="radio" id={i === 0 ? 'f-list_id' : `f-list_id-${i}`} name="list_id" value={String(l.id)} checked={p.values?.list_id ? p.values.list_id === String(l.id) : i === 0} aria-describedby={`list-${l.id}-wording`} />
                <label for={i === 0 ? 'f-list_id' : `f-list_id-${i}`}>{l.name}</label>
                {l.description ? <p class="hint">{l.description}</p> : null}
                <p class="hint" id={`list-${l.id}-wording`}>
                  {l.wording}
                </p>
              </div>
            ))}
          </fieldset>
          <Field ctx={ctx} name="email" type="email" label={ctx.t('mailing.subscribe.email')} value={p.values?.email} errors={p.errors} required autocomplete="email" />
          <Field ctx={ctx} name="first_name" label={ctx.t('mailing.subscribe.first_name')} value={p.values?.first_name} errors={p.errors} autocomplete="given-name" maxlength={100} />
          <Field ctx={ctx} name="last_name" label={ctx.t('mailing.subscribe.last_name')} value={p.values?.last_name} errors={p.errors} autocomplete="family-name" maxlength={100} />
          <button type="submit" class="button button-primary">
            {ctx.t('mailing.subscribe')}
          </button>
        </form>
      )}
      <p>
        <a href="/lettres-information">{ctx.t('mailing.archive.title')}</a>
      </p>
    </Page>
  );
}

export function ConfirmPage(p: { ctx: ViewContext; token: string; list: string }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.confirm_mail.subject', { list: p.list })}>
      <form method="post" action={`/abonnements/confirmer/${p.token}`} class="form">
        <CsrfField ctx={ctx} />
        <button type="submit" class="button button-primary">
          {ctx.t('mailing.subscribe')}
        </button>
      </form>
    </Page>
  );
}

export function MessagePage(p: { ctx: ViewContext; title: string; body: string; links?: { href: string; label: string }[] }) {
  return (
    <Page ctx={p.ctx} title={p.title}>
      <p>{p.body}</p>
      {p.links?.map((l) => (
        <p>
          <a href={l.href}>{l.label}</a>
        </p>
      ))}
    </Page>
  );
}

export function UnsubscribePage(p: { ctx: ViewContext; token: string; target: UnsubscribeTarget; preferences: string; done?: boolean }) {
  const { ctx, target } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.unsubscribe.title')}>
      {p.done ? (
        <p class="flash flash-success" role="status">
          {ctx.t('mailing.unsubscribe.done')}
        </p>
      ) : null}
      <p>{ctx.t('mailing.unsubscribe.intro', { email: target.email })}</p>
      <form method="post" action={`/desabonnement/${p.token}`} class="form">
        <CsrfField ctx={ctx} />
        <Choices
          ctx={ctx}
          type="radio"
          name="scope"
          legend={ctx.t('mailing.unsubscribe.title')}
          values={['list']}
          options={[
            { value: 'list', label: ctx.t('mailing.unsubscribe.list', { list: target.list.name }) },
            { value: 'all', label: ctx.t('mailing.unsubscribe.all') },
          ]}
        />
        <button type="submit" class="button button-primary">
          {ctx.t('mailing.unsubscribe.title')}
        </button>
      </form>
      <p>
        <a href={p.preferences}>{ctx.t('mailing.unsubscribe.choose')}</a>
      </p>
    </Page>
  );
}

export function PreferencesPage(p: { ctx: ViewContext; prefs: Preferences; saved?: boolean }) {
  const { ctx, prefs } = p;
  const mine = prefs.lists.filter((l) => l.subscribed);
  return (
    <Page ctx={ctx} title={ctx.t('mailing.preferences.title')}>
      {p.saved ? (
        <p class="flash flash-success" role="status">
          {ctx.t('mailing.preferences.saved')}
        </p>
      ) : null}
      {prefs.suppressed ? <p>{ctx.t('mailing.preferences.suppressed')}</p> : null}
      <p>{ctx.t('mailing.preferences.intro', { email: prefs.email })}</p>
      <form method="post" action={`/abonnements/preferences/${prefs.token}`} class="form">
        <CsrfField ctx={ctx} />
        {mine.length ? <Choices ctx={ctx} name="keep" legend={ctx.t('mailing.lists')} values={mine.map((l) => String(l.list.id))} options={mine.map((l) => ({ value: String(l.list.id), label: l.list.name }))} /> : <p>{ctx.t('mailing.none')}</p>}
        <Choices ctx={ctx} name="everything" legend={ctx.t('mailing.unsubscribe.all')} values={[]} options={[{ value: '1', label: ctx.t('mailing.preferences.everything') }]} />
        <button type="submit" class="button button-primary">
          {ctx.t('mailing.preferences.save')}
        </button>
      </form>
      <p>
        <a href="/abonnements">{ctx.t('mailing.preferences.subscribe_more')}</a>
      </p>
    </Page>
  );
}

export function ArchivePage(p: { ctx: ViewContext; items: { id: number; name: string; subject: string; finished_at: string | null; list_name: string }[] }) {
  const { ctx } = p;
  return (
    <Page ctx={ctx} title={ctx.t('mailing.archive.title')}>
      <Table
        ctx={ctx}
        caption={ctx.t('mailing.archive.title')}
        rows={p.items}
        empty={ctx.t('mailing.archive.empty')}
        columns={[
          { label: ctx.t('mailing.template.subject'), rowHeader: true, cell: (c) => <a href={`/lettres-information/${c.id}`}>{c.subject.replace(/\{\{[^}]*\}\}/g, '…')}</a> },
          { label: ctx.t('mailing.list'), cell: (c) => c.list_name },
          { label: ctx.t('mailing.when'), cell: (c) => (c.finished_at ? c.finished_at.slice(0, 10) : '') },
        ]}
      />
      <p>
        <a href="/abonnements">{ctx.t('mailing.subscribe.title')}</a>
      </p>
    </Page>
  );
}
