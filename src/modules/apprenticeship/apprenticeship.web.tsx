// Handlers of the apprenticeship-tax pages, listed with their access in apprenticeship.routes.ts:
// members under /extranet/taxe-apprentissage (member:use, their current company only), staff
// under /taxe-apprentissage (apprenticeship:follow / :manage; a school's results also to its
// director's grant), and the public unsubscription page.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { isExportFormat, keysetPages, sendExport, fromArray, type ExportColumn } from '../../platform/export.js';
import { int, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { memberPage as extranetPage } from '../extranet/index.js';
import { findSegment } from '../registry/index.js';
import type { ApprenticeshipDb, Campaign } from './apprenticeship.table.js';
import * as board from './board.service.js';
import * as camp from './campaign.service.js';
import * as member from './member.service.js';
import { summaryPdf } from './pdf.js';
import { mayManageCampaign, memberCompany } from './policy.js';
import { loadRateSets } from './quote.service.js';
import { unsubscribe, unsubscribeTarget } from './reminders.service.js';
import * as targets from './targets.service.js';
import { BoardPage, CampaignPage, MemberTaxBody, NoCampaignPage, ResultsPage, SchoolPage, SettingsPage, TargetsPage, UnsubscribePage, type CampaignFormValues, type DeclarationValues, type SchoolFormValues } from './views/pages.js';

type Ctx = ModuleContext<ApprenticeshipDb>;

/** The campaign of `?annee=` (404 if none), else the current one (undefined if there is none at all). */
async function campaignOf(req: FastifyRequest, db: ApprenticeshipDb): Promise<Campaign | undefined> {
  const y = str(req.query, 'annee', 4);
  if (y) {
    const c = /^\d{4}$/.test(y) ? await camp.campaignOfYear(db, Number(y)) : undefined;
    if (!c) throw new AppError('not_found', 'apprenticeship.campaign_not_found');
    return c;
  }
  return camp.currentCampaign(db);
}

// ——— member ———

type MemberExtra = Partial<Pick<Parameters<typeof MemberTaxBody>[0], 'values' | 'errors' | 'csvErrors' | 'pledgeErrors' | 'pledgeValues' | 'confirmErrors'>>;

/** The member's page, in the extranet's shell (company switcher, member navigation). */
async function memberPage(req: FastifyRequest, db: ApprenticeshipDb, extra: MemberExtra = {}) {
  const companyId = memberCompany(req.actor);
  const campaign = await campaignOf(req, db);
  const state = campaign ? await member.memberState(db, companyId, campaign) : undefined;
  const title = state ? req.t('apprenticeship.member.title_year', { year: state.campaign.year }) : req.t('apprenticeship.member.title');
  return extranetPage(req, db, title, (ctx) =>
    state ? (
      <MemberTaxBody ctx={ctx} state={state} phase={member.phaseOf(state.windows)} canPledge={member.mayPledge(state.windows)} canConfirm={member.mayConfirm(state.windows)} {...extra} />
    ) : (
      <MemberTaxBody ctx={ctx} canPledge={false} canConfirm={false} />
    ),
  );
}

async function requireCampaign(req: FastifyRequest, db: ApprenticeshipDb): Promise<Campaign> {
  const c = await campaignOf(req, db);
  if (!c) throw new AppError('not_found', 'apprenticeship.campaign_not_found');
  return c;
}

export async function handleMemberPage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await memberPage(req, db));
}

const memberActor = (req: FastifyRequest) => ({ ...req.actor, label: req.user ? `membre:${req.user.email}` : req.actor.label });

export async function handleSaveDeclaration(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const companyId = memberCompany(req.actor);
  const values: DeclarationValues = { payroll: str(req.body, 'payroll', 30), employees: str(req.body, 'employees', 20), workStudyEmployees: str(req.body, 'workStudyEmployees', 20) };
  const campaign = await requireCampaign(req, db);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => member.saveDeclaration(trx, memberActor(req), companyId, campaign, values, 'form'));
      reply.flash('success', 'apprenticeship.declaration_saved');
      return reply.redirect('/extranet/taxe-apprentissage#appr-amounts');
    },
    (errors) => memberPage(req, db, { values, errors }),
  );
}

