// Static assets: fingerprinted URLs served `immutable`, precompressed (brotli, gzip), and the
// plain /static/… URLs kept working with a short cache.
//
// `asset('/static/app.css')` → `/static/v/3f2a1b9c0d/app.css`: the fingerprint is the SHA-256 of
// the file's content, computed when first asked for (and again when the file changes), so it
// works in development without a build and for any file a module adds to public/. A browser keeps
// such a URL for a year without asking again; a new content gets a new URL. The build
// (scripts/build.mjs) writes `.br` and `.gz` beside each file in dist/public; without them (dev)
// the compressed forms are made once in memory on first request.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PUBLIC_DIR = path.join(ROOT, 'public');
/** where the build leaves the precompressed copies */
const BUILT_DIR = path.join(ROOT, 'dist', 'public');
const require = createRequire(import.meta.url);

/** Files served under /static/ that do not live in public/. */
const EXTRA: Record<string, () => string> = {
  'htmx.min.js': () => require.resolve('htmx.org/dist/htmx.min.js'),
};

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.css', '.js', '.svg', '.json', '.map']);

interface Entry {
  file: string;
  mtimeMs: number;
  hash: string;
  raw: Buffer;
  br?: Buffer;
  gz?: Buffer;
}
const cache = new Map<string, Entry>();

/** The file behind a path below /static/ (no traversal), or undefined. */
function resolve(rel: string): string | undefined {
  if (EXTRA[rel]) return EXTRA[rel]();
  const file = path.resolve(PUBLIC_DIR, rel);
  if (!file.startsWith(PUBLIC_DIR + path.sep)) return undefined;
  return existsSync(file) && statSync(file).isFile() ? file : undefined;
}

function load(rel: string): Entry | undefined {
  const file = resolve(rel);
  if (!file) return undefined;
  const mtimeMs = statSync(file).mtimeMs;
  const hit = cache.get(rel);
  if (hit && hit.file === file && hit.mtimeMs === mtimeMs) return hit;
  const raw = readFileSync(file);
  const entry: Entry = { file, mtimeMs, raw, hash: createHash('sha256').update(raw).digest('hex').slice(0, 10) };
  cache.set(rel, entry);
  return entry;
}

function compressed(e: Entry, rel: string, kind: 'br' | 'gz'): Buffer {
  if (e[kind]) return e[kind]!;
  const built = path.join(BUILT_DIR, `${rel}.${kind}`);
  let out: Buffer | undefined;
  if (existsSync(built) && statSync(built).mtimeMs >= e.mtimeMs) out = readFileSync(built);
  out ??= kind === 'br' ? brotliCompressSync(e.raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }) : gzipSync(e.raw, { level: 9 });
  e[kind] = out;
  return out;
}

/**
 * In production the files under public/ do not change while the server runs: a fingerprinted URL,
 * once computed, is kept. Every page asks for its scripts and styles, and checking each file
 * (exists, stat twice, htmx's module path resolved) was 2 % of the main thread's time in a CPU
 * profile of the built server under the search bench's throughput mix (a one-off profile,
 * 2026-12-07, not kept). In development a file edited is
 * seen at the next page.
 */
const fixedUrls = process.env.NODE_ENV === 'production' ? new Map<string, string>() : undefined;

/** The fingerprinted URL of a /static/… URL; the URL unchanged when no such file exists. */
export function asset(url: string): string {
  if (!url.startsWith('/static/') || url.startsWith('/static/v/')) return url;
  const fixed = fixedUrls?.get(url);
  if (fixed) return fixed;
  const rel = url.slice('/static/'.length);
  const e = load(rel);
  const out = e ? `/static/v/${e.hash}/${rel}` : url;
  if (e) fixedUrls?.set(url, out);
  return out;
}

/** First-visit bytes of the given assets as sent with brotli (README figure, test). */
export function compressedSize(urls: string[]): { raw: number; br: number; gz: number } {
  let raw = 0;
  let br = 0;
  let gz = 0;
  for (const u of urls) {
    const rel = u.slice('/static/'.length);
    const e = load(rel)!;
    raw += e.raw.length;
    br += compressed(e, rel, 'br').length;
    gz += compressed(e, rel, 'gz').length;
  }
  return { raw, br, gz };
}

function send(req: FastifyRequest, reply: FastifyReply, rel: string, immutable: boolean) {
  const e = load(rel);
  if (!e) return reply.callNotFound();
  const ext = path.extname(rel);
  reply.header('content-type', TYPES[ext] ?? 'application/octet-stream');
  reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
  reply.header('etag', `"${e.hash}"`);
  if (req.headers['if-none-match'] === `"${e.hash}"`) return reply.code(304).send();
  if (!COMPRESSIBLE.has(ext)) return reply.send(e.raw);
  reply.header('vary', 'accept-encoding');
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(compressed(e, rel, 'br'));
  if (/\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(compressed(e, rel, 'gz'));
  return reply.send(e.raw);
}

/** /static/v/<hash>/<path>: immutable when the hash is the content's; else the current content, briefly cached. */
export function registerAssetRoutes(app: FastifyInstance): void {
  app.get('/static/v/:hash/*', { config: { public: true } }, async (req, reply) => {
    const { hash, '*': rel } = req.params as { hash: string; '*': string };
    // Only what asset() writes: ten hex digits (an old one still gets today's file, briefly cached).
    if (!/^[0-9a-f]{10}$/.test(hash)) return reply.callNotFound();
    const e = load(rel);
    return send(req, reply, rel, !!e && e.hash === hash);
  });
  // htmx from node_modules at its plain URL too (pages of older caches, other sites' links).
  app.get('/static/htmx.min.js', { config: { public: true } }, async (req, reply) => send(req, reply, 'htmx.min.js', false));
}
