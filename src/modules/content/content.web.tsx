// Back-office handlers of the content workflow (/contenus…), listed with their access in
// content.routes.ts. Routes declare the coarse permission (content:write); the service checks the
// per-section rights and the state machine.
import { diffWords } from 'diff';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../platform/errors.js';
import { AppError } from '../../platform/errors.js';
import { idParam, int, list, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { utcToParis } from './content.dates.js';
import { MAX_DOCUMENT_BYTES } from './content.files.js';
import { activeUsers, filesOf, findSection, listFolders, listItems, listLinks, listSections, liveOf, logOf, pageChoices, pageTree, revision, revisionsOf, sectionRights } from './content.queries.js';
import { textOf } from './content.sanitize.js';
import * as svc from './content.service.js';
import { isAudience, isKind, STATUSES, type ContentDb, type ItemRow, type Status } from './content.table.js';
import { siteNav } from './public.web.js';
import { EditPage, ItemOverview, ItemsPage, PageTreePage, ReviewPage, RevisionsPage, SectionPage, SettingsPage, type ItemFormValues } from './views/backoffice.js';
import { ItemPage } from './views/public.js';

type Ctx = ModuleContext<ContentDb>;

/** The :id of an item (or a section, a link): anything but digits is a page that does not exist. */
const itemId = (req: FastifyRequest) => requireId(req, 'id', 'content.not_found');

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

const formLists = async (db: ContentDb) => ({ sections: await listSections(db), pages: await pageChoices(db), folders: await listFolders(db) });

export async function handleItems(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
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
}

export async function handleReviewQueue(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ReviewPage ctx={req.view()} items={await svc.reviewQueue(db, req.actor)} />);
}

export async function handlePageTree(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<PageTreePage ctx={req.view()} rows={await pageTree(db)} />);
}

function kindOf(req: FastifyRequest) {
  const kind = (req.query as { type?: string }).type;
  if (!isKind(kind)) throw new AppError('not_found', 'content.not_found');
  return kind;
}

export async function handleNewItemForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<EditPage ctx={req.view()} kind={kindOf(req)} values={{ audiences: ['intranet'] }} images={[]} {...await formLists(db)} />);
}

export async function handleCreateItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const kind = kindOf(req);
  const values = formValues(req.body);
  return onInvalid(
    reply,
    async () => {
      const item = await db.transaction().execute((trx) => svc.createItem(trx, req.actor, kind, values));
      reply.flash('success', 'content.created');
      return reply.redirect(`/contenus/${item.id}`);
    },
    async (errors) => <EditPage ctx={req.view()} kind={kind} values={values} errors={errors} images={[]} {...await formLists(db)} />,
  );
}

/** The item's page: state, actions, images, versions, history (with the errors of one of its forms). */
async function overview(req: FastifyRequest, db: ContentDb, id: number, errors?: FieldErrors) {
  const item = await svc.getItem(db, id);
  const [live, rights, log, images, documents, sections] = await Promise.all([liveOf(db, id), svc.rightsIn(db, req.actor, item.section_id), logOf(db, id), filesOf(db, id, 'image'), filesOf(db, id, 'document'), listSections(db)]);
  return <ItemOverview ctx={req.view()} item={item} live={live} rights={rights} log={log} images={images} documents={documents} sectionName={sections.find((s) => s.id === item.section_id)?.name} errors={errors} />;
}

export async function handleItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await overview(req, db, itemId(req)));
}

export async function handleEditForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const item = await svc.getItem(db, itemId(req));
  if (!(await svc.rightsIn(db, req.actor, item.section_id)).edit) throw new AppError('forbidden', 'content.no_right');
  return reply.render(<EditPage ctx={req.view()} kind={item.kind} item={item} values={valuesOf(item)} images={await filesOf(db, item.id, 'image')} {...await formLists(db)} />);
}

export async function handleSaveItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = itemId(req);
  const values = formValues(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => svc.saveItem(trx, req.actor, id, values.version ?? -1, values));
      reply.flash('success', 'content.saved');
      return reply.redirect(`/contenus/${id}`);
    },
    async (errors) => {
      const item = await svc.getItem(db, id);
      return <EditPage ctx={req.view()} kind={item.kind} item={item} values={values} errors={errors} images={await filesOf(db, id, 'image')} {...await formLists(db)} />;
    },
    { conflict: true },
  );
}

// Workflow transitions: each a POST carrying the version the user saw; a refusal shows the
// item's page with the error next to the form that was sent.
async function transition(req: FastifyRequest, reply: FastifyReply, db: ContentDb, run: (trx: ContentDb, id: number, version: number) => Promise<unknown>, flash: string) {
  const id = itemId(req);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => run(trx, id, int(req.body, 'version') ?? -1));
      reply.flash('success', flash);
      return reply.redirect(`/contenus/${id}`);
    },
    (errors) => overview(req, db, id, errors),
  );
}

export async function handleSubmitItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return transition(req, reply, db, (trx, id, v) => svc.submitItem(trx, req.actor, id, v), 'content.submitted');
}

export async function handleSendBack(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return transition(req, reply, db, (trx, id, v) => svc.sendBack(trx, req.actor, id, v, str(req.body, 'comment', 3000)), 'content.sent_back');
}

