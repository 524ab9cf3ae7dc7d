// Expenses handlers (/notes-de-frais…, /depenses…), listed with their access in
// expenses.routes.ts. The services check each record (owner, manager, approver, accounting).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound, type FieldErrors } from '../../platform/errors.js';
import { idParam, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { readStored } from '../content/index.js';
import { searchCompaniesForPicker } from '../registry/index.js';
import * as claims from './claims.service.js';
import * as config from './config.service.js';
import * as q from './expenses.queries.js';
import type { ExpensesDb } from './expenses.table.js';
import { MAX_RECEIPT_BYTES, storeReceipt, type StoredFile, type Upload } from './receipts.js';
import * as spending from './spending.service.js';
import { BudgetPage, CheckPage, ClaimPage, ClaimsPage, ProfilePage, RatesPage, SpendingFormPage, SpendingListPage, SpendingPage, SupplierChoices, type LineValues, type SpendingValues, type SupplierHit } from './views/pages.js';

type Ctx = ModuleContext<ExpensesDb>;
const claimId = (req: FastifyRequest) => requireId(req, 'id', 'expenses.not_found');
const spendingId = (req: FastifyRequest) => requireId(req, 'id', 'expenses.spending.not_found');
const pageOf = (req: FastifyRequest) => idParam((req.query as Record<string, unknown>).page) ?? 1;

/**
 * A multipart form: its fields, and the files of `fileFields`. A file over the limit arrives cut
 * (`tooBig`): the service reports it on its field with the form again (422), nothing saved.
 */
async function readMultipart(req: FastifyRequest, fileFields: string[], maxFiles: number): Promise<{ body: Record<string, string>; files: Upload[] }> {
  const body: Record<string, string> = {};
  const files: Upload[] = [];
  if (!req.isMultipart()) {
    for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) body[k] = String(Array.isArray(v) ? v[0] : (v ?? ''));
    return { body, files };
  }
  // throwFileSizeLimit: false: a file over the limit is cut, not the whole request failed (as in approvals).
  const options = { limits: { fileSize: MAX_RECEIPT_BYTES + 1, files: maxFiles + 1 }, throwFileSizeLimit: false };
  for await (const part of req.parts(options)) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (fileFields.includes(part.fieldname) && part.filename && bytes.length) files.push({ bytes, filename: part.filename, tooBig: part.file.truncated });
    } else body[part.fieldname] = String(part.value ?? '').slice(0, 6000);
  }
  return { body, files };
}

// ——— claims

async function claimsPage(req: FastifyRequest, db: ExpensesDb, values?: { title: string }, errors?: FieldErrors) {
  const page = pageOf(req);
  const [mine, toApprove, profile] = await Promise.all([claims.listMyClaims(db, req.actor, page), claims.listClaimsToApprove(db, req.actor), q.findProfile(db, req.actor.id ?? 0)]);
  return <ClaimsPage ctx={req.view()} mine={mine} page={page} toApprove={toApprove.items} hasProfile={Boolean(profile)} values={values} errors={errors} />;
}

export async function handleClaims(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await claimsPage(req, db));
}

export async function handleCreateClaim(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { title: str(req.body, 'title', 200) };
  return onInvalid(
    reply,
    async () => {
      const row = await db.transaction().execute((trx) => claims.createClaim(trx, req.actor, values));
      reply.flash('success', 'expenses.created');
      return reply.redirect(`/notes-de-frais/${row.id}`);
    },
    (errors) => claimsPage(req, db, values, errors),
  );
}

async function claimPage(req: FastifyRequest, db: ExpensesDb, id: number, values?: LineValues, errors?: FieldErrors) {
  return <ClaimPage ctx={req.view()} view={await claims.claimView(db, req.actor, id)} values={values} errors={errors} />;
}

export async function handleClaim(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await claimPage(req, db, claimId(req)));
}

