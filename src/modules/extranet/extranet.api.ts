// /api/v1/extranet: the members' requests queue, read-only, for staff tools (a token with the
// extranet:requests scope). Members have no API: their audience is the extranet's pages only.
// Handlers and their schemas; the rows are in extranet.routes.ts.
import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ModuleContext } from '../../platform/module.js';
import { IdParams, Problem, QueueQuery, RequestOut, StatsOut, ThreadOut } from './extranet.schemas.js';
import type { ExtranetDb, MemberRequestRow } from './extranet.table.js';
import { getStaffRequest, listQueue, responseStats } from './requests.service.js';

type Ctx = ModuleContext<ExtranetDb>;

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export const requestsSchema = { tags: ['extranet'], summary: 'Members’ requests (open ones unless a status is given), latest activity first', querystring: QueueQuery, response: { 200: Type.Object({ items: Type.Array(RequestOut) }), ...errors } };
export const requestSchema = { tags: ['extranet'], summary: 'One request with its conversation (attachment metadata only)', params: IdParams, response: { 200: ThreadOut, ...errors } };
export const responseTimesSchema = { tags: ['extranet'], summary: 'First-response times by category over the last 90 days', response: { 200: StatsOut, ...errors } };

function requestOut(r: MemberRequestRow) {
  return {
    id: r.id,
    companyId: r.company_id,
    category: r.category,
    subject: r.subject,
    status: r.status,
    assigneeId: r.assignee_id,
    createdAt: r.created_at,
    firstResponseAt: r.first_response_at,
    lastMessageAt: r.last_message_at,
    closedAt: r.closed_at,
    version: r.version,
  };
}

export async function handleRequestsApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Static<typeof QueueQuery>;
  const rows = await listQueue(db, req.actor, { status: q.status, category: q.category, companyId: q.companyId, assignee: q.assignee });
  return { items: rows.map(requestOut) };
}

export async function handleRequestApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const thread = await getStaffRequest(db, Number((req.params as { id: string }).id));
  return {
    ...requestOut(thread.request),
    messages: thread.messages.map((m) => ({ id: m.id, authorKind: m.author_kind, authorName: m.author_name, body: m.body, createdAt: m.created_at, attachments: m.attachments.map((a) => ({ id: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size })) })),
  };
}

export async function handleResponseTimesApi(_req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return { items: await responseStats(db) };
}
