// `consulaire backup`: the database, taken online and consistent while the portal serves, and
// every file of DATA_DIR (uploads: content-files, directory-photos, approvals' attachments…), in
// one file with a manifest (schema version, rows per table, audit digest, SHA-256 of each
// entry). SQLite: the online backup API (better-sqlite3 `backup()`, page by page; writers go on
// meanwhile). PostgreSQL: `pg_dump -Fc` on an exported snapshot, and the manifest's counts and
// audit digest read in that same snapshot, so they describe exactly what was dumped.
import SQLite from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { promisify } from 'node:util';
import type { Config } from '../../config.js';
import { sqliteHandle, type Database } from '../db/index.js';
import { ArchiveWriter, type EntryInfo } from './archive.js';
import { auditDigest, rowCounts, schemaVersion, type AuditDigest, type Raw } from './inventory.js';
import { opsConfig } from './settings.js';

const run = promisify(execFile);
/** a partial file untouched this long belongs to a backup that died */
const STALE_PARTIAL_MS = 10 * 60_000;

export interface Manifest {
  format: 'consulaire-backup';
  version: 1;
  createdAt: string;
  dialect: 'sqlite' | 'postgres';
  /** entry holding the database: database.sqlite or database.pgdump */
  databaseEntry: string;
  schema: { last: string | null; count: number };
  tables: Record<string, number>;
  audit: AuditDigest;
  entries: EntryInfo[];
  encrypted: boolean;
  /** pg_dump's version line, on PostgreSQL */
  tool?: string;
}

/** Files of DATA_DIR that are not data: the database itself, backups, secrets, temp files. */
export function isDataFile(rel: string, backupDir: string | undefined, dataDir: string): boolean {
  const base = rel.split('/')[0];
  if (/^consulaire\.sqlite(-wal|-shm|-journal)?$/.test(base)) return false;
  if (base === 'session-secret' || base.startsWith('.')) return false;
  if (backupDir && path.resolve(dataDir, rel).startsWith(path.resolve(backupDir) + path.sep)) return false;
  if (rel.endsWith('.partial') || rel.includes('.restoring')) return false;
  return true;
}

export function listDataFiles(dataDir: string, backupDir?: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(dataDir, p).split(path.sep).join('/');
      if (!isDataFile(rel, backupDir, dataDir)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(rel);
    }
  };
  if (existsSync(dataDir)) walk(dataDir);
  return out.sort();
}

/** pg_dump must be at least as new as the server (it refuses otherwise, or dumps badly). */
export async function checkPgDump(client: pg.Client): Promise<string> {
  const bin = pgTool('pg_dump');
  let line: string;
  try {
    line = (await run(bin, ['--version'])).stdout.trim();
  } catch {
    throw new Error(`${bin} not found: install the PostgreSQL client tools of the server's version (Debian: postgresql-client), or set PG_BIN_DIR`);
  }
  const tool = Number(/(\d+)(\.\d+)?/.exec(line)?.[1]);
  const server = Math.floor(Number((await client.query('show server_version_num')).rows[0].server_version_num) / 10000);
  if (!(tool >= server)) throw new Error(`${line} cannot dump a PostgreSQL ${server} server: install postgresql-client-${server} (or set PG_BIN_DIR)`);
  return line;
}

export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  return process.env.PG_BIN_DIR ? path.join(process.env.PG_BIN_DIR, name) : name;
}

export function backupFileName(at: Date, encrypted: boolean): string {
  return `consulaire-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.cslbak${encrypted ? '.enc' : ''}`;
}

export interface BackupResult {
  file: string;
  manifest: Manifest;
  bytes: number;
}

/**
 * Writes a backup into `outDir` (created if needed). The file appears under its final name only
 * once complete (written as `….partial`, renamed at the end): an interrupted backup — kill -9, a
 * full disk — leaves at most a partial file that restore refuses and the next backup removes.
 */
