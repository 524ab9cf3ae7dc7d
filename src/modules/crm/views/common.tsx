// Small pieces shared by the CRM's pages.
import type { ComponentChildren } from 'preact';
import type { Crumb } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { Field, type Errors } from '../../../platform/ui/components.js';
import { formatDate, formatDateTime, formatMoney, formatMonth } from '../../../platform/i18n/index.js';

export const crmCrumbs = (ctx: ViewContext, ...more: Crumb[]): Crumb[] => [{ label: ctx.t('app.home'), href: '/portail' }, { label: ctx.t('crm.home.title'), href: '/crm' }, ...more];

export const money = (ctx: ViewContext, cents: number) => formatMoney(cents, ctx.locale);

/** A calendar date ('YYYY-MM-DD') as written; a moment (ISO timestamp) in Paris time. */
export const day = (ctx: ViewContext, date: string | null | undefined): string => formatDate(date, ctx.locale);

export const dateTime = (ctx: ViewContext, iso: string): string => formatDateTime(iso, ctx.locale);

/** "2026-03" → "mars 2026" */
export function monthLabel(ctx: ViewContext, month: string): string {
  return month ? formatMonth(month, ctx.locale) : ctx.t('crm.deal.no_close_date');
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="crm-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** Links to switch a list between "mine", "my team" and "everybody". */
export function ScopeSwitch({ ctx, path, scope, canTeam }: { ctx: ViewContext; path: string; scope: string; canTeam: boolean }) {
  const opts = ['mine', ...(canTeam ? ['team'] : []), 'all'];
  return (
    <nav class="crm-scope" aria-label={ctx.t('crm.scope.label')}>
      <ul>
        {opts.map((o) => (
          <li>
            <a href={`${path}?portee=${o}`} aria-current={o === scope ? 'page' : undefined}>
              {ctx.t(`crm.scope.${o}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * Where crm-offline.js says how many visit reports wait on this phone (texts from the server).
 * `data-user` is the signed-in user: the script keeps each report under its author and sends only
 * the signed-in user's; another user's (a session expired on a shared phone) are deleted unsent,
 * and #offline-discarded says so.
 */
export function OfflineStatus({ ctx }: { ctx: ViewContext }) {
  return (
    <>
      <p id="offline-discarded" class="crm-offline-status is-failed" role="status" data-text={ctx.t('crm.offline.discarded')}></p>
      <p
        id="offline-status"
        class="crm-offline-status"
        role="status"
        aria-live="polite"
        data-user={ctx.actor.id === null ? undefined : String(ctx.actor.id)}
        data-pending={ctx.t('crm.offline.pending')}
        data-saved-locally={ctx.t('crm.offline.saved_locally')}
        data-sent={ctx.t('crm.offline.sent')}
        data-failed={ctx.t('crm.offline.failed')}
        data-signed-out={ctx.t('crm.offline.signed_out')}
      ></p>
    </>
  );
}

/**
 * Notes of a visit or a deal. `confidential` is passed only when the reader may see it (the
 * policy decided it in the service): undefined hides the block, null shows it empty.
 */
export function Notes({ ctx, notes, needs, confidential }: { ctx: ViewContext; notes: string | null; needs?: string | null; confidential?: string | null }) {
  const t = ctx.t;
  return (
    <>
      <h2>{t('crm.visit.notes')}</h2>
      <p class="crm-text">{notes || '—'}</p>
      {needs !== undefined ? (
        <>
          <h2>{t('crm.visit.needs')}</h2>
          <p class="crm-text">{needs || '—'}</p>
        </>
      ) : null}
      {confidential !== undefined ? (
        <>
          <h2>{t('crm.visit.confidential_notes')}</h2>
          <p class="crm-text crm-confidential">{confidential || '—'}</p>
        </>
      ) : null}
    </>
  );
}

export interface SharingValues {
  sharedWithCompany: boolean;
  memberTitle: string;
  memberSummary: string;
  /** deals only */
  amountSharedWithCompany?: boolean;
}

/**
 * "Shared with the company": off by default; when on, the company reads the member wording on
 * its extranet, never the internal title or notes. Deals add a second box for their amount.
 */
export function SharingFields({ ctx, v, errors, withAmount }: { ctx: ViewContext; v: SharingValues; errors?: Errors; withAmount?: boolean }) {
  const t = ctx.t;
  const err = errors?.shared_with_company;
  return (
    <fieldset class={`field crm-sharing${err ? ' field-error' : ''}`}>
      <legend>{t('crm.sharing.legend')}</legend>
      <p class="hint" id="sharing-hint">
        {t('crm.sharing.hint')}
      </p>
      {err ? (
        <p class="error-text" id="f-shared_with_company-error">
          {t(err)}
        </p>
      ) : null}
      <div class="choice">
        <input type="checkbox" id="f-shared_with_company" name="shared_with_company" value="1" checked={v.sharedWithCompany} aria-describedby={err ? 'sharing-hint f-shared_with_company-error' : 'sharing-hint'} />
        <label for="f-shared_with_company">{t('crm.sharing.shared')}</label>
      </div>
      <Field ctx={ctx} name="member_title" label={t('crm.sharing.member_title')} hint={t('crm.sharing.member_title_hint')} value={v.memberTitle} errors={errors} maxlength={200} />
      <Field ctx={ctx} name="member_summary" label={t('crm.sharing.member_summary')} hint={t('crm.sharing.member_summary_hint')} value={v.memberSummary} errors={errors} multiline rows={2} />
      {withAmount ? (
        <div class="choice">
          <input type="checkbox" id="f-amount_shared_with_company" name="amount_shared_with_company" value="1" checked={v.amountSharedWithCompany} />
          <label for="f-amount_shared_with_company">{t('crm.sharing.amount')}</label>
        </div>
      ) : null}
    </fieldset>
  );
}

/** One line for a record page: shared or not, and under which wording. */
export function sharingFact(ctx: ViewContext, r: { shared_with_company: number; member_title: string; amount_shared_with_company?: number }): [string, string] {
  const t = ctx.t;
  if (r.shared_with_company !== 1) return [t('crm.sharing.fact'), t('crm.sharing.not_shared')];
  const amount = r.amount_shared_with_company === 1 ? ` ${t('crm.sharing.with_amount')}` : r.amount_shared_with_company === 0 ? ` ${t('crm.sharing.without_amount')}` : '';
  return [t('crm.sharing.fact'), `${t('crm.sharing.shared_as', { title: r.member_title })}${amount}`];
}
