// Search page of the registry: one box, sort, status, facets with counts, results, segments.
import { Badge, ButtonLink, Facet, Pagination, PostButton, Select, Table, withQuery, type FacetValue } from '../../../platform/ui/components.js';
import { CsrfField, Page } from '../../../platform/ui/layout.js';
import type { ViewContext } from '../../../platform/ui/view-context.js';
import { departmentName, HEADCOUNT_BANDS, legalFormLabel, NAF_SECTIONS, communeByCode, nafLabel } from '../reference.js';
import { mayDeleteSegment, mayEditRegistry, mayExport, mayImport, mayMerge } from '../policy.js';
import { formatSiren } from '../rules.js';
import { COUNT_BOUND, FACETS, searchToQueryString, zoneToString, type FacetName, type SearchItem, type SearchQuery, type SearchResult } from '../search.service.js';

export interface Segment {
  id: number;
  name: string;
  query: string;
  /** who saved it: they may delete it (policy mayDeleteSegment) */
  owner_id: number | null;
}

export function facetLabel(ctx: ViewContext, f: FacetName, v: string): string {
  switch (f) {
    case 'section':
      return `${v} — ${NAF_SECTIONS[v]?.[ctx.locale === 'en' ? 'en' : 'fr'] ?? ''}`;
    case 'division':
      return `${v} — ${nafLabel(v) ?? ''}`;
    case 'department':
      return `${v} — ${departmentName(v) ?? ''}`;
    case 'commune':
      return communeByCode(v)?.name ?? v;
    case 'band':
      return HEADCOUNT_BANDS[v] ?? v;
    case 'form':
      return legalFormLabel(v) ?? v;
    default:
      return v;
  }
}

