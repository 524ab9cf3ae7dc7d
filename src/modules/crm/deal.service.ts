// Prospects and deals ("affaires"): a company, a service of the catalogue, an amount in cents,
// a probability, an expected close date and a stage of the pipeline. Every stage change is
// kept (crm_deal_stage_history) so the pipeline's past can be told, not just its present.
import { sql } from 'kysely';
import { record, type Actor } from '../../platform/audit/audit.js';
import { ilike, nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { AppError, invalid, notFound } from '../../platform/errors.js';
import { findCompany, listContacts, type CompanySummary, type ContactSummary } from '../registry/index.js';
import { listStages } from './catalogue.service.js';
import type { CrmDb, DealRow, ServiceRow, StageChangeRow, StageRow } from './crm.table.js';
import { addDays, isDate, todayParis } from './dates.js';
import { MAX_AMOUNT_CENTS } from './money.js';
import { assertCanEdit, managedBy, mayEdit, maySeeConfidential } from './policy.js';
import { auditableSharing, checkSharing, type Sharing, type SharingInput } from './sharing.js';
import { validateTaskOwner } from './task.service.js';

const MAX_TEXT = 20_000;

export interface DealInput extends SharingInput {
  companyId?: number;
  title: string;
  serviceId?: number;
  /** NaN when the typed amount could not be read */
  amountCents?: number;
  probability?: number;
  expectedCloseDate?: string;
  stageId?: number;
  lostReason?: string;
  ownerId?: number;
  contactIds?: number[];
  notes?: string;
  confidentialNotes?: string;
  version?: number;
}

interface Checked {
  company: CompanySummary;
  title: string;
  service: ServiceRow | undefined;
  amountCents: number;
  probability: number;
  expectedCloseDate: string | null;
  stage: StageRow;
  lostReason: string | null;
  ownerId: number;
  contactIds: number[];
  notes: string;
  confidential: string;
  sharing: Sharing & { amount_shared_with_company: number };
}

async function check(db: CrmDb, actor: Actor, input: DealInput, before: DealRow | undefined, today: string): Promise<Checked> {
  const fields: Record<string, string> = {};
  const company = input.companyId !== undefined && Number.isInteger(input.companyId) && input.companyId > 0 ? await findCompany(db, input.companyId) : undefined;
  if (input.companyId === undefined) fields.company_id = 'crm.company_required';
  else if (!company) fields.company_id = 'crm.company_unknown';

  const title = input.title.trim();
  if (!title) fields.title = 'field.required';
  else if (title.length > 200) fields.title = 'field.too_long';

  let service: ServiceRow | undefined;
  if (input.serviceId !== undefined) {
    service = await db.selectFrom('crm_services').selectAll().where('id', '=', input.serviceId).executeTakeFirst();
    if (!service || (!service.active && service.id !== before?.service_id)) fields.service_id = 'crm.service_unknown';
  }

  // No amount typed: the catalogue's unit price.
  let amountCents = input.amountCents ?? service?.unit_price_cents ?? 0;
  if (!Number.isFinite(amountCents) || !Number.isInteger(amountCents)) fields.amount = 'crm.amount_invalid';
  else if (amountCents < 0) fields.amount = 'crm.amount_negative';
  else if (amountCents > MAX_AMOUNT_CENTS) fields.amount = 'crm.amount_too_large';
  if (fields.amount) amountCents = 0;

  const stages = await listStages(db);
  const stage = input.stageId !== undefined ? stages.find((s) => s.id === input.stageId && (s.active || s.id === before?.stage_id)) : before ? stages.find((s) => s.id === before.stage_id) : stages.find((s) => s.active && s.kind === 'open');
  if (!stage) fields.stage_id = 'crm.stage_unknown';

  let probability = input.probability ?? (stage && stage.id !== before?.stage_id ? stage.probability : (before?.probability ?? stage?.probability ?? 0));
  if (stage?.kind === 'won') probability = 100;
  if (stage?.kind === 'lost') probability = 0;
  if (!Number.isInteger(probability) || probability < 0 || probability > 100) fields.probability = 'crm.probability_invalid';

  const expected = input.expectedCloseDate?.trim() || null;
  if (expected !== null) {
    if (!isDate(expected)) fields.expected_close_date = 'field.date';
    else if (expected < '2000-01-01' || expected > addDays(today, 5 * 366)) fields.expected_close_date = 'crm.close_date_range';
  }

  const lostReason = input.lostReason?.trim() || null;
  if (stage?.kind === 'lost' && !lostReason) fields.lost_reason = 'crm.lost_reason_required';
  else if (lostReason && lostReason.length > 500) fields.lost_reason = 'field.too_long';

  const ownerId = input.ownerId ?? before?.owner_id ?? actor.id ?? 0;
  if (ownerId !== before?.owner_id && !(await validateTaskOwner(db, ownerId))) fields.owner_id = 'crm.task_owner_unknown';

  const contactIds = [...new Set(input.contactIds ?? [])];
  if (contactIds.length) {
    const ofCompany = company ? new Set((await listContacts(db, company.id)).map((c) => c.id)) : new Set<number>();
    if (contactIds.some((id) => !ofCompany.has(id))) fields.contact_ids = 'crm.contact_unknown';
  }
  const notes = (input.notes ?? '').trim();
  if (notes.length > MAX_TEXT) fields.notes = 'field.too_long';
  const confidential = (input.confidentialNotes ?? '').trim();
  if (confidential.length > MAX_TEXT) fields.confidential_notes = 'field.too_long';
  const sharing = { ...checkSharing(fields, input, before), amount_shared_with_company: (input.amountSharedWithCompany ?? before?.amount_shared_with_company === 1) ? 1 : 0 };

  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: fields.notes || fields.confidential_notes ? MAX_TEXT : fields.lost_reason ? 500 : 200 });
  return { company: company!, title, service, amountCents, probability, expectedCloseDate: expected, stage: stage!, lostReason: stage!.kind === 'lost' ? lostReason : null, ownerId, contactIds, notes, confidential, sharing };
}

