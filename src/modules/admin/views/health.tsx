// The server's health for operators: is the one request thread running late, do reads wait
// for a worker or connection, did any read hit its time limit or lose its worker.
import type { LoadSnapshot } from '../../../platform/db/load-stats.js';
import { formatDateTime } from '../../../platform/i18n/index.js';
import { Table } from '../../../platform/ui/components.js';
import { Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';

export interface HealthView {
  load: LoadSnapshot;
  /** process memory, MiB */
  rssMiB: number;
  heapMiB: number;
  dialect: string;
}

type Line = { label: string; value: string };

export function HealthPage({ ctx, h }: { ctx: ViewContext; h: HealthView }) {
  const t = ctx.t;
  const n = (v: number) => v.toLocaleString(ctx.locale === 'fr' ? 'fr-FR' : 'en-GB');
  const ms = (v: number) => t('admin.health_ms', { ms: n(v) });
  const loop = h.load.eventLoop;
  const loopRows: Line[] = loop
    ? [
        { label: t('admin.health_loop_p50'), value: ms(loop.current.p50) },
        { label: t('admin.health_loop_p99'), value: ms(loop.current.p99) },
        { label: t('admin.health_loop_max'), value: ms(loop.current.max) },
        ...(loop.previous ? [{ label: t('admin.health_loop_previous'), value: `${ms(loop.previous.p50)} / ${ms(loop.previous.p99)} / ${ms(loop.previous.max)}` }] : []),
      ]
    : [];
  const r = h.load.reads;
  const readRows: Line[] = [
    { label: t('admin.health_read_kind'), value: t(`admin.health_read_kind.${r.kind}`) },
    { label: t('admin.health_read_size'), value: n(r.size) },
    { label: t('admin.health_read_busy'), value: n(r.busy) },
    { label: t('admin.health_read_queued'), value: `${n(r.queued)} (${t('admin.health_read_max', { n: n(r.maxQueued) })})` },
    { label: t('admin.health_read_wait'), value: `${ms(r.wait.p50)} / ${ms(r.wait.p95)} / ${ms(r.wait.max)}` },
    { label: t('admin.health_read_count'), value: n(r.reads) },
    { label: t('admin.health_read_timeouts'), value: n(r.timeouts) },
    { label: t('admin.health_read_refused'), value: n(r.refused) },
    ...(r.kind === 'workers' ? [
      { label: t('admin.health_read_restarts'), value: n(r.restarts) },
      { label: t('admin.health_read_retiring'), value: n(r.retiring) },
    ] : []),
  ];
  const columns = [
    { label: t('admin.health_measure'), cell: (x: Line) => x.label, rowHeader: true },
    { label: t('admin.health_value'), cell: (x: Line) => x.value, numeric: true },
  ];
  return (
    <Page ctx={ctx} title={t('admin.health')} crumbs={[{ label: t('nav.section.admin') }, { label: t('admin.health') }]}>
      <p>{t('admin.health_help')}</p>
      <h2>{t('admin.health_loop')}</h2>
      {loop ? <p class="muted">{t('admin.health_loop_since', { at: formatDateTime(loop.current.since, ctx.locale) })}</p> : null}
      <Table ctx={ctx} caption={t('admin.health_loop')} rows={loopRows} columns={columns} />
      <h2>{t('admin.health_reads')}</h2>
      <p class="muted">{t('admin.health_reads_help')}</p>
      <Table ctx={ctx} caption={t('admin.health_reads')} rows={readRows} columns={columns} />
      <h2>{t('admin.health_memory')}</h2>
      <Table
        ctx={ctx}
        caption={t('admin.health_memory')}
        rows={[
          { label: t('admin.health_rss'), value: t('admin.health_mib', { n: n(h.rssMiB) }) },
          { label: t('admin.health_heap'), value: t('admin.health_mib', { n: n(h.heapMiB) }) },
          { label: t('admin.health_dialect'), value: h.dialect },
        ]}
        columns={columns}
      />
    </Page>
  );
}
