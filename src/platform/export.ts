// Exports of any size as CSV (UTF-8 with BOM, ';' — what French Excel opens without an import
// dialog) or XLSX, streamed: rows are read in pages and written as they come, so memory stays
// flat whether the export has ten rows or a million.
//
// Flat memory needs backpressure all the way: the writer waits for the output to drain before
// it asks the source for the next page, so a slow client holds the export back instead of
// filling the server's memory. Throughput comes from working by page: a page of rows becomes
// one string and one write (a row at a time through csv-stringify cost more than reading the
// rows from the database).
import type { FastifyReply } from 'fastify';
import { PassThrough, type Writable } from 'node:stream';

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

const NEEDS_QUOTES = /[;"\r\n]/;

/**
 * One CSV field, as csv-stringify writes it with `delimiter: ';', escape_formulas: true`
 * (RFC 4180): quoted only when it holds ';', '"', CR or LF, with inner quotes doubled; numbers
 * as JavaScript prints them; null and undefined empty. A text starting like a formula (=, +, -,
 * @, tab, CR, or their full-width forms) gets a leading apostrophe. Exports carry what members
 * and staff typed, and a spreadsheet would run `=HYPERLINK(…)` (OWASP "CSV injection"). The
 * price is that a phone number written "+33…" reads "'+33…". Numbers are never touched.
 */
export function csvField(v: Cell): string {
  if (typeof v === 'string') {
    if (FORMULA_START.has(v.charAt(0))) v = "'" + v;
    return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }
  return v === null || v === undefined ? '' : String(v);
}
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/**
 * The CSV lines of a page of rows, each ended by LF (csv-stringify's default, kept). Cells and
 * lines are joined rather than appended one by one: 20 % less garbage for the same speed.
 */
function csvLines<T>(page: readonly T[], values: ExportColumn<T>['value'][]): string {
  const lines = new Array<string>(page.length + 1);
  const cells = new Array<string>(values.length);
  for (let r = 0; r < page.length; r++) {
    const row = page[r];
    for (let i = 0; i < values.length; i++) cells[i] = csvField(values[i](row));
    lines[r] = cells.join(';');
  }
  lines[page.length] = ''; // the last line's LF
  return lines.join('\n');
}

/**
 * Writes a chunk and, when the output's buffer is full, waits until it drains. Resolves false
 * when the output was closed meanwhile (client gone): the caller stops reading rows.
 */
function send(out: Writable, chunk: string): Promise<boolean> {
  if (out.destroyed) return Promise.resolve(false);
  if (out.write(chunk)) return Promise.resolve(true);
  return drained(out);
}

function drained(out: Writable): Promise<boolean> {
  if (out.destroyed) return Promise.resolve(false);
  if (!out.writableNeedDrain) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done).off('close', done).off('error', done);
      resolve(!out.destroyed);
    };
    out.on('drain', done).on('close', done).on('error', done);
  });
}

/**
 * Lets the event loop run between two pages. On SQLite every query is synchronous, and a
 * client that reads fast never makes a write wait: without this, one export would hold the
 * process (other requests, timers) until its end.
 */
const betweenPages = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows grouped in pages, for row sources that are not paged already (small tables, tests). */
async function* pagesOf<T>(rows: AsyncIterable<T>, size = 1000): AsyncGenerator<T[]> {
  let page: T[] = [];
  for await (const row of rows) {
    page.push(row);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}

async function writeCsv<T>(pages: AsyncIterable<readonly T[]>, columns: ExportColumn<T>[], out: Writable): Promise<number> {
  const values = columns.map((c) => c.value);
  let n = 0;
  if (await send(out, '\uFEFF' + columns.map((c) => csvField(c.header)).join(';') + '\n')) {
    // Leaving the loop early (client gone) ends the source's generator: no more queries.
    for await (const page of pages) {
      n += page.length;
      if (!(await send(out, csvLines(page, values)))) break;
      await betweenPages();
    }
  }
  if (out.destroyed) return n;
  out.end();
  if (!out.writableFinished) await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('close', resolve).once('error', reject));
  return n;
}

/**
 * Bytes of worksheet XML that exceljs has handed to the zip and the zip has not compressed yet.
 * exceljs's streaming writer writes them without backpressure, and the zip deflates on the
 * thread pool, one chunk per turn of the event loop: a writer that does not wait kept the whole
 * sheet in memory until the end (150 MB at 200,000 rows). Read from exceljs internals (the
 * sheet's stream and the PassThrough archiver put behind it); 0 when they are not there (then the
 * writer still gives the event loop a turn per batch).
 */
function xlsxBacklog(ws: object): number {
  type State = { length?: number };
  const pipe = (ws as { _stream?: { pipes?: { _readableState?: State; _writableState?: State }[] } })._stream?.pipes?.[0];
  // archiver's PassThrough comes from readable-stream 2, without the readableLength getters
  return (pipe?._readableState?.length ?? 0) + (pipe?._writableState?.length ?? 0);
}

async function writeXlsx<T>(pages: AsyncIterable<readonly T[]>, columns: ExportColumn<T>[], out: Writable, sheet: string): Promise<number> {
  // exceljs is heavy to load (~0.5 s): only when someone exports.
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Consulaire';
  const ws = wb.addWorksheet(sheet.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '));
  ws.columns = columns.map((c) => ({ header: c.header, width: Math.min(40, Math.max(10, c.header.length + 2)) }));
  ws.getRow(1).font = { bold: true };
  let n = 0;
  for await (const page of pages) {
    for (let i = 0; i < page.length; i += 200) {
      for (const row of page.slice(i, i + 200)) ws.addRow(columns.map((c) => c.value(row) ?? null)).commit();
      // Let the zip compress what was written (and a slow client drain) before the next rows.
      do await betweenPages();
      while (xlsxBacklog(ws) > 256 * 1024 && !out.destroyed);
      if (!(await drained(out))) return n;
    }
    n += page.length;
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
  return exportPagesStream(format, pagesOf(rows), columns, sheet);
}

/**
 * The same from a source that reads pages of rows (keyset pages of a query): no per-row
 * async step, which is what large exports need to run at database speed.
 */
export function exportPagesStream<T>(format: ExportFormat, pages: AsyncIterable<readonly T[]>, columns: ExportColumn<T>[], sheet?: string): PassThrough {
  const body = new PassThrough();
  writeExportPages(format, pages, columns, body, sheet).catch((e: unknown) => body.destroy(e as Error));
  return body;
}

/** Writes rows to a stream in the chosen format; resolves with the number of data rows. */
export function writeExport<T>(format: ExportFormat, rows: AsyncIterable<T>, columns: ExportColumn<T>[], out: Writable, sheet = 'Export'): Promise<number> {
  return writeExportPages(format, pagesOf(rows), columns, out, sheet);
}

/** Writes pages of rows to a stream in the chosen format; resolves with the number of data rows. */
export function writeExportPages<T>(format: ExportFormat, pages: AsyncIterable<readonly T[]>, columns: ExportColumn<T>[], out: Writable, sheet = 'Export'): Promise<number> {
  return format === 'csv' ? writeCsv(pages, columns, out) : writeXlsx(pages, columns, out, sheet);
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
