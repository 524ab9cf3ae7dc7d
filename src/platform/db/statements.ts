// Prepared statements kept per SQLite connection. Kysely prepares every statement it runs, and a
// read worker is sent SQL text: on both, the same few dozen statements come back on every request
// (the session, its user and roles, the settings, a search's shapes). Measured on the server's
// connection under the registry search mix at 1 M (2026-12-07): 1.86 → 1.80 ms of main-thread CPU
// per search.
import type SQLite from 'better-sqlite3';

/**
 * `raw` with a bounded cache of prepared statements (the oldest dropped first). A statement still
 * being iterated (a stream) is not shared: the next caller gets its own. SQLite re-prepares a kept
 * statement by itself when the schema changes.
 */
export function withStatementCache(raw: SQLite.Database, limit = 500): { close(): void; prepare(text: string): SQLite.Statement } {
  const kept = new Map<string, SQLite.Statement>();
  return {
    close: () => raw.close(),
    prepare(text) {
      const hit = kept.get(text);
      if (hit && !hit.busy) return hit;
      const stmt = raw.prepare(text);
      if (!hit) {
        if (kept.size >= limit) kept.delete(kept.keys().next().value!);
        kept.set(text, stmt);
      }
      return stmt;
    },
  };
}
