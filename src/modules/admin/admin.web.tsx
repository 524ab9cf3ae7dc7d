// Handlers of the admin screens (users, roles matrix, API tokens, audit log, outbox, jobs,
// health, CCI settings), listed with their access in admin.routes.ts. The writes are platform
// services (users, tokens, settings); each runs in the handler's transaction with its audit row.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { listApiTokens, revokeApiToken } from '../../platform/auth/api-tokens.js';
import { sendStaffLink } from '../../platform/auth/auth.web.js';
import { createUser, getUser, listUsers, setUserStatus, unlockUser, updateUser } from '../../platform/auth/users.js';
import { conflict, notFound, type FieldErrors } from '../../platform/errors.js';
import { int, list, onInvalid, raw, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { auditFacets, findMail, listActiveUsers, listAudit, listJobs, listOutbox, listUserNames } from './admin.queries.js';
import { saveCciSettings, type CciSettingsInput } from './admin.service.js';
import type { AdminDb } from './admin.table.js';
import { HealthPage } from './views/health.js';
import { AuditPage, JobsPage, MailPage, OutboxPage, RolesPage, SettingsPage, TokensPage } from './views/misc.js';
import { UserFormPage, UserPage, UsersPage, type UserFormValues } from './views/users.js';

type Ctx = ModuleContext<AdminDb>;
type Query = Record<string, string | undefined>;

function pageParam(q: Query): number {
  const p = Number(q.page);
  return Number.isInteger(p) && p > 0 && p < 100000 ? p : 1;
}

/** The :id of a staff member: anything but digits is a user that does not exist. */
const userId = (req: FastifyRequest) => requireId(req, 'id', 'admin.user_not_found');

/** What sending an invitation or a reset link needs, on the handler's transaction. */
const linkDeps = ({ config, mailer, settings }: Ctx, db: AdminDb) => ({ db, config, mailer, settings });

// users

export async function handleUsers(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Query;
  const page = pageParam(q);
  const { items, total } = await listUsers(db, { q: q.q?.slice(0, 100), role: q.role, status: q.status }, page);
  return reply.render(<UsersPage ctx={req.view()} users={items} total={total} page={page} query={q} />);
}

export async function handleNewUserForm(req: FastifyRequest, reply: FastifyReply) {
  return reply.render(<UserFormPage ctx={req.view()} values={{ roles: ['staff'] }} />);
}

/** Without an initial password the new colleague is invited by mail to choose one. */
export async function handleCreateUser(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const values: UserFormValues = { name: str(req.body, 'name', 500), email: str(req.body, 'email', 500), roles: list(req.body, 'roles') };
  const password = raw(req.body, 'password', 300);
  return onInvalid(
    reply,
    async () => {
      const user = await ctx.db.transaction().execute(async (trx) => {
        const u = await createUser(trx, req.actor, { name: values.name!, email: values.email!, roles: values.roles!, password: password || undefined, locale: req.locale });
        if (!password) await sendStaffLink(linkDeps(ctx, trx), 'invitation', u.id, req.t, req.user!.name);
        return u;
      });
      reply.flash('success', password ? 'admin.user_created' : 'admin.user_invited');
      return reply.redirect(`/admin/utilisateurs/${user.id}`);
    },
    (errors) => <UserFormPage ctx={req.view()} values={values} errors={errors} />,
  );
}

export async function handleUser(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const u = await getUser(db, userId(req));
  const manager = u.manager_id ? await getUser(db, u.manager_id).catch(() => undefined) : undefined;
  return reply.render(<UserPage ctx={req.view()} user={u} managerName={manager?.name} />);
}

export async function handleEditUserForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const u = await getUser(db, userId(req));
  const values = { name: u.name, email: u.email, roles: u.roles, version: u.version, managerId: u.manager_id ? String(u.manager_id) : '' };
  return reply.render(<UserFormPage ctx={req.view()} userId={u.id} values={values} managers={await listActiveUsers(db)} />);
}

