// Accounting handlers (/comptabilite…), listed with their access in accounting.routes.ts:
// accounting:read for the books, batches and the FEC; accounting:manage for manual entries,
// reversals, closings, batches and the debtor account. Heavy reads go to ctx.reads.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalid, type FieldErrors } from '../../platform/errors.js';
import { onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { JOURNAL_CODES, type AccountingDb, type JournalCode } from './accounting.table.js';
import * as books from './books.queries.js';
import { isIsoDate, todayInParis } from './dates.js';
import * as eq from './entries.queries.js';
import { closePeriod, getEntry, reverseEntry } from './entries.service.js';
import { sendFec, sendPain001 } from './downloads.js';
import { fecPeriod } from './fec.service.js';
import { MANUAL_ROWS, postManualEntry } from './manual.service.js';
import * as pq from './payments.queries.js';
import { createPaymentBatch, getBatch, getDebtor, markBatchPaid, setDebtorAccount } from './payments.service.js';
import { mayManageAccounting } from './policy.js';
import { BatchPage, EntriesPage, EntryPage, FecPage, LedgerPage, ManualEntryPage, PaymentsPage, TrialBalancePage, type EntriesQuery, type ManualValues } from './views/pages.js';

type Ctx = ModuleContext<AccountingDb>;
const PER_PAGE = 50;

function pageParam(q: unknown): number {
  const n = Number(str(q, 'page', 6));
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

/** The current year's first day and today: the default period of the pages. */
function yearToDate(): { from: string; to: string } {
  const today = todayInParis();
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

/** from/to of a query: the defaults when absent, errors (shown on the form) when not dates. */
function periodOf(q: unknown): { from: string; to: string; errors: FieldErrors } {
  const d = yearToDate();
  const from = str(q, 'from', 10) || d.from;
  const to = str(q, 'to', 10) || d.to;
  const errors: FieldErrors = {};
  if (!isIsoDate(from)) errors.from = 'accounting.date_invalid';
  if (!isIsoDate(to)) errors.to = 'accounting.date_invalid';
  else if (isIsoDate(from) && from > to) errors.to = 'accounting.period_reversed';
  return { from, to, errors };
}

export async function handleEntries(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const query: EntriesQuery = { journal: str(req.query, 'journal', 2), from: str(req.query, 'from', 10), to: str(req.query, 'to', 10), account: str(req.query, 'account', 20), source: str(req.query, 'source', 40) };
  const errors: FieldErrors = {};
  if (query.from && !isIsoDate(query.from)) errors.from = 'accounting.date_invalid';
  if (query.to && !isIsoDate(query.to)) errors.to = 'accounting.date_invalid';
  if (query.account && !/^[0-9A-Z]{1,20}$/.test(query.account)) errors.account = 'accounting.account_invalid';
  const filter: books.EntryFilter = {
    journal: (JOURNAL_CODES as readonly string[]).includes(query.journal) ? (query.journal as JournalCode) : undefined,
    from: errors.from ? undefined : query.from || undefined,
    to: errors.to ? undefined : query.to || undefined,
    account: errors.account ? undefined : query.account || undefined,
    source: query.source || undefined,
  };
  const page = pageParam(req.query);
  const [journals, sources, rows, total, closed] = await Promise.all([
    eq.listJournals(reads),
    books.sourceModules(reads),
    books.entriesPage(reads, filter, PER_PAGE, (page - 1) * PER_PAGE),
    books.countEntries(reads, filter),
    eq.closedThrough(db),
  ]);
  return reply.render(
    <EntriesPage ctx={req.view()} journals={journals} sources={sources} query={query} errors={errors} rows={rows} total={total} page={page} perPage={PER_PAGE} canManage={mayManageAccounting(req.actor)} closedThrough={closed} />,
    Object.keys(errors).length ? 422 : 200,
  );
}

async function entryPage(req: FastifyRequest, db: AccountingDb, id: number, extra: { errors?: FieldErrors; date?: string } = {}) {
  const { entry, lines, reversal, reverses } = await getEntry(db, id);
  const journal = (await eq.listJournals(db)).find((j) => j.code === entry.journal_code);
  return <EntryPage ctx={req.view()} entry={entry} lines={lines} reversal={reversal} reverses={reverses} journal={journal} canManage={mayManageAccounting(req.actor)} today={todayInParis()} {...extra} />;
}

export async function handleEntry(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await entryPage(req, db, requireId(req, 'id', 'accounting.entry_not_found')));
}

export async function handleReverseEntry(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'accounting.entry_not_found');
  const date = str(req.body, 'date', 10);
  return onInvalid(
    reply,
    async () => {
      const rev = await db.transaction().execute((trx) => reverseEntry(trx, req.actor, id, date));
      reply.flash('success', 'accounting.reversed');
      return reply.redirect(`/comptabilite/ecritures/${rev.id}`);
    },
    (errors) => entryPage(req, db, id, { errors, date }),
  );
}

function blankManual(): ManualValues {
  return { date: todayInParis(), label: '', pieceRef: '', lines: Array.from({ length: MANUAL_ROWS }, () => ({ account: '', label: '', debit: '', credit: '' })) };
}

export async function handleNewManualEntry(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ManualEntryPage ctx={req.view()} accounts={await eq.listAccounts(db)} values={blankManual()} />);
}

