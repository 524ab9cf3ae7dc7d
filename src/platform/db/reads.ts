// Heavy reads off the request path (ADR 0009). `openDatabase` gives every module two read
// handles beside `db`, same tables, same dialect:
//   reads       searches with counts, exports, reports: long statements, a lane of their own
//   quickReads  record pages that read many rows but must stay instant (a company page)
// On SQLite both run in worker threads, each with its own read-only connection to the same file
// (WAL: readers beside the one writer), so the thread that answers every request never runs
// them. Heavy reads may hold every worker but one; that one is kept for quick reads. On
// PostgreSQL `reads` is a second pool whose statements carry a time limit, so the main pool
// stays free for health checks, sign-in, page chrome and writes; quick reads use the main pool.
// Past the time limit, or when too many reads already wait, the caller gets a 503 with
// Retry-After (AppError kind 'unavailable'), never a request that hangs.
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type Driver,
  type PostgresPool,
  type PostgresPoolClient,
  type QueryResult,
} from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.js';
import type { ReadRequest, ReadResponse, ReadWorkerData } from './read-worker.js';

export type ReadLane = 'heavy' | 'quick';

export interface ReadOptions {
  /** SQLite: worker threads for heavy reads (one more is kept for quick reads) */
  workers?: number;
  /** PostgreSQL: connections of the read pool */
  poolSize?: number;
  /** time limit of one statement, and of the wait for a worker or connection, in ms */
  timeoutMs?: number;
  /** reads that may wait for a worker or connection; one more is refused with a 503 */
  queueLimit?: number;
  /** SQLite page cache of each worker's connection, KiB */
  cacheKiB?: number;
}

export const READ_DEFAULTS = { workers: 2, poolSize: 4, timeoutMs: 5000, queueLimit: 64, cacheKiB: 16384 } as const;

/** Seconds a client is asked to wait before trying again (Retry-After of the 503). */
export const RETRY_AFTER_SECONDS = 5;

/** The 503 answers: a read past its time limit, a worker lost mid-read, too many reads waiting. */
export const readTimedOut = () => new AppError('unavailable', 'common.read_timeout', {}, { seconds: RETRY_AFTER_SECONDS });
export const readFailed = () => new AppError('unavailable', 'common.read_failed', {}, { seconds: RETRY_AFTER_SECONDS });
export const serverBusy = () => new AppError('unavailable', 'common.busy', {}, { seconds: RETRY_AFTER_SECONDS });

/** What the operators' health page shows of the read pool. */
export interface ReadPoolStats {
  kind: 'workers' | 'postgres' | 'in-process';
  /** workers (heavy + quick) or connections */
  size: number;
  busy: number;
  queued: number;
  maxQueued: number;
  /** statements run since start */
  reads: number;
  /** wait for a worker or connection over the last 1,000 reads, ms */
  wait: { p50: number; p95: number; max: number };
  timeouts: number;
  /** reads refused because too many waited, or waited past the time limit */
  refused: number;
  /** workers that died and were replaced (SQLite) */
  restarts: number;
  /** workers stopped at their time limit still finishing their statement (SQLite) */
  retiring: number;
}

/** The last N wait times, for percentiles on the health page. */
class RecentWaits {
  private samples: number[] = [];
  private next = 0;
  constructor(private readonly size = 1000) {}
  add(ms: number) {
    if (this.samples.length < this.size) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.size;
  }
  summary() {
    if (!this.samples.length) return { p50: 0, p95: 0, max: 0 };
    const s = [...this.samples].sort((a, b) => a - b);
    const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
    return { p50: round(at(0.5)), p95: round(at(0.95)), max: round(s[s.length - 1]) };
  }
}
const round = (ms: number) => Math.round(ms * 10) / 10;

export interface ReadPool {
  stats(): ReadPoolStats;
  close(): Promise<void>;
}

// ——— SQLite: worker threads ———

interface Pending {
  resolve(r: QueryResult<unknown>): void;
  reject(e: unknown): void;
  /** set once the worker is ready: starting a thread (under tsx, a second or more) is not the statement's time */
  timer?: NodeJS.Timeout;
}

class ReadWorker {
  readonly pending = new Map<number, Pending>();
  leased = false;
  /** its connection is open */
  ready = false;
  /** stopped at its time limit or dead: never leased again */
  retired = false;
  answered = 0;
  constructor(
    readonly worker: Worker,
    readonly lane: ReadLane,
  ) {}
}

interface Waiter {
  lane: ReadLane;
  since: number;
  resolve(w: ReadWorker): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
}

/**
 * Where a worker thread's code is: the file `name` next to the module `moduleUrl` (its
 * import.meta.url), compiled (dist/), or under tsx (dev, tests) through the loader shim
 * read-worker-dev.mjs, which is given the source file in its workerData.
 */