export async function handleSaveUser(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = userId(req);
  const values: UserFormValues = { name: str(req.body, 'name', 500), email: str(req.body, 'email', 500), roles: list(req.body, 'roles'), version: int(req.body, 'version'), managerId: str(req.body, 'manager_id', 20) };
  // The form always sends the field; an API-like post without it leaves the manager unchanged.
  const hasManager = (req.body as Record<string, unknown>)?.manager_id !== undefined;
  const managerId = !hasManager ? undefined : values.managerId === '' ? null : /^\d{1,9}$/.test(values.managerId!) ? Number(values.managerId) : -1;
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => updateUser(trx, req.actor, id, { name: values.name!, email: values.email!, roles: values.roles!, version: values.version ?? -1, managerId }));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/admin/utilisateurs/${id}`);
    },
    async (errors) => <UserFormPage ctx={req.view()} userId={id} values={values} errors={errors} managers={await listActiveUsers(db)} />,
    { conflict: true },
  );
}

/** One action on a user's page: runs in its own transaction with its audit row, then back to the page. */
async function userAction(req: FastifyRequest, reply: FastifyReply, db: AdminDb, run: (trx: AdminDb, id: number) => Promise<unknown>, flash: string) {
  const id = userId(req);
  await db.transaction().execute((trx) => run(trx, id));
  reply.flash('success', flash);
  return reply.redirect(`/admin/utilisateurs/${id}`);
}

export async function handleDeactivateUser(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return userAction(req, reply, db, (trx, id) => setUserStatus(trx, req.actor, id, 'disabled', int(req.body, 'version') ?? -1), 'admin.deactivated');
}

export async function handleReactivateUser(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return userAction(req, reply, db, (trx, id) => setUserStatus(trx, req.actor, id, 'active', int(req.body, 'version') ?? -1), 'admin.activated');
}

export async function handleUnlockUser(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return userAction(req, reply, db, (trx, id) => unlockUser(trx, req.actor, id), 'admin.unlocked');
}

export async function handleSendPasswordReset(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return userAction(req, reply, ctx.db, (trx, id) => sendStaffLink(linkDeps(ctx, trx), 'password_reset', id, req.t), 'admin.reset_sent');
}

/** Sends the invitation again, only to someone who has not accepted it yet. */
export async function handleResendInvitation(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return userAction(
    req,
    reply,
    ctx.db,
    async (trx, id) => {
      const u = await getUser(trx, id);
      if (u.status !== 'invited') throw conflict('admin.not_invited');
      await sendStaffLink(linkDeps(ctx, trx), 'invitation', id, req.t, req.user!.name);
    },
    'admin.invite_sent',
  );
}

export async function handleRoles(req: FastifyRequest, reply: FastifyReply) {
  return reply.render(<RolesPage ctx={req.view()} />);
}

// API tokens

export async function handleTokens(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<TokensPage ctx={req.view()} tokens={await listApiTokens(db)} />);
}

export async function handleRevokeToken(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'admin.token_not_found');
  await db.transaction().execute((trx) => revokeApiToken(trx, req.actor, id));
  reply.flash('success', 'admin.token_revoked_done');
  return reply.redirect('/admin/jetons');
}

// audit log, outbox, jobs, health

export async function handleAudit(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Query;
  const date = (v?: string) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  const page = pageParam(q);
  const actor = q.actor && /^\d{1,9}$/.test(q.actor) ? Number(q.actor) : undefined;
  const [{ items, total }, facets, people] = await Promise.all([
    listAudit(db, { actor, entity: q.entity?.slice(0, 60), entityId: q.entityId?.slice(0, 60), action: q.action?.slice(0, 60), from: date(q.from), to: date(q.to) }, page),
    auditFacets(db),
    listUserNames(db),
  ]);
  return reply.render(<AuditPage ctx={req.view()} items={items} total={total} page={page} query={q} users={people} entities={facets.entities} actions={facets.actions} />);
}

export async function handleOutbox(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const page = pageParam(req.query as Query);
  const { items, total } = await listOutbox(db, page);
  return reply.render(<OutboxPage ctx={req.view()} items={items} total={total} page={page} />);
}

export async function handleMail(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const mail = await findMail(db, requireId(req));
  if (!mail) throw notFound();
  return reply.render(<MailPage ctx={req.view()} mail={mail} />);
}

export async function handleJobs(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<JobsPage ctx={req.view()} jobs={await listJobs(db)} />);
}

/** Operators' view of responsiveness; /health stays a bare up/down answer for probes. */
export async function handleHealth(req: FastifyRequest, reply: FastifyReply, { loadStats, dialect }: Ctx) {
  const mem = process.memoryUsage();
  const mib = (b: number) => Math.round(b / 1048576);
  return reply.render(<HealthPage ctx={req.view()} h={{ load: loadStats(), rssMiB: mib(mem.rss), heapMiB: mib(mem.heapUsed), dialect }} />);
}

// CCI settings

/** The settings form: the stored values, or the values as typed when they were refused. */
async function settingsForm(req: FastifyRequest, { settings }: Ctx, errors?: FieldErrors, values?: CciSettingsInput) {
  const name = values?.name ?? (await settings.get('cci.name'));
  const territory = values?.territory ?? (await settings.get('cci.territory')).join(', ');
  return <SettingsPage ctx={req.view()} name={name} territory={territory} territoryFromEnv={settings.isOverridden('cci.territory')} errors={errors} />;
}

export async function handleSettings(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  return reply.render(await settingsForm(req, ctx));
}

export async function handleSaveSettings(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const values: CciSettingsInput = { name: str(req.body, 'name', 500), territory: str(req.body, 'territory', 2000) };
  return onInvalid(
    reply,
    async () => {
      await ctx.db.transaction().execute((trx) => saveCciSettings(trx, ctx.settings, req.actor, values));
      reply.flash('success', 'admin.settings_saved');
      return reply.redirect('/admin/parametres');
    },
    (errors) => settingsForm(req, ctx, errors, values),
  );
}
