// Which backups to keep: the newest of each of the last `daily` days, `weekly` ISO weeks and
// `monthly` months that have one (grandfather-father-son), plus always the newest of all.
// Everything else in the backup folder is removed after a successful scheduled backup.
import { rmSync } from 'node:fs';
import { listBackups } from './backup.js';

export interface Retention {
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
}

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t.getTime() - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${week}`;
}

/** The times to keep among `times` (any order). */
export function toKeep(times: Date[], r: Retention): Set<number> {
  const sorted = [...times].sort((a, b) => b.getTime() - a.getTime());
  const keep = new Set<number>();
  if (sorted.length) keep.add(sorted[0].getTime());
  const pass = (bucket: (d: Date) => string, count: number) => {
    const seen = new Set<string>();
    for (const t of sorted) {
      const b = bucket(t);
      if (seen.has(b)) continue;
      if (seen.size >= count) break;
      seen.add(b);
      keep.add(t.getTime());
    }
  };
  pass((d) => d.toISOString().slice(0, 10), r.keepDaily);
  pass(isoWeek, r.keepWeekly);
  pass((d) => d.toISOString().slice(0, 7), r.keepMonthly);
  return keep;
}

/** Removes the backups of `dir` that the retention does not keep; returns the removed files. */
export function prune(dir: string, r: Retention): string[] {
  const all = listBackups(dir);
  const keep = toKeep(all.map((b) => b.at), r);
  const removed: string[] = [];
  for (const b of all) {
    if (keep.has(b.at.getTime())) continue;
    rmSync(b.file, { force: true });
    removed.push(b.file);
  }
  return removed;
}
