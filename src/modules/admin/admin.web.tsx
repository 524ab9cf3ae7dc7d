// Admin screens: users, roles matrix, API tokens, audit log, outbox, jobs, CCI settings.
// The example module: routes declare their permission, call platform services, render views.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { listApiTokens, revokeApiToken } from '../../platform/auth/api-tokens.js';
import { sendStaffLink } from '../../platform/auth/auth.web.js';
import { createUser, getUser, listUsers, setUserStatus, unlockUser, updateUser } from '../../platform/auth/users.js';
import type { PlatformTables } from '../../platform/db/tables.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { idParam, int, list, raw, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { auditFacets, findMail, listAudit, listJobs, listOutbox } from './admin.queries.js';
import { HealthPage } from './views/health.js';
import { AuditPage, JobsPage, MailPage, OutboxPage, RolesPage, SettingsPage, TokensPage } from './views/misc.js';
import { UserFormPage, UserPage, UsersPage, type UserFormValues } from './views/users.js';

const TERRITORY_CODE = /^(\d{2}|2A|2B|97\d|\d{5}|2[AB]\d{3})$/;

function pageParam(q: Record<string, string | undefined>): number {
  const p = Number(q.page);
  return Number.isInteger(p) && p > 0 && p < 100000 ? p : 1;
}

function userId(req: FastifyRequest): number {
  const id = idParam((req.params as { id: string }).id);
  if (id === undefined) throw new AppError('not_found', 'admin.user_not_found');
  return id;
}

