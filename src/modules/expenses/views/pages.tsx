// Expenses pages: my claims (and those to approve), one claim (lines, flags, decision, payment),
// the refund profile, accounting's checking list, spending requests (list, form with the
// registry's supplier search, one request), budget lines and dated rates. Phone first: the
// line form is one column with a camera-ready file input.
import type { ComponentChildren } from 'preact';
import { ApprovalHistory, ApprovalRoute, type RequestView } from '../../approvals/index.js';
import { formatDate, formatMoney } from '../../../platform/i18n/index.js';
import { Actions, Badge, ButtonLink, ErrorSummary, Facts, Field, Pagination, PostButton, Section, Select, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { ClaimView } from '../claims.service.js';
import { CATEGORIES, RATE_KINDS, type BudgetLine, type ClaimRow, type ClaimStatus, type ExpenseProfile, type ExpenseRate, type SpendingQuote, type SpendingStatus } from '../expenses.table.js';
import { parseScale, scaleLines } from '../rules.js';

const money = (ctx: ViewContext, cents: number) => formatMoney(cents, ctx.locale);
const CLAIM_BADGE: Record<ClaimStatus, 'neutral' | 'success' | 'warning' | 'danger' | 'info'> = { draft: 'neutral', submitted: 'info', changes_requested: 'warning', checked: 'info', paid: 'success', posted: 'success', refused: 'danger', withdrawn: 'neutral' };
const SPENDING_BADGE: Record<SpendingStatus, 'neutral' | 'success' | 'warning' | 'danger' | 'info'> = { pending: 'info', changes_requested: 'warning', approved: 'success', refused: 'danger', withdrawn: 'neutral' };
export const ClaimBadge = ({ ctx, status }: { ctx: ViewContext; status: ClaimStatus }) => <Badge kind={CLAIM_BADGE[status]}>{ctx.t(`expenses.status.${status}`)}</Badge>;
const SpendingBadge = ({ ctx, status }: { ctx: ViewContext; status: SpendingStatus }) => <Badge kind={SPENDING_BADGE[status]}>{ctx.t(`expenses.spending.status.${status}`)}</Badge>;

const crumbs = (ctx: ViewContext, extra: { label: string; href?: string }[] = []) => [{ label: ctx.t('app.home'), href: '/portail' }, ...extra];

function ClaimsTable({ ctx, rows, caption, person }: { ctx: ViewContext; rows: ClaimRow[]; caption: string; person?: boolean }) {
  return (
    <Table
      ctx={ctx}
      caption={caption}
      rows={rows}
      empty={ctx.t('expenses.none')}
      columns={[
        { label: ctx.t('expenses.col.title'), rowHeader: true, cell: (c) => <a href={`/notes-de-frais/${c.id}`}>{c.title}</a> },
        ...(person ? [{ label: ctx.t('expenses.col.person'), cell: (c: ClaimRow) => c.user_name }] : []),
        { label: ctx.t('expenses.col.status'), cell: (c) => <ClaimBadge ctx={ctx} status={c.status} /> },
        { label: ctx.t('expenses.col.claimed'), numeric: true, cell: (c) => money(ctx, c.claimed_cents) },
        { label: ctx.t('expenses.col.refund'), numeric: true, cell: (c) => money(ctx, c.refund_cents) },
        { label: ctx.t('expenses.col.updated'), cell: (c) => formatDate(c.updated_at, ctx.locale) },
      ]}
    />
  );
}

export function ClaimsPage(p: { ctx: ViewContext; mine: { items: ClaimRow[]; total: number }; page: number; toApprove: ClaimRow[]; hasProfile: boolean; values?: { title: string }; errors?: Errors }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('expenses.title')} crumbs={crumbs(ctx, [{ label: t('expenses.title') }])}>
      {!p.hasProfile ? (
        <p class="notice">
          {t('expenses.profile.none')} <a href="/notes-de-frais/profil">{t('expenses.profile')}</a>
        </p>
      ) : (
        <p>
          <a href="/notes-de-frais/profil">{t('expenses.profile')}</a>
        </p>
      )}
      <Section title={t('expenses.new_claim')} id="nouvelle">
        <form method="post" action="/notes-de-frais" class="form stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.errors} labels={{ title: t('expenses.claim_title') }} />
          <Field ctx={ctx} name="title" label={t('expenses.claim_title')} required maxlength={200} value={p.values?.title} errors={p.errors} />
          <button type="submit" class="button button-primary">
            {t('expenses.create')}
          </button>
        </form>
      </Section>
      {p.toApprove.length ? (
        <Section title={t('expenses.to_approve')} id="a-valider">
          <ClaimsTable ctx={ctx} rows={p.toApprove} caption={t('expenses.to_approve')} person />
        </Section>
      ) : null}
      <Section title={t('expenses.title')} id="mes-notes">
        <ClaimsTable ctx={ctx} rows={p.mine.items} caption={t('expenses.title')} />
        <Pagination ctx={ctx} page={p.page} perPage={25} total={p.mine.total} path="/notes-de-frais" query={{}} />
      </Section>
    </Page>
  );
}

