// The campaign's target companies: the registry's saved search (segment) resolved into rows of
// apprenticeship_targets (company, name, NAF division as the sector, département), refreshed on
// demand; staff record the first contact and who follows each company (adviser).
import { sql } from 'kysely';
import { record, type Actor } from '../../platform/audit/audit.js';
import { findUserById } from '../../platform/auth/users.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, notFound } from '../../platform/errors.js';
import { findSegment, parseSearch, searchEstablishmentsStream } from '../registry/index.js';
import type { ApprenticeshipDb, Target } from './apprenticeship.table.js';
import { getCampaign } from './campaign.service.js';
import { assertFollow, assertManage } from './policy.js';

export type SegmentCompanies = Map<number, { name: string; sector: string | null; department: string | null }>;

/**
 * Reads the campaign's segment on `reads` (outside any write transaction: a large segment takes a
 * while and must not hold the writer), one row per company — its head office gives the
 * département and the sector (NAF division), else its first establishment in the segment. Every
 * match is read once, in id order, by the registry's export stream: pages sorted by name with an
 * offset read again every row before the page (quadratic at 1 M) and stopped at 400 pages.
 */
export async function resolveSegment(db: ApprenticeshipDb, reads: ApprenticeshipDb, actor: Actor, campaignId: number): Promise<{ segmentName: string; companies: SegmentCompanies }> {
  assertManage(actor);
  const campaign = await getCampaign(db, campaignId);
  if (campaign.segment_id === null) throw invalid('common.invalid', { segment: 'apprenticeship.segment_missing' });
  const segment = await findSegment(db, campaign.segment_id);
  if (!segment) throw invalid('common.invalid', { segment: 'apprenticeship.segment_not_found' });
  const usp = new URLSearchParams(segment.query);
  const params: Record<string, string | string[]> = {};
  for (const k of new Set(usp.keys())) {
    const all = usp.getAll(k);
    params[k] = all.length === 1 ? all[0] : all;
  }
  const companies: SegmentCompanies = new Map();
  const headOffices = new Set<number>();
  for await (const page of searchEstablishmentsStream(reads, parseSearch(params))) {
    for (const it of page) {
      if (headOffices.has(it.companyId) || (companies.has(it.companyId) && !it.isHeadOffice)) continue;
      if (it.isHeadOffice) headOffices.add(it.companyId);
      companies.set(it.companyId, { name: it.name.slice(0, 200), sector: it.nafCode ? it.nafCode.slice(0, 2) : null, department: it.communeCode ? it.communeCode.slice(0, 2) : null });
    }
  }
  return { segmentName: segment.name, companies };
}

/**
 * Writes the resolved segment as the campaign's targets (in the caller's transaction): new
 * companies are added, those no longer in the segment are removed unless already contacted,
 * kept rows keep their adviser and contact. Returns the number of targets.
 */
export async function applyTargets(db: ApprenticeshipDb, actor: Actor, campaignId: number, resolved: { segmentName: string; companies: SegmentCompanies }): Promise<number> {
  assertManage(actor);
  await getCampaign(db, campaignId);
  const found = resolved.companies;
  const existing = new Map((await db.selectFrom('apprenticeship_targets').select(['id', 'company_id', 'contacted_at']).where('campaign_id', '=', campaignId).execute()).map((r) => [r.company_id, r]));
  const added = [...found].filter(([id]) => !existing.has(id));
  for (let i = 0; i < added.length; i += 200) {
    await db
      .insertInto('apprenticeship_targets')
      .values(added.slice(i, i + 200).map(([companyId, t]) => ({ campaign_id: campaignId, company_id: companyId, name: t.name, naf_section: t.sector, department: t.department })))
      .execute();
  }
  const gone = [...existing.values()].filter((r) => !found.has(r.company_id) && r.contacted_at === null).map((r) => r.id);
  for (let i = 0; i < gone.length; i += 500) await db.deleteFrom('apprenticeship_targets').where('id', 'in', gone.slice(i, i + 500)).execute();
  await db.updateTable('apprenticeship_campaigns').set({ targets_refreshed_at: nowIso(), updated_at: nowIso(), version: sql`version + 1` }).where('id', '=', campaignId).execute();
  const total = existing.size + added.length - gone.length;
  await record(db, actor, { entity: 'apprenticeship_campaign', entityId: campaignId, action: 'targets', changes: { segment: resolved.segmentName, added: added.length, removed: gone.length, total } });
  return total;
}

export interface TargetFilter {
  contacted?: 'yes' | 'no';
  adviserId?: number;
  q?: string;
}

export async function listTargets(db: ApprenticeshipDb, campaignId: number, f: TargetFilter, page: number, perPage = 50): Promise<{ rows: (Target & { adviser_name: string | null })[]; total: number }> {
  let base = db.selectFrom('apprenticeship_targets as t').where('t.campaign_id', '=', campaignId);
  if (f.contacted === 'yes') base = base.where('t.contacted_at', 'is not', null);
  if (f.contacted === 'no') base = base.where('t.contacted_at', 'is', null);
  if (f.adviserId !== undefined) base = base.where('t.adviser_id', '=', f.adviserId);
  if (f.q) base = base.where(sql<boolean>`lower(t.name) like ${'%' + f.q.toLowerCase().replace(/[%_\\]/g, '') + '%'}`);
  const [{ n }] = await base.select((eb) => eb.fn.countAll<number>().as('n')).execute();
  const rows = await base
    .leftJoin('users as u', 'u.id', 't.adviser_id')
    .selectAll('t')
    .select('u.name as adviser_name')
    .orderBy('t.name')
    .orderBy('t.id')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { rows, total: Number(n) };
}

async function getTarget(db: ApprenticeshipDb, id: number): Promise<Target> {
  const t = await db.selectFrom('apprenticeship_targets').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) throw notFound('apprenticeship.target_not_found');
  return t;
}

/** Records the first contact with a target company (a call, a visit…), with a note. */
export async function markContacted(db: ApprenticeshipDb, actor: Actor, id: number, note: string): Promise<Target> {
  assertFollow(actor);
  const t = await getTarget(db, id);
  const text = note.trim();
  if (text.length > 1000) throw invalid('common.invalid', { note: 'apprenticeship.too_long' });
  const at = nowIso();
  await db
    .updateTable('apprenticeship_targets')
    .set({ contacted_at: t.contacted_at ?? at, contact_note: text || t.contact_note, adviser_id: t.adviser_id ?? actor.id })
    .where('id', '=', id)
    .execute();
  await record(db, actor, { entity: 'apprenticeship_target', entityId: id, action: 'contact', changes: { company_id: t.company_id, contacted_at: [t.contacted_at, t.contacted_at ?? at], note: [t.contact_note, text || t.contact_note] } });
  return t;
}

/** Who follows a target company in the campaign (a staff user who follows the campaign), or nobody. */
export async function assignAdviser(db: ApprenticeshipDb, actor: Actor, id: number, adviserId: number | null): Promise<Target> {
  assertFollow(actor);
  const t = await getTarget(db, id);
  if (adviserId !== null) {
    const u = await findUserById(db, adviserId);
    if (!u || u.status !== 'active') throw invalid('common.invalid', { adviser: 'apprenticeship.user_not_found' });
  }
  await db.updateTable('apprenticeship_targets').set({ adviser_id: adviserId }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'apprenticeship_target', entityId: id, action: 'adviser', changes: { company_id: t.company_id, adviser_id: [t.adviser_id, adviserId] } });
  return t;
}
