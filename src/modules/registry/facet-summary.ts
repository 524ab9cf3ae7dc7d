// Facet counts of the whole registry and under one facet filter, kept exact by triggers.
//
// Why: opening the registry (no words, no filter) or browsing a département means counting six
// facets over hundreds of thousands of establishments — 0.4–0.6 s on SQLite and seconds on
// PostgreSQL at a million rows, on every visit. These counts change only when an
// establishment's status or facet columns change, so a summary table holds them: per status,
// one row per facet value (f1, v1), one per pair of values of two facets (f1, v1, f2, v2), and
// the total (f1 = '*'). Triggers on `establishments` apply every insert, delete and update as
// +1/-1 in the same transaction, so the summary is never stale. A bulk first load suspends the
// triggers and rebuilds the table once at the end (like the full-text index).
// Searches with words, with a tag, or filtering two facets or more are counted live (they are
// narrower); see search.service.ts.
import { sql } from 'kysely';
import { bulkInsert, type BulkValue } from '../../platform/db/bulk.js';
import { dialectOf } from '../../platform/db/index.js';
import { copyRows } from './import-copy.js';
import type { RegistryDb } from './registry.table.js';
import { FACET_COLUMNS } from './search-text.js';
import { createSummaryTriggers, dropSummaryTriggers, summaryTriggersActive, type SummaryTriggers } from '../../platform/db/triggers.js';

/** Establishment columns summarised: the search's facet columns. Their order orients the pairs stored. */
export const SUMMARY_COLUMNS = Object.values(FACET_COLUMNS);
type Column = (typeof SUMMARY_COLUMNS)[number];
const PAIRS: [Column, Column][] = SUMMARY_COLUMNS.flatMap((a, i) => SUMMARY_COLUMNS.slice(i + 1).map((b) => [a, b] as [Column, Column]));

const TRIGGERS: SummaryTriggers = {
  name: 'establishments_facet_counts',
  table: 'establishments',
  updateOf: ['status', ...SUMMARY_COLUMNS],
  statements: (row, sign) => {
    const upsert = (f1: string, v1: string, f2: string, v2: string, when: string) =>
      `insert into registry_facet_counts (status, f1, v1, f2, v2, n) select ${row}.status, '${f1}', ${v1}, '${f2}', ${v2}, ${sign} where ${when} ` +
      `on conflict (status, f1, v1, f2, v2) do update set n = registry_facet_counts.n + excluded.n`;
    return [
      upsert('*', `''`, '', `''`, 'true'),
      ...SUMMARY_COLUMNS.map((c) => upsert(c, `${row}.${c}`, '', `''`, `${row}.${c} is not null`)),
      ...PAIRS.map(([a, b]) => upsert(a, `${row}.${a}`, b, `${row}.${b}`, `${row}.${a} is not null and ${row}.${b} is not null`)),
    ];
  },
};

/**
 * Summaries of establishments other modules keep with the same triggers (the map's grid cells):
 * a bulk load suspends and rebuilds them with the registry's own, so a million-row first import
 * does not run their upserts row by row. Registered by the owning module's index.ts.
 */
export interface EstablishmentSummary {
  triggers: SummaryTriggers;
  /** SQL statements (both dialects) that empty and recount the summary, run in order */
  rebuild: readonly string[];
}
const extraSummaries: EstablishmentSummary[] = [];
export function registerEstablishmentSummary(s: EstablishmentSummary): void {
  if (!extraSummaries.some((x) => x.triggers.name === s.triggers.name)) extraSummaries.push(s);
}

/** In the caller's transaction when given one (the command-line import is one transaction), else in a new one. */
const inTransaction = (db: RegistryDb, fn: (trx: RegistryDb) => Promise<void>): Promise<void> => (db.isTransaction ? fn(db) : db.transaction().execute(fn));