const lineValues = (b: Record<string, string>): claims.LineInput => ({
  spent_on: (b.spent_on ?? '').trim().slice(0, 10),
  category: (b.category ?? '').trim().slice(0, 20),
  description: (b.description ?? '').trim().slice(0, 500),
  supplier: (b.supplier ?? '').trim().slice(0, 200),
  amount: (b.amount ?? '').trim().slice(0, 20),
  distance_km: (b.distance_km ?? '').trim().slice(0, 8),
  fiscal_cv: (b.fiscal_cv ?? '').trim().slice(0, 4),
  electric: b.electric === '1',
});

export async function handleAddLine(req: FastifyRequest, reply: FastifyReply, { db, config: cfg }: Ctx) {
  const id = claimId(req);
  // Visible and editable first: a stranger's upload is refused before it is stored.
  await claims.claimView(db, req.actor, id);
  const { body, files } = await readMultipart(req, ['receipt'], 1);
  const values = lineValues(body);
  const receipt = files[0] ? await storeReceipt(cfg.dataDir, files[0]) : undefined;
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => claims.addLine(trx, req.actor, id, values, receipt));
      reply.flash('success', 'expenses.line.added');
      return reply.redirect(`/notes-de-frais/${id}#lignes`);
    },
    (errors) => claimPage(req, db, id, values, errors),
  );
}

/** A transition from the claim page: done → back to it with a flash; refused input → 422, wrong state → 409, with the page. */
async function claimAction(req: FastifyRequest, reply: FastifyReply, db: ExpensesDb, run: (trx: ExpensesDb, id: number) => Promise<unknown>, flash: string, params?: (r: unknown) => Record<string, string>) {
  const id = claimId(req);
  return onInvalid(
    reply,
    async () => {
      const r = await db.transaction().execute((trx) => run(trx, id));
      reply.flash('success', flash, params?.(r));
      return reply.redirect(`/notes-de-frais/${id}`);
    },
    (errors) => claimPage(req, db, id, undefined, errors),
    { conflict: true },
  );
}

export async function handleRemoveLine(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const line = requireId(req, 'line', 'expenses.line_not_found');
  return claimAction(req, reply, db, (trx, id) => claims.removeLine(trx, req.actor, id, line), 'expenses.line.removed');
}

export async function handleSubmitClaim(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return claimAction(req, reply, db, (trx, id) => claims.submitClaim(trx, req.actor, id), 'expenses.submitted');
}

export async function handleWithdrawClaim(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return claimAction(req, reply, db, (trx, id) => claims.withdrawClaim(trx, req.actor, id), 'expenses.withdrawn');
}

const decisionOf = (req: FastifyRequest): claims.Decision => {
  const d = str(req.body, 'decision', 12);
  return d === 'refuse' || d === 'send_back' ? d : 'approve';
};

export async function handleDecideClaim(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const decision = decisionOf(req);
  const comment = str(req.body, 'comment', 2000);
  return claimAction(req, reply, db, (trx, id) => claims.decideClaim(trx, req.actor, id, decision, comment), 'expenses.decided');
}

export async function handlePayClaim(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return claimAction(req, reply, db, (trx, id) => claims.payClaim(trx, req.actor, id), 'expenses.paid');
}

export async function handlePostClaim(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return claimAction(req, reply, db, (trx, id) => claims.postClaim(trx, req.actor, id), 'expenses.posted', (r) => ({ number: (r as { number: string }).number }));
}

