// The lines of a SIRENE CSV file, read without the database: the fast line split, the CSV
// fallback for quoted lines, and the line fingerprint. Apart from import.service.ts so that the
// scanning worker (import-worker.ts) loads this and the mapping only, not Kysely and the
// platform's database code.
import { createReadStream } from 'node:fs';
import { parse as parseSync } from 'csv-parse/sync';

/**
 * Content fingerprint (cyrb53: two 32-bit lanes folded into a 53-bit number). Not
 * cryptographic: it only tells "same content as before" and costs a fraction of md5 per row,
 * which matters at 1 M. A number, not a string, so the per-row maps of an import stay small.
 */
export function fingerprint53(str: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Field `i` of a CSV line without quotes, found without splitting the whole line. */
export function fieldAt(line: string, i: number): string {
  let start = 0;
  for (let k = 0; k < i; k++) {
    start = line.indexOf(',', start) + 1;
    if (start === 0) return '';
  }
  const end = line.indexOf(',', start);
  return end < 0 ? line.slice(start) : line.slice(start, end);
}

/**
 * Fields `wanted` (ascending positions) of a CSV line without quotes, into `out[k]` for the k-th
 * position, walking the commas once: a re-import reads three fields of every unchanged line
 * (commune, country, SIRET), and `fieldAt` three times walked the first commas three times.
 */
export function fieldsAt(line: string, wanted: readonly number[], out: string[]): void {
  let start = 0;
  let field = 0;
  for (let k = 0; k < wanted.length; k++) {
    const target = wanted[k];
    while (field < target) {
      start = line.indexOf(',', start) + 1;
      field++;
      if (start === 0) {
        for (; k < wanted.length; k++) out[k] = '';
        return;
      }
    }
    const end = line.indexOf(',', start);
    out[k] = end < 0 ? line.slice(start) : line.slice(start, end);
  }
}

/**
 * The lines of a text file (a path) or of a text stream, one array per chunk read (the last line
 * of a chunk waits for the next).
 */
export async function* lineChunks(source: string | AsyncIterable<string>, onBytes: (n: number) => void = () => {}): AsyncGenerator<string[]> {
  let rest = '';
  const chunks = typeof source === 'string' ? (createReadStream(source, { highWaterMark: 1 << 20, encoding: 'utf8' }) as AsyncIterable<string>) : source;
  for await (const chunk of chunks) {
    onBytes(Buffer.byteLength(chunk));
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    yield lines;
  }
  if (rest) yield [rest];
}

export interface CsvRow {
  row: string[];
  line: number;
  /** the row as it is in the file (duplicate rows are told apart by it) */
  text: string;
}

/**
 * Streams a CSV file as batches of rows (one per chunk read: handing rows one by one through an
 * async generator cost more than parsing them), with the line number of each.
 * Why not csv-parse alone: on the 54-column SIRENE rows it runs at ~15–40 k rows/s here, when
 * the import must reach 100 k/s. Almost every SIRENE line has no quote at all, so such lines are
 * split on commas directly; a line with a quote (names with commas or quotes, possibly spanning
 * lines) goes through csv-parse, so the quoting rules stay the library's.
 */
export async function* csvBatches(file: string, onBytes: (n: number) => void, skip?: (line: string, lineNumber: number) => boolean): AsyncGenerator<CsvRow[]> {
  let line = 0;
  let pending = '';
  let pendingStart = 0;
  const quotes = (s: string) => {
    let n = 0;
    for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
    return n;
  };
  const parseQuoted = (text: string): string[] | undefined => (parseSync(text, { relax_quotes: true, relax_column_count: true }) as string[][])[0];
  const handle = (l: string, out: CsvRow[]): void => {
    line++;
    if (pending) {
      pending += '\n' + l;
      if (quotes(pending) % 2 === 1) return;
      const row = parseQuoted(pending);
      if (row) out.push({ row, line: pendingStart, text: pending });
      pending = '';
      return;
    }
    if (line === 1 && l.charCodeAt(0) === 0xfeff) l = l.slice(1);
    if (l.endsWith('\r')) l = l.slice(0, -1);
    if (l === '') return;
    if (l.indexOf('"') < 0) {
      // Most rows of the national file are not ours: `skip` tells so from a field or two,
      // without splitting the line into its 54 fields.
      if (line > 1 && skip?.(l, line)) return;
      out.push({ row: l.split(','), line, text: l });
      return;
    }
    if (quotes(l) % 2 === 1) {
      pending = l;
      pendingStart = line;
      return;
    }
    const row = parseQuoted(l);
    if (row) out.push({ row, line, text: l });
  };
  for await (const lines of lineChunks(file, onBytes)) {
    const out: CsvRow[] = [];
    for (const l of lines) handle(l, out);
    yield out; // even empty (every line skipped): the caller reports progress per chunk
  }
  const out: CsvRow[] = [];
  if (pending) {
    const row = parseQuoted(pending);
    if (row) out.push({ row, line: pendingStart, text: pending });
  }
  if (out.length) yield out;
}

