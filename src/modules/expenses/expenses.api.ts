// /api/v1/expenses/… : the caller's expense claims and spending requests — list, read, create,
// submit. Read with the `expenses:read` scope, create and submit with `expenses:write`.
// Receipts may be sent with a line as base64 (10 MB at most, photo or PDF).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { invalid, isAppError } from '../../platform/errors.js';
import { idParam, requireId } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import * as claims from './claims.service.js';
import * as q from './expenses.queries.js';
import { CATEGORIES, CLAIM_STATUSES, SPENDING_STATUSES, type ExpensesDb } from './expenses.table.js';
import { storeReceipt, type StoredFile } from './receipts.js';
import * as spending from './spending.service.js';

type Ctx = ModuleContext<ExpensesDb>;

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });
const Paging = Type.Object({ page: Type.Optional(Type.String({ description: 'page number, from 1' })) });
const IdParam = Type.Object({ id: Type.String({ description: 'numeric id' }) });

const LineOut = Type.Object({
  id: Type.Integer(),
  date: Type.String({ format: 'date' }),
  category: Type.String({ enum: [...CATEGORIES] }),
  description: Type.String(),
  supplier: Type.String(),
  amountCents: Type.Integer({ description: 'paid (mileage: the computed allowance)' }),
  refundCents: Type.Integer({ description: 'refunded: capped at the ceiling in force on the day' }),
  capped: Type.Boolean(),
  ceilingCents: Type.Union([Type.Integer(), Type.Null()]),
  distanceKm: Type.Union([Type.Integer(), Type.Null()]),
  fiscalCv: Type.Union([Type.Integer(), Type.Null()]),
  electric: Type.Boolean(),
  yearKmBefore: Type.Union([Type.Integer(), Type.Null()], { description: 'mileage: the person’s distance of the year before this line' }),
  hasReceipt: Type.Boolean(),
});
const ClaimOut = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  status: Type.String({ enum: [...CLAIM_STATUSES] }),
  claimedCents: Type.Integer(),
  refundCents: Type.Integer(),
  approvalId: Type.Union([Type.Integer(), Type.Null()]),
  entryNumber: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  submittedAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
  lines: Type.Optional(Type.Array(LineOut)),
});
const ClaimList = Type.Object({ items: Type.Array(ClaimOut), total: Type.Integer(), page: Type.Integer() });

const toClaim = (c: q.ClaimRow) => ({ id: c.id, title: c.title, status: c.status, claimedCents: c.claimed_cents, refundCents: c.refund_cents, approvalId: c.approval_id, entryNumber: c.entry_number, reason: c.reason, submittedAt: c.submitted_at, updatedAt: c.updated_at });
const toLine = (l: Awaited<ReturnType<typeof q.linesOf>>[number]) => ({
  id: l.id,
  date: l.spent_on,
  category: l.category,
  description: l.description,
  supplier: l.supplier,
  amountCents: l.amount_cents,
  refundCents: l.refund_cents,
  capped: Boolean(l.capped),
  ceilingCents: l.ceiling_cents,
  distanceKm: l.distance_km,
  fiscalCv: l.fiscal_cv,
  electric: Boolean(l.electric),
  yearKmBefore: l.year_km_before,
  hasReceipt: Boolean(l.receipt_key),
});

export const listClaimsSchema: FastifySchema = { tags: ['expenses'], summary: 'The caller’s expense claims, most recently changed first (25 a page)', description: 'Token scope `expenses:read`.', querystring: Paging, response: { 200: ClaimList, 401: Problem, 403: Problem } };
export async function handleListClaimsApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const page = idParam((req.query as Static<typeof Paging>).page) ?? 1;
  const { items, total } = await claims.listMyClaims(db, req.actor, page);
  return { items: items.map(toClaim), total, page };
}

export const getClaimSchema: FastifySchema = { tags: ['expenses'], summary: 'One expense claim with its lines (the caller’s, or one they approve or check)', description: 'Token scope `expenses:read`. 404 for a claim the caller may not see.', params: IdParam, response: { 200: ClaimOut, 401: Problem, 403: Problem, 404: Problem } };
export async function handleGetClaimApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const c = await claims.getClaim(db, req.actor, requireId(req, 'id', 'expenses.not_found'));
  return { ...toClaim(c), lines: (await q.linesOf(db, c.id)).map(toLine) };
}

