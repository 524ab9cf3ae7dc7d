// Invoices and credit notes of the training centre, numbered without gaps: the counter row is
// incremented in the same transaction as the invoice and its accounting entry, so a failure of
// any of them rolls the number back with the rest, and the next invoice takes it.
import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, invalid, notFound } from '../../platform/errors.js';
import { postEntry, type EntryLineInput } from '../accounting/index.js';
import { findCompanies } from '../registry/index.js';
import { addDays, frDate, todayInParis } from './dates.js';
import { LATE_CANCEL_SHARE } from './enrolment.service.js';
import { assertManage } from './policy.js';
import type { Invoice, TrainingDb } from './training.table.js';

export const VAT_RATE = 0.2;
export const PAYMENT_DAYS = 30;

/** The next number of a series ('FA-2027'): the row is written (and so locked) until commit. */
export async function nextNumber(db: TrainingDb, series: string): Promise<number> {
  await db.insertInto('training_counters').values({ series, value: 0 }).onConflict((oc) => oc.column('series').doNothing()).execute();
  const row = await db.updateTable('training_counters').set({ value: sql<number>`value + 1` }).where('series', '=', series).returning('value').executeTakeFirstOrThrow();
  return Number(row.value);
}
export const formatNumber = (prefix: 'FA' | 'AV', year: string, n: number) => `${prefix}-${year}-${String(n).padStart(4, '0')}`;

const auxOf = (kind: 'company' | 'opco' | 'person', key: string) => (kind === 'company' ? `CLI${key}` : kind === 'opco' ? `OPCO-${key.normalize('NFD').replace(/[^A-Za-z0-9]+/g, '').toUpperCase().slice(0, 20) || 'X'}` : `PART${key}`);

interface Draft {
  customerKind: 'company' | 'opco' | 'person';
  companyId: number | null;
  key: string;
  name: string;
  address: string;
  lines: { enrolmentId: number | null; label: string; quantity: number; unitCents: number }[];
}

/** Enrolments already on an invoice that no credit note cancelled. */
async function invoicedEnrolments(db: TrainingDb, sessionId: number): Promise<Set<number>> {
  const rows = await db
    .selectFrom('training_invoice_lines as l')
    .innerJoin('training_invoices as i', 'i.id', 'l.invoice_id')
    .select('l.enrolment_id')
    .where('i.session_id', '=', sessionId)
    .where('i.kind', '=', 'invoice')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('training_invoices as c').select('c.id').whereRef('c.credits_invoice_id', '=', 'i.id'))))
    .execute();
  return new Set(rows.map((r) => r.enrolment_id).filter((x): x is number => x !== null));
}

/** What is left to invoice on a session, grouped by who pays (company, OPCO, private person). */
export async function pendingInvoices(db: TrainingDb, sessionId: number): Promise<Draft[]> {
  const s = await db.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id').select(['s.id', 's.kind', 's.company_id', 's.price_cents', 's.start_date', 's.end_date', 's.status', 'c.title']).where('s.id', '=', sessionId).executeTakeFirst();
  if (!s) throw notFound('training.not_found');
  if (s.status === 'cancelled') return [];
  const period = `${frDate(s.start_date)}–${frDate(s.end_date)}`;
  if (s.kind === 'intra') {
    const open = await db
      .selectFrom('training_invoices as i')
      .select('i.id')
      .where('i.session_id', '=', sessionId)
      .where('i.kind', '=', 'invoice')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('training_invoices as c').select('c.id').whereRef('c.credits_invoice_id', '=', 'i.id'))))
      .executeTakeFirst();
    if (open || s.company_id === null) return [];
    const company = (await findCompanies(db, [s.company_id])).get(s.company_id);
    return [{ customerKind: 'company', companyId: s.company_id, key: String(s.company_id), name: company?.name ?? `#${s.company_id}`, address: [company?.postalCode, company?.city].filter(Boolean).join(' '), lines: [{ enrolmentId: null, label: `${s.title} — session intra-entreprise ${period}`, quantity: 1, unitCents: s.price_cents }] }];
  }
  const done = await invoicedEnrolments(db, sessionId);
  const rows = (await db.selectFrom('training_enrolments').selectAll().where('session_id', '=', sessionId).where((eb) => eb.or([eb('status', '=', 'confirmed'), eb.and([eb('status', '=', 'cancelled'), eb('late_cancel', '=', 1)])])).orderBy('id').execute()).filter((e) => !done.has(e.id));
  const companies = await findCompanies(db, rows.map((r) => r.company_id).filter((x): x is number => x !== null));
  const drafts = new Map<string, Draft>();
  for (const e of rows) {
    const kind = e.funding === 'opco' ? 'opco' : e.funding === 'company' && e.company_id !== null ? 'company' : 'person';
    const key = kind === 'opco' ? e.opco_name : kind === 'company' ? String(e.company_id) : String(e.id);
    const id = `${kind}:${key}`;
    const company = e.company_id !== null ? companies.get(e.company_id) : undefined;
    if (!drafts.has(id)) drafts.set(id, { customerKind: kind, companyId: kind === 'company' ? e.company_id : null, key, name: kind === 'opco' ? e.opco_name : kind === 'company' ? (company?.name ?? `#${e.company_id}`) : e.trainee_name, address: kind === 'company' ? [company?.postalCode, company?.city].filter(Boolean).join(' ') : '', lines: [] });
    const late = e.status === 'cancelled';
    const unit = late ? Math.round(e.price_cents * LATE_CANCEL_SHARE) : e.price_cents;
    const ref = kind === 'opco' && e.opco_ref ? ` (dossier ${e.opco_ref}${company ? `, ${company.name}` : ''})` : '';
    drafts.get(id)!.lines.push({ enrolmentId: e.id, label: `${s.title} ${period} — ${e.trainee_name}${late ? ' — annulation tardive' : ''}${ref}`, quantity: 1, unitCents: unit });
  }
  return [...drafts.values()].filter((d) => d.lines.some((l) => l.unitCents > 0));
}