export function workerEntry(moduleUrl: string, name: string): { script: URL; workerData: (d: object) => object } {
  if (moduleUrl.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, moduleUrl).href;
    return { script: new URL('./read-worker-dev.mjs', import.meta.url), workerData: (d) => ({ ...d, entry }) };
  }
  return { script: new URL(`./${name}.js`, moduleUrl), workerData: (d) => d };
}

export class WorkerReadPool implements ReadPool {
  private live: ReadWorker[] = [];
  private waiting: Waiter[] = [];
  private retiring = 0;
  private seq = 0;
  private closed = false;
  private readonly waits = new RecentWaits();
  private counters = { reads: 0, timeouts: 0, refused: 0, restarts: 0, maxQueued: 0 };
  private readonly heavyWorkers: number;
  private readonly timeoutMs: number;
  private readonly queueLimit: number;
  private readonly cacheKiB: number;

  constructor(
    private readonly file: string,
    opts: ReadOptions = {},
  ) {
    this.heavyWorkers = Math.max(1, opts.workers ?? READ_DEFAULTS.workers);
    this.timeoutMs = opts.timeoutMs ?? READ_DEFAULTS.timeoutMs;
    this.queueLimit = opts.queueLimit ?? READ_DEFAULTS.queueLimit;
    this.cacheKiB = opts.cacheKiB ?? READ_DEFAULTS.cacheKiB;
  }

  /** A Kysely instance whose statements run on this pool's workers, in one lane. */
  kysely(lane: ReadLane): Kysely<unknown> {
    const pool = this;
    const dialect: KyselyDialect = {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new WorkerLaneDriver(pool, lane),
      createQueryCompiler: () => new SqliteQueryCompiler(),
      createIntrospector: (db) => new SqliteIntrospector(db),
    };
    return new Kysely<unknown>({ dialect });
  }

  private count(lane: ReadLane) {
    return this.live.filter((w) => w.lane === lane).length;
  }

  private spawn(lane: ReadLane): ReadWorker {
    const { script, workerData } = workerEntry(import.meta.url, 'read-worker');
    const worker = new Worker(script, {
      workerData: workerData({ file: this.file, cacheKiB: this.cacheKiB }),
      // Rows cross to the main thread page by page; a worker never needs a big heap.
      resourceLimits: { maxOldGenerationSizeMb: 128 },
      stdout: false,
      stderr: false,
    });
    const w = new ReadWorker(worker, lane);
    worker.on('message', (m: ReadResponse) => this.answer(w, m));
    worker.on('error', () => {}); // 'exit' follows and does the work
    worker.on('exit', () => this.exited(w));
    worker.unref();
    // A thread that never opens its connection is as good as dead.
    setTimeout(() => w.ready || this.retire(w, readFailed), 30_000).unref();
    this.live.push(w);
    return w;
  }

  /** An idle worker this lane may use, or a new one if the lane is under its size. */
  private take(lane: ReadLane): ReadWorker | undefined {
    const idle = (l: ReadLane) => this.live.find((w) => w.lane === l && !w.leased);
    // Workers still finishing a statement past their limit burn a core each: while as many
    // run as the pool's size, no replacement starts (the pool shrinks, waits, then heals).
    const canSpawn = (l: ReadLane) => this.retiring < this.heavyWorkers + 1 && this.count(l) < (l === 'heavy' ? this.heavyWorkers : 1);
    const w = lane === 'quick' ? (idle('quick') ?? (canSpawn('quick') ? this.spawn('quick') : idle('heavy'))) : (idle('heavy') ?? (canSpawn('heavy') ? this.spawn('heavy') : undefined));
    if (w) {
      w.leased = true;
      w.worker.ref();
    }
    return w;
  }

