// Validation of a request's values against its type's fields (types without code). Input comes
// as form strings; the payload keeps typed values: numbers, cents, ISO dates, {from,to}, booleans.
import type { FieldErrors } from '../../platform/errors.js';
import type { FieldDefinition, Payload } from './definition.js';

export type RawValues = Record<string, string>;

/** A file kept by the content module's storage, as the payload records it. */
export interface AttachmentRef {
  storageKey: string;
  name: string;
  mime: string;
  size: number;
}
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export function isAttachment(v: unknown): v is AttachmentRef {
  return typeof v === 'object' && v !== null && typeof (v as AttachmentRef).storageKey === 'string' && typeof (v as AttachmentRef).name === 'string';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isDate = (v: string) => ISO_DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/** "1 234,56" or "1234.56" → 123456 cents; undefined when not an amount. */
export function parseEuros(v: string): number | undefined {
  const s = v.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return undefined;
  const cents = Math.round(Number(s) * 100);
  return Number.isSafeInteger(cents) ? cents : undefined;
}

function parseNumber(v: string): number | undefined {
  const s = v.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** The raw form values of a stored payload, to fill the form again (edit after a send back). */
export function rawFromPayload(fields: FieldDefinition[], payload: Payload): RawValues {
  const out: RawValues = {};
  for (const f of fields) {
    const v = payload[f.name];
    if (v === undefined || v === null) continue;
    if (f.kind === 'daterange' && typeof v === 'object') {
      out[`${f.name}_from`] = String((v as { from: string }).from);
      out[`${f.name}_to`] = String((v as { to: string }).to);
    } else if (f.kind === 'amount') out[f.name] = (Number(v) / 100).toFixed(2).replace('.', ',');
    else if (f.kind === 'yesno') out[f.name] = v ? '1' : '';
    else if (f.kind === 'attachment') out[`${f.name}__name`] = isAttachment(v) ? v.name : '';
    else out[f.name] = String(v);
  }
  return out;
}

/**
 * Checks every field; `errors` is keyed by field name (a date range reports on `<name>_from`),
 * with i18n keys. A draft (`partial`) may leave required fields empty.
 */
export function validateValues(fields: FieldDefinition[], raw: RawValues, opts: { partial?: boolean; attachments?: Record<string, AttachmentRef> } = {}): { payload: Payload; errors: FieldErrors } {
  const payload: Payload = {};
  const errors: FieldErrors = {};
  for (const f of fields) {
    const v = (raw[f.name] ?? '').trim();
    const empty = f.kind === 'daterange' ? !(raw[`${f.name}_from`] ?? '').trim() && !(raw[`${f.name}_to`] ?? '').trim() : v === '';
    if (f.kind === 'yesno') {
      payload[f.name] = v === '1' || v === 'on' || v === 'true';
      if (f.required && !payload[f.name] && !opts.partial) errors[f.name] = 'approvals.field.must_accept';
      continue;
    }
    if (f.kind === 'attachment') {
      const file = opts.attachments?.[f.name];
      if (file) payload[f.name] = file;
      else if (f.required && !opts.partial) errors[f.name] = 'approvals.field.file_required';
      continue;
    }
    if (empty) {
      if (f.required && !opts.partial) errors[f.kind === 'daterange' ? `${f.name}_from` : f.name] = 'field.required';
      continue;
    }
    switch (f.kind) {
      case 'text':
      case 'longtext': {
        const max = typeof f.max === 'number' ? f.max : f.kind === 'text' ? 200 : 5000;
        if (v.length > max) errors[f.name] = 'approvals.field.too_long';
        else if (typeof f.min === 'number' && v.length < f.min) errors[f.name] = 'approvals.field.too_short';
        else if (f.pattern && !safePattern(f.pattern).test(v)) errors[f.name] = 'approvals.field.pattern';
        else payload[f.name] = v;
        break;
      }
      case 'number':
      case 'amount': {
        const n = f.kind === 'amount' ? parseEuros(v) : parseNumber(v);
        if (n === undefined) errors[f.name] = f.kind === 'amount' ? 'approvals.field.amount' : 'approvals.field.number';
        else if (typeof f.min === 'number' && n < f.min) errors[f.name] = 'approvals.field.too_small';
        else if (typeof f.max === 'number' && n > f.max) errors[f.name] = 'approvals.field.too_large';
        else payload[f.name] = n;
        break;
      }
      case 'date': {
        if (!isDate(v)) errors[f.name] = 'approvals.field.date';
        else if (typeof f.min === 'string' && v < f.min) errors[f.name] = 'approvals.field.too_early';
        else if (typeof f.max === 'string' && v > f.max) errors[f.name] = 'approvals.field.too_late';
        else payload[f.name] = v;
        break;
      }
      case 'daterange': {
        const from = (raw[`${f.name}_from`] ?? '').trim();
        const to = (raw[`${f.name}_to`] ?? '').trim();
        if (!isDate(from)) errors[`${f.name}_from`] = 'approvals.field.date';
        else if (!isDate(to)) errors[`${f.name}_to`] = 'approvals.field.date';
        else if (to < from) errors[`${f.name}_to`] = 'approvals.field.range_order';
        else payload[f.name] = { from, to };
        break;
      }
      case 'choice': {
        if (!(f.choices ?? []).includes(v)) errors[f.name] = 'approvals.field.choice';
        else payload[f.name] = v;
        break;
      }
    }
  }
  return { payload, errors };
}

/** An administrator's pattern, anchored; a pattern that does not compile matches nothing. */
function safePattern(p: string): RegExp {
  try {
    return new RegExp(`^(?:${p})$`, 'u');
  } catch {
    return /^\b$/;
  }
}

/** A readable line per field, for exports and the request page. */
export function displayValue(f: FieldDefinition, v: unknown, locale: string): string {
  if (v === undefined || v === null || v === '') return '';
  switch (f.kind) {
    case 'amount':
      return new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: 'EUR' }).format(Number(v) / 100);
    case 'daterange': {
      const r = v as { from: string; to: string };
      return `${r.from} → ${r.to}`;
    }
    case 'attachment':
      return isAttachment(v) ? v.name : '';
    case 'yesno':
      return v ? (locale === 'en' ? 'Yes' : 'Oui') : locale === 'en' ? 'No' : 'Non';
    default:
      return String(v);
  }
}