/** Issues every pending invoice of a session; each is numbered and posted (VE) in the caller's transaction. */
export async function issueInvoices(db: TrainingDb, actor: Actor, sessionId: number, today = todayInParis()): Promise<Invoice[]> {
  assertManage(actor);
  const drafts = await pendingInvoices(db, sessionId);
  if (!drafts.length) throw conflict('training.nothing_to_invoice');
  const course = await db.selectFrom('training_sessions as s').innerJoin('training_courses as c', 'c.id', 's.course_id').select(['c.vat_exempt', 'c.title']).where('s.id', '=', sessionId).executeTakeFirstOrThrow();
  const out: Invoice[] = [];
  for (const d of drafts) {
    const net = d.lines.reduce((a, l) => a + l.quantity * l.unitCents, 0);
    const vat = course.vat_exempt ? 0 : Math.round(net * VAT_RATE);
    const number = formatNumber('FA', today.slice(0, 4), await nextNumber(db, `FA-${today.slice(0, 4)}`));
    const inv = await db
      .insertInto('training_invoices')
      .values({ number, kind: 'invoice', session_id: sessionId, customer_kind: d.customerKind, company_id: d.companyId, customer_name: d.name, customer_address: d.address, issued_on: today, due_on: addDays(today, PAYMENT_DAYS), net_cents: net, vat_cents: vat, total_cents: net + vat, vat_exempt: course.vat_exempt, credits_invoice_id: null, entry_number: null, created_by: actor.id, created_at: nowIso() })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db.insertInto('training_invoice_lines').values(d.lines.map((l) => ({ invoice_id: inv.id, enrolment_id: l.enrolmentId, label: l.label, quantity: l.quantity, unit_cents: l.unitCents, total_cents: l.quantity * l.unitCents }))).execute();
    const lines: EntryLineInput[] = [
      { account: '411', accountLabel: 'Clients', auxAccount: auxOf(d.customerKind, d.key), auxLabel: d.name.slice(0, 200), debitCents: net + vat, creditCents: 0, label: `${number} ${d.name}`.slice(0, 200) },
      { account: '7061', accountLabel: 'Prestations de formation', debitCents: 0, creditCents: net, label: course.title.slice(0, 200) },
    ];
    if (vat) lines.push({ account: '44571', accountLabel: 'TVA collectée', debitCents: 0, creditCents: vat, label: `TVA ${number}` });
    const entry = await postEntry(db, actor, { journal: 'VE', date: today, label: `Facture ${number} ${d.name}`.slice(0, 200), pieceRef: number, pieceDate: today, source: { module: 'training', id: inv.id }, lines });
    await db.updateTable('training_invoices').set({ entry_number: entry.number }).where('id', '=', inv.id).execute();
    await record(db, actor, { entity: 'training_invoice', entityId: inv.id, action: 'issue', after: { number, session_id: sessionId, customer: d.name, net_cents: net, vat_cents: vat, entry: entry.number } });
    out.push({ ...inv, entry_number: entry.number });
  }
  return out;
}

