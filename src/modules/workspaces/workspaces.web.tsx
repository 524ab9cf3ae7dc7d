// Workspace routes (/espaces…): the route asks for portal access; the service opens the
// workspace only for its members (404 for anyone else) and checks the lead role.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { can } from '../../platform/access/index.js';
import type { AnyDb } from '../../platform/db/index.js';
import type { PlatformTables } from '../../platform/db/tables.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { idParam, int, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { readStored } from '../content/index.js';
import * as svc from './workspaces.service.js';
import { ListPage, WorkspacePage, type WorkspaceData } from './views.js';

const read = { config: { permission: 'portal:use' as const } };

function wsId(req: FastifyRequest, name = 'id'): number {
  const v = idParam((req.params as Record<string, string>)[name]);
  if (v === undefined) throw new AppError('not_found', 'workspaces.not_found');
  return v;
}

export function workspacesWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;

  const load = async (req: FastifyRequest, id: number): Promise<WorkspaceData> => {
    const { ws, role } = await svc.openWorkspace(db, req.actor, id);
    const [members, tasks, decisions, documents, messages, users] = await Promise.all([
      svc.members(db, id),
      svc.tasks(db, id),
      svc.decisions(db, id),
      svc.documents(db, id),
      svc.messages(db, id),
      (db as Kysely<PlatformTables>).selectFrom('users').select(['id', 'name']).where('status', '=', 'active').orderBy('name').execute(),
    ]);
    return { ws, role, members, tasks, decisions, documents, messages, users };
  };
  const page = async (req: FastifyRequest, reply: FastifyReply, id: number, errors?: Record<string, string>, form?: string) => reply.render(<WorkspacePage ctx={req.view()} data={await load(req, id)} errors={errors} form={form} />, errors ? 422 : 200);

  app.get('/espaces', read, async (req, reply) => reply.render(<ListPage ctx={req.view()} items={await svc.myWorkspaces(db, req.actor)} canCreate={can(req.actor, 'workspace:create')} />));
  app.post('/espaces', { config: { permission: 'workspace:create' } }, async (req, reply) => {
    const values = { name: str(req.body, 'name', 200), kind: str(req.body, 'kind', 20), description: str(req.body, 'description', 3000) };
    try {
      const ws = await db.transaction().execute((trx) => svc.createWorkspace(trx, req.actor, values));
      reply.flash('success', 'workspaces.created');
      return reply.redirect(`/espaces/${ws.id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<ListPage ctx={req.view()} items={await svc.myWorkspaces(db, req.actor)} canCreate errors={e.fields} values={values} />, 422);
      throw e;
    }
  });

  app.get('/espaces/:id', read, async (req, reply) => page(req, reply, wsId(req)));

  // Each form of the workspace page: run in a transaction, re-render with its errors on 422.
  const post = (path: string, form: string, run: (trx: AnyDb, req: FastifyRequest, id: number) => Promise<unknown>, anchor: string) =>
    app.post(`/espaces/:id/${path}`, read, async (req, reply) => {
      const id = wsId(req);
      try {
        await db.transaction().execute((trx) => run(trx, req, id));
      } catch (e) {
        if (isAppError(e) && e.kind === 'invalid') return page(req, reply, id, e.fields, form);
        throw e;
      }
      reply.flash('success', 'common.saved');
      return reply.redirect(`/espaces/${id}#${anchor}`);
    });
  post('messages', 'message', (trx, req, id) => svc.postMessage(trx, req.actor, id, str(req.body, 'body', 6000)), 'discussion');
  post('decisions', 'decision', (trx, req, id) => svc.recordDecision(trx, req.actor, id, { decided_on: str(req.body, 'decided_on', 12), title: str(req.body, 'title', 400), detail: str(req.body, 'detail', 6000), decided_by: str(req.body, 'decided_by', 300) }), 'decisions');
  post('taches', 'task', (trx, req, id) => svc.addTask(trx, req.actor, id, { title: str(req.body, 'title', 400), owner_id: idParam(str(req.body, 'owner_id', 12)), due_on: str(req.body, 'due_on', 12) || undefined }), 'taches');
  post('membres', 'member', async (trx, req, id) => {
    const role = str(req.body, 'role', 10);
    const userId = idParam(str(req.body, 'user_id', 12));
    if (!userId || !['lead', 'member', 'none'].includes(role)) throw new AppError('invalid', 'common.invalid', { user_id: 'field.required' });
    await svc.setMember(trx, req.actor, id, userId, role as 'lead' | 'member' | 'none');
  }, 'membres');
  post('archiver', 'archive', (trx, req, id) => svc.setArchived(trx, req.actor, id, int(req.body, 'version') ?? -1, str(req.body, 'archived', 2) === '1'), 'membres');

  app.post('/espaces/:id/taches/:task/statut', read, async (req, reply) => {
    const id = wsId(req);
    const status = str(req.body, 'status', 10) === 'done' ? 'done' : 'open';
    await db.transaction().execute((trx) => svc.setTaskStatus(trx, req.actor, id, wsId(req, 'task'), int(req.body, 'version') ?? -1, status));
    reply.flash('success', 'common.saved');
    return reply.redirect(`/espaces/${id}#taches`);
  });

  app.post('/espaces/:id/documents', read, async (req, reply) => {
    const id = wsId(req);
    try {
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
      await db.transaction().execute((trx) => svc.addDocument(trx, ctx.config.dataDir, req.actor, id, { title: fields.title ?? '', documentId: idParam(fields.document_id), note: fields.note ?? '', bytes: file!.bytes, filename: file!.filename }));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return page(req, reply, id, e.fields, 'document');
      throw e;
    }
    reply.flash('success', 'workspaces.uploaded');
    return reply.redirect(`/espaces/${id}#documents`);
  });

  const download = async (req: FastifyRequest, reply: FastifyReply) => {
    const v = await svc.documentVersion(db, req.actor, wsId(req), wsId(req, 'version'));
    return reply
      .type(v.mime)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', `${v.mime === 'application/pdf' || v.mime.startsWith('image/') ? 'inline' : 'attachment'}; filename="${v.name}"`)
      .header('cache-control', 'private, no-store')
      .send(readStored(ctx.config.dataDir, v.storage_key));
  };
  app.get('/espaces/:id/documents/:version/:name', read, download);
}
