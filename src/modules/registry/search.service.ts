// Registry search: one box + facets, on establishments (what people look for is a place of
// business), with the company's name. The URL query string is the whole search (shareable,
// saved as a named segment, reused by exports, the API and other modules).
import { sql, type SelectQueryBuilder } from 'kysely';
import { countByColumns, dialectOf, selectWide, tableThroughIndex, withTempTable } from '../../platform/db/index.js';
import { fullTextMatch, fullTextSample, normaliseSearchText, scannedTable, searchTerms, textPosition, typedTerms, withFullTextJoin, type SearchTerm } from '../../platform/db/search.js';
import type { RegistryDb, RegistryTables } from './registry.table.js';
import { identifierIn } from './rules.js';
import { FACET_COLUMNS, pluralStem } from './search-text.js';
import { departmentOf } from './reference.js';
import { summaryCounts } from './facet-summary.js';

export const FACETS = ['section', 'division', 'department', 'commune', 'band', 'form', 'tag'] as const;
export type FacetName = (typeof FACETS)[number];
const FACET_COLUMN: Record<Exclude<FacetName, 'tag'>, string> = FACET_COLUMNS;
export const SORTS = ['relevance', 'name', 'created', 'headcount'] as const;
export type Sort = (typeof SORTS)[number];

/** A polygon drawn on the map ([longitude, latitude] vertices, WGS84): `zone=lon,lat;lon,lat;…`. */
export type Zone = [number, number][];

export interface SearchQuery {
  q: string;
  filters: Record<FacetName, string[]>;
  /** establishments whose coordinates fall inside this polygon (the map's drawn zones, saved as segments) */
  zone?: Zone;
  status: 'active' | 'closed' | 'all';
  sort: Sort;
  page: number;
  perPage: number;
  /** count every match of a search with words ("compter exactement"), not only up to COUNT_BOUND */
  exact?: boolean;
}

const SAFE_VALUE = /^[\p{L}\p{N} ._'’-]{1,60}$/u;

/** Reads a search from a query string object (web or API); unknown or unsafe values are ignored. */
export function parseSearch(query: Record<string, unknown>, perPage = 25): SearchQuery {
  const many = (k: string): string[] => {
    const v = query[k];
    const arr = Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v];
    return [...new Set(arr.map(String).filter((x) => SAFE_VALUE.test(x)))].slice(0, 30);
  };
  const filters = Object.fromEntries(FACETS.map((f) => [f, many(f)])) as Record<FacetName, string[]>;
  const status = query.status === 'closed' || query.status === 'all' ? query.status : 'active';
  const sort = SORTS.includes(query.sort as Sort) ? (query.sort as Sort) : 'relevance';
  const page = Math.min(Math.max(1, Number(query.page) || 1), 400);
  const zone = parseZone(query.zone);
  const exact = query.exact === '1' || query.exact === 'true' || query.exact === true;
  return { q: String(query.q ?? '').slice(0, 200).trim(), filters, status, sort, page, perPage, ...(zone ? { zone } : {}), ...(exact ? { exact } : {}) };
}

/** At most this many vertices (a segment's query string holds 2,000 characters). */
export const ZONE_MAX_VERTICES = 100;

/** `lon,lat;lon,lat;…` (3 to 100 vertices, WGS84, rounded to 5 decimals) or undefined when absent or malformed. */
export function parseZone(v: unknown): Zone | undefined {
  const text = Array.isArray(v) ? v[0] : v;
  if (typeof text !== 'string' || !text || text.length > 2000) return undefined;
  const points = text.split(';').map((p) => p.split(',').map(Number));
  if (points.length < 3 || points.length > ZONE_MAX_VERTICES) return undefined;
  for (const p of points) if (p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]) || Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) return undefined;
  return points.map(([x, y]) => [Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5]);
}

export const zoneToString = (zone: Zone): string => zone.map(([x, y]) => `${x},${y}`).join(';');

/**
 * Inside the polygon: a box test (served by indexes) then the even-odd rule in SQL, one term per
 * edge (a point is inside when a ray to the east crosses an odd number of edges). The numbers are
 * validated, finite and inlined as literals (no parameter typing issue on PostgreSQL).
 */
function zoneCondition(zone: Zone) {
  const xs = zone.map((p) => p[0]);
  const ys = zone.map((p) => p[1]);
  const lit = (n: number) => sql.lit(n);
  const terms = zone.flatMap(([x1, y1], i) => {
    const [x2, y2] = zone[(i + 1) % zone.length];
    if (y1 === y2) return [];
    const slope = (x2 - x1) / (y2 - y1);
    return [sql`case when e.latitude >= ${lit(Math.min(y1, y2))} and e.latitude < ${lit(Math.max(y1, y2))} and e.longitude < ${lit(x1)} + ${lit(slope)} * (e.latitude - ${lit(y1)}) then 1 else 0 end`];
  });
  if (!terms.length) return sql<boolean>`1 = 0`;
  return sql<boolean>`e.longitude >= ${lit(Math.min(...xs))} and e.longitude <= ${lit(Math.max(...xs))} and e.latitude >= ${lit(Math.min(...ys))} and e.latitude <= ${lit(Math.max(...ys))} and (${sql.join(terms, sql` + `)}) % 2 = 1`;
}

/** The query string of a search (segments store it; links rebuild it). */
export function searchToQueryString(s: SearchQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const f of FACETS) for (const v of s.filters[f]) p.append(f, v);
  if (s.zone) p.set('zone', zoneToString(s.zone));
  if (s.status !== 'active') p.set('status', s.status);
  if (s.sort !== 'relevance') p.set('sort', s.sort);
  if (s.exact) p.set('exact', '1');
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}

type EstQuery = SelectQueryBuilder<RegistryTables & { e: RegistryTables['establishments'] }, 'e', object>;

