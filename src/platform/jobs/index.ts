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

export class JobRunner {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly worker = `w-${randomUUID().slice(0, 8)}`;
  private stopped = false;

  constructor(
    private readonly db: AnyDb,
    private readonly handlers: Record<string, JobHandler>,
    private readonly schedules: readonly Schedule[] = [],
    private readonly log: { error(o: object, m: string): void; info(o: object, m: string): void } = console as never,
  ) {}

  start(intervalMs = 1000): void {
    this.stopped = false;
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

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
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
    // A job left "running" by a crashed instance for 15 minutes is taken back.
    const staleBefore = new Date(now.getTime() - 15 * 60_000).toISOString();
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
    const ctx: JobContext = {
      db: this.db,
      job,
      progress: async (value) => {
        await d.updateTable('jobs').set({ progress: JSON.stringify(value) }).where('id', '=', job.id).execute();
      },
    };
    try {
      const result = await handler(JSON.parse(job.payload), ctx);
      await d
        .updateTable('jobs')
        .set({ status: 'done', finished_at: nowIso(), result: result === undefined ? null : JSON.stringify(result), last_error: null })
        .where('id', '=', job.id)
        .execute();
    } catch (e) {
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
    }
  }
}
