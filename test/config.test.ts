// Configuration from the environment: defaults, validation naming the bad variable.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'consulaire-cfg-'));

describe('config', () => {
  it('defaults to SQLite in DATA_DIR, port 3000, French demo mode, and a generated secret kept on disk', () => {
    const d = dir();
    const c = loadConfig({ DATA_DIR: d } as NodeJS.ProcessEnv);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.port).toBe(3000);
    expect(c.demo).toBe(true);
    expect(c.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(d, 'session-secret'), 'utf8').trim()).toBe(c.sessionSecret);
    expect(loadConfig({ DATA_DIR: d } as NodeJS.ProcessEnv).sessionSecret).toBe(c.sessionSecret);
  });

  it.each([
    ['PORT', 'abc', /PORT/],
    ['PORT', '70000', /PORT/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL/],
    ['SMTP_URL', 'http://mail', /SMTP_URL/],
    ['PUBLIC_URL', 'ftp://x', /PUBLIC_URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['SESSION_SECRET', 'short', /SESSION_SECRET/],
    ['CCI_TERRITORY', '42,ABC', /CCI_TERRITORY/],
  ])('rejects %s=%s with a message naming it', (name, value, re) => {
    expect(() => loadConfig({ DATA_DIR: dir(), [name]: value } as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dir(), [name]: value } as NodeJS.ProcessEnv)).toThrow(re);
  });

  it('production never runs the demo and requires TOTP for admins', () => {
    const c = loadConfig({ DATA_DIR: dir(), NODE_ENV: 'production' } as NodeJS.ProcessEnv);
    expect(c.demo).toBe(false);
    expect(c.adminTotpRequired).toBe(true);
    expect(c.host).toBe('0.0.0.0');
  });

  it('reads the territory override', () => {
    expect(loadConfig({ DATA_DIR: dir(), CCI_TERRITORY: '42, 69,2A' } as NodeJS.ProcessEnv).territory).toEqual(['42', '69', '2A']);
  });
});
