// The scanning thread of a SIRENE import (#12, ADR 0015 amended 2026-12-07): runs the scan of
// one file (import-scanner.ts) and posts its batches to the import, which writes batch n while
// this thread reads, fingerprints and maps batch n + 1. Started by import-scan.ts; never
// imported by the main thread.
import { parentPort } from 'node:worker_threads';
import { scanBatches, type ScanRequest } from './import-scanner.js';

const port = parentPort!;
/** The work arrives by message, not workerData: the thread is started early (its start-up,
 * ~0.6 s under tsx, overlaps the import's first queries) and told what to read when known. */
const req = await new Promise<ScanRequest>((res) => port.once('message', (m: ScanRequest) => res(m)));

/** Batches posted and not yet taken by the import: past MAX_AHEAD the reading waits. */
let ahead = 0;
let wake: (() => void) | null = null;
const MAX_AHEAD = 4;
port.on('message', (m: 'ack') => {
  if (m !== 'ack') return;
  ahead--;
  wake?.();
  wake = null;
});

for await (const b of scanBatches(req)) {
  ahead++;
  port.postMessage(b);
  while (ahead >= MAX_AHEAD) await new Promise<void>((res) => (wake = res));
}
port.postMessage('end');