export interface LineValues {
  spent_on?: string;
  category?: string;
  description?: string;
  supplier?: string;
  amount?: string;
  distance_km?: string;
  fiscal_cv?: string;
  electric?: boolean;
}

function LineForm({ ctx, claimId, values, errors }: { ctx: ViewContext; claimId: number; values?: LineValues; errors?: Errors }) {
  const t = ctx.t;
  const v = values ?? {};
  return (
    <form method="post" action={`/notes-de-frais/${claimId}/lignes?_csrf=${encodeURIComponent(ctx.csrf)}`} enctype="multipart/form-data" class="form stack expense-line-form" novalidate>
      <ErrorSummary
        ctx={ctx}
        errors={errors}
        labels={{ spent_on: t('expenses.line.date'), category: t('expenses.line.category'), amount: t('expenses.line.amount'), supplier: t('expenses.line.supplier'), distance_km: t('expenses.line.km'), fiscal_cv: t('expenses.line.cv'), receipt: t('expenses.line.receipt'), description: t('expenses.line.description') }}
      />
      <Field ctx={ctx} name="spent_on" type="date" label={t('expenses.line.date')} required value={v.spent_on} errors={errors} />
      <Select ctx={ctx} name="category" label={t('expenses.line.category')} required value={v.category} errors={errors} empty="—" options={CATEGORIES.map((c) => ({ value: c, label: t(`expenses.category.${c}`) }))} />
      <Field ctx={ctx} name="amount" label={t('expenses.line.amount')} inputmode="decimal" value={v.amount} errors={errors} maxlength={14} />
      <Field ctx={ctx} name="supplier" label={t('expenses.line.supplier')} value={v.supplier} errors={errors} maxlength={200} />
      <Field ctx={ctx} name="description" label={t('expenses.line.description')} value={v.description} errors={errors} maxlength={500} />
      <fieldset class="field-group">
        <legend>{t('expenses.category.mileage')}</legend>
        <Field ctx={ctx} name="distance_km" label={t('expenses.line.km')} inputmode="numeric" value={v.distance_km} errors={errors} maxlength={5} />
        <Field ctx={ctx} name="fiscal_cv" label={t('expenses.line.cv')} hint={t('expenses.line.cv_hint')} inputmode="numeric" value={v.fiscal_cv} errors={errors} maxlength={2} />
        <div class="choice">
          <input type="checkbox" id="f-electric" name="electric" value="1" checked={v.electric} />
          <label for="f-electric">{t('expenses.line.electric')}</label>
        </div>
      </fieldset>
      <Field ctx={ctx} name="receipt" type="file" label={t('expenses.line.receipt')} hint={t('expenses.line.receipt_hint')} accept="image/*,application/pdf" errors={errors} />
      <button type="submit" class="button button-primary">
        {t('expenses.add_line')}
      </button>
    </form>
  );
}

function RouteAndHistory({ ctx, approval }: { ctx: ViewContext; approval: RequestView | null }) {
  if (!approval) return null;
  return (
    <>
      <ApprovalRoute ctx={ctx} view={approval} title={ctx.t('expenses.route')} />
      <ApprovalHistory ctx={ctx} view={approval} title={ctx.t('expenses.history')} />
    </>
  );
}