/** The WHERE of a search (every filter), applied to `establishments as e`. */
export function applySearch(db: RegistryDb, query: EstQuery, s: SearchQuery, except?: FacetName, words: 'match' | 'driving' | 'name-starts' = 'match', lead?: SearchTerm): EstQuery {
  let qb = query;
  const id = identifierIn(s.q);
  if (id?.siret) qb = qb.where('e.siret', '=', id.siret);
  else if (id?.siren) qb = qb.where('e.siret', '>=', id.siren).where('e.siret', '<', id.siren + 'A');
  else {
    const { terms, matched } = matchedTerms(s.q);
    if (!terms.length) {
      // no words
    } else if (words === 'driving' && lead !== undefined && dialectOf(db) === 'postgres') {
      // PostgreSQL, plan `lead`: the index reads the rarest word's rows; `is true` keeps the
      // planner from using the index for the whole condition, which is tested on each row.
      qb = qb.where(fullTextMatch(db, 'establishments', 'e', 'search_text', [lead]) as never).where(sql<boolean>`(${fullTextMatch(db, 'establishments', 'e', 'search_text', matched)}) is true` as never);
    } else if (words === 'driving') qb = withFullTextJoin(db, qb, 'establishments', 'e', 'search_text', matched);
    else if (words === 'name-starts') {
      // Names starting with the words typed, read from the (status, sort_name) index. Each such
      // name holds every word as a prefix of its words (the name leads the search text), so
      // these rows match the full-text condition without testing it — testing it row by row
      // cost FTS5 a whole evaluation each (seconds for two words).
      const text = terms.join(' ');
      qb = qb.where('e.sort_name', '>=', text).where('e.sort_name', '<', text + '~');
    } else qb = qb.where(fullTextMatch(db, 'establishments', 'e', 'search_text', matched) as never);
  }
  // A SIREN/SIRET typed: the status is tested on the few rows of the SIRET range, not used to pick
  // an index — SQLite without statistics (any fresh import) took a (status, …) index and walked
  // the whole registry: 6.9–10 s at a million rows.
  if (s.status !== 'all') qb = id ? qb.where(sql<boolean>`e.status || '' = ${s.status}` as never) : qb.where('e.status', '=', s.status);
  if (s.zone) qb = qb.where(zoneCondition(s.zone) as never);
  for (const f of FACETS) {
    if (f === except) continue;
    const values = s.filters[f];
    if (!values.length) continue;
    if (f === 'tag') {
      qb = qb.where('e.company_id', 'in', (eb: any) =>
        eb.selectFrom('registry_company_tags as ct').innerJoin('registry_tags as t', 't.id', 'ct.tag_id').select('ct.company_id').where('t.name', 'in', values),
      );
    } else qb = qb.where(`e.${FACET_COLUMN[f]}` as never, 'in', values as never);
  }
  // A commune filtered: its département too, which every row of the commune carries (derived from
  // the commune code, derivedColumns). The facet index leads with the département (status,
  // department, commune_code, …); without it both databases read every département's part of the
  // index to find one commune (section=I&commune=42218 at 1 M: 8,500 index pages, 66 ms warm on
  // PostgreSQL, against a range of 4,000 entries).
  const communes = except === 'commune' ? [] : s.filters.commune;
  const departments = [...new Set(communes.map(departmentOf))];
  if (communes.length && !departments.includes(null)) qb = qb.where('e.department', 'in', departments as string[]);
  return qb;
}

