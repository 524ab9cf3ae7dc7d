// Full-text search, the one place where SQLite and PostgreSQL differ most.
//
// Choice (see src/modules/registry/README.md): the searchable text is normalised IN CODE
// (lower case, accents removed, punctuation → spaces) before it reaches the database, and
// queries are normalised the same way. Both engines then only tokenise on spaces:
//  - SQLite: an FTS5 table (contentless, `contentless_delete=1`) kept in sync by triggers;
//  - PostgreSQL: a stored generated `tsvector` column with the 'simple' configuration + GIN.
// So "societe generale" finds "Société Générale" on both, with no dependency on the
// `unaccent` extension (not creatable everywhere) and no French stemming, which mangles
// company names ("Les Halles" → "hall") more than it helps on a registry of proper nouns.
import { sql, type RawBuilder } from 'kysely';
import { dialectOf, type AnyDb } from './index.js';

const NOT_ASCII = /[^\x00-\x7f]/;
const NOT_WORD = /[^a-z0-9]+/g;

/** Lower case, no accents, ligatures expanded, only [a-z0-9] words separated by one space. */
export function normaliseSearchText(s: string | null | undefined): string {
  if (!s) return '';
  // Plain ASCII (nearly every SIRENE value): decomposing and replacing accents, ligatures and ß
  // change nothing, so lower case and the word split give the same string. A registry first load
  // normalises two strings per establishment; the full way was ~0.8 s of a 200,000-row load (#12).
  if (!NOT_ASCII.test(s)) return s.toLowerCase().replace(NOT_WORD, ' ').trim();
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(NOT_WORD, ' ')
    .trim();
}

/** Words of a user query, normalised; at most 8 (a longer query adds nothing but cost). */
export function searchTerms(q: string): string[] {
  return normaliseSearchText(q).split(' ').filter(Boolean).slice(0, 8);
}

/**
 * Migration helper: makes `table.column` (normalised text) searchable.
 * SQLite: FTS5 table `<table>_fts` whose rowid is the row id, plus triggers.
 * PostgreSQL: generated column `<column>_tsv` and a GIN index.
 */
export async function addFullTextIndex(db: AnyDb, table: string, column: string): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table ${sql.table(table)} add column ${sql.ref(column + '_tsv')} tsvector generated always as (to_tsvector('simple'::regconfig, coalesce(${sql.ref(column)}, ''))) stored`.execute(db);
    await sql`create index ${sql.ref(table + '_fts_idx')} on ${sql.table(table)} using gin (${sql.ref(column + '_tsv')})`.execute(db);
    return;
  }
  const fts = `${table}_fts`;
  await sql.raw(`create virtual table ${fts} using fts5(doc, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 4')`).execute(db);
  await createTriggers(db, table, column);
}

async function createTriggers(db: AnyDb, table: string, column: string): Promise<void> {
  const fts = `${table}_fts`;
  await sql.raw(`create trigger if not exists ${table}_fts_ai after insert on ${table} begin insert into ${fts}(rowid, doc) values (new.id, new.${column}); end`).execute(db);
  await sql.raw(`create trigger if not exists ${table}_fts_ad after delete on ${table} begin delete from ${fts} where rowid = old.id; end`).execute(db);
  await sql
    .raw(`create trigger if not exists ${table}_fts_au after update of ${column} on ${table} when coalesce(old.${column}, '') <> coalesce(new.${column}, '') begin delete from ${fts} where rowid = old.id; insert into ${fts}(rowid, doc) values (new.id, new.${column}); end`)
    .execute(db);
}

/**
 * Bulk loads: stop maintaining the full-text index row by row (SQLite triggers / PostgreSQL GIN
 * index) and rebuild it once at the end with `resumeFullTextIndex`, several times faster.
 * While suspended, searches miss the rows written since; an interrupted load is repaired by
 * calling `resumeFullTextIndex` (it is idempotent).
 */
export async function suspendFullTextIndex(db: AnyDb, table: string): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`drop index if exists ${sql.ref(table + '_fts_idx')}`.execute(db);
    return;
  }
  for (const s of ['ai', 'ad', 'au']) await sql.raw(`drop trigger if exists ${table}_fts_${s}`).execute(db);
}

