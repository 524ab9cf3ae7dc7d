// Named handlers of the reports' HTML routes. Reports run on ctx.reads (heavy reads) with the
// viewer's actor; writes open their transaction here and the service audits in it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fromArray, sendExport } from '../../platform/export.js';
import { int, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { labelValue } from './labels.js';
import { maySeeSubject, mayManageReport } from './policy.js';
import { usersWithRoles, visibleReports } from './reports.queries.js';
import { createReport, definitionFor, definitionOf, deleteReport, openReport, runReport, scheduleReport, updateReport, type DefinitionInput, type ReportResult } from './reports.service.js';
import type { ReportRow, ReportsDb } from './reports.table.js';
import { SUBJECTS, type Cell } from './subjects.js';
import { BuilderPage, ReportPage, ReportsListPage, type BuilderProps } from './views/reports.js';

type Ctx = ModuleContext<ReportsDb>;

function definitionInput(source: unknown): DefinitionInput & { name: string; sharedRole: string } {
  return {
    subject: str(source, 'subject', 40),
    dims: list(source, 'dims').slice(0, 3),
    measure: str(source, 'measure', 40),
    query: str(source, 'query', 2000),
    from: str(source, 'from', 10),
    to: str(source, 'to', 10),
    adviser: str(source, 'adviser', 12),
    name: str(source, 'name', 120),
    sharedRole: str(source, 'shared_role', 40),
  };
}

const subjectsFor = (req: FastifyRequest) => SUBJECTS.filter((s) => maySeeSubject(req.actor, s));

function builder(req: FastifyRequest, props: Omit<BuilderProps, 'ctx' | 'subjects'>) {
  return <BuilderPage ctx={req.view()} subjects={subjectsFor(req)} {...props} />;
}

export async function handleReports(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ReportsListPage ctx={req.view()} reports={await visibleReports(db, req.actor.id ?? 0, req.actor.roles)} />);
}

/** The builder: with a subject in the query, the report is run and shown (422 with the fields when it cannot be). */
export async function handleBuilder(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const input = definitionInput(req.query);
  if (!input.subject) return reply.render(builder(req, { input }));
  return onInvalid(
    reply,
    async () => reply.render(builder(req, { input, result: await runReport(reads, req.actor, definitionFor(req.actor, input)) })),
    (errors) => builder(req, { input, errors }),
  );
}

export async function handleCreateReport(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const input = definitionInput(req.body);
  return onInvalid(
    reply,
    async () => {
      const id = await db.transaction().execute((trx) => createReport(trx, req.actor, input));
      reply.flash('success', 'reports.saved');
      return reply.redirect(`/rapports/${id}`);
    },
    (errors) => builder(req, { input, errors }),
  );
}

async function reportPage(req: FastifyRequest, ctx: Ctx, report: ReportRow, extra: { errors?: Record<string, string>; schedule?: { schedule: string; recipients: string } } = {}) {
  const result = await runReport(ctx.reads, req.actor, definitionOf(report));
  const recipients = await usersWithRoles(ctx.db, JSON.parse(report.recipients) as number[]);
  return <ReportPage ctx={req.view()} report={{ ...report, recipientEmails: recipients.map((u) => u.email) }} result={result} canManage={mayManageReport(req.actor, report)} {...extra} />;
}

export async function handleReport(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const report = await openReport(ctx.db, req.actor, requireId(req, 'id', 'reports.not_found'));
  return reply.render(await reportPage(req, ctx, report));
}

export async function handleEditReport(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const report = await openReport(ctx.db, req.actor, requireId(req, 'id', 'reports.not_found'));
  const def = definitionOf(report);
  const fromQuery = definitionInput(req.query);
  const input = fromQuery.subject ? { ...fromQuery, name: fromQuery.name || report.name, sharedRole: fromQuery.sharedRole || report.shared_role || '' } : { subject: def.subject, dims: def.dims, measure: def.measure, ...def.filters, name: report.name, sharedRole: report.shared_role ?? '' };
  if (!mayManageReport(req.actor, report)) return handleReport(req, reply, ctx);
  return onInvalid(
    reply,
    async () => reply.render(builder(req, { input, report, result: await runReport(ctx.reads, req.actor, definitionFor(req.actor, input)) })),
    (errors) => builder(req, { input, report, errors }),
  );
}

export async function handleUpdateReport(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'id', 'reports.not_found');
  const input = definitionInput(req.body);
  const version = int(req.body, 'version') ?? 0;
  return onInvalid(
    reply,
    async () => {
      await ctx.db.transaction().execute((trx) => updateReport(trx, req.actor, id, version, input));
      reply.flash('success', 'reports.updated');
      return reply.redirect(`/rapports/${id}`);
    },
    async (errors) => builder(req, { input, errors, report: await openReport(ctx.db, req.actor, id) }),
    { conflict: true },
  );
}

export async function handleScheduleReport(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'id', 'reports.not_found');
  const input = { schedule: str(req.body, 'schedule', 20), recipients: str(req.body, 'recipients', 4000) };
  return onInvalid(
    reply,
    async () => {
      await ctx.db.transaction().execute((trx) => scheduleReport(trx, req.actor, id, input));
      reply.flash('success', 'reports.scheduled');
      return reply.redirect(`/rapports/${id}`);
    },
    async (errors) => reportPage(req, ctx, await openReport(ctx.db, req.actor, id), { errors, schedule: input }),
  );
}

export async function handleDeleteReport(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'reports.not_found');
  await db.transaction().execute((trx) => deleteReport(trx, req.actor, id));
  reply.flash('success', 'reports.deleted');
  return reply.redirect('/rapports');
}

/** The columns of an export: each grouping as code and label, then the measure. */
export function exportColumns(result: ReportResult, t: (k: string) => string, locale: string) {
  const { def } = result;
  return [
    ...def.dims.flatMap((d, i) => [
      { header: `${t(`reports.dim.${d}`)} (code)`, value: (c: Cell) => c.keys[i] },
      { header: t(`reports.dim.${d}`), value: (c: Cell) => labelValue(d, c.keys[i], t, locale) },
    ]),
    { header: t(`reports.measure.${def.measure}`), value: (c: Cell) => c.value },
  ];
}

export async function handleExportReport(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const report = await openReport(ctx.db, req.actor, requireId(req, 'id', 'reports.not_found'));
  const result = await runReport(ctx.reads, req.actor, definitionOf(report), 50_000);
  const format = req.routeOptions.url?.endsWith('.xlsx') ? 'xlsx' : 'csv';
  return sendExport(reply, format, `rapport-${report.id}.${format}`, fromArray(result.rows), exportColumns(result, req.t, req.locale), report.name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Rapport');
}
