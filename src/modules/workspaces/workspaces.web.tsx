// Workspace handlers (/espaces…), listed with their access in workspaces.routes.ts: the route asks
// for portal access; the service opens the workspace only for its members (404 for anyone else)
// and checks the lead role.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../platform/access/index.js';
import { AppError, type FieldErrors } from '../../platform/errors.js';
import { idParam, int, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { readStored } from '../content/index.js';
import type { WorkspacesDb } from './workspaces.table.js';
import * as svc from './workspaces.service.js';
import { ListPage, WorkspacePage, type WorkspaceData } from './views.js';

type Ctx = ModuleContext<WorkspacesDb>;

/** A numeric parameter of a workspace route, or the workspace's 404 (existence is not told). */
const wsId = (req: FastifyRequest, name = 'id') => requireId(req, name, 'workspaces.not_found');

async function load(req: FastifyRequest, db: WorkspacesDb, id: number): Promise<WorkspaceData> {
  const { ws, role } = await svc.openWorkspace(db, req.actor, id);
  const [members, tasks, decisions, documents, messages, users] = await Promise.all([svc.members(db, id), svc.tasks(db, id), svc.decisions(db, id), svc.documents(db, id), svc.messages(db, id), svc.activeUsers(db)]);
  return { ws, role, members, tasks, decisions, documents, messages, users };
}

/** The workspace page; `form` names the form whose errors are shown. */
async function workspacePage(req: FastifyRequest, db: WorkspacesDb, id: number, errors?: FieldErrors, form?: string) {
  return <WorkspacePage ctx={req.view()} data={await load(req, db, id)} errors={errors} form={form} />;
}

export async function handleMyWorkspaces(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ListPage ctx={req.view()} items={await svc.myWorkspaces(db, req.actor)} canCreate={can(req.actor, 'workspace:create')} />);
}

export async function handleCreateWorkspace(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = { name: str(req.body, 'name', 200), kind: str(req.body, 'kind', 20), description: str(req.body, 'description', 3000) };
  return onInvalid(
    reply,
    async () => {
      const ws = await db.transaction().execute((trx) => svc.createWorkspace(trx, req.actor, values));
      reply.flash('success', 'workspaces.created');
      return reply.redirect(`/espaces/${ws.id}`);
    },
    async (errors) => <ListPage ctx={req.view()} items={await svc.myWorkspaces(db, req.actor)} canCreate errors={errors} values={values} />,
  );
}

export async function handleWorkspace(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(await workspacePage(req, db, wsId(req)));
}

/** Each form of the workspace page: run in a transaction, back to its section, or the page again with its errors (422). */
async function saveOnPage(req: FastifyRequest, reply: FastifyReply, db: WorkspacesDb, form: string, anchor: string, run: (trx: WorkspacesDb, id: number) => Promise<unknown>) {
  const id = wsId(req);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => run(trx, id));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/espaces/${id}#${anchor}`);
    },
    (errors) => workspacePage(req, db, id, errors, form),
  );
}

export async function handlePostMessage(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveOnPage(req, reply, db, 'message', 'discussion', (trx, id) => svc.postMessage(trx, req.actor, id, str(req.body, 'body', 6000)));
}

export async function handleRecordDecision(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveOnPage(req, reply, db, 'decision', 'decisions', (trx, id) => svc.recordDecision(trx, req.actor, id, { decided_on: str(req.body, 'decided_on', 12), title: str(req.body, 'title', 400), detail: str(req.body, 'detail', 6000), decided_by: str(req.body, 'decided_by', 300) }));
}

export async function handleAddTask(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveOnPage(req, reply, db, 'task', 'taches', (trx, id) => svc.addTask(trx, req.actor, id, { title: str(req.body, 'title', 400), owner_id: idParam(str(req.body, 'owner_id', 12)), due_on: str(req.body, 'due_on', 12) || undefined }));
}

export async function handleSetMember(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveOnPage(req, reply, db, 'member', 'membres', async (trx, id) => {
    const role = str(req.body, 'role', 10);
    const userId = idParam(str(req.body, 'user_id', 12));
    if (!userId || !['lead', 'member', 'none'].includes(role)) throw new AppError('invalid', 'common.invalid', { user_id: 'field.required' });
    await svc.setMember(trx, req.actor, id, userId, role as 'lead' | 'member' | 'none');
  });
}

export async function handleArchive(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return saveOnPage(req, reply, db, 'archive', 'membres', (trx, id) => svc.setArchived(trx, req.actor, id, int(req.body, 'version') ?? -1, str(req.body, 'archived', 2) === '1'));
}

export async function handleSetTaskStatus(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = wsId(req);
  const status = str(req.body, 'status', 10) === 'done' ? 'done' : 'open';
  await db.transaction().execute((trx) => svc.setTaskStatus(trx, req.actor, id, wsId(req, 'task'), int(req.body, 'version') ?? -1, status));
  reply.flash('success', 'common.saved');
  return reply.redirect(`/espaces/${id}#taches`);
}

/** The upload form: its text fields and its file, read before any transaction opens. */
async function readUpload(req: FastifyRequest): Promise<{ fields: Record<string, string>; file: { bytes: Buffer; filename: string } }> {
  if (!req.isMultipart()) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; filename: string } | undefined;
  for await (const part of req.parts({ limits: { fileSize: 40 * 1024 * 1024 } })) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.file.truncated) throw new AppError('payload_too_large', 'common.payload_too_large');
      if (part.fieldname === 'file' && part.filename) file = { bytes, filename: part.filename };
    } else fields[part.fieldname] = String(part.value ?? '').slice(0, 400);
  }
  if (!file) throw new AppError('invalid', 'common.invalid', { file: 'field.required' });
  return { fields, file };
}

export async function handleAddDocument(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const id = wsId(req);
  return onInvalid(
    reply,
    async () => {
      const { fields, file } = await readUpload(req);
      await db.transaction().execute((trx) => svc.addDocument(trx, config.dataDir, req.actor, id, { title: fields.title ?? '', documentId: idParam(fields.document_id), note: fields.note ?? '', bytes: file.bytes, filename: file.filename }));
      reply.flash('success', 'workspaces.uploaded');
      return reply.redirect(`/espaces/${id}#documents`);
    },
    (errors) => workspacePage(req, db, id, errors, 'document'),
  );
}

export async function handleDownload(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const v = await svc.documentVersion(db, req.actor, wsId(req), wsId(req, 'version'));
  return reply
    .type(v.mime)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', `${v.mime === 'application/pdf' || v.mime.startsWith('image/') ? 'inline' : 'attachment'}; filename="${v.name}"`)
    .header('cache-control', 'private, no-store')
    .send(readStored(config.dataDir, v.storage_key));
}
