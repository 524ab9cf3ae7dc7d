// French first, English second. Catalogues are flat key → message maps; each module brings
// its own and the platform merges them at start. Missing English falls back to French, a
// missing key shows itself (so it is noticed) rather than crashing a page.
import { platformMessages } from './messages.js';

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type Catalogue = Record<string, string>;
export interface Messages {
  fr: Catalogue;
  en: Catalogue;
}
export type Params = Record<string, string | number | null | undefined>;
export type Translate = (key: string, params?: Params) => string;

export function isLocale(v: unknown): v is Locale {
  return v === 'fr' || v === 'en';
}

export class I18n {
  private readonly cats: Record<Locale, Catalogue> = { fr: {}, en: {} };

  constructor(extra: readonly Messages[] = []) {
    for (const m of [platformMessages, ...extra]) {
      Object.assign(this.cats.fr, m.fr);
      Object.assign(this.cats.en, m.en);
    }
  }

  has(key: string): boolean {
    return key in this.cats.fr;
  }

  translator(locale: Locale): Translate {
    const cat = this.cats[locale];
    const fr = this.cats.fr;
    return (key, params) => {
      const msg = cat[key] ?? fr[key] ?? key;
      if (!params) return msg;
      return msg.replace(/\{(\w+)\}/g, (_, name: string) => {
        const v = params[name];
        return v === undefined || v === null ? '' : String(v);
      });
    };
  }
}

const TZ = 'Europe/Paris';
const tag = (l: Locale) => (l === 'fr' ? 'fr-FR' : 'en-GB');

// Building an Intl formatter costs far more than using one (tens of µs): a timeline or a board
// formats hundreds of values per page, so each formatter is built once per locale and style.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let f = formatters.get(key) as T | undefined;
  if (!f) formatters.set(key, (f = make()));
  return f;
}

/** Dates are stored in UTC and shown in Paris time. */
export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '';
  return cached(`dt:${locale}`, () => new Intl.DateTimeFormat(tag(locale), { dateStyle: 'short', timeStyle: 'short', timeZone: TZ })).format(new Date(iso));
}

export function formatDate(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '';
  // A calendar date ('YYYY-MM-DD') is not a moment: format it without time-zone shifts.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    return cached(`day:${locale}`, () => new Intl.DateTimeFormat(tag(locale), { dateStyle: 'short', timeZone: 'UTC' })).format(new Date(iso + 'T00:00:00Z'));
  }
  return cached(`d:${locale}`, () => new Intl.DateTimeFormat(tag(locale), { dateStyle: 'short', timeZone: TZ })).format(new Date(iso));
}

/** 'YYYY-MM' → "mars 2026" / "Mar 2026" */
export function formatMonth(month: string, locale: Locale): string {
  return cached(`m:${locale}`, () => new Intl.DateTimeFormat(tag(locale), { month: 'short', year: 'numeric', timeZone: 'UTC' })).format(new Date(month + '-01T00:00:00Z'));
}

export function formatNumber(n: number, locale: Locale): string {
  return cached(`n:${locale}`, () => new Intl.NumberFormat(tag(locale))).format(n);
}

/** Money is stored as integer cents. */
export function formatMoney(cents: number, locale: Locale): string {
  return cached(`eur:${locale}`, () => new Intl.NumberFormat(tag(locale), { style: 'currency', currency: 'EUR' })).format(cents / 100);
}
