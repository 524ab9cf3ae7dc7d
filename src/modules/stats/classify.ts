// What one response counts as (pure, unit-tested): bots, Do Not Track / Global Privacy Control
// and the opt-out are left out; the IP is truncated before it is hashed; the referrer keeps its
// domain only; the device is a class, never the user agent.
import type { Area, Device, EventKind } from './stats.table.js';

export const OPT_OUT_COOKIE = 'stats_optout';

const BOT = /bot|crawl|spider|slurp|facebookexternalhit|embedly|preview|monitor|curl|wget|python|httpclient|http-client|java\/|go-http|headless|lighthouse|pingdom|uptime|axios|node-fetch|okhttp|scrapy|phantom|selenium|playwright|puppeteer/i;

export function isBot(ua: string | undefined): boolean {
  return !ua || ua.length < 10 || BOT.test(ua);
}

// A site sees few distinct user agents: their class is kept (bounded) instead of re-running the
// regular expressions on every request.
const uaClass = new Map<string, Device | null>();
function classOf(ua: string): Device | null {
  let c = uaClass.get(ua);
  if (c === undefined) {
    c = isBot(ua) ? null : deviceOf(ua);
    if (uaClass.size >= 2000) uaClass.clear();
    uaClass.set(ua, c);
  }
  return c;
}

export function deviceOf(ua: string): Device {
  if (/iPad|Tablet|Nexus (7|9|10)|SM-T\d/i.test(ua)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android.*Mobile|Windows Phone/i.test(ua)) return 'mobile';
  return 'desktop';
}

/** IPv4 → its /24 (last byte zeroed); IPv6 → its /48. The full address is never kept. */
export function truncateIp(ip: string): string {
  const v4 = ip.replace(/^::ffff:/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return v4.split('.').slice(0, 3).join('.') + '.0';
  const groups = ip.split(':').filter((g, i, a) => g !== '' || i === 0 || i === a.length - 1);
  return groups.slice(0, 3).join(':') + '::';
}

/** The referrer's domain (without www.), or null when absent, unparsable or the site itself. */
export function referrerDomain(referer: string | undefined, ownHost: string | undefined): string | null {
  if (!referer) return null;
  let host: string;
  try {
    host = new URL(referer).hostname.toLowerCase();
  } catch {
    return null;
  }
  const own = (ownHost ?? '').toLowerCase().replace(/:\d+$/, '');
  if (!host || host === own) return null;
  return host.replace(/^www\./, '').slice(0, 100);
}

/** What the observer sees of a response: plain values, so the rules are testable without HTTP. */
export interface ResponseFacts {
  method: string;
  /** path and query as requested */
  url: string;
  /** the route's pattern, undefined for a 404 */
  route?: string;
  status: number;
  contentType?: string;
  /** the redirect's target, for a 3xx */
  location?: string;
  headers: Record<string, string | string[] | undefined>;
  cookies: Record<string, string | undefined>;
  actorKind: 'staff' | 'member' | 'system' | 'anonymous';
  audienceMember: boolean;
  memberCompany?: number;
  notes?: Record<string, string | number>;
}

export interface CountedEvent {
  kind: EventKind;
  area: Area;
  path: string;
  entry: boolean;
  referrer: string | null;
  device: Device;
  term: string | null;
  results: number | null;
  companyId: number | null;
  ua: string;
}

const SKIP = /^\/(static|api|health|metrics|favicon|robots\.txt|sitemap\.xml|lang|vendor)(\/|$|\?)|\.(rss|atom|ics|csv|xlsx|pdf|png|jpe?g|svg|webp|css|js)(\?|$)/;
const header = (h: ResponseFacts['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The event a response counts as, or null (not a page, a bot, DNT/GPC, opted out…). */
export function countedEvent(f: ResponseFacts): CountedEvent | null {
  const ua = header(f.headers, 'user-agent') ?? '';
  const device = classOf(ua);
  if (device === null) return null;
  if (header(f.headers, 'dnt') === '1' || header(f.headers, 'sec-gpc') === '1') return null;
  if (f.cookies[OPT_OUT_COOKIE] === '1') return null;
  if (header(f.headers, 'hx-request') === 'true') return null; // fragments are not page views
  const path = f.url.split('?')[0].slice(0, 200) || '/';
  if (SKIP.test(path)) return null;
  const area: Area = f.audienceMember || path.startsWith('/extranet') ? 'extranet' : f.actorKind === 'staff' || path.startsWith('/intranet') ? 'intranet' : 'public';
  const referrer = referrerDomain(header(f.headers, 'referer'), header(f.headers, 'host'));
  const sameSite = !!header(f.headers, 'referer') && referrer === null;
  const base = { area, path, entry: !sameSite, referrer, device, term: null, results: null, companyId: f.memberCompany ?? null, ua };
  // A member's sign-in: the form answered by a redirect off the sign-in pages (not to the code step).
  if (f.method === 'POST' && f.route === '/extranet/connexion' && f.status === 302 && !(f.location ?? '').includes('/connexion')) return { ...base, kind: 'sign_in', entry: false };
  if (f.method !== 'GET') return null;
  if (f.status === 404) return { ...base, kind: 'not_found' };
  if (f.status !== 200 || !(f.contentType ?? '').startsWith('text/html')) return null;
  if (f.route === '/rechercher' && f.notes && typeof f.notes['search.results'] === 'number') {
    const q = new URLSearchParams(f.url.split('?')[1] ?? '').get('q')?.trim().toLowerCase().slice(0, 100) ?? '';
    if (q) return { ...base, kind: 'search', term: q, results: f.notes['search.results'] };
  }
  return { ...base, kind: 'view' };
}
