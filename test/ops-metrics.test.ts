// /metrics and /ready (#20): Prometheus text with per-route request figures, the job queue and
// the outbox; loopback or a token; readiness distinct from liveness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../src/platform/jobs/index.js';
import { createTestApp, type TestApp } from './helpers.js';

let t: TestApp;
const TOKEN = 'metrics-token-metrics-token-1234';
beforeAll(async () => {
  t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } });
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = {}, remoteAddress?: string) => t.app.fastify.inject({ method: 'GET', url, headers, ...(remoteAddress ? { remoteAddress } : {}) });

describe('/metrics', () => {
  it('counts requests per route pattern, and shows the job queue and the outbox', async () => {
    await get('/connexion');
    await get('/connexion');
    await get('/no-such-page-4242');
    await enqueue(t.db, 'mail.send', { id: 0 }, { runAt: new Date(Date.now() - 60_000) });
    const m = await get('/metrics');
    expect(m.statusCode).toBe(200);
    expect(m.headers['content-type']).toContain('text/plain');
    expect(m.body).toMatch(/consulaire_http_request_duration_seconds_count\{method="GET",route="\/connexion",status="200"\} 2/);
    expect(m.body).toMatch(/route="not found",status="404"/);
    expect(m.body).not.toContain('no-such-page-4242');
    expect(m.body).toMatch(/consulaire_jobs\{kind="mail.send",status="queued"\} 1/);
    expect(Number(/^consulaire_jobs_oldest_due_seconds (\S+)$/m.exec(m.body)?.[1])).toBeGreaterThanOrEqual(59);
    expect(m.body).toMatch(/consulaire_mail_outbox_backlog \d+/);
    expect(m.body).toMatch(/consulaire_db_pool\{pool="reads",state="size"\} \d+/);
    expect(m.body).toContain('consulaire_process_resident_memory_bytes');
  });

  it('answers other hosts, and proxied requests, only with the token', async () => {
    expect((await get('/metrics', {}, '10.1.2.3')).statusCode).toBe(403);
    expect((await get('/metrics', { 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(403);
    expect((await get('/metrics', { authorization: 'Bearer wrong' }, '10.1.2.3')).statusCode).toBe(403);
    expect((await get('/metrics', { authorization: `Bearer ${TOKEN}` }, '10.1.2.3')).statusCode).toBe(200);
  });
});

describe('/ready and /health', () => {
  it('is ready with the database migrated; not ready once a migration is missing, while /health stays up', async () => {
    const ready = await get('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true });
    const last = ready.json().schema as string;
    await t.db.deleteFrom('kysely_migration').where('name', '=', last).execute();
    try {
      const notReady = await get('/ready');
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json()).toMatchObject({ ready: false, reason: 'migrations pending', expected: last });
      expect((await get('/health')).statusCode).toBe(200);
    } finally {
      await t.db.insertInto('kysely_migration').values({ name: last, timestamp: new Date().toISOString() }).execute();
    }
  });
});
