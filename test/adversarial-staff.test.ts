// Adversarial suite, staff audience and JSON API: every staff route and API operation the app
// declares (read from the route table at run time) is tried without a session, without a CSRF
// token, from a foreign Origin, by every role the declared permission does not cover (derived
// from permissions.ts), and on the API without a token, with revoked, expired and out-of-scope
// tokens and with session cookies. Each test collects all offenders and reports them together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_SCOPES, ROLE_GRANTS, ROLES, type Role } from '../src/platform/access/permissions.js';
import { agent, makeUser, type Agent, type Res, type TestApp, createTestApp } from './helpers.js';
import { adversarialSuite, anyValue, EVIL, diffCounts, fill, leaked, Offenders, paramKinds, routeTable, STATE_CHANGING, writeCounts, type Fixture, type RouteSpec } from './adversarial-helpers.js';

let t: TestApp;
let f: Fixture;
let routes: RouteSpec[];
const suite = adversarialSuite();
beforeAll(() => void ({ t, f, routes } = suite));

const staffRoutes = () => routes.filter((r) => r.audience === 'staff');
const apiOperations = () => routes.filter((r) => r.audience === 'api' && !r.public);
const urlOf = (r: RouteSpec) => fill(r, (_p, kind) => anyValue(f, kind));
const toSignIn = (res: Res) => res.status === 302 && /^\/connexion(\?|$)/.test(String(res.headers.location));

async function send(who: Agent, route: RouteSpec, url: string, opts: { noCsrf?: boolean; headers?: Record<string, string> } = {}): Promise<Res> {
  return route.method === 'GET' ? who.get(url, opts.headers) : who.request(route.method, url, { form: {}, ...opts });
}

