// Staff back-office handlers of the extranet (/gestion-extranet/…), listed with their access in
// extranet.routes.ts: extranet:manage covers accounts, invitations, sign-ups and corrections;
// extranet:requests the members' requests queue.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { isAppError, notFound, type AppError, type FieldErrors } from '../../platform/errors.js';
import { idParam, int, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { companyIdForSiret, findCompany, findContact, listContacts, searchCompaniesForPicker } from '../registry/index.js';
import { approveSignup, getAccount, inviteMember, listPendingSignups, refuseSignup, revokeInvitation, revokeMembership, setAccountStatus, type MailDeps } from './accounts.service.js';
import { countPendingCorrections, decideCorrection, getCorrection, listPendingCorrections } from './corrections.service.js';
import { accountLabel, activeMembershipsOfAccounts, countActiveAccounts, findInvitation, findMembership, membershipsOfAccount, searchAccounts } from './extranet.queries.js';
import type { ExtranetDb } from './extranet.table.js';
import { assignRequest, closeStaffRequest, countOpenRequests, getStaffAttachment, getStaffRequest, listAssignableStaff, listQueue, listRoutes, REQUEST_CATEGORIES, responseStats, setRoute, staffReply } from './requests.service.js';
import { AccountPage, AccountsPage, CorrectionDecisionPage, CorrectionsPage, DashboardPage, InvitePage, QueuePage, RoutingPage, SignupsPage, StaffThreadPage, type SignupQueueRow } from './views/staff.js';
import { allowOnly, readForm, sendFile } from './web-helpers.js';

type Ctx = ModuleContext<ExtranetDb>;

const mailDeps = async (req: FastifyRequest, { mailer, config, settings }: Ctx): Promise<MailDeps> => ({ mailer, publicUrl: config.publicUrl, cciName: await settings.get('cci.name'), t: req.t });
const companyName = async (db: ExtranetDb, companyId: number) => (await findCompany(db, companyId))?.name ?? `#${companyId}`;

export async function handleDashboard(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const [signups, corrections, requests, accounts] = await Promise.all([listPendingSignups(db).then((r) => r.length), countPendingCorrections(db), countOpenRequests(db), countActiveAccounts(db)]);
  return reply.render(<DashboardPage ctx={req.view()} counts={{ signups, corrections, requests, accounts }} />);
}

// ——— accounts ———

export async function handleMemberAccounts(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = String((req.query as Record<string, string>).q ?? '').slice(0, 100).trim();
  const rows = await searchAccounts(db, q);
  const ms = await activeMembershipsOfAccounts(db, rows.map((r) => r.id));
  const names = new Map<number, string>();
  for (const m of ms) if (!names.has(m.company_id)) names.set(m.company_id, await companyName(db, m.company_id));
  return reply.render(<AccountsPage ctx={req.view()} q={q} rows={rows.map((r) => ({ ...r, companies: ms.filter((m) => m.account_id === r.id).map((m) => names.get(m.company_id)).join(', ') }))} />);
}

export async function handleMemberAccount(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const account = await getAccount(db, requireId(req));
  const memberships = [];
  for (const m of await membershipsOfAccount(db, account.id)) memberships.push({ id: m.id, companyId: m.company_id, companyName: await companyName(db, m.company_id), role: m.role, status: m.status, origin: m.origin });
  return reply.render(<AccountPage ctx={req.view()} account={account} memberships={memberships} />);
}

export async function handleSetAccountStatus(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['status', 'version']);
  const accountId = requireId(req);
  const status = str(req.body, 'status', 20) === 'active' ? 'active' : 'disabled';
  await db.transaction().execute((trx) => setAccountStatus(trx, req.actor, accountId, status, int(req.body, 'version') ?? -1));
  reply.flash('success', 'common.saved');
  return reply.redirect(`/gestion-extranet/comptes/${accountId}`);
}

export async function handleRevokeAccess(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, []);
  const membershipId = requireId(req);
  const m = await findMembership(db, membershipId);
  if (!m) throw notFound();
  await db.transaction().execute((trx) => revokeMembership(trx, req.actor, membershipId));
  reply.flash('success', 'extranet.admin.access_revoked');
  return reply.redirect(`/gestion-extranet/comptes/${m.account_id}`);
}

// ——— invitations ———

async function invitePage(req: FastifyRequest, db: ExtranetDb, companyId: number | undefined, values: Record<string, string>, errors?: FieldErrors): Promise<VNode> {
  const company = companyId !== undefined ? await findCompany(db, companyId) : undefined;
  if (!company) throw notFound();
  const contacts = (await listContacts(db, company.id)).map((c) => ({ id: c.id, name: [c.firstName, c.lastName].filter(Boolean).join(' '), email: c.email }));
  return <InvitePage ctx={req.view()} company={company} contacts={contacts} values={values} errors={errors} />;
}

