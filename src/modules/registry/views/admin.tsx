// Imports (upload + live progress) and probable duplicates pages.
import { ErrorSummary, PostButton, Table, type Errors } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import type { DuplicatePair } from '../admin.service.js';
import type { ImportView, RejectedLine } from '../import-runs.service.js';
import { formatSiren } from '../rules.js';


export function ImportStatus({ ctx, imp }: { ctx: ViewContext; imp: ImportView }) {
  const t = ctx.t;
  const running = imp.status === 'running' || imp.status === 'queued';
  const p = imp.progress;
  const eta = p?.etaSeconds === null || p?.etaSeconds === undefined ? '…' : p.etaSeconds >= 60 ? `${Math.floor(p.etaSeconds / 60)} min ${String(p.etaSeconds % 60).padStart(2, '0')} s` : `${p.etaSeconds} s`;
  // The poll replaces this block every second while the import runs; the cancel button is outside
  // it (ImportPage), so keyboard focus on the button is not lost to the swap.
  return (
    <div id="import-status" {...(running ? { 'hx-get': `/registre/imports/${imp.id}`, 'hx-trigger': 'every 1s', 'hx-swap': 'outerHTML' } : {})}>
      <p role="status" aria-live="polite">
        {t(`registry.import_status.${imp.status}`)}
        {p && running ? ` — ${t(`registry.import_phase.${p.phase}`)}, ${t('registry.rate_eta', { rows: p.rows.toLocaleString(ctx.locale), rate: p.rate.toLocaleString(ctx.locale), eta })}` : ''}
        {running && imp.cancelRequested ? ` ${t('registry.import_cancel_requested')}` : ''}
      </p>
      {running ? (
        <p>
          <label for={`import-progress-${imp.id}`}>{t('registry.import_progress')}</label>{' '}
          <progress id={`import-progress-${imp.id}`} class="progress" max={100} value={p?.percent ?? 0}>
            {p?.percent ?? 0} %
          </progress>{' '}
          {(p?.percent ?? 0).toLocaleString(ctx.locale)} %
        </p>
      ) : null}
      {imp.status === 'cancelled' ? <p>{t('registry.import_cancelled_note')}</p> : null}
      {imp.error ? <p class="flash flash-error" role="alert">{imp.error}</p> : null}
      {imp.status === 'done' ? (
        <dl class="facts">
          {Object.entries(imp.stats).map(([k, v]) => (
            <div>
              <dt>{t(`registry.stat.${k}`)}</dt>
              <dd>
                {typeof v === 'number'
                  ? v.toLocaleString(ctx.locale)
                  : v && typeof v === 'object'
                    ? Object.entries(v as Record<string, number>).map(([phase, secs]) => `${t(`registry.phase.${phase}`)} ${secs.toLocaleString(ctx.locale)}`).join(' · ')
                    : String(v)}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}

export function ImportsPage({ ctx, imports, errors }: { ctx: ViewContext; imports: ImportView[]; errors?: Errors }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={t('registry.imports')} crumbs={[{ label: t('registry.title'), href: '/registre' }, { label: t('registry.imports') }]}>
      <ErrorSummary ctx={ctx} errors={errors} />
      <p>{t('registry.import_help')}</p>
      <form method="post" action="/registre/imports" enctype="multipart/form-data">
        <CsrfField ctx={ctx} />
        <div class="form-grid">
          <div class="field">
            <label for="f-unites">{t('registry.units_file')}</label>
            <input id="f-unites" type="file" name="unites" accept=".csv,text/csv" required />
          </div>
          <div class="field">
            <label for="f-etablissements">{t('registry.establishments_file')}</label>
            <input id="f-etablissements" type="file" name="etablissements" accept=".csv,text/csv" required />
          </div>
        </div>
        <p class="actions">
          <button type="submit" class="button button-primary">{t('registry.start_import')}</button>
        </p>
      </form>
      <h2>{t('registry.import_history')}</h2>
      <Table<ImportView>
        ctx={ctx}
        caption={t('registry.import_history')}
        rows={imports}
        columns={[
          { label: t('registry.import_started'), rowHeader: true, cell: (i) => <a href={`/registre/imports/${i.id}`}>{new Date(i.started_at).toLocaleString('fr-FR', { timeZone: 'Europe/Paris' })}</a> },
          { label: t('registry.import_by'), cell: (i) => i.actor_label },
          { label: t('registry.status'), cell: (i) => t(`registry.import_status.${i.status}`) },
          { label: t('registry.stat.establishmentsCreated'), numeric: true, cell: (i) => String(i.stats.establishmentsCreated ?? '') },
          { label: t('registry.stat.rejected'), numeric: true, cell: (i) => String(i.stats.rejected ?? '') },
        ]}
      />
    </Page>
  );
}

export function ImportPage({ ctx, imp, rejected }: { ctx: ViewContext; imp: ImportView; rejected: RejectedLine[] }) {
  const t = ctx.t;
  return (
    <Page ctx={ctx} title={`${t('registry.import')} #${imp.id}`} crumbs={[{ label: t('registry.title'), href: '/registre' }, { label: t('registry.imports'), href: '/registre/imports' }, { label: `#${imp.id}` }]}>
      <p>
        {imp.units_file} · {imp.establishments_file}
      </p>
      <ImportStatus ctx={ctx} imp={imp} />
      {imp.cancellable && (imp.status === 'running' || imp.status === 'queued') ? <PostButton ctx={ctx} action={`/registre/imports/${imp.id}/annuler`} label={t('registry.import_cancel')} variant="danger" /> : null}
      {rejected.length ? (
        <>
          <h2>{t('registry.rejected_rows')}</h2>
          <Table ctx={ctx} caption={t('registry.rejected_rows')} rows={rejected} columns={[{ label: t('registry.file'), cell: (x) => x.file }, { label: t('registry.line'), numeric: true, cell: (x) => String(x.line) }, { label: t('registry.key'), cell: (x) => x.key }, { label: t('registry.reason'), cell: (x) => t(`registry.reject.${x.reason}`) }]} />
        </>
      ) : null}
    </Page>
  );
}

export function DuplicatesPage({ ctx, pairs }: { ctx: ViewContext; pairs: DuplicatePair[] }) {
  const t = ctx.t;
  const side = (x: DuplicatePair['a']) => (
    <>
      <a href={`/registre/entreprises/${x.id}`}>{x.name}</a> <span class="muted">{x.siren ? formatSiren(x.siren) : t('registry.no_siren')} · {t(`registry.source.${x.source}`)}</span>
    </>
  );
  return (
    <Page ctx={ctx} title={t('registry.duplicates')} crumbs={[{ label: t('registry.title'), href: '/registre' }, { label: t('registry.duplicates') }]}>
      <p>{t('registry.duplicates_help')}</p>
      <Table<DuplicatePair>
        ctx={ctx}
        caption={t('registry.duplicates')}
        rows={pairs}
        empty={t('registry.no_duplicates')}
        columns={[
          { label: t('registry.dup_manual'), rowHeader: true, cell: (p) => side(p.a) },
          { label: t('registry.dup_other'), cell: (p) => side(p.b) },
          { label: t('registry.reason'), cell: (p) => t(`registry.dup_reason.${p.reason}`) },
          {
            label: t('common.actions'),
            cell: (p) => (
              <>
                <PostButton ctx={ctx} action="/registre/doublons/fusion" label={t('registry.merge_into_other')} variant="primary" fields={{ keep: p.b.id, drop: p.a.id }} confirm={t('registry.merge_confirm')} />{' '}
                <PostButton ctx={ctx} action="/registre/doublons/ignorer" label={t('registry.not_duplicate')} fields={{ a: p.a.id, b: p.b.id }} />
              </>
            ),
          },
        ]}
      />
    </Page>
  );
}