async function readCsv(req: FastifyRequest): Promise<string> {
  if (!req.isMultipart()) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
  let text: string | undefined;
  for await (const part of req.parts({ limits: { fileSize: 200_000, files: 1, fields: 5 } })) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.file.truncated) throw new AppError('invalid', 'common.invalid', { file: 'apprenticeship.csv_too_big' });
      if (part.fieldname === 'file' && part.filename) text = bytes.toString('utf8');
    }
  }
  if (text === undefined) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
  return text;
}

export async function handleImportCsv(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const companyId = memberCompany(req.actor);
  const campaign = await requireCampaign(req, db);
  return onInvalid(
    reply,
    async () => {
      const values = member.parseDsnCsv(await readCsv(req));
      try {
        await db.transaction().execute((trx) => member.saveDeclaration(trx, memberActor(req), companyId, campaign, values, 'csv'));
      } catch (e) {
        // A value the rules refuse (more work-study staff than employees…) is the file's fault.
        if (e instanceof AppError && e.kind === 'invalid') throw new AppError('invalid', 'common.invalid', { file: Object.values(e.fields)[0] ?? 'apprenticeship.csv_value' });
        throw e;
      }
      reply.flash('success', 'apprenticeship.declaration_imported');
      return reply.redirect('/extranet/taxe-apprentissage#appr-amounts');
    },
    (errors) => memberPage(req, db, { csvErrors: errors }),
  );
}

/** `share_<schoolId>` (or `confirm_<schoolId>`) fields → { schoolId: raw }. */
function sharesOf(body: unknown, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys((body ?? {}) as object)) {
    const m = new RegExp(`^${prefix}_(\\d{1,9})$`).exec(key);
    if (m) out[m[1]] = str(body, key, 10);
  }
  return out;
}

export async function handleSavePledges(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const companyId = memberCompany(req.actor);
  const campaign = await requireCampaign(req, db);
  const shares = sharesOf(req.body, 'share');
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => member.savePledges(trx, memberActor(req), companyId, campaign, shares));
      reply.flash('success', 'apprenticeship.pledge_saved');
      return reply.redirect('/extranet/taxe-apprentissage#appr-pledge');
    },
    (errors) => memberPage(req, db, { pledgeErrors: errors, pledgeValues: shares }),
  );
}

export async function handleConfirm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const companyId = memberCompany(req.actor);
  const campaign = await requireCampaign(req, db);
  const shares = sharesOf(req.body, 'confirm');
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => member.confirmAllocation(trx, memberActor(req), companyId, campaign, shares));
      reply.flash('success', 'apprenticeship.confirm_saved');
      return reply.redirect('/extranet/taxe-apprentissage#appr-confirm');
    },
    (errors) => memberPage(req, db, { confirmErrors: errors }),
  );
}

