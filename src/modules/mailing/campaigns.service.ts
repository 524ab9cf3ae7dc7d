// Templates and campaigns: drafts checked at save (merge fields, links, header injection),
// preview per recipient, test send, start now or at a date, approval above N recipients
// (approvals engine, owner hooks in index.ts), pause / resume / cancel, retry of failures,
// statistics without tracking by default, the public archive.
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { AppError, conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { enqueue } from '../../platform/jobs/index.js';
import { defineSystemType, submitRequest } from '../approvals/index.js';
import { checkAddress, HEADER_BREAK } from './addresses.js';
import { checkTemplate, CompiledTemplate, type MergeValues } from './blocks.js';
import { countAudience, getList, listAudience, type AudienceCounts } from './lists.service.js';
import type { MailingConfig } from './mailing.config.js';
import type { Campaign, CampaignStatus, MailingDb, Template } from './mailing.table.js';
import { assertCanAdmin, assertCanSend, assertCanWrite } from './policy.js';
import { buildMessage, frameFor, statusCounts, transportFor, type BuiltMessage, type SendDeps } from './send.service.js';

// ————— templates —————

export interface TemplateInput {
  name: string;
  subject: string;
  body: string;
}

/** Name, subject (one header line) and body (blocks, merge fields, links) — refused with the reason, field by field. */
function checkContent(input: TemplateInput): { values: TemplateInput; errors: FieldErrors; params: Record<string, string> } {
  const errors: FieldErrors = {};
  const params: Record<string, string> = {};
  const name = input.name.trim().slice(0, 200);
  const subject = input.subject.trim();
  const body = input.body.replace(/\r\n?/g, '\n').trim();
  if (!name) errors.name = 'field.required';
  if (!subject) errors.subject = 'field.required';
  else if (HEADER_BREAK.test(input.subject.replace(/^\s+|\s+$/g, ''))) errors.subject = 'mailing.subject_injection';
  else if (subject.length > 250) errors.subject = 'field.too_long';
  if (!body) errors.body = 'field.required';
  else if (body.length > 100_000) errors.body = 'field.too_long';
  if (!errors.subject && !errors.body) {
    const bad = checkTemplate(subject, body);
    if (bad) {
      errors[bad.field] = bad.code;
      params.detail = bad.detail;
    }
  }
  return { values: { name, subject, body }, errors, params };
}

export async function listTemplates(db: MailingDb): Promise<Template[]> {
  return db.selectFrom('mailing_templates').selectAll().orderBy('name').execute();
}

export async function getTemplate(db: MailingDb, id: number): Promise<Template> {
  const t = await db.selectFrom('mailing_templates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!t) throw notFound('mailing.template_not_found');
  return t;
}

export async function saveTemplate(db: MailingDb, actor: Actor, id: number | null, version: number | null, input: TemplateInput): Promise<Template> {
  assertCanWrite(actor);
  const { values, errors, params } = checkContent(input);
  if (Object.keys(errors).length) throw invalid('common.invalid', errors, params);
  const now = nowIso();
  if (id === null) {
    const row = await db.insertInto('mailing_templates').values({ ...values, created_by: actor.id, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
    await record(db, actor, { entity: 'mailing_template', entityId: row.id, action: 'create', after: { name: values.name, subject: values.subject } });
    return row;
  }
  const before = await getTemplate(db, id);
  const row = await db.updateTable('mailing_templates').set({ ...values, updated_at: now, version: before.version + 1 }).where('id', '=', id).where('version', '=', version ?? -1).returningAll().executeTakeFirst();
  if (!row) throw conflict('common.conflict');
  await record(db, actor, { entity: 'mailing_template', entityId: id, action: 'update', before: { name: before.name, subject: before.subject, body: before.body }, after: { ...values } });
  return row;
}

// ————— campaigns —————

export interface CampaignInput extends TemplateInput {
  list_id: number | undefined;
}

export async function listCampaigns(db: MailingDb): Promise<(Campaign & { list_name: string })[]> {
  return db.selectFrom('mailing_campaigns as c').innerJoin('mailing_lists as l', 'l.id', 'c.list_id').selectAll('c').select('l.name as list_name').orderBy('c.id', 'desc').limit(200).execute();
}

export async function getCampaign(db: MailingDb, id: number): Promise<Campaign> {
  const c = await db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('mailing.campaign_not_found');
  return c;
}

async function checkCampaign(db: MailingDb, input: CampaignInput) {
  const { values, errors, params } = checkContent(input);
  const list = input.list_id ? await db.selectFrom('mailing_lists').selectAll().where('id', '=', input.list_id).where('archived', '=', 0).executeTakeFirst() : undefined;
  if (!list) errors.list_id = 'mailing.list_required';
  if (Object.keys(errors).length) throw invalid('common.invalid', errors, params);
  return { ...values, list_id: list!.id };
}

export async function createCampaign(db: MailingDb, actor: Actor, input: CampaignInput): Promise<Campaign> {
  assertCanWrite(actor);
  const v = await checkCampaign(db, input);
  const now = nowIso();
  const row = await db.insertInto('mailing_campaigns').values({ ...v, status: 'draft', created_by: actor.id, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'mailing_campaign', entityId: row.id, action: 'create', after: { name: v.name, list_id: v.list_id, subject: v.subject } });
  return row;
}

export async function updateCampaign(db: MailingDb, actor: Actor, id: number, version: number, input: CampaignInput): Promise<Campaign> {
  assertCanWrite(actor);
  const before = await getCampaign(db, id);
  if (before.status !== 'draft') throw conflict('mailing.not_draft');
  const v = await checkCampaign(db, input);
  const row = await db.updateTable('mailing_campaigns').set({ ...v, updated_at: nowIso(), version: before.version + 1 }).where('id', '=', id).where('version', '=', version).where('status', '=', 'draft').returningAll().executeTakeFirst();
  if (!row) throw conflict('common.conflict');
  await record(db, actor, { entity: 'mailing_campaign', entityId: id, action: 'update', before: { name: before.name, list_id: before.list_id, subject: before.subject, body: before.body }, after: v });
  return row;
}

// ————— preview and test send —————

/** The first recipients of the list as it is now, for the preview's chooser. */
export async function sampleRecipients(db: MailingDb, campaign: Campaign, n = 20): Promise<{ email: string; fields: MergeValues }[]> {
  const list = await getList(db, campaign.list_id);
  const out: { email: string; fields: MergeValues }[] = [];
  for await (const page of listAudience(db, list)) {
    for (const m of page) {
      out.push({ email: m.email, fields: m.fields });
      if (out.length >= n) return out;
    }
  }
  return out;
}

/** The message a recipient would receive (links signed for a preview recipient id 0, never valid for an unsubscribe). */
export async function previewFor(db: MailingDb, deps: SendDeps, campaign: Campaign, who: { email: string; fields: MergeValues } | undefined): Promise<BuiltMessage> {
  const list = await getList(db, campaign.list_id);
  const tpl = new CompiledTemplate(campaign.subject, campaign.body);
  const email = who?.email ?? 'exemple@exemple.fr';
  return buildMessage(deps, tpl, frameFor('fr', list, deps, campaign.name), campaign, { id: 0, email, email_norm: email.toLowerCase() }, who?.fields ?? { 'list.name': list.name });
}

/** Sends the preview of the first recipient (or fallbacks) to one address, marked [TEST]. */
export async function sendTest(db: MailingDb, actor: Actor, deps: SendDeps, campaignId: number, to: string): Promise<void> {
  assertCanWrite(actor);
  const addr = checkAddress(to);
  if (!addr.ok) throw invalid('common.invalid', { test_to: addr.code });
  if (!deps.smtpUrl) throw invalid('common.invalid', { test_to: 'mailing.no_smtp' });
  const campaign = await getCampaign(db, campaignId);
  const [first] = await sampleRecipients(db, campaign, 1);
  const msg = await previewFor(db, deps, campaign, first);
  await transportFor(deps.smtpUrl, deps.cfg.connections).sendMail({ ...msg, to: addr.email, envelope: { from: msg.envelope.from, to: addr.email }, subject: `[TEST] ${msg.subject}`, messageId: undefined });
  await record(db, actor, { entity: 'mailing_campaign', entityId: campaignId, action: 'test_send', changes: { to: addr.norm } });
}

// ————— sending: start, schedule, approval, pause, resume, cancel, retry —————

export const CAMPAIGN_APPROVAL_TYPE = {
  code: 'mailing_campaign',
  owner: 'mailing',
  name: { fr: 'Envoi d’une campagne de mailing', en: 'Sending a mailing campaign' },
  steps: [{ id: 'direction', mode: 'any' as const, approvers: [{ kind: 'role' as const, role: 'direction' }] }],
};

/**
 * Asks to send (now, or at `scheduledAt`). A list of 0 recipients is refused; above the
 * threshold the campaign waits for an approval (the engine's request, owner hooks move it on).
 */
export async function requestSend(db: MailingDb, actor: Actor, cfg: MailingConfig, id: number, version: number, scheduledAt: string | null): Promise<{ status: CampaignStatus; audience: AudienceCounts }> {
  assertCanSend(actor);
  const c = await getCampaign(db, id);
  if (c.version !== version) throw conflict('common.conflict');
  if (c.status !== 'draft') throw conflict('mailing.not_draft');
  let at: string | null = null;
  if (scheduledAt) {
    const d = new Date(scheduledAt);
    if (Number.isNaN(d.getTime())) throw invalid('common.invalid', { scheduled_at: 'field.invalid' });
    if (d.getTime() < Date.now() - 60_000) throw invalid('common.invalid', { scheduled_at: 'mailing.schedule_past' });
    at = d.toISOString();
  }
  const audience = await countAudience(db, await getList(db, c.list_id));
  if (audience.included === 0) throw invalid('mailing.list_empty', { list_id: 'mailing.list_empty' });
  let status: CampaignStatus = at && at > nowIso() ? 'scheduled' : 'sending';
  let approvalId: number | null = null;
  if (audience.included > cfg.approvalAbove) {
    await defineSystemType(db, CAMPAIGN_APPROVAL_TYPE);
    const req = await submitRequest(db, actor, CAMPAIGN_APPROVAL_TYPE.code, { recipients: audience.included }, String(id), { title: `${c.name} (${audience.included} destinataires)`, href: `/mailing/campagnes/${id}` });
    approvalId = req.id;
    if (req.status !== 'approved') status = 'awaiting_approval';
  }
  await db.updateTable('mailing_campaigns').set({ status, scheduled_at: at, approval_id: approvalId, audience: audience.included, updated_at: nowIso(), version: c.version + 1 }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'mailing_campaign', entityId: id, action: status === 'awaiting_approval' ? 'submit_approval' : status === 'scheduled' ? 'schedule' : 'start', changes: { status: [c.status, status], scheduled_at: [null, at], audience: [null, audience.included] } });
  if (status === 'sending') await startSending(db, id);
  return { status, audience };
}

/** Status 'sending' with its tracking choice fixed, and the first slice queued. */
async function startSending(db: MailingDb, id: number): Promise<void> {
  const tracking = await trackingEnabled(db);
  await db.updateTable('mailing_campaigns').set({ status: 'sending', tracking: tracking ? 1 : 0, started_at: nowIso(), updated_at: nowIso() }).where('id', '=', id).execute();
  await enqueue(db, 'mailing.send', { campaignId: id }, { maxAttempts: 3 });
}

/** Owner hook of the approvals engine: approved → scheduled or sending; refused, withdrawn → back to draft. */
export async function onApproval(db: MailingDb, event: { request: { owner_ref: string | null; id: number }; action: string; actor: Actor }): Promise<void> {
  const id = Number(event.request.owner_ref);
  const c = await db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c || c.status !== 'awaiting_approval' || c.approval_id !== event.request.id) return;
  if (event.action === 'approved') {
    const later = c.scheduled_at && c.scheduled_at > nowIso();
    if (later) await db.updateTable('mailing_campaigns').set({ status: 'scheduled', updated_at: nowIso(), version: c.version + 1 }).where('id', '=', id).execute();
    else {
      await db.updateTable('mailing_campaigns').set({ version: c.version + 1 }).where('id', '=', id).execute();
      await startSending(db, id);
    }
  } else if (event.action === 'refused' || event.action === 'withdrawn' || event.action === 'cancelled' || event.action === 'changesRequested') {
    await db.updateTable('mailing_campaigns').set({ status: 'draft', approval_id: null, updated_at: nowIso(), version: c.version + 1 }).where('id', '=', id).execute();
  }
  await record(db, event.actor, { entity: 'mailing_campaign', entityId: id, action: `approval_${event.action}`, changes: { approval: event.request.id } });
}

const TRANSITIONS: Record<'pause' | 'resume' | 'cancel' | 'unschedule', { from: CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['sending'], to: 'paused' },
  resume: { from: ['paused'], to: 'sending' },
  cancel: { from: ['paused', 'scheduled', 'awaiting_approval', 'sending'], to: 'cancelled' },
  unschedule: { from: ['scheduled'], to: 'draft' },
};

export async function transition(db: MailingDb, actor: Actor, id: number, version: number, action: keyof typeof TRANSITIONS): Promise<void> {
  assertCanSend(actor);
  const c = await getCampaign(db, id);
  const t = TRANSITIONS[action];
  if (!t.from.includes(c.status)) throw conflict('mailing.wrong_state');
  const res = await db.updateTable('mailing_campaigns').set({ status: t.to, updated_at: nowIso(), version: c.version + 1 }).where('id', '=', id).where('version', '=', version).where('status', '=', c.status).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw conflict('common.conflict');
  await record(db, actor, { entity: 'mailing_campaign', entityId: id, action, changes: { status: [c.status, t.to] } });
  if (action === 'resume') await enqueue(db, 'mailing.send', { campaignId: id }, { maxAttempts: 3 });
}

/** The failed recipients are queued again (attempts reset); a finished campaign goes back to sending. */
export async function retryFailures(db: MailingDb, actor: Actor, id: number): Promise<number> {
  assertCanSend(actor);
  const c = await getCampaign(db, id);
  if (!['finished', 'sending', 'paused'].includes(c.status)) throw conflict('mailing.wrong_state');
  const res = await db.updateTable('mailing_recipients').set({ status: 'queued', attempts: 0, next_attempt_at: nowIso(), error: null }).where('campaign_id', '=', id).where('status', '=', 'failed').executeTakeFirst();
  const n = Number(res.numUpdatedRows);
  if (n === 0) throw new AppError('conflict', 'mailing.nothing_to_retry');
  if (c.status === 'finished') await db.updateTable('mailing_campaigns').set({ status: 'sending', finished_at: null, updated_at: nowIso(), version: c.version + 1 }).where('id', '=', id).execute();
  await record(db, actor, { entity: 'mailing_campaign', entityId: id, action: 'retry_failures', changes: { recipients: n } });
  if (c.status !== 'paused') await enqueue(db, 'mailing.send', { campaignId: id }, { maxAttempts: 3 });
  return n;
}

/**
 * Sends again, by hand, one recipient whose 'sent' was presumed at a crash recovery (ADR 0012: the
 * dead run's journal says its final dot may have left, so it was not resent automatically). Same
 * Message-ID as before: a mail store that de-duplicates shows one message if the first did arrive.
 */
export async function resendPresumed(db: MailingDb, actor: Actor, id: number, recipientId: number): Promise<void> {
  assertCanSend(actor);
  const c = await getCampaign(db, id);
  if (!['finished', 'sending', 'paused'].includes(c.status)) throw conflict('mailing.wrong_state');
  const res = await db.updateTable('mailing_recipients').set({ status: 'queued', presumed: 0, attempts: 0, sent_at: null, next_attempt_at: nowIso(), error: null }).where('id', '=', recipientId).where('campaign_id', '=', id).where('status', '=', 'sent').where('presumed', '=', 1).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw notFound('mailing.presumed_not_found');
  await db
    .updateTable('mailing_campaigns')
    .set((eb) => ({ presumed_sent: eb('presumed_sent', '-', 1), updated_at: nowIso(), ...(c.status === 'finished' ? { status: 'sending' as const, finished_at: null, version: c.version + 1 } : {}) }))
    .where('id', '=', id)
    .execute();
  await record(db, actor, { entity: 'mailing_campaign', entityId: id, action: 'resend_presumed', changes: { recipient: recipientId } });
  if (c.status !== 'paused') await enqueue(db, 'mailing.send', { campaignId: id }, { maxAttempts: 3 });
}

/** The schedule: scheduled campaigns whose time has come start; a sending campaign whose sender died (lease expired) is taken over. */
export async function tick(db: MailingDb, leaseSeconds: number): Promise<number> {
  const now = nowIso();
  let n = 0;
  for (const c of await db.selectFrom('mailing_campaigns').select('id').where('status', '=', 'scheduled').where('scheduled_at', '<=', now).execute()) {
    const res = await db.updateTable('mailing_campaigns').set({ status: 'sending', updated_at: now }).where('id', '=', c.id).where('status', '=', 'scheduled').executeTakeFirst();
    if (Number(res.numUpdatedRows)) {
      await startSending(db, c.id);
      n++;
    }
  }
  const slot = Math.floor(Date.now() / 1000 / Math.max(leaseSeconds, 1));
  for (const c of await db.selectFrom('mailing_campaigns').select('id').where('status', '=', 'sending').where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)])).execute()) {
    if (await enqueue(db, 'mailing.send', { campaignId: c.id }, { uniqueKey: `mailing.send:${c.id}@${slot}`, maxAttempts: 3 })) n++;
  }
  return n;
}