const LineIn = Type.Object({
  date: Type.String({ format: 'date', description: 'YYYY-MM-DD' }),
  category: Type.String({ enum: [...CATEGORIES] }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  supplier: Type.Optional(Type.String({ maxLength: 200 })),
  amount: Type.Optional(Type.String({ maxLength: 20, description: 'euros, "12,50" or "12.50" (not for mileage)' })),
  distanceKm: Type.Optional(Type.Integer({ description: 'mileage only' })),
  fiscalCv: Type.Optional(Type.Integer({ description: 'mileage only; default: the caller’s profile' })),
  electric: Type.Optional(Type.Boolean()),
  receipt: Type.Optional(Type.Object({ filename: Type.String({ maxLength: 200 }), contentBase64: Type.String({ maxLength: 14_000_000, description: 'the file, base64 (10 MB at most once decoded)' }) })),
});
const ClaimIn = Type.Object({ title: Type.String({ maxLength: 200 }), lines: Type.Optional(Type.Array(LineIn, { maxItems: 60 })) });

export const createClaimSchema: FastifySchema = {
  tags: ['expenses'],
  summary: 'Creates a draft expense claim of the caller, with its lines',
  description: 'Token scope `expenses:write`. A bad line answers 422 naming the field as `lines.<n>.<field>` and nothing is saved. Submit it with POST /expenses/claims/{id}/submit.',
  body: ClaimIn,
  response: { 201: ClaimOut, 401: Problem, 403: Problem, 422: Problem },
};
export async function handleCreateClaimApi(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const body = req.body as Static<typeof ClaimIn>;
  const receipts: (StoredFile | { error: string } | undefined)[] = [];
  for (const l of body.lines ?? []) receipts.push(l.receipt ? await storeReceipt(config.dataDir, { bytes: Buffer.from(l.receipt.contentBase64, 'base64'), filename: l.receipt.filename }) : undefined);
  const id = await db.transaction().execute(async (trx) => {
    const claim = await claims.createClaim(trx, req.actor, { title: body.title });
    for (const [i, l] of (body.lines ?? []).entries()) {
      try {
        await claims.addLine(trx, req.actor, claim.id, { spent_on: l.date, category: l.category, description: l.description ?? '', supplier: l.supplier ?? '', amount: l.amount ?? '', distance_km: l.distanceKm === undefined ? '' : String(l.distanceKm), fiscal_cv: l.fiscalCv === undefined ? '' : String(l.fiscalCv), electric: Boolean(l.electric) }, receipts[i]);
      } catch (e) {
        // The same refusal, each field named by its line: `lines.0.amount`.
        if (isAppError(e) && e.kind === 'invalid') throw invalid(e.code, Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [`lines.${i}.${k}`, v])), e.params);
        throw e;
      }
    }
    return claim.id;
  });
  const c = (await q.findClaim(db, id))!;
  return reply.code(201).send({ ...toClaim(c), lines: (await q.linesOf(db, id)).map(toLine) });
}

export const submitClaimSchema: FastifySchema = {
  tags: ['expenses'],
  summary: 'Sends a draft (or a claim sent back) for approval: the manager, then accounting’s check',
  description: 'Token scope `expenses:write`. 422 when it has no line, a receipt is missing or the caller has no IBAN on file; 409 when it is not a draft or sent back.',
  params: IdParam,
  response: { 200: ClaimOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
};
export async function handleSubmitClaimApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'expenses.not_found');
  const c = await db.transaction().execute((trx) => claims.submitClaim(trx, req.actor, id));
  return toClaim(c);
}

// ——— spending requests

