// Expense claims ("notes de frais"): a draft with lines (receipts, categories, ceilings, mileage
// on the person's cumulative yearly distance), submitted to the approval engine (the manager,
// then accounting's check), then paid (a payment order queued with accounting) and posted (an
// entry in the HA journal). Decisions of the engine come back through the owner hooks.
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, forbidden, invalid, isAppError, notFound, type FieldErrors } from '../../platform/errors.js';
import { postEntry, queuePayment } from '../accounting/index.js';
import * as approvals from '../approvals/index.js';
import { approvalOnRoute } from './approval-link.js';
import { isDay, ratesOn } from './config.service.js';
import * as q from './expenses.queries.js';
import { CATEGORIES, type Category, type ClaimLine, type ClaimStatus, type ExpensesDb } from './expenses.table.js';
import { assertCheck, assertWrite, mayCheck, maySee } from './policy.js';
import type { StoredFile } from './receipts.js';
import { ACCOUNT_OF, applyCeiling, ceilingKind, mileageLineCents } from './rules.js';

export const CLAIM_TYPE: approvals.SystemTypeInput = {
  code: 'expense_claim',
  owner: 'expenses',
  name: { fr: 'Note de frais', en: 'Expense claim' },
  steps: [
    { id: 'manager', label: { fr: 'Responsable', en: 'Manager' }, mode: 'any', approvers: [{ kind: 'manager' }] },
    { id: 'accounting', label: { fr: 'Contrôle de la comptabilité', en: 'Accounting check' }, mode: 'any', approvers: [{ kind: 'role', role: 'accounting' }] },
  ],
  // The manager who approves orders the spending; accounting, who checks and pays, is someone else.
  options: { remindAfterDays: 3, escalateAfterDays: 7, separateDuties: [['manager', 'accounting']] },
};

const MAX_LINES = 60;
const MAX_KM = 5000;
const MAX_LINE_CENTS = 1_000_000; // 10,000 € on one line is a typo, or not an expense claim

export function isCategory(v: string): v is Category {
  return (CATEGORIES as readonly string[]).includes(v);
}

// ——— reading

export interface ClaimView {
  claim: q.ClaimRow;
  lines: (ClaimLine & { duplicates: q.DuplicateRow[] })[];
  approval: approvals.RequestView | null;
  mine: boolean;
  can: { edit: boolean; submit: boolean; withdraw: boolean; decide: boolean; sendBack: boolean; pay: boolean; post: boolean };
}

/** The claim if the actor may see it (owner, manager, accounting, an approver); else 404. */
export async function getClaim(db: ExpensesDb, actor: Actor, id: number): Promise<q.ClaimRow> {
  const claim = await q.findClaim(db, id);
  if (!claim) throw notFound('expenses.not_found');
  if (maySee(actor, claim, { approver: false, accounting: claim.status !== 'draft' })) return claim;
  if (claim.approval_id && (await approvalOnRoute(db, actor, claim.approval_id))) return claim;
  throw notFound('expenses.not_found');
}

export async function claimView(db: ExpensesDb, actor: Actor, id: number): Promise<ClaimView> {
  const claim = await getClaim(db, actor, id);
  const lines = await q.linesOf(db, id);
  const approval = await approvalOnRoute(db, actor, claim.approval_id);
  const mine = claim.user_id === actor.id;
  const editable = mine && (claim.status === 'draft' || claim.status === 'changes_requested');
  // Duplicates are shown to the people who decide (accounting, the approvers) wherever they are;
  // to the owner, only among their own claims (another person's receipt is not theirs to see).
  const seesAll = !mine || mayCheck(actor);
  const withDup = [];
  for (const l of lines) withDup.push({ ...l, duplicates: (await q.duplicatesOf(db, l)).filter((d) => seesAll || d.user_id === actor.id) });
  return {
    claim,
    lines: withDup,
    approval,
    mine,
    can: {
      edit: editable,
      submit: editable && lines.length > 0,
      withdraw: mine && ['draft', 'submitted', 'changes_requested'].includes(claim.status),
      decide: Boolean(approval?.can.approve),
      sendBack: Boolean(approval?.can.sendBack),
      pay: claim.status === 'checked' && mayCheck(actor) && actor.id !== claim.ordered_by && actor.id !== claim.user_id,
      post: claim.status === 'paid' && mayCheck(actor) && actor.id !== claim.user_id,
    },
  };
}

export async function listMyClaims(db: ExpensesDb, actor: Actor, page = 1, perPage = 25) {
  if (actor.id === null) throw forbidden('expenses.not_allowed');
  return q.listClaims(db, { userId: actor.id }, page, perPage);
}