// ————— statistics, failures, archive —————

export interface CampaignStats {
  counts: Record<string, number>;
  opens: number | null;
  clicks: { url: string; clicks: number }[] | null;
  unsubscribes: number;
  bounces: { hard: number; soft: number; complaint: number };
}

export async function campaignStats(db: MailingDb, c: Campaign): Promise<CampaignStats> {
  const bounces = await db.selectFrom('mailing_bounces').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).where('campaign_id', '=', c.id).groupBy('kind').execute();
  const b = { hard: 0, soft: 0, complaint: 0 };
  for (const r of bounces) b[r.kind] = Number(r.n);
  const links = c.tracking ? await db.selectFrom('mailing_links').select(['url', 'clicks']).where('campaign_id', '=', c.id).orderBy('idx').execute() : null;
  return { counts: await statusCounts(db, c.id), opens: c.tracking ? c.opens : null, clicks: links, unsubscribes: c.unsubscribes, bounces: b };
}

export async function failures(db: MailingDb, campaignId: number, limit = 200) {
  return db.selectFrom('mailing_recipients').select(['id', 'email', 'status', 'attempts', 'error']).where('campaign_id', '=', campaignId).where('status', 'in', ['failed', 'bounced']).orderBy('id').limit(limit).execute();
}

/** Recipients marked sent at a crash recovery without a recorded acceptance (ADR 0012), for the operator to check or resend. */
export async function presumedSent(db: MailingDb, campaignId: number, limit = 200) {
  return db.selectFrom('mailing_recipients').select(['id', 'email', 'sent_at']).where('campaign_id', '=', campaignId).where('status', '=', 'sent').where('presumed', '=', 1).orderBy('id').limit(limit).execute();
}

