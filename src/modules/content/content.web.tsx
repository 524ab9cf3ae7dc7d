// Back-office routes of the content workflow (/contenus…). Routes declare the coarse permission
// (content:write); the service checks the per-section rights and the state machine.
import { diffWords } from 'diff';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/access/index.js';
import type { AnyDb } from '../../platform/db/index.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { idParam, int, list, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { utcToParis } from './content.dates.js';
import { MAX_DOCUMENT_BYTES } from './content.files.js';
import { d, filesOf, listFolders, listItems, listLinks, listSections, liveOf, logOf, pageChoices, pageTree, revision, revisionsOf, sectionRights } from './content.queries.js';
import { textOf } from './content.sanitize.js';
import * as svc from './content.service.js';
import { isAudience, isKind, STATUSES, type ItemRow, type Kind, type Status } from './content.table.js';
import { siteNav } from './public.web.js';
import { EditPage, ItemOverview, ItemsPage, PageTreePage, ReviewPage, RevisionsPage, SectionPage, SettingsPage, type ItemFormValues } from './views/backoffice.js';
import { ItemPage } from './views/public.js';

const write = { config: { permission: 'content:write' as const } };
const admin = { config: { permission: 'content:admin' as const } };

function itemId(req: FastifyRequest): number {
  const id = idParam((req.params as { id: string }).id);
  if (id === undefined) throw new AppError('not_found', 'content.not_found');
  return id;
}

function formValues(body: unknown): ItemFormValues {
  const s = (n: string, max = 1000) => str(body, n, max);
  return {
    title: s('title', 300),
    slug: s('slug', 120),
    summary: s('summary', 1000),
    body: str(body, 'body', 400_000),
    meta_description: s('meta_description', 400),
    audiences: list(body, 'audiences'),
    section_id: s('section_id', 12),
    parent_id: s('parent_id', 12),
    folder_id: s('folder_id', 12),
    position: s('position', 6),
    image_file_id: s('image_file_id', 12),
    news_date: s('news_date', 12),
    event_start: s('event_start', 20),
    event_end: s('event_end', 20),
    event_place: s('event_place', 300),
    event_link: s('event_link', 600),
    version: int(body, 'version'),
  };
}

function valuesOf(item: ItemRow): ItemFormValues {
  const id = (n: number | null) => (n ? String(n) : '');
  return {
    title: item.title,
    slug: item.slug,
    summary: item.summary,
    body: item.body,
    meta_description: item.meta_description,
    audiences: (['intranet', 'extranet', 'public'] as const).filter((a) => item[`aud_${a}`]),
    section_id: id(item.section_id),
    parent_id: id(item.parent_id),
    folder_id: id(item.folder_id),
    position: String(item.position),
    image_file_id: id(item.image_file_id),
    news_date: item.news_date ?? '',
    event_start: utcToParis(item.event_start),
    event_end: utcToParis(item.event_end),
    event_place: item.event_place ?? '',
    event_link: item.event_link ?? '',
    version: item.version,
  };
}

/** Reads a multipart form: its text fields and one file (type checked later, by its bytes). */
async function readMultipart(req: FastifyRequest, maxBytes: number): Promise<{ fields: Record<string, string>; file?: { bytes: Buffer; filename: string } }> {
  if (!req.isMultipart()) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; filename: string } | undefined;
  for await (const part of req.parts({ limits: { fileSize: maxBytes } })) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.file.truncated) throw new AppError('payload_too_large', 'common.payload_too_large');
      if (!file && part.fieldname === 'file' && part.filename) file = { bytes, filename: part.filename };
    } else fields[part.fieldname] = String(part.value ?? '').slice(0, 2000);
  }
  return { fields, file };
}

