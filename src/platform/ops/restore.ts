// `consulaire restore FILE` and `consulaire backup verify FILE`.
//
// Order: decrypt (GCM tag checked) → every entry's SHA-256 against the manifest → the schema
// version known to this code → the target empty (or --force) → write → verify. Nothing is
// written before the checksums passed. Verification reads the restored target and compares it
// with the manifest: schema version, rows of every table, SQLite integrity_check and
// foreign_key_check / PostgreSQL constraints all validated, the audit log's chained digest, and
// each restored file's SHA-256. It returns the lines it checked, printed by the command.
//
// A SQLite backup restores into PostgreSQL too (DATABASE_URL set): the target is migrated by
// this code to the backup's schema version, every table the two share is copied row by row
// (triggers and foreign keys paused while loading, then every foreign key re-created, which
// checks each row), identity sequences moved past the highest id, then verified as above.
import SQLite from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../db/index.js';
import { migrateToLatest } from '../db/migrate.js';
import { BackupFormatError, checkEntries, decryptTo, extractEntry, isEncrypted, openArchive, type OpenedArchive } from './archive.js';
import { listDataFiles, pgTool, type Manifest } from './backup.js';
import { auditDigest, dataTables, isMigrationTable, quoteIdent, rowCounts, rows, schemaVersion, type Raw } from './inventory.js';

const run = promisify(execFile);
const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'db', 'migrations');

export interface RestoreTarget {
  dataDir: string;
  /** PostgreSQL target; none: SQLite in dataDir */
  databaseUrl?: string;
}

export interface RestoreOptions {
  force?: boolean;
  key?: Buffer;
  log?: (line: string) => void;
}

export class RestoreRefused extends Error {}

const SQLITE_FILE = 'consulaire.sqlite';

/** Migrations this code knows, in order. */
function knownMigrations(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .sort();
}

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** Schemas besides public that migrations create (reporting views…). */
async function userSchemas(c: pg.Client): Promise<string[]> {
  const r = await c.query<{ n: string }>(`select nspname as n from pg_namespace where nspname not in ('public', 'information_schema') and nspname not like 'pg\\_%' order by 1`);
  return r.rows.map((x) => x.n);
}

/** What the target holds already: database tables with rows or schema, and files. */
async function targetContents(t: RestoreTarget): Promise<string[]> {
  const found: string[] = [];
  if (t.databaseUrl) {
    const tables = await withPg(t.databaseUrl, (c) => dataTables({ kind: 'postgres', client: c }));
    if (tables.length) found.push(`${tables.length} tables in the PostgreSQL database`);
    const schemas = await withPg(t.databaseUrl, userSchemas);
    if (schemas.length) found.push(`schemas ${schemas.join(', ')}`);
  } else {
    const file = path.join(t.dataDir, SQLITE_FILE);
    if (existsSync(file) && statSync(file).size > 0) {
      const db = new SQLite(file, { readonly: true });
      try {
        const tables = await dataTables({ kind: 'sqlite', db });
        if (tables.length) found.push(`${tables.length} tables in ${file}`);
      } finally {
        db.close();
      }
    }
  }
  const files = listDataFiles(t.dataDir).filter((f) => f !== SQLITE_FILE);
  if (files.length) found.push(`${files.length} files in ${t.dataDir}`);
  return found;
}

async function emptyTarget(t: RestoreTarget): Promise<void> {
  if (t.databaseUrl) {
    await withPg(t.databaseUrl, async (c) => {
      for (const schema of await userSchemas(c)) await c.query(`drop schema ${quoteIdent(schema)} cascade`);
      await c.query('drop schema if exists public cascade');
      await c.query('create schema public');
    });
  } else {
    for (const s of ['', '-wal', '-shm', '-journal']) rmSync(path.join(t.dataDir, SQLITE_FILE + s), { force: true });
  }
  for (const f of listDataFiles(t.dataDir)) rmSync(path.join(t.dataDir, f), { force: true });
}

/** Opens, decrypts if needed and checks every checksum; the caller removes `work` afterwards. */
/** The container's manifest, once it is one of ours (a foreign or older file is refused before anything is read). */
function manifestOf(raw: OpenedArchive['manifest']): Manifest {
  const m: Partial<Manifest> & Record<string, unknown> = raw;
  const ok =
    m.format === 'consulaire-backup' && m.version === 1 && (m.dialect === 'sqlite' || m.dialect === 'postgres') && typeof m.databaseEntry === 'string' &&
    typeof m.createdAt === 'string' && typeof m.schema === 'object' && m.schema !== null && typeof m.tables === 'object' && m.tables !== null && typeof m.audit === 'object' && m.audit !== null;
  if (!ok) throw new RestoreRefused('not a Consulaire backup of a version this program reads: nothing was written');
  return { ...m, format: 'consulaire-backup', version: 1, dialect: m.dialect!, databaseEntry: m.databaseEntry!, createdAt: m.createdAt!, schema: m.schema!, tables: m.tables!, audit: m.audit!, entries: raw.entries, encrypted: Boolean(m.encrypted) };
}