function DecisionForm({ ctx, action, version, canSendBack, errors }: { ctx: ViewContext; action: string; version?: number; canSendBack: boolean; errors?: Errors }) {
  const t = ctx.t;
  return (
    <form method="post" action={action} class="form decision">
      <CsrfField ctx={ctx} />
      {version !== undefined ? <input type="hidden" name="version" value={String(version)} /> : null}
      <Field ctx={ctx} name="comment" label={t('expenses.decision.comment')} multiline rows={3} maxlength={2000} errors={errors} />
      <Actions>
        <button type="submit" name="decision" value="approve" class="button button-primary">
          {t('expenses.decision.approve')}
        </button>
        {canSendBack ? (
          <button type="submit" name="decision" value="send_back" class="button button-secondary">
            {t('expenses.decision.send_back')}
          </button>
        ) : null}
        <button type="submit" name="decision" value="refuse" class="button button-danger">
          {t('expenses.decision.refuse')}
        </button>
      </Actions>
    </form>
  );
}

export function ClaimPage(p: { ctx: ViewContext; view: ClaimView; values?: LineValues; errors?: Errors }) {
  const { ctx, view } = p;
  const t = ctx.t;
  const c = view.claim;
  return (
    <Page ctx={ctx} title={`${t('expenses.claim', { id: c.id })} — ${c.title}`} crumbs={crumbs(ctx, [{ label: t('expenses.title'), href: '/notes-de-frais' }, { label: t('expenses.claim', { id: c.id }) }])}>
      {/* The claim's own refusals (no line, a receipt or the IBAN missing) on top; the line form and the decision show theirs. */}
      <ErrorSummary ctx={ctx} errors={p.errors?._form || p.errors?.iban ? { _form: p.errors._form ?? p.errors.iban } : undefined} />
      {p.errors?.iban ? (
        <p>
          <a href="/notes-de-frais/profil">{t('expenses.profile')}</a>
        </p>
      ) : null}
      <Facts
        items={[
          [t('expenses.col.person'), c.user_name],
          [t('expenses.col.status'), <ClaimBadge ctx={ctx} status={c.status} />],
          [t('expenses.col.claimed'), money(ctx, c.claimed_cents)],
          [t('expenses.col.refund'), money(ctx, c.refund_cents)],
          ...(c.reason ? ([[t('expenses.reason'), c.reason]] as [string, ComponentChildren][]) : []),
          ...(c.entry_number ? ([[t('expenses.entry'), c.entry_number]] as [string, ComponentChildren][]) : []),
        ]}
      />
      <Section title={t('expenses.lines')} id="lignes">
        <Table
          ctx={ctx}
          caption={t('expenses.lines')}
          rows={view.lines}
          columns={[
            { label: t('expenses.col.date'), cell: (l) => formatDate(l.spent_on, ctx.locale) },
            { label: t('expenses.col.category'), cell: (l) => t(`expenses.category.${l.category}`) },
            {
              label: t('expenses.col.supplier'),
              cell: (l) =>
                l.category === 'mileage'
                  ? `${l.description} — ${t('expenses.line.mileage', { km: l.distance_km ?? 0, cv: l.fiscal_cv ?? '', electric: l.electric ? t('expenses.line.electric_short') : '', before: l.year_km_before ?? 0 })}`
                  : [l.supplier, l.description].filter(Boolean).join(' — '),
            },
            { label: t('expenses.col.amount'), numeric: true, cell: (l) => money(ctx, l.amount_cents) },
            { label: t('expenses.col.refund'), numeric: true, cell: (l) => money(ctx, l.refund_cents) },
            {
              label: t('expenses.col.checks'),
              cell: (l) => (
                <>
                  {l.capped ? <Badge kind="warning">{t('expenses.line.capped', { ceiling: money(ctx, l.ceiling_cents ?? 0) })}</Badge> : null}
                  {l.duplicates.map((d) => (
                    <p class="error-text">
                      {t(d.same_file ? 'expenses.dup.file' : 'expenses.dup.amount', { name: d.user_name, claim: d.claim_id })}
                    </p>
                  ))}
                </>
              ),
            },
            { label: t('expenses.col.receipt'), cell: (l) => (l.receipt_key ? <a href={`/notes-de-frais/${c.id}/justificatifs/${l.id}`}>{t('expenses.line.see_receipt')}</a> : t('expenses.line.no_receipt')) },
            ...(view.can.edit ? [{ label: t('expenses.line.remove'), cell: (l: ClaimView['lines'][number]) => <PostButton ctx={ctx} action={`/notes-de-frais/${c.id}/lignes/${l.id}/supprimer`} label={t('expenses.line.remove')} /> }] : []),
          ]}
        />
      </Section>
      {view.can.edit ? (
        <Section title={t('expenses.add_line')} id="ajouter">
          <LineForm ctx={ctx} claimId={c.id} values={p.values} errors={p.errors} />
        </Section>
      ) : null}
      <Actions>
        {view.can.submit ? <PostButton ctx={ctx} action={`/notes-de-frais/${c.id}/soumettre`} label={t('expenses.submit')} variant="primary" /> : null}
        {view.can.withdraw ? <PostButton ctx={ctx} action={`/notes-de-frais/${c.id}/retirer`} label={t('expenses.withdraw')} /> : null}
        {view.can.pay ? <PostButton ctx={ctx} action={`/notes-de-frais/${c.id}/payer`} label={t('expenses.pay')} variant="primary" /> : null}
        {view.can.post ? <PostButton ctx={ctx} action={`/notes-de-frais/${c.id}/comptabiliser`} label={t('expenses.post')} variant="primary" /> : null}
      </Actions>
      {view.can.decide ? (
        <Section title={t('expenses.decide')} id="decision">
          <DecisionForm ctx={ctx} action={`/notes-de-frais/${c.id}/decider`} canSendBack={view.can.sendBack} errors={p.errors} />
        </Section>
      ) : null}
      <RouteAndHistory ctx={ctx} approval={view.approval} />
    </Page>
  );
}