type AuditedDeal = Pick<DealRow, 'company_id' | 'title' | 'service_id' | 'amount_cents' | 'probability' | 'expected_close_date' | 'stage_id' | 'lost_reason' | 'owner_id' | 'notes' | 'shared_with_company' | 'member_title' | 'member_summary' | 'amount_shared_with_company'>;
function auditable(r: AuditedDeal & { confidential_notes?: string }) {
  return {
    company_id: r.company_id,
    title: r.title,
    service_id: r.service_id,
    amount_cents: r.amount_cents,
    probability: r.probability,
    expected_close_date: r.expected_close_date,
    stage_id: r.stage_id,
    lost_reason: r.lost_reason,
    owner_id: r.owner_id,
    notes: r.notes,
    confidential_notes: r.confidential_notes ? '(confidentiel)' : '',
    ...auditableSharing(r),
  };
}

/** The columns a deal's form sets, from its checked input: the same on creation and update. */
function dealColumns(c: Checked, closedOn: string | null) {
  return {
    company_id: c.company.id,
    owner_id: c.ownerId,
    service_id: c.service?.id ?? null,
    stage_id: c.stage.id,
    title: c.title,
    amount_cents: c.amountCents,
    probability: c.probability,
    expected_close_date: c.expectedCloseDate,
    closed_on: closedOn,
    lost_reason: c.lostReason,
    notes: c.notes,
    ...c.sharing,
  };
}

async function addHistory(db: CrmDb, actor: Actor, dealId: number, from: number | null, to: number, lostReason: string | null): Promise<void> {
  await db.insertInto('crm_deal_stage_history').values({ deal_id: dealId, from_stage_id: from, to_stage_id: to, changed_by: actor.id, changed_at: nowIso(), lost_reason: lostReason }).execute();
}

