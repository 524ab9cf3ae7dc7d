// Development and tests run the TypeScript sources under tsx, whose loader a worker thread does
// not inherit (Node 20 ignores `--import tsx` in a worker's execArgv): register it, then load
// the worker. The built server (dist/) starts read-worker.js directly and never loads this file.
import { workerData } from 'node:worker_threads';
const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
