// The shape of a request type's version (stored as JSON in approval_type_versions.definition),
// and the pure rules that read it: conditions, field validation. No database here.
export type FieldKind = 'text' | 'longtext' | 'number' | 'amount' | 'date' | 'daterange' | 'choice' | 'yesno' | 'attachment';
export const FIELD_KINDS: readonly FieldKind[] = ['text', 'longtext', 'number', 'amount', 'date', 'daterange', 'choice', 'yesno', 'attachment'];

export interface FieldDefinition {
  /** key in the payload: [a-z][a-z0-9_]* */
  name: string;
  label: { fr: string; en: string };
  kind: FieldKind;
  required?: boolean;
  /** number: value; amount: cents; text: length; date: ISO date */
  min?: number | string;
  max?: number | string;
  /** text only: a regular expression the whole value must match */
  pattern?: string;
  /** choice only */
  choices?: string[];
}

export type ApproverRule = { kind: 'manager' } | { kind: 'role'; role: string } | { kind: 'user'; userId: number };
export type ConditionOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'ne';
export const CONDITION_OPS: readonly ConditionOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne'];
export interface Condition {
  field: string;
  op: ConditionOp;
  value: number | string;
}

export interface StepDefinition {
  /** stable name, used by separation of duties ('order', 'payment') */
  id: string;
  label?: { fr: string; en: string };
  mode: 'any' | 'all';
  approvers: ApproverRule[];
  when?: Condition;
}

export interface TypeOptions {
  /** cancelling an approved request goes through the steps again (else it is immediate) */
  cancellationThroughSteps?: boolean;
  /** after a send back, the route resumes at the step that sent it back (else at step 1) */
  resumeAtSendingStep?: boolean;
  /** working days on a step before the open approvers get a reminder */
  remindAfterDays?: number;
  /** working days on a step before it also goes to the next level up */
  escalateAfterDays?: number;
  /** pairs of step ids: whoever acted on the first may not act on the second */
  separateDuties?: [string, string][];
}

export interface TypeDefinition {
  fields: FieldDefinition[];
  steps: StepDefinition[];
  options: TypeOptions;
}

export type Payload = Record<string, unknown>;

/** The value a condition reads: a payload field, or `<daterange>.days` (calendar days, inclusive). */
export function conditionValue(payload: Payload, field: string): unknown {
  if (field.endsWith('.days')) {
    const range = payload[field.slice(0, -5)];
    if (range && typeof range === 'object' && 'from' in range && 'to' in range) {
      const { from, to } = range as { from: string; to: string };
      return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400_000) + 1;
    }
  }
  return payload[field];
}

export function conditionHolds(payload: Payload, c: Condition | undefined): boolean {
  if (!c) return true;
  const v = conditionValue(payload, c.field);
  if (v === undefined || v === null || v === '') return c.op === 'ne';
  const numeric = typeof c.value === 'number';
  const a = numeric ? Number(v) : String(v);
  const b = c.value;
  if (numeric && Number.isNaN(a)) return false;
  switch (c.op) {
    case 'gt': return a > b;
    case 'gte': return a >= b;
    case 'lt': return a < b;
    case 'lte': return a <= b;
    case 'eq': return a === b;
    case 'ne': return a !== b;
  }
}

export function parseDefinition(json: string): TypeDefinition {
  const d = JSON.parse(json) as Partial<TypeDefinition>;
  return { fields: d.fields ?? [], steps: d.steps ?? [], options: d.options ?? {} };
}