export function ProfilePage(p: { ctx: ViewContext; profile?: ExpenseProfile; values?: { iban: string; bic: string; vehicle_cv: string; vehicle_electric: boolean }; errors?: Errors }) {
  const { ctx } = p;
  const t = ctx.t;
  const v = p.values ?? { iban: '', bic: p.profile?.bic ?? '', vehicle_cv: p.profile?.vehicle_cv ? String(p.profile.vehicle_cv) : '', vehicle_electric: Boolean(p.profile?.vehicle_electric) };
  return (
    <Page ctx={ctx} title={t('expenses.profile')} crumbs={crumbs(ctx, [{ label: t('expenses.title'), href: '/notes-de-frais' }, { label: t('expenses.profile') }])}>
      <p>{t('expenses.profile.intro')}</p>
      {p.profile ? <p>{t('expenses.profile.current', { iban: `${p.profile.iban.slice(0, 4)} … ${p.profile.iban.slice(-4)}` })}</p> : null}
      <form method="post" action="/notes-de-frais/profil" class="form stack" novalidate>
        <CsrfField ctx={ctx} />
        <ErrorSummary ctx={ctx} errors={p.errors} labels={{ iban: t('expenses.profile.iban'), bic: t('expenses.profile.bic'), vehicle_cv: t('expenses.profile.cv') }} />
        <Field ctx={ctx} name="iban" label={t('expenses.profile.iban')} required autocomplete="off" maxlength={42} value={v.iban} errors={p.errors} />
        <Field ctx={ctx} name="bic" label={t('expenses.profile.bic')} maxlength={11} value={v.bic} errors={p.errors} />
        <Field ctx={ctx} name="vehicle_cv" label={t('expenses.profile.cv')} inputmode="numeric" maxlength={2} value={v.vehicle_cv} errors={p.errors} />
        <div class="choice">
          <input type="checkbox" id="f-vehicle_electric" name="vehicle_electric" value="1" checked={v.vehicle_electric} />
          <label for="f-vehicle_electric">{t('expenses.profile.electric')}</label>
        </div>
        <button type="submit" class="button button-primary">
          {t('expenses.profile.save')}
        </button>
      </form>
    </Page>
  );
}