export interface SearchItem {
  id: number;
  companyId: number;
  siret: string | null;
  siren: string | null;
  name: string;
  sign: string | null;
  isHeadOffice: boolean;
  status: 'active' | 'closed';
  diffusion: 'public' | 'partial';
  nafCode: string | null;
  legalForm: string | null;
  headcountBand: string | null;
  streetNumber: string | null;
  streetType: string | null;
  streetName: string | null;
  postalCode: string | null;
  city: string | null;
  communeCode: string | null;
  creationDate: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface SearchResult {
  items: SearchItem[];
  /** the number of matches, or COUNT_BOUND when there are more and they were not all counted */
  total: number;
  /** false when `total` is the bound: more matches than COUNT_BOUND, not counted (ask `exact`) */
  totalExact: boolean;
  /** counted over the same matches as `total` (over the first COUNT_BOUND when it is not exact) */
  facets: Record<FacetName, { value: string; count: number }[]>;
}

export interface SearchOptions {
  /** compute the facet counts (default true); false: the page and the total only */
  facets?: boolean;
  /** count every match of a search with words, however many (total and facets): "compter exactement" */
  exact?: boolean;
  /** COUNT_BOUND and RANK_CANDIDATES, lowered by tests to cross them on a small registry */
  countBound?: number;
  rankCandidates?: number;
  /** PostgreSQL: how the first matches are read, whatever the sample says (Scored's `plan`) — tests check all give the same page */
  plan?: DrivingPlan;
}

/**
 * Counting stops here (ADR 0013): a search with words counts its matches up to this bound and
 * says "more than 10,000" beyond, with a link that counts exactly. Visiting the 130,000 matches
 * of a broad prefix ("boul" at a million rows) is what cost 150–300 ms (SQLite) and up to 3 s
 * (PostgreSQL); visiting 10,001 of them costs a few milliseconds. parseSearch's page cap (400
 * pages of 25) is the same 10,000 rows.
 */
export const COUNT_BOUND = 10_000;
/**
 * Relevance ranks at most about twice this many candidates of a broad search: the names starting
 * with the first word typed, in name order (an index range), and as many matches in the
 * engine's own order. When the matches are fewer (every narrow search) the candidates are all of
 * them and the order is exact. A page deeper than the candidates ranks every match.
 */
export const RANK_CANDIDATES = 1_000;

const base = (db: RegistryDb): EstQuery => db.selectFrom('establishments as e');

export function itemColumns(qb: EstQuery) {
  return qb
    .innerJoin('companies as c', 'c.id', 'e.company_id')
    .select([
      'e.id', 'e.company_id as companyId', 'e.siret', 'c.siren', 'c.name', 'e.sign', 'e.is_head_office as isHeadOffice', 'e.status', 'e.diffusion',
      'e.naf_code as nafCode', 'e.legal_form as legalForm', 'e.headcount_band as headcountBand', 'e.street_number as streetNumber',
      'e.street_type as streetType', 'e.street_name as streetName', 'e.postal_code as postalCode', 'e.city', 'e.commune_code as communeCode',
      'e.creation_date as creationDate', 'e.latitude', 'e.longitude',
    ]);
}

export function orderSearch(qb: any, s: SearchQuery) {
  switch (s.sort) {
    case 'name':
      return qb.orderBy('e.sort_name').orderBy('e.id');
    case 'created':
      return qb.orderBy('e.creation_date', 'desc').orderBy('e.id');
    case 'headcount':
      // INSEE band codes sort by size except NN (unknown): put it last.
      return qb.orderBy(sql`case when e.headcount_band = 'NN' or e.headcount_band is null then '' else e.headcount_band end`, 'desc').orderBy('e.id');
    default:
      // Without words, relevance is the name order (with words, see searchMatches).
      return qb.orderBy('e.sort_name').orderBy('e.id');
  }
}

/**
 * Counts (total + facets) of recent searches, per process. Counting a broad search means
 * visiting most of a million index entries seven times; the registry changes monthly (imports)
 * and by single edits, so counts up to a minute old are acceptable, and every registry write
 * in this process clears the cache at once. Results themselves are never cached.
 */
const COUNT_TTL_MS = 60_000;
type Counts = { total: number; totalExact: boolean; facets: SearchResult['facets'] };
const countCache = new Map<string, Counts & { at: number }>();
export function invalidateSearchCache(): void {
  countCache.clear();
  raritySamples.clear();
}
function countKey(db: RegistryDb, s: SearchQuery, exact: boolean, bound = COUNT_BOUND): string {
  return JSON.stringify([dbId(db), normaliseSearchText(s.q), s.filters, s.status, s.zone ?? null, exact || bound]);
}
const dbIds = new WeakMap<object, number>();
let dbSeq = 0;
/** One cache per database handle (tests run several databases in one process). */
function dbId(db: RegistryDb): number {
  let id = dbIds.get(db);
  if (id === undefined) dbIds.set(db, (id = ++dbSeq));
  return id;
}

/**
 * What a search with words keeps of each match: enough to count every facet and sort. On SQLite
 * the matches are read through the narrow index that holds exactly these columns (migration
 * 2026-11-29T0210): copying the 119,000 active matches of "boul" at 1M took 116 ms instead of
 * 205 ms through the wide rows.
 */
const MATCH_COLUMNS = ['e.id', 'e.company_id', 'e.sort_name', 'e.creation_date', 'e.headcount_band', 'e.department', 'e.commune_code', 'e.naf_section', 'e.naf_division', 'e.legal_form'];
/** And the status and head office, which the narrow index lacks (the sorted deep pages and exact=1 read them from the copy). */
const RANK_COLUMNS = [...MATCH_COLUMNS, 'e.status', 'e.is_head_office'];
/** Establishments read by a scan on PostgreSQL (scoreTerms' `scan`). */
const scannedBase = (db: RegistryDb) => (db as any).selectFrom(scannedTable(db, 'establishments', 'e')) as EstQuery;
/** Establishments read through a named index on SQLite (platform tableThroughIndex); the plain table on PostgreSQL. */
const throughIndex = (db: RegistryDb, sqliteIndex: string) => (db as any).selectFrom(tableThroughIndex(db, 'establishments', 'e', sqliteIndex)) as EstQuery;
const matchesBase = (db: RegistryDb) => throughIndex(db, 'establishments_lookup_idx');

/** The search items of these ids with their company, in the ids' order (a page chosen by ids first). */
async function itemsInOrder(db: RegistryDb, ids: number[]): Promise<unknown[]> {
  if (!ids.length) return [];
  const rows = (await itemColumns(base(db).where('e.id', 'in', ids)).execute()) as { id: number }[];
  const byId = new Map(rows.map((x) => [x.id, x]));
  return ids.map((id) => byId.get(id)).filter(Boolean);
}

/**
 * The words of a registry search. "et" goes: names write it "&" as often as "ET", and "&" is not
 * a word once normalised, so "atelier et fils" must find "ATELIER & FILS" (unless "et" is all
 * that was typed).
 */
export function registryTerms(q: string): string[] {
  const terms = searchTerms(q);
  const kept = terms.filter((w) => w !== 'et');
  return kept.length ? kept : terms;
}

/**
 * The words of a search as the full-text index is asked for them, and as the score weighs them:
 * each reduced to its plural stem (`terms`), the finished words whole and the last (or a stem) a
 * prefix (`matched`, platform typedTerms: PostgreSQL's GIN cost).
 */
function matchedTerms(q: string): { terms: string[]; matched: SearchTerm[] } {
  const typed = registryTerms(q);
  const terms = typed.map(pluralStem);
  return { terms, matched: typedTerms(terms, typed.map((w, i) => terms[i] !== w)) };
}

/**
 * Relevance is a score (ADR 0016), the same SQL on both databases over the ranked rows, in
 * integers so both compute the same numbers: for each word typed, its rarity (`idf`, below) times
 * the weight of the best field it is found in:
 *  - 10 a whole word of the name (with its plural marks), 6 the start of a word of the name (the
 *    last word, still being typed: "boulangerie dub");
 *  - 5 the other names: acronym, usual names, trade name (enseigne);
 *  - 2 anywhere else: street, postal code, town, contacts, identifiers.
 * Plus, in units of the words' total rarity S: +S when the name starts with the first word,
 * +S when it starts with the words typed, whole, +2S when it is exactly them. Then exact
 * postal-code hits first (a 5-digit word equal to the establishment's postal code); ties: active
 * before closed, the shorter name, the head office, by name, by id.
 *
 * Fields are told apart without a second index: the search text (search-text.ts) is the name,
 * then the other names, then the SIREN and SIRET, then the address and the contacts, and
 * `sort_name` is the name. A word found before the name's length is in the name; found before
 * the SIREN, in the other names. A record without SIRET (typed by hand) has no marker: its other
 * names count as "anywhere else". Every word has been normalised to [a-z0-9], so none can carry
 * a LIKE wildcard.
 */
interface ScoreTerm {
  word: string;
  /** finished (matched whole, with its plural marks), or a prefix (the last word, a stem) */
  whole: boolean;
  /** rarity weight, a positive integer */
  idf: number;
}

/**
 * Term rarity is sampled: the first RARITY_SAMPLE ids of the registry say how many rows hold each
 * word (platform fullTextSample: a bounded read on both databases). A registry smaller than that
 * is counted whole, so the relevance set sees exact counts. The rarity of one word alone does not
 * change an order, so a one-word search reads no sample.
 */
export const RARITY_SAMPLE = 5_000;
type RaritySample = { at: number; lo: number; hi: number; rows?: number; span: number; df: Map<string, number> };
const raritySamples = new Map<number, RaritySample>();

async function raritySample(db: RegistryDb): Promise<RaritySample> {
  const id = dbId(db);
  const hit = raritySamples.get(id);
  if (hit && Date.now() - hit.at < COUNT_TTL_MS) return hit;
  // Two subqueries: SQLite reads min() and max() from the primary key only when each is alone
  // (together in one select it scanned the table, 50–90 ms at 1 M).
  const r = (await sql<{ lo: number | null; hi: number | null }>`select (select min(id) from establishments) as lo, (select max(id) from establishments) as hi`.execute(db)).rows[0];
  const lo = Number(r?.lo ?? 0);
  const sample: RaritySample = { at: Date.now(), lo, hi: lo + RARITY_SAMPLE - 1, span: Number(r?.hi ?? 0) - lo + 1, df: new Map() };
  raritySamples.set(id, sample);
  return sample;
}

/**
 * PostgreSQL: how the first matches of a search with several words are read.
 *  - `index`: through the GIN index, all the words at once. The index builds the bitmap of every
 *    row holding each word before a LIMIT can act: a prefix of "lyon" merges hundreds of thousands.
 *  - `scan`: the table read in order until enough rows match, when the words together are common.
 *  - `lead`: the GIN bitmap of the rarest word alone, each of its rows tested for all the words —
 *    `restaurant lyon` at 1 M, warm: 15 ms, against 32 ms scanning 66,000 rows (and `lyon`'s
 *    bitmap, 400,000 entries, never built).
 * All three read the rows in their physical order, so they return the same rows.
 */
export type DrivingPlan = 'index' | 'scan' | 'lead';

interface Scored {
  terms: ScoreTerm[];
  plan: DrivingPlan;
  /** the rarest word in the sample (plan `lead`) */
  lead?: SearchTerm;
}

/** The words of a search as the score weighs them (the same words and forms as the match). */
async function scoreTerms(db: RegistryDb, q: string, candidates = RANK_CANDIDATES): Promise<Scored> {
  const { matched } = matchedTerms(q);
  const out = matched.map((t) => (typeof t === 'string' ? { word: t, whole: false, idf: 10 } : { word: t.word, whole: true, idf: 10 }));
  if (out.length < 2) return { terms: out, plan: 'index' };
  const sample = await raritySample(db);
  const postgres = dialectOf(db) === 'postgres';
  const key = (t: SearchTerm[]) => t.map((x) => (typeof x === 'string' ? `${x}*` : x.word)).join(' ');
  // each word alone, and (PostgreSQL, to choose the plan) all of them together
  const sets = [...matched.map((t) => [t]), ...(postgres ? [matched] : [])];
  const missing = sets.filter((t) => !sample.df.has(key(t)));
  if (missing.length || sample.rows === undefined) {
    const r = await fullTextSample(db, 'establishments', 'search_text', missing, sample.lo, sample.hi);
    sample.rows = r.rows;
    missing.forEach((t, i) => sample.df.set(key(t), r.counts[i]));
  }
  const n = sample.rows ?? 0;
  const df = matched.map((t) => sample.df.get(key([t])) ?? 0);
  // BM25's idf, ×10 and rounded: ~7 for a word in half the rows, ~46 in 1 %, ~85 in none of 5,000.
  const weighted = out.map((t, i) => ({ ...t, idf: Math.max(1, Math.round(10 * Math.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5)))) }));
  if (!postgres || n === 0) return { terms: weighted, plan: 'index' };
  const together = sample.df.get(key(matched)) ?? 0;
  if (together < 5) return { terms: weighted, plan: 'index' };
  // Each plan's cost in index entries merged, from the sample. A row scanned costs about ten
  // entries — measured at 1 M (load 6–8), 1.1–2.5 µs a row scanned against 0.11–0.19 µs an entry
  // merged: `rue victor hugo` scans 29,000 rows (74 ms, the bitmap 116 ms). A row fetched through
  // the rarest word's bitmap and tested costs twice a row scanned (its page is elsewhere): at 1 M,
  // warm, `restaurant lyon` fetches 3,500 rows of `restaurant`'s 51,000 in 15 ms.
  const rows = (x: number) => (sample.span * x) / n;
  const rarest = df.indexOf(Math.min(...df));
  const costs: [DrivingPlan, number][] = [
    ['index', rows(df.reduce((a, b) => a + b, 0))],
    ['scan', (10 * candidates * n) / together],
    ['lead', rows(df[rarest]) + (20 * candidates * df[rarest]) / together],
  ];
  const [plan] = costs.reduce((best, c) => (c[1] < best[1] ? c : best));
  return { terms: weighted, plan, lead: matched[rarest] };
}

