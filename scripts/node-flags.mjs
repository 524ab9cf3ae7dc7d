// Node flags the server runs with (`npm start`, the benchmarks). Why a heap limit: V8 grows its
// heap lazily and keeps it. Serving a CSV export of a million rows (SQLite), the server peaked
// at 363 MiB and still held 315 MiB afterwards. With the heap capped at 256 MiB it peaked at
// 277 MiB, at the same export speed (one run each). That keeps the server under the registry
// issue's 300 MB budget, as bench/registry.ts measures. A 1 M import still completes under the
// cap. Raise it with NODE_OPTIONS if a deployment runs bigger imports in the server process.
//
// Why a small young generation (semi-space 4 MiB, V8's default on 64-bit is up to 16): under
// steady traffic V8 grows each isolate's new space to its maximum and keeps it, and the flag is
// process-wide, so it bounds the main thread and every read worker alike. In the 8-minute load
// mix (bench/load-mix.ts, SQLite, demo CCI) RSS climbed from 275 to ~400 MiB and stayed there
// while the main heap in use was flat at ~82 MiB; with this flag it went 228 → 278 MiB at the same
// request rate (38.6 against 40.1 requests/s, within the noise of the shared machine). Capping
// the read workers' young generation alone (resourceLimits) changed nothing.
export const SERVER_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=4'];

/** The flags, each unless NODE_OPTIONS already sets it. */
export function serverNodeFlags(env = process.env) {
  return SERVER_NODE_FLAGS.filter((f) => !(env.NODE_OPTIONS ?? '').includes(f.split('=')[0]));
}
