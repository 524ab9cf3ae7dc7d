// Staff handlers of the mailing module (/mailing/…), listed with their access in mailing.routes.ts.
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, notFound, type FieldErrors } from '../../platform/errors.js';
import { idParam, int, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { listSegments } from '../registry/index.js';
import type { MergeValues } from './blocks.js';
import * as campaigns from './campaigns.service.js';
import { createLetterBatch, letterFile, listLetterBatches } from './letters.service.js';
import * as lists from './lists.service.js';
import { readMailingConfig } from './mailing.config.js';
import type { MailingDb } from './mailing.table.js';
import { maySendMailing, mayWriteMailing } from './policy.js';
import type { SendDeps } from './send.service.js';
import { CampaignPage, CampaignsPage, LettersPage, ListPage, ListsPage, PreviewPage, SettingsPage, TemplatePage, TemplatesPage, type ContentValues, type ListValues } from './views/staff.js';

type Ctx = ModuleContext<MailingDb>;

export async function sendDeps(ctx: Pick<Ctx, 'config' | 'settings'>): Promise<SendDeps> {
  return { smtpUrl: ctx.config.smtpUrl, mailFrom: ctx.config.mailFrom, publicUrl: ctx.config.publicUrl, secret: ctx.config.sessionSecret, cfg: readMailingConfig(), cciName: await ctx.settings.get('cci.name'), journalDir: path.join(ctx.config.dataDir, 'mailing', 'journal') };
}

/**
 * Like onInvalid, with the detail of a refused template in the message ("unknown merge field
 * « contact.prenom »"): field errors are translated here with the error's parameters.
 */
export async function withForm(req: FastifyRequest, reply: FastifyReply, action: () => Promise<unknown>, form: (errors: FieldErrors) => unknown): Promise<unknown> {
  return onInvalid(reply, action, async (errors) => {
    const params = (lastError.get(req) ?? {}) as Record<string, string | number>;
    const translated: FieldErrors = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, Object.keys(params).length ? req.t(v, params) : v]));
    return (await form(translated)) as never;
  });
}
const lastError = new WeakMap<FastifyRequest, Record<string, unknown>>();
/** Runs a service and keeps its error's parameters for withForm. */
async function keep<T>(req: FastifyRequest, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isAppError(e)) lastError.set(req, e.params);
    throw e;
  }
}

const contentOf = (req: FastifyRequest): ContentValues => ({ name: str(req.body, 'name', 200), subject: raw(req.body, 'subject', 300), body: str(req.body, 'body', 100_000), list_id: str(req.body, 'list_id', 12) });
/** The subject as typed, line breaks included (str() would trim them away; the service refuses them). */
function raw(body: unknown, name: string, max: number): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.slice(0, max) : '';
}
const campaignInput = (v: ContentValues) => ({ name: v.name ?? '', subject: v.subject ?? '', body: v.body ?? '', list_id: idParam(v.list_id) });
const segmentsOf = async (db: MailingDb) => (await listSegments(db)).map((s) => ({ id: s.id, name: s.name }));

// ————— campaigns —————

async function campaignsPage(req: FastifyRequest, db: MailingDb, values?: ContentValues, errors?: FieldErrors) {
  const [all, ls, ts] = await Promise.all([campaigns.listCampaigns(db), lists.listLists(db), campaigns.listTemplates(db)]);
  return <CampaignsPage ctx={req.view()} campaigns={all} lists={ls} templates={ts} values={values} errors={errors} canWrite={mayWriteMailing(req.actor)} />;
}

export async function handleCampaigns(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await campaignsPage(req, db));
}

export async function handleCreateCampaign(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = contentOf(req);
  return withForm(
    req,
    reply,
    async () => {
      const c = await keep(req, () => db.transaction().execute((trx) => campaigns.createCampaign(trx, req.actor, campaignInput(values))));
      reply.flash('success', 'mailing.campaign.created');
      return reply.redirect(`/mailing/campagnes/${c.id}`);
    },
    (errors) => campaignsPage(req, db, values, errors),
  );
}

