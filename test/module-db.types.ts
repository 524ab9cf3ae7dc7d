// Compiled by `tsc -p tsconfig.json --noEmit` (never run): proves that a module's handle is typed.
// Each `@ts-expect-error` line must fail to compile; if a handle went back to `Kysely<any>`, the
// line would compile, the directive would be unused, and tsc would fail on it instead.
import type { Kysely, Transaction } from 'kysely';
import type { AnyDb } from '../src/platform/db/index.js';
import type { CallerDb } from '../src/platform/db/typed.js';
import type { AdminDb } from '../src/modules/admin/admin.table.js';
import type { ContentDb } from '../src/modules/content/index.js';
import type { CrmDb } from '../src/modules/crm/crm.table.js';
import type { DirectoryDb } from '../src/modules/directory/directory.table.js';
import type { WorkspacesDb } from '../src/modules/workspaces/workspaces.table.js';
import type { ExtranetDb } from '../src/modules/extranet/extranet.table.js';
import type { RegistryDb } from '../src/modules/registry/registry.table.js';
import type { ApprovalsDb } from '../src/modules/approvals/approvals.table.js';
import type { LeaveDb } from '../src/modules/leave/leave.table.js';
import type { ExpensesDb } from '../src/modules/expenses/expenses.table.js';
import { findCompany } from '../src/modules/registry/index.js';
import { listItems } from '../src/modules/content/content.queries.js';
import { getPerson } from '../src/modules/directory/directory.service.js';
import { listPublishedFor } from '../src/modules/content/index.js';

export async function wrongNamesFailToCompile(content: ContentDb, directory: DirectoryDb, workspaces: WorkspacesDb, admin: AdminDb) {
  // @ts-expect-error: content_items has no column "titel"
  await content.selectFrom('content_items').select('titel').execute();
  // @ts-expect-error: no table "content_itemz"
  await content.selectFrom('content_itemz').selectAll().execute();
  // @ts-expect-error: users has no column "full_name" (the platform's tables are typed too)
  await content.selectFrom('users').select('full_name').execute();
  // @ts-expect-error: directory_profiles has no column "service"
  await directory.updateTable('directory_profiles').set({ service: 3 }).execute();
  // @ts-expect-error: workspace_tasks.status is 'open' | 'done'
  await workspaces.insertInto('workspace_tasks').values({ workspace_id: 1, title: 't', owner_id: null, due_on: null, status: 'closed', created_by: null, created_at: '', updated_at: '' }).execute();
  // @ts-expect-error: audit_log has no column "user_id" (the admin module reads the platform's tables, typed)
  await admin.selectFrom('audit_log').select('user_id').execute();
  // Right names compile.
  await content.selectFrom('content_items').select('title').execute();
}

export async function handlesNeedNoCast(untyped: AnyDb, trx: Transaction<any>, content: ContentDb, extranetLike: Kysely<{ other: { id: number } }>) {
  // ctx.db, a job's db, a test's db: Kysely<any> is assignable to every module handle…
  await listItems(untyped, {});
  // …and so is a transaction opened on it (why ModuleDb includes Transaction<T>).
  await listItems(trx, {});
  await untyped.transaction().execute((t) => getPerson(t, 1));
  // A typed handle's own transactions are typed.
  await content.transaction().execute((t) => listItems(t, {}));
  // Kysely is invariant in its tables: one module's handle is not another's…
  // @ts-expect-error: a ContentDb is not a DirectoryDb
  await getPerson(content, 1);
  // …so what index.ts exports to other modules takes CallerDb, which any handle is.
  const caller: CallerDb = extranetLike;
  await listPublishedFor(caller, 'extranet');
  await listPublishedFor(content, 'extranet');
}

export async function extranetNamesFailToCompile(extranet: ExtranetDb) {
  // @ts-expect-error: member_requests has no column "company" (it is company_id)
  await extranet.selectFrom('member_requests').select('company').execute();
  // @ts-expect-error: member_memberships.role is 'administrator' | 'member'
  await extranet.updateTable('member_memberships').set({ role: 'owner' }).execute();
  // The platform's tables are typed on the extranet's handle too.
  await extranet.selectFrom('sessions').select('subject_id').execute();
}

export async function registryNamesFailToCompile(registry: RegistryDb, otherModule: Kysely<{ other: { id: number } }>) {
  // @ts-expect-error: establishments has no column "siren" (the SIREN is the company's)
  await registry.selectFrom('establishments').select('siren').execute();
  // @ts-expect-error: contacts.consent is 'unknown' | 'granted' | 'refused'
  await registry.updateTable('contacts').set({ consent: 'yes' }).execute();
  // What the registry's index.ts exports takes the caller's own handle (CallerDb), no cast.
  await findCompany(otherModule, 1);
}