export async function createDeal(db: CrmDb, actor: Actor, input: DealInput, today = todayParis()): Promise<DealRow> {
  if (actor.id === null) throw new AppError('forbidden', 'common.forbidden');
  const c = await check(db, actor, input, undefined, today);
  // Creating a deal for a colleague is a manager's act (or direction's).
  if (c.ownerId !== actor.id) await assertCanEdit(db, actor, c.ownerId);
  const now = nowIso();
  const row = await db
    .insertInto('crm_deals')
    .values({
      ...dealColumns(c, c.stage.kind === 'open' ? null : today),
      confidential_notes: c.confidential,
      confidential_author_id: c.confidential ? actor.id : null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (c.contactIds.length) await db.insertInto('crm_deal_contacts').values(c.contactIds.map((contact_id) => ({ deal_id: row.id, contact_id }))).execute();
  await addHistory(db, actor, row.id, null, c.stage.id, c.lostReason);
  await record(db, actor, { entity: 'crm_deal', entityId: row.id, action: 'create', after: { ...auditable(row), contacts: c.contactIds } });
  return row;
}

export async function updateDeal(db: CrmDb, actor: Actor, id: number, input: DealInput, today = todayParis()): Promise<void> {
  const before = await db.selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound('crm.deal_not_found');
  await assertCanEdit(db, actor, before.owner_id);
  const c = await check(db, actor, input, before, today);
  if (c.ownerId !== before.owner_id) await assertCanEdit(db, actor, c.ownerId);
  const stageChanged = c.stage.id !== before.stage_id;
  // Confidential notes are replaced only by someone who may read them (their author or
  // crm:confidential), and only when the form carried them. They keep their author; notes
  // written where there were none are credited to whoever wrote them.
  const touchConfidential = input.confidentialNotes !== undefined && maySeeConfidential(actor, before);
  const confidential = touchConfidential ? c.confidential : before.confidential_notes;
  const confidentialAuthor = !confidential ? null : before.confidential_notes ? before.confidential_author_id ?? before.owner_id : actor.id;
  const patch = {
    ...dealColumns(c, c.stage.kind === 'open' ? null : stageChanged || !before.closed_on ? today : before.closed_on),
    confidential_notes: confidential,
    confidential_author_id: confidentialAuthor,
  };
  await updateWithVersion(db, 'crm_deals', id, input.version ?? -1, patch);
  if (input.contactIds !== undefined) {
    await db.deleteFrom('crm_deal_contacts').where('deal_id', '=', id).execute();
    if (c.contactIds.length) await db.insertInto('crm_deal_contacts').values(c.contactIds.map((contact_id) => ({ deal_id: id, contact_id }))).execute();
  }
  if (stageChanged) await addHistory(db, actor, id, before.stage_id, c.stage.id, c.lostReason);
  await record(db, actor, { entity: 'crm_deal', entityId: id, action: 'update', before: auditable(before), after: { ...auditable({ ...before, ...patch }), confidential_notes: patch.confidential_notes !== before.confidential_notes ? '(modifié)' : auditable({ ...before, ...patch }).confidential_notes } });
}

/** The stored deal, as the API answers it (it strips the notes itself). */
export async function getDealRow(db: CrmDb, id: number): Promise<DealRow> {
  const deal = await db.selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!deal) throw notFound('crm.deal_not_found');
  return deal;
}

/** Deals whose title matches, latest changed first, with their stage's label (global search). */
export function searchDeals(db: CrmDb, q: string, limit: number): Promise<{ id: number; title: string; label: string }[]> {
  return db
    .selectFrom('crm_deals as d')
    .innerJoin('crm_stages as s', 's.id', 'd.stage_id')
    .select(['d.id', 'd.title', 's.label'])
    .where(ilike(db, 'd.title', q))
    .orderBy('d.updated_at', 'desc')
    .limit(limit)
    .execute();
}

/** Moves a deal to another stage (board drag and drop, or its keyboard/no-JS move form). */
export async function moveDeal(db: CrmDb, actor: Actor, id: number, input: { stageId: number; lostReason?: string; version: number }, today = todayParis()): Promise<void> {
  const before = await db.selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound('crm.deal_not_found');
  await assertCanEdit(db, actor, before.owner_id);
  const stage = (await listStages(db, { activeOnly: true })).find((s) => s.id === input.stageId);
  const fields: Record<string, string> = {};
  if (!stage) fields.stage_id = 'crm.stage_unknown';
  const lostReason = input.lostReason?.trim() || null;
  if (stage?.kind === 'lost' && !lostReason) fields.lost_reason = 'crm.lost_reason_required';
  else if (lostReason && lostReason.length > 500) fields.lost_reason = 'field.too_long';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 500 });
  if (stage!.id === before.stage_id) {
    if (input.version !== before.version) throw new AppError('conflict', 'common.stale_version');
    return;
  }
  const patch = {
    stage_id: stage!.id,
    // Entering a stage takes its probability; closing stages fix it at 100 or 0.
    probability: stage!.probability,
    closed_on: stage!.kind === 'open' ? null : today,
    lost_reason: stage!.kind === 'lost' ? lostReason : null,
  };
  await updateWithVersion(db, 'crm_deals', id, input.version, patch);
  await addHistory(db, actor, id, before.stage_id, stage!.id, patch.lost_reason);
  await record(db, actor, { entity: 'crm_deal', entityId: id, action: 'move', before: { stage_id: before.stage_id, probability: before.probability, lost_reason: before.lost_reason }, after: { stage_id: patch.stage_id, probability: patch.probability, lost_reason: patch.lost_reason } });
}