async function campaignPage(req: FastifyRequest, ctx: Ctx, id: number, values?: ContentValues, errors?: FieldErrors, form?: string) {
  const { db } = ctx;
  const campaign = await campaigns.getCampaign(db, id);
  const list = await lists.getList(db, campaign.list_id);
  const cfg = readMailingConfig();
  const [stats, failures, presumed, ls] = await Promise.all([campaigns.campaignStats(db, campaign), campaigns.failures(db, id), campaign.presumed_sent ? campaigns.presumedSent(db, id) : [], lists.listLists(db)]);
  const audience = campaign.status === 'draft' ? await lists.countAudience(ctx.reads, list) : null;
  return <CampaignPage ctx={req.view()} data={{ campaign, list, lists: ls, stats, failures, presumed, audience, approvalAbove: cfg.approvalAbove, canWrite: mayWriteMailing(req.actor), canSend: maySendMailing(req.actor) }} values={values} errors={errors} form={form} />;
}

export async function handleCampaign(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return reply.render(await campaignPage(req, ctx, requireId(req, 'campaign', 'mailing.campaign_not_found')));
}

export async function handleUpdateCampaign(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'campaign', 'mailing.campaign_not_found');
  const values = contentOf(req);
  return withForm(
    req,
    reply,
    async () => {
      await keep(req, () => ctx.db.transaction().execute((trx) => campaigns.updateCampaign(trx, req.actor, id, int(req.body, 'version') ?? -1, campaignInput(values))));
      reply.flash('success', 'mailing.campaign.saved');
      return reply.redirect(`/mailing/campagnes/${id}`);
    },
    (errors) => campaignPage(req, ctx, id, values, errors, 'edit'),
  );
}

/** Who the preview is for: one of the first recipients of the list (by position), or the fallbacks. */
async function previewOf(req: FastifyRequest, ctx: Ctx, id: number) {
  const campaign = await campaigns.getCampaign(ctx.db, id);
  const recipients = await campaigns.sampleRecipients(ctx.reads, campaign);
  const who = Math.max(0, Math.min(Number(str(req.query, 'qui', 4)) || 0, recipients.length - 1));
  const chosen: { email: string; fields: MergeValues } | undefined = recipients[who];
  const msg = await campaigns.previewFor(ctx.db, await sendDeps(ctx), campaign, chosen);
  return { campaign, recipients, who: String(who), msg };
}

export async function handlePreview(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { campaign, recipients, who, msg } = await previewOf(req, ctx, requireId(req, 'campaign', 'mailing.campaign_not_found'));
  return reply.render(<PreviewPage ctx={req.view()} campaign={campaign} recipients={recipients} who={who} subject={msg.subject} text={msg.text} />);
}

/** The HTML part alone, framed by the preview page: its own policy (inline styles of e-mail HTML, no script, no form, framed by our pages only). */
export async function handlePreviewHtml(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { msg } = await previewOf(req, ctx, requireId(req, 'campaign', 'mailing.campaign_not_found'));
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'; sandbox")
    .header('x-frame-options', 'SAMEORIGIN')
    .header('cache-control', 'private, no-store')
    .send(msg.html);
}

export async function handleTestSend(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'campaign', 'mailing.campaign_not_found');
  const to = raw(req.body, 'test_to', 300);
  return withForm(
    req,
    reply,
    async () => {
      const deps = await sendDeps(ctx);
      await keep(req, () => ctx.db.transaction().execute((trx) => campaigns.sendTest(trx, req.actor, deps, id, to)));
      reply.flash('success', 'mailing.test.sent');
      return reply.redirect(`/mailing/campagnes/${id}#test`);
    },
    (errors) => campaignPage(req, ctx, id, undefined, errors, 'test'),
  );
}

export async function handleSend(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'campaign', 'mailing.campaign_not_found');
  const at = str(req.body, 'scheduled_at', 30);
  return withForm(
    req,
    reply,
    async () => {
      const res = await keep(req, () => ctx.db.transaction().execute((trx) => campaigns.requestSend(trx, req.actor, readMailingConfig(), id, int(req.body, 'version') ?? -1, at ? localToIso(at) : null)));
      reply.flash('success', res.status === 'awaiting_approval' ? 'mailing.send.awaiting_approval' : res.status === 'scheduled' ? 'mailing.send.scheduled' : 'mailing.send.started');
      return reply.redirect(`/mailing/campagnes/${id}`);
    },
    (errors) => campaignPage(req, ctx, id, undefined, errors, 'send'),
  );
}

/** A datetime-local value is Paris time; stored as UTC. */
function localToIso(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v)) return 'invalid';
  const guess = new Date(`${v}Z`);
  const paris = new Date(guess.toLocaleString('en-US', { timeZone: 'Europe/Paris' }));
  const utc = new Date(guess.toLocaleString('en-US', { timeZone: 'UTC' }));
  return new Date(guess.getTime() - (paris.getTime() - utc.getTime())).toISOString();
}