/** Finished campaigns of public subscription lists: the public archive. */
export async function archive(db: MailingDb) {
  return db
    .selectFrom('mailing_campaigns as c')
    .innerJoin('mailing_lists as l', 'l.id', 'c.list_id')
    .select(['c.id', 'c.name', 'c.subject', 'c.finished_at', 'l.name as list_name'])
    .where('c.status', '=', 'finished')
    .where('c.archived_public', '=', 1)
    .where('l.public', '=', 1)
    .orderBy('c.finished_at', 'desc')
    .limit(100)
    .execute();
}

export async function archivedCampaign(db: MailingDb, id: number): Promise<Campaign> {
  const c = await db.selectFrom('mailing_campaigns as c').innerJoin('mailing_lists as l', 'l.id', 'c.list_id').selectAll('c').where('c.id', '=', id).where('c.status', '=', 'finished').where('c.archived_public', '=', 1).where('l.public', '=', 1).executeTakeFirst();
  if (!c) throw notFound('mailing.campaign_not_found');
  return c;
}

/** A counted click: +1 on the campaign's link (aggregated, nobody's click is kept), and its URL — read from the campaign, never from the request. */
export async function countClick(db: MailingDb, campaignId: number, idx: number): Promise<string | null> {
  const c = await db.selectFrom('mailing_campaigns').select(['subject', 'body', 'tracking']).where('id', '=', campaignId).executeTakeFirst();
  if (!c) return null;
  const url = new CompiledTemplate(c.subject, c.body).links[idx];
  if (!url) return null;
  if (c.tracking) {
    await db.insertInto('mailing_links').values({ campaign_id: campaignId, idx, url, clicks: 1 }).onConflict((oc) => oc.columns(['campaign_id', 'idx']).doUpdateSet((eb) => ({ clicks: eb('mailing_links.clicks', '+', 1) }))).execute();
  }
  return url;
}

export async function countOpen(db: MailingDb, campaignId: number): Promise<void> {
  const c = await db.selectFrom('mailing_campaigns').select(['opens', 'tracking']).where('id', '=', campaignId).executeTakeFirst();
  if (c?.tracking) await db.updateTable('mailing_campaigns').set((eb) => ({ opens: eb('opens', '+', 1) })).where('id', '=', campaignId).execute();
}

// ————— the CCI's tracking choice (off by default) —————

const TRACKING_KEY = 'mailing.tracking';

export async function trackingEnabled(db: MailingDb): Promise<boolean> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', TRACKING_KEY).executeTakeFirst();
  return row ? JSON.parse(row.value) === true : false;
}

export async function setTracking(db: MailingDb, actor: Actor, on: boolean): Promise<void> {
  assertCanAdmin(actor);
  const before = await trackingEnabled(db);
  if (before === on) return;
  const now = nowIso();
  await db.insertInto('settings').values({ key: TRACKING_KEY, value: JSON.stringify(on), updated_at: now }).onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(on), updated_at: now })).execute();
  await record(db, actor, { entity: 'setting', entityId: TRACKING_KEY, action: 'update', before: { value: before }, after: { value: on } });
}
