// Pieces shared by the member and staff views of the extranet.
import { Badge, PostButton } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatMoney } from '../../../platform/i18n/index.js';
import { formatDate, formatDateTime } from './format.js';
import type { RequestStatus } from '../extranet.table.js';
import type { AttachmentMeta, RequestThread } from '../requests.service.js';
import type { ChangeRequestView, CorrectableField } from '../corrections.service.js';
import { DIFF_KEYS } from '../corrections.service.js';
import type { TimelineItem } from '../timeline.service.js';

const STATUS_KIND: Record<RequestStatus, 'info' | 'warning' | 'success' | 'neutral'> = {
  new: 'info',
  in_progress: 'info',
  waiting_member: 'warning',
  closed: 'neutral',
};

/** Staff read "waiting for the member" where the member reads "waiting for you". */
export function statusLabel(ctx: ViewContext, status: RequestStatus): string {
  return ctx.t(ctx.shell === 'member' ? `extranet.status.${status}` : `extranet.staff_status.${status}`);
}

export function RequestStatusBadge({ ctx, status }: { ctx: ViewContext; status: RequestStatus }) {
  return <Badge kind={STATUS_KIND[status]}>{statusLabel(ctx, status)}</Badge>;
}

export function CorrectionStatusBadge({ ctx, status }: { ctx: ViewContext; status: string }) {
  const kind = status === 'accepted' ? 'success' : status === 'refused' ? 'danger' : status === 'partial' ? 'warning' : 'info';
  return <Badge kind={kind}>{ctx.t(`extranet.correction_status.${status}`)}</Badge>;
}

export function fileSize(n: number, locale: string): string {
  const tag = locale === 'en' ? 'en-GB' : 'fr-FR';
  if (n < 1024) return `${n} o`;
  if (n < 1024 * 1024) return `${new Intl.NumberFormat(tag, { maximumFractionDigits: 0 }).format(n / 1024)} Ko`;
  return `${new Intl.NumberFormat(tag, { maximumFractionDigits: 1 }).format(n / 1024 / 1024)} Mo`;
}

/** The conversation of a request; `fileBase` is where attachments are downloaded from. */
export function Thread({ ctx, thread, fileBase }: { ctx: ViewContext; thread: RequestThread; fileBase: string }) {
  const t = ctx.t;
  return (
    <ol class="thread">
      {thread.messages.map((m) => (
        <li class={`thread-message thread-${m.author_kind}`}>
          <p class="thread-meta">
            <strong>{m.author_name}</strong>
            {m.author_kind === 'staff' ? <span class="muted"> ({t('extranet.thread.staff')})</span> : null} ·{' '}
            <time datetime={m.created_at}>{formatDateTime(m.created_at, ctx.locale)}</time>
          </p>
          <div class="thread-body">
            {m.body.split('\n').map((line, i) => (
              <>
                {i > 0 ? <br /> : null}
                {line}
              </>
            ))}
          </div>
          {m.attachments.length ? <Attachments ctx={ctx} files={m.attachments} fileBase={fileBase} /> : null}
        </li>
      ))}
    </ol>
  );
}

function Attachments({ ctx, files, fileBase }: { ctx: ViewContext; files: AttachmentMeta[]; fileBase: string }) {
  return (
    <ul class="attachments" aria-label={ctx.t('extranet.attachments')}>
      {files.map((f) => (
        <li>
          <a href={`${fileBase}/${f.id}`} download>
            {f.fileName}
          </a>{' '}
          <span class="muted">({fileSize(f.size, ctx.locale)})</span>
        </li>
      ))}
    </ul>
  );
}

export function fieldLabel(ctx: ViewContext, f: CorrectableField): string {
  return ctx.t(`extranet.field.${f}`);
}

