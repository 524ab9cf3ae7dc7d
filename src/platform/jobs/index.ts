// Durable job queue in the database. Any instance may run jobs: on PostgreSQL a job is claimed
// with FOR UPDATE SKIP LOCKED, on SQLite the single writer makes the claim atomic. Recurring
// work ("schedules") is enqueued with a unique key per time slot, so it fires once per slot even
// with several instances or across restarts.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { dialectOf, nowIso, type AnyDb } from '../db/index.js';
import type { JobRow } from '../db/tables.js';
import type { PlatformDb } from '../db/typed.js';

export interface JobContext {
  db: AnyDb;
  job: JobRow;
  /** report progress (shown by pages that follow a job, e.g. an import) */
  progress(value: Record<string, unknown>): Promise<void>;
  /**
   * Aborted when the process shuts down (SIGTERM): a long handler checks it between units of
   * work, stops at a safe point (nothing half-written) and returns or throws; the runner then
   * puts the job back in the queue without counting the attempt, and the next start resumes it.
   * Handlers that never look at it simply finish (up to the shutdown deadline).
   */
  signal?: AbortSignal;
}
export type JobHandler = (payload: any, ctx: JobContext) => Promise<unknown>;

export interface Schedule {
  kind: string;
  /** seconds between runs */
  everySeconds: number;
}

export interface EnqueueOptions {
  runAt?: Date;
  uniqueKey?: string;
  maxAttempts?: number;
}

