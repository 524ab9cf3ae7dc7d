// Types admin (/demandes/types…, approvals:admin): define a request type without code, edit it
// (a new version), export its requests.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldErrors, invalid } from '../../platform/errors.js';
import { keysetPages, sendExport } from '../../platform/export.js';
import { requireId, str } from '../../platform/http/forms.js';
import { onInvalid } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import * as q from './approvals.queries.js';
import type { ApprovalsDb } from './approvals.table.js';
import { parseDefinition } from './definition.js';
import { displayValue } from './fields.js';
import { assertCanAdministerTypes, assertMayReadEveryRequestOf } from './policy.js';
import { definitionFromForm, formFromDefinition, type TypeFormValues } from './typeform.js';
import * as types from './types.service.js';
import { TypeFormPage, TypesPage } from './views/pages.js';

type Ctx = ModuleContext<ApprovalsDb>;
const typeId = (req: FastifyRequest) => requireId(req, 'id', 'approvals.type_not_found');

function formValues(req: FastifyRequest): TypeFormValues {
  const b = req.body;
  return {
    code: str(b, 'code', 40),
    name_fr: str(b, 'name_fr', 120),
    name_en: str(b, 'name_en', 120),
    fields: str(b, 'fields', 20_000),
    steps: str(b, 'steps', 5000),
    remind: str(b, 'remind', 3),
    escalate: str(b, 'escalate', 3),
    cancel_steps: str(b, 'cancel_steps', 2),
    resume: str(b, 'resume', 2),
    duties: str(b, 'duties', 400),
    active: str(b, 'active', 2),
  };
}

/** Reads the form into a definition; the form's own reading errors come first, then the service's checks. */
function definitionOrInvalid(values: TypeFormValues) {
  const errors: FieldErrors = {};
  const definition = definitionFromForm(values, errors);
  if (Object.keys(errors).length) throw invalid('approvals.types.invalid', errors);
  return definition;
}

export async function handleTypes(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  assertCanAdministerTypes(req.actor);
  return reply.render(<TypesPage ctx={req.view()} types={await q.listTypes(db)} />);
}

const EMPTY: TypeFormValues = { code: '', name_fr: '', name_en: '', fields: '', steps: 'manager | any | manager', remind: '', escalate: '', cancel_steps: '', resume: '', duties: '', active: '1' };

export async function handleNewTypeForm(req: FastifyRequest, reply: FastifyReply) {
  assertCanAdministerTypes(req.actor);
  return reply.render(<TypeFormPage ctx={req.view()} action="/demandes/types/nouveau" values={EMPTY} isNew />);
}

export async function handleCreateType(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const values = formValues(req);
  return onInvalid(
    reply,
    async () => {
      const id = await db.transaction().execute((trx) => types.createType(trx, req.actor, { code: values.code.trim(), name_fr: values.name_fr, name_en: values.name_en, definition: definitionOrInvalid(values) }));
      reply.flash('success', 'approvals.types.created');
      return reply.redirect(`/demandes/types/${id}`);
    },
    (errors) => <TypeFormPage ctx={req.view()} action="/demandes/types/nouveau" values={values} errors={errors} isNew />,
  );
}

export async function handleTypeForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  assertCanAdministerTypes(req.actor);
  const id = typeId(req);
  const t = await types.getType(db, id);
  const values = { ...formFromDefinition(t.type.code, { fr: t.current.name_fr, en: t.current.name_en }, parseDefinition(t.current.definition), Boolean(t.type.active)), version: String(t.type.version) };
  return reply.render(<TypeFormPage ctx={req.view()} action={`/demandes/types/${id}`} values={values} isNew={false} system={t.type.owner !== 'approvals'} versions={t.versions} />);
}

export async function handleEditType(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  assertCanAdministerTypes(req.actor);
  const id = typeId(req);
  const t = await types.getType(db, id);
  const values = { ...formValues(req), code: t.type.code, version: str(req.body, 'version', 12) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => types.editType(trx, req.actor, id, Number(values.version), { name_fr: values.name_fr, name_en: values.name_en, active: Boolean(values.active), definition: definitionOrInvalid(values) }));
      reply.flash('success', 'approvals.types.saved');
      return reply.redirect(`/demandes/types/${id}`);
    },
    (errors) => <TypeFormPage ctx={req.view()} action={`/demandes/types/${id}`} values={values} errors={errors} isNew={false} system={t.type.owner !== 'approvals'} versions={t.versions} />,
    { conflict: true },
  );
}

/** Every request of a type, one column per field of its current version; read in keyset pages on the heavy-read lane. */
export async function handleExportType(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  assertCanAdministerTypes(req.actor);
  const id = typeId(req);
  const t = await types.getType(ctx.db, id);
  assertMayReadEveryRequestOf(req.actor, t.type.owner);
  const def = parseDefinition(t.current.definition);
  const loc = req.view().locale;
  const tr = req.view().t;
  type Row = Awaited<ReturnType<typeof q.typeRequestsPage>>[number];
  const payloadOf = (r: Row) => {
    try {
      return JSON.parse(r.payload) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const numbers = new Map(t.versions.map((v) => [v.id, v.number]));
  const columns = [
    { header: tr('approvals.export.id'), value: (r: Row) => r.id },
    { header: tr('approvals.col.title'), value: (r: Row) => r.title },
    { header: tr('approvals.col.requester'), value: (r: Row) => r.requester_name },
    { header: tr('approvals.col.status'), value: (r: Row) => tr(`approvals.status.${r.status}`) },
    { header: tr('approvals.export.version'), value: (r: Row) => numbers.get(r.type_version_id) ?? '' },
    { header: tr('approvals.export.submitted'), value: (r: Row) => r.submitted_at ?? '' },
    { header: tr('approvals.export.decided'), value: (r: Row) => r.decided_at ?? '' },
    ...def.fields.filter((f) => f.kind !== 'attachment').map((f) => ({ header: loc === 'en' ? f.label.en : f.label.fr, value: (r: Row) => displayValue(f, payloadOf(r)[f.name], loc) })),
  ];
  const rows = keysetPages((after: number | undefined, limit) => q.typeRequestsPage(ctx.reads, id, after, limit), (r) => r.id, 1000);
  return sendExport(reply, 'csv', `demandes-${t.type.code}.csv`, rows, columns);
}
