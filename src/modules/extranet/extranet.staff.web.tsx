// Staff back office of the extranet (/gestion-extranet/…). extranet:manage covers accounts,
// invitations, sign-ups and corrections; extranet:requests the members' requests queue.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { idParam, int, list, str } from '../../platform/http/forms.js';
import { isAppError, notFound } from '../../platform/errors.js';
import { ilike } from '../../platform/db/index.js';
import type { ModuleContext } from '../../platform/module.js';
import { findCompany, findContact, listContacts, searchCompaniesForPicker } from '../registry/index.js';
import {
  approveSignup,
  getAccount,
  inviteMember,
  listPendingSignups,
  refuseSignup,
  revokeInvitation,
  revokeMembership,
  setAccountStatus,
  x,
  type MailDeps,
} from './accounts.service.js';
import { countPendingCorrections, decideCorrection, getCorrection, listPendingCorrections } from './corrections.service.js';
import { assignRequest, closeStaffRequest, countOpenRequests, getStaffAttachment, getStaffRequest, listAssignableStaff, listQueue, listRoutes, REQUEST_CATEGORIES, responseStats, setRoute, staffReply } from './requests.service.js';
import { companyIdForSiret } from '../registry/index.js';
import { sendFile } from './extranet.member.web.js';
import { allowOnly, readForm } from './web-helpers.js';
import { AccountPage, AccountsPage, CorrectionDecisionPage, CorrectionsPage, DashboardPage, InvitePage, QueuePage, RoutingPage, SignupsPage, StaffThreadPage, type SignupQueueRow } from './views/staff.js';

const manage = { config: { permission: 'extranet:manage' as const } };
const answer = { config: { permission: 'extranet:requests' as const } };

