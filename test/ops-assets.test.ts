// Static assets and compression (#20): pages link fingerprinted URLs served immutable and
// precompressed; plain /static/ URLs still answer, briefly cached; HTML above 1 KB is compressed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asset, compressedSize, PUBLIC_DIR } from '../src/platform/http/assets.js';
import { createTestApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string> = {}) => t.app.fastify.inject({ method: 'GET', url, headers });

describe('static assets', () => {
  it('pages link fingerprinted assets, served immutable and brotli- or gzip-compressed', async () => {
    const page = await get('/connexion');
    const css = /href="(\/static\/v\/[0-9a-f]{10}\/app\.css)"/.exec(page.body)?.[1];
    const js = /src="(\/static\/v\/[0-9a-f]{10}\/htmx\.min\.js)"/.exec(page.body)?.[1];
    expect(css).toBe(asset('/static/app.css'));
    expect(js).toBeDefined();
    const original = readFileSync(path.join(PUBLIC_DIR, 'app.css'));

    const br = await get(css!, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.statusCode).toBe(200);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toContain('text/css');
    expect(brotliDecompressSync(br.rawPayload)).toEqual(original);

    const gz = await get(css!, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload)).toEqual(original);
    const plainBody = await get(css!);
    expect(plainBody.headers['content-encoding']).toBeUndefined();
    expect(plainBody.rawPayload).toEqual(original);
    expect((await get(css!, { 'if-none-match': br.headers.etag as string })).statusCode).toBe(304);
  });

  it('keeps the plain URLs working with a short cache; a stale fingerprint is not cached for ever', async () => {
    expect((await get('/static/app.css')).statusCode).toBe(200);
    const htmx = await get('/static/htmx.min.js');
    expect(htmx.statusCode).toBe(200);
    expect(htmx.headers['cache-control']).toBe('public, max-age=300');
    const stale = await get('/static/v/0000000000/app.js');
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['cache-control']).toBe('public, max-age=300');
    // Any file of public/ gets a fingerprint (modules' own scripts), nothing outside it.
    expect(asset('/static/favicon.svg')).toMatch(/^\/static\/v\/[0-9a-f]{10}\/favicon\.svg$/);
    expect(asset('/static/no-such-file.js')).toBe('/static/no-such-file.js');
    expect((await get('/static/v/0000000000/..%2f..%2fpackage.json')).statusCode).toBe(404);
    expect((await get('/static/v/abc/app.css')).statusCode).toBe(404);
    expect((await get('/static/v/0000000000/../../package.json')).statusCode).toBe(404);
  });

  it('first visit: the JS and CSS of every page weigh at most 30 KB as sent (brotli)', () => {
    const size = compressedSize(['/static/app.css', '/static/htmx.min.js', '/static/app.js']);
    expect(size.raw).toBeGreaterThan(60_000);
    expect(size.br).toBeLessThanOrEqual(30 * 1024);
  });

  it('compresses HTML above 1 KB, not small answers', async () => {
    const page = await get('/connexion', { 'accept-encoding': 'br' });
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.rawPayload).toString()).toContain('<!doctype html>');
    const small = await get('/health', { 'accept-encoding': 'br' });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