describe('route inventory', () => {
  it('finds the staff routes and API operations, most of them guarded by a permission some role lacks', () => {
    expect(staffRoutes().length).toBeGreaterThanOrEqual(120);
    expect(staffRoutes().filter((r) => STATE_CHANGING.has(r.method)).length).toBeGreaterThanOrEqual(60);
    expect(apiOperations().length).toBeGreaterThanOrEqual(15);
    const undeclared = staffRoutes().filter((r) => !r.permission && !r.signedIn);
    expect(undeclared.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    expect(staffRoutes().filter((r) => r.permission && ROLES.some((role) => !ROLE_GRANTS[role].includes(r.permission!))).length).toBeGreaterThanOrEqual(100);
  });
});

describe('staff routes', () => {
  it('without a session: sign-in redirect, 401 or 403, never staff content, nothing written', async () => {
    const bad = new Offenders();
    const anonymous = agent(t);
    await anonymous.get('/connexion');
    const before = await writeCounts(t);
    for (const route of staffRoutes()) {
      const url = urlOf(route);
      const res = await send(anonymous, route, url);
      if (!toSignIn(res) && ![401, 403].includes(res.status)) bad.add(route.method, url, res.status, 'expected a sign-in redirect, 401 or 403');
      const shown = leaked(res.body, f.staffSecrets);
      if (shown.length) bad.add(route.method, url, res.status, `shows ${shown.join(', ')}`);
    }
    const diff = diffCounts(before, await writeCounts(t));
    if (diff) bad.add('*', 'anonymous on staff routes', 0, `wrote ${diff}`);
    expect(bad.list).toEqual([]);
  });

  it('every state-changing route, signed in as an administrator but without a CSRF token: 403, nothing written', async () => {
    const bad = new Offenders();
    for (const route of staffRoutes().filter((r) => STATE_CHANGING.has(r.method))) {
      const url = urlOf(route);
      const before = await writeCounts(t);
      const res = await send(f.staff, route, url, { noCsrf: true });
      if (res.status !== 403) bad.add(route.method, url, res.status, 'expected 403 without a CSRF token');
      const diff = diffCounts(before, await writeCounts(t));
      if (diff) bad.add(route.method, url, res.status, `wrote ${diff}`);
    }
    expect(bad.list).toEqual([]);
  });

  it('every role the declared permission does not cover gets 403 (roles × permissions.ts), nothing written', async () => {
    const bad = new Offenders();
    const agents = new Map<Role, Agent>();
    const as = async (role: Role) => {
      let a = agents.get(role);
      if (!a) {
        const u = await makeUser(t.db, [role]);
        a = agent(t);
        const res = await a.signIn(u.email);
        if (res.status !== 302) throw new Error(`sign-in as ${role}: ${res.status}`);
        agents.set(role, a);
      }
      return a;
    };
    let probes = 0;
    for (const route of staffRoutes().filter((r) => r.permission)) {
      const url = urlOf(route);
      for (const role of ROLES.filter((role) => !ROLE_GRANTS[role].includes(route.permission!))) {
        const before = STATE_CHANGING.has(route.method) ? await writeCounts(t) : undefined;
        const res = await send(await as(role), route, url);
        probes++;
        if (res.status !== 403) bad.add(route.method, url, res.status, `role ${role} lacks ${route.permission}: expected 403`);
        const shown = leaked(res.body, f.staffSecrets.filter((s) => s !== f.admin.email));
        if (res.status === 200 && shown.length) bad.add(route.method, url, res.status, `role ${role} sees ${shown.join(', ')}`);
        if (before) {
          const diff = diffCounts(before, await writeCounts(t));
          if (diff) bad.add(route.method, url, res.status, `role ${role} wrote ${diff}`);
        }
      }
    }
    expect(bad.list).toEqual([]);
    expect(probes).toBeGreaterThanOrEqual(300);
    // Every route × every role that lacks its permission, with a count of every table around each
    // write: it grows with each module (thousands of probes now), past the default 30 s on PostgreSQL.
  }, 240_000);

  it('the administrator opens every staff page without a parameter (the refusals above are not an accident)', async () => {
    const bad = new Offenders();
    for (const route of staffRoutes().filter((r) => r.method === 'GET' && !r.params.length)) {
      const res = await f.staff.get(route.url);
      // 404 is an answer (some pages need a query to name their record); a refusal or a crash is not.
      if ([401, 403].includes(res.status) || res.status >= 500 || toSignIn(res)) bad.add('GET', route.url, res.status, res.status >= 500 ? 'server error' : 'refused to an administrator');
    }
    expect(bad.list).toEqual([]);
  });
});

describe('other staff members’ records', () => {
  /** Kinds a staff member owns or belongs to: a colleague without rights on them must be refused. */
  const PERSONAL = new Set(['token', 'workspace', 'workspace-task', 'workspace-version', 'segment', 'user']);

  it('a plain staff member may not use another’s token, committee workspace, segment or profile (403/404), sees none of it, writes nothing', async () => {
    const bad = new Offenders();
    const u = await makeUser(t.db, ['staff']);
    const plain = agent(t);
    await plain.signIn(u.email);
    const grants = ROLE_GRANTS.staff as readonly string[];
    let probes = 0;
    for (const route of staffRoutes().filter((r) => r.signedIn || grants.includes(r.permission!))) {
      const kinds = Object.values(paramKinds(route));
      if (!kinds.some((k) => PERSONAL.has(k))) continue;
      // Colleagues' directory entries are meant to be read: only changing them (or their edit form) is personal.
      if (kinds.every((k) => k === 'user') && route.method === 'GET' && !route.url.endsWith('/modifier')) continue;
      const url = urlOf(route);
      const before = await writeCounts(t);
      const res = await send(plain, route, url);
      probes++;
      if (![403, 404].includes(res.status)) bad.add(route.method, url, res.status, 'expected 403 or 404 for a colleague’s record');
      const shown = leaked(res.body, ['ESPACE-COMITE-SECRET', 'MESSAGE-COMITE-SECRET', 'TACHE-COMITE', 'Segment interne']);
      if (shown.length) bad.add(route.method, url, res.status, `shows ${shown.join(', ')}`);
      const diff = diffCounts(before, await writeCounts(t));
      if (diff) bad.add(route.method, url, res.status, `wrote ${diff}`);
    }
    expect(bad.list).toEqual([]);
    expect(probes).toBeGreaterThanOrEqual(10);
  });
});

describe('JSON API', () => {
  const call = async (route: RouteSpec, opts: { token?: string; cookie?: string } = {}) => {
    const res = await t.app.fastify.inject({
      method: route.method as 'GET',
      url: urlOf(route),
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(route.method !== 'GET' ? { 'content-type': 'application/json' } : {}) },
      payload: route.method !== 'GET' ? '{}' : undefined,
    });
    return { status: res.statusCode, body: res.body };
  };
  const cookies = (a: Agent) => [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

  it('every operation: no token, a revoked or expired token, a session cookie (member or staff) → 401; a token without the scope → 403; nothing written', async () => {
    const bad = new Offenders();
    const before = await writeCounts(t);
    for (const route of apiOperations()) {
      const url = urlOf(route);
      const attempts: [string, { token?: string; cookie?: string }, number][] = [
        ['no token', {}, 401],
        ['revoked token', { token: f.tokens.revoked }, 401],
        ['expired token', { token: f.tokens.expired }, 401],
        ['malformed token', { token: 'csl_' + 'x'.repeat(40) }, 401],
        ['X’s member session cookie', { cookie: cookies(f.x) }, 401],
        ['an administrator’s session cookie', { cookie: cookies(f.staff) }, 401],
      ];
      if (route.permission) {
        for (const [scope, grants] of Object.entries(API_SCOPES)) {
          if (!(grants as readonly string[]).includes(route.permission)) attempts.push([`token scoped ${scope}`, { token: f.tokens.byScope[scope] }, 403]);
        }
      }
      for (const [label, opts, expected] of attempts) {
        const res = await call(route, opts);
        if (res.status !== expected) bad.add(route.method, url, res.status, `${label}: expected ${expected}`);
        const shown = leaked(res.body, [...f.staffSecrets, ...f.secretsOfY]);
        if (shown.length) bad.add(route.method, url, res.status, `${label}: shows ${shown.join(', ')}`);
      }
    }
    const diff = diffCounts(before, await writeCounts(t));
    if (diff) bad.add('*', 'refused API calls', 0, `wrote ${diff}`);
    expect(bad.list).toEqual([]);
  });

  it('a token holding the scope is let through on every read operation (the refusals above are not an accident)', async () => {
    const bad = new Offenders();
    for (const route of apiOperations().filter((r) => r.method === 'GET')) {
      const res = await call(route, { token: f.tokens.full });
      if ([401, 403].includes(res.status) || res.status >= 500) bad.add(route.method, urlOf(route), res.status, 'refused to a token with every scope');
    }
    expect(bad.list).toEqual([]);
  });
});

describe('forged requests', () => {
  // Last: if the Origin check is missing, these requests act for real (with an empty form).
  it(`every state-changing staff route from a foreign Origin (${EVIL}) with a valid CSRF token: 403, nothing written`, async () => {
    const bad = new Offenders();
    const admin = await makeUser(t.db, ['admin']);
    const a = agent(t);
    await a.signIn(admin.email);
    for (const route of staffRoutes().filter((r) => STATE_CHANGING.has(r.method))) {
      const url = urlOf(route);
      const before = await writeCounts(t);
      const res = await send(a, route, url, { headers: { origin: EVIL } });
      if (res.status !== 403) bad.add(route.method, url, res.status, 'expected 403 from a foreign Origin');
      const diff = diffCounts(before, await writeCounts(t));
      if (diff) bad.add(route.method, url, res.status, `wrote ${diff}`);
    }
    expect(bad.list).toEqual([]);
  });
});
