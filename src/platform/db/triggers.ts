// Row triggers that keep a summary table in step with a table, on both dialects. Modules give
// the statements to run for a row (written once, in SQL both engines accept); this file wraps
// them in SQLite triggers or in a PostgreSQL trigger function. Used for aggregates that must be
// exact at every moment and cheap to read (registry facet counts at a million rows).
import { sql } from 'kysely';
import { dialectOf, type AnyDb } from './index.js';

export interface SummaryTriggers {
  /** trigger name prefix, e.g. `establishments_facets` */
  name: string;
  table: string;
  /** only these columns' updates fire the update trigger */
  updateOf: readonly string[];
  /**
   * Statements applying a row to the summary: `row` is `new` or `old` (refer to columns as
   * `${row}.col`), `sign` is 1 when the row arrives, -1 when it leaves. On PostgreSQL an
   * upsert's DO UPDATE must name the summary table in its SET expression.
   */
  statements: (row: 'new' | 'old', sign: 1 | -1) => string[];
}

export async function createSummaryTriggers(db: AnyDb, t: SummaryTriggers): Promise<void> {
  const add = t.statements('new', 1);
  const remove = t.statements('old', -1);
  if (dialectOf(db) === 'postgres') {
    const body = (stmts: string[]) => stmts.map((s) => s + ';').join('\n      ');
    await sql
      .raw(
        `create or replace function ${t.name}_fn() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
      ${body(remove)}
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
      ${body(add)}
      end if;
      return null;
    end $$`,
      )
      .execute(db);
    await sql.raw(`drop trigger if exists ${t.name}_trg on ${t.table}`).execute(db);
    await sql.raw(`create trigger ${t.name}_trg after insert or delete or update of ${t.updateOf.join(', ')} on ${t.table} for each row execute function ${t.name}_fn()`).execute(db);
    return;
  }
  const block = (stmts: string[]) => stmts.map((s) => s + ';').join(' ');
  await sql.raw(`create trigger if not exists ${t.name}_ai after insert on ${t.table} begin ${block(add)} end`).execute(db);
  await sql.raw(`create trigger if not exists ${t.name}_ad after delete on ${t.table} begin ${block(remove)} end`).execute(db);
  await sql.raw(`create trigger if not exists ${t.name}_au after update of ${t.updateOf.join(', ')} on ${t.table} begin ${block(remove)} ${block(add)} end`).execute(db);
}

export async function dropSummaryTriggers(db: AnyDb, t: Pick<SummaryTriggers, 'name' | 'table'>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql.raw(`drop trigger if exists ${t.name}_trg on ${t.table}`).execute(db);
    return;
  }
  for (const s of ['ai', 'ad', 'au']) await sql.raw(`drop trigger if exists ${t.name}_${s}`).execute(db);
}

export async function summaryTriggersActive(db: AnyDb, t: Pick<SummaryTriggers, 'name' | 'table'>): Promise<boolean> {
  const r =
    dialectOf(db) === 'postgres'
      ? await sql<{ n: number }>`select count(*) as n from pg_trigger where tgname = ${t.name + '_trg'}`.execute(db)
      : await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'trigger' and name = ${t.name + '_ai'}`.execute(db);
  return Number(r.rows[0]?.n) > 0;
}
