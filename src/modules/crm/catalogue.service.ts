// The CRM's configurable lists: visit topics, the services catalogue, the pipeline stages.
// Edited by people with crm:settings; everything is audited; rows are deactivated, never deleted
// (old visits and deals keep pointing at them).
import { assertCan } from '../../platform/access/index.js';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { invalid, notFound } from '../../platform/errors.js';
import type { CrmDb, ServiceRow, StageKind, StageRow, TopicRow } from './crm.table.js';
import { MAX_AMOUNT_CENTS } from './money.js';


export async function listTopics(db: CrmDb, opts: { activeOnly?: boolean } = {}): Promise<TopicRow[]> {
  let q = db.selectFrom('crm_topics').selectAll();
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('position').orderBy('id').execute();
}

export async function listServices(db: CrmDb, opts: { activeOnly?: boolean } = {}): Promise<ServiceRow[]> {
  let q = db.selectFrom('crm_services').selectAll();
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('family').orderBy('name').execute();
}

export async function listStages(db: CrmDb, opts: { activeOnly?: boolean } = {}): Promise<StageRow[]> {
  let q = db.selectFrom('crm_stages').selectAll();
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('position').orderBy('id').execute();
}

const CODE_RE = /^[a-z][a-z0-9_]{1,39}$/;

function text(fields: Record<string, string>, name: string, value: string | undefined, max: number): string {
  const v = (value ?? '').trim();
  if (!v) fields[name] = 'field.required';
  else if (v.length > max) fields[name] = 'field.too_long';
  return v;
}

export interface TopicInput {
  code?: string;
  label: string;
  position?: number;
  active: boolean;
  version?: number;
}

export async function saveTopic(db: CrmDb, actor: Actor, id: number | undefined, input: TopicInput): Promise<number> {
  assertCan(actor, 'crm:settings');
  const fields: Record<string, string> = {};
  const label = text(fields, 'label', input.label, 80);
  const position = input.position ?? 0;
  if (!Number.isInteger(position) || position < 0 || position > 999) fields.position = 'field.invalid';
  if (id === undefined) {
    const code = (input.code ?? '').trim();
    if (!CODE_RE.test(code)) fields.code = 'crm.code_invalid';
    else if (await db.selectFrom('crm_topics').select('id').where('code', '=', code).executeTakeFirst()) fields.code = 'crm.code_taken';
    if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 80 });
    const now = nowIso();
    const row = await db.insertInto('crm_topics').values({ code, label, position, active: input.active ? 1 : 0, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await record(db, actor, { entity: 'crm_topic', entityId: row.id, action: 'create', after: { code, label, position, active: input.active } });
    return row.id;
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 80 });
  const before = await db.selectFrom('crm_topics').selectAll().where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound();
  await updateWithVersion(db, 'crm_topics', id, input.version ?? -1, { label, position, active: input.active ? 1 : 0 });
  await record(db, actor, { entity: 'crm_topic', entityId: id, action: 'update', before: { label: before.label, position: before.position, active: before.active }, after: { label, position, active: input.active ? 1 : 0 } });
  return id;
}

export interface ServiceInput {
  name: string;
  family: string;
  unitPriceCents: number | undefined;
  active: boolean;
  version?: number;
}

export async function saveService(db: CrmDb, actor: Actor, id: number | undefined, input: ServiceInput): Promise<number> {
  assertCan(actor, 'crm:settings');
  const fields: Record<string, string> = {};
  const name = text(fields, 'name', input.name, 120);
  const family = text(fields, 'family', input.family, 60);
  const price = input.unitPriceCents;
  if (price === undefined) fields.unit_price = 'field.required';
  else if (!Number.isInteger(price)) fields.unit_price = 'crm.amount_invalid';
  else if (price < 0) fields.unit_price = 'crm.amount_negative';
  else if (price > MAX_AMOUNT_CENTS) fields.unit_price = 'crm.amount_too_large';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 120 });
  const values = { name, family, unit_price_cents: price!, active: input.active ? 1 : 0 };
  if (id === undefined) {
    const now = nowIso();
    const row = await db.insertInto('crm_services').values({ ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await record(db, actor, { entity: 'crm_service', entityId: row.id, action: 'create', after: values });
    return row.id;
  }
  const before = await db.selectFrom('crm_services').select(['name', 'family', 'unit_price_cents', 'active']).where('id', '=', id).executeTakeFirst();
  if (!before) throw notFound();
  await updateWithVersion(db, 'crm_services', id, input.version ?? -1, values);
  await record(db, actor, { entity: 'crm_service', entityId: id, action: 'update', before, after: values });
  return id;
}

export interface StageInput {
  code?: string;
  label: string;
  position?: number;
  kind?: StageKind;
  probability?: number;
  active: boolean;
  version?: number;
}

export async function saveStage(db: CrmDb, actor: Actor, id: number | undefined, input: StageInput): Promise<number> {
  assertCan(actor, 'crm:settings');
  const fields: Record<string, string> = {};
  const label = text(fields, 'label', input.label, 60);
  const position = input.position ?? 0;
  if (!Number.isInteger(position) || position < 0 || position > 999) fields.position = 'field.invalid';
  const kind = input.kind ?? 'open';
  if (!['open', 'won', 'lost'].includes(kind)) fields.kind = 'field.invalid';
  // A closing stage fixes the probability: won is certain, lost is nothing.
  const probability = kind === 'won' ? 100 : kind === 'lost' ? 0 : (input.probability ?? 0);
  if (!Number.isInteger(probability) || probability < 0 || probability > 100) fields.probability = 'crm.probability_invalid';
  let before: StageRow | undefined;
  if (id !== undefined) {
    before = await db.selectFrom('crm_stages').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) throw notFound();
    if (before.kind !== kind && (await db.selectFrom('crm_deals').select('id').where('stage_id', '=', id).executeTakeFirst())) fields.kind = 'crm.stage_kind_in_use';
  }
  if (id === undefined) {
    const code = (input.code ?? '').trim();
    if (!CODE_RE.test(code)) fields.code = 'crm.code_invalid';
    else if (await db.selectFrom('crm_stages').select('id').where('code', '=', code).executeTakeFirst()) fields.code = 'crm.code_taken';
    if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 60 });
    const now = nowIso();
    const values = { code, label, position, kind, probability, active: input.active ? 1 : 0 };
    const row = await db.insertInto('crm_stages').values({ ...values, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    await record(db, actor, { entity: 'crm_stage', entityId: row.id, action: 'create', after: values });
    return row.id;
  }
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 60 });
  const values = { label, position, kind, probability, active: input.active ? 1 : 0 };
  await updateWithVersion(db, 'crm_stages', id, input.version ?? -1, values);
  await record(db, actor, { entity: 'crm_stage', entityId: id, action: 'update', before: { label: before!.label, position: before!.position, kind: before!.kind, probability: before!.probability, active: before!.active }, after: values });
  return id;
}
