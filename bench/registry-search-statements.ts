// Registry search at a million, statement by statement (#12, ADR 0016): each query of the search
// bench's mix run in process (no HTTP; SQLite on the main connection, not a read worker;
// PostgreSQL on the read pool, as the server searches), the
// count cache cleared before each run; prints each query's p50 and, for every SQL statement the
// searches sent, its median time and number of calls. Where a search's time goes, before and after
// a change of the SQL (the figures of ADR 0016's amendment of 2026-12-07).
//   npx tsx bench/registry-search-statements.ts --sqlite-dir DIR | --database-url URL [--repeat 9] [--only word]
// Prints to the terminal only.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase, sqliteHandle } from '../src/platform/db/index.js';
import { hasWords, invalidateSearchCache, parseSearch, searchEstablishments } from '../src/modules/registry/search.service.js';
import { searchMix } from './registry-lib.js';

const { values } = parseArgs({ options: { 'sqlite-dir': { type: 'string' }, 'database-url': { type: 'string' }, repeat: { type: 'string', default: '9' }, only: { type: 'string' } } });
const REPEAT = Number(values.repeat);
const times = new Map<string, number[]>();
let current = '';
const note = (text: string, ms: number) => {
  const key = `${current} :: ${text.replace(/\s+/g, ' ').slice(0, 160)}`;
  (times.get(key) ?? times.set(key, []).get(key)!).push(ms);
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const url = values['database-url'];
  if (!url && !values['sqlite-dir']) throw new Error('--sqlite-dir or --database-url is required');
  if (url) {
    // Every statement of the pool's clients, timed from the call to its answer.
    const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const started = performance.now();
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '');
      const r = query.apply(this, args) as Promise<unknown> | undefined;
      return r && typeof r.then === 'function' ? r.then((x) => (note(text, performance.now() - started), x)) : r;
    } as typeof pg.Client.prototype.query;
  }
  const database = url ? openDatabase({ databaseUrl: url, dataDir: '.' }) : openDatabase({ dataDir: values['sqlite-dir']! });
  const db = database.db;
  if (!url) {
    const proto = Object.getPrototypeOf(sqliteHandle(db).prepare('select 1')) as Record<'all' | 'get' | 'run', (...a: unknown[]) => unknown>;
    for (const m of ['all', 'get', 'run'] as const) {
      const run = proto[m];
      proto[m] = function (this: { source: string }, ...a: unknown[]) {
        const started = performance.now();
        try {
          return run.apply(this, a);
        } finally {
          note(this.source, performance.now() - started);
        }
      };
    }
  }
  const sample = await db.selectFrom('establishments').select('siret').where('siret', 'is not', null).orderBy('id').offset(5000).limit(1).executeTakeFirstOrThrow();
  const mix: [string, string][] = [...searchMix(sample.siret as string), ['plural', 'q=boulangeries'], ['word, page 3', 'q=boulangerie&page=3']];
  let sum = 0;
  for (const [label, qs] of mix) {
    if (values.only && !label.includes(values.only)) continue;
    current = label;
    const s = parseSearch(Object.fromEntries(new URLSearchParams(qs)));
    const runs: number[] = [];
    for (let i = 0; i <= REPEAT; i++) {
      invalidateSearchCache();
      const started = performance.now();
      await searchEstablishments(url ? database.reads : db, s, { facets: !hasWords(s) });
      if (i > 0) runs.push(performance.now() - started); // the first run warms the caches
    }
    sum += median(runs);
    console.log(`${label.padEnd(24)} p50 ${median(runs).toFixed(1)} ms`);
  }
  console.log(`sum of the p50s: ${sum.toFixed(1)} ms\n--- statements: median ms, calls`);
  for (const [key, ms] of times) console.log(median(ms).toFixed(2).padStart(8), String(ms.length).padStart(4), key);
  await database.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