export async function handlePublishItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const when = { at: str(req.body, 'at', 20) || undefined, until: str(req.body, 'until', 20) || undefined };
  return transition(req, reply, db, (trx, id, v) => svc.publishItem(trx, req.actor, id, v, when), 'content.published');
}

export async function handleCancelSchedule(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return transition(req, reply, db, (trx, id, v) => svc.cancelSchedule(trx, req.actor, id, v), 'content.schedule_cancelled');
}

export async function handleUnpublishItem(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return transition(req, reply, db, (trx, id, v) => svc.unpublishItem(trx, req.actor, id, v), 'content.unpublished');
}

export async function handleRestoreRevision(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = itemId(req);
  const number = requireId(req, 'number', 'content.revision_not_found');
  await db.transaction().execute((trx) => svc.restoreRevision(trx, req.actor, id, int(req.body, 'version') ?? -1, number));
  reply.flash('success', 'content.restored');
  return reply.redirect(`/contenus/${id}`);
}

export async function handleRevisions(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
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
}

/** Preview: the working copy exactly as a reader of that audience would see it. */
export async function handlePreview(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
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
}

export async function handleAddImage(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const id = itemId(req);
  return onInvalid(
    reply,
    async () => {
      const { fields, file } = await readMultipart(req, 15 * 1024 * 1024);
      if (!file) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
      await db.transaction().execute((trx) => svc.addImage(trx, config.dataDir, req.actor, id, { bytes: file.bytes, filename: file.filename, alt: fields.alt ?? '' }));
      reply.flash('success', 'content.image_added');
      return reply.redirect(`/contenus/${id}`);
    },
    (errors) => overview(req, db, id, errors),
  );
}

export async function handleAddDocumentVersion(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const id = itemId(req);
  return onInvalid(
    reply,
    async () => {
      const { fields, file } = await readMultipart(req, MAX_DOCUMENT_BYTES);
      if (!file) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
      const version = /^\d+$/.test(fields.version ?? '') ? Number(fields.version) : -1;
      await db.transaction().execute((trx) => svc.addDocumentVersion(trx, config.dataDir, req.actor, id, version, { bytes: file.bytes, filename: file.filename, note: fields.note ?? '' }));
      reply.flash('success', 'content.version_added');
      return reply.redirect(`/contenus/${id}`);
    },
    (errors) => overview(req, db, id, errors),
  );
}

// — settings: sections and their rights, folders, pinned links —

/** The settings page; `form` names the form whose errors are shown. */
async function settingsPage(req: FastifyRequest, db: ContentDb, errors?: FieldErrors, form?: string) {
  return <SettingsPage ctx={req.view()} sections={await listSections(db)} folders={await listFolders(db)} links={await listLinks(db)} errors={errors} form={form} />;
}

export async function handleSettings(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await settingsPage(req, db));
}

async function saveSetting(req: FastifyRequest, reply: FastifyReply, db: ContentDb, form: string, run: (trx: ContentDb) => Promise<unknown>) {
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute(run);
      reply.flash('success', 'common.saved');
      return reply.redirect('/contenus/reglages');
    },
    (errors) => settingsPage(req, db, errors, form),
  );
}

export async function handleCreateSection(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveSetting(req, reply, db, 'section', (trx) => svc.createSection(trx, req.actor, { name: str(req.body, 'name', 200), description: str(req.body, 'description', 600) }));
}

export async function handleCreateFolder(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveSetting(req, reply, db, 'folder', (trx) => svc.createFolder(trx, req.actor, { name: str(req.body, 'name', 200), parent_id: idParam(str(req.body, 'parent_id')) ?? null }));
}

export async function handleAddLink(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveSetting(req, reply, db, 'link', (trx) => svc.addLink(trx, req.actor, { title: str(req.body, 'title', 200), url: str(req.body, 'url', 600) }));
}

export async function handleDeleteLink(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = itemId(req);
  await db.transaction().execute((trx) => svc.deleteLink(trx, req.actor, id));
  reply.flash('success', 'common.saved');
  return reply.redirect('/contenus/reglages');
}

async function sectionPage(req: FastifyRequest, db: ContentDb, id: number, errors?: FieldErrors) {
  const section = await findSection(db, id);
  if (!section) throw new AppError('not_found', 'content.not_found');
  return <SectionPage ctx={req.view()} section={section} rights={await sectionRights(db, id)} users={await activeUsers(db)} errors={errors} />;
}

export async function handleSection(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await sectionPage(req, db, itemId(req)));
}

export async function handleSetSectionRight(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = itemId(req);
  const right = str(req.body, 'right', 10);
  const userId = idParam(str(req.body, 'user_id', 12));
  if (!userId || !['edit', 'publish', 'none'].includes(right)) return reply.render(await sectionPage(req, db, id, { user_id: 'field.required' }), 422);
  await db.transaction().execute((trx) => svc.setSectionRight(trx, req.actor, id, userId, right as 'edit' | 'publish' | 'none'));
  reply.flash('success', 'common.saved');
  return reply.redirect(`/contenus/rubriques/${id}`);
}