  acquire(lane: ReadLane): Promise<ReadWorker> {
    if (this.closed) return Promise.reject(serverBusy());
    const now = performance.now();
    const w = this.waiting.length === 0 || lane === 'quick' ? this.take(lane) : undefined;
    if (w) {
      this.waits.add(performance.now() - now);
      return Promise.resolve(w);
    }
    // Each lane has its own bound: searches piling up never get a record page refused.
    if (this.waiting.filter((x) => x.lane === lane).length >= this.queueLimit) {
      this.counters.refused++;
      return Promise.reject(serverBusy());
    }
    return new Promise<ReadWorker>((resolve, reject) => {
      const waiter: Waiter = {
        lane,
        since: now,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting = this.waiting.filter((x) => x !== waiter);
          this.counters.refused++;
          reject(serverBusy());
        }, this.timeoutMs),
      };
      // Quick reads go ahead of heavy ones: a record page waits for no search.
      const at = lane === 'quick' ? this.waiting.findIndex((x) => x.lane === 'heavy') : -1;
      if (at < 0) this.waiting.push(waiter);
      else this.waiting.splice(at, 0, waiter);
      this.counters.maxQueued = Math.max(this.counters.maxQueued, this.waiting.length);
    });
  }

  release(w: ReadWorker) {
    if (w.retired) return;
    w.leased = false;
    w.worker.unref();
    this.dispatch();
  }

  /** Hands free (or newly allowed) workers to the waiting reads, quick ones first. */
  private dispatch() {
    for (let i = 0; i < this.waiting.length; ) {
      const waiter = this.waiting[i];
      const w = this.take(waiter.lane);
      if (!w) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      clearTimeout(waiter.timer);
      this.waits.add(performance.now() - waiter.since);
      waiter.resolve(w);
    }
  }

  run(w: ReadWorker, query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (w.retired) return Promise.reject(readTimedOut());
    const id = ++this.seq;
    this.counters.reads++;
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      if (w.ready) this.startClock(w, p);
      w.pending.set(id, p);
      w.worker.postMessage({ id, sql: query.sql, parameters: [...query.parameters] } satisfies ReadRequest);
    });
  }

  private startClock(w: ReadWorker, p: Pending) {
    p.timer = setTimeout(() => {
      this.counters.timeouts++;
      this.retire(w, readTimedOut);
    }, this.timeoutMs);
  }

  private answer(w: ReadWorker, m: ReadResponse) {
    if ('ready' in m) {
      w.ready = true;
      for (const p of w.pending.values()) this.startClock(w, p);
      return;
    }
    const p = w.pending.get(m.id);
    if (!p) return;
    w.pending.delete(m.id);
    w.answered++;
    clearTimeout(p.timer);
    if ('error' in m) {
      // The same error a query on the main connection would raise (code SQLITE_…).
      const e = Object.assign(new Error(m.error.message), { code: m.error.code });
      p.reject(e);
      return;
    }
    p.resolve({ rows: m.rows, ...(m.changes !== undefined ? { numAffectedRows: BigInt(m.changes), insertId: BigInt(m.lastInsertRowid ?? 0) } : {}) });
  }

  /**
   * Takes a worker out of the pool and answers its reads with `error`. better-sqlite3 cannot
   * interrupt a running statement and a worker thread's termination takes effect only once the
   * statement returns: until then it counts as retiring (see take()).
   */
  private retire(w: ReadWorker, error: () => AppError) {
    if (w.retired) return;
    w.retired = true;
    this.live = this.live.filter((x) => x !== w);
    this.retiring++;
    for (const p of w.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error());
    }
    w.pending.clear();
    void w.worker.terminate();
    this.dispatch();
  }

  private exited(w: ReadWorker) {
    if (w.retired) {
      this.retiring--;
      this.dispatch();
      return;
    }
    // Died on its own (out of memory, a crash): its reads get a 503, a new worker replaces it.
    w.retired = true;
    this.live = this.live.filter((x) => x !== w);
    if (this.closed) return;
    this.counters.restarts++;
    for (const p of w.pending.values()) {
      clearTimeout(p.timer);
      p.reject(readFailed());
    }
    w.pending.clear();
    if (w.answered === 0) {
      // It never answered: starting another would fail the same way. Answer the waiting
      // reads rather than loop; the next read tries again.
      for (const waiter of this.waiting.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(readFailed());
      }
      return;
    }
    this.dispatch();
  }

  /** The worker threads, for tests that make one die. */
  threads(): Worker[] {
    return this.live.map((w) => w.worker);
  }

  stats(): ReadPoolStats {
    return {
      kind: 'workers',
      size: this.heavyWorkers + 1,
      busy: this.live.filter((w) => w.leased).length,
      queued: this.waiting.length,
      maxQueued: this.counters.maxQueued,
      reads: this.counters.reads,
      wait: this.waits.summary(),
      timeouts: this.counters.timeouts,
      refused: this.counters.refused,
      restarts: this.counters.restarts,
      retiring: this.retiring,
    };
  }

  async close() {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(serverBusy());
    }
    const all = this.live.splice(0);
    for (const w of all) {
      w.retired = true;
      for (const p of w.pending.values()) {
        clearTimeout(p.timer);
        p.reject(serverBusy());
      }
    }
    // A worker busy with a statement ends when it returns; do not hold the caller for it.
    await Promise.all(all.map((w) => Promise.race([w.worker.terminate(), new Promise((r) => setTimeout(r, 200).unref())])));
  }
}

class WorkerConnection implements DatabaseConnection {
  constructor(
    private readonly pool: WorkerReadPool,
    readonly worker: ReadWorker,
  ) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.pool.run(this.worker, query) as Promise<QueryResult<R>>;
  }
  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

/**
 * Kysely's driver for one lane. A connection is a worker leased for as long as Kysely holds it:
 * one statement, or a whole `connection()` / `transaction()` (temporary tables stay on it).
 */