export async function handleInviteForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Record<string, string>;
  const companyId = idParam(q.entreprise);
  const contactId = idParam(q.contact);
  const values: Record<string, string> = {};
  if (contactId !== undefined) {
    const c = await findContact(db, contactId);
    // A contact of another company cannot prefill this company's invitation.
    if (c && c.companyId === companyId) Object.assign(values, { name: [c.firstName, c.lastName].filter(Boolean).join(' '), email: c.email ?? '' });
  }
  return reply.render(await invitePage(req, db, companyId, values));
}

export async function handleInvite(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  allowOnly(req, ['company_id', 'name', 'email', 'role']);
  const companyId = idParam(str(req.body, 'company_id', 12));
  const values = { name: str(req.body, 'name', 200), email: str(req.body, 'email', 300), role: str(req.body, 'role', 20) };
  if (companyId === undefined) throw notFound();
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      await ctx.db.transaction().execute((trx) => inviteMember(trx, req.actor, { companyId, ...values, origin: 'staff_invitation' }, mail));
      reply.flash('success', 'extranet.team.invited');
      return reply.redirect(`/registre/entreprises/${companyId}`);
    },
    (errors) => invitePage(req, ctx.db, companyId, values, errors),
  );
}

export async function handleCancelInvitation(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, []);
  const invitationId = requireId(req);
  const inv = await findInvitation(db, invitationId);
  if (!inv) throw notFound();
  await db.transaction().execute((trx) => revokeInvitation(trx, req.actor, invitationId));
  reply.flash('success', 'extranet.team.invitation_cancelled');
  return reply.redirect(`/registre/entreprises/${inv.company_id}`);
}

// ——— sign-up queue ———

async function signupsPage(req: FastifyRequest, db: ExtranetDb, errors?: FieldErrors, errorFor?: number): Promise<VNode> {
  const rows: SignupQueueRow[] = [];
  for (const s of await listPendingSignups(db)) {
    const cid = await companyIdForSiret(db, s.siret);
    const c = cid !== undefined ? await findCompany(db, cid) : undefined;
    rows.push({ ...s, suggestion: c ? { id: c.id, name: c.name } : undefined });
  }
  // A company search to find the right id when the SIRET matches nothing (foreign, new…).
  const q = String((req.query as Record<string, string>)?.q ?? '').slice(0, 100).trim();
  const found = q ? await searchCompaniesForPicker(db, q, 10) : undefined;
  return <SignupsPage ctx={req.view()} rows={rows} errors={errors} errorFor={errorFor} q={q} found={found} />;
}

export async function handleSignups(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await signupsPage(req, db));
}

export async function handleApproveSignup(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  allowOnly(req, ['company_id', 'role', 'version']);
  const signupId = requireId(req);
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      await ctx.db.transaction().execute((trx) => approveSignup(trx, req.actor, signupId, { companyId: idParam(str(req.body, 'company_id', 12)), role: str(req.body, 'role', 20), version: int(req.body, 'version') }, mail));
      reply.flash('success', 'extranet.admin.signup_approved');
      return reply.redirect('/gestion-extranet/inscriptions');
    },
    (errors) => signupsPage(req, ctx.db, errors, signupId),
  );
}

export async function handleRefuseSignup(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  allowOnly(req, ['reason', 'version']);
  const signupId = requireId(req);
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      await ctx.db.transaction().execute((trx) => refuseSignup(trx, req.actor, signupId, { reason: str(req.body, 'reason', 2000), version: int(req.body, 'version') }, mail));
      reply.flash('success', 'extranet.admin.signup_refused');
      return reply.redirect('/gestion-extranet/inscriptions');
    },
    (errors) => signupsPage(req, ctx.db, errors, signupId),
  );
}

// ——— corrections ———

export async function handleCorrectionQueue(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const rows = [];
  for (const c of await listPendingCorrections(db)) rows.push({ ...c, companyName: await companyName(db, c.company_id) });
  return reply.render(<CorrectionsPage ctx={req.view()} rows={rows} />);
}

async function correctionPage(req: FastifyRequest, db: ExtranetDb, correctionId: number, errors?: FieldErrors): Promise<VNode> {
  const c = await getCorrection(db, correctionId);
  const by = (await accountLabel(db, c.account_id)) ?? '—';
  return <CorrectionDecisionPage ctx={req.view()} req={c} companyName={await companyName(db, c.company_id)} by={by} errors={errors} />;
}

export async function handleCorrectionToDecide(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await correctionPage(req, db, requireId(req)));
}

