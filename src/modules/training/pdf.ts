// The training centre's documents as PDF (pdfkit): convention de formation, certificates,
// invoices and credit notes, trainers' monthly statements, the BPF. Pure: data in, bytes out.
import PDFDocument from 'pdfkit';
import { euros, frDate, hoursText } from './dates.js';
import type { Bpf } from './reports.service.js';

type Doc = InstanceType<typeof PDFDocument>;

function render(title: string, draw: (doc: Doc) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title, Author: 'Consulaire', Creator: 'Consulaire' }, lang: 'fr-FR' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    draw(doc);
    doc.end();
  });
}

function header(doc: Doc, cciName: string, title: string) {
  doc.font('Helvetica-Bold').fontSize(10).text(cciName);
  doc.font('Helvetica').fontSize(9).text('Centre de formation — organisme de formation');
  doc.moveDown(1.5);
  doc.font('Helvetica-Bold').fontSize(16).text(title);
  doc.moveDown(0.8);
  doc.font('Helvetica').fontSize(10);
}
const para = (doc: Doc, label: string, value: string) => {
  if (!value) return;
  doc.font('Helvetica-Bold').text(label);
  doc.font('Helvetica').text(value);
  doc.moveDown(0.5);
};

export interface ConventionData {
  cciName: string;
  number: string;
  company: string;
  trainees: { name: string; job: string }[];
  course: { title: string; objectives: string; programme: string; prerequisites: string; teaching_methods: string; assessment: string; accessibility: string };
  session: { start_date: string; end_date: string; hours: number; location: string };
  priceCents: number;
  vatExempt: boolean;
  funding: string;
}

/** Convention de formation professionnelle (Code du travail L6353-1). */
export function conventionPdf(d: ConventionData): Promise<Buffer> {
  return render(`Convention de formation ${d.number}`, (doc) => {
    header(doc, d.cciName, 'Convention de formation professionnelle');
    doc.text(`Référence : ${d.number}`);
    doc.text(`Entre ${d.cciName}, organisme de formation, et ${d.company}, ci-après « le client ».`);
    doc.text('Articles L6353-1 et L6353-2 du Code du travail.');
    doc.moveDown();
    para(doc, 'Article 1 — Objet', `Action de formation « ${d.course.title} ».`);
    para(doc, 'Objectifs', d.course.objectives);
    para(doc, 'Programme', d.course.programme);
    para(doc, 'Prérequis', d.course.prerequisites);
    para(doc, 'Moyens pédagogiques', d.course.teaching_methods);
    para(doc, 'Modalités d’évaluation', d.course.assessment);
    para(doc, 'Accessibilité', d.course.accessibility);
    para(doc, 'Article 2 — Dates, durée, lieu', `Du ${frDate(d.session.start_date)} au ${frDate(d.session.end_date)}, ${hoursText(d.session.hours)}, ${d.session.location}.`);
    para(doc, 'Article 3 — Stagiaires', d.trainees.map((t) => `${t.name}${t.job ? ` (${t.job})` : ''}`).join(', '));
    para(doc, 'Article 4 — Prix', `${euros(d.priceCents)} ${d.vatExempt ? 'net de TVA (exonération, article 261-4-4° a du CGI)' : 'hors taxes, TVA 20 % en sus'}. Financement : ${d.funding}.`);
    para(doc, 'Article 5 — Annulation', 'Annulation sans frais jusqu’à 10 jours avant le premier jour ; au-delà, 50 % du prix reste dû. Toute absence non justifiée est due.');
    doc.moveDown();
    doc.text('Fait en deux exemplaires.   Pour le client :                      Pour l’organisme :');
  });
}

export interface CertificateInput {
  cciName: string;
  kind: 'completion' | 'attendance';
  trainee: string;
  company: string;
  title: string;
  objectives: string;
  start_date: string;
  end_date: string;
  totalHours: number;
  presentHours: number;
  excusedHours: number;
  remote: boolean;
  issuedOn: string;
}

/** Certificat de réalisation (completion, with the hours done) or attestation d'assiduité (attendance rate). */
export function certificatePdf(d: CertificateInput): Promise<Buffer> {
  const title = d.kind === 'completion' ? 'Certificat de réalisation' : 'Attestation d’assiduité';
  return render(`${title} — ${d.trainee}`, (doc) => {
    header(doc, d.cciName, title);
    doc.text(`${d.cciName}, organisme de formation, certifie que :`);
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(13).text(d.trainee);
    doc.font('Helvetica').fontSize(10);
    if (d.company) doc.text(`salarié(e) de ${d.company}`);
    doc.moveDown(0.5);
    doc.text(`a suivi l’action de formation « ${d.title} »`);
    doc.text(`du ${frDate(d.start_date)} au ${frDate(d.end_date)} (${d.remote ? 'à distance' : 'en présentiel'}).`);
    doc.moveDown(0.5);
    if (d.kind === 'completion') {
      doc.text(`Durée réalisée : ${hoursText(d.presentHours)} sur ${hoursText(d.totalHours)} prévues.`);
      doc.text('Nature de l’action (article L6313-1 du Code du travail) : action de formation.');
    } else {
      const rate = d.totalHours ? Math.round((d.presentHours / d.totalHours) * 100) : 0;
      doc.text(`Assiduité : ${rate} % (${hoursText(d.presentHours)} présentes, ${hoursText(d.excusedHours)} d’absence justifiée, sur ${hoursText(d.totalHours)}).`);
      para(doc, 'Objectifs de la formation', d.objectives);
    }
    doc.moveDown();
    doc.text(`Fait le ${frDate(d.issuedOn)}, d’après les feuilles d’émargement.`);
  });
}

