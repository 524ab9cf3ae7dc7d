// PostgreSQL refuses NUL characters in text ("invalid byte sequence"): a form or JSON body that
// carries one would end in a server error. They never mean anything in a CRM text, so they are
// removed from bodies and query strings before validation, on every CRM route.
import type { FastifyInstance, FastifyRequest, onRouteHookHandler, preValidationHookHandler } from 'fastify';

function strip(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\u0000') ? v.replace(/\u0000/g, '') : v;
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) (v as Record<string, unknown>)[k] = strip(x);
    return v;
  }
  return v;
}

const stripNul: preValidationHookHandler = async (req: FastifyRequest) => {
  if (req.body !== undefined) req.body = strip(req.body);
  if (req.query && typeof req.query === 'object') strip(req.query);
};

/** Adds the NUL stripping to every route, registered after this call, whose URL matches. */
export function stripNulOn(app: FastifyInstance, matches: (url: string) => boolean): void {
  const hook: onRouteHookHandler = (route) => {
    if (!matches(route.url)) return;
    const existing = route.preValidation ? [route.preValidation].flat() : [];
    route.preValidation = [...existing, stripNul];
  };
  app.addHook('onRoute', hook);
}
