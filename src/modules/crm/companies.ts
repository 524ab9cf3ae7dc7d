// Company names and summaries for CRM pages, always through the registry's public functions.
import type { CrmDb } from './crm.table.js';
import { findCompanies, findCompany, type CompanySummary } from '../registry/index.js';

/** Summaries of many companies at once (lists, board, feeds); unknown ids are left out. */
export const companySummaries = (db: CrmDb, ids: Iterable<number>): Promise<Map<number, CompanySummary>> => findCompanies(db, ids);

/** A memoised name lookup for one request or one job. */
export function companyNamer(db: CrmDb): (id: number) => Promise<string> {
  const cache = new Map<number, Promise<string>>();
  return (id) => {
    let p = cache.get(id);
    if (!p) cache.set(id, (p = findCompany(db, id).then((c) => c?.name ?? `#${id}`)));
    return p;
  };
}

/** Display names of many companies (lists and the pipeline board), in one registry query. */
export async function companyNames(db: CrmDb, ids: Iterable<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const [id, c] of await findCompanies(db, ids)) out.set(id, c.name);
  return out;
}