export function contentWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;
  const formLists = async () => ({ sections: await listSections(db), pages: await pageChoices(db), folders: await listFolders(db) });

  app.get('/contenus', write, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    const p = Number(q.page);
    const page = Number.isInteger(p) && p > 0 && p < 10000 ? p : 1;
    const filter = {
      kind: isKind(q.type) ? q.type : undefined,
      status: (STATUSES as readonly string[]).includes(q.status ?? '') ? (q.status as Status) : undefined,
      sectionId: idParam(q.section),
      q: q.q?.slice(0, 100) || undefined,
    };
    const [{ items, total }, sections] = await Promise.all([listItems(db, filter, page), listSections(db)]);
    return reply.render(<ItemsPage ctx={req.view()} items={items} total={total} page={page} query={q} sections={sections} />);
  });

  app.get('/contenus/relecture', write, async (req, reply) => {
    return reply.render(<ReviewPage ctx={req.view()} items={await reviewQueue(db, req.actor)} />);
  });

  app.get('/contenus/arborescence', write, async (req, reply) => reply.render(<PageTreePage ctx={req.view()} rows={await pageTree(db)} />));

  app.get('/contenus/nouveau', write, async (req, reply) => {
    const kind = (req.query as { type?: string }).type;
    if (!isKind(kind)) throw new AppError('not_found', 'content.not_found');
    return reply.render(<EditPage ctx={req.view()} kind={kind} values={{ audiences: ['intranet'] }} images={[]} {...await formLists()} />);
  });

  app.post('/contenus', write, async (req, reply) => {
    const kind = (req.query as { type?: string }).type;
    if (!isKind(kind)) throw new AppError('not_found', 'content.not_found');
    const values = formValues(req.body);
    try {
      const item = await db.transaction().execute((trx) => svc.createItem(trx, req.actor, kind, values));
      reply.flash('success', 'content.created');
      return reply.redirect(`/contenus/${item.id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<EditPage ctx={req.view()} kind={kind} values={values} errors={e.fields} images={[]} {...await formLists()} />, 422);
      throw e;
    }
  });

  const overview = async (req: FastifyRequest, reply: FastifyReply, id: number, errors?: Record<string, string>, status = 200) => {
    const item = await svc.getItem(db, id);
    const [live, rights, log, images, documents, sections] = await Promise.all([liveOf(db, id), svc.rightsIn(db, req.actor, item.section_id), logOf(db, id), filesOf(db, id, 'image'), filesOf(db, id, 'document'), listSections(db)]);
    return reply.render(<ItemOverview ctx={req.view()} item={item} live={live} rights={rights} log={log} images={images} documents={documents} sectionName={sections.find((s) => s.id === item.section_id)?.name} errors={errors} />, status);
  };
  app.get('/contenus/:id', write, async (req, reply) => overview(req, reply, itemId(req)));

  app.get('/contenus/:id/modifier', write, async (req, reply) => {
    const item = await svc.getItem(db, itemId(req));
    if (!(await svc.rightsIn(db, req.actor, item.section_id)).edit) throw new AppError('forbidden', 'content.no_right');
    return reply.render(<EditPage ctx={req.view()} kind={item.kind} item={item} values={valuesOf(item)} images={await filesOf(db, item.id, 'image')} {...await formLists()} />);
  });

  app.post('/contenus/:id/modifier', write, async (req, reply) => {
    const id = itemId(req);
    const values = formValues(req.body);
    try {
      await db.transaction().execute((trx) => svc.saveItem(trx, req.actor, id, values.version ?? -1, values));
      reply.flash('success', 'content.saved');
      return reply.redirect(`/contenus/${id}`);
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) {
        const item = await svc.getItem(db, id);
        return reply.render(<EditPage ctx={req.view()} kind={item.kind} item={item} values={values} errors={e.kind === 'invalid' ? e.fields : { _form: e.code }} images={await filesOf(db, id, 'image')} {...await formLists()} />, e.kind === 'invalid' ? 422 : 409);
      }
      throw e;
    }
  });

  // Workflow transitions: each a POST carrying the version the user saw.
  const transition = (path: string, run: (trx: AnyDb, req: FastifyRequest, id: number, version: number) => Promise<unknown>, flash: string) =>
    app.post(`/contenus/:id/${path}`, write, async (req, reply) => {
      const id = itemId(req);
      try {
        await db.transaction().execute((trx) => run(trx, req, id, int(req.body, 'version') ?? -1));
      } catch (e) {
        if (isAppError(e) && e.kind === 'invalid') return overview(req, reply, id, e.fields, 422);
        throw e;
      }
      reply.flash('success', flash);
      return reply.redirect(`/contenus/${id}`);
    });
  transition('soumettre', (trx, req, id, v) => svc.submitItem(trx, req.actor, id, v), 'content.submitted');
  transition('renvoyer', (trx, req, id, v) => svc.sendBack(trx, req.actor, id, v, str(req.body, 'comment', 3000)), 'content.sent_back');
  transition('publier', (trx, req, id, v) => svc.publishItem(trx, req.actor, id, v, { at: str(req.body, 'at', 20) || undefined, until: str(req.body, 'until', 20) || undefined }), 'content.published');
  transition('annuler-programmation', (trx, req, id, v) => svc.cancelSchedule(trx, req.actor, id, v), 'content.schedule_cancelled');
  transition('depublier', (trx, req, id, v) => svc.unpublishItem(trx, req.actor, id, v), 'content.unpublished');

  app.post('/contenus/:id/revisions/:number/restaurer', write, async (req, reply) => {
    const id = itemId(req);
    const number = idParam((req.params as { number: string }).number);
    if (number === undefined) throw new AppError('not_found', 'content.revision_not_found');
    await db.transaction().execute((trx) => svc.restoreRevision(trx, req.actor, id, int(req.body, 'version') ?? -1, number));
    reply.flash('success', 'content.restored');
    return reply.redirect(`/contenus/${id}`);
  });

  app.get('/contenus/:id/revisions', write, async (req, reply) => {
    const item = await svc.getItem(db, itemId(req));
    const q = req.query as Record<string, string | undefined>;
    const revisions = await revisionsOf(db, item.id);
    const a = idParam(q.a);
    const b = idParam(q.b);
    let diffs: { label: string; parts: ReturnType<typeof diffWords> }[] | undefined;
    if (a && b) {
      const [ra, rb] = await Promise.all([revision(db, item.id, a), revision(db, item.id, b)]);
      if (!ra || !rb) throw new AppError('not_found', 'content.revision_not_found');
      const sa = JSON.parse(ra.snapshot) as Record<string, unknown>;
      const sb = JSON.parse(rb.snapshot) as Record<string, unknown>;
      diffs = [];
      for (const key of ['title', 'summary', 'body', 'slug', 'meta_description', 'aud_intranet', 'aud_extranet', 'aud_public', 'news_date', 'event_start', 'event_end', 'event_place', 'event_link', 'document_file_id', 'image_file_id', 'parent_id', 'section_id']) {
        const va = key === 'body' ? textOf(String(sa.body ?? '')) : String(sa[key] ?? '');
        const vb = key === 'body' ? textOf(String(sb.body ?? '')) : String(sb[key] ?? '');
        if (va !== vb || (key === 'body' && sa.body !== sb.body)) diffs.push({ label: req.t(`content.field.${key}`), parts: diffWords(va, vb) });
      }
    }
    const rights = await svc.rightsIn(db, req.actor, item.section_id);
    return reply.render(<RevisionsPage ctx={req.view()} item={item} revisions={revisions} canRestore={rights.edit} a={a} b={b} diffs={diffs} />);
  });

  // Preview: the working copy exactly as a reader of that audience would see it.
  app.get('/contenus/:id/apercu', write, async (req, reply) => {
    const item = await svc.getItem(db, itemId(req));
    const audience = (req.query as { audience?: string }).audience;
    if (!isAudience(audience) || !item[`aud_${audience}`]) throw new AppError('not_found', 'content.not_found');
    const ch = audience === 'intranet' ? ({ base: '/intranet', audience } as const) : ({ base: '', audience } as const);
    const view = audience === 'intranet' ? req.view() : req.view({ shell: 'public', nav: [] });
    const alt = item.image_file_id ? (await filesOf(db, item.id, 'image')).find((f) => f.id === item.image_file_id)?.alt : null;
    const banner = (
      <p class="flash flash-info preview-banner" role="note">
        {req.t('content.preview_banner', { audience: req.t(`content.audience.${audience}`), status: req.t(`content.status.${item.status}`) })} <a href={`/contenus/${item.id}`}>{req.t('content.back_to_item')}</a>
      </p>
    );
    return reply.render(<ItemPage ctx={view} ch={ch} nav={await siteNav(db, audience)} r={item} imageAlt={alt} banner={banner} />);
  });

  app.post('/contenus/:id/images', write, async (req, reply) => {
    const id = itemId(req);
    try {
      const { fields, file } = await readMultipart(req, 15 * 1024 * 1024);
      if (!file) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
      await db.transaction().execute((trx) => svc.addImage(trx, ctx.config.dataDir, req.actor, id, { bytes: file.bytes, filename: file.filename, alt: fields.alt ?? '' }));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return overview(req, reply, id, e.fields, 422);
      throw e;
    }
    reply.flash('success', 'content.image_added');
    return reply.redirect(`/contenus/${id}`);
  });

  app.post('/contenus/:id/versions', write, async (req, reply) => {
    const id = itemId(req);
    try {
      const { fields, file } = await readMultipart(req, MAX_DOCUMENT_BYTES);
      if (!file) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
      const version = /^\d+$/.test(fields.version ?? '') ? Number(fields.version) : -1;
      await db.transaction().execute((trx) => svc.addDocumentVersion(trx, ctx.config.dataDir, req.actor, id, version, { bytes: file.bytes, filename: file.filename, note: fields.note ?? '' }));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return overview(req, reply, id, e.fields, 422);
      throw e;
    }
    reply.flash('success', 'content.version_added');
    return reply.redirect(`/contenus/${id}`);
  });

  // — settings: sections and their rights, folders, pinned links —
  const settings = async (req: FastifyRequest, reply: FastifyReply, errors?: Record<string, string>, form?: string) =>
    reply.render(<SettingsPage ctx={req.view()} sections={await listSections(db)} folders={await listFolders(db)} links={await listLinks(db)} errors={errors} form={form} />, errors ? 422 : 200);
  app.get('/contenus/reglages', admin, (req, reply) => settings(req, reply));
  const settingsPost = (path: string, form: string, run: (trx: AnyDb, req: FastifyRequest) => Promise<unknown>) =>
    app.post(path, admin, async (req, reply) => {
      try {
        await db.transaction().execute((trx) => run(trx, req));
      } catch (e) {
        if (isAppError(e) && e.kind === 'invalid') return settings(req, reply, e.fields, form);
        throw e;
      }
      reply.flash('success', 'common.saved');
      return reply.redirect('/contenus/reglages');
    });
  settingsPost('/contenus/rubriques', 'section', (trx, req) => svc.createSection(trx, req.actor, { name: str(req.body, 'name', 200), description: str(req.body, 'description', 600) }));
  settingsPost('/contenus/dossiers', 'folder', (trx, req) => svc.createFolder(trx, req.actor, { name: str(req.body, 'name', 200), parent_id: idParam(str(req.body, 'parent_id')) ?? null }));
  settingsPost('/contenus/liens', 'link', (trx, req) => svc.addLink(trx, req.actor, { title: str(req.body, 'title', 200), url: str(req.body, 'url', 600) }));
  app.post('/contenus/liens/:id/supprimer', admin, async (req, reply) => {
    await db.transaction().execute((trx) => svc.deleteLink(trx, req.actor, itemId(req)));
    reply.flash('success', 'common.saved');
    return reply.redirect('/contenus/reglages');
  });

  const sectionPage = async (req: FastifyRequest, reply: FastifyReply, errors?: Record<string, string>) => {
    const id = itemId(req);
    const section = await d(db).selectFrom('content_sections').selectAll().where('id', '=', id).executeTakeFirst();
    if (!section) throw new AppError('not_found', 'content.not_found');
    const users = await d(db).selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute();
    return reply.render(<SectionPage ctx={req.view()} section={section} rights={await sectionRights(db, id)} users={users} errors={errors} />, errors ? 422 : 200);
  };
  app.get('/contenus/rubriques/:id', admin, (req, reply) => sectionPage(req, reply));
  app.post('/contenus/rubriques/:id/droits', admin, async (req, reply) => {
    const id = itemId(req);
    const right = str(req.body, 'right', 10);
    const userId = idParam(str(req.body, 'user_id', 12));
    if (!userId || !['edit', 'publish', 'none'].includes(right)) return sectionPage(req, reply, { user_id: 'field.required' });
    await db.transaction().execute((trx) => svc.setSectionRight(trx, req.actor, id, userId, right as 'edit' | 'publish' | 'none'));
    reply.flash('success', 'common.saved');
    return reply.redirect(`/contenus/rubriques/${id}`);
  });
}

/** Submitted items in the sections where the actor may publish. */
export async function reviewQueue(db: AnyDb, actor: Parameters<typeof svc.rightsIn>[1]) {
  if (!can(actor, 'content:write')) return [];
  const { items } = await listItems(db, { status: 'submitted' }, 1, 200);
  const cache = new Map<number | null, boolean>();
  const out = [];
  for (const i of items) {
    if (!cache.has(i.section_id)) cache.set(i.section_id, (await svc.rightsIn(db, actor, i.section_id)).publish);
    if (cache.get(i.section_id)) out.push(i);
  }
  return out;
}

export type { Kind };
