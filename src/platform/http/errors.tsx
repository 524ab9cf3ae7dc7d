// The one place where error kinds become HTTP statuses, and where errors become pages,
// htmx fragments or problem+json. Users never see a stack trace or SQL.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorKind } from '../errors.js';
import { isStorageFull } from '../ops/files.js';
import { Page } from '../ui/layout.js';

export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  payload_too_large: 413,
  unavailable: 503,
};

/**
 * Errors of the database that mean "busy, try again", not "broken": SQLite's writer lock held
 * past busy_timeout, a PostgreSQL statement cancelled at its time limit, a lock not granted, no
 * connection free in time. They answer 503 with Retry-After, never 500.
 */
function isBusyDatabase(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === '57014' || code === '55P03' || code === '53300')) return true;
  return /^timeout exceeded when trying to connect/.test(String((error as Error).message));
}
const RETRY_AFTER_SECONDS = 5;

/**
 * Errors that mean "the database cannot be reached right now" (PostgreSQL restarted or failed
 * over): the server ended our connection (57P01–57P03, class 08), the socket dropped or was
 * refused while it restarts, or pg gave back a client whose connection had died. The request
 * fails with 503 and Retry-After, never 500; the pool drops those clients and the next request
 * opens a fresh connection, so the app recovers without a restart (test/ops-fault-pg.test.ts).
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (/^57P0[123]$/.test(code) || /^08\d{3}$/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code))) return true;
  return /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|Connection ended unexpectedly)/.test(String((error as Error).message));
}

export function isApi(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/');
}

function problem(reply: FastifyReply, req: FastifyRequest, status: number, code: string, message: string, fields?: Record<string, string>) {
  const fr = req.t;
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      type: `about:blank`,
      title: message,
      status,
      code,
      requestId: req.id,
      ...(fields && Object.keys(fields).length ? { errors: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fr(v)])) } : {}),
    });
}

export function renderError(req: FastifyRequest, reply: FastifyReply, status: number, code: string, params: Record<string, string | number> = {}, fields?: Record<string, string>) {
  const message = req.t(code, params);
  if (isApi(req)) return problem(reply, req, status, code, message, fields);
  if (status === 401 && req.method === 'GET' && !req.isHtmx) {
    const login = req.routeOptions.config?.audience === 'member' ? '/extranet/connexion' : '/connexion';
    return reply.redirect(`${login}?next=${encodeURIComponent(req.url)}`);
  }
  const title = req.t(`error.${status}.title`);
  if (req.isHtmx) {
    return reply.code(status).header('HX-Reswap', 'none').header('HX-Trigger', asciiJson({ 'consulaire:error': message })).type('text/html').send(`<p class="flash flash-error" role="alert">${escapeHtml(message)}</p>`);
  }
  return reply.render(
    <Page ctx={req.view()} title={title}>
      <p class="flash flash-error" role="alert">
        {message}
      </p>
      {status === 500 ? <p class="muted">{req.t('common.error_reference', { id: req.id })}</p> : null}
      <p>
        <a href="/">{req.t('app.home')}</a>
      </p>
    </Page>,
    status,
  );
}

/** Header values must be ASCII: JSON with \u escapes for accented letters stays valid JSON. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function errorHandler(error: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    const status = STATUS_OF[error.kind];
    if (status === 503) reply.header('retry-after', String(error.params.seconds ?? RETRY_AFTER_SECONDS));
    return renderError(req, reply, status, error.code, error.params, error.fields);
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    // Schema validation (API and typed routes): a 400 naming the fields, in the user's language.
    const fields: Record<string, string> = {};
    for (const v of fe.validation) {
      const name = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || String((v.params as { missingProperty?: string })?.missingProperty ?? '_');
      fields[name] = v.message ?? 'field.invalid';
    }
    if (isApi(req)) return problem(reply, req, 400, 'common.invalid', req.t('common.invalid'), fields);
    return renderError(req, reply, 400, 'common.invalid');
  }
  if (fe.statusCode === 413 || fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.code === 'FST_FILES_LIMIT') return renderError(req, reply, 413, 'common.payload_too_large');
  if (fe.statusCode === 429) return renderError(req, reply, 429, 'common.rate_limited');
  if (isBusyDatabase(error)) {
    req.log.warn({ err: error }, 'database busy');
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return renderError(req, reply, 503, 'common.busy', { seconds: RETRY_AFTER_SECONDS });
  }
  if (isStorageFull(error)) {
    // 507 Insufficient Storage (RFC 4918): the request was fine, the server has no room to keep
    // it — not 413, which would tell the sender to send less. The write left nothing behind
    // (platform/ops/files.ts) and its transaction rolled back.
    req.log.error({ err: { message: (error as Error).message, code: (error as { code?: unknown }).code } }, 'no space left to store a file');
    return renderError(req, reply, 507, 'common.storage_full');
  }
  if (isDatabaseUnreachable(error)) {
    req.log.warn({ err: { message: (error as Error).message, code: (error as { code?: unknown }).code } }, 'database unreachable');
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return renderError(req, reply, 503, 'common.db_unavailable', { seconds: RETRY_AFTER_SECONDS });
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Malformed body, wrong content type…: the client's fault, said plainly.
    return renderError(req, reply, fe.statusCode === 404 ? 404 : 400, fe.statusCode === 404 ? 'common.not_found' : 'common.invalid');
  }
  req.log.error({ err: error }, 'unhandled error');
  return renderError(req, reply, 500, 'common.server_error');
}
