// Pages of the approval engine: pure components, props in, JSX out.
import type { ComponentChildren } from 'preact';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import { Actions, Badge, ButtonLink, ErrorSummary, Facts, Field, Pagination, Section, Select, Table, type Errors, type Option } from '../../../platform/ui/components.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { formatDateTime } from '../../../platform/i18n/index.js';
import { STATUSES, type RequestStatus } from '../approvals.table.js';
import type { FieldDefinition } from '../definition.js';
import type { RequestPage, RequestView } from '../engine.service.js';
import { displayValue, type RawValues } from '../fields.js';
import type { TypeFormValues } from '../typeform.js';
import { ApprovalHistory, ApprovalRoute, stepLabel as routeStepLabel } from './route.js';

const STATUS_KIND: Record<RequestStatus, 'neutral' | 'success' | 'warning' | 'danger' | 'info'> = {
  draft: 'neutral',
  pending: 'info',
  changes_requested: 'warning',
  approved: 'success',
  refused: 'danger',
  withdrawn: 'neutral',
  cancellation_pending: 'warning',
  cancelled: 'neutral',
};

export function StatusBadge({ ctx, status }: { ctx: ViewContext; status: RequestStatus }) {
  return <Badge kind={STATUS_KIND[status]}>{ctx.t(`approvals.status.${status}`)}</Badge>;
}

const typeName = (ctx: ViewContext, r: { name_fr: string; name_en: string }) => (ctx.locale === 'en' ? r.name_en : r.name_fr);
const label = (ctx: ViewContext, l: { fr: string; en: string }) => (ctx.locale === 'en' ? l.en : l.fr);

export interface TypeChoice {
  code: string;
  name_fr: string;
  name_en: string;
}

/** "Mes demandes" and "À approuver": one table, paged, filtered by type and status. */
export function ListPage({ ctx, mode, page, types, query }: { ctx: ViewContext; mode: 'mine' | 'to_approve'; page: RequestPage; types: TypeChoice[]; query: Record<string, string | undefined> }) {
  const path = mode === 'mine' ? '/demandes' : '/demandes/a-approuver';
  const title = ctx.t(mode === 'mine' ? 'approvals.mine.title' : 'approvals.to_approve.title');
  return (
    <Page ctx={ctx} title={title}>
      {mode === 'mine' ? (
        <Actions>
          <ButtonLink href="/demandes/nouvelle">{ctx.t('approvals.new')}</ButtonLink>
          <ButtonLink href="/demandes/suppleant" variant="secondary">
            {ctx.t('approvals.deputy.title')}
          </ButtonLink>
        </Actions>
      ) : null}
      <form method="get" action={path} class="form-grid">
        <Select ctx={ctx} name="type" label={ctx.t('approvals.filter.type')} empty={ctx.t('approvals.filter.all')} value={query.type} options={types.map((t) => ({ value: t.code, label: typeName(ctx, t) }))} />
        <Select ctx={ctx} name="status" label={ctx.t('approvals.filter.status')} empty={ctx.t('approvals.filter.all')} value={query.status} options={STATUSES.map((s) => ({ value: s, label: ctx.t(`approvals.status.${s}`) }))} />
        <button type="submit" class="button button-secondary">
          {ctx.t('approvals.filter')}
        </button>
      </form>
      <Table
        ctx={ctx}
        caption={title}
        rows={page.items}
        empty={ctx.t(mode === 'mine' ? 'approvals.mine.none' : 'approvals.to_approve.none')}
        columns={[
          { label: ctx.t('approvals.col.title'), rowHeader: true, cell: (r) => <a href={`/demandes/${r.id}`}>{r.title}</a> },
          { label: ctx.t('approvals.col.type'), cell: (r) => typeName(ctx, r) },
          ...(mode === 'to_approve' ? [{ label: ctx.t('approvals.col.requester'), cell: (r: RequestPage['items'][number]) => r.requester_name }] : []),
          { label: ctx.t('approvals.col.status'), cell: (r) => <StatusBadge ctx={ctx} status={r.status} /> },
          { label: ctx.t('approvals.col.date'), cell: (r) => formatDateTime(r.submitted_at, ctx.locale) },
        ]}
      />
      <Pagination ctx={ctx} page={page.page} perPage={page.perPage} total={page.total} path={path} query={query} />
    </Page>
  );
}

