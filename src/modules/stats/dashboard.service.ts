// What the dashboard and the monthly report show: usage totals of a month against the previous
// month and the same month last year (from the month roll-ups), the month's top values, and every
// module's activity figures for the same three periods (ModuleContext.kpis).
import type { Actor } from '../../platform/audit/audit.js';
import type { Kpi, KpiPeriod } from '../../platform/module.js';
import { addMonths, monthBounds } from './periods.js';
import { mayReadBreakdowns } from './policy.js';
import { monthTop, monthTotals, type MonthTotals } from './rollup.service.js';
import { AREAS, type Area, type StatsDb } from './stats.table.js';

export const USAGE_METRICS = ['views', 'visitors', 'entries', 'not_found', 'searches', 'searches_zero', 'sign_ins'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

export interface Compared {
  current: number;
  previous: number;
  lastYear: number;
}

export interface UsageRow extends Compared {
  area: Area;
  metric: UsageMetric;
}

export interface KpiRow extends Compared {
  module: string;
  key: string;
  label: Kpi['label'];
  unit: NonNullable<Kpi['unit']>;
  group?: string;
}

export interface TopList {
  area: Area;
  metric: string;
  dim: string;
  /** i18n key of the list's title */
  title: string;
  rows: { value: string; count: number }[];
}

export interface Dashboard {
  month: string;
  previous: string;
  lastYear: string;
  usage: UsageRow[];
  tops: TopList[];
  kpis: KpiRow[];
}

export type KpiSource = (period: KpiPeriod) => Promise<{ module: string; kpis: Kpi[] }[]>;

const get = (t: MonthTotals, area: Area, metric: string) => t[area]?.[metric] ?? 0;

export async function usageRows(db: StatsDb, month: string): Promise<UsageRow[]> {
  const [cur, prev, ly] = await Promise.all([monthTotals(db, month), monthTotals(db, addMonths(month, -1)), monthTotals(db, addMonths(month, -12))]);
  return AREAS.flatMap((area) => USAGE_METRICS.filter((m) => m !== 'sign_ins' || area === 'extranet').filter((m) => !['searches', 'searches_zero'].includes(m) || area !== 'extranet').map((metric) => ({ area, metric, current: get(cur, area, metric), previous: get(prev, area, metric), lastYear: get(ly, area, metric) })));
}

const TOPS: { area: Area; metric: string; dim: string; title: string }[] = [
  { area: 'public', metric: 'views', dim: 'path', title: 'stats.top.pages' },
  { area: 'public', metric: 'entries', dim: 'path', title: 'stats.top.entries' },
  { area: 'public', metric: 'entries', dim: 'referrer', title: 'stats.top.referrers' },
  { area: 'public', metric: 'views', dim: 'device', title: 'stats.top.devices' },
  { area: 'public', metric: 'searches', dim: 'term', title: 'stats.top.searches' },
  { area: 'public', metric: 'searches_zero', dim: 'term', title: 'stats.top.searches_zero' },
  { area: 'public', metric: 'not_found', dim: 'path', title: 'stats.top.not_found' },
  { area: 'intranet', metric: 'views', dim: 'path', title: 'stats.top.intranet_pages' },
  { area: 'extranet', metric: 'views', dim: 'path', title: 'stats.top.extranet_pages' },
  { area: 'extranet', metric: 'views', dim: 'size', title: 'stats.top.extranet_size' },
  { area: 'extranet', metric: 'views', dim: 'sector', title: 'stats.top.extranet_sector' },
];

export async function topLists(db: StatsDb, month: string): Promise<TopList[]> {
  return Promise.all(TOPS.map(async (t) => ({ ...t, rows: await monthTop(db, month, t.area, t.metric, t.dim, 10) })));
}

/** Every module's figures for the month, the previous one and the same month last year. */
export async function kpiRows(source: KpiSource, month: string, withGroups: boolean): Promise<KpiRow[]> {
  const [cur, prev, ly] = await Promise.all([source(monthBounds(month)), source(monthBounds(addMonths(month, -1))), source(monthBounds(addMonths(month, -12)))]);
  const rows = new Map<string, KpiRow>();
  const put = (list: { module: string; kpis: Kpi[] }[], field: keyof Compared) => {
    for (const { module, kpis } of list) {
      for (const k of kpis) {
        if (k.group !== undefined && !withGroups) continue;
        const id = `${module}|${k.key}|${k.group ?? ''}`;
        let r = rows.get(id);
        if (!r) rows.set(id, (r = { module, key: k.key, label: k.label, unit: k.unit ?? 'count', group: k.group, current: 0, previous: 0, lastYear: 0 }));
        r[field] += k.value;
      }
    }
  };
  put(cur, 'current');
  put(prev, 'previous');
  put(ly, 'lastYear');
  return [...rows.values()].sort((a, b) => a.module.localeCompare(b.module) || a.key.localeCompare(b.key) || (a.group ?? '').localeCompare(b.group ?? ''));
}

export async function dashboard(db: StatsDb, source: KpiSource, actor: Actor | null, month: string): Promise<Dashboard> {
  const withGroups = actor === null || mayReadBreakdowns(actor);
  const [usage, tops, kpis] = await Promise.all([usageRows(db, month), topLists(db, month), kpiRows(source, month, withGroups)]);
  return { month, previous: addMonths(month, -1), lastYear: addMonths(month, -12), usage, tops, kpis };
}

/** Change in percent, or null when there is nothing to compare with. */
export function change(current: number, before: number): number | null {
  if (before === 0) return null;
  return Math.round(((current - before) / before) * 1000) / 10;
}
