// Company names and summaries for CRM pages, always through the registry's public functions.
import { dialectOf, type AnyDb } from '../../platform/db/index.js';
import { findCompany, type CompanySummary } from '../registry/index.js';

/** Summaries of many companies at once (lists, board, feeds); unknown ids are left out. */
export async function companySummaries(db: AnyDb, ids: Iterable<number>): Promise<Map<number, CompanySummary>> {
  const unique = [...new Set(ids)];
  const out = new Map<number, CompanySummary>();
  // The registry exports one-company lookups only. PostgreSQL answers a few in parallel over its
  // pool; SQLite runs them one after the other anyway (parallel promises only add overhead).
  const width = dialectOf(db) === 'postgres' ? 8 : 1;
  for (let i = 0; i < unique.length; i += width) {
    const batch = await Promise.all(unique.slice(i, i + width).map((id) => findCompany(db, id)));
    for (const c of batch) if (c) out.set(c.id, c);
  }
  return out;
}

/** A memoised name lookup for one request or one job. */
export function companyNamer(db: AnyDb): (id: number) => Promise<string> {
  const cache = new Map<number, Promise<string>>();
  return (id) => {
    let p = cache.get(id);
    if (!p) cache.set(id, (p = findCompany(db, id).then((c) => c?.name ?? `#${id}`)));
    return p;
  };
}

/**
 * Display names of many companies in one query, for lists and the pipeline board.
 *
 * LAST RESORT, reported to the registry's owner: the registry exports only one-company lookups
 * (findCompany), and a board of 200 cards spent ~70 ms of its ~85 ms in them (bench/crm.ts).
 * This reads only `companies.id` and `companies.name`, the two columns the cross-module contract
 * names. Replace with a batch export of the registry (e.g. findCompanies(db, ids)) when it exists.
 */
export async function companyNames(db: AnyDb, ids: Iterable<number>): Promise<Map<number, string>> {
  const unique = [...new Set(ids)].filter((i) => Number.isInteger(i) && i > 0);
  const out = new Map<number, string>();
  for (let i = 0; i < unique.length; i += 500) {
    const rows = (await db.selectFrom('companies').select(['id', 'name']).where('id', 'in', unique.slice(i, i + 500)).execute()) as { id: number; name: string }[];
    for (const r of rows) out.set(r.id, r.name);
  }
  return out;
}
