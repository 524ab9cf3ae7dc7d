// Small pieces shared by the CRM's pages.
import type { ComponentChildren } from 'preact';
import type { Crumb } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';

export const crmCrumbs = (ctx: ViewContext, ...more: Crumb[]): Crumb[] => [{ label: ctx.t('app.home'), href: '/portail' }, { label: ctx.t('crm.home.title'), href: '/crm' }, ...more];

// The same formats as platform/i18n's formatMoney / formatDate / formatDateTime, with the Intl
// formatters built once per locale: a board or a timeline formats hundreds of values per page,
// and building an Intl formatter costs far more than using one (measured in bench/crm.ts).
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}
const tag = (ctx: ViewContext) => (ctx.locale === 'fr' ? 'fr-FR' : 'en-GB');

export const money = (ctx: ViewContext, cents: number) => cached(`money:${ctx.locale}`, () => new Intl.NumberFormat(tag(ctx), { style: 'currency', currency: 'EUR' })).format(cents / 100);

/** A calendar date ('YYYY-MM-DD') as written; a moment (ISO timestamp) in Paris time. */
export function day(ctx: ViewContext, date: string | null | undefined): string {
  if (!date) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) return cached(`date-utc:${ctx.locale}`, () => new Intl.DateTimeFormat(tag(ctx), { dateStyle: 'short', timeZone: 'UTC' })).format(new Date(date + 'T00:00:00Z'));
  return cached(`date-paris:${ctx.locale}`, () => new Intl.DateTimeFormat(tag(ctx), { dateStyle: 'short', timeZone: 'Europe/Paris' })).format(new Date(date));
}

export function dateTime(ctx: ViewContext, iso: string): string {
  return cached(`datetime:${ctx.locale}`, () => new Intl.DateTimeFormat(tag(ctx), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' })).format(new Date(iso));
}

/** "2026-03" → "mars 2026" */
export function monthLabel(ctx: ViewContext, month: string): string {
  if (!month) return ctx.t('crm.deal.no_close_date');
  return cached(`month:${ctx.locale}`, () => new Intl.DateTimeFormat(tag(ctx), { month: 'short', year: 'numeric', timeZone: 'UTC' })).format(new Date(month + '-01T00:00:00Z'));
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