/** A credit note cancelling a whole invoice: its own gapless series, a reversing VE entry. */
export async function creditInvoice(db: TrainingDb, actor: Actor, invoiceId: number, reason: string, today = todayInParis()): Promise<Invoice> {
  assertManage(actor);
  const inv = await getInvoice(db, invoiceId);
  if (inv.kind !== 'invoice') throw conflict('training.credit_of_credit');
  if (!reason.trim()) throw invalid('common.invalid', { reason: 'field.required' });
  if (await db.selectFrom('training_invoices').select('id').where('credits_invoice_id', '=', invoiceId).executeTakeFirst()) throw conflict('training.already_credited');
  const number = formatNumber('AV', today.slice(0, 4), await nextNumber(db, `AV-${today.slice(0, 4)}`));
  const credit = await db
    .insertInto('training_invoices')
    .values({ number, kind: 'credit', session_id: inv.session_id, customer_kind: inv.customer_kind, company_id: inv.company_id, customer_name: inv.customer_name, customer_address: inv.customer_address, issued_on: today, due_on: today, net_cents: inv.net_cents, vat_cents: inv.vat_cents, total_cents: inv.total_cents, vat_exempt: inv.vat_exempt, credits_invoice_id: inv.id, entry_number: null, created_by: actor.id, created_at: nowIso() })
    .returningAll()
    .executeTakeFirstOrThrow();
  const lines = await invoiceLines(db, inv.id);
  await db.insertInto('training_invoice_lines').values(lines.map((l) => ({ invoice_id: credit.id, enrolment_id: l.enrolment_id, label: `${l.label} (${reason.trim().slice(0, 100)})`, quantity: l.quantity, unit_cents: l.unit_cents, total_cents: l.total_cents }))).execute();
  const aux = await db.selectFrom('training_invoices').select('id').where('id', '=', inv.id).executeTakeFirstOrThrow();
  const key = inv.customer_kind === 'company' ? String(inv.company_id) : inv.customer_kind === 'opco' ? inv.customer_name : String(lines[0]?.enrolment_id ?? aux.id);
  const entryLines: EntryLineInput[] = [
    { account: '411', accountLabel: 'Clients', auxAccount: auxOf(inv.customer_kind, key), auxLabel: inv.customer_name.slice(0, 200), debitCents: 0, creditCents: inv.total_cents, label: `${number} avoir sur ${inv.number}` },
    { account: '7061', accountLabel: 'Prestations de formation', debitCents: inv.net_cents, creditCents: 0, label: `Avoir ${number}` },
  ];
  if (inv.vat_cents) entryLines.push({ account: '44571', accountLabel: 'TVA collectée', debitCents: inv.vat_cents, creditCents: 0, label: `TVA ${number}` });
  const entry = await postEntry(db, actor, { journal: 'VE', date: today, label: `Avoir ${number} sur ${inv.number}`, pieceRef: number, pieceDate: today, source: { module: 'training', id: credit.id }, lines: entryLines });
  await db.updateTable('training_invoices').set({ entry_number: entry.number }).where('id', '=', credit.id).execute();
  await record(db, actor, { entity: 'training_invoice', entityId: credit.id, action: 'credit', after: { number, credits: inv.number, reason, entry: entry.number } });
  return { ...credit, entry_number: entry.number };
}

export async function getInvoice(db: TrainingDb, id: number): Promise<Invoice> {
  const i = await db.selectFrom('training_invoices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!i) throw notFound('training.not_found');
  return i;
}
export const invoiceLines = (db: TrainingDb, id: number) => db.selectFrom('training_invoice_lines').selectAll().where('invoice_id', '=', id).orderBy('id').execute();
export const invoicesOfSession = (db: TrainingDb, sessionId: number) => db.selectFrom('training_invoices').selectAll().where('session_id', '=', sessionId).orderBy('id').execute();
export const listInvoices = (db: TrainingDb, year: string) => db.selectFrom('training_invoices').selectAll().where('issued_on', '>=', `${year}-01-01`).where('issued_on', '<=', `${year}-12-31`).orderBy('id', 'desc').limit(500).execute();