/** What the score reads of each ranked row. */
const SCORE_COLUMNS = ['e.id', 'e.status', 'e.is_head_office', 'e.sort_name', 'e.siret', 'e.postal_code', 'e.search_text'] as const;
type ScoreRow = { id: number; status: string; is_head_office: number; sort_name: string | null; siret: string | null; postal_code: string | null; search_text: string | null };

/**
 * A page of the rows of `pool` (SCORE_COLUMNS of some establishments) ordered by relevance: the
 * page's items (itemColumns) with `found`, the number of rows in the pool. One statement: the
 * name, the other names and the whole text are cut once per row (`r`), scored, the page kept
 * (`t`, with its sort keys), then its rows and companies read and put back in that order. Reading
 * the page's rows was a second statement, a second round trip to a read worker or to PostgreSQL
 * (0.5–2 ms at 1 M).
 */
function rankedItems(db: RegistryDb, pool: SelectQueryBuilder<any, any, any>, s: SearchQuery, terms: ScoreTerm[], limit: number, offset: number) {
  const len = sql`length(c.sort_name)`;
  const ids = sql`coalesce(${textPosition(db, sql`c.search_text`, sql`' ' || substr(c.siret, 1, 9) || ' '`)}, 0)`;
  // The pool is gathered once into a materialized CTE `p` (SQLite and PostgreSQL both keep it as
  // a work table): `found` is then a count over that table instead of `count(*) over ()`, a window
  // that buffered every ranked row a second time before the sort — 6.1 → 5.1 ms for `boulangerie`
  // at 1 M on SQLite (bench/registry-search.md, 2026-12-07 afternoon).
  const withPool = db.with((cte) => cte('p').materialized(), () => pool);
  const cut = db
    .selectFrom(sql<ScoreRow>`p`.as('c'))
    .select([
      'c.id', 'c.status', 'c.is_head_office', 'c.sort_name', 'c.postal_code',
      sql<string>`' ' || c.sort_name || ' '`.as('n'),
      sql<string>`' ' || case when ${ids} > ${len} + 1 then substr(c.search_text, ${len} + 2, ${ids} - ${len} - 2) else '' end || ' '`.as('o'),
    ]);
  const lit = (n: number) => sql.lit(n);
  const total = terms.reduce((a, t) => a + t.idf, 0);
  const fields = terms.map((t) => {
    const whole = [t.word, `${t.word}s`, `${t.word}x`].map((w) => sql`r.n like ${`% ${w} %`}`);
    return sql`${lit(t.idf)} * case when ${sql.join(whole, sql` or `)} then 10 when r.n like ${`% ${t.word}%`} then 6 when r.o like ${`% ${t.word}%`} then 5 else 2 end`;
  });
  const text = terms.map((t) => t.word).join(' ');
  const first = terms[0]?.word ?? '';
  const score = terms.length
    ? sql`${sql.join(fields, sql` + `)} + case when r.sort_name like ${`${first}%`} then ${lit(total)} else 0 end + case when r.sort_name = ${text} or r.sort_name like ${`${text} %`} then ${lit(total)} else 0 end + case when r.sort_name = ${text} then ${lit(2 * total)} else 0 end`
    : sql`0`;
  const postal = registryTerms(s.q).filter((w) => /^\d{5}$/.test(w));
  // The order, as columns of the page (k0…k5, then the id) so that the outer query sorts its
  // 25 rows again: a join does not keep its input's order.
  const page = db
    .selectFrom(cut.as('r'))
    .select([
      'r.id',
      sql<number>`(select count(*) from p)`.as('found'),
      (postal.length ? sql<number>`case when r.postal_code in (${sql.join(postal)}) then 0 else 1 end` : sql<number>`0`).as('k0'),
      sql<number>`${score}`.as('k1'),
      sql<number>`case when r.status = 'active' then 0 else 1 end`.as('k2'),
      sql<number>`length(r.sort_name)`.as('k3'),
      'r.is_head_office as k4',
      'r.sort_name as k5',
    ])
    .orderBy('k0').orderBy('k1', 'desc').orderBy('k2').orderBy('k3').orderBy('k4', 'desc').orderBy('k5').orderBy('r.id')
    .limit(limit)
    .offset(offset);
  const rows = (withPool as any).selectFrom(page.as('t')).innerJoin('establishments as e', 'e.id', 't.id') as EstQuery;
  return (itemColumns(rows) as SelectQueryBuilder<any, any, SearchItem>)
    .select(sql<number | string>`t.found`.as('found'))
    .orderBy(sql`t.k0`).orderBy(sql`t.k1`, 'desc').orderBy(sql`t.k2`).orderBy(sql`t.k3`).orderBy(sql`t.k4`, 'desc').orderBy(sql`t.k5`).orderBy(sql`t.id`);
}

