// A module's routes as one table: method, path, who may call it, and the named function that
// answers (as listmonk lists its handlers with their permissions). "Which code answers
// POST /contenus/:id/publier" is one search in the module's `<module>.routes.ts`, and the
// access of every route can be reviewed without reading a handler.
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { Permission } from '../access/permissions.js';
import type { AnyDb } from '../db/index.js';
import type { ModuleContext } from '../module.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every route declares who may call it; a row without one does not compile. */
export type Access = FastifyContextConfig & ({ permission: Permission } | { public: true } | { signedIn: true } | { audience: 'member' });

/** A named handler: the request, the reply, and the module's context with its typed handle. */
export type Handler<Db = AnyDb> = (req: FastifyRequest, reply: FastifyReply, ctx: ModuleContext<Db>) => unknown;

/** One row: `['POST', '/contenus/:id/publier', { permission: 'content:write' }, publishAction]`; JSON routes add their TypeBox schema. */
export type Route<Db = AnyDb> = readonly [method: Method, url: string, access: Access, handler: Handler<Db>, schema?: FastifySchema];

export type RouteTable<Db = AnyDb> = readonly Route<Db>[];

/** Registers a table's routes (a module's `web` or `api` hook calls it with its own table). */
export function mountRoutes<Db>(app: FastifyInstance, ctx: ModuleContext<NoInfer<Db>>, routes: RouteTable<Db>): void {
  for (const [method, url, access, handler, schema] of routes) {
    const config: FastifyContextConfig = access;
    app.route({ method, url, config, ...(schema ? { schema } : {}), handler: (req, reply) => handler(req, reply, ctx) });
  }
}