export function CheckPage(p: { ctx: ViewContext; toCheck: ClaimRow[]; toPay: ClaimRow[]; toPost: ClaimRow[] }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('expenses.check.title')} crumbs={crumbs(ctx, [{ label: t('expenses.check.title') }])}>
      <Section title={t('expenses.check.to_check')} id="a-controler">
        <ClaimsTable ctx={ctx} rows={p.toCheck} caption={t('expenses.check.to_check')} person />
      </Section>
      <Section title={t('expenses.check.to_pay')} id="a-payer">
        <ClaimsTable ctx={ctx} rows={p.toPay} caption={t('expenses.check.to_pay')} person />
      </Section>
      <Section title={t('expenses.check.to_post')} id="a-comptabiliser">
        <ClaimsTable ctx={ctx} rows={p.toPost} caption={t('expenses.check.to_post')} person />
      </Section>
    </Page>
  );
}

// ——— spending requests

export type SpendingListRow = { id: number; title: string; user_name: string; amount_cents: number; budget_code: string; supplier_name: string; status: SpendingStatus; updated_at: string };

function SpendingTable({ ctx, rows, caption, person }: { ctx: ViewContext; rows: SpendingListRow[]; caption: string; person?: boolean }) {
  const t = ctx.t;
  return (
    <Table
      ctx={ctx}
      caption={caption}
      rows={rows}
      empty={t('expenses.spending.none')}
      columns={[
        { label: t('expenses.col.title'), rowHeader: true, cell: (s) => <a href={`/depenses/${s.id}`}>{s.title}</a> },
        ...(person ? [{ label: t('expenses.col.person'), cell: (s: SpendingListRow) => s.user_name }] : []),
        { label: t('expenses.spending.budget_line'), cell: (s) => s.budget_code },
        { label: t('expenses.col.supplier'), cell: (s) => s.supplier_name },
        { label: t('expenses.col.amount'), numeric: true, cell: (s) => money(ctx, s.amount_cents) },
        { label: t('expenses.col.status'), cell: (s) => <SpendingBadge ctx={ctx} status={s.status} /> },
      ]}
    />
  );
}

export function SpendingListPage(p: { ctx: ViewContext; mine: { items: SpendingListRow[]; total: number }; page: number; toApprove: SpendingListRow[] }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('expenses.spending.title')} crumbs={crumbs(ctx, [{ label: t('expenses.spending.title') }])}>
      <Actions>
        <ButtonLink href="/depenses/nouvelle">{t('expenses.spending.new')}</ButtonLink>
      </Actions>
      {p.toApprove.length ? (
        <Section title={t('expenses.spending.to_approve')} id="a-valider">
          <SpendingTable ctx={ctx} rows={p.toApprove} caption={t('expenses.spending.to_approve')} person />
        </Section>
      ) : null}
      <Section title={t('expenses.spending.mine')} id="mes-demandes">
        <SpendingTable ctx={ctx} rows={p.mine.items} caption={t('expenses.spending.mine')} />
        <Pagination ctx={ctx} page={p.page} perPage={25} total={p.mine.total} path="/depenses" query={{}} />
      </Section>
    </Page>
  );
}

export interface SpendingValues {
  title: string;
  amount: string;
  budget_line_id: string;
  supplier_q: string;
  supplier_company_id: string;
  supplier_name: string;
  justification: string;
}
export type SupplierHit = { id: number; name: string; detail: string };

/** The registry's companies matching the search, as radio buttons (the form's fragment for htmx too). */
export function SupplierChoices({ ctx, hits, selected, searched }: { ctx: ViewContext; hits: SupplierHit[]; selected?: string; searched: boolean }) {
  const t = ctx.t;
  return (
    <div id="supplier-choices" aria-live="polite">
      {searched && hits.length === 0 ? <p class="muted">{t('expenses.spending.no_results')}</p> : null}
      {hits.length ? (
        <fieldset class="field choices">
          <legend>{t('expenses.spending.supplier_pick')}</legend>
          <div class="choice">
            <input type="radio" id="f-supplier-none" name="supplier_company_id" value="" checked={!selected} />
            <label for="f-supplier-none">{t('expenses.spending.supplier_none')}</label>
          </div>
          {hits.map((h) => (
            <div class="choice">
              <input type="radio" id={`f-supplier-${h.id}`} name="supplier_company_id" value={String(h.id)} checked={selected === String(h.id)} />
              <label for={`f-supplier-${h.id}`}>
                {h.name} <span class="muted">{h.detail}</span>
              </label>
            </div>
          ))}
        </fieldset>
      ) : selected ? (
        <input type="hidden" name="supplier_company_id" value={selected} />
      ) : null}
    </div>
  );
}