export async function enqueue(db: AnyDb, kind: string, payload: unknown = {}, opts: EnqueueOptions = {}): Promise<number | null> {
  const d: PlatformDb = db;
  const values = {
    kind,
    payload: JSON.stringify(payload ?? {}),
    status: 'queued' as const,
    run_at: (opts.runAt ?? new Date()).toISOString(),
    attempts: 0,
    max_attempts: opts.maxAttempts ?? 5,
    unique_key: opts.uniqueKey ?? null,
    created_at: nowIso(),
  };
  const row = await d
    .insertInto('jobs')
    .values(values)
    .onConflict((oc) => oc.column('unique_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function getJob(db: AnyDb, id: number): Promise<JobRow | undefined> {
  const d: PlatformDb = db;
  return d.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * A running job's lock is refreshed every HEARTBEAT_MS; one not refreshed for STALE_MS belongs to
 * an instance that died (kill -9, power loss) and is taken back by any instance — the work
 * resumes about a minute after the crash instead of a quarter of an hour.
 */
export const HEARTBEAT_MS = 15_000;
export const STALE_MS = 90_000;

export class JobRunner {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly worker = `w-${randomUUID().slice(0, 8)}`;
  private stopped = false;
  private abort = new AbortController();

  constructor(
    private readonly db: AnyDb,
    private readonly handlers: Record<string, JobHandler>,
    private readonly schedules: readonly Schedule[] = [],
    private readonly log: { error(o: object, m: string): void; info(o: object, m: string): void } = console as never,
  ) {}

  start(intervalMs = 1000): void {
    this.stopped = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    const loop = async () => {
      if (this.stopped) return;
      try {
        await this.tick();
      } catch (e) {
        this.log.error({ err: e }, 'job loop failed');
      }
      if (!this.stopped) this.timer = setTimeout(loop, intervalMs);
    };
    this.timer = setTimeout(loop, 50);
  }

  /**
   * Stops taking jobs and asks the running one to reach a safe point (its `signal`); waits for it
   * at most `deadlineMs` (then returns: the job's lock goes stale and another start resumes it).
   */
  async stop(deadlineMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    const until = Date.now() + deadlineMs;
    while (this.running && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  /** true while a tick is running jobs (metrics, shutdown) */
  get busy(): boolean {
    return this.running;
  }

  /** Enqueue due schedules, then run every due job. Returns the number of jobs run. */
  async tick(now = new Date()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      for (const s of this.schedules) {
        const slot = Math.floor(now.getTime() / 1000 / s.everySeconds);
        await enqueue(this.db, s.kind, {}, { uniqueKey: `${s.kind}@${slot}`, runAt: now, maxAttempts: 1 });
      }
      let count = 0;
      for (;;) {
        if (this.stopped) break;
        const job = await this.claim(now);
        if (!job) break;
        await this.run(job);
        count++;
      }
      return count;
    } finally {
      this.running = false;
    }
  }

  private async claim(now: Date): Promise<JobRow | undefined> {
    const d: PlatformDb = this.db;
    const kinds = Object.keys(this.handlers);
    if (kinds.length === 0) return undefined;
    const nowS = now.toISOString();
    // A job whose lock was not refreshed for STALE_MS was left "running" by a crashed instance.
    const staleBefore = new Date(now.getTime() - STALE_MS).toISOString();
    const pick = d
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', kinds)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', nowS)]),
          eb.and([eb('status', '=', 'running'), eb('locked_at', '<', staleBefore)]),
        ]),
      )
      .orderBy('run_at')
      .limit(1);
    const picked = dialectOf(this.db) === 'postgres' ? pick.forUpdate().skipLocked() : pick;
    return d
      .updateTable('jobs')
      .set({ status: 'running', locked_by: this.worker, locked_at: nowS, attempts: sql`attempts + 1` })
      .where('id', 'in', picked)
      .returningAll()
      .executeTakeFirst();
  }

  private async run(job: JobRow): Promise<void> {
    const d: PlatformDb = this.db;
    const handler = this.handlers[job.kind];
    const signal = this.abort.signal;
    const ctx: JobContext = {
      db: this.db,
      job,
      signal,
      progress: async (value) => {
        await d.updateTable('jobs').set({ progress: JSON.stringify(value), locked_at: nowIso() }).where('id', '=', job.id).execute();
      },
    };
    const heartbeat = setInterval(() => {
      d.updateTable('jobs').set({ locked_at: nowIso() }).where('id', '=', job.id).where('locked_by', '=', this.worker).execute().catch(() => {});
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      const result = await handler(JSON.parse(job.payload), ctx);
      if (signal.aborted && isUnfinished(result)) {
        await this.putBack(job);
        return;
      }
      await d
        .updateTable('jobs')
        .set({ status: 'done', finished_at: nowIso(), result: result === undefined ? null : JSON.stringify(result), last_error: null })
        .where('id', '=', job.id)
        .execute();
    } catch (e) {
      if (signal.aborted) {
        // Interrupted by the shutdown: not a failure of the job, its attempt is not counted.
        await this.putBack(job);
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      const retry = job.attempts < job.max_attempts;
      // Exponential back-off: 30 s, 1 min, 2 min, 4 min…
      const runAt = new Date(Date.now() + 30_000 * 2 ** (job.attempts - 1)).toISOString();
      await d
        .updateTable('jobs')
        .set(retry ? { status: 'queued', run_at: runAt, last_error: message, locked_by: null } : { status: 'failed', finished_at: nowIso(), last_error: message })
        .where('id', '=', job.id)
        .execute();
      this.log.error({ job: job.id, kind: job.kind, err: message }, retry ? 'job failed, will retry' : 'job failed for good');
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Back to the queue after a shutdown interrupted it, to resume at the next start. */
  private async putBack(job: JobRow): Promise<void> {
    const d: PlatformDb = this.db;
    await d
      .updateTable('jobs')
      .set({ status: 'queued', run_at: nowIso(), locked_by: null, locked_at: null, attempts: Math.max(0, job.attempts - 1) })
      .where('id', '=', job.id)
      .execute();
    this.log.info({ job: job.id, kind: job.kind }, 'job interrupted by shutdown, queued again');
  }
}

/** A handler that stopped at a safe point says so by returning { interrupted: true }. */
function isUnfinished(result: unknown): boolean {
  return typeof result === 'object' && result !== null && (result as { interrupted?: unknown }).interrupted === true;
}
