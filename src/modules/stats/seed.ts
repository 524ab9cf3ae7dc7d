// Demo: fourteen months of usage of the three sites (synthetic events, a little more each month,
// a dip in August), rolled up like the hourly job does; the direction subscribes to the monthly
// report, and last month's report is built (kept in the demo outbox) so the archive is not empty.
import { createHash } from 'node:crypto';
import type { ModuleContext } from '../../platform/module.js';
import { demoActor } from '../../platform/seed.js';
import { sendMonthlyReport } from './report.job.js';
import { setSubscription } from './report.service.js';
import { addMonths, parisMonth } from './periods.js';
import { rollUp } from './rollup.service.js';
import type { Area, Device, EventKind, StatsDb } from './stats.table.js';

const PUBLIC = ['/', '/actualites', '/evenements', '/pages/formalites', '/pages/apprentissage', '/pages/creer-son-entreprise', '/documents', '/mentions-legales'];
const INTRANET = ['/portail', '/registre', '/crm', '/crm/visites', '/conges', '/intranet/actualites', '/statistiques'];
const EXTRANET = ['/extranet', '/extranet/demandes', '/extranet/entreprise', '/extranet/suivi'];
const REFERRERS = ['google.fr', 'google.com', 'bing.com', 'linkedin.com', 'service-public.fr', 'cci.fr'];
const TERMS = ['formalités', 'apprentissage', 'kbis', 'formation', 'export', 'taxe apprentissage', 'cession entreprise'];
const ZERO = ['horaires piscine', 'carte grise', 'pôle emploi'];

/** A small deterministic generator: the demo looks the same on every machine. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function seedStats(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: StatsDb = ctx.db;
  const r = rng(2026);
  const pick = <T,>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  const now = Date.now();
  const rows: { at: string; area: Area; kind: EventKind; path: string; visitor: string; entry: number; referrer: string | null; device: Device; term: string | null; results: number | null; company_id: number | null }[] = [];
  const days = 420;
  for (let d = days; d >= 1; d--) {
    const dayStart = now - d * 86_400_000;
    const month = new Date(dayStart).getUTCMonth();
    const growth = 1 + (days - d) / days; // usage doubles over the period
    const perDay = Math.round(40 * growth * (month === 7 ? 0.5 : 1));
    for (let i = 0; i < perDay; i++) {
      const at = new Date(dayStart + Math.floor(r() * 86_400_000)).toISOString();
      const visitor = createHash('sha256').update(`${d}-${Math.floor(r() * perDay * 0.6)}`).digest('hex').slice(0, 16);
      const x = r();
      const area: Area = x < 0.6 ? 'public' : x < 0.85 ? 'intranet' : 'extranet';
      const device: Device = area === 'intranet' ? 'desktop' : pick(['desktop', 'desktop', 'mobile', 'mobile', 'tablet'] as const);
      const entry = r() < 0.35 ? 1 : 0;
      const base = { at, area, visitor, entry, device, referrer: area === 'public' && entry && r() < 0.7 ? pick(REFERRERS) : null, term: null, results: null, company_id: null };
      const y = r();
      if (area === 'public' && y < 0.08) {
        const zero = r() < 0.25;
        rows.push({ ...base, kind: 'search', path: '/rechercher', term: zero ? pick(ZERO) : pick(TERMS), results: zero ? 0 : 1 + Math.floor(r() * 12) });
      } else if (y < 0.11) rows.push({ ...base, kind: 'not_found', path: pick(['/ancien-site/index.html', '/wp-login.php', '/pages/tarifs-2019']), entry: 0 });
      else if (area === 'extranet' && y < 0.2) rows.push({ ...base, kind: 'sign_in', path: '/extranet/connexion', entry: 0 });
      else rows.push({ ...base, kind: 'view', path: pick(area === 'public' ? PUBLIC : area === 'intranet' ? INTRANET : EXTRANET) });
    }
  }
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('stats_events').values(rows.slice(i, i + 500)).execute();
  // Roll everything up once (raw events older than the configured days are then purged).
  await db.transaction().execute((trx) => rollUp(trx, new Date(), { rawDays: days + 1, profiles: async () => new Map() }));
  await db.transaction().execute((trx) => rollUp(trx, new Date(), { rawDays: ctx.config.statsRawDays, profiles: async () => new Map() }));
  const direction = await demoActor(db, 'direction@demo.cci.fr');
  if (direction) await db.transaction().execute((trx) => setSubscription(trx, direction, true));
  const last = addMonths(parisMonth(new Date()), -1);
  await sendMonthlyReport(ctx, last);
  log(`stats: ${rows.length} usage events over ${days} days rolled up; report of ${last} archived`);
}
