// Cache invalidation across instances (PostgreSQL LISTEN/NOTIFY). Each instance keeps one
// connection listening on the channels of its in-memory caches; a write announces itself with
// pg_notify inside its transaction (delivered only if it commits), and every instance — the
// writer's included — drops the entry. When the connection drops (server restart) it reconnects
// and drops every cache, since announcements may have been missed meanwhile. SQLite: one
// process per database file, nothing to announce.
import pg from 'pg';

export interface Invalidation {
  close(): Promise<void>;
}

export function listenForInvalidation(databaseUrl: string, channels: Record<string, (payload: string | undefined) => void>, onError: (e: unknown) => void = () => {}): Invalidation {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl });
    client = c;
    c.on('notification', (n) => channels[n.channel]?.(n.payload));
    c.on('error', (e) => {
      onError(e);
      reconnect();
    });
    try {
      await c.connect();
      for (const ch of Object.keys(channels)) await c.query(`listen ${pg.escapeIdentifier(ch)}`);
      // Whatever was announced while not listening is unknown: start clean.
      for (const fn of Object.values(channels)) fn(undefined);
    } catch (e) {
      onError(e);
      reconnect();
    }
  };
  const reconnect = () => {
    if (closed || retry) return;
    const old = client;
    client = undefined;
    old?.end().catch(() => {});
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, 1000);
    retry.unref();
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