export async function handleSummaryPdf(req: FastifyRequest, reply: FastifyReply, { db, settings }: Ctx) {
  const companyId = memberCompany(req.actor);
  const campaign = await requireCampaign(req, db);
  const state = await member.memberState(db, companyId, campaign);
  const pdf = await summaryPdf(state, req.t, req.locale === 'en' ? 'en' : 'fr', await settings.get('cci.name'));
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="taxe-apprentissage-${campaign.year}.pdf"`)
    .header('cache-control', 'private, no-store')
    .send(pdf);
}

// ——— staff: board, targets, export ———

export async function handleBoard(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const campaign = await campaignOf(req, db);
  if (!campaign) return reply.render(<NoCampaignPage ctx={req.view()} canManage={mayManageCampaign(req.actor)} />);
  const b = await board.board(reads, req.actor, campaign);
  return reply.render(<BoardPage ctx={req.view()} board={b} campaigns={await camp.listCampaigns(db)} canManage={mayManageCampaign(req.actor)} />);
}

export async function handleTargets(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const campaign = await requireCampaign(req, db);
  const contacted = str(req.query, 'contacte', 3);
  const q = str(req.query, 'q', 100);
  const mine = str(req.query, 'miens', 1) === '1';
  const page = Math.min(Math.max(1, int(req.query, 'page') ?? 1), 2000);
  const filter = { contacted: contacted === 'yes' || contacted === 'no' ? contacted : undefined, q: q || undefined, adviserId: mine ? (req.actor.id ?? 0) : undefined } as const;
  const { rows, total } = await targets.listTargets(reads, campaign.id, filter, page);
  return reply.render(<TargetsPage ctx={req.view()} campaign={campaign} rows={rows} total={total} page={page} query={req.query as Record<string, string>} filter={{ contacted, q, mine }} />);
}

function back(req: FastifyRequest, fallback: string): string {
  const ref = req.headers.referer;
  try {
    if (ref) {
      const u = new URL(ref);
      if (u.pathname.startsWith('/taxe-apprentissage')) return u.pathname + u.search;
    }
  } catch {
    /* a malformed Referer: the fallback */
  }
  return fallback;
}

export async function handleMarkContacted(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'apprenticeship.target_not_found');
  await db.transaction().execute((trx) => targets.markContacted(trx, req.actor, id, str(req.body, 'note', 1000)));
  reply.flash('success', 'apprenticeship.contact_saved');
  return reply.redirect(back(req, '/taxe-apprentissage/cibles'));
}

export async function handleTakeTarget(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'apprenticeship.target_not_found');
  await db.transaction().execute((trx) => targets.assignAdviser(trx, req.actor, id, req.actor.id));
  reply.flash('success', 'apprenticeship.adviser_saved');
  return reply.redirect(back(req, '/taxe-apprentissage/cibles'));
}

const cents = (v: number | null) => (v === null ? null : Math.round(v / 100));
const EXPORT_COLUMNS: ExportColumn<board.ExportRow>[] = [
  { header: 'entreprise_id', value: (r) => r.companyId },
  { header: 'entreprise', value: (r) => r.name },
  { header: 'conseiller', value: (r) => r.adviser },
  { header: 'secteur_naf', value: (r) => r.sector },
  { header: 'departement', value: (r) => r.department },
  { header: 'contacte_le', value: (r) => r.contactedAt },
  { header: 'masse_salariale_eur', value: (r) => cents(r.payrollCents) },
  { header: 'solde_eur', value: (r) => cents(r.soldeCents) },
  { header: 'promesse_pct', value: (r) => r.pledgedBp / 100 },
  { header: 'promesse_eur', value: (r) => cents(r.pledgedCents) },
  { header: 'confirme_eur', value: (r) => cents(r.confirmedCents) },
  { header: 'confirme_le', value: (r) => r.confirmedAt },
];

export async function handleExport(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const campaign = await requireCampaign(req, db);
  const format = str(req.query, 'format', 4) || 'csv';
  if (!isExportFormat(format)) throw new AppError('invalid', 'common.invalid', { format: 'apprenticeship.format_invalid' });
  const actor = req.actor;
  async function* rows() {
    yield* keysetPages((after: number | undefined, limit) => board.exportPage(reads, actor, campaign.id, after, limit), (r) => r.key, 2000);
    yield* fromArray(await board.untargetedDeclarations(reads, actor, campaign.id));
  }
  return sendExport(reply, format, `taxe-apprentissage-${campaign.year}.${format}`, rows(), EXPORT_COLUMNS);
}

// ——— staff: settings ———

function campaignValues(body: unknown): CampaignFormValues {
  return { year: str(body, 'year', 4), title: str(body, 'title', 200), segment: str(body, 'segment', 9), opens1: str(body, 'opens1', 10), closes1: str(body, 'closes1', 10), opens2: str(body, 'opens2', 10), closes2: str(body, 'closes2', 10) };
}
function schoolValues(body: unknown): SchoolFormValues {
  return { name: str(body, 'name', 200), siret: str(body, 'siret', 20), uai: str(body, 'uai', 10), trainings: str(body, 'trainings', 2000), contactName: str(body, 'contactName', 200), contactEmail: str(body, 'contactEmail', 200), contactPhone: str(body, 'contactPhone', 40), active: str(body, 'active', 1) === '1' };
}
const windowsIn = (v: CampaignFormValues) => [
  { opens: v.opens1, closes: v.closes1 },
  { opens: v.opens2, closes: v.closes2 },
];

async function settingsPage(req: FastifyRequest, db: ApprenticeshipDb, extra: Partial<Parameters<typeof SettingsPage>[0]> = {}) {
  const [campaigns, schools, templates, rateSets] = await Promise.all([camp.listCampaigns(db), camp.listSchools(db), camp.listTemplates(db), loadRateSets(db)]);
  return <SettingsPage ctx={req.view()} campaigns={campaigns} schools={schools} templates={templates} rateSets={rateSets} {...extra} />;
}

export async function handleSettings(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await settingsPage(req, db));
}

export async function handleCreateCampaign(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = campaignValues(req.body);
  return onInvalid(
    reply,
    async () => {
      const c = await db.transaction().execute((trx) => camp.createCampaign(trx, req.actor, { year: values.year ?? '', title: values.title, segment: values.segment, windows: windowsIn(values) }));
      reply.flash('success', 'apprenticeship.campaign_created');
      return reply.redirect(`/taxe-apprentissage/campagnes/${c.id}`);
    },
    (errors) => settingsPage(req, db, { campaignValues: values, campaignErrors: errors }),
  );
}

async function campaignPage(req: FastifyRequest, db: ApprenticeshipDb, id: number, extra: Partial<Parameters<typeof CampaignPage>[0]> = {}) {
  const c = await camp.getCampaign(db, id);
  const [windows, schools, inCampaign, segment, count] = await Promise.all([
    camp.windowsOf(db, id),
    camp.listSchools(db),
    camp.campaignSchools(db, id),
    c.segment_id === null ? Promise.resolve(undefined) : findSegment(db, c.segment_id),
    targets.listTargets(db, id, {}, 1, 1),
  ]);
  return <CampaignPage ctx={req.view()} campaign={c} windows={windows} schools={schools} inCampaign={inCampaign} segmentName={segment?.name ?? null} targets={count.total} {...extra} />;
}

const campaignId = (req: FastifyRequest) => requireId(req, 'id', 'apprenticeship.campaign_not_found');

export async function handleCampaign(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await campaignPage(req, db, campaignId(req)));
}

export async function handleUpdateCampaign(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = campaignId(req);
  const values = campaignValues(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => camp.updateCampaign(trx, req.actor, id, int(req.body, 'version') ?? 0, { title: values.title, segment: values.segment, windows: windowsIn(values) }));
      reply.flash('success', 'apprenticeship.campaign_saved');
      return reply.redirect(`/taxe-apprentissage/campagnes/${id}`);
    },
    (errors) => campaignPage(req, db, id, { values, errors }),
    { conflict: true },
  );
}

export async function handleSetGoals(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = campaignId(req);
  const goals: Record<string, string> = {};
  for (const key of Object.keys((req.body ?? {}) as object)) {
    const m = /^goal_(\d{1,9})$/.exec(key);
    if (m) goals[m[1]] = str(req.body, key, 15);
  }
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => camp.setGoals(trx, req.actor, id, { schoolIds: list(req.body, 'school'), goals }));
      reply.flash('success', 'apprenticeship.goals_saved');
      return reply.redirect(`/taxe-apprentissage/campagnes/${id}#appr-goals`);
    },
    (errors) => campaignPage(req, db, id, { goalErrors: errors }),
  );
}

