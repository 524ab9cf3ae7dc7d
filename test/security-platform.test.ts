// Issue #19, platform part: open redirects, header injection, TOTP replay, the second factor
// required of administrators, security headers and cookies, the Origin check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { acceptTotpOnce, newTotpSecret, totpCode } from '../src/platform/auth/totp.js';
import { safeNext } from '../src/platform/http/lifecycle.js';
import { makeCompany, makeMember, memberAgent } from './extranet-helpers.js';
import { agent, api, count, createTestApp, makeUser, PASSWORD, type Agent, type Res, type TestApp } from './helpers.js';

const FALLBACK = '/accueil-par-defaut';

describe('safeNext: only a path of this site passes', () => {
  const hostile = [
    '/\t/evil.example',
    '/%09/evil.example',
    '/%2F/evil.example',
    '/%2f%2fevil.example',
    '/\\evil.example',
    '\\/evil.example',
    '\\\\evil.example',
    '//evil.example',
    '///evil.example',
    '/%5cevil.example',
    '/%5C/evil.example',
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    '/javascript:alert(1)%0a',
    'http://evil.example',
    'https:evil.example',
    'data:text/html,<script>alert(1)</script>',
    '/%0d%0aSet-Cookie:x=1',
    '/\r\nSet-Cookie: x=1',
    '/\nX: y',
    '/%00/evil.example',
    '/\u0000/evil.example',
    '/\u2028/evil.example',
    '/\u2029/evil.example',
    '/%E2%80%A8/evil.example',
    '/%252f/evil.example',
    '/%25252f%25252fevil.example',
    '/%2509/evil.example',
    '/\u200b/evil.example', // zero-width space (format character)
    '/\u202e/evil.example', // right-to-left override
    '/\u007f/evil.example',
    '/\u0085/evil.example', // NEL, a C1 control
    'evil.example',
    ' /registre',
    '',
    '/%',
    '/%zz',
    '/' + 'a'.repeat(2100),
  ];
  it.each(hostile.map((x) => [JSON.stringify(x), x]))('refuses %s', (_label, input) => {
    expect(safeNext(input, FALLBACK)).toBe(FALLBACK);
  });

  it('refuses what is not a string', () => {
    for (const v of [undefined, null, 42, ['/registre'], { a: 1 }]) expect(safeNext(v, FALLBACK)).toBe(FALLBACK);
  });

  const good: [string, string][] = [
    ['/registre?q=a&b=c', '/registre?q=a&b=c'],
    ['/extranet/suivi#x', '/extranet/suivi#x'],
    ['/', '/'],
    ['/registre/entreprises/12', '/registre/entreprises/12'],
    ['/registre?q=caf%C3%A9', '/registre?q=caf%C3%A9'],
    ['/registre?q=a%2Fb', '/registre?q=a%2Fb'], // an encoded slash in a search is a search
    ['/registre?q=café crème', '/registre?q=caf%C3%A9%20cr%C3%A8me'], // encoded for the Location header
  ];
  it.each(good)('keeps %s', (input, expected) => {
    expect(safeNext(input, FALLBACK)).toBe(expected);
  });

  it('never lets out a target a browser would resolve to another origin', () => {
    const base = 'https://consulaire.example/page';
    for (const input of [...hostile, ...good.map(([i]) => i)]) {
      const out = safeNext(input, FALLBACK);
      expect(new URL(out, base).origin).toBe('https://consulaire.example');
      expect(out).toMatch(/^\/[\x21-\x7e]*$/);
    }
  });
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const audits = (action: string, entity?: string) => {
  let q = t.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (entity) q = q.where('entity', '=', entity);
  return q.execute();
};

/** The hidden `next` field of a sign-in form carrying the refused target. */
const NEXT_FIELD_EVIL = /name="next" value="[^"]*evil/;

function expectRedirect(res: Res, to: string) {
  expect(res.status).toBeGreaterThanOrEqual(300);
  expect(res.status).toBeLessThan(400);
  expect(res.headers.location).toBe(to);
  expect(res.headers['x']).toBeUndefined();
  expect(res.headers['set-cookie']?.toString() ?? '').not.toMatch(/(^|,\s*)x=/);
}

describe('redirect targets from requests: never elsewhere, never a 5xx', () => {
  it('the language switch falls back to the home page on a crafted next', async () => {
    for (const next of ['/%0d%0aX:y', '/%0aX:y', '/%09/evil.example', '/%2F/evil.example', '//evil.example', '/%E2%80%A8', 'https://evil.example']) {
      expectRedirect(await agent(t).get(`/lang/fr?next=${next}`), '/');
    }
    expectRedirect(await agent(t).get('/lang/en?next=/connexion%3Fa%3D1'), '/connexion?a=1');
    // Letters beyond ASCII reach the Location header percent-encoded, not as raw bytes.
    expectRedirect(await agent(t).get('/lang/fr?next=/annuaire%3Fq%3Dcaf%C3%A9'), '/annuaire?q=caf%C3%A9');
  });

  it('staff sign-in: a CR/LF or a foreign target in next lands on the portal', async () => {
    const u = await makeUser(t.db, ['staff']);
    for (const next of ['/\r\nX: y', '/%0d%0aX:y', '/\t/evil.example', '/%09/evil.example', '/\\evil.example']) {
      const a = agent(t);
      await a.get('/connexion');
      expectRedirect(await a.post('/connexion', { email: u.email, password: PASSWORD, next }), '/portail');
    }
    // A failed attempt re-renders the form: the refused target is not carried along.
    const a = agent(t);
    const failed = await a.post('/connexion', { email: u.email, password: 'wrong password!', next: '/%09/evil.example' });
    expect(failed.status).toBe(401);
    expect(failed.body).not.toMatch(NEXT_FIELD_EVIL);
    const form = await agent(t).get('/connexion?next=/%09/evil.example');
    expect(form.status).toBe(200);
    expect(form.body).not.toMatch(NEXT_FIELD_EVIL);
  });

  it('staff second-factor step: the same rule', async () => {
    const u = await makeUser(t.db, ['staff']);
    const secret = newTotpSecret();
    await t.db.updateTable('users').set({ totp_secret: secret, totp_enabled: 1 }).where('id', '=', u.id).execute();
    const a = agent(t);
    await a.get('/connexion');
    const first = await a.post('/connexion', { email: u.email, password: PASSWORD, next: '/%0d%0aX:y' });
    expect(first.headers.location).toBe('/connexion/code?next=%2Fportail');
    expect((await a.get('/connexion/code?next=/%09/evil.example')).body).not.toMatch(NEXT_FIELD_EVIL);
    expectRedirect(await a.post('/connexion/code', { code: totpCode(secret), next: '/\r\nX: y' }), '/portail');
  });

  it('extranet sign-in, code step and company switch: the same rule', async () => {
    const c1 = await makeCompany(t.db);
    const c2 = await makeCompany(t.db);
    const m = await makeMember(t.db, [c1.id, c2.id]);
    for (const next of ['/\r\nX: y', '/extranet%0d%0aX:y', '/%09/evil.example', '//evil.example']) {
      const a = agent(t);
      await a.get('/extranet/connexion');
      expectRedirect(await a.post('/extranet/connexion', { email: m.email, password: PASSWORD, next }), '/extranet');
    }
    const signedIn = await memberAgent(t, m.email);
    expectRedirect(await signedIn.post('/extranet/entreprise-courante', { company_id: String(c2.id), next: '/extranet/demandes\r\nX: y' }), '/extranet');

    const withCode = await makeMember(t.db, [c1.id]);
    const secret = newTotpSecret();
    await t.db.updateTable('member_accounts').set({ totp_secret: secret, totp_enabled: 1 }).where('id', '=', withCode.id).execute();
    const b = agent(t);
    await b.get('/extranet/connexion');
    expect((await b.post('/extranet/connexion', { email: withCode.email, password: PASSWORD, next: '/%0d%0a' })).headers.location).toBe('/extranet/connexion/code?next=%2Fextranet');
    expectRedirect(await b.post('/extranet/connexion/code', { code: totpCode(secret), next: '/extranet\r\nX: y' }), '/extranet');
  });

  it('any other Location built from a form cannot carry a CR/LF (saved registry search)', async () => {
    const u = await makeUser(t.db, ['adviser']);
    const a = agent(t);
    await a.signIn(u.email);
    const res = await a.post('/registre/segments', { name: 'Segment piégé', query: 'q=a\r\nX: y' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/registre?q=a%0D%0AX:%20y');
    expect(res.headers['x']).toBeUndefined();
  });
});

// ——— second factor: a code is accepted once ———

async function enrolStaff(a: Agent): Promise<{ secret: string; code: string }> {
  const page = await a.get('/compte/double-authentification');
  const secret = page.body.match(/id="totp-secret">([A-Z2-7]+)</)![1];
  const code = totpCode(secret);
  expect((await a.post('/compte/double-authentification', { secret, code })).status).toBe(302);
  return { secret, code };
}

async function staffCodeStep(email: string): Promise<Agent> {
  const b = agent(t);
  await b.get('/connexion');
  expect((await b.post('/connexion', { email, password: PASSWORD })).headers.location).toMatch(/^\/connexion\/code/);
  return b;
}

describe('TOTP replay', () => {
  it('staff: the enrolment code and a sign-in code are refused the second time, and audited', async () => {
    const u = await makeUser(t.db, ['staff']);
    const a = agent(t);
    await a.signIn(u.email);
    const { secret, code } = await enrolStaff(a);

    // The enrolment confirmation sent again (a double click, a replayed request).
    const again = await a.post('/compte/double-authentification', { secret, code });
    expect(again.status).toBe(422);
    expect(again.body).toContain('Code incorrect');

    // The code typed at enrolment, replayed at sign-in within its window.
    const b = await staffCodeStep(u.email);
    const replayed = await b.post('/connexion/code', { code });
    expect(replayed.status).toBe(401);
    expect(replayed.body).toContain('Code incorrect');
    expect((await b.get('/portail')).status).toBe(302);

    const fresh = totpCode(secret, Date.now() + 30_000);
    expect((await b.post('/connexion/code', { code: fresh })).status).toBe(302);
    expect((await b.get('/portail')).status).toBe(200);

    // The same fresh code, seen over a shoulder, from another browser.
    const c = await staffCodeStep(u.email);
    const stolen = await c.post('/connexion/code', { code: fresh });
    expect(stolen.status).toBe(401);
    expect(stolen.body).toContain('Code incorrect');
    expect((await c.get('/portail')).status).toBe(302);

    const refusals = (await audits('totp_replay_refused', 'user')).filter((r) => r.entity_id === String(u.id));
    expect(refusals).toHaveLength(3);
  });

  it('two simultaneous submissions of one code: exactly one passes', async () => {
    const u = await makeUser(t.db, ['staff']);
    const secret = newTotpSecret();
    await t.db.updateTable('users').set({ totp_secret: secret, totp_enabled: 1 }).where('id', '=', u.id).execute();
    const code = totpCode(secret);
    const holder = { table: 'users', entity: 'user', id: u.id } as const;
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => acceptTotpOnce(t.db, SYSTEM_ACTOR, holder, secret, code)));
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'replayed')).toHaveLength(5);
    expect(await acceptTotpOnce(t.db, SYSTEM_ACTOR, holder, secret, '000000')).not.toBe('accepted');
  });

  it('extranet: the enrolment code and a sign-in code are refused the second time, and audited', async () => {
    const company = await makeCompany(t.db);
    const m = await makeMember(t.db, [company.id]);
    const a = await memberAgent(t, m.email);
    const page = await a.get('/extranet/compte/double-authentification');
    const secret = page.body.match(/name="secret" value="([A-Z2-7]{32})"/)![1];
    const code = totpCode(secret);
    expect((await a.post('/extranet/compte/double-authentification', { secret, code })).status).toBe(302);
    expect((await a.post('/extranet/compte/double-authentification', { secret, code })).status).toBe(422);

    const codeStep = async () => {
      const b = agent(t);
      await b.get('/extranet/connexion');
      expect((await b.post('/extranet/connexion', { email: m.email, password: PASSWORD })).headers.location).toMatch(/^\/extranet\/connexion\/code/);
      return b;
    };
    const b = await codeStep();
    const replayed = await b.post('/extranet/connexion/code', { code });
    expect(replayed.status).toBe(401);
    expect(replayed.body).toContain('Code incorrect');
    const fresh = totpCode(secret, Date.now() + 30_000);
    expect((await b.post('/extranet/connexion/code', { code: fresh })).status).toBe(302);
    expect((await b.get('/extranet/compte')).status).toBe(200);

    const c = await codeStep();
    expect((await c.post('/extranet/connexion/code', { code: fresh })).status).toBe(401);
    expect((await c.get('/extranet/compte')).status).toBe(302);

    const refusals = (await audits('totp_replay_refused', 'member_account')).filter((r) => r.entity_id === String(m.id));
    expect(refusals).toHaveLength(3);
  });
});

