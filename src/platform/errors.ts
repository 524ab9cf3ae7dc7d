// The one error type services throw. A service says *what* went wrong (a code and a kind);
// platform/http maps the kind to an HTTP status once, so business code never builds HTTP errors.

export type ErrorKind =
  | 'invalid' // the input breaks a rule → 400 / 422 with field errors
  | 'unauthenticated' // no valid session or token → 401
  | 'forbidden' // authenticated but not allowed → 403
  | 'not_found' // absent, or invisible to this actor → 404
  | 'conflict' // stale version, duplicate key, wrong state → 409
  | 'rate_limited' // too many attempts → 429
  | 'payload_too_large' // upload over the limit → 413
  | 'unavailable'; // the server is too busy for this now (read past its time limit, queue full) → 503 + Retry-After

/** Field name → message key (translated at the edge) or literal message. */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  constructor(
    public readonly kind: ErrorKind,
    /** stable machine code, `<module>.<reason>`, also the i18n key of the message */
    public readonly code: string,
    public readonly fields: FieldErrors = {},
    /** values interpolated in the translated message */
    public readonly params: Record<string, string | number> = {},
  ) {
    super(code);
    this.name = 'AppError';
  }
}

export const invalid = (code: string, fields: FieldErrors = {}, params: Record<string, string | number> = {}) =>
  new AppError('invalid', code, fields, params);
export const notFound = (code = 'common.not_found') => new AppError('not_found', code);
export const forbidden = (code = 'common.forbidden') => new AppError('forbidden', code);
export const conflict = (code: string, params: Record<string, string | number> = {}) =>
  new AppError('conflict', code, {}, params);

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
