// Company names and summaries for CRM pages, always through the registry's public functions.
import type { AnyDb } from '../../platform/db/index.js';
import { findCompany, type CompanySummary } from '../registry/index.js';

/** Summaries of many companies at once (lists, board, feeds); unknown ids are left out. */
export async function companySummaries(db: AnyDb, ids: Iterable<number>): Promise<Map<number, CompanySummary>> {
  const unique = [...new Set(ids)];
  const out = new Map<number, CompanySummary>();
  // Small batches in parallel: PostgreSQL answers them over several pool connections.
  for (let i = 0; i < unique.length; i += 20) {
    const batch = await Promise.all(unique.slice(i, i + 20).map((id) => findCompany(db, id)));
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
