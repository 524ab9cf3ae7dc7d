// Adversarial suite, member audience: X's administrator tries, on every route the app declares
// for members (read from the route table at run time, so a new route is probed on arrival),
// company Y's ids and staff-only ids, requests without a CSRF token or from a foreign Origin,
// and every staff route. Each test collects all offenders and reports them together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, createTestApp, type TestApp } from './helpers.js';
import { makeMember, memberAgent } from './extranet-helpers.js';
import { adversarialSuite, diffCounts, EVIL, fill, leaked, Offenders, paramKinds, routeTable, STATE_CHANGING, writeCounts, type Fixture, type RouteSpec } from './adversarial-helpers.js';

let t: TestApp;
let f: Fixture;
let routes: RouteSpec[];
const suite = adversarialSuite();
beforeAll(() => void ({ t, f, routes } = suite));

const memberRoutes = () => routes.filter((r) => r.audience === 'member');
const staffRoutes = () => routes.filter((r) => r.audience === 'staff');

/** Records of company X, per kind: a guessed id that lands on one of them is legitimate. */
const OWNED_BY_COMPANY: Record<string, string> = {
  request: 'member_requests',
  attachment: 'member_attachments',
  correction: 'member_change_requests',
  contact: 'contacts',
  invitation: 'member_invitations',
  membership: 'member_memberships',
};

async function ownIds(kind: string): Promise<Set<string>> {
  const table = OWNED_BY_COMPANY[kind];
  if (!table) return new Set();
  const rows = await t.db.selectFrom(table).select('id').where('company_id', '=', f.X.id).execute();
  return new Set(rows.map((r) => String(Number(r.id))));
}

/** A body the route's form would send, so only the isolation check stands in the way. */
function bodyFor(url: string): Record<string, string> {
  if (url.endsWith('/messages')) return { body: 'intrusion' };
  if (url.endsWith('/role')) return { role: 'administrator' };
  if (url.endsWith('/preferences')) return { channels: 'newsletter' };
  return {};
}

async function call(route: RouteSpec, url: string, opts: { noCsrf?: boolean; headers?: Record<string, string>; form?: Record<string, string> } = {}) {
  return route.method === 'GET' ? f.x.get(url, opts.headers) : f.x.request(route.method, url, { form: opts.form ?? bodyFor(route.url), noCsrf: opts.noCsrf, headers: opts.headers });
}

describe('route inventory', () => {
  it('reads a plausible number of routes per audience from the app, and knows what every parameter names', () => {
    const count = (a: string) => routes.filter((r) => r.audience === a).length;
    expect(count('member'), 'member routes').toBeGreaterThanOrEqual(30);
    expect(memberRoutes().filter((r) => r.params.length).length, 'member routes with a parameter').toBeGreaterThanOrEqual(8);
    expect(memberRoutes().filter((r) => STATE_CHANGING.has(r.method)).length, 'state-changing member routes').toBeGreaterThanOrEqual(10);
    expect(count('staff'), 'staff routes').toBeGreaterThanOrEqual(120);
    expect(count('api'), 'API operations').toBeGreaterThanOrEqual(15);
    expect(count('public'), 'public routes').toBeGreaterThanOrEqual(30);
    const unknown: string[] = [];
    for (const r of routes) {
      try {
        paramKinds(r);
      } catch (e) {
        unknown.push((e as Error).message);
      }
    }
    expect(unknown).toEqual([]);
  });
});

