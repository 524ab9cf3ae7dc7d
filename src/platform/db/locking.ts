// Optimistic locking: an update names the version it was based on; if someone saved in between,
// nothing is written and the caller gets a clear "modified by someone else" conflict.
import { sql } from 'kysely';
import { AppError, conflict } from '../errors.js';
import { nowIso, type AnyDb } from './index.js';

export async function updateWithVersion<T extends Record<string, unknown>>(
  db: AnyDb,
  table: string,
  id: number | string,
  expectedVersion: number,
  patch: T,
  idColumn = 'id',
): Promise<void> {
  const res = await db
    .updateTable(table)
    .set({ ...patch, updated_at: nowIso(), version: sql`version + 1` })
    .where(idColumn, '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 1) return;
  const exists = await db.selectFrom(table).select(idColumn).where(idColumn, '=', id).executeTakeFirst();
  if (!exists) throw new AppError('not_found', 'common.not_found');
  throw conflict('common.stale_version');
}
