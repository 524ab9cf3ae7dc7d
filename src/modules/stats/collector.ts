// The response observer of the statistics: counts what a response is (classify.ts) into a
// memory buffer on the request thread — no I/O, the page never waits — and writes the buffer
// in batches (every FLUSH_MS, or at once past BATCH events) with the visitor hashes of the day.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Insertable } from 'kysely';
import { bulkInsert } from '../../platform/db/bulk.js';
import { usageNotes } from '../../platform/http/usage.js';
import type { ResponseObserver } from '../../platform/module.js';
import { countedEvent, truncateIp, type CountedEvent, type ResponseFacts } from './classify.js';
import { parisDay } from './periods.js';
import { DailySalts, visitorHash } from './salt.js';
import type { StatsDb, StatsEventsTable } from './stats.table.js';

const FLUSH_MS = 2000;
const EVENT_COLUMNS = ['at', 'area', 'kind', 'path', 'visitor', 'entry', 'referrer', 'device', 'term', 'results', 'company_id'] as const;
const BATCH = 500;
/** past this many events waiting (database down), new ones are dropped rather than memory grown */
const MAX_BUFFERED = 50_000;

interface Pending extends CountedEvent {
  at: number;
  ip: string;
}

export function factsOf(req: FastifyRequest, reply: FastifyReply): ResponseFacts {
  const ct = reply.getHeader('content-type');
  const location = reply.getHeader('location');
  return {
    method: req.method,
    url: req.url,
    route: req.routeOptions?.url,
    status: reply.statusCode,
    contentType: typeof ct === 'string' ? ct : undefined,
    location: typeof location === 'string' ? location : undefined,
    headers: req.headers,
    cookies: req.cookies ?? {},
    actorKind: req.actor?.kind ?? 'anonymous',
    audienceMember: req.routeOptions?.config?.audience === 'member',
    memberCompany: req.actor?.memberOf?.current,
    notes: usageNotes(req),
  };
}

export class UsageCollector implements ResponseObserver {
  private buffer: Pending[] = [];
  private flushing: Promise<number> | null = null;
  private readonly timer: NodeJS.Timeout;
  readonly salts = new DailySalts();
  private readonly hashes = new Map<string, string>();
  private hashDay = '';
  private readonly days = new Map<number, string>();

  /** The Paris day of an instant, looked up once per UTC hour (Paris changes day on an hour boundary). */
  private dayOf(at: number): string {
    const hour = Math.floor(at / 3_600_000);
    let d = this.days.get(hour);
    if (d === undefined) {
      if (this.days.size > 48) this.days.clear();
      this.days.set(hour, (d = parisDay(hour * 3_600_000)));
    }
    return d;
  }
  dropped = 0;

  constructor(
    private readonly db: StatsDb,
    private readonly enabled: boolean,
    private readonly clock: () => number = Date.now,
    private readonly log: (err: unknown) => void = () => {},
  ) {
    this.timer = setInterval(() => void this.flush().catch(this.log), FLUSH_MS);
    this.timer.unref();
  }

  observe(req: FastifyRequest, reply: FastifyReply): void {
    if (!this.enabled) return;
    this.push(countedEvent(factsOf(req, reply)), req.ip);
  }

  /** Adds one counted event (the observer's path, and tests'). */
  push(e: CountedEvent | null, ip: string, at = this.clock()): void {
    if (!e) return;
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push({ ...e, at, ip: truncateIp(ip) });
    if (this.buffer.length >= BATCH && !this.flushing) void this.flush().catch(this.log);
  }

  get waiting(): number {
    return this.buffer.length;
  }

  /** Writes what is buffered; returns the number of events written. */
  async flush(): Promise<number> {
    if (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return 0;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async write(batch: Pending[]): Promise<number> {
    const today = parisDay(this.clock());
    if (this.hashDay !== today) {
      this.hashes.clear();
      this.hashDay = today;
    }
    const rows: Insertable<StatsEventsTable>[] = [];
    for (const e of batch) {
      const day = this.dayOf(e.at);
      // A visitor's pages of the day share one hash: computed once per day (the cache is
      // emptied when the day changes, with the salt).
      const key = `${day}|${e.ip}|${e.ua}`;
      let visitor = this.hashes.get(key);
      if (visitor === undefined) {
        visitor = visitorHash(await this.salts.saltFor(this.db, day, today), e.ip, e.ua);
        if (this.hashes.size >= 50_000) this.hashes.clear();
        this.hashes.set(key, visitor);
      }
      rows.push({
        at: new Date(e.at).toISOString(),
        area: e.area,
        kind: e.kind,
        path: e.path,
        visitor,
        entry: e.entry ? 1 : 0,
        referrer: e.referrer,
        device: e.device,
        term: e.term,
        results: e.results,
        company_id: e.companyId,
      });
    }
    // One transaction for the batch: one commit (one fsync) instead of one per statement.
    await this.db.transaction().execute(async (trx) => {
      // The platform's bulk insert (ADR 0007): one prepared statement on SQLite, unnest on PostgreSQL.
      await bulkInsert(trx, 'stats_events', EVENT_COLUMNS, rows.map((r) => EVENT_COLUMNS.map((c) => r[c] ?? null)));
      await this.salts.rotate(trx, today);
    });
    return rows.length;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(this.log);
  }
}
