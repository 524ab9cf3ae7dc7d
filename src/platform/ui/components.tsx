// Reusable pieces every module builds its pages from. No module writes its own styling:
// each component maps to classes of public/app.css.
import type { ComponentChildren } from 'preact';
import { formatNumber } from '../i18n/index.js';
import type { ViewContext } from './view-context.js';

/** Field errors as i18n keys, keyed by field name. */
export type Errors = Record<string, string | undefined>;

export interface FieldProps {
  ctx: ViewContext;
  name: string;
  label: string;
  value?: string | number | null;
  errors?: Errors;
  type?: 'text' | 'email' | 'password' | 'number' | 'date' | 'datetime-local' | 'tel' | 'url' | 'search' | 'time' | 'file';
  required?: boolean;
  hint?: string;
  autocomplete?: string;
  inputmode?: 'numeric' | 'text' | 'tel' | 'email' | 'decimal' | 'search' | 'url';
  maxlength?: number;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  pattern?: string;
  autofocus?: boolean;
  multiline?: boolean;
  rows?: number;
  accept?: string;
  id?: string;
  placeholder?: string;
}

/** Label, input, hint and error, wired with aria-describedby / aria-invalid. */
export function Field(p: FieldProps) {
  const id = p.id ?? `f-${p.name}`;
  const err = p.errors?.[p.name];
  const described = [p.hint ? `${id}-hint` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: p.name,
    required: p.required,
    'aria-invalid': err ? ('true' as const) : undefined,
    'aria-describedby': described,
    autocomplete: p.autocomplete,
    maxlength: p.maxlength,
    autofocus: p.autofocus,
    placeholder: p.placeholder,
  };
  return (
    <FieldShell ctx={p.ctx} id={id} label={p.label} required={p.required} hint={p.hint} error={err}>
      {p.multiline ? (
        <textarea {...common} rows={p.rows ?? 5}>
          {p.value ?? ''}
        </textarea>
      ) : (
        <input
          {...({
            ...common,
            type: p.type ?? 'text',
            value: p.type === 'password' || p.type === 'file' ? undefined : (p.value ?? ''),
            inputmode: p.inputmode,
            min: p.min,
            max: p.max,
            step: p.step,
            pattern: p.pattern,
            accept: p.accept,
          } as Record<string, unknown>)}
        />
      )}
    </FieldShell>
  );
}

