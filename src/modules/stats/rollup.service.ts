// Roll-ups of the raw events per hour (UTC hour buckets), day and month (Paris calendar), and the
// purge of raw events past STATS_RAW_DAYS. Idempotent: each run recomputes the buckets it touches
// (delete + insert in the caller's transaction) and moves the watermark, so a run repeated (two
// instances, a retry) gives the same rows. Unique visitors: distinct hashes per hour and per
// day; a month's visitors are the sum of its days (hashes change every day by design).
import { nowIso } from '../../platform/db/index.js';
import { addMonths, dayBounds, hourBucket, parisDay, parisMonth, monthBounds } from './periods.js';
import type { Area, StatsDb, StatsEvent } from './stats.table.js';

/** Company size band and sector (NAF division) of member companies, from the registry. */
export type CompanyProfiles = (ids: number[]) => Promise<Map<number, { size: string | null; sector: string | null }>>;

const WATERMARK = 'rolled_until';
const TOP = 100;
/** events younger than this are left for the next run (buffers of other instances still flushing) */
const SETTLE_MS = 5 * 60_000;

type Row = { period: 'hour' | 'day' | 'month'; bucket: string; area: Area; metric: string; dim: string; value: string; count: number };

class Counter {
  readonly map = new Map<string, number>();
  add(key: string, n = 1) {
    this.map.set(key, (this.map.get(key) ?? 0) + n);
  }
}

/** INSEE headcount band → a size class shown on the dashboard. */
export function sizeClass(band: string | null): string {
  if (!band || band === 'NN') return 'unknown';
  if (band === '00') return '0';
  if (['01', '02', '03'].includes(band)) return '1-9';
  if (['11', '12'].includes(band)) return '10-49';
  if (['21', '22'].includes(band)) return '50-249';
  return '250+';
}

async function eventsBetween(db: StatsDb, from: string, to: string): Promise<StatsEvent[]> {
  const out: StatsEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await db.selectFrom('stats_events').selectAll().where('at', '>=', from).where('at', '<', to).where('id', '>', after).orderBy('id').limit(5000).execute();
    out.push(...page);
    if (page.length < 5000) return out;
    after = page[page.length - 1].id;
  }
}

const isView = (e: StatsEvent) => e.kind === 'view' || e.kind === 'search';

/** Totals of a set of events, per area: the metrics every period has. */
function totals(events: StatsEvent[]): Map<string, number> {
  const c = new Counter();
  const visitors = new Map<Area, Set<string>>();
  for (const e of events) {
    if (isView(e)) {
      c.add(`${e.area}|views`);
      if (e.entry) c.add(`${e.area}|entries`);
      let v = visitors.get(e.area);
      if (!v) visitors.set(e.area, (v = new Set()));
      v.add(e.visitor);
    }
    if (e.kind === 'not_found') c.add(`${e.area}|not_found`);
    if (e.kind === 'search') {
      c.add(`${e.area}|searches`);
      if (e.results === 0) c.add(`${e.area}|searches_zero`);
    }
    if (e.kind === 'sign_in') c.add(`${e.area}|sign_ins`);
  }
  for (const [area, set] of visitors) c.add(`${area}|visitors`, set.size);
  return c.map;
}

function rowsOf(period: Row['period'], bucket: string, counts: Map<string, number>, dim = ''): Row[] {
  return [...counts].map(([k, count]) => {
    const [area, metric, ...value] = k.split('|');
    return { period, bucket, area: area as Area, metric, dim, value: value.join('|'), count };
  });
}

function top(counter: Counter): Map<string, number> {
  return new Map([...counter.map].sort((a, b) => b[1] - a[1]).slice(0, TOP));
}