export async function handlePostManualEntry(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const b = req.body;
  const values: ManualValues = {
    date: str(b, 'date', 10),
    label: str(b, 'label', 200),
    pieceRef: str(b, 'pieceRef', 60),
    lines: Array.from({ length: MANUAL_ROWS }, (_, i) => ({ account: str(b, `account_${i}`, 20), label: str(b, `line_label_${i}`, 200), debit: str(b, `debit_${i}`, 16), credit: str(b, `credit_${i}`, 16) })),
  };
  return onInvalid(
    reply,
    async () => {
      const entry = await db.transaction().execute((trx) => postManualEntry(trx, req.actor, values));
      reply.flash('success', 'accounting.od.posted');
      return reply.redirect(`/comptabilite/ecritures/${entry.id}`);
    },
    async (errors) => <ManualEntryPage ctx={req.view()} accounts={await eq.listAccounts(db)} values={values} errors={errors} />,
  );
}

export async function handleTrialBalance(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const { from, to, errors } = periodOf(req.query);
  const bad = Object.keys(errors).length > 0;
  const rows = bad ? [] : await books.trialBalance(reads, from, to);
  return reply.render(<TrialBalancePage ctx={req.view()} from={from} to={to} errors={errors} rows={rows} />, bad ? 422 : 200);
}

export async function handleLedger(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const { from, to, errors } = periodOf(req.query);
  const accounts = await eq.listAccounts(db);
  const wanted = str(req.query, 'account', 20);
  const account = accounts.some((a) => a.number === wanted) ? wanted : '';
  if (wanted && !account) errors.account = 'accounting.account_unknown';
  const page = pageParam(req.query);
  const bad = Object.keys(errors).length > 0;
  const ok = account && !bad;
  const [opening, carried, rows, total] = ok
    ? await Promise.all([
        books.balanceBefore(reads, account, from),
        page > 1 ? books.ledgerHead(reads, account, from, to, (page - 1) * PER_PAGE) : Promise.resolve(0),
        books.ledgerPage(reads, account, from, to, PER_PAGE, (page - 1) * PER_PAGE),
        books.countLedger(reads, account, from, to),
      ])
    : [0, 0, [], 0];
  return reply.render(
    <LedgerPage ctx={req.view()} accounts={accounts} account={account} from={from} to={to} errors={errors} opening={opening} carried={carried} rows={rows} total={total} page={page} perPage={PER_PAGE} />,
    bad ? 422 : 200,
  );
}

async function paymentsPage(req: FastifyRequest, db: AccountingDb, extra: { errors?: FieldErrors; debtorErrors?: FieldErrors; debtorValues?: { name: string; iban: string; bic: string }; executionDate?: string } = {}) {
  const [queued, batches, debtor] = await Promise.all([pq.queuedWithNames(db), pq.listBatches(db), getDebtor(db)]);
  return <PaymentsPage ctx={req.view()} queued={queued} batches={batches} debtor={debtor} canManage={mayManageAccounting(req.actor)} today={todayInParis()} {...extra} />;
}

