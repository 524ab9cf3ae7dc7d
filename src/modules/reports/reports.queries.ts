// SQL of the reports: the establishments subject grouped in the database (over the registry's own
// WHERE, matchingEstablishments), the saved reports.
import { sql } from 'kysely';
import { matchingEstablishments, type SearchQuery } from '../registry/index.js';
import type { ReportRow, ReportsDb } from './reports.table.js';

/** Dimensions of the establishments subject → their SQL (columns of `establishments as e`). */
export const EST_DIMENSIONS: Record<string, string> = {
  section: 'e.naf_section',
  division: 'e.naf_division',
  department: 'e.department',
  commune: 'e.commune_code',
  band: 'e.headcount_band',
  form: 'e.legal_form',
  status: 'e.status',
  year: 'substr(e.creation_date, 1, 4)',
  head_office: 'e.is_head_office',
};

/** Establishments of a registry search counted per combination of the dimensions. */
export async function establishmentCounts(db: ReportsDb, s: SearchQuery, dims: readonly string[]): Promise<{ keys: string[]; value: number }[]> {
  const exprs = dims.map((d) => sql.raw(EST_DIMENSIONS[d]));
  let qb = matchingEstablishments(db, s).select(sql<number>`count(*)`.as('n'));
  exprs.forEach((x, i) => {
    qb = qb.select(sql<string>`${x}`.as(`d${i}`));
  });
  const rows = (await (exprs.length ? qb.groupBy(exprs) : qb).execute()) as Record<string, unknown>[];
  return rows.map((r) => ({ keys: dims.map((_, i) => (r[`d${i}`] === null || r[`d${i}`] === undefined ? '' : String(r[`d${i}`]))), value: Number(r.n) }));
}

export function findReport(db: ReportsDb, id: number): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The reports an actor may open: its own, and those shared with one of its roles. */
export function visibleReports(db: ReportsDb, userId: number, roles: readonly string[]): Promise<(ReportRow & { owner_name: string })[]> {
  return db
    .selectFrom('reports as r')
    .innerJoin('users as u', 'u.id', 'r.owner_id')
    .selectAll('r')
    .select('u.name as owner_name')
    .where((eb) => eb.or([eb('r.owner_id', '=', userId), ...(roles.length ? [eb('r.shared_role', 'in', [...roles])] : [])]))
    .orderBy('r.name')
    .limit(500)
    .execute();
}

/** Scheduled reports whose last sending is older than `before` (or never sent). */
export function dueReports(db: ReportsDb, schedule: 'weekly' | 'monthly', before: string): Promise<ReportRow[]> {
  return db
    .selectFrom('reports')
    .selectAll()
    .where('schedule', '=', schedule)
    .where((eb) => eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<', before)]))
    .orderBy('id')
    .limit(100)
    .execute();
}

/** Active users by id (recipients) with their roles. */
export async function usersWithRoles(db: ReportsDb, ids: readonly number[]): Promise<{ id: number; email: string; name: string; locale: string; roles: string[] }[]> {
  if (!ids.length) return [];
  const users = await db.selectFrom('users').select(['id', 'email', 'name', 'locale']).where('id', 'in', [...ids]).where('status', '=', 'active').execute();
  const roles = await db.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', [...ids]).execute();
  return users.map((u) => ({ ...u, roles: roles.filter((r) => r.user_id === u.id).map((r) => r.role) }));
}

export function usersByEmail(db: ReportsDb, emails: readonly string[]): Promise<{ id: number; email: string }[]> {
  if (!emails.length) return Promise.resolve([]);
  return db.selectFrom('users').select(['id', 'email']).where('email', 'in', [...emails]).where('status', '=', 'active').execute();
}