export async function crmNamesFailToCompile(crm: CrmDb) {
  // @ts-expect-error: crm_deals has no column "amount" (it is amount_cents)
  await crm.selectFrom('crm_deals').select('amount').execute();
  // @ts-expect-error: crm_stages.kind is 'open' | 'won' | 'lost'
  await crm.updateTable('crm_stages').set({ kind: 'closed' }).execute();
  // The platform's tables are typed on the CRM's handle too.
  await crm.selectFrom('users').select(['id', 'name', 'manager_id']).execute();
}

export async function steeringNamesFailToCompile(steering: import('../src/modules/steering/steering.table.js').SteeringDb) {
  // @ts-expect-error: steering_lines has no column "amount" (it is amount_cents; totals are never stored)
  await steering.selectFrom('steering_lines').select('amount').execute();
}

export async function approvalsLeaveExpensesNamesFailToCompile(approvals: ApprovalsDb, leave: LeaveDb, expenses: ExpensesDb) {
  // @ts-expect-error: approval_requests has no column "state" (it is status)
  await approvals.selectFrom('approval_requests').select('state').execute();
  // @ts-expect-error: approval_requests.status is a RequestStatus, not 'accepted'
  await approvals.updateTable('approval_requests').set({ status: 'accepted' }).execute();
  // @ts-expect-error: leave_requests has no column "from_date" (it is start_date)
  await leave.selectFrom('leave_requests').select('from_date').execute();
  // @ts-expect-error: leave_groups.unit is 'ouvrables' | 'ouvres'
  await leave.updateTable('leave_groups').set({ unit: 'calendaires' }).execute();
  // @ts-expect-error: expense_lines has no column "amount" (it is amount_cents)
  await expenses.selectFrom('expense_lines').select('amount').execute();
  // @ts-expect-error: expense_claims.status is a ClaimStatus, not 'approved'
  await expenses.updateTable('expense_claims').set({ status: 'approved' }).execute();
  // Right names compile, and the platform's tables are typed on these handles too.
  await expenses.selectFrom('expense_claims').innerJoin('users', 'users.id', 'expense_claims.user_id').select(['expense_claims.refund_cents', 'users.name']).execute();
}

export async function trainingNamesFailToCompile(training: import('../src/modules/training/training.table.js').TrainingDb) {
  // @ts-expect-error: training_invoices has no column "amount" (it is net_cents / total_cents)
  await training.selectFrom('training_invoices').select('amount').execute();
  // @ts-expect-error: training_slots.half is 'am' | 'pm'
  await training.updateTable('training_slots').set({ half: 'morning' }).execute();
}

export async function apprenticeshipNamesFailToCompile(appr: import('../src/modules/apprenticeship/apprenticeship.table.js').ApprenticeshipDb) {
  // @ts-expect-error: apprenticeship_pledges has no column "percent" (it is pledged_bp)
  await appr.selectFrom('apprenticeship_pledges').select('percent').execute();
  // @ts-expect-error: apprenticeship_declarations.source is 'form' | 'csv'
  await appr.updateTable('apprenticeship_declarations').set({ source: 'pdf' }).execute();
}

export async function accountingNamesFailToCompile(accounting: import('../src/modules/accounting/accounting.table.js').AccountingDb) {
  // @ts-expect-error: accounting_lines has no column "amount" (debit_cents and credit_cents)
  await accounting.selectFrom('accounting_lines').select('amount').execute();
  // @ts-expect-error: accounting_entries.journal_code is 'VE' | 'AC' | 'BQ' | 'OD' | 'HA'
  await accounting.updateTable('accounting_entries').set({ journal_code: 'XX' }).execute();
}

export async function messagesNamesFailToCompile(messages: import('../src/modules/messages/messages.table.js').MessagesDb) {
  // @ts-expect-error: message_threads has no column "title" (it is "subject")
  await messages.selectFrom('message_threads').select('title').execute();
  // @ts-expect-error: message_posts.author_kind is 'staff' | 'member'
  await messages.updateTable('message_posts').set({ author_kind: 'robot' }).execute();
}

export async function mailingNamesFailToCompile(mailing: import('../src/modules/mailing/mailing.table.js').MailingDb) {
  // @ts-expect-error: mailing_recipients has no column "sent" (it is "status" = 'sent')
  await mailing.selectFrom('mailing_recipients').select('sent').execute();
  // @ts-expect-error: mailing_campaigns.status is draft | awaiting_approval | scheduled | sending | paused | finished | cancelled
  await mailing.updateTable('mailing_campaigns').set({ status: 'done' }).execute();
}

export async function mapAndReportsNamesFailToCompile(map: import('../src/modules/map/map.table.js').MapDb, reports: import('../src/modules/reports/reports.table.js').ReportsDb) {
  // @ts-expect-error: map_cells has no column "count" (it is "n")
  await map.selectFrom('map_cells').select('count').execute();
  // @ts-expect-error: reports.schedule is none | weekly | monthly
  await reports.updateTable('reports').set({ schedule: 'daily' }).execute();
}
