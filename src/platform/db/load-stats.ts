// What operators look at to see whether the server stays responsive: how late the event loop
// runs (a module that blocks the one request thread shows up here at once) and how long reads
// wait for a worker or connection (reads.ts). Shown on the admin health page, never publicly.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ReadPoolStats } from './reads.js';

export interface EventLoopDelay {
  /** ms; how much later than due a 10 ms timer ran */
  p50: number;
  p99: number;
  max: number;
  /** ISO time the window started */
  since: string;
}

export interface LoadSnapshot {
  /** null where nothing watches the loop (command line) */
  eventLoop: { current: EventLoopDelay; previous: EventLoopDelay | null } | null;
  reads: ReadPoolStats;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

/** Event-loop delay in windows of a minute: the one running and the last complete one. */
export class EventLoopWatch {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private since = new Date().toISOString();
  private previous: EventLoopDelay | null = null;
  private timer?: NodeJS.Timeout;

  start(windowMs = 60_000): this {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.previous = this.summary();
      this.histogram.reset();
      this.since = new Date().toISOString();
    }, windowMs);
    this.timer.unref();
    return this;
  }

  stop() {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private summary(): EventLoopDelay {
    const h = this.histogram;
    if (h.count === 0) return { p50: 0, p99: 0, max: 0, since: this.since };
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), since: this.since };
  }

  snapshot(): LoadSnapshot['eventLoop'] {
    return { current: this.summary(), previous: this.previous };
  }
}