describe('X’s member against company Y and the staff', () => {
  it('every member route with a parameter refuses Y’s records and staff-only ids (403/404), shows none of their data, writes nothing', async () => {
    const bad = new Offenders();
    let probes = 0;
    const staffIds = [...new Set(['user', 'deal', 'visit', 'task', 'token', 'content', 'workspace'].flatMap((k) => f.values[k]?.staff ?? []))];
    for (const route of memberRoutes().filter((r) => r.params.length)) {
      const kinds = paramKinds(route);
      // The first parameter naming a record is the one attacked; the others keep legitimate values.
      const target = route.params.find((p) => f.values[kinds[p]]?.other !== undefined || f.values[kinds[p]]?.staff !== undefined) ?? route.params[0];
      const kind = kinds[target];
      const v = f.values[kind] ?? {};
      const own = await ownIds(kind);
      const numeric = /id$/.test(target);
      // Guessed ids that land on X's own records or on content published for members are legitimate.
      const legitimate = new Set([...own, ...(v.own ? [v.own] : []), ...(v.members ?? [])]);
      const guesses = numeric ? [...staffIds, ...(v.other ? [String(Number(v.other) + 1), String(Number(v.other) - 1)] : []), '99999', '2147483647'] : [];
      const candidates = [...new Set([v.other, ...(v.staff ?? []), ...guesses].filter((c): c is string => c !== undefined && !legitimate.has(c)))];
      if (!candidates.length) bad.add(route.method, route.url, 0, `no record of kind "${kind}" for another company or the staff in the fixture`);
      for (const candidate of candidates) {
        const url = fill(route, (p, k) => (p === target ? candidate : (f.values[k]?.own ?? f.values[k]?.other ?? '1')));
        const before = STATE_CHANGING.has(route.method) ? await writeCounts(t) : undefined;
        const res = await call(route, url);
        probes++;
        if (res.status >= 500) bad.add(route.method, url, res.status, 'server error');
        else if (![403, 404].includes(res.status)) bad.add(route.method, url, res.status, `expected 403 or 404 for ${candidate === v.other ? 'Y’s' : 'a staff-only'} ${kind}`);
        const shown = leaked(res.body, [...f.secretsOfY, ...f.staffSecrets]);
        if (shown.length) bad.add(route.method, url, res.status, `shows ${shown.join(', ')}`);
        if (before) {
          const diff = diffCounts(before, await writeCounts(t));
          if (diff) bad.add(route.method, url, res.status, `wrote ${diff}`);
        }
      }
    }
    expect(bad.list).toEqual([]);
    expect(probes).toBeGreaterThanOrEqual(30);
  });

  it('X reaches its own records on the same routes (so the refusals above are not an accident)', async () => {
    const bad = new Offenders();
    for (const route of memberRoutes().filter((r) => r.method === 'GET' && r.params.length)) {
      const kinds = paramKinds(route);
      if (!route.params.every((p) => OWNED_BY_COMPANY[kinds[p]])) continue;
      const url = fill(route, (_p, k) => f.values[k].own!);
      const res = await f.x.get(url);
      if (res.status !== 200) bad.add('GET', url, res.status, 'X’s own record refused');
    }
    expect(bad.list).toEqual([]);
  });

  it('member pages without parameters show nothing of Y and nothing staff-only (internal CRM items, drafts, intranet content)', async () => {
    const bad = new Offenders();
    let pages = 0;
    for (const route of memberRoutes().filter((r) => r.method === 'GET' && !r.params.length)) {
      for (const query of ['', `?q=${encodeURIComponent('SUJET-Y')}`, '?page=2']) {
        const res = await f.x.get(route.url + query);
        pages++;
        if (res.status >= 500) bad.add('GET', route.url + query, res.status, 'server error');
        else if (query === '' && res.status !== 200) bad.add('GET', route.url, res.status, 'X’s administrator refused a member page');
        const shown = leaked(res.body, [...f.secretsOfY, ...f.staffSecrets]);
        if (shown.length) bad.add('GET', route.url + query, res.status, `shows ${shown.join(', ')}`);
      }
    }
    expect(bad.list).toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(30);
  });

  it('every staff route, asked with X’s member session: sign-in redirect, 401 or 403, never staff content, nothing written', async () => {
    const bad = new Offenders();
    const before = await writeCounts(t);
    for (const route of staffRoutes()) {
      const url = fill(route, (_p, k) => f.values[k]?.own ?? f.values[k]?.other ?? f.values[k]?.staff?.[0] ?? '1');
      const res = route.method === 'GET' ? await f.x.get(url) : await f.x.request(route.method, url, { form: { company_id: String(f.X.id), version: '1', name: 'x', title: 'x', body: 'x', status: 'active' } });
      const toSignIn = res.status === 302 && /^\/connexion(\?|$)/.test(String(res.headers.location));
      if (!toSignIn && ![401, 403].includes(res.status)) bad.add(route.method, url, res.status, `expected a sign-in redirect, 401 or 403${res.status === 302 ? ` (went to ${res.headers.location})` : ''}`);
      const shown = leaked(res.body, f.staffSecrets);
      if (shown.length) bad.add(route.method, url, res.status, `shows ${shown.join(', ')}`);
    }
    const diff = diffCounts(before, await writeCounts(t));
    if (diff) bad.add('*', 'staff routes', 0, `wrote ${diff}`);
    expect(bad.list).toEqual([]);
  });
});

