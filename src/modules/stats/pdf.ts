// The monthly report as PDF (pdfkit): title, usage of the sites and every module's figures,
// each against the previous month and the same month last year. Pure: data in, bytes out.
import PDFDocument from 'pdfkit';
import type { Dashboard } from './dashboard.service.js';

export interface ReportText {
  title: string;
  cciName: string;
  usageTitle: string;
  kpiTitle: string;
  columns: [string, string, string, string];
  area(area: string): string;
  metric(metric: string): string;
  kpi(label: { fr: string; en: string }): string;
  value(n: number, unit: string): string;
  empty: string;
}

export function reportPdf(d: Dashboard, text: ReportText): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: text.title, Author: text.cciName, Creator: 'Consulaire' }, lang: 'fr-FR' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(10).text(text.cciName);
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(16).text(text.title);
    doc.moveDown();
    const x = [50, 280, 360, 440];
    const row = (cells: string[], bold = false) => {
      if (doc.y > 760) doc.addPage();
      const y = doc.y;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
      cells.forEach((c, i) => doc.text(c, x[i], y, { width: i === 0 ? 225 : 75, align: i === 0 ? 'left' : 'right', lineBreak: i === 0 }));
      doc.x = 50;
      doc.moveDown(0.3);
    };
    doc.font('Helvetica-Bold').fontSize(12).text(text.usageTitle);
    doc.moveDown(0.5);
    row(text.columns, true);
    for (const u of d.usage) row([`${text.metric(u.metric)} (${text.area(u.area)})`, text.value(u.current, 'count'), text.value(u.previous, 'count'), text.value(u.lastYear, 'count')]);
    doc.moveDown();
    doc.x = 50;
    doc.font('Helvetica-Bold').fontSize(12).text(text.kpiTitle);
    doc.moveDown(0.5);
    row(text.columns, true);
    if (d.kpis.length === 0) row([text.empty, '', '', '']);
    for (const k of d.kpis) row([`${text.kpi(k.label)}${k.group ? ` (${k.group})` : ''}`, text.value(k.current, k.unit), text.value(k.previous, k.unit), text.value(k.lastYear, k.unit)]);
    doc.end();
  });
}
