// CSV and XLSX exports of a report table (the same rows the page shows).
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export interface ExportTable {
  title: string;
  head: string[];
  rows: (string | number)[][];
}

/** Semicolon-separated with a BOM: what a French spreadsheet opens without an import dialog. */
export function exportCsv(t: ExportTable): string {
  return '\ufeff' + stringify([t.head, ...t.rows], { delimiter: ';' });
}

export async function exportXlsx(t: ExportTable): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Consulaire';
  const ws = wb.addWorksheet(t.title.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '));
  ws.addRow(t.head).font = { bold: true };
  for (const r of t.rows) ws.addRow(r);
  ws.columns.forEach((c) => (c.width = 18));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
