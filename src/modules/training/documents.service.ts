// Data of the PDF documents, read for someone who may see them (no Fastify here).
import type { Actor } from '../../platform/audit/audit.js';
import { notFound } from '../../platform/errors.js';
import { companyMembers } from '../extranet/index.js';
import { findCompanies } from '../registry/index.js';
import { record } from '../../platform/audit/audit.js';
import { certificateReady } from './attendance.service.js';
import { certificatesText, type MailDeps } from './mails.js';
import { certificateData } from './attendance.service.js';
import { getEnrolment } from './enrolment.service.js';
import { getInvoice, invoiceLines } from './invoice.service.js';
import { getPayMonth } from './pay.service.js';
import { conventionPdf, certificatePdf, invoicePdf, statementPdf } from './pdf.js';
import { assertManage } from './policy.js';
import { sessionDetail } from './sessions.service.js';
import { todayInParis } from './dates.js';
import type { TrainingDb } from './training.table.js';

const companyName = async (db: TrainingDb, id: number | null) => (id === null ? '' : ((await findCompanies(db, [id])).get(id)?.name ?? ''));

export async function conventionFor(db: TrainingDb, actor: Actor, enrolmentId: number, cciName: string): Promise<{ name: string; pdf: Buffer }> {
  const e = await getEnrolment(db, actor, enrolmentId);
  if (e.status === 'cancelled') throw notFound('training.not_found');
  const d = await sessionDetail(db, e.session_id);
  const company = (await companyName(db, e.company_id)) || e.trainee_name;
  const number = `CONV-${d.session.id}-${e.id}`;
  const pdf = await conventionPdf({
    cciName,
    number,
    company,
    trainees: [{ name: e.trainee_name, job: e.trainee_job }],
    course: d.course,
    session: { start_date: d.session.start_date, end_date: d.session.end_date, hours: d.hours, location: d.session.remote ? 'à distance' : (d.room?.name ?? cciName) },
    priceCents: d.session.kind === 'intra' ? d.session.price_cents : e.price_cents,
    vatExempt: Boolean(d.course.vat_exempt),
    funding: e.funding === 'opco' ? `OPCO ${e.opco_name}${e.opco_ref ? ` (dossier ${e.opco_ref})` : ''}` : e.funding === 'company' ? 'l’entreprise' : 'le stagiaire',
  });
  return { name: number, pdf };
}

export async function certificateFor(db: TrainingDb, actor: Actor, enrolmentId: number, kind: 'completion' | 'attendance', cciName: string, today = todayInParis()): Promise<{ name: string; pdf: Buffer }> {
  const c = await certificateData(db, actor, enrolmentId, today);
  const pdf = await certificatePdf({
    cciName,
    kind,
    trainee: c.enrolment.trainee_name,
    company: await companyName(db, c.enrolment.company_id),
    title: c.session.title,
    objectives: c.session.objectives,
    start_date: c.session.start_date,
    end_date: c.session.end_date,
    totalHours: c.attendance.totalHours,
    presentHours: c.attendance.presentHours,
    excusedHours: c.attendance.excusedHours,
    remote: Boolean(c.session.remote),
    issuedOn: c.attendance.lastDay,
  });
  return { name: `${kind === 'completion' ? 'certificat-realisation' : 'attestation-assiduite'}-${c.enrolment.id}`, pdf };
}

export async function invoiceDocument(db: TrainingDb, actor: Actor, id: number, cciName: string): Promise<{ name: string; pdf: Buffer }> {
  assertManage(actor);
  const inv = await getInvoice(db, id);
  const lines = await invoiceLines(db, id);
  const credits = inv.credits_invoice_id ? (await getInvoice(db, inv.credits_invoice_id)).number : undefined;
  const pdf = await invoicePdf({ cciName, number: inv.number, kind: inv.kind, credits, customer: inv.customer_name, address: inv.customer_address, issuedOn: inv.issued_on, dueOn: inv.due_on, lines, net: inv.net_cents, vat: inv.vat_cents, total: inv.total_cents, vatExempt: Boolean(inv.vat_exempt) });
  return { name: inv.number, pdf };
}

export async function statementFor(db: TrainingDb, actor: Actor, payMonthId: number, cciName: string, stateLabel: (s: string) => string): Promise<{ name: string; pdf: Buffer }> {
  assertManage(actor);
  const { month, hours } = await getPayMonth(db, payMonthId);
  const pdf = await statementPdf({ cciName, trainer: month.trainer_name, status: month.trainer_status, month: month.month, lines: hours, total: month.total_cents, state: stateLabel(month.status) });
  return { name: `releve-${month.month}-${month.trainer_id}`, pdf };
}

/**
 * Sends each company the completion certificates of its trainees on a session (PDF attached)
 * with the link to the enrolment in the extranet, to every member with access to the company.
 * Returns the number of messages queued.
 */
export async function sendCertificates(db: TrainingDb, actor: Actor, sessionId: number, mail: MailDeps, today = todayInParis()): Promise<number> {
  assertManage(actor);
  const d = await sessionDetail(db, sessionId);
  const rows = await db.selectFrom('training_enrolments').selectAll().where('session_id', '=', sessionId).where('status', '=', 'confirmed').where('company_id', 'is not', null).orderBy('id').execute();
  let sent = 0;
  for (const e of rows) {
    if (!(await certificateReady(db, e, today))) continue;
    const doc = await certificateFor(db, actor, e.id, 'completion', mail.cciName, today);
    for (const m of await companyMembers(db, e.company_id!)) {
      const { subject, text } = certificatesText({ member: m.name, trainee: e.trainee_name, title: d.course.title, url: `${mail.publicUrl}/extranet/formations/stagiaires/${e.id}` });
      await mail.mailer.queue(db, { to: m.email, subject, text, attachments: [{ filename: `${doc.name}.pdf`, contentType: 'application/pdf', content: doc.pdf }] });
      sent++;
    }
  }
  await record(db, actor, { entity: 'training_session', entityId: sessionId, action: 'certificates_sent', after: { messages: sent } });
  return sent;
}

