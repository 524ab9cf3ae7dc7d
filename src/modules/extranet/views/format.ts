// Date formatting with cached Intl formatters: the platform's helpers build a formatter per
// call (~50 µs), which dominated the 500-event timeline (bench/extranet.ts). Same output.
import type { Locale } from '../../../platform/i18n/index.js';

const TZ = 'Europe/Paris';
const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(locale: Locale, kind: 'date' | 'calendar' | 'datetime'): Intl.DateTimeFormat {
  const key = `${locale}:${kind}`;
  let f = cache.get(key);
  if (!f) {
    const tag = locale === 'fr' ? 'fr-FR' : 'en-GB';
    f =
      kind === 'datetime'
        ? new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeStyle: 'short', timeZone: TZ })
        : new Intl.DateTimeFormat(tag, { dateStyle: 'short', timeZone: kind === 'calendar' ? 'UTC' : TZ });
    cache.set(key, f);
  }
  return f;
}

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  return iso ? fmt(locale, 'datetime').format(new Date(iso)) : '';
}

export function formatDate(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '';
  // A calendar date ('YYYY-MM-DD') is not a moment: format it without time-zone shifts.
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return fmt(locale, 'calendar').format(new Date(iso + 'T00:00:00Z'));
  return fmt(locale, 'date').format(new Date(iso));
}