export async function handlePayments(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await paymentsPage(req, db));
}

export async function handleCreateBatch(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const executionDate = str(req.body, 'executionDate', 10);
  const raw = (req.body as Record<string, unknown> | undefined)?.orderIds;
  const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : -1));
  return onInvalid(
    reply,
    async () => {
      if (!ids.length) throw invalid('common.invalid', { orderIds: 'accounting.batch_none_chosen' });
      const batch = await db.transaction().execute((trx) => createPaymentBatch(trx, req.actor, { executionDate, orderIds: ids }));
      reply.flash('success', 'accounting.batch.created_flash');
      return reply.redirect(`/comptabilite/virements/lots/${batch.id}`);
    },
    (errors) => paymentsPage(req, db, { errors, executionDate }),
  );
}

export async function handleSetDebtor(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { name: str(req.body, 'name', 70), iban: str(req.body, 'iban', 42), bic: str(req.body, 'bic', 11) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => setDebtorAccount(trx, req.actor, values));
      reply.flash('success', 'accounting.debtor.saved');
      return reply.redirect('/comptabilite/virements');
    },
    (errors) => paymentsPage(req, db, { debtorErrors: errors, debtorValues: values }),
  );
}

export async function handleBatch(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const { batch, orders } = await getBatch(db, requireId(req, 'id', 'accounting.batch_not_found'));
  const [entry, createdBy, paidBy] = await Promise.all([batch.entry_id ? eq.findEntry(db, batch.entry_id) : Promise.resolve(undefined), pq.userName(db, batch.created_by), pq.userName(db, batch.paid_by)]);
  const canPay = mayManageAccounting(req.actor) && !orders.some((o) => o.ordered_by === req.actor.id);
  return reply.render(<BatchPage ctx={req.view()} batch={batch} orders={orders} entry={entry} canPay={canPay} createdBy={createdBy} paidBy={paidBy} />);
}

export async function handleBatchXml(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return sendPain001(reply, db, requireId(req, 'id', 'accounting.batch_not_found'));
}

export async function handleMarkPaid(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'accounting.batch_not_found');
  const version = Number(str(req.body, 'version', 9));
  await db.transaction().execute((trx) => markBatchPaid(trx, req.actor, id, Number.isInteger(version) ? version : 0));
  reply.flash('success', 'accounting.batch.paid_flash');
  return reply.redirect(`/comptabilite/virements/lots/${id}`);
}

export async function handleFec(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const d = yearToDate();
  return reply.render(<FecPage ctx={req.view()} from={d.from} to={d.to} canManage={mayManageAccounting(req.actor)} closedThrough={await eq.closedThrough(db)} siren={await settings.get('cci.siren')} />);
}

export async function handleFecExport(req: FastifyRequest, reply: FastifyReply, { db, reads, settings }: Ctx) {
  const from = str(req.query, 'from', 10);
  const to = str(req.query, 'to', 10);
  const siren = await settings.get('cci.siren');
  return onInvalid(
    reply,
    async () => {
      const period = fecPeriod(from, to);
      return sendFec(reply, reads, siren, period.from, period.to);
    },
    async (errors) => <FecPage ctx={req.view()} from={from} to={to} errors={errors} canManage={mayManageAccounting(req.actor)} closedThrough={await eq.closedThrough(db)} siren={siren} />,
  );
}

export async function handleClosePeriod(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const through = str(req.body, 'closedThrough', 10);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => closePeriod(trx, req.actor, through));
      reply.flash('success', 'accounting.closing.done');
      return reply.redirect('/comptabilite/fec');
    },
    async (closeErrors) => {
      const d = yearToDate();
      return <FecPage ctx={req.view()} from={d.from} to={d.to} canManage closedThrough={await eq.closedThrough(db)} closeValue={through} closeErrors={closeErrors} siren={await settings.get('cci.siren')} />;
    },
  );
}
