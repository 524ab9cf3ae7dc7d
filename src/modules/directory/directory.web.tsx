// Directory handlers (/annuaire…), listed with their access in directory.routes.ts: every staff
// member reads; a person edits their own entry; directory:edit (HR, webmaster) edits anyone's
// and the org chart.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/access/index.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { idParam, int, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import type { DirectoryDb } from './directory.table.js';
import * as svc from './directory.service.js';
import { OrgChartPage, PersonPage, ProfileForm, SearchPage, ServiceForm, ServicePage } from './views.js';

type Ctx = ModuleContext<DirectoryDb>;

export async function handleSearch(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const q = req.query as Record<string, string | undefined>;
  const p = Number(q.page);
  const page = Number.isInteger(p) && p > 0 && p < 1000 ? p : 1;
  const [{ items, total }, services] = await Promise.all([svc.searchPeople(db, { q: q.q?.slice(0, 100), serviceId: idParam(q.service), skill: q.competence?.slice(0, 60) }, 48, (page - 1) * 48), svc.listServices(db)]);
  return reply.render(<SearchPage ctx={req.view()} people={items} total={total} page={page} query={q} services={services} />);
}

export async function handlePerson(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const person = await svc.getPerson(db, requireId(req));
  const [manager, reports] = await Promise.all([person.manager_id ? svc.getPerson(db, person.manager_id).catch(() => undefined) : undefined, svc.reportsOf(db, person.id)]);
  return reply.render(<PersonPage ctx={req.view()} person={person} manager={manager} reports={reports} canEdit={svc.mayEditProfile(req.actor, person.id)} />);
}

const profileValues = (person: svc.Person) => ({ job_title: person.job_title ?? '', service_id: person.service_id ? String(person.service_id) : '', phone: person.phone ?? '', mobile: person.mobile ?? '', office: person.office ?? '', skills: person.skills ?? '' });

async function profileForm(req: FastifyRequest, db: DirectoryDb, person: svc.Person, values: Record<string, string | undefined>, errors?: FieldErrors) {
  return <ProfileForm ctx={req.view()} person={person} values={values} services={await svc.listServices(db)} errors={errors} />;
}

export async function handleProfileForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const person = await svc.getPerson(db, requireId(req));
  if (!svc.mayEditProfile(req.actor, person.id)) throw new AppError('forbidden', 'directory.not_yours');
  return reply.render(await profileForm(req, db, person, profileValues(person)));
}

export async function handleSaveProfile(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const userId = requireId(req);
  const values = { job_title: str(req.body, 'job_title', 200), service_id: str(req.body, 'service_id', 12), phone: str(req.body, 'phone', 40), mobile: str(req.body, 'mobile', 40), office: str(req.body, 'office', 200), skills: str(req.body, 'skills', 2000) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => svc.saveProfile(trx, req.actor, userId, { ...values, version: int(req.body, 'version') }));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/annuaire/personnes/${userId}`);
    },
    async (errors) => profileForm(req, db, await svc.getPerson(db, userId), values, errors),
    { conflict: true },
  );
}

export async function handleSavePhoto(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const userId = requireId(req);
  return onInvalid(
    reply,
    async () => {
      const file = req.isMultipart() ? await req.file({ limits: { fileSize: 10 * 1024 * 1024 } }) : undefined;
      const bytes = file ? await file.toBuffer() : Buffer.alloc(0);
      if (file?.file.truncated) throw new AppError('payload_too_large', 'common.payload_too_large');
      await db.transaction().execute((trx) => svc.savePhoto(trx, config.dataDir, req.actor, userId, bytes));
      reply.flash('success', 'directory.photo_saved');
      return reply.redirect(`/annuaire/personnes/${userId}`);
    },
    async (errors) => {
      const person = await svc.getPerson(db, userId);
      return profileForm(req, db, person, profileValues(person), errors);
    },
  );
}

export async function handlePhoto(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const person = await svc.getPerson(db, requireId(req));
  const bytes = person.photo_key ? svc.readPhoto(config.dataDir, person.photo_key) : undefined;
  if (!bytes) throw new AppError('not_found', 'common.not_found');
  return reply.type('image/webp').header('cache-control', 'private, max-age=86400').header('x-content-type-options', 'nosniff').send(bytes);
}

export async function handleOrgChart(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const [services, counts, people] = await Promise.all([svc.listServices(db), svc.serviceCounts(db), svc.activeUsers(db)]);
  return reply.render(<OrgChartPage ctx={req.view()} services={services} counts={counts} heads={new Map(people.map((u) => [u.id, u.name]))} canEdit={can(req.actor, 'directory:edit')} />);
}

async function serviceForm(req: FastifyRequest, db: DirectoryDb, service: svc.Service | undefined, values: Record<string, string | undefined>, errors?: FieldErrors) {
  return <ServiceForm ctx={req.view()} service={service} values={values} services={await svc.listServices(db)} users={await svc.activeUsers(db)} errors={errors} />;
}

const serviceValues = (body: unknown) => ({ name: str(body, 'name', 200), parent_id: str(body, 'parent_id', 12), head_user_id: str(body, 'head_user_id', 12), description: str(body, 'description', 2000), email: str(body, 'email', 200), phone: str(body, 'phone', 40), position: str(body, 'position', 6) });

export async function handleNewServiceForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await serviceForm(req, db, undefined, {}));
}

export async function handleCreateService(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = serviceValues(req.body);
  return onInvalid(
    reply,
    async () => {
      const s = await db.transaction().execute((trx) => svc.createService(trx, req.actor, values));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/annuaire/services/${s.id}`);
    },
    (errors) => serviceForm(req, db, undefined, values, errors),
  );
}

export async function handleService(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const service = await svc.getService(db, requireId(req));
  const [all, { items }] = await Promise.all([svc.listServices(db), svc.searchPeople(db, { serviceId: service.id }, 500)]);
  const head = service.head_user_id ? await svc.getPerson(db, service.head_user_id).catch(() => undefined) : undefined;
  return reply.render(<ServicePage ctx={req.view()} service={service} parent={all.find((s) => s.id === service.parent_id)} subs={all.filter((s) => s.parent_id === service.id)} people={items} head={head} canEdit={can(req.actor, 'directory:edit')} />);
}

export async function handleEditServiceForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const s = await svc.getService(db, requireId(req));
  return reply.render(await serviceForm(req, db, s, { name: s.name, parent_id: s.parent_id ? String(s.parent_id) : '', head_user_id: s.head_user_id ? String(s.head_user_id) : '', description: s.description, email: s.email ?? '', phone: s.phone ?? '', position: String(s.position) }));
}

export async function handleUpdateService(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const sid = requireId(req);
  const values = serviceValues(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => svc.updateService(trx, req.actor, sid, { ...values, version: int(req.body, 'version') }));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/annuaire/services/${sid}`);
    },
    async (errors) => serviceForm(req, db, await svc.getService(db, sid), values, errors),
    { conflict: true },
  );
}
