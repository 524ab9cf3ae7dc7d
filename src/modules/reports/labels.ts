// How a dimension's value reads in a table, a chart, an export or an e-mail (codes with labels).
import { HEADCOUNT_BANDS, NAF_SECTIONS } from '../registry/index.js';

const STATUS_VALUES = new Set(['active', 'closed', 'open', 'won', 'lost', 'new', 'in_progress', 'waiting_member']);

export function labelValue(dim: string, value: string, t: (key: string) => string, locale: string): string {
  if (value === '') return t('reports.value.empty');
  if (dim === 'section') return NAF_SECTIONS[value] ? `${value} — ${NAF_SECTIONS[value][locale === 'en' ? 'en' : 'fr']}` : value;
  if (dim === 'band') return HEADCOUNT_BANDS[value] ?? value;
  if (dim === 'head_office') return value === '1' ? t('reports.yes') : t('reports.no');
  if ((dim === 'status' || dim === 'stage_kind') && STATUS_VALUES.has(value)) return t(`reports.value.${value}`);
  return value;
}

/** Number as the reader writes it (up to 2 decimals). */
export const formatNumber = (n: number, locale: string) => n.toLocaleString(locale === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 2 });
