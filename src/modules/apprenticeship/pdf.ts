// The member's PDF summary (pdfkit): the tax of the year, the intended allocation to the CCI's
// schools with the SIRET and UAI that SOLTéA asks for, and the allocation windows.
import PDFDocument from 'pdfkit';
import type { Translate } from '../../platform/i18n/index.js';
import { euros, hundredths, percent } from './dates.js';
import type { MemberState } from './member.service.js';

export function summaryPdf(state: MemberState, t: Translate, locale: 'fr' | 'en', cciName: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: t('apprenticeship.pdf.title', { year: state.campaign.year }), Author: cciName } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  const d = state.declaration;
  doc.fontSize(18).text(t('apprenticeship.pdf.title', { year: state.campaign.year }));
  doc.moveDown(0.3).fontSize(11).fillColor('#333').text(`${state.company.name}${state.company.siren ? ` — SIREN ${state.company.siren}` : ''}`);
  doc.text(cciName);
  doc.moveDown();
  doc.fillColor('black').fontSize(13).text(t('apprenticeship.pdf.tax', { year: state.campaign.payroll_year }));
  doc.fontSize(11);
  if (d) {
    doc.text(`${t('apprenticeship.field.payroll')} : ${euros(Number(d.payroll_cents), locale)}`);
    doc.text(`${t('apprenticeship.field.employees')} : ${hundredths(d.employees100, locale)} — ${t('apprenticeship.field.work_study')} : ${hundredths(d.work_study100, locale)}`);
    doc.text(`${t('apprenticeship.main')} : ${euros(Number(d.main_cents), locale)}`);
    doc.text(`${t('apprenticeship.solde')} : ${euros(Number(d.solde_cents), locale)}`);
    doc.text(`${t('apprenticeship.csa')} : ${euros(Number(d.csa_cents), locale)}`);
    if (d.alsace_moselle) doc.text(t('apprenticeship.alsace_note'));
  } else doc.text(t('apprenticeship.pdf.no_declaration'));
  doc.moveDown();
  doc.fontSize(13).text(t('apprenticeship.pdf.allocation'));
  doc.fontSize(11);
  const schools = new Map(state.schools.map((s) => [s.id, s]));
  const pledged = state.pledges.filter((p) => p.pledged_bp > 0);
  if (!pledged.length) doc.text(t('apprenticeship.pdf.no_pledge'));
  for (const p of pledged) {
    const s = schools.get(p.school_id);
    if (!s) continue;
    doc.moveDown(0.4).font('Helvetica-Bold').text(s.name).font('Helvetica');
    doc.text(`SIRET : ${s.siret} — UAI : ${s.uai}`);
    if (s.trainings) doc.text(`${t('apprenticeship.field.trainings')} : ${s.trainings}`);
    doc.text(`${t('apprenticeship.pdf.share')} : ${percent(p.pledged_bp, locale)} — ${euros(Number(p.pledged_cents), locale)}`);
  }
  doc.moveDown();
  doc.fontSize(13).text(t('apprenticeship.windows'));
  doc.fontSize(11);
  for (const w of state.windows) doc.text(t('apprenticeship.window_range', { from: w.opens_on, to: w.closes_on }));
  doc.moveDown().fontSize(9).fillColor('#555').text(t('apprenticeship.pdf.footer'));
  doc.end();
  return done;
}
