// The company timeline: as a panel on the registry's company page, and as a full page with
// filters by kind.
import { Badge, ButtonLink, Field } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { CompanySummary } from '../../registry/index.js';
import { TIMELINE_KINDS, type TimelineEvent, type TimelineKind } from '../timeline.service.js';
import { crmCrumbs, dateTime, day, money } from './common.js';

const KIND_BADGE: Record<TimelineKind, 'info' | 'success' | 'warning' | 'neutral'> = { visit: 'info', deal: 'success', task: 'warning', note: 'neutral', registry: 'neutral' };

/** 'establishment:close' → « Établissement : fermeture »; unknown words are shown as they are. */
function registryLabel(ctx: ViewContext, title: string): string {
  const [entity, action] = title.split(':');
  const tr = (key: string, raw: string) => {
    const v = ctx.t(key);
    return v === key ? raw : v;
  };
  return `${tr(`crm.registry.${entity}`, entity)} : ${tr(`crm.registry.action.${action}`, action ?? '')}`;
}

function when(ctx: ViewContext, at: string) {
  return at.length === 10 ? day(ctx, at) : dateTime(ctx, at);
}

export function TimelineList({ ctx, events }: { ctx: ViewContext; events: TimelineEvent[] }) {
  const t = ctx.t;
  if (events.length === 0) return <p class="empty">{t('crm.timeline.empty')}</p>;
  return (
    <ol class="timeline crm-timeline">
      {events.map((e) => (
        <li data-kind={e.kind}>
          <p>
            <Badge kind={KIND_BADGE[e.kind]}>{t(`crm.timeline.kind.${e.kind}`)}</Badge> <time datetime={e.at}>{when(ctx, e.at)}</time>
            {e.who ? <span class="muted"> · {e.who}</span> : null}
          </p>
          <p>
            {e.href ? <a href={e.href}>{e.title || t(`crm.timeline.kind.${e.kind}`)}</a> : e.kind === 'registry' ? t('crm.timeline.registry_change', { action: registryLabel(ctx, e.title) }) : e.title}
            {e.stage ? <> — {e.stage}</> : null}
            {e.kind === 'deal' && e.detail && /^\d+$/.test(e.detail) ? <> — {money(ctx, Number(e.detail))}</> : null}
            {e.kind === 'task' ? <> — {e.done ? t('crm.task.done') : t('crm.task.open')}</> : null}
          </p>
          {e.detail && !(e.kind === 'deal' && /^\d+$/.test(e.detail)) ? <p class="crm-text muted">{e.detail}</p> : null}
          {e.confidential ? (
            <p class="crm-text crm-confidential">
              <span class="visually-hidden">{t('crm.visit.confidential_notes')} : </span>
              {e.confidential}
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function KindFilter({ ctx, companyId, kind, swap }: { ctx: ViewContext; companyId: number; kind?: TimelineKind; swap?: boolean }) {
  const t = ctx.t;
  const base = `/crm/entreprises/${companyId}/chronologie`;
  // In the panel, htmx swaps the panel's list in place; without JavaScript the links open the full page.
  const hx = (href: string) => (swap ? { 'hx-get': `${href}${href.includes('?') ? '&' : '?'}bloc=1`, 'hx-target': `#crm-tl-${companyId}`, 'hx-swap': 'outerHTML' } : {});
  return (
    <nav class="crm-scope" aria-label={t('crm.timeline.filter')}>
      <ul>
        <li>
          <a href={base} aria-current={!kind ? 'page' : undefined} {...hx(base)}>
            {t('common.all')}
          </a>
        </li>
        {TIMELINE_KINDS.map((k) => (
          <li>
            <a href={`${base}?type=${k}`} aria-current={kind === k ? 'page' : undefined} {...hx(`${base}?type=${k}`)}>
              {t(`crm.timeline.kinds.${k}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function CompanyPanel({ ctx, companyId, events, adviser, canWrite, canAssignSelf }: { ctx: ViewContext; companyId: number; events: TimelineEvent[]; adviser?: { name: string }; canWrite: boolean; canAssignSelf: boolean }) {
  const t = ctx.t;
  return (
    <section class="crm-panel" aria-labelledby={`crm-panel-${companyId}`}>
      <h2 id={`crm-panel-${companyId}`}>{t('crm.panel.title')}</h2>
      <p>
        {t('crm.portfolio.adviser')} : {adviser ? <strong>{adviser.name}</strong> : <span class="muted">{t('crm.portfolio.nobody')}</span>}
      </p>
      {canWrite ? (
        <div class="actions">
          <ButtonLink href={`/crm/visites/nouvelle?entreprise=${companyId}`}>{t('crm.visit.new_title')}</ButtonLink>
          <ButtonLink variant="secondary" href={`/crm/affaires/nouvelle?entreprise=${companyId}`}>
            {t('crm.deal.new_title')}
          </ButtonLink>
          {canAssignSelf ? (
            <form method="post" action={`/crm/entreprises/${companyId}/portefeuille`} class="inline-form">
              <CsrfField ctx={ctx} />
              <button type="submit" class="button button-secondary">
                {t('crm.portfolio.take')}
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
      <PanelTimeline ctx={ctx} companyId={companyId} events={events} />
    </section>
  );
}

/** The panel's filter and latest events; also the htmx answer when a filter is chosen. */
export function PanelTimeline({ ctx, companyId, events, kind }: { ctx: ViewContext; companyId: number; events: TimelineEvent[]; kind?: TimelineKind }) {
  return (
    <div id={`crm-tl-${companyId}`}>
      <KindFilter ctx={ctx} companyId={companyId} kind={kind} swap />
      <TimelineList ctx={ctx} events={events} />
      <p>
        <a href={`/crm/entreprises/${companyId}/chronologie${kind ? `?type=${kind}` : ''}`}>{ctx.t('crm.timeline.see_all')}</a>
      </p>
    </div>
  );
}

export function TimelinePage({ ctx, company, events, kind, canWrite, errors, body }: { ctx: ViewContext; company: CompanySummary; events: TimelineEvent[]; kind?: TimelineKind; canWrite: boolean; errors?: Record<string, string>; body?: string }) {
  const t = ctx.t;
  const title = t('crm.timeline.of', { name: company.name });
  return (
    <Page ctx={ctx} title={title} crumbs={crmCrumbs(ctx, { label: company.name, href: `/registre/entreprises/${company.id}` }, { label: t('crm.timeline.title') })}>
      <KindFilter ctx={ctx} companyId={company.id} kind={kind} />
      {canWrite ? (
        <form method="post" action={`/crm/entreprises/${company.id}/notes`} class="crm-note-form">
          <CsrfField ctx={ctx} />
          <Field ctx={ctx} name="body" label={t('crm.note.body')} value={body} errors={errors} multiline rows={2} required />
          <div class="choice">
            <input type="checkbox" id="f-confidential" name="confidential" value="1" />
            <label for="f-confidential">{t('crm.note.confidential')}</label>
          </div>
          <button type="submit" class="button button-secondary">
            {t('crm.note.add')}
          </button>
        </form>
      ) : null}
      <TimelineList ctx={ctx} events={events} />
    </Page>
  );
}