class WorkerLaneDriver implements Driver {
  constructor(
    private readonly pool: WorkerReadPool,
    private readonly lane: ReadLane,
  ) {}
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new WorkerConnection(this.pool, await this.pool.acquire(this.lane));
  }
  async beginTransaction(conn: DatabaseConnection) {
    await conn.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(conn: DatabaseConnection) {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(conn: DatabaseConnection) {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(conn: DatabaseConnection) {
    this.pool.release((conn as WorkerConnection).worker);
  }
  // The pool outlives the Kysely instances over it: Database.close() ends it.
  async destroy() {}
}

// ——— PostgreSQL: a second pool ———

/**
 * The read pool: its own connections (`statement_timeout` on each), a bound on the reads
 * waiting for one, and the wait timed. Shaped as the pool PostgresDialect expects.
 */
export class PostgresReadPool implements ReadPool, PostgresPool {
  readonly pool: pg.Pool;
  private readonly waits = new RecentWaits();
  private counters = { reads: 0, timeouts: 0, refused: 0, maxQueued: 0 };
  private readonly queueLimit: number;

  constructor(connectionString: string, opts: ReadOptions = {}) {
    const timeoutMs = opts.timeoutMs ?? READ_DEFAULTS.timeoutMs;
    this.queueLimit = opts.queueLimit ?? READ_DEFAULTS.queueLimit;
    this.pool = new pg.Pool({
      connectionString,
      max: opts.poolSize ?? READ_DEFAULTS.poolSize,
      statement_timeout: timeoutMs,
      connectionTimeoutMillis: timeoutMs,
      application_name: 'consulaire-reads',
      // The reads lane serves many short statements side by side on few cores (#12). JIT compiled
      // a scan whose cost passed jit_above_cost in ~10 ms, for a statement stopped by its LIMIT
      // after 20–60 ms; a Gather started worker processes for sorts of 4,000 rows (platform
      // tests: 160–240 ms a count with workers, 50 ms without). Both off for this pool only.
      // Synchronized scans off: a seq scan of a table larger than a quarter of shared_buffers
      // joined another scan midway, so "the first 1,000 matches" of a search (ADR 0013, 0016)
      // changed from one request to the next and differed from the GIN path's, which reads from
      // the first block (checked at 1 M: 10 of 10 pages differed, the same with it off).
      options: '-c jit=off -c max_parallel_workers_per_gather=0 -c synchronize_seqscans=off',
    });
    this.pool.on('error', () => {});
  }

  /** What PostgresDialect calls: connect() → client with query() and release(). */
  async connect(): Promise<PostgresPoolClient> {
    if (this.pool.waitingCount >= this.queueLimit) {
      this.counters.refused++;
      throw serverBusy();
    }
    const since = performance.now();
    let client: pg.PoolClient;
    try {
      const connecting = this.pool.connect();
      this.counters.maxQueued = Math.max(this.counters.maxQueued, this.pool.waitingCount);
      client = await connecting;
    } catch (e) {
      // pg-pool's wait past connectionTimeoutMillis
      if (/timeout/i.test(String((e as Error).message))) {
        this.counters.refused++;
        throw serverBusy();
      }
      throw e;
    }
    this.waits.add(performance.now() - since);
    const counters = this.counters;
    return {
      query: ((...args: unknown[]) => {
        counters.reads++;
        const r = (client.query as (...a: unknown[]) => unknown)(...args);
        // A cursor (streamed query) comes back as is; a promise has its timeout translated.
        if (r && typeof (r as Promise<unknown>).then === 'function') {
          return (r as Promise<unknown>).catch((e: { code?: string }) => {
            if (e?.code === '57014') {
              counters.timeouts++;
              throw readTimedOut();
            }
            throw e;
          });
        }
        return r;
      }) as PostgresPoolClient['query'],
      release: () => client.release(),
    };
  }

  async end() {
    await this.pool.end();
  }

  stats(): ReadPoolStats {
    return {
      kind: 'postgres',
      size: this.pool.options.max,
      busy: this.pool.totalCount - this.pool.idleCount,
      queued: this.pool.waitingCount,
      maxQueued: this.counters.maxQueued,
      reads: this.counters.reads,
      wait: this.waits.summary(),
      timeouts: this.counters.timeouts,
      refused: this.counters.refused,
      restarts: 0,
      retiring: 0,
    };
  }

  close() {
    return this.pool.end();
  }
}

/** A database without a separate read path (private in-memory SQLite): reads run in process. */
export const inProcessReads: ReadPool = {
  stats: () => ({ kind: 'in-process', size: 0, busy: 0, queued: 0, maxQueued: 0, reads: 0, wait: { p50: 0, p95: 0, max: 0 }, timeouts: 0, refused: 0, restarts: 0, retiring: 0 }),
  close: async () => {},
};
