// The types admin form: fields and steps written one per line, read into a definition (and
// written back for editing). Pure; errors are i18n keys keyed by form field.
import type { FieldErrors } from '../../platform/errors.js';
import { FIELD_KINDS, type ApproverRule, type Condition, type ConditionOp, type FieldDefinition, type FieldKind, type StepDefinition, type TypeDefinition } from './definition.js';

export interface TypeFormValues {
  code: string;
  name_fr: string;
  name_en: string;
  fields: string;
  steps: string;
  remind: string;
  escalate: string;
  cancel_steps: string;
  resume: string;
  duties: string;
  active: string;
}

const OPS: [string, ConditionOp][] = [['>=', 'gte'], ['<=', 'lte'], ['!=', 'ne'], ['>', 'gt'], ['<', 'lt'], ['=', 'eq']];
const yes = (v: string | undefined) => /^(oui|yes|o|y|1|true|obligatoire|required)$/i.test((v ?? '').trim());

function parseBound(kind: FieldKind, v: string | undefined): number | string | undefined {
  const s = (v ?? '').trim();
  if (!s) return undefined;
  if (kind === 'date') return s;
  const n = Number(s.replace(',', '.'));
  if (!Number.isFinite(n)) return Number.NaN;
  return kind === 'amount' ? Math.round(n * 100) : n;
}

export function parseFields(text: string, errors: FieldErrors): FieldDefinition[] {
  const out: FieldDefinition[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const [name, fr, en, kind, required, min, max, extra] = line.split('|').map((p) => p.trim());
    if (!FIELD_KINDS.includes(kind as FieldKind)) {
      errors.fields = 'approvals.types.field_kind';
      continue;
    }
    const k = kind as FieldKind;
    const f: FieldDefinition = { name: name ?? '', label: { fr: fr ?? '', en: en ?? '' }, kind: k, required: yes(required) };
    const lo = parseBound(k, min);
    const hi = parseBound(k, max);
    if ((typeof lo === 'number' && Number.isNaN(lo)) || (typeof hi === 'number' && Number.isNaN(hi))) errors.fields = 'approvals.types.field_line';
    if (lo !== undefined) f.min = lo;
    if (hi !== undefined) f.max = hi;
    if (extra) {
      if (k === 'choice') f.choices = extra.split(',').map((c) => c.trim()).filter(Boolean);
      else if (k === 'text') f.pattern = extra;
    }
    out.push(f);
  }
  return out;
}

function parseApprover(s: string): ApproverRule | undefined {
  const v = s.trim();
  if (v === 'manager') return { kind: 'manager' };
  const role = /^role:([a-z]+)$/.exec(v);
  if (role) return { kind: 'role', role: role[1] };
  const user = /^user:(\d{1,9})$/.exec(v);
  if (user) return { kind: 'user', userId: Number(user[1]) };
  return undefined;
}

function parseCondition(s: string): Condition | undefined | null {
  const v = s.trim();
  if (!v) return undefined;
  for (const [sym, op] of OPS) {
    const i = v.indexOf(sym);
    if (i <= 0) continue;
    const field = v.slice(0, i).trim();
    const raw = v.slice(i + sym.length).trim();
    if (!/^[a-z][a-z0-9_]*(\.days)?$/.test(field) || !raw) return null;
    const n = Number(raw.replace(',', '.'));
    return { field, op, value: Number.isFinite(n) && raw !== '' ? n : raw };
  }
  return null;
}

export function parseSteps(text: string, errors: FieldErrors, amountFields: Set<string>): StepDefinition[] {
  const out: StepDefinition[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const [id, mode, approvers, when] = line.split('|').map((p) => p.trim());
    const rules = (approvers ?? '').split(',').filter((a) => a.trim()).map(parseApprover);
    if (rules.some((r) => !r)) errors.steps = 'approvals.types.step_approvers';
    const cond = parseCondition(when ?? '');
    if (cond === null) errors.steps = 'approvals.types.step_condition';
    // An amount is typed in euros and stored in cents: the threshold follows.
    if (cond && amountFields.has(cond.field) && typeof cond.value === 'number') cond.value = Math.round(cond.value * 100);
    out.push({ id: id ?? '', mode: mode === 'all' ? 'all' : mode === 'any' ? 'any' : (mode as 'any'), approvers: rules.filter((r): r is ApproverRule => Boolean(r)), ...(cond ? { when: cond } : {}) });
  }
  return out;
}

function parseDays(v: string, key: string, errors: FieldErrors): number | undefined {
  const s = v.trim();
  if (!s) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 60) errors[key] = 'approvals.types.days';
  return n;
}

export function definitionFromForm(v: TypeFormValues, errors: FieldErrors): TypeDefinition {
  const fields = parseFields(v.fields, errors);
  const amounts = new Set(fields.filter((f) => f.kind === 'amount').map((f) => f.name));
  const steps = parseSteps(v.steps, errors, amounts);
  const duties = v.duties
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split(':').map((x) => x.trim()) as [string, string]);
  if (duties.some((d) => d.length !== 2)) errors.duties = 'approvals.types.duties_invalid';
  const options = {
    ...(v.cancel_steps ? { cancellationThroughSteps: true } : {}),
    ...(v.resume ? { resumeAtSendingStep: true } : {}),
    ...(parseDays(v.remind, 'remind', errors) !== undefined ? { remindAfterDays: Number(v.remind) } : {}),
    ...(parseDays(v.escalate, 'escalate', errors) !== undefined ? { escalateAfterDays: Number(v.escalate) } : {}),
    ...(duties.length ? { separateDuties: duties } : {}),
  };
  return { fields, steps, options };
}

/** The form's text of a stored definition. */
export function formFromDefinition(code: string, names: { fr: string; en: string }, def: TypeDefinition, active: boolean): TypeFormValues {
  const bound = (f: FieldDefinition, b: number | string | undefined) => (b === undefined ? '' : f.kind === 'amount' ? String(Number(b) / 100) : String(b));
  const amounts = new Set(def.fields.filter((f) => f.kind === 'amount').map((f) => f.name));
  const opSym = Object.fromEntries(OPS.map(([s, o]) => [o, s]));
  return {
    code,
    name_fr: names.fr,
    name_en: names.en,
    fields: def.fields.map((f) => [f.name, f.label.fr, f.label.en, f.kind, f.required ? 'oui' : 'non', bound(f, f.min), bound(f, f.max), f.kind === 'choice' ? (f.choices ?? []).join(', ') : (f.pattern ?? '')].join(' | ').replace(/( \| )+$/, '')).join('\n'),
    steps: def.steps
      .map((s) => {
        const who = s.approvers.map((a) => (a.kind === 'manager' ? 'manager' : a.kind === 'role' ? `role:${a.role}` : `user:${a.userId}`)).join(', ');
        const value = s.when ? (amounts.has(s.when.field) && typeof s.when.value === 'number' ? s.when.value / 100 : s.when.value) : '';
        return [s.id, s.mode, who, s.when ? `${s.when.field} ${opSym[s.when.op]} ${value}` : ''].join(' | ').replace(/ \| $/, '');
      })
      .join('\n'),
    remind: def.options.remindAfterDays ? String(def.options.remindAfterDays) : '',
    escalate: def.options.escalateAfterDays ? String(def.options.escalateAfterDays) : '',
    cancel_steps: def.options.cancellationThroughSteps ? '1' : '',
    resume: def.options.resumeAtSendingStep ? '1' : '',
    duties: (def.options.separateDuties ?? []).map(([a, b]) => `${a}:${b}`).join(', '),
    active: active ? '1' : '',
  };
}
