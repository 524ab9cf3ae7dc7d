// Reports: validate a definition, run it with the viewer's permissions, save, share with a role,
// schedule by e-mail (to named users, each receiving it computed with their own permissions),
// delete. Every write is audited in the caller's transaction.
import { permissionsOf, ROLES } from '../../platform/access/permissions.js';
import { record, SYSTEM_ACTOR, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, isAppError, notFound, type FieldErrors } from '../../platform/errors.js';
import type { Mailer } from '../../platform/mail/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { assertCanManage, assertCanOpen, assertCanSeeSubject, mayUseReports } from './policy.js';
import { dueReports, findReport, usersByEmail, usersWithRoles } from './reports.queries.js';
import type { ReportRow, ReportsDb } from './reports.table.js';
import { SUBJECT_OF, SUBJECTS, type Cell, type Definition, type FilterKey, type SubjectKey } from './subjects.js';
import { forbidden } from '../../platform/errors.js';

/** Rows shown on a page (an export takes them all, up to the subject's 50,000 source rows). */
export const PAGE_ROWS = 2000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface DefinitionInput {
  subject?: string;
  dims?: string[];
  measure?: string;
  query?: string;
  from?: string;
  to?: string;
  adviser?: string;
}

/** A definition from a form or a query string; 422 naming the field otherwise. */
export function parseDefinition(input: DefinitionInput): Definition {
  const errors: FieldErrors = {};
  const subject = SUBJECTS.includes(input.subject as SubjectKey) ? (input.subject as SubjectKey) : undefined;
  if (!subject) throw invalid('common.invalid', { subject: 'reports.subject_invalid' });
  const s = SUBJECT_OF[subject];
  const dims = [...new Set((input.dims ?? []).filter(Boolean))];
  if (dims.length < 1 || dims.length > 2 || dims.some((d) => !s.dimensions.includes(d))) errors.dims = 'reports.dims_invalid';
  const measure = input.measure || 'count';
  if (!s.measures.includes(measure)) errors.measure = 'reports.measure_invalid';
  const filters: Partial<Record<FilterKey, string>> = {};
  if (s.filters.includes('query') && input.query) {
    if (input.query.length > 2000) errors.query = 'reports.query_invalid';
    else filters.query = input.query.replace(/^\?/, '');
  }
  for (const k of ['from', 'to'] as const) {
    const v = input[k]?.trim();
    if (!v || !s.filters.includes(k)) continue;
    if (!DATE.test(v) || Number.isNaN(Date.parse(v))) errors[k] = 'reports.date_invalid';
    else filters[k] = v;
  }
  if (filters.from && filters.to && filters.from > filters.to) errors.to = 'reports.period_invalid';
  if (input.adviser && s.filters.includes('adviser')) {
    if (!/^\d{1,9}$/.test(input.adviser)) errors.adviser = 'reports.adviser_invalid';
    else filters.adviser = input.adviser;
  }
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  return { subject, dims, measure, filters };
}

/**
 * A definition for this actor: who may see the subject is decided before what was sent is checked
 * (a 403 never tells which fields a subject takes), then parseDefinition.
 */
export function definitionFor(actor: Actor, input: DefinitionInput): Definition {
  if (!mayUseReports(actor)) throw forbidden('reports.forbidden');
  if (SUBJECTS.includes(input.subject as SubjectKey)) assertCanSeeSubject(actor, input.subject as SubjectKey);
  return parseDefinition(input);
}

export interface ReportResult {
  def: Definition;
  rows: Cell[];
  total: number;
  truncated: boolean;
}

const TIME_DIMS = new Set(['month', 'year']);

/** Runs a definition as the actor: the subject's module applies its own rules to the actor. */
export async function runReport(db: ReportsDb, actor: Actor, def: Definition, limit = PAGE_ROWS): Promise<ReportResult> {
  if (!mayUseReports(actor)) throw forbidden('reports.forbidden');
  assertCanSeeSubject(actor, def.subject);
  const cells = await SUBJECT_OF[def.subject].run(db, actor, def);
  cells.sort(TIME_DIMS.has(def.dims[0]) ? (a, b) => a.keys.join('|').localeCompare(b.keys.join('|')) : (a, b) => b.value - a.value || a.keys.join('|').localeCompare(b.keys.join('|')));
  const total = def.measure === 'count' ? cells.reduce((a, c) => a + c.value, 0) : cells.length;
  return { def, rows: cells.slice(0, limit), total, truncated: cells.length > limit };
}

export function definitionOf(r: ReportRow): Definition {
  return JSON.parse(r.definition) as Definition;
}

/** A report the actor may open, or a 404 (a report not shared with the actor does not exist for it). */
export async function openReport(db: ReportsDb, actor: Actor, id: number): Promise<ReportRow> {
  const r = await findReport(db, id);
  if (!r) throw notFound('reports.not_found');
  assertCanOpen(actor, r);
  return r;
}

function checkName(name: string, role: string | null, errors: FieldErrors = {}): { name: string; role: string | null } {
  const n = name.trim().slice(0, 120);
  if (!n) errors.name = 'field.required';
  if (role && !(ROLES as readonly string[]).includes(role)) errors.shared_role = 'reports.role_invalid';
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  return { name: n, role: role || null };
}

