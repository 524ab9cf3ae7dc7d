// /api/v1 of the reports: the saved reports the token's owner may open, and a report's data
// computed with the owner's rights (scope reports:read).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireId } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { labelValue } from './labels.js';
import { visibleReports } from './reports.queries.js';
import { definitionOf, openReport, runReport } from './reports.service.js';
import type { ReportsDb } from './reports.table.js';

type Ctx = ModuleContext<ReportsDb>;
const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });
const errors = { 401: Problem, 403: Problem };
const Summary = Type.Object({ id: Type.Integer(), name: Type.String(), subject: Type.String(), sharedRole: Type.Union([Type.String(), Type.Null()]), schedule: Type.String() });
const Definition = Type.Object({ subject: Type.String(), dims: Type.Array(Type.String()), measure: Type.String(), filters: Type.Record(Type.String(), Type.String()) });

export const listReportsSchema = { tags: ['reports'], summary: 'Saved reports the caller may open (own, or shared with one of its roles)', response: { 200: Type.Object({ items: Type.Array(Summary) }), ...errors } };
export const reportDataSchema = {
  tags: ['reports'],
  summary: 'A report computed with the caller’s rights: one row per combination of its groupings',
  params: Type.Object({ id: Type.String({ pattern: '^\\d{1,9}$' }) }),
  response: {
    200: Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      definition: Definition,
      total: Type.Number(),
      truncated: Type.Boolean(),
      rows: Type.Array(Type.Object({ keys: Type.Array(Type.String()), labels: Type.Array(Type.String()), value: Type.Number() })),
    }),
    404: Problem,
    ...errors,
  },
};

export async function handleListReportsApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const rows = await visibleReports(db, req.actor.id ?? 0, req.actor.roles);
  return { items: rows.map((r) => ({ id: r.id, name: r.name, subject: r.subject, sharedRole: r.shared_role, schedule: r.schedule })) };
}

export async function handleReportDataApi(req: FastifyRequest, _reply: FastifyReply, { db, reads }: Ctx) {
  const report = await openReport(db, req.actor, requireId(req, 'id', 'reports.not_found'));
  const result = await runReport(reads, req.actor, definitionOf(report), 50_000);
  const locale = req.locale;
  return {
    id: report.id,
    name: report.name,
    definition: { ...result.def, filters: Object.fromEntries(Object.entries(result.def.filters).filter((e): e is [string, string] => typeof e[1] === 'string')) },
    total: result.total,
    truncated: result.truncated,
    rows: result.rows.map((c) => ({ keys: c.keys, labels: c.keys.map((k, i) => labelValue(result.def.dims[i], k, req.t, locale)), value: c.value })),
  };
}
