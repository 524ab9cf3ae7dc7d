// Accounting pages: entries by journal (filters, pages), one entry (lines, reversal), the manual
// OD entry form, the trial balance, an account's general ledger, payment orders and SEPA
// batches, the FEC export and the period closing. Pure components: props in, JSX out.
import { formatDate, formatDateTime, formatMoney, type Locale } from '../../../platform/i18n/index.js';
import { Badge, ErrorSummary, Facts, Field, Pagination, PostButton, Select, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { Account, BalanceRow, BatchSummary, Entry, EntryListRow, Journal, LedgerRow, Line, PaymentBatch, PaymentOrder } from '../accounting.table.js';
import type { Debtor } from '../sepa.js';
import { isIsoDate } from '../dates.js';

const money = (cents: number, l: Locale) => formatMoney(Number(cents), l);
/** A date as typed may be anything: shown as typed when it is not a calendar date. */
const day = (iso: string, l: Locale) => (isIsoDate(iso) ? formatDate(iso, l) : iso);
const amount = (cents: number, l: Locale) => (Number(cents) ? money(cents, l) : '');
const journalName = (ctx: ViewContext, j: Journal) => (ctx.locale === 'en' ? j.label_en : j.label_fr);

const SECTIONS = [
  ['/comptabilite', 'accounting.nav.entries'],
  ['/comptabilite/balance', 'accounting.nav.balance'],
  ['/comptabilite/grand-livre', 'accounting.nav.ledger'],
  ['/comptabilite/virements', 'accounting.nav.payments'],
  ['/comptabilite/fec', 'accounting.nav.fec'],
] as const;

function SubNav({ ctx, current }: { ctx: ViewContext; current: string }) {
  return (
    <nav class="acc-subnav" aria-label={ctx.t('accounting.subnav')}>
      <ul>
        {SECTIONS.map(([href, label]) => (
          <li>
            <a href={href} aria-current={href === current ? 'page' : undefined}>
              {ctx.t(label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Shell(p: { ctx: ViewContext; title: string; current: string; crumbs?: { label: string; href?: string }[]; children: preact.ComponentChildren }) {
  const t = p.ctx.t;
  return (
    <Page ctx={p.ctx} title={p.title} crumbs={[{ label: t('app.home'), href: '/portail' }, { label: t('accounting.title'), href: '/comptabilite' }, ...(p.crumbs ?? [{ label: p.title }])]}>
      <SubNav ctx={p.ctx} current={p.current} />
      {p.children}
    </Page>
  );
}

export interface EntriesQuery {
  journal: string;
  from: string;
  to: string;
  account: string;
  source: string;
}

export function EntriesPage(p: { ctx: ViewContext; journals: Journal[]; sources: string[]; query: EntriesQuery; errors?: Errors; rows: EntryListRow[]; total: number; page: number; perPage: number; canManage: boolean; closedThrough: string | null }) {
  const { ctx } = p;
  const t = ctx.t;
  const q = p.query;
  return (
    <Shell ctx={ctx} title={t('accounting.entries.title')} current="/comptabilite" crumbs={[{ label: t('accounting.entries.title') }]}>
      <p class="muted">
        {p.closedThrough ? t('accounting.closed_through', { date: formatDate(p.closedThrough, ctx.locale) }) : t('accounting.not_closed')}
        {p.canManage ? (
          <>
            {' '}
            <a href="/comptabilite/od/nouvelle" class="button button-primary">
              {t('accounting.od.new')}
            </a>
          </>
        ) : null}
      </p>
      <form method="get" action="/comptabilite" class="toolbar" aria-label={t('accounting.filters')}>
        <Select ctx={ctx} name="journal" label={t('accounting.journal')} value={q.journal} empty={t('common.all')} options={p.journals.map((j) => ({ value: j.code, label: `${j.code} — ${journalName(ctx, j)}` }))} />
        <Field ctx={ctx} name="from" type="date" label={t('accounting.from')} value={q.from} errors={p.errors} />
        <Field ctx={ctx} name="to" type="date" label={t('accounting.to')} value={q.to} errors={p.errors} />
        <Field ctx={ctx} name="account" label={t('accounting.account')} value={q.account} errors={p.errors} inputmode="numeric" maxlength={20} hint={t('accounting.account_prefix_hint')} />
        <Select ctx={ctx} name="source" label={t('accounting.source')} value={q.source} empty={t('common.all')} options={p.sources.map((s) => ({ value: s, label: s }))} />
        <button type="submit" class="button button-secondary">
          {t('common.filter')}
        </button>
      </form>
      <Table
        ctx={ctx}
        caption={t('accounting.entries.title')}
        rows={p.rows}
        empty={t('accounting.entries.none')}
        columns={[
          { label: t('accounting.number'), rowHeader: true, cell: (r) => <a href={`/comptabilite/ecritures/${r.id}`}>{r.number}</a> },
          { label: t('accounting.date'), cell: (r) => formatDate(r.entry_date, ctx.locale) },
          { label: t('accounting.journal'), cell: (r) => r.journal_code },
          { label: t('accounting.label'), cell: (r) => (r.reverses_id ? <>{r.label} <Badge kind="warning">{t('accounting.reversal')}</Badge></> : r.label) },
          { label: t('accounting.piece'), cell: (r) => r.piece_ref },
          { label: t('accounting.source'), cell: (r) => `${r.source_module} ${r.source_id}` },
          { label: t('accounting.amount'), numeric: true, cell: (r) => money(r.total_cents, ctx.locale) },
        ]}
      />
      <Pagination ctx={ctx} page={p.page} perPage={p.perPage} total={p.total} path="/comptabilite" query={{ ...q }} />
    </Shell>
  );
}

export function EntryPage(p: { ctx: ViewContext; entry: Entry; lines: Line[]; reversal?: Entry; reverses?: Entry; journal?: Journal; canManage: boolean; today: string; errors?: Errors; date?: string }) {
  const { ctx, entry } = p;
  const t = ctx.t;
  const debit = p.lines.reduce((s, l) => s + Number(l.debit_cents), 0);
  const credit = p.lines.reduce((s, l) => s + Number(l.credit_cents), 0);
  return (
    <Shell ctx={ctx} title={t('accounting.entry.title', { number: entry.number })} current="/comptabilite">
      <Facts
        items={[
          [t('accounting.journal'), p.journal ? `${entry.journal_code} — ${journalName(ctx, p.journal)}` : entry.journal_code],
          [t('accounting.date'), formatDate(entry.entry_date, ctx.locale)],
          [t('accounting.label'), entry.label],
          [t('accounting.piece'), `${entry.piece_ref} (${formatDate(entry.piece_date, ctx.locale)})`],
          [t('accounting.source'), `${entry.source_module} ${entry.source_id}`],
          [t('accounting.posted_at'), formatDateTime(entry.created_at, ctx.locale)],
          ...(p.reverses ? [[t('accounting.reverses'), <a href={`/comptabilite/ecritures/${p.reverses.id}`}>{p.reverses.number}</a>] as [string, preact.ComponentChildren]] : []),
          ...(p.reversal ? [[t('accounting.reversed_by'), <a href={`/comptabilite/ecritures/${p.reversal.id}`}>{p.reversal.number}</a>] as [string, preact.ComponentChildren]] : []),
        ]}
      />
      <h2>{t('accounting.lines')}</h2>
      <Table
        ctx={ctx}
        caption={t('accounting.lines')}
        rows={p.lines}
        columns={[
          { label: t('accounting.account'), rowHeader: true, cell: (l) => <a href={`/comptabilite/grand-livre?account=${encodeURIComponent(l.account)}`}>{l.account}</a> },
          { label: t('accounting.account_label'), cell: (l) => l.account_label },
          { label: t('accounting.aux'), cell: (l) => (l.aux_account ? `${l.aux_account}${l.aux_label ? ` ${l.aux_label}` : ''}` : '') },
          { label: t('accounting.label'), cell: (l) => l.label ?? '' },
          { label: t('accounting.debit'), numeric: true, cell: (l) => amount(l.debit_cents, ctx.locale) },
          { label: t('accounting.credit'), numeric: true, cell: (l) => amount(l.credit_cents, ctx.locale) },
        ]}
      />
      <p>
        {t('accounting.totals', { debit: money(debit, ctx.locale), credit: money(credit, ctx.locale) })}
      </p>
      {p.canManage && !p.reversal && !entry.reverses_id ? (
        <section aria-labelledby="acc-reverse">
          <h2 id="acc-reverse">{t('accounting.reverse')}</h2>
          <p class="muted">{t('accounting.reverse_help')}</p>
          <form method="post" action={`/comptabilite/ecritures/${entry.id}/extourner`} class="stack" novalidate data-confirm={t('accounting.reverse_confirm')}>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.errors} />
            <Field ctx={ctx} name="date" type="date" label={t('accounting.reverse_date')} required value={p.date ?? p.today} errors={p.errors} />
            <div class="actions">
              <button type="submit" class="button button-danger">
                {t('accounting.reverse')}
              </button>
            </div>
          </form>
        </section>
      ) : null}
    </Shell>
  );
}

export interface ManualValues {
  date: string;
  label: string;
  pieceRef: string;
  lines: { account: string; label: string; debit: string; credit: string }[];
}

export function ManualEntryPage(p: { ctx: ViewContext; accounts: Account[]; values: ManualValues; errors?: Errors }) {
  const { ctx, values } = p;
  const t = ctx.t;
  return (
    <Shell ctx={ctx} title={t('accounting.od.new')} current="/comptabilite" crumbs={[{ label: t('accounting.od.new') }]}>
      <p class="muted">{t('accounting.od.help')}</p>
      <form method="post" action="/comptabilite/od" class="stack stack-wide" novalidate>
        <CsrfField ctx={ctx} />
        <ErrorSummary ctx={ctx} errors={p.errors} />
        <div class="form-grid">
          <Field ctx={ctx} name="date" type="date" label={t('accounting.date')} required value={values.date} errors={p.errors} />
          <Field ctx={ctx} name="pieceRef" label={t('accounting.piece')} required maxlength={60} value={values.pieceRef} errors={p.errors} />
        </div>
        <Field ctx={ctx} name="label" label={t('accounting.label')} required maxlength={200} value={values.label} errors={p.errors} />
        <datalist id="acc-accounts">
          {p.accounts.map((a) => (
            <option value={a.number}>{`${a.number} ${a.label}`}</option>
          ))}
        </datalist>
        <fieldset class="acc-lines" id="f-lines" tabindex={-1}>
          <legend>{t('accounting.lines')}</legend>
          {p.errors?.lines ? <p class="error-text">{t(p.errors.lines)}</p> : null}
          {values.lines.map((l, i) => (
            <div class="acc-line" role="group" aria-label={t('accounting.line_n', { n: i + 1 })}>
              <div class="field">
                <label for={`f-account_${i}`}>{t('accounting.line_account', { n: i + 1 })}</label>
                <input id={`f-account_${i}`} name={`account_${i}`} list="acc-accounts" inputmode="numeric" maxlength={20} value={l.account} aria-invalid={p.errors?.[`account_${i}`] ? 'true' : undefined} aria-describedby={p.errors?.[`account_${i}`] ? `f-account_${i}-error` : undefined} />
                {p.errors?.[`account_${i}`] ? <p class="error-text" id={`f-account_${i}-error`}>{t(p.errors[`account_${i}`]!)}</p> : null}
              </div>
              <Field ctx={ctx} name={`line_label_${i}`} label={t('accounting.line_label', { n: i + 1 })} maxlength={200} value={l.label} errors={p.errors} />
              <Field ctx={ctx} name={`debit_${i}`} label={t('accounting.line_debit', { n: i + 1 })} inputmode="decimal" maxlength={16} value={l.debit} errors={p.errors} />
              <Field ctx={ctx} name={`credit_${i}`} label={t('accounting.line_credit', { n: i + 1 })} inputmode="decimal" maxlength={16} value={l.credit} errors={p.errors} />
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit" class="button button-primary">
            {t('accounting.od.post')}
          </button>
          <a href="/comptabilite" class="button button-secondary">
            {t('common.cancel')}
          </a>
        </div>
      </form>
    </Shell>
  );
}

function PeriodForm(p: { ctx: ViewContext; action: string; from: string; to: string; errors?: Errors; extra?: preact.ComponentChildren; submit: string }) {
  const t = p.ctx.t;
  return (
    <form method="get" action={p.action} class="toolbar">
      {p.extra}
      <Field ctx={p.ctx} name="from" type="date" label={t('accounting.from')} required value={p.from} errors={p.errors} />
      <Field ctx={p.ctx} name="to" type="date" label={t('accounting.to')} required value={p.to} errors={p.errors} />
      <button type="submit" class="button button-secondary">
        {p.submit}
      </button>
    </form>
  );
}

export function TrialBalancePage(p: { ctx: ViewContext; from: string; to: string; errors?: Errors; rows: BalanceRow[] }) {
  const { ctx } = p;
  const t = ctx.t;
  const debit = p.rows.reduce((s, r) => s + r.debit, 0);
  const credit = p.rows.reduce((s, r) => s + r.credit, 0);
  const balance = (r: BalanceRow) => r.debit - r.credit;
  return (
    <Shell ctx={ctx} title={t('accounting.balance.title')} current="/comptabilite/balance">
      <PeriodForm ctx={ctx} action="/comptabilite/balance" from={p.from} to={p.to} errors={p.errors} submit={t('accounting.show')} />
      <Table
        ctx={ctx}
        caption={t('accounting.balance.caption', { from: day(p.from, ctx.locale), to: day(p.to, ctx.locale) })}
        rows={p.rows}
        empty={t('accounting.entries.none')}
        columns={[
          { label: t('accounting.account'), rowHeader: true, cell: (r) => <a href={`/comptabilite/grand-livre?account=${encodeURIComponent(r.account)}&from=${p.from}&to=${p.to}`}>{r.account}</a> },
          { label: t('accounting.account_label'), cell: (r) => r.label },
          { label: t('accounting.debit'), numeric: true, cell: (r) => money(r.debit, ctx.locale) },
          { label: t('accounting.credit'), numeric: true, cell: (r) => money(r.credit, ctx.locale) },
          { label: t('accounting.balance_debit'), numeric: true, cell: (r) => (balance(r) > 0 ? money(balance(r), ctx.locale) : '') },
          { label: t('accounting.balance_credit'), numeric: true, cell: (r) => (balance(r) < 0 ? money(-balance(r), ctx.locale) : '') },
        ]}
      />
      {p.rows.length ? (
        <p class="acc-total">
          <strong>{t('accounting.totals', { debit: money(debit, ctx.locale), credit: money(credit, ctx.locale) })}</strong>{' '}
          {debit === credit ? <Badge kind="success">{t('accounting.balanced')}</Badge> : <Badge kind="danger">{t('accounting.unbalanced_books')}</Badge>}
        </p>
      ) : null}
    </Shell>
  );
}

export function LedgerPage(p: { ctx: ViewContext; accounts: Account[]; account: string; from: string; to: string; errors?: Errors; opening: number; carried: number; rows: LedgerRow[]; total: number; page: number; perPage: number }) {
  const { ctx } = p;
  const t = ctx.t;
  let running = p.opening + p.carried;
  const withBalance = p.rows.map((r) => {
    running += Number(r.debit_cents) - Number(r.credit_cents);
    return { ...r, balance: running };
  });
  const signed = (c: number) => `${money(Math.abs(c), ctx.locale)} ${c >= 0 ? t('accounting.dr') : t('accounting.cr')}`;
  return (
    <Shell ctx={ctx} title={t('accounting.ledger.title')} current="/comptabilite/grand-livre">
      <PeriodForm
        ctx={ctx}
        action="/comptabilite/grand-livre"
        from={p.from}
        to={p.to}
        errors={p.errors}
        submit={t('accounting.show')}
        extra={<Select ctx={ctx} name="account" label={t('accounting.account')} required value={p.account} errors={p.errors} options={p.accounts.map((a) => ({ value: a.number, label: `${a.number} — ${a.label}` }))} />}
      />
      {p.account ? (
        <>
          <p>{t('accounting.ledger.opening', { date: day(p.from, ctx.locale), amount: signed(p.opening) })}</p>
          <Table
            ctx={ctx}
            caption={t('accounting.ledger.caption', { account: p.account })}
            rows={withBalance}
            empty={t('accounting.entries.none')}
            columns={[
              { label: t('accounting.date'), rowHeader: true, cell: (r) => formatDate(r.entry_date, ctx.locale) },
              { label: t('accounting.number'), cell: (r) => <a href={`/comptabilite/ecritures/${r.entry_id}`}>{r.number}</a> },
              { label: t('accounting.piece'), cell: (r) => r.piece_ref },
              { label: t('accounting.label'), cell: (r) => r.label },
              { label: t('accounting.aux'), cell: (r) => r.aux_account ?? '' },
              { label: t('accounting.debit'), numeric: true, cell: (r) => amount(r.debit_cents, ctx.locale) },
              { label: t('accounting.credit'), numeric: true, cell: (r) => amount(r.credit_cents, ctx.locale) },
              { label: t('accounting.running'), numeric: true, cell: (r) => signed(r.balance) },
            ]}
          />
          <Pagination ctx={ctx} page={p.page} perPage={p.perPage} total={p.total} path="/comptabilite/grand-livre" query={{ account: p.account, from: p.from, to: p.to }} />
        </>
      ) : null}
    </Shell>
  );
}

const statusBadge = (ctx: ViewContext, status: string) => <Badge kind={status === 'paid' || status === 'batched' ? 'success' : status === 'cancelled' ? 'neutral' : 'info'}>{ctx.t(`accounting.status.${status}`)}</Badge>;

export function PaymentsPage(p: {
  ctx: ViewContext;
  queued: (PaymentOrder & { ordered_by_name: string | null })[];
  batches: BatchSummary[];
  debtor?: Debtor;
  canManage: boolean;
  today: string;
  errors?: Errors;
  debtorValues?: { name: string; iban: string; bic: string };
  debtorErrors?: Errors;
  executionDate?: string;
}) {
  const { ctx } = p;
  const t = ctx.t;
  const me = ctx.actor.id;
  const dv = p.debtorValues ?? p.debtor;
  return (
    <Shell ctx={ctx} title={t('accounting.payments.title')} current="/comptabilite/virements">
      <section aria-labelledby="acc-queued">
        <h2 id="acc-queued">{t('accounting.payments.queued')}</h2>
        {p.canManage && p.queued.length ? (
          <form method="post" action="/comptabilite/virements/lots" class="stack stack-wide" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.errors} />
            <fieldset id="f-orderIds" tabindex={-1}>
              <legend>{t('accounting.payments.choose')}</legend>
              <ul class="acc-orders">
                {p.queued.map((o) => (
                  <li>
                    <input type="checkbox" name="orderIds" value={String(o.id)} id={`order-${o.id}`} checked={o.ordered_by !== me} disabled={o.ordered_by === me} />{' '}
                    <label for={`order-${o.id}`}>
                      {o.beneficiary_name} — <strong>{money(o.amount_cents, ctx.locale)}</strong> — {o.remittance}{' '}
                      <span class="muted">
                        ({o.account}
                        {o.aux_account ? ` ${o.aux_account}` : ''} · {o.source_module} {o.source_id} · {t('accounting.payments.ordered_by', { name: o.ordered_by_name ?? String(o.ordered_by) })})
                      </span>
                      {o.ordered_by === me ? <span class="muted"> {t('accounting.payments.yours')}</span> : null}
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
            <Field ctx={ctx} name="executionDate" type="date" label={t('accounting.payments.execution_date')} required value={p.executionDate ?? p.today} errors={p.errors} />
            <div class="actions">
              <button type="submit" class="button button-primary">
                {t('accounting.payments.create_batch')}
              </button>
            </div>
          </form>
        ) : (
          <Table
            ctx={ctx}
            caption={t('accounting.payments.queued')}
            rows={p.queued}
            empty={t('accounting.payments.none_queued')}
            columns={[
              { label: t('accounting.payments.beneficiary'), rowHeader: true, cell: (o) => o.beneficiary_name },
              { label: t('accounting.payments.remittance'), cell: (o) => o.remittance },
              { label: t('accounting.source'), cell: (o) => `${o.source_module} ${o.source_id}` },
              { label: t('accounting.amount'), numeric: true, cell: (o) => money(o.amount_cents, ctx.locale) },
            ]}
          />
        )}
      </section>
      <section aria-labelledby="acc-batches">
        <h2 id="acc-batches">{t('accounting.payments.batches')}</h2>
        <Table
          ctx={ctx}
          caption={t('accounting.payments.batches')}
          rows={p.batches}
          empty={t('accounting.payments.no_batch')}
          columns={[
            { label: t('accounting.payments.message_id'), rowHeader: true, cell: (b) => <a href={`/comptabilite/virements/lots/${b.id}`}>{b.message_id}</a> },
            { label: t('accounting.payments.execution_date'), cell: (b) => formatDate(b.execution_date, ctx.locale) },
            { label: t('accounting.payments.count'), numeric: true, cell: (b) => String(b.tx_count) },
            { label: t('accounting.amount'), numeric: true, cell: (b) => money(b.total_cents, ctx.locale) },
            { label: t('accounting.status'), cell: (b) => statusBadge(ctx, b.status) },
            { label: t('accounting.payments.file'), cell: (b) => <a href={`/comptabilite/virements/lots/${b.id}/pain001.xml`} download>{t('accounting.payments.download', { id: b.message_id })}</a> },
          ]}
        />
      </section>
      <section aria-labelledby="acc-debtor">
        <h2 id="acc-debtor">{t('accounting.debtor.title')}</h2>
        {p.canManage ? (
          <form method="post" action="/comptabilite/virements/compte" class="stack" novalidate>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.debtorErrors} />
            <Field ctx={ctx} name="name" label={t('accounting.debtor.name')} required maxlength={70} value={dv?.name} errors={p.debtorErrors} />
            <Field ctx={ctx} name="iban" label="IBAN" required maxlength={42} value={dv?.iban} errors={p.debtorErrors} autocomplete="off" />
            <Field ctx={ctx} name="bic" label="BIC" required maxlength={11} value={dv?.bic} errors={p.debtorErrors} autocomplete="off" />
            <div class="actions">
              <button type="submit" class="button button-secondary">
                {t('common.save')}
              </button>
            </div>
          </form>
        ) : p.debtor ? (
          <Facts items={[[t('accounting.debtor.name'), p.debtor.name], ['IBAN', p.debtor.iban], ['BIC', p.debtor.bic]]} />
        ) : (
          <p class="empty">{t('accounting.debtor_missing')}</p>
        )}
      </section>
    </Shell>
  );
}

export function BatchPage(p: { ctx: ViewContext; batch: PaymentBatch; orders: PaymentOrder[]; entry?: Entry; canPay: boolean; createdBy: string | null; paidBy: string | null }) {
  const { ctx, batch } = p;
  const t = ctx.t;
  return (
    <Shell ctx={ctx} title={t('accounting.batch.title', { id: batch.message_id })} current="/comptabilite/virements" crumbs={[{ label: t('accounting.payments.title'), href: '/comptabilite/virements' }, { label: batch.message_id }]}>
      <Facts
        items={[
          [t('accounting.payments.message_id'), batch.message_id],
          [t('accounting.payments.execution_date'), formatDate(batch.execution_date, ctx.locale)],
          [t('accounting.payments.count'), String(batch.tx_count)],
          [t('accounting.amount'), money(batch.total_cents, ctx.locale)],
          [t('accounting.status'), statusBadge(ctx, batch.status)],
          [t('accounting.batch.created'), `${formatDateTime(batch.created_at, ctx.locale)}${p.createdBy ? ` — ${p.createdBy}` : ''}`],
          ...(batch.paid_at ? [[t('accounting.batch.paid'), `${formatDateTime(batch.paid_at, ctx.locale)}${p.paidBy ? ` — ${p.paidBy}` : ''}`] as [string, string]] : []),
          [t('accounting.batch.entry'), p.entry ? <a href={`/comptabilite/ecritures/${p.entry.id}`}>{p.entry.number}</a> : ''],
        ]}
      />
      <p class="actions">
        <a class="button button-primary" href={`/comptabilite/virements/lots/${batch.id}/pain001.xml`} download>
          {t('accounting.payments.download', { id: batch.message_id })}
        </a>
        {p.canPay && batch.status === 'created' ? <PostButton ctx={ctx} action={`/comptabilite/virements/lots/${batch.id}/payer`} label={t('accounting.batch.mark_paid')} fields={{ version: batch.version }} /> : null}
      </p>
      <Table
        ctx={ctx}
        caption={t('accounting.batch.orders')}
        rows={p.orders}
        columns={[
          { label: t('accounting.payments.beneficiary'), rowHeader: true, cell: (o) => o.beneficiary_name },
          { label: 'IBAN', cell: (o) => o.iban },
          { label: t('accounting.payments.remittance'), cell: (o) => o.remittance },
          { label: t('accounting.source'), cell: (o) => `${o.source_module} ${o.source_id}` },
          { label: t('accounting.amount'), numeric: true, cell: (o) => money(o.amount_cents, ctx.locale) },
        ]}
      />
    </Shell>
  );
}

export function FecPage(p: { ctx: ViewContext; from: string; to: string; errors?: Errors; canManage: boolean; closedThrough: string | null; closeValue?: string; closeErrors?: Errors; siren: string }) {
  const { ctx } = p;
  const t = ctx.t;
  return (
    <Shell ctx={ctx} title={t('accounting.fec.title')} current="/comptabilite/fec">
      <section aria-labelledby="acc-fec">
        <h2 id="acc-fec">{t('accounting.fec.export')}</h2>
        <p class="muted">{t('accounting.fec.help', { siren: p.siren })}</p>
        <form method="get" action="/comptabilite/fec/export" class="toolbar" novalidate>
          <Field ctx={ctx} name="from" type="date" label={t('accounting.from')} required value={p.from} errors={p.errors} />
          <Field ctx={ctx} name="to" type="date" label={t('accounting.fec.to')} required value={p.to} errors={p.errors} />
          <button type="submit" class="button button-primary">
            {t('accounting.fec.download')}
          </button>
        </form>
      </section>
      <section aria-labelledby="acc-closing">
        <h2 id="acc-closing">{t('accounting.closing.title')}</h2>
        <p>{p.closedThrough ? t('accounting.closed_through', { date: formatDate(p.closedThrough, ctx.locale) }) : t('accounting.not_closed')}</p>
        {p.canManage ? (
          <form method="post" action="/comptabilite/cloture" class="stack" novalidate data-confirm={t('accounting.closing.confirm')}>
            <CsrfField ctx={ctx} />
            <ErrorSummary ctx={ctx} errors={p.closeErrors} />
            <Field ctx={ctx} name="closedThrough" type="date" label={t('accounting.closing.through')} required value={p.closeValue} errors={p.closeErrors} hint={t('accounting.closing.help')} />
            <div class="actions">
              <button type="submit" class="button button-danger">
                {t('accounting.closing.submit')}
              </button>
            </div>
          </form>
        ) : null}
      </section>
    </Shell>
  );
}