export async function openChecked(file: string, key: Buffer | undefined, work: string): Promise<{ archive: OpenedArchive; manifest: Manifest; checks: string[] }> {
  if (!existsSync(file)) throw new RestoreRefused(`no such file: ${file}`);
  const checks: string[] = [];
  let plain = file;
  if (isEncrypted(file)) {
    plain = path.join(work, 'backup.plain');
    await decryptTo(file, key, plain);
    checks.push('decrypted with BACKUP_KEY (AES-256-GCM): authentication tag valid');
  }
  const archive = openArchive(plain);
  const manifest = manifestOf(archive.manifest);
  const bad = await checkEntries(archive);
  if (bad.length) throw new RestoreRefused(`checksum mismatch in ${bad.length} entr${bad.length > 1 ? 'ies' : 'y'} (${bad.slice(0, 3).join(', ')}): the backup is damaged, nothing was written`);
  const bytes = manifest.entries.reduce((s, e) => s + e.size, 0);
  checks.push(`checksums: ${manifest.entries.length} entries (${bytes} bytes) match their SHA-256 in the manifest`);
  return { archive, manifest, checks };
}

export async function restoreBackup(file: string, target: RestoreTarget, opts: RestoreOptions = {}): Promise<string[]> {
  mkdirSync(target.dataDir, { recursive: true });
  const work = mkdtempSync(path.join(target.dataDir, '.restoring-'));
  try {
    const { archive, manifest, checks } = await openChecked(file, opts.key, work);
    const known = knownMigrations();
    if (manifest.schema.last && !known.includes(manifest.schema.last)) {
      throw new RestoreRefused(`the backup's schema (${manifest.schema.last}) is newer than this version of Consulaire: upgrade Consulaire first`);
    }
    const cross = manifest.dialect === 'sqlite' && Boolean(target.databaseUrl);
    if (manifest.dialect === 'postgres' && !target.databaseUrl) throw new RestoreRefused('a PostgreSQL backup restores into PostgreSQL: set DATABASE_URL to the (empty) target database');
    if (cross && manifest.schema.last !== known[known.length - 1]) {
      throw new RestoreRefused(`moving to PostgreSQL needs a backup at this version's schema (${known[known.length - 1]}); the backup is at ${manifest.schema.last}: run \`consulaire migrate\` on the SQLite instance with this version, back it up again`);
    }
    const present = await targetContents(target);
    if (present.length && !opts.force) throw new RestoreRefused(`the target is not empty (${present.join(', ')}): restore refused; add --force to replace it`);
    if (present.length) await emptyTarget(target);

    const dbFile = path.join(work, manifest.databaseEntry);
    await extractEntry(archive, manifest.databaseEntry, dbFile);
    if (manifest.dialect === 'sqlite' && !target.databaseUrl) {
      const dest = path.join(target.dataDir, SQLITE_FILE);
      renameSync(dbFile, dest);
      checks.push(`database written to ${dest}`);
    } else if (manifest.dialect === 'postgres') {
      try {
        await run(pgTool('pg_restore'), ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', '--dbname', target.databaseUrl!, dbFile], { maxBuffer: 16 << 20 });
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw new Error(`pg_restore failed (nothing restored: one transaction): ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}`);
      }
      checks.push(`database restored with pg_restore into ${describeUrl(target.databaseUrl!)} (one transaction)`);
    } else {
      const copied = await copySqliteToPostgres(dbFile, target.databaseUrl!, target.dataDir);
      checks.push(`SQLite → PostgreSQL: ${copied.tables} tables, ${copied.rows} rows copied into ${describeUrl(target.databaseUrl!)}; ${copied.foreignKeys} foreign keys re-created (every row checked)`);
    }
    rmSync(dbFile, { force: true });

    let files = 0;
    for (const e of manifest.entries) {
      if (!e.name.startsWith('files/')) continue;
      const rel = e.name.slice('files/'.length);
      const dest = path.resolve(target.dataDir, rel);
      if (!dest.startsWith(path.resolve(target.dataDir) + path.sep)) throw new BackupFormatError(`entry outside the data directory: ${e.name}`);
      mkdirSync(path.dirname(dest), { recursive: true });
      await extractEntry(archive, e.name, `${dest}.restoring`);
      renameSync(`${dest}.restoring`, dest);
      files++;
    }
    checks.push(`${files} files written to ${target.dataDir}`);
    checks.push(...(await verifyTarget(target, manifest)));
    for (const c of checks) opts.log?.(c);
    return checks;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function describeUrl(url: string): string {
  const u = new URL(url);
  return `postgres://${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/** Compares a restored target with the manifest; throws on the first difference, else the checks made. */
export async function verifyTarget(target: RestoreTarget, manifest: Manifest): Promise<string[]> {
  const checks: string[] = [];
  const check = async (raw: Raw) => {
    const schema = await schemaVersion(raw);
    if (schema.last !== manifest.schema.last) throw new Error(`schema version ${schema.last} differs from the backup's ${manifest.schema.last}`);
    checks.push(`schema version: ${schema.last} (${schema.count} migrations), as in the backup`);
    const present = new Set(await dataTables(raw));
    const missing = Object.keys(manifest.tables).filter((t) => !present.has(t));
    if (missing.length) throw new Error(`tables missing after restore: ${missing.join(', ')}`);
    const counts = await rowCounts(raw, Object.keys(manifest.tables));
    const wrong = Object.entries(manifest.tables).filter(([t, n]) => counts[t] !== n);
    if (wrong.length) throw new Error(`row counts differ: ${wrong.map(([t, n]) => `${t} ${counts[t]} (backup ${n})`).join(', ')}`);
    const total = Object.values(counts).reduce((s, n) => s + n, 0);
    checks.push(`row counts: ${Object.keys(counts).length} tables, ${total} rows, each equal to the manifest`);
    if (raw.kind === 'sqlite') {
      const ic = await rows<{ integrity_check: string }>(raw, 'pragma integrity_check');
      if (ic.length !== 1 || ic[0].integrity_check !== 'ok') throw new Error(`SQLite integrity_check: ${ic.map((r) => r.integrity_check).slice(0, 3).join('; ')}`);
      const fk = await rows(raw, 'pragma foreign_key_check');
      if (fk.length) throw new Error(`SQLite foreign_key_check: ${fk.length} rows point to nothing`);
      checks.push('SQLite integrity_check: ok; foreign_key_check: no dangling reference');
    } else {
      const invalid = await rows<{ n: number }>(raw, `select count(*)::int as n from pg_constraint c join pg_namespace s on s.oid = c.connamespace where s.nspname = 'public' and not c.convalidated`);
      if (invalid[0].n) throw new Error(`${invalid[0].n} PostgreSQL constraints not validated`);
      const all = await rows<{ n: number }>(raw, `select count(*)::int as n from pg_constraint c join pg_namespace s on s.oid = c.connamespace where s.nspname = 'public'`);
      checks.push(`PostgreSQL constraints: ${all[0].n} in place, all validated`);
    }
    const audit = await auditDigest(raw);
    if (audit.rows !== manifest.audit.rows || audit.digest !== manifest.audit.digest) {
      throw new Error(`audit log differs from the backup: ${audit.rows} rows (backup ${manifest.audit.rows}), chained digest ${audit.digest.slice(0, 12)}… (backup ${manifest.audit.digest.slice(0, 12)}…)`);
    }
    checks.push(`audit log unbroken: ${audit.rows} entries up to #${audit.lastId ?? '-'}, chained SHA-256 ${audit.digest.slice(0, 16)}… equal to the backup's`);
  };
  if (target.databaseUrl) await withPg(target.databaseUrl, (c) => check({ kind: 'postgres', client: c }));
  else {
    const db = new SQLite(path.join(target.dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
    try {
      await check({ kind: 'sqlite', db });
    } finally {
      db.close();
    }
  }
  let files = 0;
  for (const e of manifest.entries) {
    if (!e.name.startsWith('files/')) continue;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path.join(target.dataDir, e.name.slice(6)))) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== e.sha256) throw new Error(`restored file ${e.name.slice(6)} differs from the backup`);
    files++;
  }
  checks.push(`files: ${files} restored, each SHA-256 equal to the manifest`);
  return checks;
}

async function copySqliteToPostgres(sqliteFile: string, url: string, dataDir: string): Promise<{ tables: number; rows: number; foreignKeys: number }> {
  // The target gets this code's schema (checked equal to the backup's), then the rows.
  const database = openDatabase({ databaseUrl: url, dataDir, poolSize: 1, reads: { workers: 1, poolSize: 1, timeoutMs: 60_000, queueLimit: 1 } });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  const src = new SQLite(sqliteFile, { readonly: true });
  try {
    return await withPg(url, async (c) => {
      const raw: Raw = { kind: 'postgres', client: c };
      const sqliteTables = new Set(await dataTables({ kind: 'sqlite', db: src }));
      const tables = (await dataTables(raw)).filter((t) => sqliteTables.has(t) && !isMigrationTable(t));
      let total = 0;
      await c.query('begin');
      // Triggers (summary tables, full-text) and foreign keys paused: the summaries come from
      // the backup as they were; foreign keys are re-created below, which checks every row.
      await c.query(`set local session_replication_role = replica`);
      for (const t of tables) {
        const pgCols = await rows<{ c: string }>(raw, `select column_name as c from information_schema.columns where table_schema = 'public' and table_name = $1 and is_generated = 'NEVER' order by ordinal_position`, [t]);
        const sCols = new Set((src.prepare(`pragma table_info(${quoteIdent(t)})`).all() as { name: string }[]).map((r) => r.name));
        const cols = pgCols.map((r) => r.c).filter((col) => sCols.has(col));
        if (!cols.length) continue;
        await c.query(`delete from ${quoteIdent(t)}`);
        const per = Math.max(1, Math.min(1000, Math.floor(60000 / cols.length)));
        const list = cols.map(quoteIdent).join(', ');
        let batch: unknown[][] = [];
        const flush = async () => {
          if (!batch.length) return;
          const params: unknown[] = [];
          const values = batch.map((r) => `(${r.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`).join(', ');
          await c.query(`insert into ${quoteIdent(t)} (${list}) values ${values}`, params);
          total += batch.length;
          batch = [];
        };
        for (const r of src.prepare(`select ${list} from ${quoteIdent(t)}`).raw().iterate() as Iterable<unknown[]>) {
          batch.push(r);
          if (batch.length >= per) await flush();
        }
        await flush();
      }
      await c.query(`set local session_replication_role = origin`);
      const fks = await rows<{ t: string; name: string; def: string }>(
        raw,
        `select cl.relname as t, c.conname as name, pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_class cl on cl.oid = c.conrelid join pg_namespace s on s.oid = cl.relnamespace where s.nspname = 'public' and c.contype = 'f'`,
      );
      for (const fk of fks) await c.query(`alter table ${quoteIdent(fk.t)} drop constraint ${quoteIdent(fk.name)}, add constraint ${quoteIdent(fk.name)} ${fk.def}`);
      const ids = await rows<{ t: string; c: string }>(raw, `select table_name as t, column_name as c from information_schema.columns where table_schema = 'public' and is_identity = 'YES'`);
      for (const id of ids) {
        await c.query(`select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quoteIdent(id.c)}) from ${quoteIdent(id.t)}), 0) + 1, false)`, [quoteIdent(id.t), id.c]);
      }
      await c.query('commit');
      return { tables: tables.length, rows: total, foreignKeys: fks.length };
    });
  } finally {
    src.close();
  }
}

/** A throwaway target of the backup's engine: a temporary folder, plus a temporary database on
 * the server of `serverUrl` for a PostgreSQL backup; `drop` removes both. */
export async function throwawayTarget(manifest: Manifest, serverUrl: string | undefined, baseDir: string): Promise<{ target: RestoreTarget; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(baseDir, 'consulaire-verify-'));
  if (manifest.dialect === 'sqlite') return { target: { dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  if (!serverUrl) throw new RestoreRefused('verifying a PostgreSQL backup needs a PostgreSQL server: set DATABASE_URL (a throwaway database is created there and dropped)');
  const name = `consulaire_verify_${randomBytes(5).toString('hex')}`;
  await withPg(serverUrl, (c) => c.query(`create database ${name}`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    target: { dataDir, databaseUrl: u.toString() },
    drop: async () => {
      await withPg(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `backup verify`: a full restore into a throwaway target, then removed. */
export async function verifyBackup(file: string, opts: { serverUrl?: string; key?: Buffer; tmpDir: string; log?: (s: string) => void }): Promise<string[]> {
  const work = mkdtempSync(path.join(opts.tmpDir, 'consulaire-verify-open-'));
  let manifest: Manifest;
  try {
    manifest = (await openChecked(file, opts.key, work)).manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const t = await throwawayTarget(manifest, opts.serverUrl, opts.tmpDir);
  try {
    const checks = await restoreBackup(file, t.target, { key: opts.key });
    checks.push(`throwaway target removed (${t.target.databaseUrl ? describeUrl(t.target.databaseUrl) + ' and ' : ''}${t.target.dataDir})`);
    for (const c of checks) opts.log?.(c);
    return checks;
  } finally {
    await t.drop();
  }
}
