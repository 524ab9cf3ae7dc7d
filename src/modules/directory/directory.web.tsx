// Directory routes (/annuaire…): every staff member reads; a person edits their own entry;
// directory:edit (HR, webmaster) edits anyone's and the org chart.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { can } from '../../platform/access/index.js';
import type { PlatformTables } from '../../platform/db/tables.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { idParam, int, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import * as svc from './directory.service.js';
import { OrgChartPage, PersonPage, ProfileForm, SearchPage, ServiceForm, ServicePage } from './views.js';

const read = { config: { permission: 'portal:use' as const } };
const edit = { config: { permission: 'directory:edit' as const } };

function id(req: FastifyRequest, name = 'id'): number {
  const v = idParam((req.params as Record<string, string>)[name]);
  if (v === undefined) throw new AppError('not_found', 'common.not_found');
  return v;
}

export function directoryWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;
  const users = () => (db as Kysely<PlatformTables>).selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();

  app.get('/annuaire', read, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const p = Number(q.page);
    const page = Number.isInteger(p) && p > 0 && p < 1000 ? p : 1;
    const [{ items, total }, services] = await Promise.all([svc.searchPeople(db, { q: q.q?.slice(0, 100), serviceId: idParam(q.service), skill: q.competence?.slice(0, 60) }, 48, (page - 1) * 48), svc.listServices(db)]);
    return reply.render(<SearchPage ctx={req.view()} people={items} total={total} page={page} query={q} services={services} />);
  });

  app.get('/annuaire/personnes/:id', read, async (req, reply) => {
    const person = await svc.getPerson(db, id(req));
    const [manager, reports] = await Promise.all([person.manager_id ? svc.getPerson(db, person.manager_id).catch(() => undefined) : undefined, svc.reportsOf(db, person.id)]);
    return reply.render(<PersonPage ctx={req.view()} person={person} manager={manager} reports={reports} canEdit={svc.mayEditProfile(req.actor, person.id)} />);
  });

  const profileForm = async (req: FastifyRequest, reply: FastifyReply, person: svc.Person, values: Record<string, string | undefined>, errors?: Record<string, string>, status = 200) =>
    reply.render(<ProfileForm ctx={req.view()} person={person} values={values} services={await svc.listServices(db)} errors={errors} />, status);

  app.get('/annuaire/personnes/:id/modifier', read, async (req, reply) => {
    const person = await svc.getPerson(db, id(req));
    if (!svc.mayEditProfile(req.actor, person.id)) throw new AppError('forbidden', 'directory.not_yours');
    return profileForm(req, reply, person, { job_title: person.job_title ?? '', service_id: person.service_id ? String(person.service_id) : '', phone: person.phone ?? '', mobile: person.mobile ?? '', office: person.office ?? '', skills: person.skills ?? '' });
  });

  app.post('/annuaire/personnes/:id/modifier', read, async (req, reply) => {
    const userId = id(req);
    const values = { job_title: str(req.body, 'job_title', 200), service_id: str(req.body, 'service_id', 12), phone: str(req.body, 'phone', 40), mobile: str(req.body, 'mobile', 40), office: str(req.body, 'office', 200), skills: str(req.body, 'skills', 2000) };
    try {
      await db.transaction().execute((trx) => svc.saveProfile(trx, req.actor, userId, { ...values, version: int(req.body, 'version') }));
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) return profileForm(req, reply, await svc.getPerson(db, userId), values, e.kind === 'invalid' ? e.fields : { _form: e.code }, e.kind === 'invalid' ? 422 : 409);
      throw e;
    }
    reply.flash('success', 'common.saved');
    return reply.redirect(`/annuaire/personnes/${userId}`);
  });

  app.post('/annuaire/personnes/:id/photo', read, async (req, reply) => {
    const userId = id(req);
    try {
      const file = req.isMultipart() ? await req.file({ limits: { fileSize: 10 * 1024 * 1024 } }) : undefined;
      const bytes = file ? await file.toBuffer() : Buffer.alloc(0);
      if (file?.file.truncated) throw new AppError('payload_too_large', 'common.payload_too_large');
      await db.transaction().execute((trx) => svc.savePhoto(trx, ctx.config.dataDir, req.actor, userId, bytes));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') {
        const person = await svc.getPerson(db, userId);
        return profileForm(req, reply, person, { job_title: person.job_title ?? '', service_id: person.service_id ? String(person.service_id) : '', phone: person.phone ?? '', mobile: person.mobile ?? '', office: person.office ?? '', skills: person.skills ?? '' }, e.fields, 422);
      }
      throw e;
    }
    reply.flash('success', 'directory.photo_saved');
    return reply.redirect(`/annuaire/personnes/${userId}`);
  });

  app.get('/annuaire/photos/:id', read, async (req, reply) => {
    const person = await svc.getPerson(db, id(req));
    const bytes = person.photo_key ? svc.readPhoto(ctx.config.dataDir, person.photo_key) : undefined;
    if (!bytes) throw new AppError('not_found', 'common.not_found');
    return reply.type('image/webp').header('cache-control', 'private, max-age=86400').header('x-content-type-options', 'nosniff').send(bytes);
  });

  app.get('/annuaire/services', read, async (req, reply) => {
    const [services, counts, people] = await Promise.all([svc.listServices(db), svc.serviceCounts(db), users()]);
    return reply.render(<OrgChartPage ctx={req.view()} services={services} counts={counts} heads={new Map(people.map((u) => [u.id, u.name]))} canEdit={can(req.actor, 'directory:edit')} />);
  });

  const serviceForm = async (req: FastifyRequest, reply: FastifyReply, service: svc.Service | undefined, values: Record<string, string | undefined>, errors?: Record<string, string>, status = 200) =>
    reply.render(<ServiceForm ctx={req.view()} service={service} values={values} services={await svc.listServices(db)} users={await users()} errors={errors} />, status);
  const serviceValues = (body: unknown) => ({ name: str(body, 'name', 200), parent_id: str(body, 'parent_id', 12), head_user_id: str(body, 'head_user_id', 12), description: str(body, 'description', 2000), email: str(body, 'email', 200), phone: str(body, 'phone', 40), position: str(body, 'position', 6) });

  app.get('/annuaire/services/nouveau', edit, async (req, reply) => serviceForm(req, reply, undefined, {}));
  app.post('/annuaire/services', edit, async (req, reply) => {
    const values = serviceValues(req.body);
    try {
      const s = await db.transaction().execute((trx) => svc.createService(trx, req.actor, values));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/annuaire/services/${s.id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return serviceForm(req, reply, undefined, values, e.fields, 422);
      throw e;
    }
  });

  app.get('/annuaire/services/:id', read, async (req, reply) => {
    const service = await svc.getService(db, id(req));
    const [all, { items }] = await Promise.all([svc.listServices(db), svc.searchPeople(db, { serviceId: service.id }, 500)]);
    const head = service.head_user_id ? await svc.getPerson(db, service.head_user_id).catch(() => undefined) : undefined;
    return reply.render(<ServicePage ctx={req.view()} service={service} parent={all.find((s) => s.id === service.parent_id)} subs={all.filter((s) => s.parent_id === service.id)} people={items} head={head} canEdit={can(req.actor, 'directory:edit')} />);
  });
  app.get('/annuaire/services/:id/modifier', edit, async (req, reply) => {
    const s = await svc.getService(db, id(req));
    return serviceForm(req, reply, s, { name: s.name, parent_id: s.parent_id ? String(s.parent_id) : '', head_user_id: s.head_user_id ? String(s.head_user_id) : '', description: s.description, email: s.email ?? '', phone: s.phone ?? '', position: String(s.position) });
  });
  app.post('/annuaire/services/:id', edit, async (req, reply) => {
    const sid = id(req);
    const values = serviceValues(req.body);
    try {
      await db.transaction().execute((trx) => svc.updateService(trx, req.actor, sid, { ...values, version: int(req.body, 'version') }));
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) return serviceForm(req, reply, await svc.getService(db, sid), values, e.kind === 'invalid' ? e.fields : { _form: e.code }, e.kind === 'invalid' ? 422 : 409);
      throw e;
    }
    reply.flash('success', 'common.saved');
    return reply.redirect(`/annuaire/services/${sid}`);
  });
}