export interface DealView extends DealRow {
  company: CompanySummary | undefined;
  contacts: ContactSummary[];
  stage: StageRow | undefined;
  service: ServiceRow | undefined;
  ownerName: string;
  history: (StageChangeRow & { from_label: string | null; to_label: string; by_name: string | null })[];
  canEdit: boolean;
  showConfidential: boolean;
}

export async function getDeal(db: CrmDb, actor: Actor, id: number): Promise<DealView> {
  const deal = await db.selectFrom('crm_deals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!deal) throw notFound('crm.deal_not_found');
  const team = await managedBy(db, actor);
  const [company, contacts, linked, stages, service, owner, history] = await Promise.all([
    findCompany(db, deal.company_id),
    listContacts(db, deal.company_id),
    db.selectFrom('crm_deal_contacts').select('contact_id').where('deal_id', '=', id).execute(),
    listStages(db),
    deal.service_id ? db.selectFrom('crm_services').selectAll().where('id', '=', deal.service_id).executeTakeFirst() : Promise.resolve(undefined),
    db.selectFrom('users').select('name').where('id', '=', deal.owner_id).executeTakeFirst(),
    db
      .selectFrom('crm_deal_stage_history as h')
      .leftJoin('users as u', 'u.id', 'h.changed_by')
      .selectAll('h')
      .select('u.name as by_name')
      .where('h.deal_id', '=', id)
      .orderBy('h.changed_at')
      .orderBy('h.id')
      .execute(),
  ]);
  const label = (sid: number | null) => (sid === null ? null : (stages.find((s) => s.id === sid)?.label ?? '?'));
  const ids = new Set(linked.map((l) => l.contact_id));
  const showConfidential = maySeeConfidential(actor, deal);
  return {
    ...deal,
    confidential_notes: showConfidential ? deal.confidential_notes : '',
    company,
    contacts: contacts.filter((c) => ids.has(c.id)),
    stage: stages.find((s) => s.id === deal.stage_id),
    service,
    ownerName: owner?.name ?? '',
    history: history.map((h) => ({ ...h, from_label: label(h.from_stage_id), to_label: label(h.to_stage_id)!, by_name: h.by_name ?? null })),
    canEdit: mayEdit(actor, deal.owner_id, team),
    showConfidential,
  };
}

export interface DealFilter {
  ownerIds?: number[];
  companyId?: number;
  stageIds?: number[];
  serviceId?: number;
  /** open | won | lost */
  status?: 'open' | 'won' | 'lost';
  closeFrom?: string;
  closeTo?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applyFilter(q: any, f: DealFilter, alias = 'crm_deals'): any {
  if (f.ownerIds) q = q.where(`${alias}.owner_id`, 'in', f.ownerIds.length ? f.ownerIds : [-1]);
  if (f.companyId !== undefined) q = q.where(`${alias}.company_id`, '=', f.companyId);
  if (f.stageIds?.length) q = q.where(`${alias}.stage_id`, 'in', f.stageIds);
  if (f.serviceId !== undefined) q = q.where(`${alias}.service_id`, '=', f.serviceId);
  if (f.status) q = q.where(`${alias}.stage_id`, 'in', (eb: CrmDb) => eb.selectFrom('crm_stages').select('id').where('kind', '=', f.status!));
  if (f.closeFrom) q = q.where(`${alias}.expected_close_date`, '>=', f.closeFrom);
  if (f.closeTo) q = q.where(`${alias}.expected_close_date`, '<=', f.closeTo);
  return q;
}

export type DealListItem = Omit<DealRow, 'confidential_notes' | 'notes' | 'confidential_author_id'>;
const LIST_COLUMNS = ['id', 'company_id', 'owner_id', 'service_id', 'stage_id', 'title', 'amount_cents', 'probability', 'expected_close_date', 'closed_on', 'lost_reason', 'shared_with_company', 'member_title', 'member_summary', 'amount_shared_with_company', 'created_at', 'updated_at', 'version'] as const;

export async function listDeals(db: CrmDb, filter: DealFilter, page = 1, perPage = 50): Promise<{ items: DealListItem[]; total: number }> {
  const base = applyFilter(db.selectFrom('crm_deals'), filter);
  const total = Number((await base.select((eb: { fn: { countAll(): { as(n: string): unknown } } }) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const items = (await base
    .select([...LIST_COLUMNS])
    .orderBy(sql`coalesce(expected_close_date, '9999-12-31')`)
    .orderBy('id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute()) as DealListItem[];
  return { items, total };
}

export interface ForecastLine {
  /** 'YYYY-MM', or '' for deals without an expected close date */
  month: string;
  count: number;
  amountCents: number;
  weightedCents: number;
}

/**
 * Totals and weighted forecast of the deals matching the filter, per expected-close month.
 * The weighting rounds each deal half up to the cent, in integer arithmetic, in SQL (the same
 * expression as weightedCents() in money.ts); cents are summed, never euros.
 */
export async function forecast(db: CrmDb, filter: DealFilter): Promise<{ months: ForecastLine[]; total: Omit<ForecastLine, 'month'> }> {
  const month = sql<string>`coalesce(substr(expected_close_date, 1, 7), '')`;
  const rows = (await applyFilter(db.selectFrom('crm_deals'), filter)
    .select([
      month.as('month'),
      sql<number>`count(*)`.as('count'),
      sql<number>`coalesce(sum(amount_cents), 0)`.as('amount'),
      sql<number>`coalesce(sum((amount_cents * probability + 50) / 100), 0)`.as('weighted'),
    ])
    .groupBy(month)
    .orderBy(month)
    .execute()) as { month: string; count: number; amount: number; weighted: number }[];
  const months = rows.map((r) => ({ month: r.month, count: Number(r.count), amountCents: Number(r.amount), weightedCents: Number(r.weighted) }));
  const total = months.reduce((a, m) => ({ count: a.count + m.count, amountCents: a.amountCents + m.amountCents, weightedCents: a.weightedCents + m.weightedCents }), { count: 0, amountCents: 0, weightedCents: 0 });
  return { months, total };
}

export interface BoardColumn {
  stage: StageRow;
  count: number;
  amountCents: number;
  weightedCents: number;
  deals: DealListItem[];
}

/** Cards shown per column; the column's totals always count every deal. */
export const BOARD_CARDS_PER_COLUMN = 50;

/**
 * The pipeline board: every active stage with its totals and its first cards (soonest expected
 * close first). Closed columns (won/lost) show the deals closed in the last 90 days.
 */
export async function board(db: CrmDb, filter: DealFilter, today = todayParis()): Promise<BoardColumn[]> {
  const stages = await listStages(db, { activeOnly: true });
  const since = addDays(today, -90);
  const recent = (q: any) => q.where((eb: any) => eb.or([eb('crm_deals.closed_on', 'is', null), eb('crm_deals.closed_on', '>=', since)]));
  const totals = (await recent(applyFilter(db.selectFrom('crm_deals'), filter))
    .select(['stage_id', sql<number>`count(*)`.as('count'), sql<number>`coalesce(sum(amount_cents), 0)`.as('amount'), sql<number>`coalesce(sum((amount_cents * probability + 50) / 100), 0)`.as('weighted')])
    .groupBy('stage_id')
    .execute()) as { stage_id: number; count: number; amount: number; weighted: number }[];
  // The first cards of each column, one small query per stage that walks the
  // (stage_id, expected_close_date) index; deals without a date come after the dated ones.
  const cardsOf = async (stage: StageRow): Promise<DealListItem[]> => {
    const base = () => {
      let q = applyFilter(db.selectFrom('crm_deals'), filter).where('stage_id', '=', stage.id);
      if (stage.kind !== 'open') q = q.where('closed_on', '>=', since);
      return q.select([...LIST_COLUMNS]);
    };
    const dated = (await base().where('expected_close_date', 'is not', null).orderBy('expected_close_date').orderBy('id').limit(BOARD_CARDS_PER_COLUMN).execute()) as DealListItem[];
    if (dated.length === BOARD_CARDS_PER_COLUMN) return dated;
    const undated = (await base().where('expected_close_date', 'is', null).orderBy('id').limit(BOARD_CARDS_PER_COLUMN - dated.length).execute()) as DealListItem[];
    return [...dated, ...undated];
  };
  const cards = await Promise.all(stages.map(cardsOf));
  return stages.map((stage) => {
    const t = totals.find((x) => x.stage_id === stage.id);
    return { stage, count: Number(t?.count ?? 0), amountCents: Number(t?.amount ?? 0), weightedCents: Number(t?.weighted ?? 0), deals: cards[stages.indexOf(stage)] };
  });
}

