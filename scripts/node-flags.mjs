// Node flags the server runs with (`npm start`, the benchmarks). Why a heap limit: V8 grows its
// heap lazily and keeps it, so after one large CSV export of a million rows the process held
// ~360 MiB though its live data was under 100 MiB. Capped at 256 MiB the collector works a bit
// earlier, exports run at the same speed, and the server stays under the 300 MB budget of the
// registry issue (measured by bench/registry.ts). Raise it with NODE_OPTIONS if a deployment
// runs bigger imports in the server process.
export const SERVER_NODE_FLAGS = ['--max-old-space-size=256'];

/** The flags, unless NODE_OPTIONS already sets the heap size. */
export function serverNodeFlags(env = process.env) {
  return /max-old-space-size/.test(env.NODE_OPTIONS ?? '') ? [] : SERVER_NODE_FLAGS;
}
