// Reading urlencoded form bodies: every value arrives as a string or a list of strings.
import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { isAppError, notFound, type FieldErrors } from '../errors.js';

export type FormBody = Record<string, string | string[] | undefined>;

export function str(body: unknown, name: string, max = 10_000): string {
  const v = (body as FormBody | undefined)?.[name];
  const s = Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
  return String(s).slice(0, max).trim();
}

/** The raw value, untrimmed (passwords). */
export function raw(body: unknown, name: string, max = 1000): string {
  const v = (body as FormBody | undefined)?.[name];
  return String(Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).slice(0, max);
}

export function list(body: unknown, name: string): string[] {
  const v = (body as FormBody | undefined)?.[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x).trim()).filter((x) => x !== '');
}

export function int(body: unknown, name: string): number | undefined {
  const s = str(body, name);
  if (!/^-?\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

/** A positive integer route parameter, or undefined (→ 404 by the caller). */
export function idParam(v: unknown): number | undefined {
  return typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

/**
 * The numeric route parameter `name`, or a 404 with `code`: `/contenus/abc` is a page that does
 * not exist, not a bad request.
 */
export function requireId(req: { params: unknown }, name = 'id', code = 'common.not_found'): number {
  const id = idParam((req.params as Record<string, unknown> | undefined)?.[name]);
  if (id === undefined) throw notFound(code);
  return id;
}

/**
 * Runs a form's action (usually: the service in a transaction, a flash, a redirect). When the
 * service refuses the input (`invalid`), answers 422 with `form(errors)`: the same form again,
 * with the values as typed and each field's error. With `{ conflict: true }`, a `conflict`
 * (someone saved in between, wrong state) answers 409 with the form and the message on top
 * (`_form`). Any other error goes on to the platform's error page.
 */
export async function onInvalid(
  reply: FastifyReply,
  action: () => Promise<unknown>,
  form: (errors: FieldErrors) => VNode | Promise<VNode>,
  opts: { conflict?: boolean } = {},
): Promise<unknown> {
  try {
    return await action();
  } catch (e) {
    if (isAppError(e) && e.kind === 'invalid') return reply.render(await form(e.fields), 422);
    if (opts.conflict && isAppError(e) && e.kind === 'conflict') return reply.render(await form({ _form: e.code }), 409);
    throw e;
  }
}
