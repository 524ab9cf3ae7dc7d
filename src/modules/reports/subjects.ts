// The subjects a report can be about. Each is contributed here by a provider that calls the
// owning module's index.ts with the viewer's actor, so the owning module's own rules apply: a
// report never shows what its viewer could not see in the module itself. Aggregated in SQL when
// the owning module hands out a query (registry), else in code from the narrow rows it returns
// (crm, extranet: at most 50,000 rows a period).
import { assertCan } from '../../platform/access/index.js';
import type { Permission } from '../../platform/access/permissions.js';
import type { Actor } from '../../platform/audit/audit.js';
import { dealFacts, visitFacts } from '../crm/index.js';
import { requestFacts } from '../extranet/index.js';
import { parseSearch } from '../registry/index.js';
import { establishmentCounts, EST_DIMENSIONS } from './reports.queries.js';
import type { ReportsDb } from './reports.table.js';

export const SUBJECTS = ['establishments', 'visits', 'deals', 'requests'] as const;
export type SubjectKey = (typeof SUBJECTS)[number];
export type FilterKey = 'query' | 'from' | 'to' | 'adviser';

export interface Definition {
  subject: SubjectKey;
  /** one or two dimensions (rows, then columns of the grouping) */
  dims: string[];
  measure: string;
  filters: Partial<Record<FilterKey, string>>;
}

/** One group: its dimension values (codes) and the measure. */
export interface Cell {
  keys: string[];
  value: number;
}

export interface Subject {
  key: SubjectKey;
  /** needed to build or open a report on it (the owning module checks its own rules as well) */
  permission: Permission;
  dimensions: readonly string[];
  measures: readonly string[];
  filters: readonly FilterKey[];
  run(db: ReportsDb, actor: Actor, def: Definition): Promise<Cell[]>;
}

/** Groups rows in code: the measure over each combination of the dimensions' values. */
function group<T>(rows: readonly T[], dims: readonly string[], dimOf: (row: T, dim: string) => string | null, measure: (rows: T[]) => number): Cell[] {
  const groups = new Map<string, T[]>();
  const SEP = '\u001f';
  for (const r of rows) {
    const key = dims.map((d) => dimOf(r, d) ?? '').join(SEP);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups].map(([k, g]) => ({ keys: k.split(SEP), value: measure(g) }));
}

/** A query string as parseSearch takes it (repeated keys kept). */
export function queryObject(qs: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(qs.replace(/^\?/, ''))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const avg = (xs: number[]) => (xs.length ? Math.round((sum(xs) / xs.length) * 100) / 100 : 0);
const period = (def: Definition) => ({ from: def.filters.from, to: def.filters.to });

const establishments: Subject = {
  key: 'establishments',
  permission: 'registry:read',
  dimensions: Object.keys(EST_DIMENSIONS),
  measures: ['count'],
  filters: ['query'],
  async run(db, actor, def) {
    assertCan(actor, 'registry:read');
    const s = parseSearch(queryObject(def.filters.query ?? ''));
    return establishmentCounts(db, s, def.dims);
  },
};

const visits: Subject = {
  key: 'visits',
  permission: 'crm:use',
  dimensions: ['month', 'year', 'adviser'],
  measures: ['count'],
  filters: ['from', 'to', 'adviser'],
  async run(db, actor, def) {
    const rows = await visitFacts(db, actor, { ...period(def), ownerId: Number(def.filters.adviser) || undefined });
    return group(rows, def.dims, (r, d) => (d === 'month' ? r.date.slice(0, 7) : d === 'year' ? r.date.slice(0, 4) : r.ownerName), (g) => g.length);
  },
};

const deals: Subject = {
  key: 'deals',
  permission: 'crm:use',
  dimensions: ['stage', 'stage_kind', 'adviser', 'month', 'year'],
  measures: ['count', 'sum_amount', 'avg_amount'],
  filters: ['from', 'to', 'adviser'],
  async run(db, actor, def) {
    const rows = await dealFacts(db, actor, { ...period(def), ownerId: Number(def.filters.adviser) || undefined });
    const dim = (r: (typeof rows)[number], d: string) =>
      d === 'stage' ? r.stage : d === 'stage_kind' ? r.stageKind : d === 'adviser' ? r.ownerName : d === 'month' ? r.createdAt.slice(0, 7) : r.createdAt.slice(0, 4);
    const euros = (g: typeof rows) => g.map((r) => r.amountCents / 100);
    return group(rows, def.dims, dim, (g) => (def.measure === 'sum_amount' ? sum(euros(g)) : def.measure === 'avg_amount' ? avg(euros(g)) : g.length));
  },
};

const requests: Subject = {
  key: 'requests',
  permission: 'extranet:requests',
  dimensions: ['category', 'status', 'assignee', 'month', 'year'],
  measures: ['count', 'avg_first_response'],
  filters: ['from', 'to'],
  async run(db, actor, def) {
    const rows = await requestFacts(db, actor, period(def));
    const dim = (r: (typeof rows)[number], d: string) =>
      d === 'category' ? r.category : d === 'status' ? r.status : d === 'assignee' ? r.assignee : d === 'month' ? r.createdAt.slice(0, 7) : r.createdAt.slice(0, 4);
    return group(rows, def.dims, dim, (g) => (def.measure === 'avg_first_response' ? avg(g.map((r) => r.firstResponseHours).filter((h): h is number => h !== null)) : g.length));
  },
};

export const SUBJECT_OF: Record<SubjectKey, Subject> = { establishments, visits, deals, requests };