export async function handleDecideCorrection(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  allowOnly(req, ['accepted', 'reason', 'version', 'decision']);
  const correctionId = requireId(req);
  const accepted = str(req.body, 'decision', 20) === 'refuse' ? [] : list(req.body, 'accepted');
  let refusal: AppError | undefined;
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      try {
        await ctx.db.transaction().execute((trx) => decideCorrection(trx, req.actor, correctionId, { accepted, reason: str(req.body, 'reason', 2000), version: int(req.body, 'version') }, mail));
      } catch (e) {
        if (isAppError(e)) refusal = e;
        throw e;
      }
      reply.flash('success', 'extranet.admin.correction_decided');
      return reply.redirect(`/gestion-extranet/corrections/${correctionId}`);
    },
    // A refusal naming no field (the register refusing the values) is said on top, with its details.
    (errors) => correctionPage(req, ctx.db, correctionId, Object.keys(errors).length || !refusal ? errors : { _form: req.t(refusal.code, refusal.params) }),
  );
}

// ——— requests queue ———

export async function handleQueue(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Record<string, string | undefined>;
  const rows = await listQueue(db, req.actor, { category: q.categorie, status: q.statut, assignee: q.assigne === 'me' || q.assigne === 'none' ? q.assigne : undefined, companyId: idParam(q.entreprise) });
  const companies = new Map<number, string>();
  for (const r of rows) if (!companies.has(r.company_id)) companies.set(r.company_id, await companyName(db, r.company_id));
  return reply.render(<QueuePage ctx={req.view()} rows={rows} query={q} stats={await responseStats(db)} companies={companies} />);
}

async function threadPage(req: FastifyRequest, db: ExtranetDb, requestId: number, errors?: FieldErrors, body?: string): Promise<VNode> {
  const thread = await getStaffRequest(db, requestId);
  const author = (await accountLabel(db, thread.request.account_id)) ?? '—';
  return <StaffThreadPage ctx={req.view()} thread={thread} companyName={await companyName(db, thread.request.company_id)} author={author} staff={await listAssignableStaff(db)} errors={errors} body={body} />;
}

export async function handleThread(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await threadPage(req, db, requireId(req)));
}

export async function handleReply(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const { db } = ctx;
  const requestId = requireId(req);
  await getStaffRequest(db, requestId);
  const form = await readForm(req, ['body', 'status', 'version']);
  if (form.fileError) return reply.render(await threadPage(req, db, requestId, { attachments: form.fileError }, form.fields.body), 422);
  return onInvalid(
    reply,
    async () => {
      const mail = await mailDeps(req, ctx);
      await db.transaction().execute((trx) => staffReply(trx, req.actor, requestId, { body: form.fields.body ?? '', status: form.fields.status ?? '', version: idParam(form.fields.version ?? '') }, form.files, mail));
      reply.flash('success', 'extranet.thread.sent');
      return reply.redirect(`/gestion-extranet/demandes/${requestId}`);
    },
    // Someone wrote in between (409): show the new messages and keep the reply typed so far.
    (errors) => threadPage(req, db, requestId, errors._form === 'common.stale_version' ? { _form: 'extranet.thread.stale' } : errors, form.fields.body),
    { conflict: true },
  );
}

export async function handleAssign(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['assignee_id', 'version']);
  const requestId = requireId(req);
  const raw = str(req.body, 'assignee_id', 12);
  const assignee = raw === '' ? null : (idParam(raw) ?? -1);
  await db.transaction().execute((trx) => assignRequest(trx, req.actor, requestId, assignee, int(req.body, 'version')));
  reply.flash('success', 'common.saved');
  return reply.redirect(`/gestion-extranet/demandes/${requestId}`);
}

export async function handleStaffCloseRequest(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, ['version']);
  const requestId = requireId(req);
  await db.transaction().execute((trx) => closeStaffRequest(trx, req.actor, requestId, int(req.body, 'version')));
  reply.flash('success', 'extranet.requests.closed');
  return reply.redirect(`/gestion-extranet/demandes/${requestId}`);
}

export async function handleStaffAttachment(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return sendFile(reply, await getStaffAttachment(db, requireId(req)));
}

// ——— routing by category ———

export async function handleRouting(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<RoutingPage ctx={req.view()} routes={await listRoutes(db)} staff={await listAssignableStaff(db)} />);
}

export async function handleSaveRouting(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  allowOnly(req, REQUEST_CATEGORIES.map((c) => `route_${c}`));
  await db.transaction().execute(async (trx) => {
    const before = await listRoutes(trx);
    for (const c of REQUEST_CATEGORIES) {
      const raw = str(req.body, `route_${c}`, 12);
      const userId = raw === '' ? null : (idParam(raw) ?? -1);
      if ((before[c] ?? null) !== userId) await setRoute(trx, req.actor, c, userId);
    }
  });
  reply.flash('success', 'common.saved');
  return reply.redirect('/gestion-extranet/routage');
}
