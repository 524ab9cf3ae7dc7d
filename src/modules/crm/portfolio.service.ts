// Portfolio ("portefeuille"): the companies an adviser follows. One adviser per company.
// Managers and direction assign (by hand or in bulk); an adviser may take an unassigned company.
import { can } from '../../platform/access/index.js';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { AppError, invalid } from '../../platform/errors.js';
import { parseSearch, searchEstablishmentsStream } from '../registry/index.js';
import { companyNames } from './companies.js';
import type { CrmDb } from './crm.table.js';
import { canEdit } from './policy.js';
import { validateTaskOwner } from './task.service.js';


/** At most this many companies in one bulk assignment (a search or a pasted list). */
export const MAX_BULK = 5000;

export async function adviserOf(db: CrmDb, companyId: number): Promise<{ adviser_id: number; name: string; assigned_at: string } | undefined> {
  return db
    .selectFrom('crm_portfolio as p')
    .innerJoin('users as u', 'u.id', 'p.adviser_id')
    .select(['p.adviser_id', 'u.name', 'p.assigned_at'])
    .where('p.company_id', '=', companyId)
    .executeTakeFirst();
}

/**
 * Assigns companies to an adviser (null removes the assignment). Unknown company ids are
 * refused as a whole: a bulk assignment is applied entirely or not at all.
 */
export async function assignPortfolio(db: CrmDb, actor: Actor, companyIds: number[], adviserId: number | null): Promise<{ assigned: number; unchanged: number }> {
  const ids = [...new Set(companyIds)];
  const fields: Record<string, string> = {};
  if (ids.length === 0) fields.company_ids = 'crm.portfolio_empty';
  else if (ids.length > MAX_BULK) fields.company_ids = 'crm.portfolio_too_many';
  if (adviserId !== null && !(await validateTaskOwner(db, adviserId))) fields.adviser_id = 'crm.task_owner_unknown';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: MAX_BULK });

  const manager = can(actor, 'crm:manage') || can(actor, 'crm:all');
  const current = new Map<number, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db.selectFrom('crm_portfolio').select(['company_id', 'adviser_id']).where('company_id', 'in', ids.slice(i, i + 500)).execute();
    for (const r of rows) current.set(r.company_id, r.adviser_id);
  }
  if (!manager) {
    // An adviser takes free companies for themselves, or gives back their own.
    const selfOnly = adviserId === actor.id || adviserId === null;
    const touchesOthers = ids.some((id) => current.has(id) && current.get(id) !== actor.id);
    if (!selfOnly || touchesOthers || ids.length > 1) throw new AppError('forbidden', 'crm.portfolio_forbidden');
  } else if (adviserId !== null && !can(actor, 'crm:all') && adviserId !== actor.id && !(await canEdit(db, actor, adviserId))) {
    // A manager assigns within their team.
    throw invalid('common.invalid', { adviser_id: 'crm.adviser_not_in_team' });
  }
  // Existence in one query per 500 ids (see companyNames: a bulk assignment may name 5,000).
  const known = await companyNames(db, ids.filter((id) => !current.has(id)));
  const unknown = ids.filter((id) => !current.has(id) && !known.has(id));
  if (unknown.length) throw invalid('common.invalid', { company_ids: 'crm.portfolio_unknown' }, { ids: unknown.slice(0, 10).join(', ') });

  const now = nowIso();
  let assigned = 0;
  let unchanged = 0;
  for (const id of ids) {
    const before = current.get(id) ?? null;
    if (before === adviserId) {
      unchanged++;
      continue;
    }
    if (adviserId === null) await db.deleteFrom('crm_portfolio').where('company_id', '=', id).execute();
    else
      await db
        .insertInto('crm_portfolio')
        .values({ company_id: id, adviser_id: adviserId, assigned_by: actor.id, assigned_at: now })
        .onConflict((oc) => oc.column('company_id').doUpdateSet({ adviser_id: adviserId, assigned_by: actor.id, assigned_at: now }))
        .execute();
    await record(db, actor, { entity: 'crm_portfolio', entityId: id, action: adviserId === null ? 'unassign' : 'assign', before: { adviser_id: before }, after: { adviser_id: adviserId } });
    assigned++;
  }
  return { assigned, unchanged };
}

export async function listPortfolio(db: CrmDb, adviserIds: number[], page = 1, perPage = 100): Promise<{ items: { company_id: number; adviser_id: number; assigned_at: string; last_visit: string | null; open_deals: number }[]; total: number }> {
  const base = db.selectFrom('crm_portfolio as p').where('p.adviser_id', 'in', adviserIds.length ? adviserIds : [-1]);
  const total = Number((await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = await base
    .select((eb) => [
      'p.company_id',
      'p.adviser_id',
      'p.assigned_at',
      eb.selectFrom('crm_visits as v').select((e) => e.fn.max('v.visit_date').as('m')).whereRef('v.company_id', '=', 'p.company_id').as('last_visit'),
      eb
        .selectFrom('crm_deals as dl')
        .innerJoin('crm_stages as s', 's.id', 'dl.stage_id')
        .select((e) => e.fn.countAll().as('n'))
        .whereRef('dl.company_id', '=', 'p.company_id')
        .where('s.kind', '=', 'open')
        .as('open_deals'),
    ])
    // Companies not visited for the longest time first: they need attention.
    .orderBy('last_visit', (ob) => ob.asc().nullsFirst())
    .orderBy('p.company_id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { items: items.map((i) => ({ ...i, last_visit: (i.last_visit as string | null) ?? null, open_deals: Number(i.open_deals ?? 0) })), total };
}

/**
 * The companies of a registry search, for a bulk assignment: plain words, or the address (or
 * query string) of a registry results page or saved segment, with all its facets. Every matching
 * establishment is read once, in id order, by the registry's export stream: a set has no
 * relevance order, and paging 200 by 200 by relevance past the first 1,000 candidates ranked
 * every match again for each page (ADR 0013) — seconds a page for a broad search at 1 M, and the
 * order changed at that boundary. One company more than `max` is kept, so that the assignment
 * refuses a search too broad (crm.portfolio_too_many) instead of taking an arbitrary part of it.
 */
export async function companyIdsFromRegistrySearch(db: CrmDb, text: string, max = MAX_BULK): Promise<number[]> {
  const raw = text.trim();
  if (!raw) return [];
  const query: Record<string, string | string[]> = {};
  if (raw.includes('?') || /^[\w.-]+=/.test(raw)) {
    const params = new URLSearchParams(raw.slice(raw.indexOf('?') + 1));
    for (const key of new Set(params.keys())) query[key] = params.getAll(key);
    for (const [k, v] of Object.entries(query)) if (v.length === 1) query[k] = v[0];
  } else query.q = raw;
  const ids = new Set<number>();
  for await (const page of searchEstablishmentsStream(db, parseSearch(query))) {
    for (const item of page) {
      ids.add(item.companyId);
      if (ids.size > max) return [...ids];
    }
  }
  return [...ids];
}
