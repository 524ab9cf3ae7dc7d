// /api/v1/accounting/…: the FEC of a period (text, streamed), the SEPA batches and the pain.001
// file of one. A token with the accounting:read scope, or a session with accounting:read.
// Handlers and schemas; accounting.routes.ts lists them with their access.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { requireId } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import type { AccountingDb } from './accounting.table.js';
import { sendFec, sendPain001 } from './downloads.js';
import { fecPeriod } from './fec.service.js';
import * as pq from './payments.queries.js';

type Ctx = ModuleContext<AccountingDb>;

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });

const FecQuery = Type.Object({
  from: Type.String({ description: 'first day, YYYY-MM-DD (the fiscal year’s first day for a legal FEC)', maxLength: 10, examples: ['2026-01-01'] }),
  to: Type.String({ description: 'last day, YYYY-MM-DD (the closing date: it names the file)', maxLength: 10, examples: ['2026-12-31'] }),
});

export const fecSchema: FastifySchema = {
  tags: ['accounting'],
  summary: 'FEC (fichier des écritures comptables) of a period: 18 columns, "|" separator, YYYYMMDD dates, decimal comma',
  description:
    'text/plain, UTF-8, streamed; file name `<SIREN>FEC<YYYYMMDD>.txt` (closing date) in Content-Disposition. Entries in date order, EcritureNum numbered 1… continuously in that order over the period. A bad date answers 422 naming `from` or `to`.',
  querystring: FecQuery,
  response: { 422: Problem },
};

export async function handleFecApi(req: FastifyRequest, reply: FastifyReply, { reads, settings }: Ctx) {
  const q = req.query as Static<typeof FecQuery>;
  const { from, to } = fecPeriod(q.from, q.to);
  return sendFec(reply, reads, await settings.get('cci.siren'), from, to);
}

const BatchOut = Type.Object({
  id: Type.Integer(),
  messageId: Type.String({ description: 'GrpHdr/MsgId of the pain.001' }),
  executionDate: Type.String({ format: 'date' }),
  count: Type.Integer({ description: 'transfers (NbOfTxs)' }),
  totalCents: Type.Integer({ description: 'CtrlSum in cents' }),
  status: Type.String({ description: 'created | paid' }),
  createdAt: Type.String(),
  paidAt: Type.Union([Type.String(), Type.Null()]),
  pain001: Type.String({ description: 'path of the XML file' }),
});
const BatchesQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })) });

export const batchesSchema: FastifySchema = {
  tags: ['accounting'],
  summary: 'SEPA credit-transfer batches, newest first (100 a page)',
  querystring: BatchesQuery,
  response: { 200: Type.Array(BatchOut) },
};

export async function handleBatchesApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const page = (req.query as Static<typeof BatchesQuery>).page ?? 1;
  const rows = await pq.listBatches(db, 100, (page - 1) * 100);
  return rows.map((b) => ({
    id: b.id,
    messageId: b.message_id,
    executionDate: b.execution_date,
    count: b.tx_count,
    totalCents: Number(b.total_cents),
    status: b.status,
    createdAt: b.created_at,
    paidAt: b.paid_at,
    pain001: `/api/v1/accounting/payment-batches/${b.id}/pain001`,
  }));
}

export const pain001Schema: FastifySchema = {
  tags: ['accounting'],
  summary: 'The pain.001.001.03 XML file of a batch (ISO 20022 SEPA credit transfer initiation), as stored when the batch was made',
  description: 'application/xml; 404 for an unknown batch.',
  params: Type.Object({ id: Type.String({ pattern: '^[0-9]{1,9}$' }) }),
  response: { 404: Problem },
};

export async function handlePain001Api(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return sendPain001(reply, db, requireId(req, 'id', 'accounting.batch_not_found'));
}