async function dayRows(day: string, events: StatsEvent[], profiles: CompanyProfiles): Promise<Row[]> {
  const rows = rowsOf('day', day, totals(events));
  const dims: Record<string, Counter> = { path: new Counter(), entry: new Counter(), referrer: new Counter(), device: new Counter(), term: new Counter(), zero: new Counter(), missing: new Counter(), size: new Counter(), sector: new Counter() };
  const companies = [...new Set(events.filter((e) => e.company_id !== null).map((e) => e.company_id as number))];
  const prof = companies.length ? await profiles(companies) : new Map();
  for (const e of events) {
    if (isView(e)) {
      dims.path.add(`${e.area}|views|${e.path}`);
      dims.device.add(`${e.area}|views|${e.device}`);
      if (e.entry) dims.entry.add(`${e.area}|entries|${e.path}`);
      if (e.entry && e.referrer) dims.referrer.add(`${e.area}|entries|${e.referrer}`);
      if (e.company_id !== null) {
        const p = prof.get(e.company_id);
        dims.size.add(`${e.area}|views|${sizeClass(p?.size ?? null)}`);
        dims.sector.add(`${e.area}|views|${p?.sector ?? 'unknown'}`);
      }
    }
    if (e.kind === 'sign_in' && e.company_id !== null) {
      const p = prof.get(e.company_id);
      dims.size.add(`${e.area}|sign_ins|${sizeClass(p?.size ?? null)}`);
      dims.sector.add(`${e.area}|sign_ins|${p?.sector ?? 'unknown'}`);
    }
    if (e.kind === 'search' && e.term) {
      dims.term.add(`${e.area}|searches|${e.term}`);
      if (e.results === 0) dims.zero.add(`${e.area}|searches_zero|${e.term}`);
    }
    if (e.kind === 'not_found') dims.missing.add(`${e.area}|not_found|${e.path}`);
  }
  const DIM_NAME: Record<string, string> = { path: 'path', entry: 'path', referrer: 'referrer', device: 'device', term: 'term', zero: 'term', missing: 'path', size: 'size', sector: 'sector' };
  for (const [k, counter] of Object.entries(dims)) rows.push(...rowsOf('day', day, top(counter), DIM_NAME[k]));
  return rows;
}

async function replace(db: StatsDb, period: Row['period'], buckets: string[], rows: Row[]): Promise<void> {
  if (buckets.length === 0) return;
  await db.deleteFrom('stats_rollups').where('period', '=', period).where('bucket', 'in', buckets).execute();
  for (let i = 0; i < rows.length; i += 200) await db.insertInto('stats_rollups').values(rows.slice(i, i + 200)).execute();
}

export interface RollupResult {
  hours: number;
  days: string[];
  months: string[];
  purged: number;
}

/**
 * Rolls up every complete hour since the watermark (at most `maxDays` back), recomputes the
 * Paris days and months they belong to, then purges raw events older than `rawDays`.
 */