export async function handleRefreshTargets(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const id = campaignId(req);
  return onInvalid(
    reply,
    async () => {
      const resolved = await targets.resolveSegment(db, reads, req.actor, id);
      const n = await db.transaction().execute((trx) => targets.applyTargets(trx, req.actor, id, resolved));
      reply.flash('success', 'apprenticeship.targets_refreshed', { count: n });
      return reply.redirect(`/taxe-apprentissage/campagnes/${id}#appr-targets-h`);
    },
    (errors) => campaignPage(req, db, id, { errors }),
  );
}

export async function handleCreateSchool(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = schoolValues(req.body);
  return onInvalid(
    reply,
    async () => {
      const s = await db.transaction().execute((trx) => camp.createSchool(trx, req.actor, values));
      reply.flash('success', 'apprenticeship.school_created');
      return reply.redirect(`/taxe-apprentissage/ecoles/${s.id}`);
    },
    (errors) => settingsPage(req, db, { schoolValues: values, schoolErrors: errors }),
  );
}

const schoolId = (req: FastifyRequest) => requireId(req, 'id', 'apprenticeship.school_not_found');

async function schoolPage(req: FastifyRequest, db: ApprenticeshipDb, id: number, extra: Partial<Parameters<typeof SchoolPage>[0]> = {}) {
  const school = await camp.getSchool(db, id);
  return <SchoolPage ctx={req.view()} school={school} grants={await camp.grantsOfSchool(db, id)} {...extra} />;
}