/** Claims whose approval waits for the actor (manager's step, or accounting's check). */
export async function listClaimsToApprove(db: ExpensesDb, actor: Actor) {
  const waiting = await approvals.listRequestsFor(db, actor, { scope: 'to_approve', typeCode: CLAIM_TYPE.code }, 1, 200);
  return q.listClaims(db, { approvalIds: waiting.items.map((r) => r.id) }, 1, 200);
}

/** Accounting's list: claims to check, to pay, to post. */
export async function checkingList(db: ExpensesDb, actor: Actor) {
  assertCheck(actor);
  const [toCheck, toPay, toPost] = await Promise.all([listClaimsToApprove(db, actor), q.listClaims(db, { statuses: ['checked'] }, 1, 200), q.listClaims(db, { statuses: ['paid'] }, 1, 200)]);
  return { toCheck: toCheck.items, toPay: toPay.items, toPost: toPost.items };
}

// ——— writing a draft

async function editableClaim(db: ExpensesDb, actor: Actor, id: number) {
  const claim = await getClaim(db, actor, id);
  if (claim.user_id !== actor.id) throw forbidden('expenses.owner_only');
  if (claim.status !== 'draft' && claim.status !== 'changes_requested') throw conflict('expenses.not_editable');
  return claim;
}

export async function createClaim(db: ExpensesDb, actor: Actor, input: { title: string }) {
  assertWrite(actor);
  const title = input.title.trim();
  if (!title) throw invalid('common.invalid', { title: 'field.required' });
  const now = nowIso();
  const row = await db
    .insertInto('expense_claims')
    .values({ user_id: actor.id!, title: title.slice(0, 200), status: 'draft', approval_id: null, ordered_by: null, claimed_cents: 0, refund_cents: 0, payment_order_id: null, entry_id: null, entry_number: null, submitted_at: null, decided_at: null, paid_at: null, posted_at: null, reason: null, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'expense_claim', entityId: row.id, action: 'create', after: { title: row.title, status: 'draft' } });
  return row;
}

export interface LineInput {
  spent_on: string;
  category: string;
  description: string;
  supplier: string;
  amount: string;
  distance_km: string;
  fiscal_cv: string;
  electric: boolean;
}

const parseAmount = (v: string) => {
  const s = v.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  return /^-?\d{1,9}(\.\d{1,2})?$/.test(s) ? Math.round(Number(s) * 100) : NaN;
};

/**
 * Adds a line to a draft (or a claim sent back). `receipt` is the stored file, or the error of
 * the upload (too big, wrong type) reported on its field with the others: nothing is written
 * when anything is wrong.
 */
