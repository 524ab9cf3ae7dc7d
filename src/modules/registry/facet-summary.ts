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
 * Recounts everything: one GROUP BY over the combinations of status and the six columns, summed
 * here into values, pairs and totals (one scan of the covering facet index instead of 22).
 */
export async function rebuildFacetSummary(db: RegistryDb): Promise<void> {
  const combos = await db
    .selectFrom('establishments')
    .select(['status', ...SUMMARY_COLUMNS, sql<number>`count(*)`.as('n')])
    .groupBy(['status', ...SUMMARY_COLUMNS])
    .execute();
  const sums = new Map<string, number>();
  const add = (k: string, n: number) => sums.set(k, (sums.get(k) ?? 0) + n);
  const SEP = '\u001f';
  for (const c of combos) {
    const n = Number(c.n);
    add([c.status, '*', '', '', ''].join(SEP), n);
    for (const a of SUMMARY_COLUMNS) if (c[a] !== null) add([c.status, a, c[a], '', ''].join(SEP), n);
    for (const [a, b] of PAIRS) if (c[a] !== null && c[b] !== null) add([c.status, a, c[a], b, c[b]].join(SEP), n);
  }
  await db.deleteFrom('registry_facet_counts').execute();
  const rows: BulkValue[][] = [];
  for (const [k, n] of sums) rows.push([...k.split(SEP), n]);
  for (let i = 0; i < rows.length; i += 5000) await bulkInsert(db, 'registry_facet_counts', ['status', 'f1', 'v1', 'f2', 'v2', 'n'], rows.slice(i, i + 5000));
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