export async function createReport(db: ReportsDb, actor: Actor, input: DefinitionInput & { name: string; sharedRole?: string }): Promise<number> {
  if (actor.id === null) throw forbidden('reports.forbidden');
  const def = definitionFor(actor, input);
  const { name, role } = checkName(input.name, input.sharedRole || null);
  const now = nowIso();
  const row = await db
    .insertInto('reports')
    .values({ name, subject: def.subject, definition: JSON.stringify(def), owner_id: actor.id, shared_role: role, schedule: 'none', recipients: '[]', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'report', entityId: row.id, action: 'create', after: { name, definition: def, shared_role: role } });
  return row.id;
}

export async function updateReport(db: ReportsDb, actor: Actor, id: number, version: number, input: DefinitionInput & { name: string; sharedRole?: string }): Promise<void> {
  const r = await openReport(db, actor, id);
  assertCanManage(actor, r);
  const def = definitionFor(actor, input);
  const { name, role } = checkName(input.name, input.sharedRole || null);
  await updateWithVersion(db, 'reports', id, version, { name, subject: def.subject, definition: JSON.stringify(def), shared_role: role, updated_at: nowIso() });
  await record(db, actor, { entity: 'report', entityId: id, action: 'update', before: { name: r.name, definition: definitionOf(r), shared_role: r.shared_role }, after: { name, definition: def, shared_role: role } });
}

/** Schedules a report to named users (their e-mail addresses); each gets it computed with their own rights. */
export async function scheduleReport(db: ReportsDb, actor: Actor, id: number, input: { schedule: string; recipients: string }): Promise<void> {
  const r = await openReport(db, actor, id);
  assertCanManage(actor, r);
  const schedule = input.schedule === 'weekly' || input.schedule === 'monthly' || input.schedule === 'none' ? input.schedule : undefined;
  if (!schedule) throw invalid('common.invalid', { schedule: 'reports.schedule_invalid' });
  const emails = [...new Set(input.recipients.split(/[\s,;]+/).map((e) => e.trim().toLowerCase()).filter(Boolean))].slice(0, 50);
  const users = await usersByEmail(db, emails);
  const unknown = emails.filter((e) => !users.some((u) => u.email.toLowerCase() === e));
  if (unknown.length) throw invalid('common.invalid', { recipients: 'reports.recipients_unknown' });
  if (schedule !== 'none' && !users.length) throw invalid('common.invalid', { recipients: 'reports.recipients_required' });
  const recipients = users.map((u) => u.id);
  await db.updateTable('reports').set({ schedule, recipients: JSON.stringify(recipients), updated_at: nowIso(), version: r.version + 1 }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'report', entityId: id, action: 'schedule', before: { schedule: r.schedule, recipients: JSON.parse(r.recipients) }, after: { schedule, recipients } });
}

export async function deleteReport(db: ReportsDb, actor: Actor, id: number): Promise<void> {
  const r = await openReport(db, actor, id);
  assertCanManage(actor, r);
  await db.deleteFrom('reports').where('id', '=', id).execute();
  await record(db, actor, { entity: 'report', entityId: id, action: 'delete', before: { name: r.name, definition: definitionOf(r), shared_role: r.shared_role } });
}

export interface Rendered {
  subject: string;
  text: string;
  csv: Buffer;
}

/**
 * Sends the scheduled reports that are due (weekly: 7 days after the last sending, monthly: 30),
 * each to its recipients computed with the recipient's own permissions at the time of sending: a
 * recipient who may no longer see the subject gets nothing. Mail goes through the outbox.
 */
export async function sendDueReports(db: ReportsDb, reads: ReportsDb, mailer: Mailer, render: (r: ReportRow, result: ReportResult, locale: string) => Promise<Rendered>, now = new Date()): Promise<{ sent: number; skipped: number }> {
  let sent = 0;
  let skipped = 0;
  for (const [schedule, days] of [['weekly', 7], ['monthly', 30]] as const) {
    const before = new Date(now.getTime() - days * 86400_000 + 3600_000).toISOString();
    for (const r of await dueReports(db, schedule, before)) {
      const recipients = await usersWithRoles(db, JSON.parse(r.recipients) as number[]);
      for (const u of recipients) {
        const actor: Actor = { id: u.id, label: u.email, kind: 'staff', roles: u.roles, permissions: permissionsOf(u.roles) };
        try {
          const result = await runReport(reads, actor, definitionOf(r), 50_000);
          const mail = await render(r, result, u.locale);
          await mailer.queue(db, { to: u.email, subject: mail.subject, text: mail.text, attachments: [{ filename: `rapport-${r.id}.csv`, contentType: 'text/csv; charset=utf-8', content: mail.csv }] });
          sent++;
        } catch (e) {
          if (!isAppError(e) || (e.kind !== 'forbidden' && e.kind !== 'not_found')) throw e;
          skipped++;
        }
      }
      await db.updateTable('reports').set({ last_sent_at: now.toISOString() }).where('id', '=', r.id).execute();
      await record(db, SYSTEM_ACTOR, { entity: 'report', entityId: r.id, action: 'send', after: { schedule, recipients: recipients.map((u) => u.id) } });
    }
  }
  return { sent, skipped };
}