// ——— administrators and their second factor ———

describe('administrators without a second factor', () => {
  it('outside the demo, when required: enrolment before any page, form or API call', async () => {
    const strict = await createTestApp({ env: { ADMIN_TOTP_REQUIRED: '1', CONSULAIRE_DEMO: '0' } });
    try {
      const admin = await makeUser(strict.db, ['admin']);
      const { token } = await createApiToken(strict.db, SYSTEM_ACTOR, admin.id, { name: 'script', scopes: ['admin:read', 'registry:read'] });
      const a = agent(strict);
      await a.signIn(admin.email);

      for (const path of ['/admin/utilisateurs', '/admin/audit', '/portail', '/registre']) {
        const res = await a.get(path);
        expect(res.status, path).toBe(302);
        expect(res.headers.location).toBe('/compte/double-authentification');
      }
      const users = await count(strict.db, 'users');
      const create = await a.post('/admin/utilisateurs', { name: 'Intrus', email: 'intrus@test.cci.fr', roles: ['admin'] });
      expect(create.status).toBe(403);
      expect(create.body).toContain('exige un second facteur');
      expect(await count(strict.db, 'users')).toBe(users);
      // No API token minted meanwhile, and existing ones refused with a message saying why.
      expect((await a.post('/compte/jetons', { name: 'contournement', scopes: ['admin:read'], days: '30' })).status).toBe(403);
      const viaApi = await api(strict, 'GET', '/api/v1/establishments', token);
      expect(viaApi.status).toBe(403);
      expect(viaApi.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(viaApi.json().code).toBe('app.admin_totp_enrol_first');
      expect(viaApi.json().title).toContain('second facteur');

      // Enrolment pages and sign-out stay reachable.
      expect((await a.get('/compte')).status).toBe(200);
      const enrolPage = await a.get('/compte/double-authentification');
      expect(enrolPage.status).toBe(200);
      expect(enrolPage.body).toContain('exige un second facteur');
      const secret = enrolPage.body.match(/id="totp-secret">([A-Z2-7]+)</)![1];
      expect((await a.post('/compte/double-authentification', { secret, code: totpCode(secret) })).status).toBe(302);

      // Enrolled: the session goes on normally, and so does the API.
      expect((await a.get('/admin/utilisateurs')).status).toBe(200);
      expect((await api(strict, 'GET', '/api/v1/establishments', token)).status).toBe(200);
      expect((await a.post('/deconnexion')).status).toBe(302);
    } finally {
      await strict.close();
    }
  });

  it('sign-out stays reachable before enrolment', async () => {
    const strict = await createTestApp({ env: { ADMIN_TOTP_REQUIRED: '1', CONSULAIRE_DEMO: '0' } });
    try {
      const admin = await makeUser(strict.db, ['admin']);
      const a = agent(strict);
      await a.signIn(admin.email);
      const out = await a.post('/deconnexion');
      expect(out.status).toBe(302);
      expect(out.headers.location).toBe('/connexion');
      expect(a.cookies.has('sid')).toBe(false);
    } finally {
      await strict.close();
    }
  });

  it('in the demo the requirement is waived, and the page says so plainly', async () => {
    const demo = await createTestApp({ env: { ADMIN_TOTP_REQUIRED: '1', CONSULAIRE_DEMO: '1' } });
    try {
      expect(demo.config.demo).toBe(true);
      const admin = await makeUser(demo.db, ['admin']);
      const a = agent(demo);
      await a.signIn(admin.email);
      const page = await a.get('/admin/utilisateurs');
      expect(page.status).toBe(200);
      expect(page.body).toContain('Démonstration : le second facteur d’authentification exigé pour le rôle d’administrateur n’est pas imposé ici.');
      await a.get('/lang/en');
      expect((await a.get('/admin/utilisateurs')).body).toContain('Demonstration: the second authentication factor required for the administrator role is not enforced here.');
    } finally {
      await demo.close();
    }
  });
});

// ——— headers and cookies ———

function cookieLine(res: Res, name: string): string {
  const all = ([] as string[]).concat((res.headers['set-cookie'] as string | string[] | undefined) ?? []);
  const line = all.find((c) => c.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(all)}`);
  return line;
}

async function cookieLines(app: TestApp): Promise<Record<string, string>> {
  const staff = await makeUser(app.db, ['staff']);
  const a = agent(app);
  const first = await a.get('/connexion');
  const signIn = await a.post('/connexion', { email: staff.email, password: PASSWORD });
  const out = await a.post('/deconnexion');
  const lang = await agent(app).get('/lang/en');
  const company = await makeCompany(app.db);
  const m = await makeMember(app.db, [company.id]);
  const b = agent(app);
  await b.get('/extranet/connexion');
  const member = await b.post('/extranet/connexion', { email: m.email, password: PASSWORD });
  return { csrf: cookieLine(first, 'csrf'), sid: cookieLine(signIn, 'sid'), flash: cookieLine(out, 'flash'), lang: cookieLine(lang, 'lang'), msid: cookieLine(member, 'msid') };
}

describe('security headers and cookies', () => {
  it('behind TLS (PUBLIC_URL https): strict CSP, HSTS, every cookie Secure', async () => {
    const tls = await createTestApp({ env: { PUBLIC_URL: 'https://consulaire.example' } });
    try {
      const res = await agent(tls).get('/connexion');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toMatch(/(^|;)\s*script-src 'self'\s*(;|$)/);
      expect(csp).toMatch(/(^|;)\s*style-src 'self'\s*(;|$)/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain('upgrade-insecure-requests');
      expect(String(res.headers['strict-transport-security'])).toMatch(/max-age=31536000/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const cookies = await cookieLines(tls);
      for (const [name, line] of Object.entries(cookies)) {
        expect(line, name).toMatch(/;\s*Secure/i);
        expect(line, name).toMatch(/;\s*SameSite=Lax/i);
      }
      for (const name of ['sid', 'msid', 'csrf', 'flash']) expect(cookies[name], name).toMatch(/;\s*HttpOnly/i);
    } finally {
      await tls.close();
    }
  });

  it('without TLS: the same CSP, no HSTS, no Secure flag (the browser would drop the cookies)', async () => {
    const res = await agent(t).get('/connexion');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const cookies = await cookieLines(t);
    for (const [name, line] of Object.entries(cookies)) expect(line, name).not.toMatch(/;\s*Secure/i);
  });
});

// ——— Origin check ———

describe('state-changing requests from another site', () => {
  it('a foreign Origin is refused before the handler, with a message in the user’s language', async () => {
    const u = await makeUser(t.db, ['staff']);
    const a = agent(t);
    await a.get('/connexion');
    const res = await a.request('POST', '/connexion', { form: { email: u.email, password: PASSWORD }, headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.body).toContain('envoyée depuis un autre site que Consulaire');
    expect(a.cookies.has('sid')).toBe(false);

    await a.get('/lang/en');
    const en = await a.request('POST', '/connexion', { form: { email: u.email, password: PASSWORD }, headers: { origin: 'null' } });
    expect(en.status).toBe(403);
    expect(en.body).toContain('sent from a site other than Consulaire');
  });

  it('signed in: a foreign Origin or Sec-Fetch-Site cross-site changes nothing, even with a valid token', async () => {
    const u = await makeUser(t.db, ['staff']);
    const a = agent(t);
    await a.signIn(u.email);
    const before = await count(t.db, 'api_tokens');
    const form = { name: 'jeton', scopes: ['registry:read'], days: '30' };
    const staffWithTokens = await makeUser(t.db, ['adviser']);
    const b = agent(t);
    await b.signIn(staffWithTokens.email);
    const foreign: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'http://localhost.evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'http://localhost', 'sec-fetch-site': 'cross-site' }];
    for (const headers of foreign) {
      const res = await b.request('POST', '/compte/jetons', { form, headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body).toContain('autre site que Consulaire');
    }
    expect(await count(t.db, 'api_tokens')).toBe(before);
    // The same request from this site passes: PUBLIC_URL's origin, or the address used.
    const ours: Record<string, string>[] = [{ origin: t.config.publicUrl, 'sec-fetch-site': 'same-origin' }, { origin: 'http://localhost' }, {}];
    for (const headers of ours) {
      expect((await b.request('POST', '/compte/jetons', { form, headers })).status, JSON.stringify(headers)).toBe(200);
    }
    expect(await count(t.db, 'api_tokens')).toBe(before + 3);
    expect((await a.request('POST', '/deconnexion', { headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(302);
  });

  it('the extranet is guarded the same way', async () => {
    const c1 = await makeCompany(t.db);
    const c2 = await makeCompany(t.db);
    const m = await makeMember(t.db, [c1.id, c2.id]);
    const a = await memberAgent(t, m.email);
    const res = await a.request('POST', '/extranet/entreprise-courante', { form: { company_id: String(c2.id) }, headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect((await audits('switch_company', 'member_account')).filter((r) => r.entity_id === String(m.id))).toHaveLength(0);
  });

  it('access is checked before the body: an API call without a token learns 401, not the schema', async () => {
    const res = await t.app.fastify.inject({ method: 'POST', url: '/api/v1/companies', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(res.statusCode).toBe(401);
    const u = await makeUser(t.db, ['staff']);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, u.id, { name: 'lecture', scopes: ['registry:read'] });
    expect((await api(t, 'POST', '/api/v1/companies', token, {})).status).toBe(403);
  });

  it('bearer-token API calls are not browser sessions: no Origin rule for them', async () => {
    const u = await makeUser(t.db, ['documentation']);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, u.id, { name: 'script', scopes: ['registry:write'] });
    const res = await t.app.fastify.inject({ method: 'POST', url: '/api/v1/companies', headers: { authorization: `Bearer ${token}`, origin: 'https://tool.example', 'content-type': 'application/json' }, payload: '{}' });
    expect(res.statusCode).not.toBe(403);
    expect(res.statusCode).toBeLessThan(500);
  });
});
