// Request types: system types owned by another module (leave…), and types an administrator
// defines from the admin pages. A version is never changed: an edit writes the next one.
import type { Actor } from '../../platform/audit/audit.js';
import { record, SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import { ROLES } from '../../platform/access/permissions.js';
import { nowIso } from '../../platform/db/index.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import * as q from './approvals.queries.js';
import type { ApprovalsDb } from './approvals.table.js';
import { CONDITION_OPS, FIELD_KINDS, type FieldDefinition, type StepDefinition, type TypeDefinition, type TypeOptions } from './definition.js';
import { assertCanAdministerTypes } from './policy.js';

const CODE = /^[a-z][a-z0-9_-]{1,39}$/;
const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** Checks a definition; errors keyed by form field (`steps`, `fields`, `name_fr`…), i18n keys. */
export function checkDefinition(def: TypeDefinition, ownerDefinesFields: boolean): FieldErrors {
  const errors: FieldErrors = {};
  const names = new Set<string>();
  if (!ownerDefinesFields) {
    if (def.fields.length > 40) errors.fields = 'approvals.types.too_many_fields';
    for (const f of def.fields) {
      if (!NAME.test(f.name) || names.has(f.name)) errors.fields = 'approvals.types.field_name';
      else if (!FIELD_KINDS.includes(f.kind)) errors.fields = 'approvals.types.field_kind';
      else if (!f.label?.fr?.trim() || !f.label?.en?.trim()) errors.fields = 'approvals.types.field_label';
      else if (f.kind === 'choice' && !(f.choices ?? []).length) errors.fields = 'approvals.types.field_choices';
      else if (f.pattern !== undefined) {
        try {
          new RegExp(f.pattern, 'u');
        } catch {
          errors.fields = 'approvals.types.field_pattern';
        }
      }
      names.add(f.name);
    }
  }
  if (!def.steps.length) errors.steps = 'approvals.types.no_steps';
  if (def.steps.length > 10) errors.steps = 'approvals.types.too_many_steps';
  const ids = new Set<string>();
  for (const s of def.steps) {
    if (!NAME.test(s.id) || ids.has(s.id)) errors.steps = 'approvals.types.step_id';
    else if (s.mode !== 'any' && s.mode !== 'all') errors.steps = 'approvals.types.step_mode';
    else if (!s.approvers.length) errors.steps = 'approvals.types.step_approvers';
    else if (s.approvers.some((a) => (a.kind === 'role' && !(ROLES as readonly string[]).includes(a.role)) || (a.kind === 'user' && !Number.isInteger(a.userId)) || !['manager', 'role', 'user'].includes(a.kind))) errors.steps = 'approvals.types.step_approvers';
    else if (s.when && (!s.when.field || !CONDITION_OPS.includes(s.when.op) || (typeof s.when.value !== 'number' && typeof s.when.value !== 'string'))) errors.steps = 'approvals.types.step_condition';
    ids.add(s.id);
  }
  for (const [a, b] of def.options.separateDuties ?? []) if (!ids.has(a) || !ids.has(b) || a === b) errors.options = 'approvals.types.duties_invalid';
  for (const k of ['remindAfterDays', 'escalateAfterDays'] as const) {
    const v = def.options[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 60)) errors[k] = 'approvals.types.days';
  }
  return errors;
}

function canonical(def: TypeDefinition): string {
  return JSON.stringify({ fields: def.fields, steps: def.steps, options: def.options });
}