/** The page's items without the pool's size that came with them. */
const withoutFound = (rows: (SearchItem & { found?: unknown })[]): SearchItem[] => rows.map(({ found: _, ...item }) => item);

/** Results page + total + facet counts (each facet counted under every filter, its own included). */
export async function searchEstablishments(db: RegistryDb, s: SearchQuery, opts: SearchOptions = {}): Promise<SearchResult> {
  opts = { ...opts, exact: opts.exact ?? s.exact };
  const words = hasWords(s);
  const exact = !words || opts.exact === true;
  const key = countKey(db, s, exact, opts.countBound);
  const hit = countCache.get(key);
  const cached = hit && Date.now() - hit.at < COUNT_TTL_MS ? hit : undefined;
  let items: unknown[];
  let counts: Counts;
  if (!words) ({ items, counts } = await searchIndexed(db, s, opts, cached));
  else if (opts.exact) {
    // Every match counted: copied once into a temporary table that the counts, the facets and
    // the page then read (five queries each evaluating the full-text match cost more).
    ({ items, counts } = await withTempTable(db, 'search_matches', applySearch(db, matchesBase(db), s).select(RANK_COLUMNS as never), (conn) => searchMatches(conn, s, opts, cached)));
  } else {
    const page = await searchPage(db, s, opts.rankCandidates ?? RANK_CANDIDATES, opts.plan);
    items = page.items;
    // The page alone (facets loaded apart) counts only what its candidates saw: every match when
    // they were all of them, else "more than RANK_CANDIDATES" — the facet panel then counts up to
    // COUNT_BOUND and refines the figure. Counting 10,001 matches was most of a broad page's time.
    counts = cached ?? (opts.facets === false ? { total: page.all ?? Math.min(opts.rankCandidates ?? RANK_CANDIDATES, COUNT_BOUND), totalExact: page.all !== undefined, facets: noFacets() } : await boundedCounts(db, s, opts));
  }
  if (!cached && opts.facets !== false) {
    if (countCache.size > 500) countCache.delete(countCache.keys().next().value!);
    countCache.set(key, { at: Date.now(), ...counts });
  }
  return { items: (items as any[]).map((x) => ({ ...x, isHeadOffice: x.isHeadOffice === 1 || x.isHeadOffice === true })), total: counts.total, totalExact: counts.totalExact, facets: counts.facets };
}

/** A search with words (not a SIREN/SIRET): its counts are bounded and its facets worth loading apart (ADR 0013). */
export function hasWords(s: SearchQuery): boolean {
  return !identifierIn(s.q) && registryTerms(s.q).length > 0;
}

/** Total and facet counts of a search, without its page: the facet panel loaded after the results. */
export async function searchFacets(db: RegistryDb, s: SearchQuery): Promise<Omit<SearchResult, 'items'>> {
  const exact = !hasWords(s) || s.exact === true;
  const key = countKey(db, s, exact);
  const hit = countCache.get(key);
  if (hit && Date.now() - hit.at < COUNT_TTL_MS) return { total: hit.total, totalExact: hit.totalExact, facets: hit.facets };
  if (exact) return searchEstablishments(db, { ...s, page: 1, perPage: 1 });
  const counts = await boundedCounts(db, s, {});
  if (countCache.size > 500) countCache.delete(countCache.keys().next().value!);
  countCache.set(key, { at: Date.now(), ...counts });
  return counts;
}

