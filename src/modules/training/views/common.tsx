// Small pieces shared by the training pages. Pure components.
import type { ComponentChildren } from 'preact';
import { CsrfField } from '../../../platform/ui/layout.js';
import { Badge, ErrorSummary, type Errors } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { euros, frDate } from '../dates.js';

export const money = (cents: number) => euros(cents);
export const dateRange = (a: string, b: string) => (a === b ? frDate(a) : `${frDate(a)} – ${frDate(b)}`);
export const pct = (x: number) => `${Math.round(x * 100)} %`;

export function StatusBadge({ ctx, status }: { ctx: ViewContext; status: string }) {
  const kind = status === 'confirmed' || status === 'validated' ? 'success' : status === 'cancelled' ? 'danger' : status === 'waiting' || status === 'declared' ? 'warning' : 'info';
  const key = status === 'requested' || status === 'waiting' ? `training.enrolment.${status}` : status === 'draft' || status === 'declared' || status === 'validated' ? `training.pay_status.${status}` : `training.status.${status}`;
  return <Badge kind={kind}>{ctx.t(key)}</Badge>;
}
export function EnrolmentBadge({ ctx, status, late }: { ctx: ViewContext; status: string; late?: number }) {
  const kind = status === 'confirmed' ? 'success' : status === 'cancelled' ? 'danger' : status === 'waiting' ? 'warning' : 'info';
  return (
    <Badge kind={kind}>
      {ctx.t(`training.enrolment.${status}`)}
      {late ? ` (${ctx.t('training.late_cancel')})` : ''}
    </Badge>
  );
}

/** A POST form with the CSRF field and the error summary on top. */
export function Form({ ctx, action, errors, children, multipart, id, labels }: { ctx: ViewContext; action: string; errors?: Errors; children: ComponentChildren; multipart?: boolean; id?: string; labels?: Record<string, string> }) {
  return (
    <form method="post" action={action} class="form" id={id} enctype={multipart ? 'multipart/form-data' : undefined} novalidate>
      <CsrfField ctx={ctx} />
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      {children}
    </form>
  );
}

export function Submit({ label, variant = 'primary' }: { label: string; variant?: 'primary' | 'secondary' | 'danger' }) {
  return (
    <div class="actions">
      <button type="submit" class={`button button-${variant}`}>
        {label}
      </button>
    </div>
  );
}

export function Check({ name, label, checked, id }: { name: string; label: string; checked?: boolean; id?: string }) {
  const i = id ?? `f-${name}`;
  return (
    <div class="field choice">
      <input type="checkbox" id={i} name={name} value="1" checked={checked} />
      <label for={i}>{label}</label>
    </div>
  );
}

/** Multi-line text kept as typed, as paragraphs. */
export function Paras({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n{2,}|\r\n\r\n/)
        .filter((p) => p.trim())
        .map((p) => (
          <p class="training-text">{p}</p>
        ))}
    </>
  );
}
