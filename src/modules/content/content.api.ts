// /api/v1/content: published items per audience (public without a token; intranet and extranet
// only for tokens whose owner may write content) and the editors' working copies. Handlers and
// their schemas; content.routes.ts lists them with their access.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { can } from '../../platform/access/index.js';
import { AppError } from '../../platform/errors.js';
import type { ModuleContext } from '../../platform/module.js';
import { listItems, listLive } from './content.queries.js';
import { searchable } from './content.sanitize.js';
import { getItem } from './content.service.js';
import { KINDS, STATUSES, type ContentDb, type LiveRow } from './content.table.js';

type Ctx = ModuleContext<ContentDb>;
import { hrefOf } from './views/common.js';

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String() });
const KindT = Type.Union(KINDS.map((k) => Type.Literal(k)));
const Published = Type.Object({
  id: Type.Integer(),
  kind: KindT,
  title: Type.String(),
  summary: Type.String(),
  body: Type.String({ description: 'sanitised HTML' }),
  url: Type.String(),
  publishedAt: Type.String(),
  newsDate: Type.Union([Type.String(), Type.Null()]),
  eventStart: Type.Union([Type.String(), Type.Null()]),
  eventEnd: Type.Union([Type.String(), Type.Null()]),
  eventPlace: Type.Union([Type.String(), Type.Null()]),
});
const PublishedQuery = Type.Object({
  audience: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('intranet'), Type.Literal('extranet')], { default: 'public' })),
  kind: Type.Optional(KindT),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0 })),
});
const ItemOut = Type.Object({
  id: Type.Integer(),
  kind: KindT,
  status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
  title: Type.String(),
  audiences: Type.Array(Type.String()),
  revision: Type.Integer(),
  updatedAt: Type.String(),
});

function published(r: LiveRow, audience: string) {
  const base = audience === 'intranet' ? '/intranet' : '';
  return {
    id: r.item_id,
    kind: r.kind,
    title: r.title,
    summary: r.summary,
    body: r.body,
    url: audience === 'extranet' ? '' : hrefOf({ base, audience } as never, r),
    publishedAt: r.published_at,
    newsDate: r.news_date,
    eventStart: r.event_start,
    eventEnd: r.event_end,
    eventPlace: r.event_place,
  };
}

const ItemsQuery = Type.Object({ kind: Type.Optional(KindT), status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })) });

export const publishedSchema: FastifySchema = {
  tags: ['content'],
  summary: 'Published items of an audience (public needs no token)',
  security: [],
  querystring: PublishedQuery,
  response: { 200: Type.Object({ items: Type.Array(Published), total: Type.Integer() }), 401: Problem, 403: Problem },
};

export async function handlePublishedApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Static<typeof PublishedQuery>;
  const audience = q.audience ?? 'public';
  // Intranet and extranet items are never given to an anonymous caller nor to a token
  // that cannot read content.
  if (audience !== 'public' && !(req.actor.kind === 'staff' && can(req.actor, 'content:write'))) {
    throw new AppError(req.actor.kind === 'anonymous' ? 'unauthenticated' : 'forbidden', 'common.forbidden');
  }
  const { items, total } = await listLive(db, audience, { kind: q.kind, q: q.q ? searchable(q.q) : undefined, limit: q.limit ?? 20, offset: q.offset ?? 0 });
  return { items: items.map((r) => published(r, audience)), total };
}

export const itemsSchema: FastifySchema = {
  tags: ['content'],
  summary: 'Working copies (editors)',
  querystring: ItemsQuery,
  response: { 200: Type.Object({ items: Type.Array(ItemOut), total: Type.Integer() }), 401: Problem, 403: Problem },
};

export async function handleItemsApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Static<typeof ItemsQuery>;
  const { items, total } = await listItems(db, { kind: q.kind, status: q.status }, q.page ?? 1);
  return {
    items: items.map((i) => ({ id: i.id, kind: i.kind, status: i.status, title: i.title, audiences: (['intranet', 'extranet', 'public'] as const).filter((a) => i[`aud_${a}`]), revision: i.revision, updatedAt: i.updated_at })),
    total,
  };
}

export const itemSchema: FastifySchema = {
  tags: ['content'],
  summary: 'One working copy',
  // Ids are 32-bit integers in the database: a larger one would be a 500 on PostgreSQL.
  params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
  response: { 200: Type.Intersect([ItemOut, Type.Object({ body: Type.String(), summary: Type.String() })]), 401: Problem, 403: Problem, 404: Problem },
};

export async function handleItemApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const i = await getItem(db, (req.params as { id: number }).id);
  return { id: i.id, kind: i.kind, status: i.status, title: i.title, audiences: (['intranet', 'extranet', 'public'] as const).filter((a) => i[`aud_${a}`]), revision: i.revision, updatedAt: i.updated_at, body: i.body, summary: i.summary };
}
