// Small pieces shared by the CRM's pages.
import type { ComponentChildren } from 'preact';
import type { Crumb } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
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

/** Where crm-offline.js says how many visit reports wait on this phone (texts from the server). */
export function OfflineStatus({ ctx }: { ctx: ViewContext }) {
  return (
    <p
      id="offline-status"
      class="crm-offline-status"
      role="status"
      aria-live="polite"
      data-pending={ctx.t('crm.offline.pending')}
      data-saved-locally={ctx.t('crm.offline.saved_locally')}
      data-sent={ctx.t('crm.offline.sent')}
      data-failed={ctx.t('crm.offline.failed')}
      data-signed-out={ctx.t('crm.offline.signed_out')}
    ></p>
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
