// The main thread's side of the scanning worker (import-worker.ts): starts it on one SIRENE file
// and hands its batches over as an async iterator, so that the import writes batch n while the
// worker reads, fingerprints and maps batch n + 1 (#12, ADR 0015 amended 2026-12-07).
// Why a thread: reading, splitting, fingerprinting and mapping the lines was about half the CPU
// of a first load and nearly all of a re-import, and it ran on the same thread as the writes.
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../platform/db/reads.js';
import { scanBatches, type ScanBatch, type ScanRequest } from './import-scanner.js';

export { MAPPED_EST_KEYS, type ScanBatch, type ScanEvent, type ScanRequest } from './import-scanner.js';

/**
 * A scanning thread, started at once and given its file later (`scan`). `close` stops it if it
 * was never used (an import that failed or was cancelled before that pass).
 */
export class ScanWorker {
  private readonly worker: Worker;
  private readonly queue: (ScanBatch | 'end')[] = [];
  private failure: Error | undefined;
  private waiting: (() => void) | null = null;
  constructor() {
    // Under tsx the read workers' loader shim starts it, as it does them.
    const { script, workerData } = workerEntry(import.meta.url, 'import-worker');
    this.worker = new Worker(script, { workerData: workerData({}), stdout: false, stderr: false });
    const wakeUp = () => {
      this.waiting?.();
      this.waiting = null;
    };
    this.worker.on('message', (m: ScanBatch | 'end') => {
      this.queue.push(m);
      wakeUp();
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      wakeUp();
    });
    this.worker.on('exit', (code) => {
      this.failure ??= code === 0 ? undefined : new Error(`import scan worker exited with code ${code}`);
      this.queue.push('end');
      wakeUp();
    });
  }

  /**
   * The batches of one file. Leaving the loop early (a cancel, a failed write) stops the worker.
   * A failure of the worker (unreadable file) is thrown from the loop.
   */
  async *scan(req: ScanRequest): AsyncGenerator<ScanBatch> {
    this.worker.postMessage(req);
    try {
      for (;;) {
        while (!this.queue.length && !this.failure) await new Promise<void>((res) => (this.waiting = res));
        if (this.failure) throw this.failure;
        const m = this.queue.shift()!;
        if (m === 'end') return;
        this.worker.postMessage('ack');
        yield m;
      }
    } finally {
      await this.close();
    }
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * The scan in the import's own thread: the same batches, no thread. What the command line uses
 * when the machine has no core to spare (measured: on 2 busy cores the thread made the import
 * slower — see ADR 0015, amended 2026-12-07).
 */
export class InlineScanner {
  scan(req: ScanRequest): AsyncGenerator<ScanBatch> {
    return scanBatches(req);
  }
  async close(): Promise<number> {
    return 0;
  }
}