function sendFile(reply: FastifyReply, dataDir: string, key: string, mime: string, name: string) {
  return reply
    .header('content-type', mime)
    .header('content-disposition', `inline; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(readStored(dataDir, key));
}

export async function handleReceipt(req: FastifyRequest, reply: FastifyReply, { db, config: cfg }: Ctx) {
  const id = claimId(req);
  const lineId = requireId(req, 'line', 'expenses.line_not_found');
  await claims.getClaim(db, req.actor, id);
  const line = await q.findLine(db, id, lineId);
  if (!line || !line.receipt_key) throw notFound('expenses.line_not_found');
  return sendFile(reply, cfg.dataDir, line.receipt_key, line.receipt_mime ?? 'application/octet-stream', line.receipt_name ?? 'justificatif');
}

export async function handleCheckList(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const list = await claims.checkingList(db, req.actor);
  return reply.render(<CheckPage ctx={req.view()} {...list} />);
}

// ——— profile

export async function handleProfile(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ProfilePage ctx={req.view()} profile={await q.findProfile(db, req.actor.id ?? 0)} />);
}

export async function handleSaveProfile(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { iban: str(req.body, 'iban', 60), bic: str(req.body, 'bic', 20), vehicle_cv: str(req.body, 'vehicle_cv', 4), vehicle_electric: str(req.body, 'vehicle_electric', 1) === '1' };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => config.saveProfile(trx, req.actor, values));
      reply.flash('success', 'expenses.profile.saved');
      return reply.redirect('/notes-de-frais');
    },
    async (errors) => <ProfilePage ctx={req.view()} profile={await q.findProfile(db, req.actor.id ?? 0)} values={values} errors={errors} />,
  );
}

// ——— spending requests

export async function handleSpendingList(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const page = pageOf(req);
  const [mine, toApprove] = await Promise.all([spending.listMySpending(db, req.actor, page), spending.listSpendingToApprove(db, req.actor)]);
  return reply.render(<SpendingListPage ctx={req.view()} mine={mine} page={page} toApprove={toApprove.items} />);
}

const emptySpending: SpendingValues = { title: '', amount: '', budget_line_id: '', supplier_q: '', supplier_company_id: '', supplier_name: '', justification: '' };
const spendingValues = (b: Record<string, string> | unknown): SpendingValues => ({
  title: str(b, 'title', 200),
  amount: str(b, 'amount', 20),
  budget_line_id: str(b, 'budget_line_id', 12),
  supplier_q: str(b, 'supplier_q', 100),
  supplier_company_id: str(b, 'supplier_company_id', 12),
  supplier_name: str(b, 'supplier_name', 200),
  justification: str(b, 'justification', 4000),
});

async function supplierHits(ctx: Ctx, q: string): Promise<SupplierHit[]> {
  if (q.trim().length < 2) return [];
  const found = await searchCompaniesForPicker(ctx.reads, q, 8);
  return found.map((c) => ({ id: c.id, name: c.name, detail: [c.siren, c.city].filter(Boolean).join(' · ') }));
}

async function spendingForm(req: FastifyRequest, ctx: Ctx, values: SpendingValues, errors?: FieldErrors, search = false) {
  const hits = search || values.supplier_q ? await supplierHits(ctx, values.supplier_q) : [];
  return <SpendingFormPage ctx={req.view()} values={values} errors={errors} lines={await q.listBudgetLines(ctx.db, true)} hits={hits} searched={search} />;
}

export async function handleNewSpending(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return reply.render(await spendingForm(req, ctx, emptySpending));
}

/** The supplier search of the form, for htmx: the radio buttons alone. */
export async function handleSupplierSearch(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const q = str(req.query, 'supplier_q', 100);
  return reply.render(<SupplierChoices ctx={req.view()} hits={await supplierHits(ctx, q)} searched />);
}

export async function handleCreateSpending(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db, config: cfg } = ctx;
  const { body, files } = await readMultipart(req, ['quotes'], 5);
  const values = spendingValues(body);
  // "Search" without JavaScript: the form again with the registry's companies to pick from.
  if (body.step === 'search') return reply.render(await spendingForm(req, ctx, values, undefined, true));
  const quotes: (StoredFile | { error: string })[] = [];
  for (const f of files) quotes.push(await storeReceipt(cfg.dataDir, f));
  return onInvalid(
    reply,
    async () => {
      const row = await db.transaction().execute((trx) => spending.createSpending(trx, req.actor, values, quotes));
      reply.flash('success', 'expenses.spending.created');
      return reply.redirect(`/depenses/${row.id}`);
    },
    (errors) => spendingForm(req, ctx, values, errors),
  );
}

async function spendingPage(req: FastifyRequest, db: ExpensesDb, id: number, values?: SpendingValues, errors?: FieldErrors) {
  return <SpendingPage ctx={req.view()} view={await spending.spendingView(db, req.actor, id)} lines={await q.listBudgetLines(db, true)} values={values} errors={errors} />;
}

export async function handleSpending(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await spendingPage(req, db, spendingId(req)));
}

async function spendingAction(req: FastifyRequest, reply: FastifyReply, db: ExpensesDb, run: (trx: ExpensesDb, id: number) => Promise<unknown>, flash: string, values?: SpendingValues) {
  const id = spendingId(req);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => run(trx, id));
      reply.flash('success', flash);
      return reply.redirect(`/depenses/${id}`);
    },
    (errors) => spendingPage(req, db, id, values, errors),
    { conflict: true },
  );
}

export async function handleDecideSpending(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const decision = decisionOf(req);
  const comment = str(req.body, 'comment', 2000);
  return spendingAction(req, reply, db, (trx, id) => spending.decideSpending(trx, req.actor, id, decision, comment), 'expenses.decided');
}

export async function handleWithdrawSpending(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return spendingAction(req, reply, db, (trx, id) => spending.withdrawSpending(trx, req.actor, id), 'expenses.spending.withdrawn');
}

export async function handleResubmitSpending(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = spendingValues(req.body);
  return spendingAction(req, reply, db, (trx, id) => spending.resubmitSpending(trx, req.actor, id, values), 'expenses.spending.resubmitted', values);
}

export async function handleQuote(req: FastifyRequest, reply: FastifyReply, { db, config: cfg }: Ctx) {
  const id = spendingId(req);
  const quoteId = requireId(req, 'file', 'expenses.spending.not_found');
  await spending.getSpending(db, req.actor, id);
  const file = await q.findQuote(db, id, quoteId);
  if (!file) throw notFound('expenses.spending.not_found');
  return sendFile(reply, cfg.dataDir, file.storage_key, file.mime, file.name);
}

// ——— configuration

export async function handleBudgetLines(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<BudgetPage ctx={req.view()} lines={await q.listBudgetLines(db)} />);
}

export async function handleCreateBudgetLine(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { code: str(req.body, 'code', 20), label: str(req.body, 'label', 200), budget: str(req.body, 'budget', 20) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => config.createBudgetLine(trx, req.actor, values));
      reply.flash('success', 'expenses.budget.saved');
      return reply.redirect('/depenses/lignes-budgetaires');
    },
    async (errors) => <BudgetPage ctx={req.view()} lines={await q.listBudgetLines(db)} values={values} errors={errors} />,
  );
}

export async function handleToggleBudgetLine(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'expenses.budget.not_found');
  const active = str(req.body, 'active', 1) === '1';
  await db.transaction().execute((trx) => config.setBudgetLineActive(trx, req.actor, id, active));
  reply.flash('success', 'expenses.budget.saved');
  return reply.redirect('/depenses/lignes-budgetaires');
}

export async function handleRates(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<RatesPage ctx={req.view()} rates={await q.listRates(db)} />);
}

export async function handleAddRate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { kind: str(req.body, 'kind', 20), valid_from: str(req.body, 'valid_from', 10), amount: str(req.body, 'amount', 12), scale: str(req.body, 'scale', 2000), bonus: str(req.body, 'bonus', 3), note: str(req.body, 'note', 300) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => config.addRate(trx, req.actor, values));
      reply.flash('success', 'expenses.rates.saved');
      return reply.redirect('/notes-de-frais/baremes');
    },
    async (errors) => <RatesPage ctx={req.view()} rates={await q.listRates(db)} values={values} errors={errors} />,
  );
}
