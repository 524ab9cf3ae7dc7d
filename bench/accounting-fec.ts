// FEC export benchmark: ENTRIES entries of two lines each (1,000,000 by default: 2 million FEC
// lines) spread over a year in the five journals, exported through the same code as the
// command line and the download (fecChunks on the read lane, keyset pages, piped into a sink
// that discards the bytes), against the raw reading of the same rows in the same process (the
// same keyset page statements, rows counted, no text made). Reports rows/s of both, their ratio,
// and the process's RSS before and at its peak during the export (flat memory).
// Usage: npx tsx bench/accounting-fec.ts   [ENTRIES=1000000]
//        TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres to run on a throwaway PostgreSQL database
import { loadavg } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { accountingModule } from '../src/modules/accounting/index.js';
import type { AccountingDb, JournalCode } from '../src/modules/accounting/accounting.table.js';
import { fecEntriesPage, linesOfEntries } from '../src/modules/accounting/fec.queries.js';
import { fecChunks } from '../src/modules/accounting/fec.service.js';
import { createTestApp } from '../test/helpers.js';
import { machine, writeResult } from './lib.js';

const ENTRIES = Number(process.env.ENTRIES ?? 1_000_000);
const onPg = Boolean(process.env.TEST_DATABASE_URL);
const JOURNALS: JournalCode[] = ['VE', 'AC', 'HA', 'BQ', 'OD'];

const t = await createTestApp({ modules: [accountingModule] });
try {
  const db: AccountingDb = t.db;
  const now = new Date().toISOString();
  const t0 = performance.now();
  const seqs: Record<string, number> = { VE: 0, AC: 0, HA: 0, BQ: 0, OD: 0 };
  const CHUNK = 500;
  for (let i = 0; i < ENTRIES; i += 10_000) {
    await db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(ENTRIES, i + 10_000); j += CHUNK) {
        const n = Math.min(CHUNK, ENTRIES - j);
        const entries = Array.from({ length: n }, (_, k) => {
          const idx = j + k;
          const journal = JOURNALS[idx % 5]!;
          const seq = ++seqs[journal]!;
          const day = new Date(Date.UTC(2026, 0, 1) + Math.floor((idx / ENTRIES) * 365) * 86_400_000).toISOString().slice(0, 10);
          return { journal_code: journal, seq, number: `${journal}${String(seq).padStart(7, '0')}`, entry_date: day, label: `Facture ${idx} client Société Exemple`, piece_ref: `F${idx}`, piece_date: day, source_module: 'bench', source_id: String(idx), reverses_id: null, total_cents: 1000 + (idx % 100_000), created_by: null, created_at: now };
        });
        const ids = await trx.insertInto('accounting_entries').values(entries).returning('id').execute();
        await trx
          .insertInto('accounting_lines')
          .values(
            ids.flatMap((r, k) => {
              const cents = entries[k]!.total_cents;
              return [
                { entry_id: r.id, position: 1, account: '411', account_label: 'Clients', aux_account: `C${String(k).padStart(4, '0')}`, aux_label: 'Société Exemple', label: null, debit_cents: cents, credit_cents: 0 },
                { entry_id: r.id, position: 2, account: '706', account_label: 'Prestations de services', aux_account: null, aux_label: null, label: null, debit_cents: 0, credit_cents: cents },
              ];
            }),
          )
          .execute();
      }
    });
  }
  for (const j of JOURNALS) await db.updateTable('accounting_journals').set({ last_number: seqs[j]! }).where('code', '=', j).execute();
  const loadSeconds = (performance.now() - t0) / 1000;
  console.log(`${ENTRIES} entries loaded in ${loadSeconds.toFixed(0)} s`);

  const reads: AccountingDb = t.app.ctx.reads;
  const from = '2026-01-01';
  const to = '2026-12-31';
  const mb = (b: number) => Math.round(b / 1024 / 1024);

  // Raw: the same statements, page by page, the rows counted and dropped.
  async function raw(): Promise<number> {
    let lines = 0;
    let after: { date: string; journal: string; seq: number } | undefined;
    for (;;) {
      const page = await fecEntriesPage(reads, from, to, after, 2000);
      if (!page.length) return lines;
      lines += (await linesOfEntries(reads, page.map((e) => e.id))).length;
      if (page.length < 2000) return lines;
      const last = page[page.length - 1]!;
      after = { date: last.entry_date, journal: last.journal_code, seq: last.seq };
    }
  }

  // The export: text made and streamed into a sink, as the command line and the download do.
  async function exported(): Promise<{ lines: number; bytes: number; peakRss: number }> {
    let bytes = 0;
    let lines = 0;
    let peakRss = process.memoryUsage().rss;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const sink = new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        bytes += Buffer.byteLength(s);
        for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) lines++;
        setImmediate(cb);
      },
    });
    try {
      await pipeline(Readable.from(fecChunks(reads, from, to)), sink);
    } finally {
      clearInterval(timer);
    }
    return { lines: lines - 1, bytes, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
  }

  await raw(); // warm-up: pages in the cache, worker threads started
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const r0 = performance.now();
  const rawLines = await raw();
  const rawSeconds = (performance.now() - r0) / 1000;
  const e0 = performance.now();
  const exp = await exported();
  const expSeconds = (performance.now() - e0) / 1000;
  if (exp.lines !== rawLines || rawLines !== ENTRIES * 2) throw new Error(`lines: export ${exp.lines}, raw ${rawLines}, expected ${ENTRIES * 2}`);

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-GB');
  writeResult(
    `accounting-fec-${onPg ? 'postgres' : 'sqlite'}`,
    [
      `# FEC export, ${ENTRIES.toLocaleString('en-GB')} entries (${rawLines.toLocaleString('en-GB')} lines), ${onPg ? 'PostgreSQL' : 'SQLite'}`,
      '',
      `${machine()}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (machine shared with other work); data loaded in ${loadSeconds.toFixed(0)} s.`,
      '',
      '| | seconds | lines/s | ratio to raw |',
      '|---|---:|---:|---:|',
      `| raw: same keyset statements, rows counted | ${rawSeconds.toFixed(1)} | ${rate(rawLines, rawSeconds)} | 1.0× |`,
      `| FEC export (text made, streamed to a sink) | ${expSeconds.toFixed(1)} | ${rate(exp.lines, expSeconds)} | ${(expSeconds / rawSeconds).toFixed(2)}× |`,
      '',
      `File ${mb(exp.bytes)} MB. RSS before the export ${mb(rssBefore)} MB, peak during it ${mb(exp.peakRss)} MB (+${mb(exp.peakRss - rssBefore)} MB for a ${mb(exp.bytes)} MB file: memory stays flat).`,
      '',
    ].join('\n'),
  );
} finally {
  await t.close();
}