export async function createBackup(config: Config, database: Database, opts: { outDir?: string; now?: Date } = {}): Promise<BackupResult> {
  const ops = opsConfig(config);
  const outDir = path.resolve(opts.outDir ?? ops.backupDir);
  mkdirSync(outDir, { recursive: true });
  // Left by a backup that died (kill -9, power loss): a file still being written is younger.
  for (const f of readdirSync(outDir)) {
    const p = path.join(outDir, f);
    if ((f.endsWith('.partial') || f.startsWith('.staging-')) && Date.now() - statSync(p).mtimeMs > STALE_PARTIAL_MS) rmSync(p, { recursive: true, force: true });
  }
  const now = opts.now ?? new Date();
  const final = path.join(outDir, backupFileName(now, Boolean(ops.backupKey)));
  const partial = `${final}.partial`;
  const staging = mkdtempSync(path.join(outDir, '.staging-'));
  let writer: ArchiveWriter | undefined;
  try {
    let snapshot: { entryFile: string; entryName: string; schema: Manifest['schema']; tables: Record<string, number>; audit: AuditDigest; tool?: string };
    if (database.dialect === 'sqlite') {
      const file = path.join(staging, 'database.sqlite');
      await sqliteHandle(database.db).backup(file);
      const copy = new SQLite(file, { readonly: true });
      try {
        const raw: Raw = { kind: 'sqlite', db: copy };
        snapshot = { entryFile: file, entryName: 'database.sqlite', schema: await schemaVersion(raw), tables: await rowCounts(raw), audit: await auditDigest(raw) };
      } finally {
        copy.close();
      }
    } else {
      snapshot = await dumpPostgres(config.databaseUrl!, staging);
    }
    writer = new ArchiveWriter(partial, ops.backupKey);
    const entries: EntryInfo[] = [await writer.addFile(snapshot.entryName, snapshot.entryFile)];
    rmSync(snapshot.entryFile, { force: true });
    for (const rel of listDataFiles(config.dataDir, outDir)) entries.push(await writer.addFile(`files/${rel}`, path.join(config.dataDir, rel)));
    const manifest: Manifest = {
      format: 'consulaire-backup',
      version: 1,
      createdAt: now.toISOString(),
      dialect: database.dialect,
      databaseEntry: snapshot.entryName,
      schema: snapshot.schema,
      tables: snapshot.tables,
      audit: snapshot.audit,
      entries,
      encrypted: Boolean(ops.backupKey),
      ...(snapshot.tool ? { tool: snapshot.tool } : {}),
    };
    await writer.finish(manifest);
    renameSync(partial, final);
    return { file: final, manifest, bytes: statSync(final).size };
  } catch (e) {
    await writer?.abort().catch(() => {});
    rmSync(partial, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC' || err.code === 'SQLITE_FULL') throw new Error(`no space left on the device of ${outDir}: backup abandoned, nothing kept (the database is untouched)`);
    throw e;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function dumpPostgres(url: string, staging: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tool = await checkPgDump(client);
    await client.query('begin transaction isolation level repeatable read read only');
    const snap = (await client.query('select pg_export_snapshot() as s')).rows[0].s as string;
    const file = path.join(staging, 'database.pgdump');
    try {
      await run(pgTool('pg_dump'), ['--format=custom', '--no-owner', '--no-privileges', `--snapshot=${snap}`, '--file', file, '--dbname', url], { maxBuffer: 16 << 20 });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      const text = (err.stderr ?? err.message).trim();
      if (/No space left on device/i.test(text)) throw Object.assign(new Error('pg_dump: no space left on device'), { code: 'ENOSPC' });
      throw new Error(`pg_dump failed: ${text.split('\n').slice(-3).join(' ')}`);
    }
    const raw: Raw = { kind: 'postgres', client };
    const result = { entryFile: file, entryName: 'database.pgdump', schema: await schemaVersion(raw), tables: await rowCounts(raw), audit: await auditDigest(raw), tool };
    await client.query('commit');
    return result;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Backups in `dir`, newest first, with the time in their name. */
export function listBackups(dir: string): { file: string; at: Date }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => {
      const m = /^consulaire-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.cslbak(\.enc)?$/.exec(f);
      return m ? { file: path.join(dir, f), at: new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) } : undefined;
    })
    .filter((x): x is { file: string; at: Date } => !!x)
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}
