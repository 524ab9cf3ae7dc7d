// The two files accounting hands out, shared by the pages and the API: the FEC (streamed from
// the read lane, page by page) and a batch's pain.001 (stored when the batch was made).
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { AccountingDb } from './accounting.table.js';
import { fecChunks, fecFileName } from './fec.service.js';
import { getBatch } from './payments.service.js';

/** The pain.001 file of a batch, as stored when the batch was made. */
export async function sendPain001(reply: FastifyReply, db: AccountingDb, id: number) {
  const { batch } = await getBatch(db, id);
  return reply
    .header('content-type', 'application/xml; charset=utf-8')
    .header('content-disposition', `attachment; filename="${batch.message_id.replace(/[^\w.-]/g, '_')}.xml"`)
    .header('cache-control', 'no-store')
    .send(batch.xml);
}

/** The FEC as a download, streamed page by page from the read lane. */
export async function sendFec(reply: FastifyReply, reads: AccountingDb, siren: string, from: string, to: string) {
  const body = Readable.from(fecChunks(reads, from, to));
  return reply
    .header('content-type', 'text/plain; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fecFileName(siren, to)}.txt"`)
    .header('cache-control', 'no-store')
    .send(body);
}