export function ChooseTypePage({ ctx, types }: { ctx: ViewContext; types: TypeChoice[] }) {
  return (
    <Page ctx={ctx} title={ctx.t('approvals.new.title')} crumbs={[{ label: ctx.t('approvals.mine.title'), href: '/demandes' }]}>
      {types.length ? (
        <ul class="link-list">
          {types.map((t) => (
            <li>
              <a href={`/demandes/nouvelle/${encodeURIComponent(t.code)}`}>{typeName(ctx, t)}</a>
            </li>
          ))}
        </ul>
      ) : (
        <p class="empty">{ctx.t('approvals.new.none')}</p>
      )}
    </Page>
  );
}

/** One control per field of the type, each with its label, hint and error. */
function FieldControl({ ctx, f, values, errors }: { ctx: ViewContext; f: FieldDefinition; values: RawValues; errors?: Errors }) {
  const common = { ctx, name: f.name, label: label(ctx, f.label), value: values[f.name], errors, required: f.required };
  switch (f.kind) {
    case 'longtext':
      return <Field {...common} multiline rows={5} maxlength={typeof f.max === 'number' ? f.max : 5000} />;
    case 'number':
      return <Field {...common} inputmode="decimal" min={f.min} max={f.max} />;
    case 'amount':
      return <Field {...common} inputmode="decimal" hint="€" />;
    case 'date':
      return <Field {...common} type="date" min={f.min} max={f.max} />;
    case 'daterange':
      return (
        <fieldset class="field-group">
          <legend>
            {label(ctx, f.label)}
            {f.required ? <span class="req"> ({ctx.t('common.required')})</span> : null}
          </legend>
          <Field ctx={ctx} name={`${f.name}_from`} label={ctx.t('approvals.form.from')} type="date" value={values[`${f.name}_from`]} errors={errors} required={f.required} />
          <Field ctx={ctx} name={`${f.name}_to`} label={ctx.t('approvals.form.to')} type="date" value={values[`${f.name}_to`]} errors={errors} required={f.required} />
        </fieldset>
      );
    case 'choice':
      return <Select {...common} value={values[f.name]} empty="—" options={(f.choices ?? []).map((c): Option => ({ value: c, label: c }))} />;
    case 'yesno': {
      const err = errors?.[f.name];
      return (
        <div class={`field choice${err ? ' field-error' : ''}`}>
          {err ? (
            <p class="error-text" id={`f-${f.name}-error`}>
              {ctx.t(err)}
            </p>
          ) : null}
          <input type="checkbox" id={`f-${f.name}`} name={f.name} value="1" checked={values[f.name] === '1'} aria-describedby={err ? `f-${f.name}-error` : undefined} aria-invalid={err ? 'true' : undefined} />
          <label for={`f-${f.name}`}>{label(ctx, f.label)}</label>
        </div>
      );
    }
    case 'attachment':
      return <Field {...common} value={undefined} type="file" accept=".pdf,.png,.jpg,.jpeg,.webp,.doc,.docx,.xls,.xlsx,.odt,.ods,.txt,.csv" required={f.required && !values[`${f.name}__name`]} hint={values[`${f.name}__name`] ? ctx.t('approvals.form.attached', { name: values[`${f.name}__name`] }) : undefined} />;
    default:
      return <Field {...common} maxlength={typeof f.max === 'number' ? f.max : 200} />;
  }
}

export function RequestFormPage({ ctx, typeName: name, action, fields, values, errors, version }: { ctx: ViewContext; typeName: string; action: string; fields: FieldDefinition[]; values: RawValues; errors?: Errors; version?: number }) {
  const multipart = fields.some((f) => f.kind === 'attachment');
  const labels: Record<string, string> = { _title: ctx.t('approvals.form.title_field') };
  for (const f of fields) {
    labels[f.name] = label(ctx, f.label);
    labels[`${f.name}_from`] = `${label(ctx, f.label)} (${ctx.t('approvals.form.from')})`;
    labels[`${f.name}_to`] = `${label(ctx, f.label)} (${ctx.t('approvals.form.to')})`;
  }
  return (
    <Page ctx={ctx} title={name} crumbs={[{ label: ctx.t('approvals.mine.title'), href: '/demandes' }]}>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      {/* A multipart body is read by the handler, after the CSRF check: the token goes in the query. */}
      <form method="post" action={multipart ? `${action}?_csrf=${encodeURIComponent(ctx.csrf)}` : action} class="form" novalidate enctype={multipart ? 'multipart/form-data' : undefined}>
        <CsrfField ctx={ctx} />
        {version !== undefined ? <input type="hidden" name="version" value={String(version)} /> : null}
        <Field ctx={ctx} name="_title" label={ctx.t('approvals.form.title_field')} value={values._title} errors={errors} maxlength={200} />
        {fields.map((f) => (
          <FieldControl ctx={ctx} f={f} values={values} errors={errors} />
        ))}
        <Actions>
          <button type="submit" name="_submit" value="1" class="button button-primary">
            {ctx.t('approvals.do.submit')}
          </button>
          <button type="submit" name="_submit" value="0" class="button button-secondary">
            {ctx.t('approvals.do.save_draft')}
          </button>
        </Actions>
      </form>
    </Page>
  );
}