export async function addLine(db: ExpensesDb, actor: Actor, claimId: number, input: LineInput, receipt?: StoredFile | { error: string }) {
  assertWrite(actor);
  const claim = await editableClaim(db, actor, claimId);
  const fields: FieldErrors = {};
  if (!isDay(input.spent_on)) fields.spent_on = input.spent_on ? 'expenses.date_invalid' : 'field.required';
  else if (input.spent_on > nowIso().slice(0, 10)) fields.spent_on = 'expenses.date_future';
  else if (input.spent_on < `${Number(nowIso().slice(0, 4)) - 2}-01-01`) fields.spent_on = 'expenses.date_too_old';
  const category = input.category;
  if (!isCategory(category)) fields.category = category ? 'expenses.category_invalid' : 'field.required';
  let amount = 0;
  let km: number | null = null;
  let cv: number | null = null;
  if (category === 'mileage') {
    km = /^\d{1,5}$/.test(input.distance_km.trim()) ? Number(input.distance_km.trim()) : NaN;
    if (!Number.isInteger(km) || km <= 0 || km > MAX_KM) fields.distance_km = 'expenses.km_invalid';
    const profile = await q.findProfile(db, actor.id!);
    cv = input.fiscal_cv.trim() === '' ? (profile?.vehicle_cv ?? NaN) : /^\d{1,2}$/.test(input.fiscal_cv.trim()) ? Number(input.fiscal_cv.trim()) : NaN;
    if (!Number.isInteger(cv) || cv < 1 || cv > 50) fields.fiscal_cv = 'expenses.cv_invalid';
  } else {
    amount = parseAmount(input.amount);
    if (!input.amount.trim()) fields.amount = 'field.required';
    else if (!Number.isFinite(amount) || amount <= 0) fields.amount = 'expenses.amount_invalid';
    else if (amount > MAX_LINE_CENTS) fields.amount = 'expenses.amount_too_high';
  }
  const supplier = input.supplier.trim().slice(0, 200);
  if (category !== 'mileage' && !supplier) fields.supplier = 'field.required';
  if (receipt && 'error' in receipt) fields.receipt = receipt.error;
  const description = input.description.trim().slice(0, 500);
  if (category === 'mileage' && !description) fields.description = 'expenses.mileage_purpose';
  const count = (await q.linesOf(db, claimId)).length;
  if (count >= MAX_LINES) fields._form = 'expenses.too_many_lines';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const file = receipt && !('error' in receipt) ? receipt : undefined;
  const rates = ratesOn(await q.listRates(db), input.spent_on);
  const ck = ceilingKind(category as Category);
  const ceiling = ck ? (rates.ceilings[ck] ?? null) : null;
  const { refund, capped } = applyCeiling(amount, ceiling);
  const row = await db
    .insertInto('expense_lines')
    .values({
      claim_id: claimId,
      spent_on: input.spent_on,
      category: category as Category,
      description,
      supplier,
      amount_cents: amount,
      refund_cents: refund,
      capped: capped ? 1 : 0,
      ceiling_cents: ceiling,
      distance_km: km,
      fiscal_cv: cv,
      electric: category === 'mileage' && input.electric ? 1 : 0,
      year_km_before: null,
      receipt_key: file?.storageKey ?? null,
      receipt_name: file?.name ?? null,
      receipt_mime: file?.mime ?? null,
      receipt_size: file?.size ?? null,
      receipt_sha256: file?.sha256 ?? null,
      created_at: nowIso(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'expense_claim', entityId: claimId, action: 'add_line', after: { line: row.id, spent_on: row.spent_on, category: row.category, amount_cents: amount, refund_cents: refund, capped: row.capped, distance_km: km, receipt_sha256: row.receipt_sha256 } });
  await reprice(db, claim.id, claim.user_id);
  return row;
}

export async function removeLine(db: ExpensesDb, actor: Actor, claimId: number, lineId: number) {
  assertWrite(actor);
  const claim = await editableClaim(db, actor, claimId);
  const line = await q.findLine(db, claimId, lineId);
  if (!line) throw notFound('expenses.line_not_found');
  await db.deleteFrom('expense_lines').where('id', '=', lineId).execute();
  await record(db, actor, { entity: 'expense_claim', entityId: claimId, action: 'remove_line', before: { line: line.id, spent_on: line.spent_on, category: line.category, amount_cents: line.amount_cents } });
  await reprice(db, claim.id, claim.user_id);
}

/**
 * Prices the mileage lines of a claim on the person's cumulative distance of each year (claims
 * already sent, then this claim's lines by date), and the claim's totals. Rule: a line's
 * allowance = yearly allowance at the new cumulative distance − what the year has already been
 * granted (earlier claims and earlier lines), never negative.
 */
async function reprice(db: ExpensesDb, claimId: number, userId: number): Promise<void> {
  const lines = await q.linesOf(db, claimId);
  const all = await q.listRates(db);
  const years = new Map<string, { km: number; cents: number }>();
  for (const l of lines) {
    if (l.category !== 'mileage' || l.distance_km === null || l.fiscal_cv === null) continue;
    const year = l.spent_on.slice(0, 4);
    if (!years.has(year)) years.set(year, await q.mileageOfYear(db, userId, year, claimId));
    const acc = years.get(year)!;
    const scale = ratesOn(all, l.spent_on).scale;
    const cents = scale ? mileageLineCents(scale, l.fiscal_cv, Boolean(l.electric), acc.km, acc.cents, l.distance_km) : 0;
    if (cents !== l.refund_cents || cents !== l.amount_cents || l.year_km_before !== acc.km) await db.updateTable('expense_lines').set({ amount_cents: cents, refund_cents: cents, year_km_before: acc.km }).where('id', '=', l.id).execute();
    acc.km += l.distance_km;
    acc.cents += cents;
  }
  const totals = await db
    .selectFrom('expense_lines')
    .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('amount_cents'), eb.lit(0)).as('claimed'), eb.fn.coalesce(eb.fn.sum<number>('refund_cents'), eb.lit(0)).as('refund')])
    .where('claim_id', '=', claimId)
    .executeTakeFirstOrThrow();
  await db.updateTable('expense_claims').set((eb) => ({ claimed_cents: Number(totals.claimed), refund_cents: Number(totals.refund), updated_at: nowIso(), version: eb('version', '+', 1) })).where('id', '=', claimId).execute();
}

