// Backup → restore → verify (#20) on the test's database engine: online while writes go on,
// refuses damaged, cut-short, wrongly keyed files and non-empty targets before writing anything,
// verification that notices a changed audit log, encryption, retention, the scheduled backup
// taken once by two instances, a full disk, kill -9 during a backup, and (PostgreSQL run) a
// whole SQLite instance moved to PostgreSQL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { SYSTEM_ACTOR, record } from '../src/platform/audit/audit.js';
import { openDatabase } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { JobRunner } from '../src/platform/jobs/index.js';
import { createBackup, listBackups, type Manifest } from '../src/platform/ops/backup.js';
import { opsJobs, opsSchedules } from '../src/platform/ops/jobs.js';
import { restoreBackup, verifyBackup, verifyTarget, type RestoreTarget } from '../src/platform/ops/restore.js';
import { toKeep } from '../src/platform/ops/retention.js';
import { count, createTestApp, makeUser, onPostgres, type TestApp } from './helpers.js';

const ADMIN = process.env.TEST_DATABASE_URL;
const ROOT = path.resolve(__dirname, '..');
const KEY = randomBytes(32);
let t: TestApp;
let out: string;
const dropped: (() => Promise<void>)[] = [];

/** An empty target: a new folder, and a new database never migrated on PostgreSQL. */
async function emptyTarget(pgToo = onPostgres): Promise<RestoreTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ops-target-'));
  if (!pgToo || !ADMIN) {
    dropped.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    return { dataDir };
  }
  const name = `consulaire_ops_${process.pid}_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  dropped.push(async () => {
    const d = new pg.Client({ connectionString: ADMIN });
    await d.connect();
    await d.query(`drop database if exists ${name} with (force)`);
    await d.end();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { dataDir, databaseUrl: u.toString() };
}

function configWith(env: Record<string, string>): Config {
  return loadConfig({ ...process.env, DATA_DIR: t.database.dataDir, SESSION_SECRET: 'x'.repeat(40), ...env } as NodeJS.ProcessEnv, { databaseUrl: t.database.url });
}

beforeAll(async () => {
  t = await createTestApp();
  out = mkdtempSync(path.join(tmpdir(), 'ops-backups-'));
  for (let i = 0; i < 5; i++) await makeUser(t.db, ['staff']);
  await t.app.ctx.settings.set(SYSTEM_ACTOR, 'cci.name', 'CCI Sauvegardée');
  // Uploads live in DATA_DIR (content-files, directory-photos…): any file there is backed up.
  mkdirSync(path.join(t.database.dataDir, 'content-files'), { recursive: true });
  writeFileSync(path.join(t.database.dataDir, 'content-files', 'a'.repeat(64) + '.pdf'), randomBytes(50_000));
  mkdirSync(path.join(t.database.dataDir, 'directory-photos'), { recursive: true });
  writeFileSync(path.join(t.database.dataDir, 'directory-photos', '7.webp'), randomBytes(2_000));
}, 60_000);
afterAll(async () => {
  for (const d of dropped) await d().catch(() => {});
  rmSync(out, { recursive: true, force: true });
  await t?.close();
});

describe('backup and restore', () => {
  let file: string;
  let manifest: Manifest;

  it('backs up online while the portal writes, consistently (the manifest describes exactly the snapshot)', async () => {
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await t.db.transaction().execute((trx) => record(trx, SYSTEM_ACTOR, { entity: 'ops-test', entityId: written, action: 'write' }));
        written++;
        // Let the event loop turn (on SQLite a write is only microtasks), as requests do.
        await new Promise((r) => setImmediate(r));
      }
    })();
    const r = await createBackup(t.config, t.database, { outDir: out });
    writing = false;
    await writer;
    file = r.file;
    manifest = r.manifest;
    expect(path.basename(file)).toMatch(/^consulaire-\d{8}T\d{6}Z\.cslbak$/);
    expect(manifest.dialect).toBe(onPostgres ? 'postgres' : 'sqlite');
    expect(manifest.schema.last).toMatch(/^\d{4}-\d{2}-\d{2}T\d{4}-/);
    expect(manifest.tables.users).toBe(await count(t.db, 'users'));
    // Tables are discovered, not listed: every module's table is there.
    expect(Object.keys(manifest.tables)).toEqual(expect.arrayContaining(['users', 'audit_log', 'settings', 'jobs', 'mail_outbox']));
    expect(manifest.entries.map((e) => e.name)).toEqual(expect.arrayContaining([manifest.databaseEntry, `files/content-files/${'a'.repeat(64)}.pdf`, 'files/directory-photos/7.webp']));
    expect(manifest.entries.some((e) => e.name.includes('session-secret') || e.name.includes('consulaire.sqlite'))).toBe(false);
    expect(manifest.entries.every((e) => /^[0-9a-f]{64}$/.test(e.sha256))).toBe(true);
    expect(written).toBeGreaterThan(0);
    // The audit log grew during and after the backup: the snapshot holds a prefix of it.
    expect(manifest.audit.rows).toBeLessThanOrEqual(await count(t.db, 'audit_log'));
  }, 60_000);

  it('restores into an empty target and verifies it (schema, counts, integrity, audit chain, files)', async () => {
    const target = await emptyTarget();
    const checks = await restoreBackup(file, target);
    const text = checks.join('\n');
    expect(text).toContain(`schema version: ${manifest.schema.last}`);
    expect(text).toMatch(/row counts: \d+ tables, \d+ rows, each equal to the manifest/);
    expect(text).toContain(onPostgres ? 'PostgreSQL constraints' : 'SQLite integrity_check: ok');
    expect(text).toContain(`audit log unbroken: ${manifest.audit.rows} entries`);
    expect(text).toContain('files: 2 restored');
    expect(readFileSync(path.join(target.dataDir, 'directory-photos', '7.webp'))).toEqual(readFileSync(path.join(t.database.dataDir, 'directory-photos', '7.webp')));
    // The restored instance opens and holds the data.
    const restored = openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    try {
      expect(await count(restored.db, 'users')).toBe(manifest.tables.users);
      const name = await restored.db.selectFrom('settings').select('value').where('key', '=', 'cci.name').executeTakeFirst();
      expect(JSON.parse(name!.value)).toBe('CCI Sauvegardée');
      // A changed audit entry is noticed by the verification.
      await restored.db.updateTable('audit_log').set({ action: 'forged' }).where('id', '=', manifest.audit.lastId!).execute();
    } finally {
      await restored.close();
    }
    await expect(verifyTarget(target, manifest)).rejects.toThrow(/audit log differs/);

    // Not empty any more: refused without --force, replaced with it.
    await expect(restoreBackup(file, target)).rejects.toThrow(/not empty.*--force/);
    const again = await restoreBackup(file, target, { force: true });
    expect(again.join('\n')).toContain('audit log unbroken');
  }, 120_000);

  it('refuses a damaged or cut-short file before writing anything', async () => {
    const damaged = path.join(out, 'damaged.cslbak');
    writeFileSync(damaged, readFileSync(file));
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.from([0x42, 0x42, 0x42]), 0, 3, Math.floor(statSync(damaged).size / 2));
    closeSync(fd);
    const target = await emptyTarget(false);
    await expect(restoreBackup(damaged, target)).rejects.toThrow(/checksum mismatch.*nothing was written/);
    expect(readdirSync(target.dataDir)).toEqual([]);

    const short = path.join(out, 'short.cslbak');
    writeFileSync(short, readFileSync(file).subarray(0, statSync(file).size - 100));
    await expect(restoreBackup(short, target)).rejects.toThrow(/cut short/);
    expect(readdirSync(target.dataDir)).toEqual([]);
  });

  it('encrypts with BACKUP_KEY (AES-256-GCM); without the right key nothing is written', async () => {
    const config = configWith({ BACKUP_KEY: KEY.toString('base64') });
    const r = await createBackup(config, t.database, { outDir: path.join(out, 'enc') });
    expect(r.file.endsWith('.cslbak.enc')).toBe(true);
    const bytes = readFileSync(r.file);
    expect(bytes.includes(Buffer.from('CCI Sauvegard'))).toBe(false);
    expect(bytes.includes(Buffer.from('"audit"'))).toBe(false);
    const target = await emptyTarget(false);
    await expect(restoreBackup(r.file, target, { key: randomBytes(32) })).rejects.toThrow(/cannot decrypt/);
    await expect(restoreBackup(r.file, target)).rejects.toThrow(/set BACKUP_KEY/);
    expect(readdirSync(target.dataDir)).toEqual([]);
    // `backup verify` (a whole restore into a throwaway target) once, on SQLite: on PostgreSQL it
    // is the restore above plus a database created and dropped, run by .ci/run's drill.
    if (!onPostgres) {
      const checks = await verifyBackup(r.file, { key: KEY, tmpDir: tmpdir() });
      expect(checks[0]).toContain('authentication tag valid');
      expect(checks.join('\n')).toContain('throwaway target removed');
    }
  }, 120_000);
});

describe('retention and the scheduled backup', () => {
  it('keeps the newest backup of each of the last N days, weeks and months', () => {
    const days = Array.from({ length: 120 }, (_, i) => new Date(Date.UTC(2026, 11, 6, 3) - i * 86400_000));
    const twiceToday = [new Date(Date.UTC(2026, 11, 6, 15)), ...days];
    const keep = toKeep(twiceToday, { keepDaily: 7, keepWeekly: 4, keepMonthly: 3 });
    const kept = twiceToday.filter((d) => keep.has(d.getTime())).map((d) => d.toISOString().slice(0, 13));
    expect(kept).toContain('2026-12-06T15'); // the newest of today, not the earlier one
    expect(kept).not.toContain('2026-12-06T03');
    expect(kept.filter((k) => k >= '2026-11-30')).toHaveLength(7); // 7 days
    expect(kept).toContain('2026-10-31T03'); // newest of October (a month)
    expect(kept.length).toBeLessThanOrEqual(7 + 4 + 3);
    expect(kept.some((k) => k < '2026-10-01')).toBe(false);
  });

  it('two instances tick the same slot: one backup', async () => {
    const dir = path.join(out, 'scheduled');
    const config = configWith({ BACKUP_EVERY_HOURS: '24', BACKUP_DIR: dir });
    const other = openDatabase({ databaseUrl: t.database.url, dataDir: t.database.dataDir });
    try {
      const r1 = new JobRunner(t.db, opsJobs(config, t.database), opsSchedules(config));
      const r2 = new JobRunner(other.db, opsJobs(config, other), opsSchedules(config));
      const now = new Date();
      await Promise.all([r1.tick(now), r2.tick(now)]);
      await Promise.all([r1.tick(now), r2.tick(now)]);
      expect(listBackups(dir)).toHaveLength(1);
    } finally {
      await other.close();
    }
  }, 60_000);
});

describe('faults', () => {
  it('a full disk: clear error, no partial file left, the database untouched', async (ctx) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ops-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      rmSync(dir, { recursive: true, force: true });
      ctx.skip(); // needs root to mount a tiny tmpfs (CI runs as root)
      return;
    }
    try {
      await expect(createBackup(t.config, t.database, { outDir: dir })).rejects.toThrow(/no space left.*nothing kept/);
      expect(readdirSync(dir)).toEqual([]);
      expect(await count(t.db, 'users')).toBeGreaterThan(0);
    } finally {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  // The file-level behaviour is the engine's same code; on PostgreSQL the dump is pg_dump's.
  it.skipIf(onPostgres)('kill -9 during a backup: no backup file, the partial one is refused, and removed once stale by a later backup', async () => {
    const dir = path.join(out, 'killed');
    mkdirSync(dir);
    // A bigger upload so the archive takes long enough to be caught in the middle.
    const big = path.join(t.database.dataDir, 'content-files', 'b'.repeat(64) + '.pdf');
    writeFileSync(big, randomBytes(40 * 1024 * 1024));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: t.database.dataDir, SESSION_SECRET: 'x'.repeat(40), LOG_LEVEL: 'silent' };
      if (t.database.url) env.DATABASE_URL = t.database.url;
      else delete env.DATABASE_URL;
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'backup', '--out', dir], { cwd: ROOT, env, stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      const end = Date.now() + 60_000;
      while (Date.now() < end && !readdirSync(dir).some((f) => f.endsWith('.partial') && statSync(path.join(dir, f)).size > 1_000_000)) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await exited;
      const left = readdirSync(dir);
      expect(left.some((f) => f.endsWith('.partial'))).toBe(true);
      expect(listBackups(dir)).toHaveLength(0);
      const partial = path.join(dir, left.find((f) => f.endsWith('.partial'))!);
      await expect(restoreBackup(partial, await emptyTarget(false))).rejects.toThrow(/cut short/);
      rmSync(big);
      // A partial file older than ten minutes belongs to a dead backup: the next one removes it.
      const old = new Date(Date.now() - 11 * 60_000);
      utimesSync(partial, old, old);
      const r = await createBackup(t.config, t.database, { outDir: dir });
      expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual([path.basename(r.file)]);
    } finally {
      rmSync(big, { force: true });
    }
  }, 120_000);
});

describe.skipIf(!onPostgres)('SQLite → PostgreSQL', () => {
  it('moves a whole SQLite instance into an empty PostgreSQL database, every table counted', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ops-sqlite-src-'));
    dropped.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const source = openDatabase({ dataDir });
    await migrateToLatest(source.db);
    for (let i = 0; i < 3; i++) await makeUser(source.db, ['staff']);
    writeFileSync(path.join(dataDir, 'upload.bin'), randomBytes(1000));
    const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(40) } as NodeJS.ProcessEnv);
    const r = await createBackup(config, source, { outDir: path.join(out, 'move') });
    await source.close();
    const target = await emptyTarget(true);
    const checks = (await restoreBackup(r.file, target)).join('\n');
    expect(checks).toMatch(/SQLite → PostgreSQL: \d+ tables, \d+ rows copied/);
    expect(checks).toContain('PostgreSQL constraints');
    expect(checks).toContain(`audit log unbroken: ${r.manifest.audit.rows} entries`);
    const moved = openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    try {
      expect(await count(moved.db, 'users')).toBe(3);
      // Identity sequences moved past the copied ids: a new row gets a new id.
      const u = await makeUser(moved.db, ['staff']);
      expect(u.id).toBeGreaterThan(3);
    } finally {
      await moved.close();
    }
  }, 180_000);
});
