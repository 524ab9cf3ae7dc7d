// The command line, in-process for speed (the same `run` the bin calls), plus one real process
// to check the exit code and one-line reason.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../src/main.js';
import { openDatabase } from '../src/platform/db/index.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { authenticateToken } from '../src/platform/auth/api-tokens.js';
import { testDatabase, type TestDatabase } from './helpers.js';

let tdb: TestDatabase;
const saved = { ...process.env };

beforeAll(async () => {
  useFastHashingForTests();
  tdb = await testDatabase();
  process.env.DATA_DIR = tdb.dataDir;
  if (tdb.url) process.env.DATABASE_URL = tdb.url;
  else delete process.env.DATABASE_URL;
});
afterAll(async () => {
  process.env = saved;
  await tdb.drop();
});

async function capture(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    await run(argv);
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
  return lines;
}

describe('consulaire command line', () => {
  it('creates a user, prints a token once, and revokes it', async () => {
    const out = await capture(['user', 'create', '--email', 'cli@test.cci.fr', '--name', 'Cli Person', '--role', 'documentation', '--password', 'a long cli password']);
    expect(out.join('\n')).toMatch(/User #\d+ cli@test\.cci\.fr created \(documentation, active\)/);
    const tok = await capture(['token', 'create', '--email', 'cli@test.cci.fr', '--scopes', 'registry:read', '--days', '7']);
    const token = tok[0];
    expect(token).toMatch(/^csl_/);
    const id = Number(tok[1].match(/Token #(\d+)/)![1]);
    const db = openDatabase({ databaseUrl: tdb.url, dataDir: tdb.dataDir });
    try {
      expect(await authenticateToken(db.db, token)).toBeDefined();
      await capture(['token', 'revoke', '--id', String(id)]);
      expect(await authenticateToken(db.db, token)).toBeUndefined();
    } finally {
      await db.close();
    }
  });

  it('refuses bad input with a clear reason', async () => {
    await expect(run(['user', 'create', '--email', 'bad', '--name', 'X', '--role', 'staff'])).rejects.toMatchObject({ kind: 'invalid' });
    await expect(run(['user', 'create', '--email', 'x@test.cci.fr', '--name', 'X', '--role', 'pope'])).rejects.toMatchObject({ fields: { roles: 'admin.role_unknown' } });
    await expect(run(['token', 'create', '--email', 'nobody@test.cci.fr', '--scopes', 'registry:read'])).rejects.toThrow(/no user/);
  });

  it('exits non-zero with a one-line reason from a real process', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'consulaire-cli-'));
    const tsx = path.resolve('node_modules/.bin/tsx');
    const err = await promisify(execFile)(tsx, ['src/main.ts', 'migrate'], { env: { ...process.env, DATA_DIR: dir, PORT: 'abc', DATABASE_URL: '' } }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr.trim()).toBe('consulaire: configuration error — PORT: expected a whole number, got "abc"');
  });
});
