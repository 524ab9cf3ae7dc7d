// The map page: the registry's filters, the map (Leaflet, public/map-page.js, loaded only here),
// and the same figures as tables (areas of the choropleth, what is in view, the CRM layers), a
// zone to save as a registry segment.
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { Page, CsrfField } from '../../../platform/ui/layout.js';
import { ErrorSummary, Field, Select, Table, type Errors } from '../../../platform/ui/components.js';
import { HEADCOUNT_BANDS, NAF_SECTIONS, searchToQueryString, zoneToString, type SearchQuery } from '../../registry/index.js';
import type { Choropleth, ChoroplethArea, CrmLayer, MapView } from '../map.service.js';

export interface MapPageProps {
  ctx: ViewContext;
  s: SearchQuery;
  view: MapView;
  areas: Choropleth;
  areaNames: Record<string, string>;
  crm?: CrmLayer;
  advisers: { id: number; name: string }[];
  canExport: boolean;
  canCrm: boolean;
  tiles?: { url: string; attribution: string };
  segment?: { name: string; errors?: Errors };
}

const fmt = (ctx: ViewContext, n: number | null) => (n === null ? '—' : n.toLocaleString(ctx.locale === 'en' ? 'en-GB' : 'fr-FR'));

export function MapPage(p: MapPageProps) {
  const { ctx, s, view } = p;
  const t = ctx.t;
  const qs = searchToQueryString({ ...s, sort: 'relevance' });
  const viewQs = new URLSearchParams({ layer: view.layer, by: view.by, measure: view.measure, method: view.method, classes: String(view.classes), year: String(view.year) });
  if (view.visits) viewQs.set('visits', '1');
  if (view.deals) viewQs.set('deals', '1');
  if (view.visits || view.deals) {
    viewQs.set('from', view.from);
    viewQs.set('to', view.to);
    if (view.adviser) viewQs.set('adviser', String(view.adviser));
  }
  const one = (f: keyof SearchQuery['filters']) => s.filters[f][0] ?? '';
  const locale = ctx.locale === 'en' ? 'en' : 'fr';
  const byLabel = t(`map.by.${view.by}`);
  return (
    <Page ctx={ctx} title={t('map.title')} wide>
      <link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css" />
      <form method="get" action="/carte" class="map-filters" role="search" aria-label={t('map.filters')}>
        <fieldset>
          <legend>{t('map.filters')}</legend>
          <div class="map-filter-grid">
            <Field ctx={ctx} name="q" label={t('map.q')} type="search" value={s.q} />
            <Select ctx={ctx} name="section" label={t('map.section')} value={one('section')} empty={t('map.any')} options={Object.entries(NAF_SECTIONS).map(([k, v]) => ({ value: k, label: `${k} — ${v[locale]}` }))} />
            <Field ctx={ctx} name="department" label={t('map.department')} value={one('department')} maxlength={3} />
            <Field ctx={ctx} name="commune" label={t('map.commune')} value={one('commune')} maxlength={5} />
            <Select ctx={ctx} name="band" label={t('map.band')} value={one('band')} empty={t('map.any')} options={Object.entries(HEADCOUNT_BANDS).map(([k, v]) => ({ value: k, label: v }))} />
            <Field ctx={ctx} name="form" label={t('map.form')} value={one('form')} maxlength={4} />
            <Field ctx={ctx} name="tag" label={t('map.tag')} value={one('tag')} maxlength={60} />
            <Select ctx={ctx} name="status" label={t('map.status')} value={s.status} options={['active', 'closed', 'all'].map((v) => ({ value: v, label: t(`map.status.${v}`) }))} />
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('map.layer')}</legend>
          <div class="map-filter-grid">
            <Select ctx={ctx} name="layer" label={t('map.layer')} value={view.layer} options={['clusters', 'choropleth'].map((v) => ({ value: v, label: t(`map.layer.${v}`) }))} />
            <Select ctx={ctx} name="by" label={t('map.by')} value={view.by} options={['department', 'commune'].map((v) => ({ value: v, label: t(`map.by.${v}`) }))} />
            <Select ctx={ctx} name="measure" label={t('map.measure')} value={view.measure} options={['count', 'density', 'headcount', 'created'].map((v) => ({ value: v, label: t(`map.measure.${v}`) }))} />
            <Select ctx={ctx} name="method" label={t('map.method')} value={view.method} options={['quantiles', 'jenks'].map((v) => ({ value: v, label: t(`map.method.${v}`) }))} />
            <Field ctx={ctx} name="year" label={t('map.year')} type="number" value={view.year} min={1900} max={2100} />
          </div>
        </fieldset>
        {p.canCrm ? (
          <fieldset>
            <legend>{t('map.crm')}</legend>
            <div class="map-filter-grid">
              <div class="field checkbox">
                <input type="checkbox" id="f-visits" name="visits" value="1" checked={view.visits} />
                <label for="f-visits">{t('map.crm.visits')}</label>
              </div>
              <div class="field checkbox">
                <input type="checkbox" id="f-deals" name="deals" value="1" checked={view.deals} />
                <label for="f-deals">{t('map.crm.deals')}</label>
              </div>
              <Field ctx={ctx} name="from" label={t('map.crm.from')} type="date" value={view.from} />
              <Field ctx={ctx} name="to" label={t('map.crm.to')} type="date" value={view.to} />
              <Select ctx={ctx} name="adviser" label={t('map.crm.adviser')} value={view.adviser ? String(view.adviser) : ''} empty={t('map.crm.all_advisers')} options={p.advisers.map((a) => ({ value: String(a.id), label: a.name }))} />
            </div>
          </fieldset>
        ) : null}
        {s.zone ? <input type="hidden" name="zone" value={zoneToString(s.zone)} /> : null}
        <p class="actions">
          <button type="submit" class="button button-primary">{t('map.apply')}</button> <a href="/carte">{t('map.reset')}</a>
        </p>
      </form>
      {s.zone ? (
        <p class="map-zone-note">
          {t('map.zone_active', { n: s.zone.length })} <a href={`/carte?${searchToQueryString({ ...s, zone: undefined })}&${viewQs}`}>{t('map.zone_clear')}</a>
        </p>
      ) : null}
      <div
        id="carte"
        class="map-canvas"
        role="region"
        aria-label={t('map.map_label')}
        data-query={qs}
        data-view={viewQs.toString()}
        data-zone={s.zone ? zoneToString(s.zone) : ''}
        data-tiles={p.tiles?.url ?? ''}
        data-tiles-attribution={p.tiles?.attribution ?? ''}
        data-attribution={t('map.attribution')}
        data-t-open={t('map.open_company')}
        data-t-approximate={t('map.approximate')}
        data-t-partial={t('map.partial')}
        data-t-zoom={t('map.zoom_here')}
        data-t-count={t('map.count')}
        data-t-legend={t('map.legend')}
        data-t-visit={t('map.crm.kind.visit')}
        data-t-deal={t('map.crm.kind.deal')}
      >
        <p class="map-noscript">{t('map.no_script')}</p>
      </div>
      <div id="map-legend" class="map-legend" aria-live="polite"></div>

      <section aria-labelledby="map-visible-title" class="map-visible" hidden>
        <h2 id="map-visible-title">{t('map.visible')}</h2>
        <p class="hint">{t('map.visible_hint')}</p>
        <div id="map-visible" aria-live="polite"></div>
      </section>

      <section aria-labelledby="map-zone-title">
        <h2 id="map-zone-title">{t('map.zone')}</h2>
        <p class="hint">{t('map.zone_hint')}</p>
        <p class="actions map-draw-tools" hidden>
          <button type="button" class="button button-secondary" id="map-draw">{t('map.draw')}</button>{' '}
          <button type="button" class="button button-secondary" id="map-draw-finish" disabled>{t('map.draw_finish')}</button>{' '}
          <button type="button" class="button button-secondary" id="map-draw-cancel" disabled>{t('map.draw_cancel')}</button>
        </p>
        <form method="post" action="/carte/segments" id="segment-form" class="inline-fields">
          <CsrfField ctx={ctx} />
          <ErrorSummary ctx={ctx} errors={p.segment?.errors} labels={{ name: t('map.segment_name'), zone: t('map.zone'), commune: t('map.commune') }} />
          <input type="hidden" name="query" id="segment-query" value={qs} />
          <Field ctx={ctx} name="name" label={t('map.segment_name')} value={p.segment?.name ?? ''} maxlength={100} errors={p.segment?.errors} required />
          <button type="submit" class="button button-primary">{t('map.segment_save')}</button>
        </form>
      </section>

      <AreasTable {...p} byLabel={byLabel} />

      {p.crm ? <CrmTable ctx={ctx} crm={p.crm} /> : null}

      {p.canExport ? (
        <p class="actions">
          <a class="button button-secondary" href={`/carte/export.geojson${qs ? '?' + qs : ''}`}>{t('map.export_geojson')}</a>
        </p>
      ) : null}
      <script src="/static/vendor/leaflet/leaflet.js" defer></script>
      <script src="/static/map-page.js" defer></script>
    </Page>
  );
}

