// Structured logs with request ids, and nothing secret in them: no password, token or cookie.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import type { PlatformTables } from '../src/platform/db/tables.js';
import { agent, api, createTestApp, makeUser, PASSWORD, type TestApp } from './helpers.js';

const lines: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'debug' }, logStream: { write: (l: string) => void lines.push(l) } });
});
afterAll(async () => t?.close());

it('logs requests as JSON with ids but never passwords, tokens, cookies or reset links', async () => {
  const u = await makeUser(t.db, ['admin']);
  const a = agent(t);
  await a.signIn(u.email, PASSWORD);
  await a.get('/portail');
  await a.post('/mot-de-passe-oublie', { email: u.email });
  const mail = await (t.db as Kysely<PlatformTables>).selectFrom('mail_outbox').select('text_body').orderBy('id', 'desc').executeTakeFirstOrThrow();
  const resetPath = mail.text_body.match(/http:\/\/\S+?(\/mot-de-passe\/\S+)/)![1];
  await a.get(resetPath);
  const { token } = await createApiToken(t.db, SYSTEM_ACTOR, u.id, { name: 'x', scopes: ['admin:read'] });
  await api(t, 'GET', '/api/v1/users', token);

  const all = lines.join('');
  const parsed = lines.map((l) => JSON.parse(l) as { reqId?: string; req?: { url: string } });
  expect(parsed.some((l) => l.reqId && l.req?.url === '/portail')).toBe(true);
  expect(all).not.toContain(PASSWORD);
  expect(all).not.toContain(token);
  expect(all).not.toContain(resetPath.split('/').pop()!);
  expect(all).not.toContain(a.cookies.get('sid')!);
  expect(all).not.toMatch(/cookie|authorization/i);
});