function DecisionForm({ ctx, action, version, can, errors }: { ctx: ViewContext; action: string; version: number; can: { approve: boolean; refuse: boolean; sendBack: boolean }; errors?: Errors }) {
  return (
    <form method="post" action={action} class="form decision">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="version" value={String(version)} />
      <Field ctx={ctx} name="comment" label={ctx.t('approvals.do.comment')} multiline rows={3} maxlength={2000} errors={errors} />
      <Actions>
        {can.approve ? (
          <button type="submit" name="decision" value="approve" class="button button-primary">
            {ctx.t('approvals.do.approve')}
          </button>
        ) : null}
        {can.sendBack ? (
          <button type="submit" name="decision" value="send_back" class="button button-secondary">
            {ctx.t('approvals.do.send_back')}
          </button>
        ) : null}
        {can.refuse ? (
          <button type="submit" name="decision" value="refuse" class="button button-danger">
            {ctx.t('approvals.do.refuse')}
          </button>
        ) : null}
      </Actions>
    </form>
  );
}

export function RequestPageView({ ctx, view, errors }: { ctx: ViewContext; view: RequestView; errors?: Errors }) {
  const r = view.request;
  const def = view.definition;
  const v = r.version;
  const ver = view.typeVersion;
  const stepLabel = (i: number | null) => routeStepLabel(ctx, view, i);
  return (
    <Page ctx={ctx} title={ctx.t('approvals.request.title', { id: r.id })} crumbs={[{ label: ctx.t('approvals.mine.title'), href: '/demandes' }]}>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ comment: ctx.t('approvals.request.comment') }} />
      <Facts
        items={[
          [ctx.t('approvals.col.title'), r.title],
          [ctx.t('approvals.request.type'), typeName(ctx, ver)],
          [ctx.t('approvals.request.type_version'), String(ver.number)],
          [ctx.t('approvals.request.requester'), view.requesterName],
          [ctx.t('approvals.request.status'), <StatusBadge ctx={ctx} status={r.status} />],
        ]}
      />
      {r.href ? (
        <p>
          <a href={r.href}>{ctx.t('approvals.request.owner_link')}</a>
        </p>
      ) : null}
      {def.fields.length ? (
        <Section title={ctx.t('approvals.request.values')} id="valeurs">
          <Facts
            items={def.fields.map((f): [string, ComponentChildren] => [
              label(ctx, f.label),
              f.kind === 'attachment' && displayValue(f, view.payload[f.name], ctx.locale) ? <a href={`/demandes/${r.id}/pieces/${f.name}`}>{displayValue(f, view.payload[f.name], ctx.locale)}</a> : displayValue(f, view.payload[f.name], ctx.locale),
            ])}
          />
        </Section>
      ) : null}
      {view.can.approve ? (
        <Section title={ctx.t('approvals.do.approve')} id="decision">
          <DecisionForm ctx={ctx} action={`/demandes/${r.id}/decider`} version={v} can={view.can} errors={errors} />
        </Section>
      ) : null}
      {view.can.edit || view.can.resubmit || view.can.withdraw || view.can.cancel ? (
        <Actions>
          {view.can.edit ? <ButtonLink href={`/demandes/${r.id}/modifier`}>{ctx.t('approvals.do.edit')}</ButtonLink> : null}
          {view.can.resubmit && !view.can.edit ? (
            <form method="post" action={`/demandes/${r.id}/soumettre`} class="inline-form">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(v)} />
              <button type="submit" class="button button-primary">
                {ctx.t('approvals.do.submit')}
              </button>
            </form>
          ) : null}
          {view.can.withdraw ? (
            <form method="post" action={`/demandes/${r.id}/retirer`} class="inline-form">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(v)} />
              <button type="submit" class="button button-danger">
                {ctx.t('approvals.do.withdraw')}
              </button>
            </form>
          ) : null}
          {view.can.cancel ? (
            <form method="post" action={`/demandes/${r.id}/annuler`} class="form">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="version" value={String(v)} />
              <Field ctx={ctx} name="reason" label={ctx.t('approvals.do.reason')} maxlength={2000} />
              <button type="submit" class="button button-secondary">
                {ctx.t('approvals.do.cancel')}
              </button>
            </form>
          ) : null}
        </Actions>
      ) : null}
      <ApprovalRoute ctx={ctx} view={view} title={ctx.t(r.phase === 'cancellation' ? 'approvals.request.cancellation_route' : 'approvals.request.steps')} />
      <ApprovalHistory ctx={ctx} view={view} title={ctx.t('approvals.request.history')} withVersion />
    </Page>
  );
}