/** Bulk loads: stop maintaining the summary row by row (rebuilt by `ensureFacetSummary`). */
export async function suspendFacetSummary(db: RegistryDb): Promise<void> {
  await dropSummaryTriggers(db, TRIGGERS);
  for (const x of extraSummaries) await dropSummaryTriggers(db, x.triggers);
}

/** Puts the triggers back and rebuilds the summary if they were missing (first import, interrupted bulk load). */
export async function ensureFacetSummary(db: RegistryDb): Promise<void> {
  for (const x of extraSummaries) await ensureEstablishmentSummary(db, x);
  if (await summaryTriggersActive(db, TRIGGERS)) return;
  // Triggers and rebuild in one transaction: no write can fall between the two.
  await inTransaction(db, async (trx) => {
    await createSummaryTriggers(trx, TRIGGERS);
    await rebuildFacetSummary(trx);
  });
}

/** One registered summary: triggers and a rebuild in one transaction, when its triggers are missing. */
export async function ensureEstablishmentSummary(db: RegistryDb, x: EstablishmentSummary): Promise<void> {
  if (await summaryTriggersActive(db, x.triggers)) return;
  await inTransaction(db, async (trx) => {
    await createSummaryTriggers(trx, x.triggers);
    for (const statement of x.rebuild) await sql.raw(statement).execute(trx);
  });
}

/**
 * Recounts everything: one GROUP BY over the combinations of status and the six columns, grouped
 * in the covering facet index's column order (SQLite reads that index without a sort), summed
 * here into values, pairs and totals (one scan instead of 22).
 * The sums are kept by number: each column's values are numbered as they come, so a total, value
 * or pair is one numeric key — a joined string per key was 22 strings per combination, ~0.6 s of
 * a 200,000-row first load (#12, ADR 0015). Recounting in SQL (22 GROUP BYs over the
 * combinations, nearly one per establishment) took as long as that.
 */
export async function rebuildFacetSummary(db: RegistryDb): Promise<void> {
  const grouped = ['status', 'department', 'commune_code', 'naf_section', 'naf_division', 'headcount_band', 'legal_form'] as const;
  const combos = await db
    .selectFrom('establishments')
    .select([...grouped, sql<number>`count(*)`.as('n')])
    .groupBy([...grouped])
    .execute();
  // Value numbers: 0 for the total's and the no-pair's '', then per column as met; statuses apart.
  const values: string[] = [''];
  const numbers = SUMMARY_COLUMNS.map(() => new Map<string, number>());
  const statuses = new Map<string, number>();
  const numberOf = (m: Map<string, number>, v: string) => {
    let k = m.get(v);
    if (k === undefined) {
      m.set(v, (k = values.length));
      values.push(v);
    }
    return k;
  };
  // key = ((status × F + f1) × V + v1) × (F × V) + f2 × V + v2, f the column's rank + 1 (0: none).
  const F = SUMMARY_COLUMNS.length + 1;
  const sums = new Map<number, number>();
  const add = (k: number, n: number) => sums.set(k, (sums.get(k) ?? 0) + n);
  const pairs = PAIRS.map(([a, b]) => [SUMMARY_COLUMNS.indexOf(a), SUMMARY_COLUMNS.indexOf(b)] as const);
  const rows: { status: string; n: number; [c: string]: string | number | null }[] = combos;
  // First every value numbered (V, the keys' radix, must be known before a key is made).
  const rowIds = rows.map((c) => {
    let s = statuses.get(c.status);
    if (s === undefined) statuses.set(c.status, (s = statuses.size));
    return [s, ...SUMMARY_COLUMNS.map((col, i) => (c[col] === null ? -1 : numberOf(numbers[i], String(c[col]))))];
  });
  const V = values.length;
  const key = (s: number, f1: number, v1: number, f2: number, v2: number) => ((s * F + f1) * V + v1) * F * V + f2 * V + v2;
  if (statuses.size * F * V * F * V > Number.MAX_SAFE_INTEGER) throw new Error('rebuildFacetSummary: too many values');
  for (let r = 0; r < rows.length; r++) {
    const n = Number(rows[r].n);
    const [s, ...ids] = rowIds[r];
    add(key(s, 0, 0, 0, 0), n);
    for (let i = 0; i < ids.length; i++) if (ids[i] >= 0) add(key(s, i + 1, ids[i], 0, 0), n);
    for (const [a, b] of pairs) if (ids[a] >= 0 && ids[b] >= 0) add(key(s, a + 1, ids[a], b + 1, ids[b]), n);
  }
  const statusOf = [...statuses.keys()];
  const facet = (f: number) => (f === 0 ? '' : SUMMARY_COLUMNS[f - 1]);
  const out: BulkValue[][] = [];
  for (const [k, n] of sums) {
    const v2 = k % V;
    const f2 = Math.floor(k / V) % F;
    const v1 = Math.floor(k / (V * F)) % V;
    const f1 = Math.floor(k / (V * F * V)) % F;
    const s = Math.floor(k / (V * F * V * F));
    out.push([statusOf[s], f1 === 0 ? '*' : facet(f1), values[v1], facet(f2), values[v2], n]);
  }
  await db.deleteFrom('registry_facet_counts').execute();
  const columns = ['status', 'f1', 'v1', 'f2', 'v2', 'n'];
  // PostgreSQL, in a transaction (an import's): by COPY, ~60,000 rows at 200,000 establishments
  // (unnest arrays of 5,000: ~0.5 s of the first load).
  if (dialectOf(db) === 'postgres' && db.isTransaction) await copyRows(db, 'registry_facet_counts', columns, out);
  else for (let i = 0; i < out.length; i += 5000) await bulkInsert(db, 'registry_facet_counts', columns, out.slice(i, i + 5000));
}

