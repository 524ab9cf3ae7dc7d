// /api/v1 endpoints of the platform: who am I, users, audit log, listed in admin.routes.ts with
// their schemas (TypeBox), which validate the query and describe the response in the OpenAPI
// document.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { listUsers } from '../../platform/auth/users.js';
import type { ModuleContext } from '../../platform/module.js';
import { listAudit } from './admin.queries.js';
import type { AdminDb } from './admin.table.js';

type Ctx = ModuleContext<AdminDb>;

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String() }, { $id: undefined });

export const UserOut = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('invited')]),
  roles: Type.Array(Type.String()),
});

const Page = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })) });

const AuditQuery = Type.Intersect([
  Page,
  Type.Object({
    entity: Type.Optional(Type.String({ maxLength: 60 })),
    entityId: Type.Optional(Type.String({ maxLength: 60 })),
    action: Type.Optional(Type.String({ maxLength: 60 })),
    actor: Type.Optional(Type.Integer({ minimum: 1 })),
    from: Type.Optional(Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    to: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  }),
]);

const AuditOut = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actorId: Type.Union([Type.Integer(), Type.Null()]),
  actor: Type.String(),
  entity: Type.String(),
  entityId: Type.String(),
  action: Type.String(),
  changes: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
});

const errors = { 401: Problem, 403: Problem };

export const meSchema: FastifySchema = {
  tags: ['platform'],
  summary: 'The token’s owner and granted permissions',
  response: { 200: Type.Object({ user: UserOut, permissions: Type.Array(Type.String()) }), ...errors },
};

export async function handleMe(req: FastifyRequest) {
  return {
    user: { id: req.user!.id, email: req.user!.email, name: req.user!.name, status: req.user!.status, roles: req.user!.roles },
    permissions: [...req.actor.permissions].sort(),
  };
}

export const usersSchema: FastifySchema = {
  tags: ['platform'],
  summary: 'Staff users',
  querystring: Type.Intersect([Page, Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) })]),
  response: { 200: Type.Object({ items: Type.Array(UserOut), total: Type.Integer() }), ...errors },
};

export async function handleUsersApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as { page?: number; q?: string };
  const { items, total } = await listUsers(db, { q: q.q }, q.page ?? 1);
  return { items: items.map((u) => ({ id: u.id, email: u.email, name: u.name, status: u.status, roles: u.roles })), total };
}

export const auditSchema: FastifySchema = {
  tags: ['platform'],
  summary: 'Audit log, newest first',
  querystring: AuditQuery,
  response: { 200: Type.Object({ items: Type.Array(AuditOut), total: Type.Integer() }), ...errors },
};

export async function handleAuditApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Static<typeof AuditQuery>;
  const { items, total } = await listAudit(db, { entity: q.entity, entityId: q.entityId, action: q.action, actor: q.actor, from: q.from, to: q.to }, q.page ?? 1);
  return {
    items: items.map((r) => ({ id: r.id, at: r.at, actorId: r.actor_id, actor: r.actor_label, entity: r.entity, entityId: r.entity_id, action: r.action, changes: JSON.parse(r.changes) as Record<string, unknown>, requestId: r.request_id })),
    total,
  };
}