function SpendingFields({ ctx, values, errors, lines, hits, searched }: { ctx: ViewContext; values: SpendingValues; errors?: Errors; lines: BudgetLine[]; hits: SupplierHit[]; searched: boolean }) {
  const t = ctx.t;
  return (
    <>
      <ErrorSummary
        ctx={ctx}
        errors={errors}
        labels={{ title: t('expenses.spending.what'), amount: t('expenses.spending.amount'), budget_line_id: t('expenses.spending.budget_line'), supplier_name: t('expenses.spending.supplier_name'), supplier_company_id: t('expenses.spending.supplier_pick'), justification: t('expenses.spending.justification'), quotes: t('expenses.spending.quotes') }}
      />
      <Field ctx={ctx} name="title" label={t('expenses.spending.what')} required maxlength={200} value={values.title} errors={errors} />
      <Field ctx={ctx} name="amount" label={t('expenses.spending.amount')} hint={t('expenses.spending.amount_hint', { threshold: money(ctx, 150_000) })} required inputmode="decimal" maxlength={16} value={values.amount} errors={errors} />
      <Select ctx={ctx} name="budget_line_id" label={t('expenses.spending.budget_line')} required empty="—" value={values.budget_line_id} errors={errors} options={lines.map((l) => ({ value: String(l.id), label: `${l.code} — ${l.label}` }))} />
      <fieldset class="field-group">
        <legend>{t('expenses.col.supplier')}</legend>
        <div class="search-row">
          <Field ctx={ctx} name="supplier_q" type="search" label={t('expenses.spending.supplier_search')} value={values.supplier_q} maxlength={100} />
          <button type="submit" name="step" value="search" class="button button-secondary" hx-get="/depenses/fournisseurs" hx-include="[name=supplier_q]" hx-target="#supplier-choices" hx-swap="outerHTML">
            {t('expenses.spending.search')}
          </button>
        </div>
        <SupplierChoices ctx={ctx} hits={hits} selected={values.supplier_company_id} searched={searched} />
        <Field ctx={ctx} name="supplier_name" label={t('expenses.spending.supplier_name')} maxlength={200} value={values.supplier_name} errors={errors} />
      </fieldset>
      <Field ctx={ctx} name="justification" label={t('expenses.spending.justification')} required multiline rows={4} maxlength={4000} value={values.justification} errors={errors} />
    </>
  );
}

/** Several files at once (the platform's Field has no `multiple`): same label, hint and error wiring. */
function QuotesField({ ctx, errors }: { ctx: ViewContext; errors?: Errors }) {
  const err = errors?.quotes;
  return (
    <div class={`field${err ? ' field-error' : ''}`}>
      <label for="f-quotes">{ctx.t('expenses.spending.quotes')}</label>
      {err ? (
        <p class="error-text" id="f-quotes-error">
          {ctx.t(err)}
        </p>
      ) : null}
      <input type="file" id="f-quotes" name="quotes" multiple accept="image/*,application/pdf" aria-invalid={err ? 'true' : undefined} aria-describedby={err ? 'f-quotes-error' : undefined} />
    </div>
  );
}

export function SpendingFormPage(p: { ctx: ViewContext; values: SpendingValues; errors?: Errors; lines: BudgetLine[]; hits: SupplierHit[]; searched: boolean }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('expenses.spending.new')} crumbs={crumbs(ctx, [{ label: t('expenses.spending.title'), href: '/depenses' }, { label: t('expenses.spending.new') }])}>
      <form method="post" action={`/depenses?_csrf=${encodeURIComponent(ctx.csrf)}`} enctype="multipart/form-data" class="form stack" novalidate>
        <SpendingFields ctx={ctx} values={p.values} errors={p.errors} lines={p.lines} hits={p.hits} searched={p.searched} />
        <QuotesField ctx={ctx} errors={p.errors} />
        <button type="submit" name="step" value="send" class="button button-primary">
          {t('expenses.spending.send')}
        </button>
      </form>
    </Page>
  );
}

