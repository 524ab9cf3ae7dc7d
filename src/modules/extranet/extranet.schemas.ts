// TypeBox schemas of the extranet's JSON API (staff side, read-only): validation, OpenAPI, types.
import { Type } from '@sinclair/typebox';
import { REQUEST_CATEGORIES, REQUEST_STATUSES } from './requests.service.js';

export const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });
export const IdParams = Type.Object({ id: Type.String({ pattern: '^\\d{1,9}$' }) });

export const RequestStatus = Type.Union(REQUEST_STATUSES.map((s) => Type.Literal(s)));
export const RequestCategory = Type.Union(REQUEST_CATEGORIES.map((c) => Type.Literal(c)));

export const QueueQuery = Type.Object({
  status: Type.Optional(RequestStatus),
  category: Type.Optional(RequestCategory),
  companyId: Type.Optional(Type.Integer({ minimum: 1 })),
  assignee: Type.Optional(Type.Union([Type.Literal('me'), Type.Literal('none')])),
});

export const RequestOut = Type.Object({
  id: Type.Integer(),
  companyId: Type.Integer(),
  category: RequestCategory,
  subject: Type.String(),
  status: RequestStatus,
  assigneeId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  firstResponseAt: Type.Union([Type.String(), Type.Null()]),
  lastMessageAt: Type.String(),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
});

export const MessageOut = Type.Object({
  id: Type.Integer(),
  authorKind: Type.Union([Type.Literal('member'), Type.Literal('staff')]),
  authorName: Type.String(),
  body: Type.String(),
  createdAt: Type.String(),
  attachments: Type.Array(Type.Object({ id: Type.Integer(), fileName: Type.String(), contentType: Type.String(), size: Type.Integer() })),
});

export const ThreadOut = Type.Intersect([RequestOut, Type.Object({ messages: Type.Array(MessageOut) })]);

export const StatsOut = Type.Object({
  items: Type.Array(
    Type.Object({
      category: RequestCategory,
      total: Type.Integer(),
      answered: Type.Integer(),
      medianMinutes: Type.Union([Type.Integer(), Type.Null()]),
      averageMinutes: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});
