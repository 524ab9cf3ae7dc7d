// Exports of any size as CSV (UTF-8 with BOM, ';' — what French Excel opens without an import
// dialog) or XLSX, streamed: rows are read in pages and written as they come, so memory stays
// flat whether the export has ten rows or a million.
import type { FastifyReply } from 'fastify';
import { PassThrough, type Writable } from 'node:stream';
import { stringify } from 'csv-stringify';

export type Cell = string | number | null | undefined;

export interface ExportColumn<T> {
  header: string;
  value: (row: T) => Cell;
}

export type ExportFormat = 'csv' | 'xlsx';

export function isExportFormat(v: unknown): v is ExportFormat {
  return v === 'csv' || v === 'xlsx';
}

/**
 * Reads a query page by page with a keyset (`WHERE id > last ORDER BY id LIMIT n`): the same
 * on SQLite and PostgreSQL, constant memory, and no OFFSET scan that slows down at the end.
 */
export async function* keysetPages<T, K>(fetchPage: (after: K | undefined, limit: number) => Promise<T[]>, keyOf: (row: T) => K, limit = 5000): AsyncGenerator<T> {
  let after: K | undefined;
  for (;;) {
    const page = await fetchPage(after, limit);
    for (const row of page) yield row;
    if (page.length < limit) return;
    after = keyOf(page[page.length - 1]);
  }
}

async function writeCsv<T>(rows: AsyncIterable<T>, columns: ExportColumn<T>[], out: Writable): Promise<number> {
  const csv = stringify({ delimiter: ';', bom: true });
  csv.pipe(out);
  const write = (record: Cell[]) => (csv.write(record) ? Promise.resolve() : new Promise<void>((r) => csv.once('drain', () => r())));
  await write(columns.map((c) => c.header));
  let n = 0;
  for await (const row of rows) {
    await write(columns.map((c) => c.value(row) ?? ''));
    n++;
  }
  csv.end();
  await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
  return n;
}

async function writeXlsx<T>(rows: AsyncIterable<T>, columns: ExportColumn<T>[], out: Writable, sheet: string): Promise<number> {
  // exceljs is heavy to load (~0.5 s): only when someone exports.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Consulaire';
  const ws = wb.addWorksheet(sheet.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '));
  ws.columns = columns.map((c) => ({ header: c.header, width: Math.min(40, Math.max(10, c.header.length + 2)) }));
  ws.getRow(1).font = { bold: true };
  let n = 0;
  for await (const row of rows) {
    ws.addRow(columns.map((c) => c.value(row) ?? null)).commit();
    n++;
  }
  await ws.commit();
  await wb.commit();
  return n;
}

/** An in-memory table as a row source (small report tables). */
export async function* fromArray<T>(rows: readonly T[]): AsyncGenerator<T> {
  yield* rows;
}

/** A readable stream of the export, for callers that hand a stream to the reply themselves. */
export function exportStream<T>(format: ExportFormat, rows: AsyncIterable<T>, columns: ExportColumn<T>[], sheet?: string): PassThrough {
  const body = new PassThrough();
  writeExport(format, rows, columns, body, sheet).catch((e: unknown) => body.destroy(e as Error));
  return body;
}

/** Writes rows to a stream in the chosen format; resolves with the number of data rows. */
export function writeExport<T>(format: ExportFormat, rows: AsyncIterable<T>, columns: ExportColumn<T>[], out: Writable, sheet = 'Export'): Promise<number> {
  return format === 'csv' ? writeCsv(rows, columns, out) : writeXlsx(rows, columns, out, sheet);
}

/** Sends an export as a download; the body streams while rows are read. */
export function sendExport<T>(reply: FastifyReply, format: ExportFormat, filename: string, rows: AsyncIterable<T>, columns: ExportColumn<T>[], sheet?: string): FastifyReply {
  const body = exportStream(format, rows, columns, sheet);
  const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return reply
    .header('content-type', type)
    .header('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}.${format}"`)
    .header('cache-control', 'no-store')
    .send(body);
}