/** Serialises one person's submissions (cumulative mileage): their profile row is written first, a lock until commit. */
async function lockPerson(db: ExpensesDb, userId: number): Promise<void> {
  await db.updateTable('expense_profiles').set((eb) => ({ version: eb('version', '+', 0) })).where('user_id', '=', userId).execute();
}

/** Sends a draft (or a claim sent back) to the approval engine: the manager, then accounting. */
export async function submitClaim(db: ExpensesDb, actor: Actor, id: number) {
  assertWrite(actor);
  await lockPerson(db, actor.id!);
  const claim = await editableClaim(db, actor, id);
  const lines = await q.linesOf(db, id);
  const fields: FieldErrors = {};
  if (!lines.length) fields._form = 'expenses.no_lines';
  const missing = lines.filter((l) => l.category !== 'mileage' && l.category !== 'meal_workplace' && !l.receipt_key);
  if (missing.length) fields._form = 'expenses.receipts_missing';
  const profile = await q.findProfile(db, actor.id!);
  if (!profile) fields.iban = 'expenses.profile_missing';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { count: missing.length });
  await reprice(db, id, claim.user_id);
  const fresh = (await q.findClaim(db, id))!;
  const payload = { amount: fresh.refund_cents, lines: lines.length };
  const title = `${fresh.title} — ${(fresh.refund_cents / 100).toFixed(2).replace('.', ',')} €`;
  const now = nowIso();
  if (claim.status === 'changes_requested' && claim.approval_id) {
    const view = await approvals.getRequest(db, actor, claim.approval_id);
    await setStatus(db, actor, id, claim.status, 'submitted', 'resubmit', { submitted_at: now });
    await approvals.resubmit(db, actor, claim.approval_id, view.request.version, payload);
  } else {
    await approvals.defineSystemType(db, CLAIM_TYPE);
    await setStatus(db, actor, id, claim.status, 'submitted', 'submit', { submitted_at: now });
    const approval = await approvals.submitRequest(db, actor, CLAIM_TYPE.code, payload, String(id), { title, href: `/notes-de-frais/${id}` });
    await db.updateTable('expense_claims').set({ approval_id: approval.id }).where('id', '=', id).execute();
  }
  return (await q.findClaim(db, id))!;
}

export async function withdrawClaim(db: ExpensesDb, actor: Actor, id: number) {
  const claim = await getClaim(db, actor, id);
  if (claim.user_id !== actor.id) throw forbidden('expenses.owner_only');
  if (claim.status === 'draft') {
    await setStatus(db, actor, id, 'draft', 'withdrawn', 'withdraw');
    return;
  }
  if (!['submitted', 'changes_requested'].includes(claim.status) || !claim.approval_id) throw conflict('expenses.wrong_state');
  const view = await approvals.getRequest(db, actor, claim.approval_id);
  await approvals.withdraw(db, actor, claim.approval_id, view.request.version);
}

export type Decision = 'approve' | 'refuse' | 'send_back';

/** The manager's or accounting's decision, through the engine (a refusal or a send back needs a reason). */
export async function decideClaim(db: ExpensesDb, actor: Actor, id: number, decision: Decision, comment: string) {
  const claim = await getClaim(db, actor, id);
  if (!claim.approval_id || claim.status !== 'submitted') throw conflict('expenses.wrong_state');
  // Accounting sees every sent claim, but decides only once the check is its step.
  const view = await approvalOnRoute(db, actor, claim.approval_id);
  if (!view) throw forbidden('expenses.not_your_step');
  const v = view.request.version;
  if (decision === 'approve') await approvals.approve(db, actor, claim.approval_id, v, comment || undefined);
  else if (decision === 'refuse') await approvals.refuse(db, actor, claim.approval_id, v, comment);
  else await approvals.sendBack(db, actor, claim.approval_id, v, comment);
}

async function setStatus(db: ExpensesDb, actor: Actor, id: number, from: ClaimStatus, to: ClaimStatus, action: string, extra: Partial<{ submitted_at: string; decided_at: string; paid_at: string; posted_at: string; reason: string | null; ordered_by: number | null; payment_order_id: number; entry_id: number; entry_number: string }> = {}) {
  await db.updateTable('expense_claims').set((eb) => ({ status: to, ...extra, updated_at: nowIso(), version: eb('version', '+', 1) })).where('id', '=', id).execute();
  await record(db, actor, { entity: 'expense_claim', entityId: id, action, before: { status: from }, after: { status: to, ...extra } });
}

// ——— accounting: pay and post

