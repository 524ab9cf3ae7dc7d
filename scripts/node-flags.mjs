// Node flags the server runs with (`npm start`, the benchmarks). Why a heap limit: V8 grows its
// heap lazily and keeps it. Serving a CSV export of a million rows (SQLite), the server peaked
// at 363 MiB and still held 315 MiB afterwards. With the heap capped at 256 MiB it peaked at
// 277 MiB, at the same export speed (one run each). That keeps the server under the registry
// issue's 300 MB budget, as bench/registry.ts measures. A 1 M import still completes under the
// cap. Raise it with NODE_OPTIONS if a deployment runs bigger imports in the server process.
export const SERVER_NODE_FLAGS = ['--max-old-space-size=256'];

/** The flags, unless NODE_OPTIONS already sets the heap size. */
export function serverNodeFlags(env = process.env) {
  return /max-old-space-size/.test(env.NODE_OPTIONS ?? '') ? [] : SERVER_NODE_FLAGS;
}