/** Every facet, no value counted (a page shown before its facet panel is loaded). */
function noFacets(): SearchResult['facets'] {
  return { section: [], division: [], department: [], commune: [], band: [], form: [], tag: [] };
}

async function searchIndexed(db: RegistryDb, s: SearchQuery, opts: { facets?: boolean }, cached?: Counts): Promise<{ items: unknown[]; counts: Counts }> {
  const filtered = () => applySearch(db, base(db), s);
  // Under a facet filter, one GROUP BY over the covering index of the six facet columns: the
  // planner would serve a per-column GROUP BY from that column's index and fetch every row to
  // test the filter (10 s for department=69 at a million rows). With no filter at all, each
  // column's own index counts it in order, without a sort. Counted first: the count chooses how
  // the page is read.
  const counts = cached ?? (await indexedCounts(db, filtered, s, opts));
  const offset = (s.page - 1) * s.perPage;
  // A SIREN typed: its establishments, head office first (ordered by name, SQLite would walk the
  // (status, sort_name) index to skip a sort of a handful of rows).
  if (identifierIn(s.q) && s.sort === 'relevance') {
    const items = await (itemColumns(filtered()) as any).orderBy('e.is_head_office', 'desc').orderBy('e.siret').limit(s.perPage).offset(offset).execute();
    return { items, counts };
  }
  if ((s.sort === 'name' || s.sort === 'relevance') && (await fewMatches(db, s, counts.total, offset + s.perPage))) {
    // Few matches in name order: read them through the filters' index and sort them, then read
    // the page's 25 rows with their company. Walking the (status, sort_name) index instead tests
    // the filters row by row until the page is full: section=I&commune=42218 at 1 M (3,977
    // matches) read 14,400 rows, 97 ms on PostgreSQL, against 25–33 ms this way; joining the
    // company before the sort (3,977 lookups) cost SQLite half of its 19 ms. `sort_name || ''` is
    // the same order without that index.
    const page = ((await (filtered() as any).select('e.id').orderBy(sql`e.sort_name || ''`).orderBy('e.id').limit(s.perPage).offset(offset).execute()) as { id: number }[]).map((x) => x.id);
    return { items: await itemsInOrder(db, page), counts };
  }
  const items = await orderSearch(itemColumns(filtered()), s).limit(s.perPage).offset(offset).execute();
  return { items, counts };
}

/**
 * A search without words whose matches are few enough to sort: sorting reads each match once;
 * walking the name index reads about `rows × registry / matches` rows, each tested (taken ×4:
 * the matches are not spread evenly in name order, and each row tested is a random read). At
 * 1 M that is under 10,000 matches for the first page. Only filtered searches qualify.
 */
async function fewMatches(db: RegistryDb, s: SearchQuery, total: number, rows: number): Promise<boolean> {
  if (!FACETS.some((f) => s.filters[f].length) && !s.zone) return false;
  const { span } = await raritySample(db);
  return total * total < 4 * rows * span;
}

/**
 * The page of a search with words, without visiting every match (ADR 0013). Sorted by a column,
 * the column's index is read in order and stops at the page. By relevance, the candidates are
 * ranked (RANK_CANDIDATES); `all` is the number of matches when the candidates were all of them.
 */
async function searchPage(db: RegistryDb, s: SearchQuery, candidates: number, forced?: DrivingPlan): Promise<{ items: unknown[]; all?: number }> {
  const offset = (s.page - 1) * s.perPage;
  if (s.sort !== 'relevance') return { items: await orderSearch(itemColumns(applySearch(db, base(db), s)), s).limit(s.perPage).offset(offset).execute() };
  if (offset + s.perPage > candidates) {
    // Deeper than the candidates: every match ranked (the counts are not needed here).
    return withTempTable(db, 'search_matches', applySearch(db, matchesBase(db), s).select(RANK_COLUMNS as never), async (conn) => ({ items: await rankedPage(conn, s) }));
  }
  const scored = await scoreTerms(db, s.q, candidates);
  // The candidates: up to `candidates` matches in the engine's order, and as many names starting
  // with the words typed (the best scores start so), read in name order from the (status,
  // sort_name) index. Such names match, so when the first part is short it holds every match and
  // the union is exactly it. One statement gathers, scores and pages them: sending the ~2,000 ids
  // back to be ranked cost PostgreSQL 15–50 ms at 1 M (planning 2,000 parameters, reading the
  // rows again).
  const plan = forced ?? scored.plan;
  const lead = plan === 'lead' ? (scored.lead ?? matchedTerms(s.q).matched[0]) : undefined;
  const driving = applySearch(db, plan === 'scan' ? scannedBase(db) : base(db), s, undefined, 'driving', lead).select(SCORE_COLUMNS).limit(candidates);
  const starting = applySearch(db, base(db), s, undefined, 'name-starts').select(SCORE_COLUMNS).orderBy('e.sort_name');
  // SQLite's (status, sort_name) index holds the rowid: (sort_name, id) is its order, read up to
  // the limit. PostgreSQL's holds no id, so `order by sort_name, id` sorts the names within the
  // range, and when the planner under-estimates a short prefix's range (`meca` at 1 M: 1 row
  // estimated, 6,518 read) it sorts all of them before the limit: 22 ms against 1.7 ms in index
  // order. There the names are read in index order up to the last one tied with the limit's (the
  // same rows as SQLite's, plus the rest of that last name's ties), bounded at twice the limit.
  const named =
    dialectOf(db) === 'postgres'
      ? db.selectFrom(starting.fetch(candidates, 'with ties').as('t')).selectAll().limit(2 * candidates)
      : starting.orderBy('e.id').limit(candidates);
  const pool = db.selectFrom(driving.as('d')).selectAll().union(db.selectFrom(named.as('n')).selectAll());
  const ranked = await rankedItems(db, pool, s, scored.terms, s.perPage, offset).execute();
  let found = ranked.length ? Number(ranked[0].found) : undefined;
  if (found === undefined && offset > 0) {
    const r = await db.selectFrom(pool.as('p')).select(sql<number>`count(*)`.as('n')).executeTakeFirst();
    found = Number(r?.n ?? 0);
  }
  const complete = (found ?? 0) < candidates;
  return { items: withoutFound(ranked), all: complete ? (found ?? 0) : undefined };
}