const SpendingOut = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  status: Type.String({ enum: [...SPENDING_STATUSES] }),
  amountCents: Type.Integer(),
  budgetLine: Type.String({ description: 'the budget line’s code' }),
  supplierCompanyId: Type.Union([Type.Integer(), Type.Null()], { description: 'the registry’s company, when picked there' }),
  supplierName: Type.String(),
  justification: Type.String(),
  approvalId: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
});
type SpendingRowOut = { id: number; title: string; status: (typeof SPENDING_STATUSES)[number]; amount_cents: number; budget_code: string; supplier_company_id: number | null; supplier_name: string; justification: string; approval_id: number | null; reason: string | null; updated_at: string };
const toSpending = (s: SpendingRowOut) => ({ id: s.id, title: s.title, status: s.status, amountCents: s.amount_cents, budgetLine: s.budget_code, supplierCompanyId: s.supplier_company_id, supplierName: s.supplier_name, justification: s.justification, approvalId: s.approval_id, reason: s.reason, updatedAt: s.updated_at });

export const listSpendingSchema: FastifySchema = { tags: ['expenses'], summary: 'The caller’s spending requests (25 a page)', description: 'Token scope `expenses:read`.', querystring: Paging, response: { 200: Type.Object({ items: Type.Array(SpendingOut), total: Type.Integer(), page: Type.Integer() }), 401: Problem, 403: Problem } };
export async function handleListSpendingApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const page = idParam((req.query as Static<typeof Paging>).page) ?? 1;
  const { items, total } = await spending.listMySpending(db, req.actor, page);
  return { items: items.map(toSpending), total, page };
}

export const getSpendingSchema: FastifySchema = { tags: ['expenses'], summary: 'One spending request (the caller’s, or one they approve)', description: 'Token scope `expenses:read`.', params: IdParam, response: { 200: SpendingOut, 401: Problem, 403: Problem, 404: Problem } };
export async function handleGetSpendingApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return toSpending(await spending.getSpending(db, req.actor, requireId(req, 'id', 'expenses.spending.not_found')));
}

const SpendingIn = Type.Object({
  title: Type.String({ maxLength: 200 }),
  amount: Type.String({ maxLength: 20, description: 'euros, "1 250,00" or "1250.00"' }),
  budgetLine: Type.String({ maxLength: 20, description: 'code of an open budget line' }),
  supplierCompanyId: Type.Optional(Type.Integer({ description: 'a company of the registry' })),
  supplierName: Type.Optional(Type.String({ maxLength: 200, description: 'when the supplier is not in the registry' })),
  justification: Type.String({ maxLength: 4000 }),
});

async function spendingInput(db: ExpensesDb, b: Static<typeof SpendingIn>): Promise<spending.SpendingInput> {
  const line = await q.findBudgetLineByCode(db, b.budgetLine.trim().toUpperCase());
  return { title: b.title, amount: b.amount, budget_line_id: line ? String(line.id) : b.budgetLine ? '0' : '', supplier_company_id: b.supplierCompanyId ? String(b.supplierCompanyId) : '', supplier_name: b.supplierName ?? '', justification: b.justification };
}

export const createSpendingSchema: FastifySchema = {
  tags: ['expenses'],
  summary: 'Files a spending request of the caller and submits it (the manager, then direction above the threshold)',
  description: 'Token scope `expenses:write`. An amount ≤ 0 or an unknown budget line answers 422 naming the field; nothing is saved.',
  body: SpendingIn,
  response: { 201: SpendingOut, 401: Problem, 403: Problem, 422: Problem },
};
export async function handleCreateSpendingApi(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const input = await spendingInput(db, req.body as Static<typeof SpendingIn>);
  const row = await db.transaction().execute((trx) => spending.createSpending(trx, req.actor, input));
  return reply.code(201).send(toSpending(row));
}

export const submitSpendingSchema: FastifySchema = {
  tags: ['expenses'],
  summary: 'Corrects a spending request sent back and submits it again',
  description: 'Token scope `expenses:write`. 409 unless it was sent back for changes.',
  params: IdParam,
  body: SpendingIn,
  response: { 200: SpendingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem },
};
export async function handleSubmitSpendingApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'expenses.spending.not_found');
  const input = await spendingInput(db, req.body as Static<typeof SpendingIn>);
  return toSpending(await db.transaction().execute((trx) => spending.resubmitSpending(trx, req.actor, id, input)));
}