/** Field-by-field diff of a correction request, with the decision per field once decided. */
export function CorrectionDiff({ ctx, req, selectable }: { ctx: ViewContext; req: ChangeRequestView; selectable?: boolean }) {
  const t = ctx.t;
  const fields = DIFF_KEYS.filter((f) => req.changes[f]);
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={t('extranet.correction.diff')}>
      <table class="table diff-table">
        <caption class="visually-hidden">{t('extranet.correction.diff')}</caption>
        <thead>
          <tr>
            {selectable ? <th scope="col">{t('extranet.correction.accept')}</th> : null}
            <th scope="col">{t('extranet.correction.field')}</th>
            <th scope="col">{t('extranet.correction.before')}</th>
            <th scope="col">{t('extranet.correction.after')}</th>
            {!selectable && req.status !== 'pending' ? <th scope="col">{t('extranet.correction.decision')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {fields.map((f) => (
            <tr>
              {selectable ? (
                <td>
                  <input type="checkbox" name="accepted" value={f} id={`acc-${f}`} checked aria-label={`${t('extranet.correction.accept')} : ${fieldLabel(ctx, f)}`} />
                </td>
              ) : null}
              <th scope="row">{fieldLabel(ctx, f)}</th>
              <td>
                <del class="diff-old">{req.changes[f]!.from ?? t('extranet.correction.empty')}</del>
              </td>
              <td>
                <ins class="diff-new">{req.changes[f]!.to ?? t('extranet.correction.empty')}</ins>
              </td>
              {!selectable && req.status !== 'pending' ? <td>{req.decisions[f] ? t(`extranet.decision.${req.decisions[f]}`) : ''}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TimelineList({ ctx, items, member }: { ctx: ViewContext; items: TimelineItem[]; member: boolean }) {
  const t = ctx.t;
  if (items.length === 0) return <p class="empty">{t('extranet.timeline.empty')}</p>;
  return (
    <ol class="timeline">
      {items.map((i) => (
        <li class={`timeline-item timeline-${i.kind === 'module' ? i.source : i.kind}`}>
          <p class="timeline-date">
            <time datetime={i.date}>{formatDate(i.date.slice(0, 10), ctx.locale)}</time> · <span>{i.kind === 'module' ? t(i.label) : t(`extranet.timeline.kind.${i.kind}`)}</span>
          </p>
          {i.kind === 'deal' ? (
            <>
              <p>
                <strong>{i.title}</strong>
                {i.status ? <> — {t(`extranet.timeline.deal_${i.status}`)}</> : null}
                {i.amountCents !== undefined ? <> — {formatMoney(i.amountCents, ctx.locale)}</> : null}
              </p>
              {i.summary ? <p class="timeline-summary">{i.summary}</p> : null}
            </>
          ) : i.kind === 'visit' || i.kind === 'task' ? (
            <>
              <p>
                {/* Shared items carry the wording staff wrote for the member; a visit shared before that wording existed has none. */}
                <strong>{i.title || t('extranet.timeline.visit')}</strong>
                {i.kind === 'task' ? <> — {t(i.done ? 'extranet.timeline.task_done' : 'extranet.timeline.task_planned')}</> : null}
              </p>
              {i.summary ? <p class="timeline-summary">{i.summary}</p> : null}
            </>
          ) : i.kind === 'module' ? (
            <p>
              {member ? <a href={i.href}>{i.title}</a> : <strong>{i.title}</strong>}
              {i.status ? <> — {i.status}</> : null}
            </p>
          ) : i.kind === 'request' ? (
            <p>
              <a href={member ? `/extranet/demandes/${i.id}` : `/gestion-extranet/demandes/${i.id}`}>{i.title}</a> <RequestStatusBadge ctx={ctx} status={i.status} />
            </p>
          ) : (
            <p>
              <a href={member ? `/extranet/mon-entreprise/corrections/${i.id}` : `/gestion-extranet/corrections/${i.id}`}>{t('extranet.timeline.correction')}</a> <CorrectionStatusBadge ctx={ctx} status={i.status} />
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

/** An invitation waiting for an answer, as both sides list it. */
export interface PendingInvitationItem {
  id: number;
  email: string;
  name: string;
  role: string;
  created_at: string;
}

/**
 * A company's pending invitations: on the member's team page and on the staff panel of the
 * company page. `cancel` gives the action of each line's cancel form (absent: no button, for
 * staff who may read but not manage).
 */
export function PendingInvitations({ ctx, invitations, cancel, level = 2 }: { ctx: ViewContext; invitations: PendingInvitationItem[]; cancel?: (id: number) => string; level?: 2 | 3 }) {
  if (!invitations.length) return null;
  const t = ctx.t;
  const Heading = level === 3 ? 'h3' : 'h2';
  return (
    <>
      <Heading>{t('extranet.team.pending_invitations')}</Heading>
      <ul>
        {invitations.map((i) => (
          <li>
            {i.name} <span class="muted">&lt;{i.email}&gt;</span> — {t(`extranet.role.${i.role}`)} — {formatDate(i.created_at, ctx.locale)}{' '}
            {cancel ? <PostButton ctx={ctx} action={cancel(i.id)} label={t('extranet.team.cancel_invitation')} /> : null}
          </li>
        ))}
      </ul>
    </>
  );
}
