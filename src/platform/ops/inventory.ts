// What a backup says about its database and what a restore checks against: every table found in
// the database (never a list kept in code — a module's new table is counted the day it lands),
// its rows, the schema version (the last migration applied) and a digest chained over the audit
// log, row by row in id order, that proves the restored log holds the same entries, none
// missing, none changed, none added. Works on a raw connection of either engine, since a
// restore reads databases the application has not opened (a backup file, a fresh target).
import type SQLite from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** A raw connection: SQLite (better-sqlite3) or a PostgreSQL client. */
export type Raw = { kind: 'sqlite'; db: SQLite.Database } | { kind: 'postgres'; client: pg.Client | pg.PoolClient };

export async function rows<T = Record<string, unknown>>(raw: Raw, text: string, params: unknown[] = []): Promise<T[]> {
  if (raw.kind === 'sqlite') return raw.db.prepare(text).all(...params) as T[];
  return (await raw.client.query(text, params)).rows as T[];
}

const MIGRATION_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

/**
 * The tables holding data: SQLite's own tables, full-text index tables (virtual tables and their
 * shadow tables, rebuilt by triggers) and nothing else is left out.
 */
export async function dataTables(raw: Raw): Promise<string[]> {
  if (raw.kind === 'postgres') {
    const r = await rows<{ t: string }>(raw, `select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`);
    return r.map((x) => x.t);
  }
  const all = await rows<{ name: string; sql: string | null }>(raw, `select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`);
  const virtual = all.filter((t) => /^create virtual table/i.test(t.sql ?? '')).map((t) => t.name);
  return all.map((t) => t.name).filter((n) => !virtual.includes(n) && !virtual.some((v) => n.startsWith(v + '_')));
}

export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export async function rowCounts(raw: Raw, tables?: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables ?? (await dataTables(raw))) {
    const r = await rows<{ n: number | string }>(raw, `select count(*) as n from ${quoteIdent(t)}`);
    out[t] = Number(r[0].n);
  }
  return out;
}

/** The last migration applied (name order), or null on a database never migrated. */
export async function schemaVersion(raw: Raw): Promise<{ last: string | null; count: number }> {
  const tables = await dataTables(raw);
  if (!tables.includes('kysely_migration')) return { last: null, count: 0 };
  const r = await rows<{ name: string }>(raw, `select name from kysely_migration order by name`);
  return { last: r.length ? r[r.length - 1].name : null, count: r.length };
}

export function isMigrationTable(t: string): boolean {
  return MIGRATION_TABLES.has(t);
}

export interface AuditDigest {
  rows: number;
  lastId: number | null;
  /** h(n) = SHA-256(h(n-1) ‖ canonical row n), hex; h(0) = SHA-256('consulaire-audit') */
  digest: string;
}

const AUDIT_COLUMNS = ['id', 'at', 'actor_id', 'actor_label', 'entity', 'entity_id', 'action', 'changes', 'request_id', 'ip'] as const;

/** One form of a row on both engines: timestamps as ISO-8601 UTC, ids as numbers. */
function canonical(r: Record<string, unknown>): string {
  return JSON.stringify(
    AUDIT_COLUMNS.map((c) => {
      const v = r[c];
      if (v === null || v === undefined) return null;
      if (c === 'at') return new Date(v instanceof Date ? v : String(v)).toISOString();
      if (c === 'id' || c === 'actor_id') return Number(v);
      return String(v);
    }),
  );
}

/** Chains the whole audit log in id order, a page at a time. */
export async function auditDigest(raw: Raw): Promise<AuditDigest> {
  let h = createHash('sha256').update('consulaire-audit').digest();
  let n = 0;
  let last: number | null = null;
  const page = 5000;
  const cols = AUDIT_COLUMNS.join(', ');
  for (;;) {
    const batch: Record<string, unknown>[] =
      raw.kind === 'sqlite'
        ? await rows(raw, `select ${cols} from audit_log where id > ? order by id limit ${page}`, [last ?? -1])
        : await rows(raw, `select ${cols} from audit_log where id > $1 order by id limit ${page}`, [last ?? -1]);
    for (const r of batch) {
      const id: number = Number(r.id);
      if (last !== null && id <= last) throw new Error('audit log ids are not increasing');
      h = createHash('sha256').update(h).update(canonical(r)).digest();
      last = id;
      n++;
    }
    if (batch.length < page) break;
  }
  return { rows: n, lastId: last, digest: h.toString('hex') };
}