/** A page ranked over every match (the temporary table `search_matches`). */
async function rankedPage(db: RegistryDb, s: SearchQuery): Promise<unknown[]> {
  if (s.sort === 'relevance') {
    // Scored as the candidates are (rankedItems), on the establishments' own rows.
    const pool = (db as any).selectFrom('search_matches as m').innerJoin('establishments as e', 'e.id', 'm.id').select(SCORE_COLUMNS);
    return withoutFound(await rankedItems(db, pool, s, (await scoreTerms(db, s.q)).terms, s.perPage, (s.page - 1) * s.perPage).execute());
  }
  const matches = (db as any).selectFrom('search_matches as e') as EstQuery;
  const ids = ((await (orderSearch(matches, s) as any).select('e.id').limit(s.perPage).offset((s.page - 1) * s.perPage).execute()) as { id: number }[]).map((x) => x.id);
  return itemsInOrder(db, ids);
}

/**
 * Total and facets of a search with words, over its first COUNT_BOUND + 1 matches (copied into a
 * temporary table, at most 10,001 rows): exact when there are no more, else the total is the
 * bound and the facets count those first matches.
 */
async function boundedCounts(db: RegistryDb, s: SearchQuery, opts: SearchOptions): Promise<Counts> {
  const bound = opts.countBound ?? COUNT_BOUND;
  const first = applySearch(db, matchesBase(db), s, undefined, 'driving').select(MATCH_COLUMNS as never).limit(bound + 1);
  if (opts.facets === false) {
    const r = (await (db as any).selectFrom((first as any).as('m')).select(sql<number>`count(*)`.as('n')).executeTakeFirst()) as { n: number } | undefined;
    const n = Number(r?.n ?? 0);
    return { total: Math.min(n, bound), totalExact: n <= bound, facets: noFacets() };
  }
  return withTempTable(db, 'search_matches', first, async (conn) => {
    const rows = () => (conn as any).selectFrom('search_matches as e') as EstQuery;
    // More than the bound: the facets count exactly `bound` of them, as the note says. The copy is
    // counted first (a count of at most 10,001 rows) so that the facets are counted once — they
    // were counted over all the copy, then again once the extra row was gone (10–40 ms each on
    // PostgreSQL at 1 M, loaded).
    const copied = Number(((await rows().select(sql<number>`count(*)`.as('n')).executeTakeFirst()) as { n: number } | undefined)?.n ?? 0);
    if (copied > bound) await (conn as any).deleteFrom('search_matches').where('id', '=', (eb: any) => eb.selectFrom('search_matches').select(eb.fn.max('id'))).execute();
    const counts = await countAll(conn, rows, s, opts);
    return copied > bound ? { ...counts, total: bound, totalExact: false } : counts;
  });
}

async function searchMatches(db: RegistryDb, s: SearchQuery, opts: SearchOptions, cached?: Counts): Promise<{ items: unknown[]; counts: Counts }> {
  const matches = () => (db as any).selectFrom('search_matches as e') as EstQuery;
  return { items: await rankedPage(db, s), counts: cached ?? (await countAll(db, matches, s, opts)) };
}

/**
 * Total and every facet (platform countByColumns: one scan on PostgreSQL, one GROUP BY per
 * column on SQLite, or one over the covering index of the six columns when a facet filters).
 * A single GROUP BY over the six columns everywhere was the first design: at a million rows it
 * makes ~340,000 combinations and cost 1.5 s for an unfiltered search.
 */
async function countAll(db: RegistryDb, rows: () => EstQuery, s: SearchQuery, opts: { facets?: boolean; combined?: boolean }): Promise<Counts> {
  if (opts.facets === false) {
    const r = (await (rows() as any).select(sql<number>`count(*)`.as('n')).executeTakeFirst()) as { n: number } | undefined;
    return { total: Number(r?.n ?? 0), totalExact: true, facets: noFacets() };
  }
  const { total, byColumn } = await countByColumns(db, rows as never, FACET_ENTRIES.map(([, c]) => `e.${c}`), { combined: opts.combined });
  return { total, totalExact: true, facets: await facetsFrom((c) => byColumn.get(`e.${c}`), rows, s) };
}

const FACET_ENTRIES = Object.entries(FACET_COLUMN) as [Exclude<FacetName, 'tag'>, string][];

/** Facet lists (top N by count, selected values always shown) from value counts per column; tags counted live. */
async function facetsFrom(countsOf: (column: string) => Map<string, number> | undefined, rows: () => EstQuery, s: SearchQuery): Promise<SearchResult['facets']> {
  const facets = {} as SearchResult['facets'];
  for (const [f, c] of FACET_ENTRIES) {
    const counts = [...(countsOf(c) ?? [])].filter(([, count]) => count > 0).map(([value, count]) => ({ value, count }));
    facets[f] = withSelected(counts.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)).slice(0, facetLimit(f)), s, f);
  }
  facets.tag = await tagCounts(rows(), s);
  return facets;
}

/**
 * Counts of a search without words: from the facet summary (exact, kept by triggers) when at most
 * one facet is filtered and no tag, else counted live.
 */
async function indexedCounts(db: RegistryDb, rows: () => EstQuery, s: SearchQuery, opts: { facets?: boolean }): Promise<Counts> {
  const filtered = FACETS.filter((f) => s.filters[f].length);
  // A SIREN or SIRET typed is a filter too: the summary counts the whole file, so such a search
  // is counted live (a handful of rows) — its total, pages and facets follow the number.
  if (opts.facets !== false && filtered.length <= 1 && filtered[0] !== 'tag' && !s.zone && !identifierIn(s.q)) {
    const f = filtered[0] as Exclude<FacetName, 'tag'> | undefined;
    const summary = await summaryCounts(db, s.status === 'all' ? ['active', 'closed'] : [s.status], f ? { column: FACET_COLUMN[f], values: s.filters[f] } : undefined);
    if (summary) return { total: summary.total, totalExact: true, facets: await facetsFrom((c) => summary.byColumn.get(c), rows, s) };
  }
  return countAll(db, rows, s, { ...opts, combined: filtered.length > 0 || Boolean(s.zone) });
}

const facetLimit = (f: FacetName) => (f === 'commune' || f === 'division' ? 15 : 25);
/** Selected values always show, even when the top-N would hide them. */
function withSelected(list: { value: string; count: number }[], s: SearchQuery, f: FacetName) {
  for (const v of s.filters[f]) if (!list.some((x) => x.value === v)) list.push({ value: v, count: 0 });
  return list;
}

