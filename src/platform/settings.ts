// CCI-wide settings kept in the database (JSON values), with defaults in code and, for some
// keys, an environment override. Read often, written rarely: cached per process for 5 s. On
// PostgreSQL a write notifies every instance (NOTIFY on SETTINGS_CHANNEL, sent at commit), whose
// listener (platform/ops/invalidation.ts) drops its cache at once.

/** the PostgreSQL channel on which a settings write is announced (payload: the key) */
export const SETTINGS_CHANNEL = 'consulaire_settings';
import { record, type Actor } from './audit/audit.js';
import { dialectOf, nowIso, sql, type AnyDb } from './db/index.js';
import type { PlatformDb } from './db/typed.js';

export const SETTING_DEFAULTS = {
  'cci.name': 'CCI Démo Loire-Rhône',
  'cci.siren': '130022742',
  /** départements and/or communes of the CCI's territory */
  'cci.territory': ['42', '69'] as string[],
} satisfies Record<string, unknown>;
export type SettingKey = keyof typeof SETTING_DEFAULTS;

export class Settings {
  private cache = new Map<string, { value: unknown; at: number }>();
  private readonly db: PlatformDb;

  constructor(
    db: AnyDb,
    private readonly overrides: Partial<Record<SettingKey, unknown>> = {},
  ) {
    this.db = db;
  }

  async get<K extends SettingKey>(key: K): Promise<(typeof SETTING_DEFAULTS)[K]> {
    if (this.overrides[key] !== undefined) return this.overrides[key] as (typeof SETTING_DEFAULTS)[K];
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < 5000) return hit.value as (typeof SETTING_DEFAULTS)[K];
    const value = await this.stored(key, this.db);
    this.cache.set(key, { value, at: Date.now() });
    return value;
  }

  private async stored<K extends SettingKey>(key: K, db: PlatformDb): Promise<(typeof SETTING_DEFAULTS)[K]> {
    const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row ? JSON.parse(row.value) : SETTING_DEFAULTS[key];
  }

  /** drops the cache (after a write made through another instance of Settings) */
  forget(key?: string): void {
    if (key) this.cache.delete(key);
    else this.cache.clear();
  }

  /** true when the environment fixes this value (the settings page shows it read-only) */
  isOverridden(key: SettingKey): boolean {
    return this.overrides[key] !== undefined;
  }

  /** Writes a value (inside the caller's transaction when `caller` is given) and audits it. */
  async set<K extends SettingKey>(actor: Actor, key: K, value: (typeof SETTING_DEFAULTS)[K], caller: AnyDb = this.db): Promise<void> {
    const db: PlatformDb = caller;
    // The value replaced is read on the caller's transaction: on SQLite a read on this.db would
    // wait for the connection that transaction holds, for ever, whenever the cache is stale.
    const before = this.overrides[key] ?? (await this.stored(key, db));
    const json = JSON.stringify(value);
    await db
      .insertInto('settings')
      .values({ key, value: json, updated_at: nowIso() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: nowIso() }))
      .execute();
    this.cache.delete(key);
    if (dialectOf(caller) === 'postgres') await sql`select pg_notify(${SETTINGS_CHANNEL}, ${key})`.execute(caller);
    await record(db, actor, { entity: 'setting', entityId: key, action: 'update', before: { value: before }, after: { value } });
  }
}