export async function handleCampaignAction(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'campaign', 'mailing.campaign_not_found');
  const action = str(req.body, 'action', 20);
  if (action !== 'pause' && action !== 'resume' && action !== 'cancel' && action !== 'unschedule') return reply.render(await campaignPage(req, ctx, id, undefined, { action: 'field.invalid' }, 'action'), 422);
  await ctx.db.transaction().execute((trx) => campaigns.transition(trx, req.actor, id, int(req.body, 'version') ?? -1, action));
  reply.flash('success', 'mailing.action.done');
  return reply.redirect(`/mailing/campagnes/${id}`);
}

export async function handleRetry(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'campaign', 'mailing.campaign_not_found');
  const n = await ctx.db.transaction().execute((trx) => campaigns.retryFailures(trx, req.actor, id));
  reply.flash('success', 'mailing.retried', { n });
  return reply.redirect(`/mailing/campagnes/${id}`);
}

export async function handleResendPresumed(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'campaign', 'mailing.campaign_not_found');
  const recipient = idParam(str(req.body, 'recipient', 12));
  if (recipient === undefined) throw notFound('mailing.presumed_not_found');
  await ctx.db.transaction().execute((trx) => campaigns.resendPresumed(trx, req.actor, id, recipient));
  reply.flash('success', 'mailing.resent_presumed');
  return reply.redirect(`/mailing/campagnes/${id}`);
}

// ————— lists —————

const listValuesOf = (req: FastifyRequest): ListValues => ({ name: str(req.body, 'name', 200), description: str(req.body, 'description', 2000), kind: str(req.body, 'kind', 20), segment_id: str(req.body, 'segment_id', 12), public: list(req.body, 'public').includes('1'), wording: str(req.body, 'wording', 2000), archived: list(req.body, 'archived').includes('1') });
const listInput = (v: ListValues) => ({ name: v.name ?? '', description: v.description ?? '', kind: v.kind ?? '', segment_id: idParam(v.segment_id), public: Boolean(v.public), wording: v.wording ?? '' });

async function listsPage(req: FastifyRequest, db: MailingDb, values?: ListValues, errors?: FieldErrors) {
  return <ListsPage ctx={req.view()} lists={await lists.listLists(db)} segments={await segmentsOf(db)} values={values} errors={errors} canWrite={mayWriteMailing(req.actor)} />;
}

export async function handleLists(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await listsPage(req, db));
}

export async function handleCreateList(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = listValuesOf(req);
  return onInvalid(
    reply,
    async () => {
      const l = await db.transaction().execute((trx) => lists.createList(trx, req.actor, listInput(values)));
      reply.flash('success', 'mailing.list.created');
      return reply.redirect(`/mailing/listes/${l.id}`);
    },
    (errors) => listsPage(req, db, values, errors),
  );
}

async function listPage(req: FastifyRequest, ctx: Ctx, id: number, values?: ListValues, errors?: FieldErrors, form?: string) {
  const l = await lists.getList(ctx.db, id);
  const [subscribers, audience, segments] = await Promise.all([lists.listSubscribers(ctx.db, id), lists.countAudience(ctx.reads, l), segmentsOf(ctx.db)]);
  return <ListPage ctx={req.view()} list={l} subscribers={subscribers} audience={audience} segments={segments} values={values} errors={errors} form={form} canWrite={mayWriteMailing(req.actor)} />;
}

export async function handleList(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return reply.render(await listPage(req, ctx, requireId(req, 'list', 'mailing.list_not_found')));
}

export async function handleUpdateList(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'list', 'mailing.list_not_found');
  const values = listValuesOf(req);
  return onInvalid(
    reply,
    async () => {
      await ctx.db.transaction().execute((trx) => lists.updateList(trx, req.actor, id, int(req.body, 'version') ?? -1, { ...listInput(values), archived: Boolean(values.archived) }));
      reply.flash('success', 'mailing.list.saved');
      return reply.redirect(`/mailing/listes/${id}`);
    },
    (errors) => listPage(req, ctx, id, values, errors, 'edit'),
    { conflict: true },
  );
}