/** Label, hint and error around a control, with the ids that aria-describedby points at. */
function FieldShell(p: { ctx: ViewContext; id: string; label: string; required?: boolean; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class={`field${p.error ? ' field-error' : ''}`}>
      <label for={p.id}>
        {p.label}
        {p.required ? <span class="req"> ({p.ctx.t('common.required')})</span> : null}
      </label>
      {p.hint ? (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error-text" id={`${p.id}-error`}>
          {p.ctx.t(p.error)}
        </p>
      ) : null}
      {p.children}
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function Select(p: {
  ctx: ViewContext;
  name: string;
  label: string;
  options: Option[];
  value?: string | null;
  errors?: Errors;
  required?: boolean;
  empty?: string;
  id?: string;
  hint?: string;
}) {
  const id = p.id ?? `f-${p.name}`;
  const err = p.errors?.[p.name];
  const described = [p.hint ? `${id}-hint` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <FieldShell ctx={p.ctx} id={id} label={p.label} required={p.required} hint={p.hint} error={err}>
      <select id={id} name={p.name} required={p.required} aria-invalid={err ? 'true' : undefined} aria-describedby={described}>
        {p.empty !== undefined ? <option value="">{p.empty}</option> : null}
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** A group of checkboxes (or radios) in a fieldset with its legend. */
export function Choices(p: {
  ctx: ViewContext;
  name: string;
  legend: string;
  options: Option[];
  values: readonly string[];
  errors?: Errors;
  type?: 'checkbox' | 'radio';
  hint?: string;
}) {
  const err = p.errors?.[p.name];
  const id = `f-${p.name}`;
  return (
    <fieldset class={`field choices${err ? ' field-error' : ''}`} aria-describedby={err ? `${id}-error` : undefined}>
      <legend>{p.legend}</legend>
      {p.hint ? <p class="hint">{p.hint}</p> : null}
      {err ? (
        <p class="error-text" id={`${id}-error`}>
          {p.ctx.t(err)}
        </p>
      ) : null}
      {p.options.map((o, i) => (
        <div class="choice">
          <input type={p.type ?? 'checkbox'} id={`${id}-${i}`} name={p.name} value={o.value} checked={p.values.includes(o.value)} />
          <label for={`${id}-${i}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** Summary of a form's errors at its top, linked to the fields (RGAA 11.10). */
export function ErrorSummary({ ctx, errors, labels }: { ctx: ViewContext; errors?: Errors; labels?: Record<string, string> }) {
  const entries = Object.entries(errors ?? {}).filter(([, v]) => v);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1}>
      <p>{ctx.t('common.form_errors')}</p>
      <ul>
        {entries.map(([k, v]) => (
          <li>
            {k === '_form' ? (
              ctx.t(v!)
            ) : (
              <a href={`#f-${k}`}>
                {labels?.[k] ? `${labels[k]} : ` : ''}
                {ctx.t(v!)}
              </a>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  /** numeric columns are right-aligned */
  numeric?: boolean;
  /** header of the row (first column usually) */
  rowHeader?: boolean;
}

export function Table<T>({ caption, columns, rows, empty, ctx }: { ctx: ViewContext; caption: string; columns: Column<T>[]; rows: T[]; empty?: string }) {
  if (rows.length === 0) return <p class="empty">{empty ?? ctx.t('common.no_results')}</p>;
  return (
    <div class="table-wrap" tabindex={0} role="region" aria-label={caption}>
      <table class="table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.numeric ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th scope="row">{c.cell(r)}</th>
                ) : (
                  <td class={c.numeric ? 'num' : undefined} data-label={c.label}>
                    {c.cell(r)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Builds a URL with the current query and some parameters changed (undefined removes). */
export function withQuery(path: string, query: Record<string, string | string[] | undefined>, change: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k in change || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) if (one !== '') params.append(k, one);
  }
  for (const [k, v] of Object.entries(change)) if (v !== undefined && v !== '') params.set(k, v);
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

export function Pagination({ ctx, page, perPage, total, path, query }: { ctx: ViewContext; page: number; perPage: number; total: number; path: string; query: Record<string, string | string[] | undefined> }) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return <p class="results-count">{ctx.t('common.results', { count: total.toLocaleString(ctx.locale === 'fr' ? 'fr-FR' : 'en-GB') })}</p>;
  return (
    <nav class="pagination" aria-label={ctx.t('common.pagination')}>
      <p class="results-count">{ctx.t('common.results', { count: total.toLocaleString(ctx.locale === 'fr' ? 'fr-FR' : 'en-GB') })}</p>
      <ul>
        <li>{page > 1 ? <a href={withQuery(path, query, { page: String(page - 1) })} rel="prev">{ctx.t('common.previous')}</a> : <span aria-disabled="true">{ctx.t('common.previous')}</span>}</li>
        <li aria-current="page">{ctx.t('common.page_of', { page, pages })}</li>
        <li>{page < pages ? <a href={withQuery(path, query, { page: String(page + 1) })} rel="next">{ctx.t('common.next')}</a> : <span aria-disabled="true">{ctx.t('common.next')}</span>}</li>
      </ul>
    </nav>
  );
}

export interface FacetValue {
  value: string;
  label: string;
  count: number;
}

/** One facet: values with counts, each a link toggling the filter in the URL. */
export function Facet({ ctx, title, name, values, selected, path, query }: { ctx: ViewContext; title: string; name: string; values: FacetValue[]; selected: readonly string[]; path: string; query: Record<string, string | string[] | undefined> }) {
  if (values.length === 0) return null;
  return (
    <section class="facet" aria-label={title}>
      <h2 class="facet-title">{title}</h2>
      <ul>
        {values.map((v) => {
          const on = selected.includes(v.value);
          const nextValues = on ? selected.filter((s) => s !== v.value) : [...selected, v.value];
          const q = { ...query, [name]: nextValues, page: undefined };
          return (
            <li>
              <a href={withQuery(path, q, {})} aria-current={on ? 'true' : undefined} class={on ? 'facet-on' : undefined}>
                <span class="facet-label">{v.label}</span> <span class="facet-count">{formatNumber(v.count, ctx.locale)}</span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function Badge({ kind = 'neutral', children }: { kind?: 'neutral' | 'success' | 'warning' | 'danger' | 'info'; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}

export function ButtonLink({ href, children, variant = 'primary' }: { href: string; children: ComponentChildren; variant?: 'primary' | 'secondary' }) {
  return (
    <a class={`button button-${variant}`} href={href}>
      {children}
    </a>
  );
}

/** A titled section of a page (its h2 names the landmark). */
export function Section({ title, id, children }: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id} class="section">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function Actions({ children }: { children: ComponentChildren }) {
  return <div class="actions">{children}</div>;
}

/** Term/definition pairs (record identity blocks). */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => (
        <div>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A POST button (state-changing actions are never links). */
export function PostButton({ ctx, action, label, variant = 'secondary', confirm, fields = {} }: { ctx: ViewContext; action: string; label: string; variant?: 'primary' | 'secondary' | 'danger'; confirm?: string; fields?: Record<string, string | number> }) {
  return (
    <form method="post" action={action} class="inline-form" data-confirm={confirm}>
      <input type="hidden" name="_csrf" value={ctx.csrf} />
      {Object.entries(fields).map(([k, v]) => (
        <input type="hidden" name={k} value={String(v)} />
      ))}
      <button type="submit" class={`button button-${variant}`}>
        {label}
      </button>
    </form>
  );
}