export function SpendingPage(p: {
  ctx: ViewContext;
  view: { row: SpendingListRow & { justification: string; reason: string | null; supplier_company_id: number | null; budget_label: string; budget_line_id: number; amount_cents: number }; quotes: SpendingQuote[]; approval: RequestView | null; can: { decide: boolean; sendBack: boolean; withdraw: boolean; resubmit: boolean } };
  lines: BudgetLine[];
  values?: SpendingValues;
  errors?: Errors;
}) {
  const { ctx, view } = p;
  const t = ctx.t;
  const r = view.row;
  const values: SpendingValues = p.values ?? { title: r.title, amount: (r.amount_cents / 100).toFixed(2).replace('.', ','), budget_line_id: String(r.budget_line_id), supplier_q: '', supplier_company_id: r.supplier_company_id ? String(r.supplier_company_id) : '', supplier_name: r.supplier_company_id ? '' : r.supplier_name, justification: r.justification };
  return (
    <Page ctx={ctx} title={`${t('expenses.spending.one', { id: r.id })} — ${r.title}`} crumbs={crumbs(ctx, [{ label: t('expenses.spending.title'), href: '/depenses' }, { label: t('expenses.spending.one', { id: r.id }) }])}>
      {!view.can.resubmit ? <ErrorSummary ctx={ctx} errors={p.errors} /> : null}
      <Facts
        items={[
          [t('expenses.col.person'), r.user_name],
          [t('expenses.col.status'), <SpendingBadge ctx={ctx} status={r.status} />],
          [t('expenses.col.amount'), money(ctx, r.amount_cents)],
          [t('expenses.spending.budget_line'), `${r.budget_code} — ${r.budget_label}`],
          [t('expenses.col.supplier'), r.supplier_company_id ? `${r.supplier_name} (${t('expenses.spending.registry')})` : r.supplier_name],
          [t('expenses.spending.justification'), r.justification],
          ...(r.reason ? ([[t('expenses.reason'), r.reason]] as [string, ComponentChildren][]) : []),
        ]}
      />
      {view.quotes.length ? (
        <ul class="link-list">
          {view.quotes.map((q) => (
            <li>
              <a href={`/depenses/${r.id}/devis/${q.id}`}>{q.name}</a>
            </li>
          ))}
        </ul>
      ) : null}
      <Actions>{view.can.withdraw ? <PostButton ctx={ctx} action={`/depenses/${r.id}/retirer`} label={t('expenses.withdraw')} /> : null}</Actions>
      {view.can.decide ? (
        <Section title={t('expenses.decide')} id="decision">
          <DecisionForm ctx={ctx} action={`/depenses/${r.id}/decider`} canSendBack={view.can.sendBack} errors={p.errors} />
        </Section>
      ) : null}
      {view.can.resubmit ? (
        <Section title={t('expenses.spending.resubmit')} id="corriger">
          <form method="post" action={`/depenses/${r.id}/renvoyer`} class="form stack" novalidate>
            <CsrfField ctx={ctx} />
            <SpendingFields ctx={ctx} values={values} errors={p.errors} lines={p.lines} hits={[]} searched={false} />
            <button type="submit" class="button button-primary">
              {t('expenses.spending.resubmit')}
            </button>
          </form>
        </Section>
      ) : null}
      <RouteAndHistory ctx={ctx} approval={view.approval} />
    </Page>
  );
}

// ——— configuration

