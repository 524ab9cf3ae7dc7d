// Column helpers for migrations, so one migration file creates the same table on both dialects.
// Conventions (docs/decisions/0002-data-types.md): ids are integers, timestamps are UTC
// (timestamptz on PostgreSQL, ISO-8601 text on SQLite), booleans are 0/1 integers, JSON is text,
// money is integer cents.
import type { CreateTableBuilder } from 'kysely';
import { sql } from 'kysely';
import { dialectOf, type AnyDb } from './index.js';

export function isPostgres(db: AnyDb): boolean {
  return dialectOf(db) === 'postgres';
}

export function timestampType(db: AnyDb) {
  return isPostgres(db) ? sql`timestamptz` : sql`text`;
}

/** Auto-increment integer primary key named `id`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withId<T extends string>(db: AnyDb, table: CreateTableBuilder<T, any>) {
  return isPostgres(db)
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** created_at, updated_at and the optimistic-locking version every business table carries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withRecordColumns<T extends string>(db: AnyDb, table: CreateTableBuilder<T, any>) {
  return table
    .addColumn('created_at', timestampType(db), (c) => c.notNull())
    .addColumn('updated_at', timestampType(db), (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1));
}