export async function rollUp(db: StatsDb, now: Date, opts: { rawDays: number; profiles: CompanyProfiles }): Promise<RollupResult> {
  const until = hourBucket(now.getTime() - SETTLE_MS);
  const mark = await db.selectFrom('stats_state').select('value').where('key', '=', WATERMARK).executeTakeFirst();
  const earliest = new Date(now.getTime() - opts.rawDays * 86_400_000).toISOString();
  let from = mark?.value ?? (await db.selectFrom('stats_events').select((eb) => eb.fn.min('at').as('at')).executeTakeFirst())?.at ?? until;
  if (from < earliest) from = earliest;
  from = hourBucket(from);
  const result: RollupResult = { hours: 0, days: [], months: [], purged: 0 };
  if (from < until) {
    // Hours
    const events = await eventsBetween(db, from, until);
    const byHour = new Map<string, StatsEvent[]>();
    for (const e of events) {
      const h = hourBucket(e.at);
      const list = byHour.get(h);
      if (list) list.push(e);
      else byHour.set(h, [e]);
    }
    const hours: string[] = [];
    for (let t = Date.parse(from); t < Date.parse(until); t += 3_600_000) hours.push(new Date(t).toISOString());
    await replace(db, 'hour', hours, hours.flatMap((h) => rowsOf('hour', h, totals(byHour.get(h) ?? []))));
    result.hours = hours.length;
    // Days touched by those hours, recomputed whole from the raw events (up to `until`).
    const days = [...new Set(hours.flatMap((h) => [parisDay(h), parisDay(Date.parse(h) + 3_599_999)]))].sort();
    const rows: Row[] = [];
    for (const day of days) {
      const b = dayBounds(day);
      rows.push(...(await dayRows(day, await eventsBetween(db, b.from, b.to < until ? b.to : until), opts.profiles)));
    }
    await replace(db, 'day', days, rows);
    result.days = days;
    // Months touched: sums of their days' rows (top values kept).
    const months = [...new Set(days.map((d) => d.slice(0, 7)))].sort();
    const monthRows: Row[] = [];
    for (const month of months) {
      const dayRowsOfMonth = await db.selectFrom('stats_rollups').selectAll().where('period', '=', 'day').where('bucket', '>=', `${month}-01`).where('bucket', '<=', `${month}-31`).execute();
      const sums = new Map<string, Row>();
      for (const r of dayRowsOfMonth) {
        const k = `${r.area}|${r.metric}|${r.dim}|${r.value}`;
        const s = sums.get(k);
        if (s) s.count += r.count;
        else sums.set(k, { period: 'month', bucket: month, area: r.area, metric: r.metric, dim: r.dim, value: r.value, count: r.count });
      }
      const byDim = new Map<string, Row[]>();
      for (const r of sums.values()) {
        const k = `${r.area}|${r.metric}|${r.dim}`;
        byDim.set(k, [...(byDim.get(k) ?? []), r]);
      }
      for (const list of byDim.values()) monthRows.push(...list.sort((a, b) => b.count - a.count).slice(0, list[0].dim === '' ? undefined : TOP));
    }
    await replace(db, 'month', months, monthRows);
    result.months = months;
    await db
      .insertInto('stats_state')
      .values({ key: WATERMARK, value: until })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: until }))
      .execute();
  }
  const purged = await db.deleteFrom('stats_events').where('at', '<', earliest).executeTakeFirst();
  result.purged = Number(purged.numDeletedRows);
  await db
    .insertInto('stats_state')
    .values({ key: 'last_run', value: nowIso() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: nowIso() }))
    .execute();
  return result;
}

export interface MonthTotals {
  /** area → metric → count */
  [area: string]: Record<string, number>;
}

/** Totals per area and metric of a Paris month (its month rows). */
export async function monthTotals(db: StatsDb, month: string): Promise<MonthTotals> {
  const rows = await db.selectFrom('stats_rollups').select(['area', 'metric', 'count']).where('period', '=', 'month').where('bucket', '=', month).where('dim', '=', '').execute();
  const out: MonthTotals = {};
  for (const r of rows) (out[r.area] ??= {})[r.metric] = r.count;
  return out;
}

/** The top values of a dimension for a month (pages, referrers, devices, terms…). */
export async function monthTop(db: StatsDb, month: string, area: Area, metric: string, dim: string, limit = 10): Promise<{ value: string; count: number }[]> {
  return db
    .selectFrom('stats_rollups')
    .select(['value', 'count'])
    .where('period', '=', 'month')
    .where('bucket', '=', month)
    .where('area', '=', area)
    .where('metric', '=', metric)
    .where('dim', '=', dim)
    .orderBy('count', 'desc')
    .orderBy('value')
    .limit(limit)
    .execute();
}

/** The day rows of a month for one metric (a month's curve). */
export async function dailySeries(db: StatsDb, month: string, area: Area, metric: string): Promise<{ bucket: string; count: number }[]> {
  return db
    .selectFrom('stats_rollups')
    .select(['bucket', 'count'])
    .where('period', '=', 'day')
    .where('bucket', '>=', `${month}-01`)
    .where('bucket', '<=', `${month}-31`)
    .where('area', '=', area)
    .where('metric', '=', metric)
    .where('dim', '=', '')
    .orderBy('bucket')
    .execute();
}

export { addMonths, monthBounds, parisMonth };
