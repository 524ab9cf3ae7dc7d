// Command-line entry points: `fec --from YYYY-MM-DD --to YYYY-MM-DD --out FILE` (the FEC of a
// period, streamed to the file from the read lane) and `sepa --latest --out FILE` (the pain.001
// of the latest batch; `sepa --id N --out FILE` for another one).
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeFile } from 'node:fs/promises';
import type { ModuleContext } from '../../platform/module.js';
import type { AccountingDb } from './accounting.table.js';
import { fecChunks, fecFileName, fecPeriod } from './fec.service.js';
import * as pq from './payments.queries.js';

export async function fecCommand(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void> {
  const out = values.out;
  if (typeof out !== 'string' || !out) throw new Error('usage: fec --from AAAA-MM-JJ --to AAAA-MM-JJ --out FICHIER');
  const { from, to } = fecPeriod(values.from, values.to);
  const reads: AccountingDb = ctx.reads;
  let lines = -1; // the header is not a line of the books
  async function* counted() {
    for await (const chunk of fecChunks(reads, from, to)) {
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
      yield chunk;
    }
  }
  await pipeline(Readable.from(counted()), createWriteStream(out));
  const siren = await ctx.settings.get('cci.siren');
  console.log(`FEC du ${from} au ${to} : ${lines} lignes écrites dans ${out} (nom légal : ${fecFileName(siren, to)}.txt)`);
}

export async function sepaCommand(ctx: ModuleContext, values: Record<string, string | boolean | undefined>): Promise<void> {
  const out = values.out;
  if (typeof out !== 'string' || !out || (values.latest !== true && typeof values.id !== 'string')) throw new Error('usage: sepa --latest --out FICHIER   (ou sepa --id N --out FICHIER)');
  const db: AccountingDb = ctx.db;
  const id = typeof values.id === 'string' ? Number(values.id) : undefined;
  if (id !== undefined && !(Number.isInteger(id) && id > 0)) throw new Error(`--id: expected a batch number, got "${values.id}"`);
  const batch = id !== undefined ? await pq.findBatch(db, id) : await pq.latestBatch(db);
  if (!batch) throw new Error(id !== undefined ? `no payment batch #${id}` : 'no payment batch yet');
  await writeFile(out, batch.xml, 'utf8');
  console.log(`Lot ${batch.message_id} (#${batch.id}) : ${batch.tx_count} virements, ${(Number(batch.total_cents) / 100).toFixed(2).replace('.', ',')} €, exécution le ${batch.execution_date} — écrit dans ${out}`);
}