export function BudgetPage(p: { ctx: ViewContext; lines: BudgetLine[]; values?: { code: string; label: string; budget: string }; errors?: Errors }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('expenses.budget.title')} crumbs={crumbs(ctx, [{ label: t('expenses.spending.title'), href: '/depenses' }, { label: t('expenses.budget.title') }])}>
      <Table
        ctx={ctx}
        caption={t('expenses.budget.title')}
        rows={p.lines}
        columns={[
          { label: t('expenses.budget.code'), rowHeader: true, cell: (l) => l.code },
          { label: t('expenses.budget.label'), cell: (l) => l.label },
          { label: t('expenses.budget.amount'), numeric: true, cell: (l) => (l.budget_cents === null ? '—' : money(ctx, l.budget_cents)) },
          { label: t('expenses.col.status'), cell: (l) => (l.active ? t('expenses.budget.active') : t('expenses.budget.inactive')) },
          { label: '', cell: (l) => <PostButton ctx={ctx} action={`/depenses/lignes-budgetaires/${l.id}`} label={t(l.active ? 'expenses.budget.deactivate' : 'expenses.budget.activate')} fields={{ active: l.active ? '0' : '1' }} /> },
        ]}
      />
      <Section title={t('expenses.budget.add')} id="ajouter">
        <form method="post" action="/depenses/lignes-budgetaires" class="form stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.errors} labels={{ code: t('expenses.budget.code'), label: t('expenses.budget.label'), budget: t('expenses.budget.amount') }} />
          <Field ctx={ctx} name="code" label={t('expenses.budget.code')} required maxlength={20} value={p.values?.code} errors={p.errors} />
          <Field ctx={ctx} name="label" label={t('expenses.budget.label')} required maxlength={200} value={p.values?.label} errors={p.errors} />
          <Field ctx={ctx} name="budget" label={t('expenses.budget.amount')} inputmode="decimal" maxlength={16} value={p.values?.budget} errors={p.errors} />
          <button type="submit" class="button button-primary">
            {t('expenses.budget.add')}
          </button>
        </form>
      </Section>
    </Page>
  );
}

export function RatesPage(p: { ctx: ViewContext; rates: ExpenseRate[]; values?: { kind: string; valid_from: string; amount: string; scale: string; bonus: string; note: string }; errors?: Errors }) {
  const { ctx } = p;
  const t = ctx.t;
  const latestScale = parseScale(p.rates.find((r) => r.kind === 'mileage')?.scale ?? null);
  const v = p.values ?? { kind: '', valid_from: '', amount: '', scale: latestScale ? scaleLines(latestScale) : '', bonus: String(latestScale?.electricBonusPct ?? 20), note: '' };
  return (
    <Page ctx={ctx} title={t('expenses.rates.title')} crumbs={crumbs(ctx, [{ label: t('expenses.title'), href: '/notes-de-frais' }, { label: t('expenses.rates.title') }])}>
      <p>{t('expenses.rates.intro')}</p>
      <Table
        ctx={ctx}
        caption={t('expenses.rates.title')}
        rows={p.rates}
        columns={[
          { label: t('expenses.rates.kind'), rowHeader: true, cell: (r) => t(`expenses.rates.kind.${r.kind}`) },
          { label: t('expenses.rates.valid_from'), cell: (r) => formatDate(r.valid_from, ctx.locale) },
          {
            label: t('expenses.rates.value'),
            cell: (r) => {
              if (r.amount_cents !== null) return money(ctx, r.amount_cents);
              const s = parseScale(r.scale);
              return s ? <pre class="scale">{scaleLines(s)}</pre> : '—';
            },
          },
          { label: t('expenses.rates.note'), cell: (r) => r.note },
        ]}
      />
      <Section title={t('expenses.rates.add')} id="ajouter">
        <form method="post" action="/notes-de-frais/baremes" class="form stack" novalidate>
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.errors} labels={{ kind: t('expenses.rates.kind'), valid_from: t('expenses.rates.valid_from'), amount: t('expenses.rates.amount'), scale: t('expenses.rates.kind.mileage'), bonus: t('expenses.rates.bonus') }} />
          <Select ctx={ctx} name="kind" label={t('expenses.rates.kind')} required empty="—" value={v.kind} errors={p.errors} options={RATE_KINDS.map((k) => ({ value: k, label: t(`expenses.rates.kind.${k}`) }))} />
          <Field ctx={ctx} name="valid_from" type="date" label={t('expenses.rates.valid_from')} required value={v.valid_from} errors={p.errors} />
          <Field ctx={ctx} name="amount" label={t('expenses.rates.amount')} inputmode="decimal" maxlength={12} value={v.amount} errors={p.errors} />
          <Field ctx={ctx} name="scale" label={t('expenses.rates.scale')} multiline rows={6} maxlength={2000} value={v.scale} errors={p.errors} />
          <Field ctx={ctx} name="bonus" label={t('expenses.rates.bonus')} inputmode="numeric" maxlength={3} value={v.bonus} errors={p.errors} />
          <Field ctx={ctx} name="note" label={t('expenses.rates.note')} maxlength={300} value={v.note} />
          <button type="submit" class="button button-primary">
            {t('expenses.rates.add')}
          </button>
        </form>
      </Section>
    </Page>
  );
}
