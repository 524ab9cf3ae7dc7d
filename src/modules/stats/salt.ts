// The day's salt of visitor hashes (as Plausible does): one random salt per Paris day, shared by
// every instance through stats_salts, destroyed at the first flush after midnight. Without it,
// yesterday's hashes cannot be recomputed from an IP and a user agent: nobody can be followed
// from one day to the next, and no cookie is needed.
import { createHash, randomBytes } from 'node:crypto';
import type { StatsDb } from './stats.table.js';

export function visitorHash(salt: string, truncatedIp: string, ua: string): string {
  return createHash('sha256').update(`${salt}|${truncatedIp}|${ua}`).digest('hex').slice(0, 16);
}

export class DailySalts {
  private cache = new Map<string, string>();

  /**
   * The salt of `day`. Today's (or a later day's) is created when missing; a past day whose salt
   * is already destroyed gets a throw-away salt (its late events still count, unlinkable).
   */
  async saltFor(db: StatsDb, day: string, today: string): Promise<string> {
    const cached = this.cache.get(day);
    if (cached) return cached;
    let row = await db.selectFrom('stats_salts').select('salt').where('day', '=', day).executeTakeFirst();
    if (!row) {
      if (day < today) return randomBytes(32).toString('base64url');
      await db
        .insertInto('stats_salts')
        .values({ day, salt: randomBytes(32).toString('base64url') })
        .onConflict((oc) => oc.column('day').doNothing())
        .execute();
      row = await db.selectFrom('stats_salts').select('salt').where('day', '=', day).executeTakeFirstOrThrow();
    }
    this.cache.set(day, row.salt);
    return row.salt;
  }

  /** Destroys every salt older than today, in memory and in the database. */
  async rotate(db: StatsDb, today: string): Promise<void> {
    for (const day of [...this.cache.keys()]) if (day < today) this.cache.delete(day);
    await db.deleteFrom('stats_salts').where('day', '<', today).execute();
  }
}