/** The page a signed e-mail link opens: what is asked, and the decision buttons (POST acts). */
export function LinkPage({ ctx, token, title, requester, canSendBack, errors, done, invalid }: { ctx: ViewContext; token: string; title?: string; requester?: string; canSendBack?: boolean; errors?: Errors; done?: boolean; invalid?: boolean }) {
  return (
    <Page ctx={ctx} title={ctx.t('approvals.link.title')}>
      {invalid ? <p class="flash flash-error" role="alert">{ctx.t('approvals.link.invalid')}</p> : null}
      {done ? <p class="flash flash-success" role="status">{ctx.t('approvals.link.done')}</p> : null}
      {!invalid && !done ? (
        <>
          <ErrorSummary ctx={ctx} errors={errors} labels={{ comment: ctx.t('approvals.request.comment') }} />
          <p>{ctx.t('approvals.link.confirm', { title: title ?? '', requester: requester ?? '' })}</p>
          <form method="post" action={`/approbations/lien/${encodeURIComponent(token)}`} class="form decision">
            <CsrfField ctx={ctx} />
            <Field ctx={ctx} name="comment" label={ctx.t('approvals.do.comment')} multiline rows={3} maxlength={2000} errors={errors} />
            <Actions>
              <button type="submit" name="decision" value="approve" class="button button-primary">
                {ctx.t('approvals.do.approve')}
              </button>
              {canSendBack ? (
                <button type="submit" name="decision" value="send_back" class="button button-secondary">
                  {ctx.t('approvals.do.send_back')}
                </button>
              ) : null}
              <button type="submit" name="decision" value="refuse" class="button button-danger">
                {ctx.t('approvals.do.refuse')}
              </button>
            </Actions>
          </form>
        </>
      ) : null}
    </Page>
  );
}

export function DeputyPage({ ctx, people, current, errors }: { ctx: ViewContext; people: { id: number; name: string }[]; current?: number; errors?: Errors }) {
  return (
    <Page ctx={ctx} title={ctx.t('approvals.deputy.title')} crumbs={[{ label: ctx.t('approvals.mine.title'), href: '/demandes' }]}>
      <ErrorSummary ctx={ctx} errors={errors} labels={{ deputy: ctx.t('approvals.deputy.field') }} />
      <p>{ctx.t('approvals.deputy.help')}</p>
      <form method="post" action="/demandes/suppleant" class="form">
        <CsrfField ctx={ctx} />
        <Select ctx={ctx} name="deputy" label={ctx.t('approvals.deputy.field')} empty={ctx.t('approvals.deputy.none')} value={current ? String(current) : ''} errors={errors} options={people.filter((p) => p.id !== ctx.actor.id).map((p) => ({ value: String(p.id), label: p.name }))} />
        <button type="submit" class="button button-primary">
          {ctx.t('common.save')}
        </button>
      </form>
    </Page>
  );
}

export interface TypeRow {
  id: number;
  code: string;
  owner: string;
  active: number;
  number: number;
  name_fr: string;
  name_en: string;
}