export interface InvoicePdfData {
  cciName: string;
  number: string;
  kind: 'invoice' | 'credit';
  credits?: string;
  customer: string;
  address: string;
  issuedOn: string;
  dueOn: string;
  lines: { label: string; quantity: number; unit_cents: number; total_cents: number }[];
  net: number;
  vat: number;
  total: number;
  vatExempt: boolean;
}

export function invoicePdf(d: InvoicePdfData): Promise<Buffer> {
  const title = d.kind === 'credit' ? `Avoir ${d.number}` : `Facture ${d.number}`;
  return render(title, (doc) => {
    header(doc, d.cciName, title);
    doc.text(`Date : ${frDate(d.issuedOn)}${d.kind === 'invoice' ? `   Échéance : ${frDate(d.dueOn)}` : ''}`);
    if (d.credits) doc.text(`Annule la facture ${d.credits}`);
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').text('Client');
    doc.font('Helvetica').text(d.customer);
    if (d.address) doc.text(d.address);
    doc.moveDown();
    for (const l of d.lines) doc.text(`${l.label} — ${l.quantity} × ${euros(l.unit_cents)} = ${euros(l.total_cents)}`);
    doc.moveDown();
    doc.text(`Total hors taxes : ${euros(d.net)}`);
    doc.text(d.vatExempt ? 'TVA : exonération, article 261-4-4° a du CGI' : `TVA 20 % : ${euros(d.vat)}`);
    doc.font('Helvetica-Bold').text(`${d.kind === 'credit' ? 'Total de l’avoir' : 'Net à payer'} : ${euros(d.total)}`);
    doc.font('Helvetica').moveDown();
    if (d.kind === 'invoice') doc.text('Pénalités de retard : trois fois le taux d’intérêt légal ; indemnité forfaitaire pour frais de recouvrement : 40 €.');
  });
}

export interface StatementData {
  cciName: string;
  trainer: string;
  status: string;
  month: string;
  lines: { day: string; kind: string; hours: number; rate_cents: number; amount_cents: number; label: string }[];
  total: number;
  state: string;
}

export function statementPdf(d: StatementData): Promise<Buffer> {
  const kinds: Record<string, string> = { face: 'Face-à-face', prep: 'Préparation', remote: 'À distance' };
  return render(`Relevé ${d.month} ${d.trainer}`, (doc) => {
    header(doc, d.cciName, `Relevé mensuel d’heures — ${d.month}`);
    doc.text(`Formateur : ${d.trainer} (${d.status === 'contract' ? 'vacataire, sur facture' : 'salarié, par la paie'})`);
    doc.text(`État : ${d.state}`);
    doc.moveDown();
    for (const l of d.lines) doc.text(`${frDate(l.day)}  ${kinds[l.kind] ?? l.kind}  ${hoursText(l.hours)} × ${euros(l.rate_cents)} = ${euros(l.amount_cents)}  ${l.label}`);
    doc.moveDown();
    doc.font('Helvetica-Bold').text(`Total : ${euros(d.total)}`);
  });
}

export function bpfPdf(cciName: string, b: Bpf): Promise<Buffer> {
  return render(`BPF ${b.year}`, (doc) => {
    header(doc, cciName, `Bilan pédagogique et financier ${b.year}`);
    para(doc, 'Produits de la formation (cadre C)', [`Entreprises : ${euros(b.revenue.company)}`, `OPCO : ${euros(b.revenue.opco)}`, `Particuliers : ${euros(b.revenue.person)}`, `Total : ${euros(b.revenue.total)}`].join('\n'));
    para(doc, 'Formateurs (cadre E)', `Heures de formation dispensées par des formateurs salariés : ${hoursText(b.trainerHours.salaried)}\nPar des formateurs extérieurs (vacataires) : ${hoursText(b.trainerHours.contract)}`);
    para(doc, 'Stagiaires (cadre F)', `Nombre de stagiaires : ${b.trainees}\nNombre d’heures-stagiaires : ${hoursText(b.traineeHours)}`);
    para(doc, 'Activité', `Sessions : ${b.sessions}, actions de formation : ${b.courses}`);
  });
}
