// Shared ground of the adversarial suites (test/adversarial-*.test.ts): the route table read from
// the app itself (so a route added tomorrow is probed on arrival), the map from a path parameter
// to the kind of record it names, one fixture with two member companies X and Y and the staff's
// own records, a "nothing written" snapshot, and an offenders list that reports every hole at once.
import { sql } from 'kysely';
import type { App } from '../src/app.js';
import { PERMISSIONS, type Permission } from '../src/platform/access/permissions.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createApiToken, revokeApiToken } from '../src/platform/auth/api-tokens.js';
import type { User } from '../src/platform/auth/users.js';
import * as content from '../src/modules/content/content.service.js';
import { createDeal } from '../src/modules/crm/deal.service.js';
import { listServices as listCrmServices, listStages, listTopics } from '../src/modules/crm/catalogue.service.js';
import { createTask } from '../src/modules/crm/task.service.js';
import { recordVisit } from '../src/modules/crm/visit.service.js';
import { createService } from '../src/modules/directory/directory.service.js';
import { saveSegment } from '../src/modules/registry/admin.service.js';
import { addDocument, addTask, createWorkspace, postMessage } from '../src/modules/workspaces/workspaces.service.js';
import { actorOf } from './crm-fixtures.js';
import { PDF as CONTENT_PDF, publishedDocument, publishedItem } from './content-helpers.js';
import { makeCompany, makeContact, makeMember, memberAgent, PDF, postMultipart, type TestCompany, type TestMember } from './extranet-helpers.js';
import { afterAll, beforeAll } from 'vitest';
import { agent, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { createType as createApprovalType } from '../src/modules/approvals/types.service.js';
import { addLine as addExpenseLine, createClaim as createExpenseClaim } from '../src/modules/expenses/claims.service.js';
import { createBudgetLine } from '../src/modules/expenses/config.service.js';
import { storeReceipt } from '../src/modules/expenses/receipts.js';
import { createSpending } from '../src/modules/expenses/spending.service.js';
import { createProject } from '../src/modules/steering/plan.service.js';
import { createPaymentBatch, postEntry, queuePayment, setDebtorAccount } from '../src/modules/accounting/index.js';
import { importHistoricScenario } from '../src/modules/steering/scenario.service.js';
import { MASTER_PLAN } from '../src/modules/steering/seed.js';
import { createCourse as createTrainingCourse, saveRoom as saveTrainingRoom, saveTrainer } from '../src/modules/training/catalogue.service.js';
import { createSession as createTrainingSession } from '../src/modules/training/sessions.service.js';
import { enrol as enrolTrainee } from '../src/modules/training/enrolment.service.js';
import { createCampaign as createApprenticeshipCampaign, createSchool as createApprenticeshipSchool } from '../src/modules/apprenticeship/campaign.service.js';
import { asset } from '../src/platform/http/assets.js';

// ---------------------------------------------------------------------------------------------
// The route table

export type Audience = 'public' | 'member' | 'staff' | 'api';

export interface RouteSpec {
  method: string;
  url: string;
  /** path parameters in order (`*` for a wildcard) */
  params: string[];
  audience: Audience;
  public: boolean;
  /** the route's declared `config.permission` (member routes: member:use / member:admin) */
  permission?: Permission;
  /** a staff route any signed-in staff member may call (`config.signedIn`) */
  signedIn: boolean;
  access: string;
}

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Public POST routes declared `oneClick` (RFC 8058): see one-click-routes.ts. */
export { ONE_CLICK_ROUTES } from './one-click-routes.js';

/**
 * Every route of the app as declared, read from `app.routes` (filled by an onRoute hook in
 * src/app.ts, the table `consulaire routes` prints). Its `access` column is the route's config:
 * `public`, `member[ + permission]`, `signed in` or the permission.
 */
export function routeTable(app: App): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const r of app.routes) {
    const params = [...r.url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((m) => m[1] ?? '*');
    const isPublic = r.access === 'public';
    const member = /^member(?: \+ (.+))?$/.exec(r.access);
    let permission: Permission | undefined;
    const signedIn = r.access === 'signed in';
    if (member?.[1]) permission = member[1] as Permission;
    else if (!isPublic && !member && !signedIn) permission = r.access as Permission;
    if (permission && !(PERMISSIONS as readonly string[]).includes(permission)) throw new Error(`route table: ${r.method} ${r.url} declares "${r.access}", which is no permission of permissions.ts (has the access column of src/app.ts changed?)`);
    const audience: Audience = r.url.startsWith('/api/v1/') ? 'api' : isPublic ? 'public' : member ? 'member' : 'staff';
    out.push({ method: r.method, url: r.url, params, audience, public: isPublic, permission, signedIn, access: r.access });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Path parameters → record kinds

/**
 * What each path parameter names, keyed by the literal segment before it and its name
 * (`demandes/:id` → a member request). A route whose parameter is missing here fails the suites
 * with a message naming it: teach this map the new kind, and the fixture one record of it.
 */
export const PARAM_KINDS: Record<string, string> = {
  'boite-envoi/:id': 'outbox',
  'jetons/:id': 'token',
  'utilisateurs/:id': 'user',
  'personnes/:id': 'user',
  'photos/:id': 'user',
  'services/:id': 'directory-service',
  'companies/:siren': 'siren',
  'items/:id': 'content',
  'deals/:id': 'deal',
  'requests/:id': 'request',
  'tasks/:id': 'task',
  'visits/:id': 'visit',
  'contenus/:id': 'content',
  'revisions/:number': 'revision',
  'liens/:id': 'link',
  'rubriques/:id': 'section',
  'affaires/:id': 'deal',
  'calendrier/:token': 'calendar-token',
  'entreprises/:id': 'company',
  'etapes/:id': 'stage',
  'prestations/:id': 'crm-service',
  'sujets/:id': 'topic',
  'taches/:id': 'task',
  'visites/:id': 'visit',
  'espaces/:id': 'workspace',
  'documents/:version': 'workspace-version',
  'documents/:name': 'file-name',
  'taches/:task': 'workspace-task',
  'acces/:id': 'membership',
  'equipe/:id': 'membership',
  'comptes/:id': 'member-account',
  'corrections/:id': 'correction',
  'demandes/:id': 'request',
  'conges/:id': 'leave-request',
  'ecritures/:id': 'accounting-entry',
  'lots/:id': 'payment-batch',
  'payment-batches/:id': 'payment-batch',
  'notes-de-frais/:id': 'expense-claim',
  'lignes/:line': 'expense-line',
  'justificatifs/:line': 'expense-line',
  'claims/:id': 'expense-claim',
  'depenses/:id': 'spending-request',
  'spending-requests/:id': 'spending-request',
  'devis/:file': 'spending-quote',
  'lignes-budgetaires/:id': 'budget-line',
  'nouvelle/:code': 'approval-type-code',
  'types/:id': 'approval-type',
  'pieces/:field': 'approval-field',
  'lien/:token': 'approval-token',
  'inscriptions/:id': 'signup',
  'invitations/:id': 'invitation',
  'pieces-jointes/:id': 'attachment',
  'messages/:id': 'message-thread',
  'fichiers/:file': 'message-file',
  'actualites/:ref': 'news-ref',
  'evenements/:ref': 'event-ref',
  'pages/:slug': 'page-slug',
  'contacts/:id': 'contact',
  'imports/:id': 'import',
  'segments/:id': 'segment',
  'fichiers/:id': 'content-file',
  'fichiers/:name': 'file-name',
  'mot-de-passe/:token': 'reset-token',
  'invitation/:token': 'invitation-token',
  'inscription/:token': 'signup-token',
  'lang/:locale': 'locale',
  'static/*': 'static-file',
  'v/:hash': 'asset-hash',
  'v/*': 'static-file',
  'scenarios/:id': 'steering-scenario',
  'lignes/:lineId': 'steering-line',
  'projets/:id': 'steering-project',
  'rapports/:month': 'stats-month',
  'cibles/:id': 'apprenticeship-target',
  'campagnes/:id': 'apprenticeship-campaign',
  'campagnes/:campaign': 'mailing-campaign',
  'listes/:list': 'mailing-list',
  'modeles/:template': 'mailing-template',
  'courriers/:batch': 'mailing-letters',
  'lettres-information/:campaign': 'mailing-campaign',
  'confirmer/:token': 'mailing-confirm-token',
  'preferences/:token': 'mailing-preferences-token',
  'desabonnement/:token': 'mailing-unsubscribe-token',
  'clic/:token': 'mailing-click-token',
  'ouverture/:token': 'mailing-open-token',
  'ecoles/:id': 'apprenticeship-school',
  'acces/:userId': 'user',
  'modeles/:code': 'apprenticeship-template',
  'desinscription/:token': 'apprenticeship-unsubscribe',
  'unsubscribe/:token': 'apprenticeship-unsubscribe',
  'formations/:slug': 'training-course-slug',
  'avis/:token': 'training-survey-token',
  'sessions/:id': 'training-session',
  'stagiaires/:id': 'training-enrolment',
  'demi-journees/:slot': 'training-slot',
  'emargement/:slot': 'training-slot',
  'catalogue/:id': 'training-course',
  'salles/:id': 'training-room',
  'formateurs/:id': 'training-trainer',
  'factures/:id': 'training-invoice',
  'paie/:id': 'training-pay-month',
  'contours/:name': 'map-outline',
  'rapports/:id': 'report',
  'reports/:id': 'report',
};

/** The kind of each parameter of a route, or an error naming what the map lacks. */
export function paramKinds(route: RouteSpec): Record<string, string> {
  const segments = route.url.split('/');
  const out: Record<string, string> = {};
  for (const p of route.params) {
    const i = segments.findIndex((s) => s === `:${p}` || (p === '*' && s === '*'));
    const literal = segments
      .slice(0, i)
      .reverse()
      .find((s) => s && !s.startsWith(':'));
    const key = `${literal}/${p === '*' ? '*' : `:${p}`}`;
    const kind = PARAM_KINDS[key];
    if (!kind) throw new Error(`${route.method} ${route.url}: the adversarial suites do not know what "${p}" names (no "${key}" in PARAM_KINDS of test/adversarial-helpers.ts). Add its kind there and a record of that kind to the fixture, so this new route is probed.`);
    out[p] = kind;
  }
  return out;
}

/** The route's URL with each parameter replaced by `value(param, kind)` (URL-encoded unless raw). */
export function fill(route: RouteSpec, value: (param: string, kind: string) => string, raw = false): string {
  const kinds = paramKinds(route);
  return route.url.replace(/:([A-Za-z0-9_]+)|\*/g, (_m, p: string | undefined) => {
    const v = value(p ?? '*', kinds[p ?? '*']);
    return raw ? v : encodeURIComponent(v);
  });
}

// ---------------------------------------------------------------------------------------------
// The fixture

export interface KindValues {
  /** a record of company X (the signed-in member's), or the staff's own */
  own?: string;
  /** the same kind of record belonging to company Y */
  other?: string;
  /** records only the staff may see (drafts, intranet-only content, internal CRM items…) */
  staff?: string[];
  /** content published for members only: never on the public site */
  members?: string[];
}

export interface Fixture {
  t: TestApp;
  X: TestCompany & { siren: string };
  Y: TestCompany & { siren: string };
  memberX: TestMember;
  memberY: TestMember;
  /** X's administrator, signed in to the extranet */
  x: Agent;
  admin: User;
  /** signed in as `admin` (every staff permission) */
  staff: Agent;
  values: Record<string, KindValues>;
  /** text that must never reach X's member: Y's subject, e-mails, names */
  secretsOfY: string[];
  /** text that only staff may read: internal CRM titles and notes, drafts, intranet-only content, staff e-mails */
  staffSecrets: string[];
  /** content published to members only (never on the public site) */
  extranetOnly: string[];
  tokens: { full: string; revoked: string; expired: string; byScope: Record<string, string> };
}

/** A value for a parameter when any legitimate record will do (staff suites). */
export function anyValue(f: Fixture, kind: string): string {
  const v = f.values[kind];
  const out = v?.own ?? v?.staff?.[0] ?? v?.other;
  if (out === undefined) throw new Error(`the fixture has no record of kind "${kind}": add one in buildFixture (test/adversarial-helpers.ts)`);
  return out;
}

const id = (n: number | bigint | string) => String(Number(n));

/** Builds the fixture; a service refusing it says which fields it disliked. */
export async function buildFixture(t: TestApp): Promise<Fixture> {
  try {
    return await fixture(t);
  } catch (e) {
    const fields = (e as { fields?: unknown }).fields;
    throw new Error(`fixture: ${(e as Error).message}${fields ? ' ' + JSON.stringify(fields) : ''}`, { cause: e });
  }
}

async function fixture(t: TestApp): Promise<Fixture> {
  const db = t.db;
  const X = await makeCompany(db, 'Xénon Atelier');
  const Y = await makeCompany(db, 'Ypsilon Confidentiel');
  const memberX = await makeMember(db, [X.id], 'administrator', `membre-x-${Date.now()}@xenon.fr`);
  const memberY = await makeMember(db, [Y.id], 'administrator', `membre-y-${Date.now()}@ypsilon-secret.fr`);
  const x = await memberAgent(t, memberX.email);
  const y = await memberAgent(t, memberY.email);
  const admin = await makeUser(db, ['admin'], { name: 'Agnès Administratrice', email: `agnes-admin-${Date.now()}@interne.cci.fr` });
  const staffUser = await makeUser(db, ['adviser'], { name: 'Conseiller Confidentiel', email: `conseiller-secret-${Date.now()}@interne.cci.fr` });
  const staff = agent(t);
  const signed = await staff.signIn(admin.email);
  if (signed.status !== 302) throw new Error(`staff sign-in failed: ${signed.status}`);
  const asAdmin = actorOf(admin);

  const values: Record<string, KindValues> = {};
  const put = (kind: string, v: KindValues) => (values[kind] = { ...values[kind], ...v });

  // What each company's administrator creates through the extranet itself.
  for (const [who, company, side] of [
    [x, X, 'own'],
    [y, Y, 'other'],
  ] as const) {
    const tag = side === 'own' ? 'X' : 'Y';
    const r = await postMultipart(t, who, '/extranet/demandes', { category: 'formalities', subject: `SUJET-${tag}-CONFIDENTIEL`, body: `CORPS-${tag}-SECRET` }, [{ name: 'attachments', filename: `bilan-${tag}.pdf`, type: 'application/pdf', data: PDF }]);
    if (r.status !== 302) throw new Error(`fixture: request of ${tag} not created (${r.status})`);
    const request = Number(String(r.headers.location).split('/').pop());
    put('request', { [side]: id(request) });
    await who.post(`/extranet/demandes/${request}/messages`, { body: `MESSAGE-${tag}-SECRET` });
    put('attachment', { [side]: id((await db.selectFrom('member_attachments').select('id').where('request_id', '=', request).executeTakeFirstOrThrow()).id) });
    await who.post('/extranet/mon-entreprise/corrections', { phone: '01 02 03 04 05' });
    put('correction', { [side]: id((await db.selectFrom('member_change_requests').select('id').where('company_id', '=', company.id).executeTakeFirstOrThrow()).id) });
    put('contact', { [side]: id(await makeContact(db, company.id, `Secret${tag}contact`)) });
    await who.post('/extranet/equipe/invitations', { name: `Invitée ${tag}`, email: `invitee-${tag.toLowerCase()}@${tag === 'Y' ? 'ypsilon-secret' : 'xenon'}.fr`, role: 'member' });
    put('invitation', { [side]: id((await db.selectFrom('member_invitations').select('id').where('company_id', '=', company.id).executeTakeFirstOrThrow()).id) });
    const colleague = await makeMember(db, [company.id], 'member', `collegue-${tag.toLowerCase()}-${Date.now()}@${tag === 'Y' ? 'ypsilon-secret' : 'xenon'}.fr`);
    put('membership', { [side]: id((await db.selectFrom('member_memberships').select('id').where('account_id', '=', colleague.id).executeTakeFirstOrThrow()).id) });
    put('member-account', { [side]: id(colleague.id) });
    put('company', { [side]: id(company.id) });
    put('siren', { [side]: company.siret.slice(0, 9) });
  }
  const now = new Date().toISOString();
  const signup = await db
    .insertInto('member_signups')
    .values({ email: 'inscription-y@ypsilon-secret.fr', name: 'Candidat Ypsilon', siret: Y.siret, status: 'pending', company_id: Y.id, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  put('signup', { other: id(signup.id) });
  // Messages: each company writes to the CCI with a file (its conversation and file are its own).
  for (const [who, side, tag] of [
    [x, 'own', 'X'],
    [y, 'other', 'Y'],
  ] as const) {
    const r = await postMultipart(t, who, '/extranet/messages/nouveau', { subject: `FIL-${tag}-CONFIDENTIEL`, body: `TEXTE-FIL-${tag}-SECRET` }, [{ name: 'attachments', filename: `piece-fil-${tag}.pdf`, type: 'application/pdf', data: PDF }]);
    if (r.status !== 302) throw new Error(`fixture: conversation of ${tag} not created (${r.status})`);
    const thread = Number(String(r.headers.location).split('/').pop());
    put('message-thread', { [side]: id(thread) });
    put('message-file', { [side]: id((await db.selectFrom('message_files').select('id').where('thread_id', '=', thread).executeTakeFirstOrThrow()).id) });
  }

  // The staff's own records: internal CRM items on both companies (never shared), a draft, content
  // for each audience, the directory, a workspace, registry segments and imports, tokens.
  const stage = (await listStages(db))[0];
  const dealY = await createDeal(db, asAdmin, { companyId: Y.id, title: 'AFFAIRE-INTERNE-Y', amountCents: 4_242_400, stageId: stage.id, confidentialNotes: 'NOTE-CONFIDENTIELLE-AFFAIRE' });
  const dealX = await createDeal(db, asAdmin, { companyId: X.id, title: 'AFFAIRE-INTERNE-X', amountCents: 1_717_100, stageId: stage.id, notes: 'NOTE-INTERNE-AFFAIRE-X' });
  put('deal', { own: id(dealX.id), staff: [id(dealX.id), id(dealY.id)] });
  const visit = await recordVisit(db, asAdmin, { companyId: X.id, topics: [], contactIds: [], notes: 'NOTE-VISITE-INTERNE', needs: 'BESOIN-INTERNE', confidentialNotes: 'CONFIDENTIEL-VISITE' });
  put('visit', { own: id(visit.visit.id), staff: [id(visit.visit.id)] });
  const task = await createTask(db, asAdmin, { title: 'TACHE-INTERNE', due: new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10), companyId: X.id, dealId: dealX.id });
  put('task', { own: id(task.id), staff: [id(task.id)] });
  put('stage', { own: id(stage.id) });
  put('topic', { own: id((await listTopics(db))[0].id) });
  put('crm-service', { own: id((await listCrmServices(db))[0].id) });
  put('calendar-token', { own: 'c'.repeat(43) });
  // A leave request of the administrator (the row alone: the routes find it, the engine is not needed).
  const leaveKind = await db.selectFrom('leave_kinds').select('id').where('code', '=', 'CP').executeTakeFirstOrThrow();
  const leave = await db.insertInto('leave_requests').values({ user_id: admin.id, kind_id: leaveKind.id, start_date: '2030-06-03', start_half: null, end_date: '2030-06-04', end_half: null, days: 2, period_start: '2030-06-01', status: 'pending', comment: 'CONGE-INTERNE', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  put('leave-request', { own: id(leave.id), staff: [id(leave.id)] });
  // Steering: the master plan's first level (a scenario with lines) and a project.
  const scenario = await importHistoricScenario(db, asAdmin, MASTER_PLAN[0]);
  const line = await db.selectFrom('steering_lines').select('id').where('scenario_id', '=', scenario.id).executeTakeFirstOrThrow();
  const project = await createProject(db, asAdmin, { name: 'PROJET-PILOTAGE', owner: '', phase: '', status: 'planned', start: '2030-01-01', end: '2030-06-30', planned: '', consumed: '', dependsOn: [] });
  put('steering-scenario', { own: id(scenario.id), staff: [id(scenario.id)] });
  put('steering-line', { own: id(line.id), staff: [id(line.id)] });
  put('steering-project', { own: id(project.id), staff: [id(project.id)] });
  // Reports (#17): a report of the administrator's, shared with nobody; the map's shipped outlines.
  const report = await db.insertInto('reports').values({ name: 'RAPPORT-INTERNE', subject: 'establishments', definition: JSON.stringify({ subject: 'establishments', dims: ['department'], measure: 'count', filters: {} }), owner_id: admin.id, shared_role: null, schedule: 'none', recipients: '[]', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  put('report', { own: id(report.id), staff: [id(report.id)] });
  put('map-outline', { own: 'departements' });
  put('stats-month', { own: '2030-01', staff: ['2030-01'] });
  // Apprenticeship tax: a school, a campaign with a target company (Y), the reminder templates.
  const apprSchool = await createApprenticeshipSchool(db, asAdmin, { name: 'ÉCOLE-INTERNE', siret: '13000253200013', uai: '0691234A', trainings: '', contactName: '', contactEmail: '', contactPhone: '' });
  const apprCampaign = await createApprenticeshipCampaign(db, asAdmin, { year: '2030', title: 'CAMPAGNE-INTERNE', segment: '', windows: [{ opens: '2030-05-26', closes: '2030-06-27' }] });
  const apprTarget = await db.insertInto('apprenticeship_targets').values({ campaign_id: apprCampaign.id, company_id: Y.id, name: 'Ypsilon Confidentiel' }).returning('id').executeTakeFirstOrThrow();
  put('apprenticeship-school', { own: id(apprSchool.id), staff: [id(apprSchool.id)] });
  put('apprenticeship-campaign', { own: id(apprCampaign.id), staff: [id(apprCampaign.id)] });
  put('apprenticeship-target', { own: id(apprTarget.id), staff: [id(apprTarget.id)] });
  put('apprenticeship-template', { own: 'before_open' });
  put('apprenticeship-unsubscribe', { own: `1.${'u'.repeat(32)}` });
  // Mailing: a list, a template, a draft campaign (staff only); tokens of the public links are random (refused).
  const mailingList = await db.insertInto('mailing_lists').values({ name: 'LISTE-INTERNE', description: '', kind: 'subscription', segment_id: null, public: 0, wording: '', archived: 0, created_by: admin.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const mailingTemplate = await db.insertInto('mailing_templates').values({ name: 'MODELE-INTERNE', subject: 'Objet', body: 'Texte', created_by: admin.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const mailingCampaign = await db.insertInto('mailing_campaigns').values({ name: 'CAMPAGNE-MAILING-INTERNE', list_id: mailingList.id, subject: 'Objet', body: 'BROUILLON-MAILING', status: 'draft', scheduled_at: null, approval_id: null, created_by: admin.id, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  put('mailing-list', { own: id(mailingList.id), staff: [id(mailingList.id)] });
  put('mailing-template', { own: id(mailingTemplate.id), staff: [id(mailingTemplate.id)] });
  put('mailing-campaign', { own: id(mailingCampaign.id), staff: [id(mailingCampaign.id)] });
  put('mailing-letters', { own: '1' });
  put('mailing-confirm-token', { own: `1.${Math.floor(Date.now() / 1000) + 3600}.${'c'.repeat(22)}` });
  put('mailing-preferences-token', { own: `YUBiLmZy.${'p'.repeat(22)}` });
  put('mailing-unsubscribe-token', { own: `1.${'u'.repeat(22)}` });
  put('mailing-click-token', { own: `${mailingCampaign.id}.0.${'k'.repeat(16)}` });
  put('mailing-open-token', { own: `${mailingCampaign.id}.${'o'.repeat(16)}.gif` });
  // Accounting: an entry, and a SEPA batch of one order (ordered by the adviser, paid by the system).
  const accountingEntry = await postEntry(db, SYSTEM_ACTOR, { journal: 'OD', date: now.slice(0, 10), label: 'ECRITURE-INTERNE', pieceRef: 'PIECE-INTERNE', source: { module: 'test', id: 1 }, lines: [{ account: '6257', accountLabel: 'Réceptions', debitCents: 1000, creditCents: 0 }, { account: '512', accountLabel: 'Banque', debitCents: 0, creditCents: 1000 }] });
  await setDebtorAccount(db, SYSTEM_ACTOR, { name: 'CCI Test', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' });
  await queuePayment(db, SYSTEM_ACTOR, { beneficiaryName: 'BENEFICIAIRE-INTERNE', iban: 'FR7630004000031234567890143', amountCents: 1234, remittance: 'VIREMENT-INTERNE', orderedBy: staffUser.id, source: { module: 'test', id: 1 } });
  const paymentBatch = await createPaymentBatch(db, SYSTEM_ACTOR, { executionDate: now.slice(0, 10) });
  put('accounting-entry', { own: id(accountingEntry.id), staff: [id(accountingEntry.id)] });
  put('payment-batch', { own: id(paymentBatch.id), staff: [id(paymentBatch.id)] });
  // A request type defined without code (approval engine), with a file field for /demandes/:id/pieces/:field.
  const approvalType = await createApprovalType(db, asAdmin, { code: 'materiel-adv', name_fr: 'Matériel', name_en: 'Equipment', definition: { fields: [{ name: 'devis', label: { fr: 'Devis', en: 'Quote' }, kind: 'attachment' }], steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }], options: {} } });
  put('approval-type', { own: id(approvalType), staff: [id(approvalType)] });
  put('approval-type-code', { own: 'materiel-adv' });
  put('approval-field', { own: 'devis' });
  put('approval-token', { own: 'a'.repeat(43) });
  // Expenses: the administrator's draft claim with a receipt, and an adviser's spending request with a quote.
  const budgetLine = await createBudgetLine(db, asAdmin, { code: 'ADV', label: 'Ligne budgétaire interne', budget: '' });
  put('budget-line', { own: id(budgetLine.id), staff: [id(budgetLine.id)] });
  const expenseClaim = await createExpenseClaim(db, asAdmin, { title: 'NOTE-DE-FRAIS-INTERNE' });
  const receipt = await storeReceipt(t.database.dataDir, { bytes: PDF, filename: 'ticket.pdf' });
  const expenseLine = await addExpenseLine(db, asAdmin, expenseClaim.id, { spent_on: now.slice(0, 10), category: 'taxi', description: '', supplier: 'Taxi interne', amount: '12,50', distance_km: '', fiscal_cv: '', electric: false }, receipt);
  put('expense-claim', { own: id(expenseClaim.id), staff: [id(expenseClaim.id)] });
  put('expense-line', { own: id(expenseLine.id), staff: [id(expenseLine.id)] });
  const quote = await storeReceipt(t.database.dataDir, { bytes: PDF, filename: 'devis.pdf' });
  const spendingRequest = await createSpending(db, actorOf(staffUser), { title: 'DEPENSE-INTERNE', amount: '120', budget_line_id: String(budgetLine.id), supplier_company_id: '', supplier_name: 'Fournisseur interne', justification: 'JUSTIFICATION-INTERNE' }, [quote]);
  put('spending-request', { own: id(spendingRequest.id), staff: [id(spendingRequest.id)] });
  put('spending-quote', { own: id((await db.selectFrom('expense_quotes').select('id').where('spending_request_id', '=', spendingRequest.id).executeTakeFirstOrThrow()).id) });

  const draft = await content.createItem(db, SYSTEM_ACTOR, 'news', { title: 'BROUILLON-NON-PUBLIE', summary: 'brouillon', body: '<p>BROUILLON-CORPS</p>', audiences: ['public', 'extranet', 'intranet'] });
  const intranetNews = await publishedItem(db, 'news', ['intranet'], { title: 'NOUVELLE-INTRANET-SEULEMENT', body: '<p>CORPS-INTRANET-SEULEMENT</p>' });
  const extranetNews = await publishedItem(db, 'news', ['extranet'], { title: 'NOUVELLE-EXTRANET-SEULEMENT', body: '<p>CORPS-EXTRANET-SEULEMENT</p>' });
  const publicNews = await publishedItem(db, 'news', ['public'], { title: 'Nouvelle publique', body: '<p>corps public</p>' });
  const intranetEvent = await publishedItem(db, 'event', ['intranet'], { title: 'EVENEMENT-INTRANET-SEULEMENT' });
  const extranetEvent = await publishedItem(db, 'event', ['extranet'], { title: 'EVENEMENT-EXTRANET-SEULEMENT' });
  const publicEvent = await publishedItem(db, 'event', ['public'], { title: 'Événement public' });
  const intranetPage = await publishedItem(db, 'page', ['intranet'], { title: 'PAGE-INTRANET-SEULEMENT', slug: 'page-intranet-seulement' });
  const extranetPage = await publishedItem(db, 'page', ['extranet'], { title: 'PAGE-EXTRANET-SEULEMENT', slug: 'page-extranet-seulement' });
  await publishedItem(db, 'page', ['public'], { title: 'Page publique', slug: 'page-publique' });
  const intranetDoc = await publishedDocument(db, t.database.dataDir, ['intranet'], 'DOCUMENT-INTRANET-SEULEMENT');
  const extranetDoc = await publishedDocument(db, t.database.dataDir, ['extranet'], 'DOCUMENT-EXTRANET-SEULEMENT');
  const publicDoc = await publishedDocument(db, t.database.dataDir, ['public'], 'Document public');
  put('content', { own: id(draft.id), staff: [id(draft.id), id(intranetNews)] });
  put('news-ref', { own: id(publicNews), staff: [id(draft.id), id(intranetNews), `${intranetNews}-nouvelle-intranet-seulement`], members: [id(extranetNews)] });
  put('event-ref', { own: id(publicEvent), staff: [id(intranetEvent)], members: [id(extranetEvent)] });
  put('page-slug', { own: 'page-publique', staff: ['page-intranet-seulement', String(intranetPage)], members: ['page-extranet-seulement', String(extranetPage)] });
  put('content-file', { own: id(publicDoc.fileId), staff: [id(intranetDoc.fileId)], members: [id(extranetDoc.fileId)] });
  put('file-name', { own: 'document.pdf' });
  put('revision', { own: '1' });
  const section = await content.createSection(db, SYSTEM_ACTOR, { name: 'Rubrique interne', description: '' });
  put('section', { own: id(section.id) });
  const link = await content.addLink(db, SYSTEM_ACTOR, { title: 'Lien interne', url: 'https://intranet.example/outil' });
  put('link', { own: id((link as { id: number }).id) });

  const service = await createService(db, asAdmin, { name: 'Service Interne Secret', description: 'SERVICE-INTERNE' });
  put('directory-service', { own: id(service.id) });
  put('user', { own: id(staffUser.id), staff: [id(staffUser.id), id(admin.id)] });

  const ws = await createWorkspace(db, asAdmin, { name: 'ESPACE-COMITE-SECRET', kind: 'committee', description: 'COMITE-INTERNE' });
  await postMessage(db, asAdmin, ws.id, 'MESSAGE-COMITE-SECRET');
  await addTask(db, asAdmin, ws.id, { title: 'TACHE-COMITE' });
  await addDocument(db, t.database.dataDir, asAdmin, ws.id, { title: 'PV du comité', note: '', bytes: CONTENT_PDF, filename: 'pv.pdf' });
  put('workspace', { own: id(ws.id), staff: [id(ws.id)] });
  put('workspace-task', { own: id((await db.selectFrom('workspace_tasks').select('id').where('workspace_id', '=', ws.id).executeTakeFirstOrThrow()).id) });
  put('workspace-version', { own: id((await db.selectFrom('workspace_document_versions').select('id').executeTakeFirstOrThrow()).id) });

  put('segment', { own: id(await saveSegment(db, asAdmin, 'Segment interne', 'q=boulangerie')) });
  const imp = await db.insertInto('registry_imports').values({ started_at: now, finished_at: now, status: 'done', actor_label: admin.email, stats: '{}' }).returning('id').executeTakeFirstOrThrow();
  put('import', { own: id(imp.id) });
  put('outbox', { own: id((await db.selectFrom('mail_outbox').select('id').orderBy('id').executeTakeFirstOrThrow()).id) });

  const full = await createApiToken(db, SYSTEM_ACTOR, admin.id, { name: 'full', scopes: ['registry:write', 'crm:write', 'content:read', 'admin:read', 'extranet:read', 'leave:read', 'expenses:read', 'expenses:write', 'registry:export', 'reports:read', 'steering:read', 'accounting:read'], days: 30 });
  const byScope: Record<string, string> = {};
  for (const scope of ['registry:read', 'registry:write', 'crm:read', 'crm:write', 'content:read', 'admin:read', 'extranet:read', 'leave:read', 'expenses:read', 'expenses:write', 'registry:export', 'reports:read', 'steering:read', 'accounting:read']) byScope[scope] = (await createApiToken(db, SYSTEM_ACTOR, admin.id, { name: scope, scopes: [scope], days: 30 })).token;
  const revoked = await createApiToken(db, SYSTEM_ACTOR, admin.id, { name: 'revoked', scopes: ['registry:write', 'crm:write', 'content:read', 'admin:read', 'extranet:read', 'leave:read', 'expenses:read', 'expenses:write', 'registry:export', 'reports:read', 'steering:read'], days: 30 });
  await revokeApiToken(db, SYSTEM_ACTOR, revoked.row.id);
  const expired = await createApiToken(db, SYSTEM_ACTOR, admin.id, { name: 'expired', scopes: ['registry:write', 'crm:write', 'content:read', 'admin:read', 'extranet:read', 'leave:read', 'expenses:read', 'expenses:write', 'registry:export', 'reports:read', 'steering:read'], days: 30 });
  await db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', expired.row.id).execute();
  put('token', { own: id(full.row.id), staff: [id(full.row.id)] });

  // Training: a published and a private course, a room, a trainer, an inter session with one
  // enrolment of X and one of Y, an invoice row and a trainer's pay month.
  const trainingCourse = (code: string, title: string, visibility: string) => createTrainingCourse(db, asAdmin, { code, title, summary: '', objectives: 'Objectif', programme: 'Programme', prerequisites: '', audience: '', duration_hours: '7', price: '300', intra_day: '', vat_exempt: true, visibility, teaching_methods: '', assessment: '', access_delay: '', accessibility: 'Accessible', results: '', active: true });
  const tCourse = await trainingCourse('ADV-PUB', 'Formation publique', 'public');
  const tPrivate = await trainingCourse('ADV-PRIV', 'FORMATION-INTERNE-PRIVEE', 'private');
  const tRoom = await saveTrainingRoom(db, asAdmin, null, { name: 'Salle adversaire', capacity: '10', equipment: '', accessible: true });
  const tTrainer = await saveTrainer(db, asAdmin, null, { name: 'Formateur Interne', email: `formateur-${Date.now()}@interne.cci.fr`, status: 'contract', iban: 'FR7630006000011234567890189', bic: '', rate_face: '60', rate_prep: '30', rate_remote: '50', skills: '' });
  const tStart = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
  const tSession = await createTrainingSession(db, asAdmin, { course_id: String(tCourse.id), kind: 'inter', company_id: '', room_id: String(tRoom.id), trainer_id: String(tTrainer.id), remote: false, start_date: tStart, end_date: new Date(Date.now() + 46 * 86_400_000).toISOString().slice(0, 10), pattern: 'day', min_trainees: '1', max_trainees: '5', price: '', notes: '' });
  const noMail = { mailer: t.app.ctx.mailer, publicUrl: 'http://localhost', cciName: 'CCI' };
  const enrolOf = (companyId: number, name: string, email: string) => enrolTrainee(db, asAdmin, tSession.id, { trainee_name: name, trainee_email: email, trainee_job: '', needs: '', funding: 'company', opco_name: '', opco_ref: '', company_id: String(companyId) }, noMail);
  const tEnrolX = await enrolOf(X.id, 'Stagiaire Xénon', 'stagiaire@xenon.fr');
  const tEnrolY = await enrolOf(Y.id, 'STAGIAIRE-Y-SECRET', 'stagiaire@ypsilon-secret.fr');
  const tSlot = await db.selectFrom('training_slots').select('id').where('session_id', '=', tSession.id).orderBy('id').executeTakeFirstOrThrow();
  const tInvoice = await db.insertInto('training_invoices').values({ number: 'FA-2099-0001', kind: 'invoice', session_id: tSession.id, customer_kind: 'company', company_id: Y.id, customer_name: 'Ypsilon Confidentiel', customer_address: '', issued_on: now.slice(0, 10), due_on: now.slice(0, 10), net_cents: 30000, vat_cents: 0, total_cents: 30000, vat_exempt: 1, credits_invoice_id: null, entry_number: null, created_by: null, created_at: now }).returning('id').executeTakeFirstOrThrow();
  const tPay = await db.insertInto('training_pay_months').values({ trainer_id: tTrainer.id, month: '2099-01', status: 'draft', total_cents: 0, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  put('training-course-slug', { own: tCourse.slug, staff: [tPrivate.slug] });
  put('training-survey-token', { own: tEnrolX.survey_token ?? 'x'.repeat(24) });
  put('training-session', { own: id(tSession.id), staff: [id(tSession.id)] });
  put('training-enrolment', { own: id(tEnrolX.id), other: id(tEnrolY.id) });
  put('training-slot', { own: id(tSlot.id), staff: [id(tSlot.id)] });
  put('training-course', { own: id(tCourse.id), staff: [id(tPrivate.id)] });
  put('training-room', { own: id(tRoom.id), staff: [id(tRoom.id)] });
  put('training-trainer', { own: id(tTrainer.id), staff: [id(tTrainer.id)] });
  put('training-invoice', { own: id(tInvoice.id), staff: [id(tInvoice.id)] });
  put('training-pay-month', { own: id(tPay.id), staff: [id(tPay.id)] });

  put('reset-token', { own: 'r'.repeat(43) });
  put('invitation-token', { own: 'i'.repeat(43) });
  put('signup-token', { own: 's'.repeat(43) });
  put('locale', { own: 'en' });
  put('static-file', { own: 'app.css' });
  put('asset-hash', { own: asset('/static/app.css').split('/')[3] });

  return {
    t,
    X: { ...X, siren: X.siret.slice(0, 9) },
    Y: { ...Y, siren: Y.siret.slice(0, 9) },
    memberX,
    memberY,
    x,
    admin,
    staff,
    values,
    secretsOfY: ['Ypsilon Confidentiel', 'SUJET-Y-CONFIDENTIEL', 'CORPS-Y-SECRET', 'MESSAGE-Y-SECRET', 'bilan-Y.pdf', 'FIL-Y-CONFIDENTIEL', 'TEXTE-FIL-Y-SECRET', 'piece-fil-Y.pdf', 'SecretYcontact', 'ypsilon-secret.fr', memberY.email],
    staffSecrets: [
      'CAMPAGNE-MAILING-INTERNE',
      'BROUILLON-MAILING',
      'ECRITURE-INTERNE',
      'BENEFICIAIRE-INTERNE',
      'AFFAIRE-INTERNE',
      'NOTE-CONFIDENTIELLE-AFFAIRE',
      'NOTE-INTERNE-AFFAIRE-X',
      'NOTE-VISITE-INTERNE',
      'BESOIN-INTERNE',
      'CONFIDENTIEL-VISITE',
      'TACHE-INTERNE',
      'BROUILLON-NON-PUBLIE',
      'BROUILLON-CORPS',
      'NOUVELLE-INTRANET-SEULEMENT',
      'CORPS-INTRANET-SEULEMENT',
      'EVENEMENT-INTRANET-SEULEMENT',
      'PAGE-INTRANET-SEULEMENT',
      'DOCUMENT-INTRANET-SEULEMENT',
      'ESPACE-COMITE-SECRET',
      'MESSAGE-COMITE-SECRET',
      'SERVICE-INTERNE',
      'NOTE-DE-FRAIS-INTERNE',
      'DEPENSE-INTERNE',
      'JUSTIFICATION-INTERNE',
      'Conseiller Confidentiel',
      staffUser.email,
      admin.email,
    ],
    extranetOnly: ['NOUVELLE-EXTRANET-SEULEMENT', 'CORPS-EXTRANET-SEULEMENT', 'EVENEMENT-EXTRANET-SEULEMENT', 'PAGE-EXTRANET-SEULEMENT', 'DOCUMENT-EXTRANET-SEULEMENT'],
    tokens: { full: full.token, revoked: revoked.token, expired: expired.token, byScope },
  };
}

// ---------------------------------------------------------------------------------------------
// Nothing written

/**
 * Row counts of every table, and the audit rows that record a change (refusals are audited
 * too, as 'denied': those are the point, not a write). Sessions are left out: reading a page
 * slides its session; so are the usage statistics' events and day salt (every page view is
 * counted, by design, whoever asks).
 */
export async function writeCounts(t: TestApp): Promise<Record<string, number>> {
  const query = sql<{ name: string; n: number | string }>`${sql.raw(await countQuery(t))}`;
  // On PostgreSQL the union of ~150 counts is costed high enough for JIT compilation, which took
  // ~150 ms of each call (the sweeps count thousands of times): off for this statement only.
  const rows =
    t.database.dialect === 'postgres'
      ? await t.db.transaction().execute(async (trx) => {
          await sql`set local jit = off`.execute(trx);
          await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
          return (await query.execute(trx)).rows;
        })
      : (await query.execute(t.db)).rows;
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

// The tables do not change while a test app lives: the catalogue is read once per app (on
// PostgreSQL information_schema took as long as the counts, and the sweeps count thousands of times).
const countQueries = new WeakMap<TestApp, string>();
async function countQuery(t: TestApp): Promise<string> {
  const known = countQueries.get(t);
  if (known) return known;
  const tables = t.database.dialect === 'postgres'
    ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(t.db)).rows
    : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '%_fts%'`.execute(t.db)).rows;
  const names = tables.map((r) => r.name).filter((n) => !['sessions', 'audit_log', 'kysely_migration', 'kysely_migration_lock', 'stats_events', 'stats_salts'].includes(n)).sort();
  const parts = names.map((n) => `select '${n}' as name, count(*) as n from ${n}`);
  parts.push(`select 'audit_log (writes)' as name, count(*) as n from audit_log where action <> 'denied'`);
  const query = parts.join(' union all ');
  countQueries.set(t, query);
  return query;
}

export function diffCounts(before: Record<string, number>, after: Record<string, number>): string {
  return Object.keys(after)
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k} ${before[k]}→${after[k]}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Reporting

/** Collects every "METHOD path → status (why)" of a loop, so one run shows every hole. */
export class Offenders {
  readonly list: string[] = [];
  add(method: string, url: string, status: number, why: string): void {
    this.list.push(`${method} ${url.length > 120 ? url.slice(0, 117) + '…' : url} → ${status} (${why})`);
  }
}

export function leaked(body: string, secrets: string[]): string[] {
  return secrets.filter((s) => body.includes(s));
}

/** The foreign origin every suite forges requests from. */
export const EVIL = 'https://evil.example';

/**
 * One app, one fixture and the live route table per suite file, built before its tests and
 * closed after them; the suite copies the fields into its own variables in a later beforeAll.
 */
export function adversarialSuite(): { t: TestApp; f: Fixture; routes: RouteSpec[] } {
  const suite = {} as { t: TestApp; f: Fixture; routes: RouteSpec[] };
  beforeAll(async () => {
    suite.t = await createTestApp();
    suite.f = await buildFixture(suite.t);
    suite.routes = routeTable(suite.t.app);
  }, 60_000);
  afterAll(async () => suite.t?.close());
  return suite;
}