export function TypesPage({ ctx, types }: { ctx: ViewContext; types: TypeRow[] }) {
  return (
    <Page ctx={ctx} title={ctx.t('approvals.types.title')}>
      <Actions>
        <ButtonLink href="/demandes/types/nouveau">{ctx.t('approvals.types.new')}</ButtonLink>
      </Actions>
      <Table
        ctx={ctx}
        caption={ctx.t('approvals.types.title')}
        rows={types}
        columns={[
          { label: ctx.t('approvals.types.name_fr'), rowHeader: true, cell: (x) => <a href={`/demandes/types/${x.id}`}>{typeName(ctx, x)}</a> },
          { label: 'Code', cell: (x) => x.code },
          { label: ctx.t('approvals.types.owner'), cell: (x) => (x.owner === 'approvals' ? ctx.t('approvals.types.owner.approvals') : x.owner) },
          { label: ctx.t('approvals.types.version'), numeric: true, cell: (x) => String(x.number) },
          { label: ctx.t('approvals.types.active'), cell: (x) => (x.active ? ctx.t('approvals.form.yes') : '—') },
          { label: ctx.t('approvals.types.export'), cell: (x) => <a href={`/demandes/types/${x.id}/export.csv`}>CSV</a> },
        ]}
      />
    </Page>
  );
}

export function TypeFormPage({ ctx, action, values, errors, isNew, system, versions }: { ctx: ViewContext; action: string; values: TypeFormValues & { version?: string }; errors?: Errors; isNew: boolean; system?: boolean; versions?: { number: number; created_at: string }[] }) {
  const labels = {
    code: ctx.t('approvals.types.code'),
    name_fr: ctx.t('approvals.types.name_fr'),
    name_en: ctx.t('approvals.types.name_en'),
    fields: ctx.t('approvals.types.fields'),
    steps: ctx.t('approvals.types.steps'),
    remind: ctx.t('approvals.types.remind'),
    escalate: ctx.t('approvals.types.escalate'),
    duties: ctx.t('approvals.types.duties'),
    options: ctx.t('approvals.types.duties'),
  };
  const title = isNew ? ctx.t('approvals.types.new') : ctx.t('approvals.types.edit', { name: values.name_fr });
  return (
    <Page ctx={ctx} title={title} crumbs={[{ label: ctx.t('approvals.types.title'), href: '/demandes/types' }]}>
      <ErrorSummary ctx={ctx} errors={errors} labels={labels} />
      <form method="post" action={action} class="form" novalidate>
        <CsrfField ctx={ctx} />
        {values.version ? <input type="hidden" name="version" value={values.version} /> : null}
        {isNew ? <Field ctx={ctx} name="code" label={labels.code} value={values.code} errors={errors} required maxlength={40} /> : null}
        <Field ctx={ctx} name="name_fr" label={labels.name_fr} value={values.name_fr} errors={errors} required maxlength={120} />
        <Field ctx={ctx} name="name_en" label={labels.name_en} value={values.name_en} errors={errors} required maxlength={120} />
        {system ? null : <Field ctx={ctx} name="fields" label={labels.fields} hint={ctx.t('approvals.types.fields_help')} value={values.fields} errors={errors} multiline rows={8} />}
        <Field ctx={ctx} name="steps" label={labels.steps} hint={ctx.t('approvals.types.steps_help')} value={values.steps} errors={errors} multiline rows={5} required />
        <Field ctx={ctx} name="remind" label={labels.remind} value={values.remind} errors={errors} inputmode="numeric" maxlength={2} />
        <Field ctx={ctx} name="escalate" label={labels.escalate} value={values.escalate} errors={errors} inputmode="numeric" maxlength={2} />
        <Field ctx={ctx} name="duties" label={labels.duties} value={values.duties} errors={errors} maxlength={400} />
        {[
          ['cancel_steps', 'approvals.types.cancel_steps'],
          ['resume', 'approvals.types.resume'],
          ['active', 'approvals.types.active'],
        ].map(([name, key]) => (
          <div class="field choice">
            <input type="checkbox" id={`f-${name}`} name={name} value="1" checked={Boolean(values[name as keyof TypeFormValues])} />
            <label for={`f-${name}`}>{ctx.t(key)}</label>
          </div>
        ))}
        <button type="submit" class="button button-primary">
          {ctx.t('common.save')}
        </button>
      </form>
      {versions?.length ? (
        <Section title={ctx.t('approvals.types.versions')} id="versions">
          <ul>
            {versions.map((x) => (
              <li>
                {ctx.t('approvals.types.version')} {x.number} — {formatDateTime(x.created_at, ctx.locale)}
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
    </Page>
  );
}