describe('revoked access', () => {
  it('a signed-out session replayed, or a membership revoked: every member route refuses (sign-in redirect, 401, 403), nothing written', async () => {
    const bad = new Offenders();
    const replayed = await memberAgent(t, (await makeMember(t.db, [f.X.id], 'administrator')).email);
    const stolen = new Map(replayed.cookies);
    await replayed.post('/extranet/deconnexion');
    const thief = agent(t);
    for (const [k, v] of stolen) thief.cookies.set(k, v);
    const dropped = await makeMember(t.db, [f.X.id], 'administrator');
    const revoked = await memberAgent(t, dropped.email);
    await t.db.updateTable('member_memberships').set({ status: 'revoked' }).where('account_id', '=', dropped.id).execute();
    const before = await writeCounts(t);
    for (const route of memberRoutes()) {
      const url = fill(route, (_p, k) => f.values[k]?.own ?? f.values[k]?.other ?? '1');
      const cases: [string, typeof thief][] = [['signed-out session', thief]];
      // Without a company, only the account's own pages (no declared permission) remain open.
      if (route.permission) cases.push(['revoked membership', revoked]);
      for (const [label, who] of cases) {
        const res = route.method === 'GET' ? await who.get(url) : await who.request(route.method, url, { form: bodyFor(route.url) });
        const toSignIn = res.status === 302 && /^\/extranet\/connexion(\?|$)/.test(String(res.headers.location));
        if (!toSignIn && ![401, 403].includes(res.status)) bad.add(route.method, url, res.status, `${label}: expected a sign-in redirect, 401 or 403`);
        const shown = leaked(res.body, ['SUJET-X-CONFIDENTIEL', 'CORPS-X-SECRET', ...f.secretsOfY, ...f.staffSecrets]);
        if (shown.length) bad.add(route.method, url, res.status, `${label}: shows ${shown.join(', ')}`);
      }
    }
    const diff = diffCounts(before, await writeCounts(t));
    if (diff) bad.add('*', 'revoked access', 0, `wrote ${diff}`);
    expect(bad.list).toEqual([]);
  });
});

describe('forged requests on state-changing member routes', () => {
  const changing = () => memberRoutes().filter((r) => STATE_CHANGING.has(r.method));
  // X's own records and an empty body: without the check, these would reach the handler.
  const ownUrl = (r: RouteSpec) => fill(r, (_p, k) => f.values[k]?.own ?? f.values[k]?.other ?? '1');

  it('without a CSRF token: 403, nothing written', async () => {
    const bad = new Offenders();
    for (const route of changing()) {
      const url = ownUrl(route);
      const before = await writeCounts(t);
      const res = await call(route, url, { noCsrf: true, form: {} });
      if (res.status !== 403) bad.add(route.method, url, res.status, 'expected 403 without a CSRF token');
      const diff = diffCounts(before, await writeCounts(t));
      if (diff) bad.add(route.method, url, res.status, `wrote ${diff}`);
    }
    expect(bad.list).toEqual([]);
  });

  // Last: if the Origin check is missing, these requests act for real.
  it(`from a foreign Origin (${EVIL}) with a valid CSRF token: 403, nothing written`, async () => {
    const bad = new Offenders();
    for (const route of changing()) {
      const url = ownUrl(route);
      const before = await writeCounts(t);
      const res = await call(route, url, { form: {}, headers: { origin: EVIL } });
      if (res.status !== 403) bad.add(route.method, url, res.status, 'expected 403 from a foreign Origin');
      const diff = diffCounts(before, await writeCounts(t));
      if (diff) bad.add(route.method, url, res.status, `wrote ${diff}`);
    }
    expect(bad.list).toEqual([]);
  });
});