export function adminWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;
  const users = { config: { permission: 'admin:users' as const } };
  const links = { db, config: ctx.config, mailer: ctx.mailer, settings: ctx.settings };

  app.get('/admin/utilisateurs', users, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const page = pageParam(q);
    const { items, total } = await listUsers(db, { q: q.q?.slice(0, 100), role: q.role, status: q.status }, page);
    return reply.render(<UsersPage ctx={req.view()} users={items} total={total} page={page} query={q} />);
  });

  app.get('/admin/utilisateurs/nouveau', users, async (req, reply) => reply.render(<UserFormPage ctx={req.view()} values={{ roles: ['staff'] }} />));

  app.post('/admin/utilisateurs', users, async (req, reply) => {
    const values: UserFormValues = { name: str(req.body, 'name', 500), email: str(req.body, 'email', 500), roles: list(req.body, 'roles') };
    const password = raw(req.body, 'password', 300);
    try {
      const user = await db.transaction().execute(async (trx) => {
        const u = await createUser(trx, req.actor, { name: values.name!, email: values.email!, roles: values.roles!, password: password || undefined, locale: req.locale });
        if (!password) await sendStaffLink({ ...links, db: trx }, 'invitation', u.id, req.t, req.user!.name);
        return u;
      });
      reply.flash('success', password ? 'admin.user_created' : 'admin.user_invited');
      return reply.redirect(`/admin/utilisateurs/${user.id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<UserFormPage ctx={req.view()} values={values} errors={e.fields} />, 422);
      throw e;
    }
  });

  const activeUsers = () => (db as Kysely<PlatformTables>).selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();

  app.get('/admin/utilisateurs/:id', users, async (req, reply) => {
    const u = await getUser(db, userId(req));
    const manager = u.manager_id ? await getUser(db, u.manager_id).catch(() => undefined) : undefined;
    return reply.render(<UserPage ctx={req.view()} user={u} managerName={manager?.name} />);
  });

  app.get('/admin/utilisateurs/:id/modifier', users, async (req, reply) => {
    const u = await getUser(db, userId(req));
    const values = { name: u.name, email: u.email, roles: u.roles, version: u.version, managerId: u.manager_id ? String(u.manager_id) : '' };
    return reply.render(<UserFormPage ctx={req.view()} userId={u.id} values={values} managers={await activeUsers()} />);
  });

  app.post('/admin/utilisateurs/:id', users, async (req, reply) => {
    const id = userId(req);
    const values: UserFormValues = { name: str(req.body, 'name', 500), email: str(req.body, 'email', 500), roles: list(req.body, 'roles'), version: int(req.body, 'version'), managerId: str(req.body, 'manager_id', 20) };
    // The form always sends the field; an API-like post without it leaves the manager unchanged.
    const hasManager = (req.body as Record<string, unknown>)?.manager_id !== undefined;
    const managerId = !hasManager ? undefined : values.managerId === '' ? null : /^\d{1,9}$/.test(values.managerId!) ? Number(values.managerId) : -1;
    try {
      await db.transaction().execute((trx) => updateUser(trx, req.actor, id, { name: values.name!, email: values.email!, roles: values.roles!, version: values.version ?? -1, managerId }));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/admin/utilisateurs/${id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<UserFormPage ctx={req.view()} userId={id} values={values} errors={e.fields} managers={await activeUsers()} />, 422);
      if (isAppError(e) && e.kind === 'conflict') return reply.render(<UserFormPage ctx={req.view()} userId={id} values={values} errors={{ _form: e.code }} managers={await activeUsers()} />, 409);
      throw e;
    }
  });

  // Each action runs in its own transaction, together with its audit row.
  type Trx = typeof db;
  const action = (path: string, run: (req: FastifyRequest, id: number, trx: Trx) => Promise<unknown>, flash: string) =>
    app.post(`/admin/utilisateurs/:id/${path}`, users, async (req: FastifyRequest, reply: FastifyReply) => {
      const id = userId(req);
      await db.transaction().execute((trx) => run(req, id, trx));
      reply.flash('success', flash);
      return reply.redirect(`/admin/utilisateurs/${id}`);
    });
  action('desactiver', (req, id, trx) => setUserStatus(trx, req.actor, id, 'disabled', int(req.body, 'version') ?? -1), 'admin.deactivated');
  action('reactiver', (req, id, trx) => setUserStatus(trx, req.actor, id, 'active', int(req.body, 'version') ?? -1), 'admin.activated');
  action('deverrouiller', (req, id, trx) => unlockUser(trx, req.actor, id), 'admin.unlocked');
  action('reinitialiser', (req, id, trx) => sendStaffLink({ ...links, db: trx }, 'password_reset', id, req.t), 'admin.reset_sent');
  action(
    'inviter',
    async (req, id, trx) => {
      const u = await getUser(trx, id);
      if (u.status !== 'invited') throw new AppError('conflict', 'admin.still_invited');
      await sendStaffLink({ ...links, db: trx }, 'invitation', id, req.t, req.user!.name);
    },
    'admin.invite_sent',
  );

  app.get('/admin/roles', users, async (req, reply) => reply.render(<RolesPage ctx={req.view()} />));

  app.get('/admin/jetons', users, async (req, reply) => reply.render(<TokensPage ctx={req.view()} tokens={await listApiTokens(db)} />));
  app.post('/admin/jetons/:id/revoquer', users, async (req, reply) => {
    const id = idParam((req.params as { id: string }).id);
    if (id === undefined) throw new AppError('not_found', 'admin.token_not_found');
    await db.transaction().execute((trx) => revokeApiToken(trx, req.actor, id));
    reply.flash('success', 'admin.token_revoked_done');
    return reply.redirect('/admin/jetons');
  });

  app.get('/admin/audit', { config: { permission: 'admin:audit' } }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const date = (v?: string) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
    const page = pageParam(q);
    const actor = q.actor && /^\d{1,9}$/.test(q.actor) ? Number(q.actor) : undefined;
    const [{ items, total }, facets, people] = await Promise.all([
      listAudit(db, { actor, entity: q.entity?.slice(0, 60), entityId: q.entityId?.slice(0, 60), action: q.action?.slice(0, 60), from: date(q.from), to: date(q.to) }, page),
      auditFacets(db),
      (db as Kysely<PlatformTables>).selectFrom('users').select(['id', 'name']).orderBy('name').execute(),
    ]);
    return reply.render(<AuditPage ctx={req.view()} items={items} total={total} page={page} query={q} users={people} entities={facets.entities} actions={facets.actions} />);
  });

  app.get('/admin/boite-envoi', { config: { permission: 'admin:outbox' } }, async (req, reply) => {
    const page = pageParam(req.query as Record<string, string | undefined>);
    const { items, total } = await listOutbox(db, page);
    return reply.render(<OutboxPage ctx={req.view()} items={items} total={total} page={page} />);
  });
  app.get('/admin/boite-envoi/:id', { config: { permission: 'admin:outbox' } }, async (req, reply) => {
    const id = idParam((req.params as { id: string }).id);
    const mail = id === undefined ? undefined : await findMail(db, id);
    if (!mail) throw new AppError('not_found', 'common.not_found');
    return reply.render(<MailPage ctx={req.view()} mail={mail} />);
  });

  app.get('/admin/taches', { config: { permission: 'admin:jobs' } }, async (req, reply) => reply.render(<JobsPage ctx={req.view()} jobs={await listJobs(db)} />));

  // Operators' view of responsiveness; /health stays a bare up/down answer for probes.
  app.get('/admin/sante', { config: { permission: 'admin:jobs' } }, async (req, reply) => {
    const mem = process.memoryUsage();
    const mib = (b: number) => Math.round(b / 1048576);
    return reply.render(<HealthPage ctx={req.view()} h={{ load: ctx.loadStats(), rssMiB: mib(mem.rss), heapMiB: mib(mem.heapUsed), dialect: ctx.dialect }} />);
  });

  const settingsPage = async (req: FastifyRequest, reply: FastifyReply, errors?: Record<string, string>, values?: { name: string; territory: string }) => {
    const name = values?.name ?? (await ctx.settings.get('cci.name'));
    const territory = values?.territory ?? (await ctx.settings.get('cci.territory')).join(', ');
    return reply.render(<SettingsPage ctx={req.view()} name={name} territory={territory} territoryFromEnv={ctx.settings.isOverridden('cci.territory')} errors={errors} />, errors ? 422 : 200);
  };
  app.get('/admin/parametres', { config: { permission: 'admin:settings' } }, async (req, reply) => settingsPage(req, reply));
  app.post('/admin/parametres', { config: { permission: 'admin:settings' } }, async (req, reply) => {
    const name = str(req.body, 'name', 500);
    const territoryRaw = str(req.body, 'territory', 2000);
    const errors: Record<string, string> = {};
    if (!name) errors.name = 'field.required';
    else if (name.length > 120) errors.name = 'field.too_long';
    const codes = territoryRaw.split(/[,;\s]+/).map((c) => c.trim().toUpperCase()).filter(Boolean);
    if (!ctx.settings.isOverridden('cci.territory') && (codes.length === 0 || !codes.every((c) => TERRITORY_CODE.test(c)))) errors.territory = 'admin.territory_invalid';
    if (Object.keys(errors).length) return settingsPage(req, reply, errors, { name, territory: territoryRaw });
    await db.transaction().execute(async (trx) => {
      await ctx.settings.set(req.actor, 'cci.name', name, trx);
      if (!ctx.settings.isOverridden('cci.territory')) await ctx.settings.set(req.actor, 'cci.territory', codes, trx);
    });
    reply.flash('success', 'admin.settings_saved');
    return reply.redirect('/admin/parametres');
  });
}