export function address(x: { streetNumber?: string | null; streetType?: string | null; streetName?: string | null; postalCode?: string | null; city?: string | null }): string {
  return [[x.streetNumber, x.streetType, x.streetName].filter(Boolean).join(' '), [x.postalCode, x.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

function queryObject(s: SearchQuery): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of new URLSearchParams(searchToQueryString(s))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  if (s.page > 1) out.page = String(s.page);
  return out;
}

/**
 * The facet panel: values with counts. Over the first COUNT_BOUND matches when the search has
 * more (the note says so; "compter exactement" counts them all).
 */
export function FacetPanel({ ctx, s, result, refineCount = false }: { ctx: ViewContext; s: SearchQuery; result: Pick<SearchResult, 'facets' | 'totalExact' | 'total'>; refineCount?: boolean }) {
  const query = queryObject(s);
  const facets = FACETS.map((f) => ({ f, values: result.facets[f].map((v): FacetValue => ({ value: v.value, label: facetLabel(ctx, f, v.value), count: v.count })) }));
  return (
    <div id="registre-facettes">
      <h2 class="visually-hidden">{ctx.t('registry.facets')}</h2>
      {result.totalExact ? null : <p class="hint">{ctx.t('registry.facets_sample', { count: fmtCount(ctx, COUNT_BOUND) })}</p>}
      {facets.map(({ f, values }) => (
        <Facet ctx={ctx} title={ctx.t(`registry.facet.${f}`)} name={f} values={values} selected={s.filters[f]} path="/registre" query={query} />
      ))}
      {refineCount ? (
        result.totalExact ? (
          <p class="results-count" id="registre-compte" hx-swap-oob="true">{ctx.t('common.results', { count: fmtCount(ctx, result.total) })}</p>
        ) : (
          <BoundedCount ctx={ctx} s={s} total={result.total} oob />
        )
      ) : null}
    </div>
  );
}

/**
 * Where the facets of a search with words will be: fetched by htmx once the page is shown (the
 * page does not wait for them, ADR 0013); without JavaScript, a link to the page with them.
 */
function LazyFacets({ ctx, s }: { ctx: ViewContext; s: SearchQuery }) {
  const qs = searchToQueryString(s);
  return (
    <div id="registre-facettes" hx-get={`/registre/facettes${qs ? '?' + qs : ''}`} hx-trigger="load" hx-swap="outerHTML">
      <p class="hint">{ctx.t('registry.facets_loading')}</p>
      <noscript>
        <a href={`/registre?${searchToQueryString(s, { facets: '1' })}`}>{ctx.t('registry.facets_show')}</a>
      </noscript>
    </div>
  );
}

const fmtCount = (ctx: ViewContext, n: number) => n.toLocaleString(ctx.locale === 'fr' ? 'fr-FR' : 'en-GB');

/** More matches than counted: "plus de 10 000", a link that counts them, pages up to the bound. */
/** "Plus de N résultats — compter exactement"; the facet panel, counting further, replaces it (hx-swap-oob). */
function BoundedCount({ ctx, s, total, oob = false }: { ctx: ViewContext; s: SearchQuery; total: number; oob?: boolean }) {
  return (
    <p class="results-count" id="registre-compte" hx-swap-oob={oob ? 'true' : undefined}>
      {ctx.t('registry.more_than', { count: fmtCount(ctx, total) })} — <a href={`/registre?${searchToQueryString({ ...s, exact: true })}`}>{ctx.t('registry.count_exactly')}</a>
    </p>
  );
}

function BoundedPagination({ ctx, s, total, query }: { ctx: ViewContext; s: SearchQuery; total: number; query: Record<string, string | string[] | undefined> }) {
  const pages = Math.ceil(COUNT_BOUND / s.perPage);
  return (
    <nav class="pagination" aria-label={ctx.t('common.pagination')}>
      <BoundedCount ctx={ctx} s={s} total={total} />
      <ul>
        <li>{s.page > 1 ? <a href={withQuery('/registre', query, { page: String(s.page - 1) })} rel="prev">{ctx.t('common.previous')}</a> : <span aria-disabled="true">{ctx.t('common.previous')}</span>}</li>
        <li aria-current="page">{ctx.t('common.page_of', { page: s.page, pages: `${pages}+` })}</li>
        <li>{s.page < pages ? <a href={withQuery('/registre', query, { page: String(s.page + 1) })} rel="next">{ctx.t('common.next')}</a> : <span aria-disabled="true">{ctx.t('common.next')}</span>}</li>
      </ul>
    </nav>
  );
}

export function Results({ ctx, s, result, lazyFacets = false, suggestion }: { ctx: ViewContext; s: SearchQuery; result: SearchResult; lazyFacets?: boolean; suggestion?: string }) {
  const t = ctx.t;
  const query = queryObject(s);
  const qs = searchToQueryString(s);
  return (
    <div id="registre-resultats" class="with-facets" aria-live="polite">
      <div>{lazyFacets ? <LazyFacets ctx={ctx} s={s} /> : <FacetPanel ctx={ctx} s={s} result={result} />}</div>
      <div>
        <h2>{t('registry.results')}</h2>
        {suggestion ? (
          <p class="did-you-mean">
            <a href={`/registre?${searchToQueryString({ ...s, q: suggestion, page: 1 })}`}>{t('registry.did_you_mean', { suggestion })}</a>
          </p>
        ) : null}
        {mayExport(ctx.actor) ? (
          <p class="actions">
            <a class="button button-secondary" href={`/registre/export.csv${qs ? '?' + qs : ''}`}>{t('common.export_csv')}</a>{' '}
            <a class="button button-secondary" href={`/registre/export.xlsx${qs ? '?' + qs : ''}`}>{t('common.export_xlsx')}</a>{' '}
            <a class="button button-secondary" href={`/registre/export-prospection.csv${qs ? '?' + qs : ''}`} title={t('registry.export_prospecting_hint')}>{t('registry.export_prospecting')}</a>
          </p>
        ) : null}
        <Table<SearchItem>
          ctx={ctx}
          caption={t('registry.results')}
          rows={result.items}
          empty={t('registry.no_results')}
          columns={[
            {
              label: t('registry.name'),
              rowHeader: true,
              cell: (x) => (
                <>
                  <a href={`/registre/entreprises/${x.companyId}`}>{x.name}</a>
                  {x.sign && x.sign !== x.name ? <span class="muted"> — {x.sign}</span> : null}
                  {x.isHeadOffice ? <> <Badge kind="info">{t('registry.head_office')}</Badge></> : null}
                  {x.diffusion === 'partial' ? <> <Badge kind="warning">{t('registry.partial')}</Badge></> : null}
                  {x.status === 'closed' ? <> <Badge kind="danger">{t('registry.status.closed')}</Badge></> : null}
                </>
              ),
            },
            { label: t('registry.siret'), cell: (x) => formatSiren(x.siret) },
            { label: t('registry.address'), cell: (x) => address(x) },
            { label: t('registry.naf'), cell: (x) => (x.nafCode ? <abbr title={nafLabel(x.nafCode) ?? ''}>{x.nafCode}</abbr> : '') },
            { label: t('registry.headcount'), cell: (x) => (x.headcountBand ? HEADCOUNT_BANDS[x.headcountBand] ?? x.headcountBand : '') },
          ]}
        />
        {result.totalExact ? <Pagination ctx={ctx} page={s.page} perPage={s.perPage} total={result.total} path="/registre" query={query} /> : <BoundedPagination ctx={ctx} s={s} total={result.total} query={query} />}
      </div>
    </div>
  );
}

export function SearchPage({ ctx, s, result, segments, lazyFacets = false, suggestion }: { ctx: ViewContext; s: SearchQuery; result: SearchResult; segments: Segment[]; lazyFacets?: boolean; suggestion?: string }) {
  const t = ctx.t;
  const qs = searchToQueryString(s);
  return (
    <Page ctx={ctx} title={t('registry.title')} wide>
      <form method="get" action="/registre" class="toolbar" role="search" hx-get="/registre" hx-target="#registre-resultats" hx-swap="outerHTML" hx-push-url="true" hx-trigger="input changed delay:250ms from:#f-q, change from:select, submit">
        <div class="field">
          <label for="f-q">{t('registry.search_label')}</label>
          <p class="hint" id="f-q-hint">{t('registry.search_hint')}</p>
          <input id="f-q" type="search" name="q" value={s.q} autocomplete="off" aria-describedby="f-q-hint" />
        </div>
        <Select ctx={ctx} name="sort" label={t('registry.sort')} value={s.sort} options={['relevance', 'name', 'created', 'headcount'].map((v) => ({ value: v, label: t(`registry.sort.${v}`) }))} />
        <Select ctx={ctx} name="status" label={t('registry.status')} value={s.status} options={['active', 'closed', 'all'].map((v) => ({ value: v, label: t(`registry.status_filter.${v}`) }))} />
        {FACETS.flatMap((f) => s.filters[f].map((v) => <input type="hidden" name={f} value={v} />))}
        {s.zone ? <input type="hidden" name="zone" value={zoneToString(s.zone)} /> : null}
        <button type="submit" class="button button-primary">{t('common.search')}</button>
        {s.zone ? <p class="hint">{t('registry.zone_filter', { n: s.zone.length })}</p> : null}
        {qs ? <a href="/registre">{t('common.reset_filters')}</a> : null}
      </form>
      <p class="actions">
        {mayEditRegistry(ctx.actor) ? <ButtonLink href="/registre/entreprises/nouvelle" variant="secondary">{t('registry.new_company')}</ButtonLink> : null}{' '}
        {mayImport(ctx.actor) ? <ButtonLink href="/registre/imports" variant="secondary">{t('registry.imports')}</ButtonLink> : null}{' '}
        {mayMerge(ctx.actor) ? <ButtonLink href="/registre/doublons" variant="secondary">{t('registry.duplicates')}</ButtonLink> : null}
      </p>
      <Results ctx={ctx} s={s} result={result} lazyFacets={lazyFacets} suggestion={suggestion} />
      <section aria-labelledby="segments-title">
        <h2 id="segments-title">{t('registry.segments')}</h2>
        {segments.length ? (
          <ul class="tags">
            {segments.map((g) => (
              <li>
                <a href={`/registre?${g.query}`}>{g.name}</a>
                {mayDeleteSegment(ctx.actor, g) ? <PostButton ctx={ctx} action={`/registre/segments/${g.id}/supprimer`} label={t('registry.delete_segment', { name: g.name })} confirm={t('registry.delete_segment_confirm', { name: g.name })} /> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p class="empty">{t('registry.no_segments')}</p>
        )}
        <form method="post" action="/registre/segments" class="toolbar">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="query" value={qs} />
          <div class="field">
            <label for="f-segment">{t('registry.segment_name')}</label>
            <input id="f-segment" name="name" required maxlength={100} />
          </div>
          <button type="submit" class="button button-secondary">{t('registry.save_segment')}</button>
        </form>
      </section>
    </Page>
  );
}

export { withQuery };