/** Queues the refund with accounting (SEPA credit transfer to the person's IBAN), ordered by the manager who approved. */
export async function payClaim(db: ExpensesDb, actor: Actor, id: number) {
  assertCheck(actor);
  const claim = await getClaim(db, actor, id);
  if (claim.status !== 'checked') throw conflict('expenses.wrong_state');
  if (actor.id === claim.user_id) throw forbidden('expenses.own_claim');
  if (actor.id === claim.ordered_by) throw forbidden('expenses.orderer_cannot_pay');
  const profile = await q.findProfile(db, claim.user_id);
  if (!profile) throw invalid('expenses.profile_missing_other', { iban: 'expenses.profile_missing_other' });
  if (claim.refund_cents <= 0) throw invalid('expenses.nothing_to_pay', { _form: 'expenses.nothing_to_pay' });
  const order = await queuePayment(db, actor, {
    beneficiaryName: claim.user_name,
    iban: profile.iban,
    bic: profile.bic,
    amountCents: claim.refund_cents,
    remittance: `Note de frais ${claim.id} ${claim.title}`.slice(0, 140),
    endToEndId: `NDF-${claim.id}`,
    orderedBy: claim.ordered_by ?? actor.id!,
    source: { module: 'expenses', id: claim.id },
  });
  await setStatus(db, actor, id, 'checked', 'paid', 'pay', { paid_at: nowIso(), payment_order_id: order.id });
  return order;
}

/** Posts the claim in the HA journal (notes de frais): each expense account debited, 421 of the person credited. */
export async function postClaim(db: ExpensesDb, actor: Actor, id: number, day = nowIso().slice(0, 10)) {
  assertCheck(actor);
  const claim = await getClaim(db, actor, id);
  if (claim.status !== 'paid') throw conflict('expenses.wrong_state');
  if (actor.id === claim.user_id) throw forbidden('expenses.own_claim');
  const lines = await q.linesOf(db, id);
  const byAccount = new Map<string, { label: string; cents: number }>();
  for (const l of lines) {
    if (l.refund_cents <= 0) continue;
    const a = ACCOUNT_OF[l.category];
    const cur = byAccount.get(a.account) ?? { label: a.label, cents: 0 };
    cur.cents += l.refund_cents;
    byAccount.set(a.account, cur);
  }
  const aux = `NDF${String(claim.user_id).padStart(5, '0')}`;
  const label = `Note de frais ${claim.id} — ${claim.user_name}`.slice(0, 200);
  const entry = await postEntry(db, actor, {
    journal: 'HA',
    date: day,
    label,
    pieceRef: `NDF-${claim.id}`,
    pieceDate: (claim.submitted_at ?? claim.created_at).slice(0, 10),
    source: { module: 'expenses', id: claim.id },
    lines: [
      ...[...byAccount].map(([account, v]) => ({ account, accountLabel: v.label, debitCents: v.cents, creditCents: 0, label })),
      { account: '421', accountLabel: 'Personnel - rémunérations dues', debitCents: 0, creditCents: claim.refund_cents, auxAccount: aux, auxLabel: claim.user_name, label },
    ],
  });
  await setStatus(db, actor, id, 'paid', 'posted', 'post', { posted_at: nowIso(), entry_id: entry.id, entry_number: entry.number });
  return entry;
}

// ——— the engine's decisions

const MIRROR: Partial<Record<approvals.RequestStatus, ClaimStatus>> = {
  pending: 'submitted',
  changes_requested: 'changes_requested',
  approved: 'checked',
  refused: 'refused',
  withdrawn: 'withdrawn',
};

/** In the engine's transaction: the claim follows its approval; on approval, who ordered it is kept for the payment. */
export async function onClaimApproval(db: ExpensesDb, event: approvals.OwnerEvent): Promise<void> {
  const claim = await q.findClaimByApproval(db, event.request.id);
  if (!claim) return;
  const to = MIRROR[event.request.status];
  if (!to || to === claim.status) return;
  const extra: Parameters<typeof setStatus>[6] = { decided_at: nowIso() };
  if (to === 'refused' || to === 'changes_requested') extra.reason = event.comment;
  if (to === 'checked') {
    const view = await approvals.getRequest(db, event.actor, event.request.id);
    const orderer = view.history.filter((h) => h.action === 'approve' && h.step_index === 0 && h.actor_id !== null).pop();
    extra.ordered_by = orderer?.actor_id ?? null;
  }
  await setStatus(db, event.actor, claim.id, claim.status, to, event.action === 'changesRequested' ? 'sent_back' : event.action, extra);
}
