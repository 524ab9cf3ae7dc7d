// A request's route (its steps and who holds each seat) and its history: the engine's request page
// and the owners' pages that show their request's approval (expenses) draw the same two sections.
import { formatDateTime } from '../../../platform/i18n/index.js';
import { Section, Table } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { conditionHolds } from '../definition.js';
import type { RequestView } from '../engine.service.js';

const label = (ctx: ViewContext, l: { fr: string; en: string }) => (ctx.locale === 'en' ? l.en : l.fr);

/** The name of step `i` (its label, else "Étape n"). */
export function stepLabel(ctx: ViewContext, view: RequestView, i: number | null): string {
  if (i === null) return '';
  const l = view.definition.steps[i]?.label;
  return l ? label(ctx, l) : ctx.t('approvals.request.step_n', { n: i + 1 });
}

/** The steps of the current round and phase, the step in progress marked, each seat's state. */
export function ApprovalRoute({ ctx, view, title }: { ctx: ViewContext; view: RequestView; title: string }) {
  const r = view.request;
  const currentSeats = view.seats.filter((s) => s.round === r.round && s.phase === r.phase);
  return (
    <Section title={title} id="circuit">
      <ol class="steps">
        {view.definition.steps.map((s, i) => {
          const seats = currentSeats.filter((x) => x.step_index === i);
          const applies = conditionHolds(view.payload, s.when);
          return (
            <li aria-current={r.step_index === i ? 'step' : undefined}>
              <strong>{stepLabel(ctx, view, i)}</strong> — {ctx.t(`approvals.request.mode.${s.mode}`)}
              {!applies ? <span> ({ctx.t('approvals.request.skipped')})</span> : null}
              {seats.length ? (
                <ul>
                  {seats.map((x) => (
                    <li>
                      {x.approver_name} : {ctx.t(`approvals.request.seat.${x.state}`)}
                      {x.reason !== 'step' ? ` (${ctx.t(`approvals.request.reason.${x.reason}`)})` : ''}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

/** Every transition: when, who, what, the comment (and, on the engine's page, the type's version it ran under). */
export function ApprovalHistory({ ctx, view, title, withVersion = false }: { ctx: ViewContext; view: RequestView; title: string; withVersion?: boolean }) {
  const ver = view.typeVersion;
  return (
    <Section title={title} id="historique">
      <Table
        ctx={ctx}
        caption={title}
        rows={view.history}
        columns={[
          { label: ctx.t('approvals.request.when'), cell: (h) => formatDateTime(h.at, ctx.locale) },
          { label: ctx.t('approvals.request.who'), cell: (h) => h.actor_label },
          { label: ctx.t('approvals.request.what'), cell: (h) => ctx.t(`approvals.action.${h.action}`, { step: (h.step_index ?? 0) + 1 }) },
          { label: ctx.t('approvals.request.comment'), cell: (h) => h.comment ?? '' },
          ...(withVersion ? [{ label: ctx.t('approvals.request.type_version'), cell: (h: RequestView['history'][number]) => String(h.type_version_id === ver.id ? ver.number : h.type_version_id) }] : []),
        ]}
      />
    </Section>
  );
}