export async function handleSchool(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await schoolPage(req, db, schoolId(req)));
}

export async function handleUpdateSchool(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = schoolId(req);
  const values = schoolValues(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => camp.updateSchool(trx, req.actor, id, int(req.body, 'version') ?? 0, values));
      reply.flash('success', 'apprenticeship.school_saved');
      return reply.redirect(`/taxe-apprentissage/ecoles/${id}`);
    },
    (errors) => schoolPage(req, db, id, { values, errors }),
    { conflict: true },
  );
}

export async function handleGrant(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = schoolId(req);
  const email = str(req.body, 'email', 200);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => camp.grantSchool(trx, req.actor, id, email));
      reply.flash('success', 'apprenticeship.grant_saved');
      return reply.redirect(`/taxe-apprentissage/ecoles/${id}#appr-grants`);
    },
    (errors) => schoolPage(req, db, id, { grantErrors: errors, grantEmail: email }),
  );
}

export async function handleRevoke(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = schoolId(req);
  const userId = requireId(req, 'userId', 'apprenticeship.grant_not_found');
  await db.transaction().execute((trx) => camp.revokeSchool(trx, req.actor, id, userId));
  reply.flash('success', 'apprenticeship.grant_revoked');
  return reply.redirect(`/taxe-apprentissage/ecoles/${id}#appr-grants`);
}

export async function handleUpdateTemplate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const code = String((req.params as { code?: string }).code ?? '');
  const values = { subject: str(req.body, 'subject', 300), body: str(req.body, 'body', 6000), daysBefore: str(req.body, 'daysBefore', 3) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => camp.updateTemplate(trx, req.actor, code, int(req.body, 'version') ?? 0, values));
      reply.flash('success', 'apprenticeship.template_saved');
      return reply.redirect('/taxe-apprentissage/campagnes#appr-templates');
    },
    (errors: FieldErrors) => settingsPage(req, db, { templateErrors: { code, errors, values } }),
    { conflict: true },
  );
}

// ——— a school's results ———

export async function handleResults(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const id = schoolId(req);
  const grants = await camp.grantedSchools(db, req.actor.id);
  const campaign = await requireCampaign(req, db);
  const r = await board.schoolResults(reads, req.actor, grants, id, campaign);
  return reply.render(<ResultsPage ctx={req.view()} r={r} campaigns={await camp.listCampaigns(db)} />);
}

// ——— public: unsubscribe page (the one-click POST is the API's) ———

function tokenOf(req: FastifyRequest): string {
  const token = String((req.params as { token?: string }).token ?? '');
  if (token.length > 64) throw new AppError('not_found', 'apprenticeship.unsubscribe_unknown');
  return token;
}

export async function handleUnsubscribePage(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const token = tokenOf(req);
  const target = await unsubscribeTarget(db, config.sessionSecret, token);
  return reply.render(<UnsubscribePage ctx={req.view({ shell: 'public' })} token={token} email={target.email} refused={target.refused} />);
}

export async function handleUnsubscribeConfirm(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const token = tokenOf(req);
  await db.transaction().execute((trx) => unsubscribe(trx, config.sessionSecret, token, req.ip));
  const target = await unsubscribeTarget(db, config.sessionSecret, token);
  return reply.render(<UnsubscribePage ctx={req.view({ shell: 'public' })} token={token} email={target.email} refused done />);
}