/** Staff subscribe an address: it still gets the confirmation mail (double opt-in). */
export async function handleAddSubscriber(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = requireId(req, 'list', 'mailing.list_not_found');
  return onInvalid(
    reply,
    async () => {
      await lists.getList(ctx.db, id);
      await ctx.db.transaction().execute((trx) => lists.requestSubscription(trx, ctx.mailer, { secret: ctx.config.sessionSecret, publicUrl: ctx.config.publicUrl }, { listId: id, email: raw(req.body, 'email', 300), firstName: '', lastName: '', source: 'staff', lang: req.locale }, req.actor));
      reply.flash('success', 'mailing.subscribe.sent');
      return reply.redirect(`/mailing/listes/${id}`);
    },
    (errors) => listPage(req, ctx, id, undefined, errors, 'subscriber'),
  );
}

// ————— templates —————

export async function handleTemplates(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<TemplatesPage ctx={req.view()} templates={await campaigns.listTemplates(db)} />);
}

export async function handleCreateTemplate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = contentOf(req);
  return withForm(
    req,
    reply,
    async () => {
      const x = await keep(req, () => db.transaction().execute((trx) => campaigns.saveTemplate(trx, req.actor, null, null, { name: values.name ?? '', subject: values.subject ?? '', body: values.body ?? '' })));
      reply.flash('success', 'mailing.template.saved');
      return reply.redirect(`/mailing/modeles/${x.id}`);
    },
    async (errors) => <TemplatesPage ctx={req.view()} templates={await campaigns.listTemplates(db)} values={values} errors={errors} />,
  );
}

export async function handleTemplate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const x = await campaigns.getTemplate(db, requireId(req, 'template', 'mailing.template_not_found'));
  return reply.render(<TemplatePage ctx={req.view()} template={x} lists={await lists.listLists(db)} />);
}

export async function handleUpdateTemplate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'template', 'mailing.template_not_found');
  const values = contentOf(req);
  return withForm(
    req,
    reply,
    async () => {
      await keep(req, () => db.transaction().execute((trx) => campaigns.saveTemplate(trx, req.actor, id, int(req.body, 'version') ?? -1, { name: values.name ?? '', subject: values.subject ?? '', body: values.body ?? '' })));
      reply.flash('success', 'mailing.template.saved');
      return reply.redirect(`/mailing/modeles/${id}`);
    },
    async (errors) => <TemplatePage ctx={req.view()} template={await campaigns.getTemplate(db, id)} lists={await lists.listLists(db)} values={values} errors={errors} />,
  );
}

// ————— letters —————

async function lettersPage(req: FastifyRequest, db: MailingDb, values?: { name?: string; template_id?: string; segment_id?: string }, errors?: FieldErrors) {
  return <LettersPage ctx={req.view()} batches={await listLetterBatches(db)} templates={await campaigns.listTemplates(db)} segments={await segmentsOf(db)} values={values} errors={errors} />;
}

export async function handleLetters(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await lettersPage(req, db));
}

export async function handleCreateLetters(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const values = { name: str(req.body, 'name', 200), template_id: str(req.body, 'template_id', 12), segment_id: str(req.body, 'segment_id', 12) };
  return withForm(
    req,
    reply,
    async () => {
      const cci = await ctx.settings.get('cci.name');
      const b = await keep(req, () => ctx.db.transaction().execute((trx) => createLetterBatch(trx, req.actor, ctx.config.dataDir, cci, { name: values.name, template_id: idParam(values.template_id), segment_id: idParam(values.segment_id) })));
      reply.flash('success', 'mailing.letters.created', { n: b.letters });
      return reply.redirect('/mailing/courriers');
    },
    (errors) => lettersPage(req, ctx.db, values, errors),
  );
}

export async function handleLetterPdf(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const f = await letterFile(ctx.db, ctx.config.dataDir, requireId(req, 'batch', 'mailing.letters_not_found'));
  return reply.type('application/pdf').header('content-disposition', `attachment; filename="${f.name}"`).header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-store').send(f.bytes);
}

// ————— settings —————

export async function handleSettings(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<SettingsPage ctx={req.view()} tracking={await campaigns.trackingEnabled(db)} suppressions={await lists.listSuppressions(db)} />);
}

export async function handleSaveSettings(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  await db.transaction().execute((trx) => campaigns.setTracking(trx, req.actor, list(req.body, 'tracking').includes('1')));
  reply.flash('success', 'mailing.tracking.saved');
  return reply.redirect('/mailing/reglages');
}