/** True when the full-text index of `table` is being maintained (not suspended). */
export async function fullTextIndexActive(db: AnyDb, table: string): Promise<boolean> {
  if (dialectOf(db) === 'postgres') {
    const r = await sql<{ n: number }>`select count(*) as n from pg_indexes where indexname = ${table + '_fts_idx'}`.execute(db);
    return Number(r.rows[0]?.n) > 0;
  }
  const r = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'trigger' and name = ${table + '_fts_ai'}`.execute(db);
  return Number(r.rows[0]?.n) > 0;
}

export async function resumeFullTextIndex(db: AnyDb, table: string, column: string): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`create index if not exists ${sql.ref(table + '_fts_idx')} on ${sql.table(table)} using gin (${sql.ref(column + '_tsv')})`.execute(db);
    return;
  }
  if (await fullTextIndexActive(db, table)) return;
  const fts = `${table}_fts`;
  // One statement: FTS5 gets the rows in rowid order and builds large segments.
  await sql.raw(`insert into ${fts}(${fts}) values ('delete-all')`).execute(db);
  await sql.raw(`insert into ${fts}(rowid, doc) select id, ${column} from ${table} order by id`).execute(db);
  await sql.raw(`insert into ${fts}(${fts}) values ('optimize')`).execute(db);
  await createTriggers(db, table, column);
}

/**
 * A word of a full-text search: a prefix (what is being typed: "boulang" finds "Boulangerie") or a
 * whole word (also found followed by the plural marks -s and -x: "rue" finds "rue" and "rues").
 * A plain string is a prefix.
 */
export type SearchTerm = string | { word: string; whole: true };

/**
 * The words a search engine is given for `terms`: the words typed before the last one are whole
 * words (the user finished them), the last one — or one reduced to its plural stem — a prefix.
 * Why: on PostgreSQL a prefix of a short common word ("rue:*", "victor:*") merges the GIN
 * posting lists of every word it starts ("ruelle", "rueil", "victoria", "victorine"…) before the
 * row limit can act: "rue victor hugo" at a million rows went from ~400–500 ms to ~230 ms loaded.
 * `stemmed[i]` says the word was shortened to a stem (pluralStem), which only matches as a prefix.
 */
export function typedTerms(words: string[], stemmed: boolean[] = []): SearchTerm[] {
  return words.map((w, i) => (i === words.length - 1 || stemmed[i] || /\d/.test(w) ? w : { word: w, whole: true as const }));
}

const pgTerm = (t: SearchTerm) => (typeof t === 'string' ? `${t}:*` : `(${t.word} | ${t.word}s | ${t.word}x)`);
const ftsTerm = (t: SearchTerm) => (typeof t === 'string' ? `"${t}"*` : `("${t.word}" OR "${t.word}s" OR "${t.word}x")`);
const ftsQuery = (terms: SearchTerm[]) => terms.map(ftsTerm).join(' AND ');

/**
 * A condition "row of `table` (aliased `alias`) matches every term": each term a prefix, or a
 * whole word (typedTerms).
 */
export function fullTextMatch(db: AnyDb, table: string, alias: string, column: string, terms: SearchTerm[]): RawBuilder<boolean> {
  if (terms.length === 0) return sql<boolean>`1 = 1`;
  if (dialectOf(db) === 'postgres') {
    const query = terms.map(pgTerm).join(' & ');
    return sql<boolean>`${sql.ref(`${alias}.${column}_tsv`)} @@ to_tsquery('simple'::regconfig, ${query})`;
  }
  // FTS5 syntax: "word"* is a prefix query; quoting keeps digits and keywords (AND, OR, NOT) literal.
  const query = ftsQuery(terms);
  return sql<boolean>`${sql.ref(`${alias}.id`)} in (select rowid from ${sql.table(`${table}_fts`)} where ${sql.table(`${table}_fts`)} match ${query})`;
}

/**
 * The same condition as `fullTextMatch`, with the full-text index driving the query: on SQLite
 * the FTS5 table is joined (alias `<alias>_fts`) and read in rowid order, so a LIMIT stops the
 * scan after that many matches. `id IN (select rowid …)` (fullTextMatch) first materialises every
 * match: 134,000 rowids for "boul" at a million rows, 85–150 ms before the first row, against
 * 1–3 ms for the first 1,000 this way. Use it for bounded reads (a first page, a bounded count);
 * keep fullTextMatch where every match is visited anyway. PostgreSQL: the same GIN condition.
 */
export function withFullTextJoin<Q extends { innerJoin: unknown; where: unknown }>(db: AnyDb, qb: Q, table: string, alias: string, column: string, terms: SearchTerm[]): Q {
  if (terms.length === 0) return qb;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const q = qb as any;
  if (dialectOf(db) === 'postgres') return q.where(fullTextMatch(db, table, alias, column, terms));
  const fts = `${table}_fts`;
  const f = `${alias}_fts`;
  if (!/^[a-z_]+$/.test(fts) || !/^[a-z_]+$/.test(f)) throw new Error(`withFullTextJoin: bad name ${fts}`);
  const query = ftsQuery(terms);
  return q.innerJoin(sql.raw(`${fts} as ${f}`), (j: { onRef: (a: string, op: string, b: string) => unknown }) => j.onRef(`${f}.rowid`, '=', `${alias}.id`)).where(sql`${sql.ref(`${f}.${fts}`)} match ${query}`);
}

/**
 * A document-frequency sample for a relevance score's term rarity (ADR 0016): among the rows of
 * `table` with `lo <= id <= hi`, how many there are and how many match each conjunction of terms
 * (`sets`, each a list of terms all required). The same counts on both databases: FTS5 reads each
 * doclist within the rowid range; PostgreSQL tests every row of the range once, all sets in one
 * pass — its GIN index would build each common word's whole bitmap first.
 */
export async function fullTextSample(db: AnyDb, table: string, column: string, sets: SearchTerm[][], lo: number, hi: number): Promise<{ rows: number; counts: number[] }> {
  if (!/^[a-z_]+$/.test(table) || !/^[a-z_]+$/.test(column)) throw new Error(`fullTextSample: bad name ${table}.${column}`);
  if (dialectOf(db) === 'postgres') {
    const counts = sets.map((t, i) => sql`count(*) filter (where ${sql.ref(`${column}_tsv`)} @@ to_tsquery('simple'::regconfig, ${t.map(pgTerm).join(' & ')}))`.as(`n${i}`));
    const r = await sql<Record<string, string | number>>`select ${sql.join([sql`count(*)`.as('rows'), ...counts])} from ${sql.table(table)} where id between ${lo} and ${hi}`.execute(db);
    return { rows: Number(r.rows[0]?.rows ?? 0), counts: sets.map((_, i) => Number(r.rows[0]?.[`n${i}`] ?? 0)) };
  }
  const fts = `${table}_fts`;
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) throw new Error('fullTextSample: bad range');
  const rows = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where id between ${lo} and ${hi}`.execute(db);
  const counts: number[] = [];
  for (const t of sets) {
    // The range as literals: with bound parameters FTS5 read the whole doclist ("lyon"* at 1 M:
    // 24–81 ms against 0.2 ms).
    const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(fts)} where ${sql.table(fts)} match ${ftsQuery(t)} and rowid between ${sql.lit(lo)} and ${sql.lit(hi)}`.execute(db);
    counts.push(Number(r.rows[0]?.n ?? 0));
  }
  return { rows: Number(rows.rows[0]?.n ?? 0), counts };
}

/** `strpos` (PostgreSQL) / `instr` (SQLite): 1-based position of `needle` in `hay`, 0 when absent. */
export function textPosition(db: AnyDb, hay: RawBuilder<unknown>, needle: RawBuilder<unknown>): RawBuilder<number> {
  return dialectOf(db) === 'postgres' ? sql<number>`strpos(${hay}, ${needle})` : sql<number>`instr(${hay}, ${needle})`;
}

/**
 * `table as alias` read by a plain scan on PostgreSQL (`offset 0` keeps the planner from pushing
 * the full-text condition into the GIN index), for a bounded read of common words that the scan
 * finishes sooner than the index's bitmap (ADR 0016). SQLite: the table itself — FTS5 already
 * stops at the LIMIT.
 */
export function scannedTable(db: AnyDb, table: string, alias: string): RawBuilder<unknown> | string {
  if (dialectOf(db) !== 'postgres') return `${table} as ${alias}`;
  if (!/^[a-z_]+$/.test(table) || !/^[a-z_]+$/.test(alias)) throw new Error(`scannedTable: bad name ${table}`);
  return sql.raw(`(select * from ${table} offset 0) as ${alias}`);
}