function AreasTable(p: MapPageProps & { byLabel: string }) {
  const { ctx, areas } = p;
  const t = ctx.t;
  const legend = areas.breaks.map((b, i) => `${i + 1} : ${t('map.class_range', { from: fmt(ctx, i === 0 ? Math.min(...areas.areas.map((a) => a.value ?? 0)) : areas.breaks[i - 1]), to: fmt(ctx, b) })}`);
  return (
    <section aria-labelledby="map-areas-title">
      <h2 id="map-areas-title">{t('map.areas', { by: p.byLabel.toLowerCase() })}</h2>
      <p class="hint">
        {t('map.measure')} : {t(`map.measure.${areas.measure}`)} — {t(`map.method.${areas.method}`)}
        {legend.length ? <> — {t('map.legend')} : {legend.join(' ; ')}</> : null}
      </p>
      <Table<ChoroplethArea>
        ctx={ctx}
        caption={t('map.areas', { by: p.byLabel.toLowerCase() })}
        rows={areas.areas}
        columns={[
          ...(areas.by === 'commune'
            ? [{ label: t('map.pick'), cell: (a: ChoroplethArea) => <input type="checkbox" name="communes" value={a.code} form="segment-form" aria-label={`${t('map.pick')} ${p.areaNames[a.code] ?? a.code}`} /> }]
            : []),
          { label: t('map.area'), rowHeader: true, cell: (a) => `${p.areaNames[a.code] ?? a.code} (${a.code})` },
          { label: t('map.count'), numeric: true, cell: (a) => fmt(ctx, a.count) },
          { label: t('map.density'), numeric: true, cell: (a) => fmt(ctx, a.density) },
          { label: t('map.headcount'), numeric: true, cell: (a) => fmt(ctx, a.headcount) },
          { label: t('map.created', { year: areas.year }), numeric: true, cell: (a) => fmt(ctx, a.created) },
          { label: t('map.population'), numeric: true, cell: (a) => fmt(ctx, a.population) },
          { label: t('map.class'), numeric: true, cell: (a) => (a.klass === null ? '—' : String(a.klass + 1)) },
        ]}
      />
    </section>
  );
}

function CrmTable({ ctx, crm }: { ctx: ViewContext; crm: CrmLayer }) {
  const t = ctx.t;
  type Row = CrmLayer['features'][number]['properties'];
  return (
    <section aria-labelledby="map-crm-title">
      <h2 id="map-crm-title">{t('map.crm.table')}</h2>
      {crm.unplaced ? <p class="hint">{t('map.crm.unplaced', { n: crm.unplaced })}</p> : null}
      <Table<Row>
        ctx={ctx}
        caption={t('map.crm.table')}
        rows={crm.features.map((f) => f.properties)}
        columns={[
          { label: t('map.crm.kind.visit') + ' / ' + t('map.crm.kind.deal'), rowHeader: true, cell: (r) => <a href={r.href}>{r.title ? `${t(`map.crm.kind.${r.kind}`)} — ${r.title}` : `${t(`map.crm.kind.${r.kind}`)} n° ${r.id}`}</a> },
          { label: t('map.crm.adviser'), cell: (r) => r.owner },
          { label: t('map.crm.from'), cell: (r) => r.date },
          { label: t('map.area'), cell: (r) => <a href={`/registre/entreprises/${r.companyId}`}>{t('map.open_company')}</a> },
        ]}
      />
    </section>
  );
}