async function insertVersion(db: ApprovalsDb, actor: Actor, typeId: number, number: number, name: { fr: string; en: string }, def: TypeDefinition): Promise<number> {
  const v = await db
    .insertInto('approval_type_versions')
    .values({ type_id: typeId, number, name_fr: name.fr, name_en: name.en, definition: canonical(def), created_by: actor.id, created_at: nowIso() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return v.id;
}

export async function ensureSystemType(db: ApprovalsDb, input: { code: string; owner: string; name: { fr: string; en: string }; steps: StepDefinition[]; options?: TypeOptions }): Promise<{ typeId: number; versionId: number }> {
  const existing = await q.findTypeByCode(db, input.code);
  if (existing && existing.current_version_id !== null) {
    if (existing.owner !== input.owner) throw conflict('approvals.types.code_taken');
    return { typeId: existing.id, versionId: existing.current_version_id };
  }
  const def: TypeDefinition = { fields: [], steps: input.steps, options: input.options ?? {} };
  const errors = checkDefinition(def, true);
  if (!CODE.test(input.code)) errors.code = 'approvals.types.code';
  if (Object.keys(errors).length) throw invalid('approvals.types.invalid', errors);
  return createTypeRow(db, SYSTEM_ACTOR, input.code, input.owner, input.name, def);
}

async function createTypeRow(db: ApprovalsDb, actor: Actor, code: string, owner: string, name: { fr: string; en: string }, def: TypeDefinition) {
  const now = nowIso();
  const type = await db
    .insertInto('approval_types')
    .values({ code, owner, current_version_id: null, active: 1, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!type) throw invalid('approvals.types.invalid', { code: 'approvals.types.code_taken' });
  const versionId = await insertVersion(db, actor, type.id, 1, name, def);
  await db.updateTable('approval_types').set({ current_version_id: versionId }).where('id', '=', type.id).execute();
  await record(db, actor, { entity: 'approval_type', entityId: type.id, action: 'create', after: { code, owner, name_fr: name.fr, name_en: name.en, version: 1, definition: canonical(def) } });
  return { typeId: type.id, versionId };
}

export interface TypeInput {
  code: string;
  name_fr: string;
  name_en: string;
  definition: TypeDefinition;
}

function checkNames(input: TypeInput, errors: FieldErrors): void {
  if (!input.name_fr.trim() || input.name_fr.length > 120) errors.name_fr = 'field.required';
  if (!input.name_en.trim() || input.name_en.length > 120) errors.name_en = 'field.required';
}

/** An administrator defines a new type (owner `approvals`): version 1. */
export async function createType(db: ApprovalsDb, actor: Actor, input: TypeInput): Promise<number> {
  assertCanAdministerTypes(actor);
  const errors = checkDefinition(input.definition, false);
  if (!CODE.test(input.code)) errors.code = 'approvals.types.code';
  else if (await q.findTypeByCode(db, input.code)) errors.code = 'approvals.types.code_taken';
  checkNames(input, errors);
  if (Object.keys(errors).length) throw invalid('approvals.types.invalid', errors);
  return (await createTypeRow(db, actor, input.code, 'approvals', { fr: input.name_fr.trim(), en: input.name_en.trim() }, input.definition)).typeId;
}

/**
 * Editing writes the next version and makes it current; requests under way keep theirs. For a
 * system type only the names, steps and options change (its owner defines the fields).
 */
export async function editType(db: ApprovalsDb, actor: Actor, typeId: number, version: number, input: Omit<TypeInput, 'code'> & { active: boolean }): Promise<number> {
  assertCanAdministerTypes(actor);
  const type = await q.findTypeById(db, typeId);
  if (!type || type.current_version_id === null) throw notFound('approvals.type_not_found');
  const current = await q.findVersion(db, type.current_version_id);
  if (!current) throw notFound('approvals.type_not_found');
  const system = type.owner !== 'approvals';
  const def: TypeDefinition = system ? { ...input.definition, fields: (JSON.parse(current.definition) as TypeDefinition).fields ?? [] } : input.definition;
  const errors = checkDefinition(def, system);
  checkNames({ ...input, code: type.code }, errors);
  if (Object.keys(errors).length) throw invalid('approvals.types.invalid', errors);
  await updateWithVersion(db, 'approval_types', typeId, version, { active: input.active ? 1 : 0 });
  const unchanged = canonical(def) === current.definition && input.name_fr.trim() === current.name_fr && input.name_en.trim() === current.name_en;
  let versionId = current.id;
  if (!unchanged) {
    versionId = await insertVersion(db, actor, typeId, current.number + 1, { fr: input.name_fr.trim(), en: input.name_en.trim() }, def);
    await db.updateTable('approval_types').set({ current_version_id: versionId }).where('id', '=', typeId).execute();
  }
  await record(db, actor, {
    entity: 'approval_type',
    entityId: typeId,
    action: 'update',
    before: { name_fr: current.name_fr, name_en: current.name_en, version: current.number, definition: current.definition, active: type.active },
    after: { name_fr: input.name_fr.trim(), name_en: input.name_en.trim(), version: unchanged ? current.number : current.number + 1, definition: canonical(def), active: input.active ? 1 : 0 },
  });
  return versionId;
}

export async function getType(db: ApprovalsDb, typeId: number) {
  const type = await q.findTypeById(db, typeId);
  if (!type || type.current_version_id === null) throw notFound('approvals.type_not_found');
  const current = await q.findVersion(db, type.current_version_id);
  if (!current) throw notFound('approvals.type_not_found');
  return { type, current, definition: JSON.parse(current.definition) as TypeDefinition, versions: await q.typeVersions(db, typeId) };
}

export type { FieldDefinition };