export interface SummaryCounts {
  total: number;
  /** column → value → count */
  byColumn: Map<string, Map<string, number>>;
}

/**
 * Counts from the summary, under at most one filtered column (`filter`: its values, any number),
 * for the given statuses. Undefined when the summary is not maintained (never built, or a bulk
 * load is running): the caller counts live.
 */
export async function summaryCounts(db: RegistryDb, statuses: readonly string[], filter?: { column: string; values: readonly string[] }): Promise<SummaryCounts | undefined> {
  if (!(await summaryTriggersActive(db, TRIGGERS))) return undefined;
  const byColumn = new Map<string, Map<string, number>>(SUMMARY_COLUMNS.map((c) => [c, new Map()]));
  const bump = (col: string, value: string, n: number) => {
    const m = byColumn.get(col);
    if (m && n) m.set(value, (m.get(value) ?? 0) + n);
  };
  const base = () => db.selectFrom('registry_facet_counts').select(['f1', 'v1', 'f2', 'v2', 'n']).where('status', 'in', statuses as string[]);
  let total = 0;
  if (!filter) {
    for (const r of (await base().where('f2', '=', '').execute()) as { f1: string; v1: string; n: number }[]) {
      if (r.f1 === '*') total += Number(r.n);
      else bump(r.f1, r.v1, Number(r.n));
    }
    return { total, byColumn };
  }
  const { column, values } = filter;
  const [first, second] = await Promise.all([
    base().where('f1', '=', column).where('v1', 'in', values as string[]).execute(),
    base().where('f2', '=', column).where('v2', 'in', values as string[]).execute(),
  ]);
  for (const r of first as { v1: string; f2: string; v2: string; n: number }[]) {
    if (r.f2 === '') {
      total += Number(r.n);
      bump(column, r.v1, Number(r.n));
    } else bump(r.f2, r.v2, Number(r.n));
  }
  for (const r of second as { f1: string; v1: string; n: number }[]) bump(r.f1, r.v1, Number(r.n));
  return { total, byColumn };
}