/** Tag counts: tags live on companies, in another table. */
async function tagCounts(rows: EstQuery, s: SearchQuery): Promise<{ value: string; count: number }[]> {
  const found = await (rows as any)
    .innerJoin('registry_company_tags as ct', 'ct.company_id', 'e.company_id')
    .innerJoin('registry_tags as t', 't.id', 'ct.tag_id')
    .select(['t.name as value', sql<number>`count(*)`.as('count')])
    .groupBy('t.name')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('t.name')
    .limit(facetLimit('tag'))
    .execute();
  return withSelected((found as { value: string; count: number }[]).map((x) => ({ value: String(x.value), count: Number(x.count) })), s, 'tag');
}

/**
 * The establishments a search matches, as a query on `establishments as e` with every filter of
 * the search applied and nothing selected yet: other modules aggregate over it (the map's
 * clusters, reports), so their counts are the registry's by construction. `sqliteIndex` names the
 * index SQLite reads them through: without statistics its planner prefers any equality (the
 * status, in every search) to a range, so a map's small box was read by walking every active
 * establishment (1.8 s at 1 M for 80 points, module map).
 */
export function matchingEstablishments(db: RegistryDb, s: SearchQuery, opts: { sqliteIndex?: string } = {}): EstQuery {
  return applySearch(db, opts.sqliteIndex ? throughIndex(db, opts.sqliteIndex) : base(db), s);
}

/** A company's establishments as search items (the API's company), head office first, 500 at most. */
export async function companyItems(db: RegistryDb, companyId: number, limit = 500): Promise<SearchItem[]> {
  const rows = await itemColumns(base(db).where('e.company_id', '=', companyId)).orderBy('e.is_head_office', 'desc').limit(limit).execute();
  return rows.map((x) => ({ ...x, isHeadOffice: x.isHeadOffice === 1 }));
}

/** What streamSearch reads for each SearchItem field (the compiler checks none is missing). */
const STREAM_COLUMNS = {
  id: 'e.id', companyId: 'e.company_id', siret: 'e.siret', siren: 'c.siren', name: 'c.name', sign: 'e.sign', isHeadOffice: 'e.is_head_office',
  status: 'e.status', diffusion: 'e.diffusion', nafCode: 'e.naf_code', legalForm: 'e.legal_form', headcountBand: 'e.headcount_band',
  streetNumber: 'e.street_number', streetType: 'e.street_type', streetName: 'e.street_name', postalCode: 'e.postal_code', city: 'e.city',
  communeCode: 'e.commune_code', creationDate: 'e.creation_date', latitude: 'e.latitude', longitude: 'e.longitude',
} as const satisfies Record<keyof SearchItem, string>;

type StreamRow = Omit<SearchItem, 'isHeadOffice'> & { isHeadOffice: number | boolean };

/** One page of streamSearch (wide rows read the fast way of each database: platform selectWide). */
async function streamPage(db: RegistryDb, s: SearchQuery, after: number, limit: number): Promise<StreamRow[]> {
  const qb = (applySearch(db, base(db), s) as any).innerJoin('companies as c', 'c.id', 'e.company_id').where('e.id', '>', after).orderBy('e.id').limit(limit);
  return selectWide<StreamRow>(db, qb, STREAM_COLUMNS);
}

/**
 * Every matching row, streamed in id order by keyset pages (exports at any size, flat memory).
 * The next page is read only when the consumer asks for it: an export waiting on a slow client
 * holds the one page it is writing. (Reading a page ahead did not make PostgreSQL faster.)
 * Pages of 2,000 rows (~0.5 MB of CSV) measured at least as fast as 1,000 or 5,000.
 */
export async function* streamSearch(db: RegistryDb, s: SearchQuery, pageSize = 2000): AsyncGenerator<SearchItem[]> {
  let after = 0;
  for (;;) {
    const rows = await streamPage(db, s, after, pageSize);
    if (!rows.length) return;
    after = rows[rows.length - 1].id;
    // in place: copying every row (spread) was a measurable share of the export's time
    for (const x of rows) x.isHeadOffice = x.isHeadOffice === 1;
    yield rows as SearchItem[];
    if (rows.length < pageSize) return;
  }
}

/** A search with fewer results than this offers a spelling ("Vouliez-vous dire …"). */
export const FEW_RESULTS = 1;

/** Trigrams of a word as pg_trgm counts them (padded with two spaces before, one after). */
function trigrams(w: string): Set<string> {
  const p = `  ${w} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= p.length; i++) out.add(p.slice(i, i + 3));
  return out;
}
function similarity(a: string, b: string): number {
  const x = trigrams(a);
  const y = trigrams(b);
  let common = 0;
  for (const t of x) if (y.has(t)) common++;
  return common / (x.size + y.size - common);
}

/**
 * "Vouliez-vous dire « boulangerie » ?" for a search that found nothing: each word of five letters
 * or more is compared (trigram similarity, as pg_trgm computes it, here in code) with the first
 * words of the registry's names that share its first three letters — the trade words people
 * type ("boulangrie", "plombrie"). Those words are read by skipping through the (status,
 * sort_name) index from one first word to the next (at most 200 seeks), the same on both
 * databases, so both suggest the same word. Proper nouns deeper in names are not suggested.
 */
export async function suggestSpelling(db: RegistryDb, q: string): Promise<string | undefined> {
  if (identifierIn(q)) return undefined;
  const words = registryTerms(q);
  let changed = false;
  const out: string[] = [];
  for (const w of words) {
    if (w.length < 5 || /\d/.test(w)) {
      out.push(w);
      continue;
    }
    const head = w.slice(0, 3);
    let cursor = head;
    let best: { word: string; score: number } | undefined;
    for (let i = 0; i < 200; i++) {
      const row = await db.selectFrom('establishments').select('sort_name').where('status', '=', 'active').where('sort_name', '>=', cursor).where('sort_name', '<', head + '~').orderBy('sort_name').limit(1).executeTakeFirst();
      if (!row) break;
      const first = row.sort_name.split(' ')[0];
      const score = similarity(w, first);
      if (first !== w && score >= 0.4 && (!best || score > best.score)) best = { word: first, score };
      cursor = first + '~';
    }
    if (best) changed = true;
    out.push(best?.word ?? w);
  }
  return changed ? out.join(' ') : undefined;
}