export function staffWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db, config } = ctx;
  const mail = async (req: FastifyRequest): Promise<MailDeps> => ({ mailer: ctx.mailer, publicUrl: config.publicUrl, cciName: await ctx.settings.get('cci.name'), t: req.t });
  const id = (req: FastifyRequest): number => {
    const v = idParam((req.params as Record<string, string>).id);
    if (v === undefined) throw notFound();
    return v;
  };
  const companyName = async (companyId: number) => (await findCompany(db, companyId))?.name ?? `#${companyId}`;

  app.get('/gestion-extranet', manage, async (req, reply) => {
    const [signups, corrections, requests, accounts] = await Promise.all([
      listPendingSignups(db).then((r) => r.length),
      countPendingCorrections(db),
      countOpenRequests(db),
      x(db).selectFrom('member_accounts').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow().then((r) => Number(r.n)),
    ]);
    return reply.render(<DashboardPage ctx={req.view()} counts={{ signups, corrections, requests, accounts }} />);
  });

  // ——— accounts ———

  app.get('/gestion-extranet/comptes', manage, async (req, reply) => {
    const q = String((req.query as Record<string, string>).q ?? '').slice(0, 100).trim();
    let query = x(db).selectFrom('member_accounts').selectAll();
    if (q) query = query.where((eb) => eb.or([ilike(db, 'name', q), ilike(db, 'email', q)]));
    const rows = await query.orderBy('name').limit(200).execute();
    const ms = rows.length ? await x(db).selectFrom('member_memberships').select(['account_id', 'company_id']).where('account_id', 'in', rows.map((r) => r.id)).where('status', '=', 'active').execute() : [];
    const names = new Map<number, string>();
    for (const m of ms) if (!names.has(m.company_id)) names.set(m.company_id, await companyName(m.company_id));
    return reply.render(<AccountsPage ctx={req.view()} q={q} rows={rows.map((r) => ({ ...r, companies: ms.filter((m) => m.account_id === r.id).map((m) => names.get(m.company_id)).join(', ') }))} />);
  });

  app.get('/gestion-extranet/comptes/:id', manage, async (req, reply) => {
    const account = await getAccount(db, id(req));
    const ms = await x(db).selectFrom('member_memberships').selectAll().where('account_id', '=', account.id).orderBy('id').execute();
    const memberships = [];
    for (const m of ms) memberships.push({ id: m.id, companyId: m.company_id, companyName: await companyName(m.company_id), role: m.role, status: m.status, origin: m.origin });
    return reply.render(<AccountPage ctx={req.view()} account={account} memberships={memberships} />);
  });

  app.post('/gestion-extranet/comptes/:id/statut', manage, async (req, reply) => {
    allowOnly(req, ['status', 'version']);
    const accountId = id(req);
    const status = str(req.body, 'status', 20) === 'active' ? 'active' : 'disabled';
    await db.transaction().execute((trx) => setAccountStatus(trx, req.actor, accountId, status, int(req.body, 'version') ?? -1));
    reply.flash('success', 'common.saved');
    return reply.redirect(`/gestion-extranet/comptes/${accountId}`);
  });

  app.post('/gestion-extranet/acces/:id/retirer', manage, async (req, reply) => {
    allowOnly(req, []);
    const membershipId = id(req);
    const m = await x(db).selectFrom('member_memberships').select('account_id').where('id', '=', membershipId).executeTakeFirst();
    if (!m) throw notFound();
    await db.transaction().execute((trx) => revokeMembership(trx, req.actor, membershipId));
    reply.flash('success', 'extranet.admin.access_revoked');
    return reply.redirect(`/gestion-extranet/comptes/${m.account_id}`);
  });

  // ——— invitations ———

  const invitePage = async (req: FastifyRequest, reply: FastifyReply, companyId: number | undefined, values: Record<string, string>, errors?: Record<string, string>, status = 200) => {
    const company = companyId !== undefined ? await findCompany(db, companyId) : undefined;
    if (!company) throw notFound();
    const contacts = (await listContacts(db, company.id)).map((c) => ({ id: c.id, name: [c.firstName, c.lastName].filter(Boolean).join(' '), email: c.email }));
    return reply.render(<InvitePage ctx={req.view()} company={company} contacts={contacts} values={values} errors={errors} />, status);
  };

  app.get('/gestion-extranet/invitations/nouvelle', manage, async (req, reply) => {
    const q = req.query as Record<string, string>;
    const companyId = idParam(q.entreprise);
    const contactId = idParam(q.contact);
    const values: Record<string, string> = {};
    if (contactId !== undefined) {
      const c = await findContact(db, contactId);
      // A contact of another company cannot prefill this company's invitation.
      if (c && c.companyId === companyId) Object.assign(values, { name: [c.firstName, c.lastName].filter(Boolean).join(' '), email: c.email ?? '' });
    }
    return invitePage(req, reply, companyId, values);
  });

  app.post('/gestion-extranet/invitations', manage, async (req, reply) => {
    allowOnly(req, ['company_id', 'name', 'email', 'role']);
    const companyId = idParam(str(req.body, 'company_id', 12));
    const values = { name: str(req.body, 'name', 200), email: str(req.body, 'email', 300), role: str(req.body, 'role', 20) };
    if (companyId === undefined) throw notFound();
    try {
      const m = await mail(req);
      await db.transaction().execute((trx) => inviteMember(trx, req.actor, { companyId, ...values, origin: 'staff_invitation' }, m));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return invitePage(req, reply, companyId, values, e.fields, 422);
      throw e;
    }
    reply.flash('success', 'extranet.team.invited');
    return reply.redirect(`/registre/entreprises/${companyId}`);
  });

  app.post('/gestion-extranet/invitations/:id/annuler', manage, async (req, reply) => {
    allowOnly(req, []);
    const invitationId = id(req);
    const inv = await x(db).selectFrom('member_invitations').select('company_id').where('id', '=', invitationId).executeTakeFirst();
    if (!inv) throw notFound();
    await db.transaction().execute((trx) => revokeInvitation(trx, req.actor, invitationId));
    reply.flash('success', 'extranet.team.invitation_cancelled');
    return reply.redirect(`/registre/entreprises/${inv.company_id}`);
  });

  // ——— sign-up queue ———

  const signupsPage = async (req: FastifyRequest, reply: FastifyReply, errors?: Record<string, string>, errorFor?: number, status = 200) => {
    const rows: SignupQueueRow[] = [];
    for (const s of await listPendingSignups(db)) {
      const cid = await companyIdForSiret(db, s.siret);
      const c = cid !== undefined ? await findCompany(db, cid) : undefined;
      rows.push({ ...s, suggestion: c ? { id: c.id, name: c.name } : undefined });
    }
    // A company search to find the right id when the SIRET matches nothing (foreign, new…).
    const q = String((req.query as Record<string, string>)?.q ?? '').slice(0, 100).trim();
    const found = q ? await searchCompaniesForPicker(db, q, 10) : undefined;
    return reply.render(<SignupsPage ctx={req.view()} rows={rows} errors={errors} errorFor={errorFor} q={q} found={found} />, status);
  };

  app.get('/gestion-extranet/inscriptions', manage, async (req, reply) => signupsPage(req, reply));

  app.post('/gestion-extranet/inscriptions/:id/approuver', manage, async (req, reply) => {
    allowOnly(req, ['company_id', 'role', 'version']);
    const signupId = id(req);
    try {
      const m = await mail(req);
      await db.transaction().execute((trx) => approveSignup(trx, req.actor, signupId, { companyId: idParam(str(req.body, 'company_id', 12)), role: str(req.body, 'role', 20), version: int(req.body, 'version') }, m));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return signupsPage(req, reply, e.fields, signupId, 422);
      throw e;
    }
    reply.flash('success', 'extranet.admin.signup_approved');
    return reply.redirect('/gestion-extranet/inscriptions');
  });

  app.post('/gestion-extranet/inscriptions/:id/refuser', manage, async (req, reply) => {
    allowOnly(req, ['reason', 'version']);
    const signupId = id(req);
    try {
      const m = await mail(req);
      await db.transaction().execute((trx) => refuseSignup(trx, req.actor, signupId, { reason: str(req.body, 'reason', 2000), version: int(req.body, 'version') }, m));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return signupsPage(req, reply, e.fields, signupId, 422);
      throw e;
    }
    reply.flash('success', 'extranet.admin.signup_refused');
    return reply.redirect('/gestion-extranet/inscriptions');
  });

  // ——— corrections ———

  app.get('/gestion-extranet/corrections', manage, async (req, reply) => {
    const rows = [];
    for (const c of await listPendingCorrections(db)) rows.push({ ...c, companyName: await companyName(c.company_id) });
    return reply.render(<CorrectionsPage ctx={req.view()} rows={rows} />);
  });

  const correctionPage = async (req: FastifyRequest, reply: FastifyReply, correctionId: number, errors?: Record<string, string>, status = 200) => {
    const c = await getCorrection(db, correctionId);
    const by = await x(db).selectFrom('member_accounts').select(['name', 'email']).where('id', '=', c.account_id).executeTakeFirst();
    return reply.render(<CorrectionDecisionPage ctx={req.view()} req={c} companyName={await companyName(c.company_id)} by={by ? `${by.name} <${by.email}>` : '—'} errors={errors} />, status);
  };

  app.get('/gestion-extranet/corrections/:id', manage, async (req, reply) => correctionPage(req, reply, id(req)));

  app.post('/gestion-extranet/corrections/:id/decision', manage, async (req, reply) => {
    allowOnly(req, ['accepted', 'reason', 'version', 'decision']);
    const correctionId = id(req);
    const accepted = str(req.body, 'decision', 20) === 'refuse' ? [] : list(req.body, 'accepted');
    try {
      const m = await mail(req);
      await db.transaction().execute((trx) => decideCorrection(trx, req.actor, correctionId, { accepted, reason: str(req.body, 'reason', 2000), version: int(req.body, 'version') }, m));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return correctionPage(req, reply, correctionId, Object.keys(e.fields).length ? e.fields : { _form: req.t(e.code, e.params) }, 422);
      throw e;
    }
    reply.flash('success', 'extranet.admin.correction_decided');
    return reply.redirect(`/gestion-extranet/corrections/${correctionId}`);
  });

  // ——— requests queue ———

  app.get('/gestion-extranet/demandes', answer, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const rows = await listQueue(db, req.actor, { category: q.categorie, status: q.statut, assignee: q.assigne === 'me' || q.assigne === 'none' ? q.assigne : undefined, companyId: idParam(q.entreprise) });
    const companies = new Map<number, string>();
    for (const r of rows) if (!companies.has(r.company_id)) companies.set(r.company_id, await companyName(r.company_id));
    return reply.render(<QueuePage ctx={req.view()} rows={rows} query={q} stats={await responseStats(db)} companies={companies} />);
  });

  const threadPage = async (req: FastifyRequest, reply: FastifyReply, requestId: number, errors?: Record<string, string>, body?: string, status = 200) => {
    const thread = await getStaffRequest(db, requestId);
    const author = await x(db).selectFrom('member_accounts').select(['name', 'email']).where('id', '=', thread.request.account_id).executeTakeFirst();
    return reply.render(
      <StaffThreadPage ctx={req.view()} thread={thread} companyName={await companyName(thread.request.company_id)} author={author ? `${author.name} <${author.email}>` : '—'} staff={await listAssignableStaff(db)} errors={errors} body={body} />,
      status,
    );
  };

  app.get('/gestion-extranet/demandes/:id', answer, async (req, reply) => threadPage(req, reply, id(req)));

  app.post('/gestion-extranet/demandes/:id/reponse', answer, async (req, reply) => {
    const requestId = id(req);
    await getStaffRequest(db, requestId);
    const form = await readForm(req, ['body', 'status', 'version']);
    if (form.fileError) return threadPage(req, reply, requestId, { attachments: form.fileError }, form.fields.body, 422);
    try {
      const m = await mail(req);
      await db.transaction().execute((trx) => staffReply(trx, req.actor, requestId, { body: form.fields.body ?? '', status: form.fields.status ?? '', version: idParam(form.fields.version ?? '') }, form.files, m));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return threadPage(req, reply, requestId, e.fields, form.fields.body, 422);
      // Someone wrote in between: show the new messages and keep the reply typed so far.
      if (isAppError(e) && e.kind === 'conflict') return threadPage(req, reply, requestId, { _form: e.code === 'common.stale_version' ? 'extranet.thread.stale' : e.code }, form.fields.body, 409);
      throw e;
    }
    reply.flash('success', 'extranet.thread.sent');
    return reply.redirect(`/gestion-extranet/demandes/${requestId}`);
  });

  app.post('/gestion-extranet/demandes/:id/assigner', answer, async (req, reply) => {
    allowOnly(req, ['assignee_id', 'version']);
    const requestId = id(req);
    const raw = str(req.body, 'assignee_id', 12);
    const assignee = raw === '' ? null : (idParam(raw) ?? -1);
    await db.transaction().execute((trx) => assignRequest(trx, req.actor, requestId, assignee, int(req.body, 'version')));
    reply.flash('success', 'common.saved');
    return reply.redirect(`/gestion-extranet/demandes/${requestId}`);
  });

  app.post('/gestion-extranet/demandes/:id/cloturer', answer, async (req, reply) => {
    allowOnly(req, ['version']);
    const requestId = id(req);
    await db.transaction().execute((trx) => closeStaffRequest(trx, req.actor, requestId, int(req.body, 'version')));
    reply.flash('success', 'extranet.requests.closed');
    return reply.redirect(`/gestion-extranet/demandes/${requestId}`);
  });

  app.get('/gestion-extranet/pieces-jointes/:id', answer, async (req, reply) => sendFile(reply, await getStaffAttachment(db, id(req))));

  // ——— routing by category ———

  app.get('/gestion-extranet/routage', manage, async (req, reply) => reply.render(<RoutingPage ctx={req.view()} routes={await listRoutes(db)} staff={await listAssignableStaff(db)} />));

  app.post('/gestion-extranet/routage', manage, async (req, reply) => {
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
  });
}
