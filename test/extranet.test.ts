// Extranet journeys through HTTP: accounts (invitation, sign-up queue, sign-in, reset, TOTP,
// company switch, team), "Mon entreprise" corrections, "Mes demandes", timeline, consent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/platform/auth/totp.js';
import { agent, count, createTestApp, makeUser, PASSWORD, type TestApp } from './helpers.js';
import { makeCompany, makeContact, makeMember, memberAgent, PDF, PNG, postMultipart, siretFor } from './extranet-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const linkIn = (text: string) => text.match(/http:\/\/localhost:\d+(\/\S+)/)![1];
async function lastMailTo(email: string) {
  return t.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', email).orderBy('id', 'desc').executeTakeFirstOrThrow() as Promise<{ subject: string; text_body: string }>;
}
async function staffAgent(roles = ['documentation']) {
  const u = await makeUser(t.db, roles);
  const a = agent(t);
  await a.signIn(u.email);
  return { a, u };
}

describe('member sign-in', () => {
  it('signs in on the extranet entry, shows the member shell, and signs out', async () => {
    const c = await makeCompany(t.db, 'Boulangerie Martin');
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    const home = await a.get('/extranet');
    expect(home.status).toBe(200);
    expect(home.body).toContain('shell-member');
    expect(home.body).toContain('Boulangerie Martin');
    expect(home.body).not.toContain('global-search');
    expect(home.body).toContain('/extranet/deconnexion');
    expect(await count(t.db, 'sessions', ['subject_id', m.id])).toBe(1);
    const out = await a.post('/extranet/deconnexion');
    expect(out.headers.location).toBe('/extranet/connexion');
    expect((await a.get('/extranet')).headers.location).toBe('/extranet/connexion?next=%2Fextranet');
  });

  it('gives the same answer for a wrong password and an unknown address, and locks after repeated failures', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const wrong = await agent(t).post('/extranet/connexion', { email: m.email, password: 'not the password at all' });
    const unknown = await agent(t).post('/extranet/connexion', { email: 'nobody@nowhere.fr', password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const msg = (b: string) => b.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0];
    expect(msg(wrong.body)).toBe(msg(unknown.body));
    for (let i = 0; i < 5; i++) await agent(t).post('/extranet/connexion', { email: m.email, password: 'wrong ' + i });
    const locked = await agent(t).post('/extranet/connexion', { email: m.email, password: PASSWORD });
    expect(locked.status).toBe(429);
  });

  it('keeps member and staff sessions apart', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    // A member session is not a staff session: staff pages ask for a staff sign-in.
    expect((await a.get('/portail')).status).toBe(302);
    expect((await a.get('/gestion-extranet/demandes')).headers.location).toMatch(/^\/connexion/);
    const { a: staff } = await staffAgent(['admin']);
    expect((await staff.get('/extranet/mon-entreprise')).headers.location).toMatch(/^\/extranet\/connexion/);
    // The staff cookie carried to a member route does not count.
    const cookie = staff.cookies.get('sid')!;
    const forged = agent(t);
    forged.cookies.set('msid', cookie);
    expect((await forged.get('/extranet/demandes')).status).toBe(302);
  });

  it('asks for the TOTP code when the member enrolled a second factor', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    const page = await a.get('/extranet/compte/double-authentification');
    const secret = page.body.match(/name="secret" value="([A-Z2-7]{32})"/)![1];
    expect((await a.post('/extranet/compte/double-authentification', { secret, code: '000000' })).status).toBe(422);
    expect((await a.post('/extranet/compte/double-authentification', { secret, code: totpCode(secret) })).status).toBe(302);
    const b = agent(t);
    await b.get('/extranet/connexion');
    const first = await b.post('/extranet/connexion', { email: m.email, password: PASSWORD });
    expect(first.headers.location).toMatch(/^\/extranet\/connexion\/code/);
    expect((await b.get('/extranet/mon-entreprise')).status).toBe(302);
    expect((await b.post('/extranet/connexion/code', { code: '123456' })).status).toBe(401);
    // The enrolment code is spent (replay protection): the next 30 s step's code, as the phone shows it.
    const ok = await b.post('/extranet/connexion/code', { code: totpCode(secret, Date.now() + 30_000) });
    expect(ok.status).toBe(302);
    expect((await b.get('/extranet/mon-entreprise')).status).toBe(200);
  });

  it('changing the password closes the member’s other sessions', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const one = await memberAgent(t, m.email);
    const two = await memberAgent(t, m.email);
    expect((await one.post('/extranet/compte/mot-de-passe', { current: 'wrong one', password: 'une toute nouvelle phrase', confirm: 'une toute nouvelle phrase' })).status).toBe(422);
    expect((await one.post('/extranet/compte/mot-de-passe', { current: PASSWORD, password: 'une toute nouvelle phrase', confirm: 'une toute nouvelle phrase' })).status).toBe(302);
    expect((await one.get('/extranet/compte')).status).toBe(200);
    expect((await two.get('/extranet/compte')).status).toBe(302);
  });

  it('resets a password with a single-use link bound to the address', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const a = agent(t);
    await a.get('/extranet/mot-de-passe-oublie');
    const same1 = await a.post('/extranet/mot-de-passe-oublie', { email: m.email });
    const same2 = await a.post('/extranet/mot-de-passe-oublie', { email: 'inconnu@nowhere.fr' });
    expect(same1.status).toBe(200);
    expect(same1.body.match(/<p class="flash[^>]*>[^<]*/)?.[0]).toBe(same2.body.match(/<p class="flash[^>]*>[^<]*/)?.[0]);
    const mail = await lastMailTo(m.email);
    const path = linkIn(mail.text_body);
    expect(path).toMatch(/^\/extranet\/mot-de-passe\//);
    expect((await a.get(path)).status).toBe(200);
    expect((await a.post(path, { password: 'a brand new passphrase', confirm: 'a brand new passphrase' })).status).toBe(302);
    expect((await a.post(path, { password: 'another new passphrase', confirm: 'another new passphrase' })).status).toBe(410);
    expect((await agent(t).post('/extranet/connexion', { email: m.email, password: 'a brand new passphrase' })).status).toBe(302);
    // An address changed after the link was sent voids the link.
    await a.post('/extranet/mot-de-passe-oublie', { email: m.email });
    const path2 = linkIn((await lastMailTo(m.email)).text_body);
    await t.db.updateTable('member_accounts').set({ email: 'changed-' + m.email }).where('id', '=', m.id).execute();
    expect((await a.get(path2)).status).toBe(410);
  });
});

describe('invitations and sign-up', () => {
  it('staff invite a contact; the link is single use, expiring and bound to the e-mail', async () => {
    const c = await makeCompany(t.db, 'Menuiserie Durand');
    const { a: staff } = await staffAgent();
    const res = await staff.post('/gestion-extranet/invitations', { company_id: String(c.id), name: 'Jeanne Durand', email: 'jeanne@durand.fr', role: 'administrator' });
    expect(res.status).toBe(302);
    const mail = await lastMailTo('jeanne@durand.fr');
    expect(mail.text_body).toContain('Menuiserie Durand');
    const path = linkIn(mail.text_body);
    const b = agent(t);
    expect((await b.get(path)).status).toBe(200);
    expect((await b.post(path, { password: 'short', confirm: 'short' })).status).toBe(422);
    expect((await b.post(path, { password: 'une phrase choisie ici', confirm: 'une phrase choisie ici' })).status).toBe(302);
    expect((await b.post(path, { password: 'une phrase choisie ici', confirm: 'une phrase choisie ici' })).status).toBe(410);
    const m = await memberAgent(t, 'jeanne@durand.fr', 'une phrase choisie ici');
    expect((await m.get('/extranet/mon-entreprise')).body).toContain('Menuiserie Durand');
    // Expired links are refused.
    await staff.post('/gestion-extranet/invitations', { company_id: String(c.id), name: 'Léo', email: 'leo@durand.fr', role: 'member' });
    const late = linkIn((await lastMailTo('leo@durand.fr')).text_body);
    await t.db.updateTable('one_time_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('email', '=', 'leo@durand.fr').execute();
    expect((await agent(t).get(late)).status).toBe(410);
    // A link whose invitation now names another address is void.
    await staff.post('/gestion-extranet/invitations', { company_id: String(c.id), name: 'Zoé', email: 'zoe@durand.fr', role: 'member' });
    const zoe = linkIn((await lastMailTo('zoe@durand.fr')).text_body);
    await t.db.updateTable('member_invitations').set({ email: 'eve@evil.fr' }).where('email', '=', 'zoe@durand.fr').execute();
    expect((await agent(t).post(zoe, { password: 'eve wants this company', confirm: 'eve wants this company' })).status).toBe(410);
    expect(await count(t.db, 'member_accounts', ['email', 'eve@evil.fr'])).toBe(0);
  });

  it('sign-up links are single use, and sign-ups are rate-limited per address without revealing anything', async () => {
    const c = await makeCompany(t.db);
    const a = agent(t);
    await a.get('/extranet/inscription');
    expect((await a.post('/extranet/inscription', { siret: c.siret, name: 'Rita Once', email: 'rita@once.fr' })).status).toBe(200);
    const path = linkIn((await lastMailTo('rita@once.fr')).text_body);
    expect((await a.post(path, { password: 'une phrase unique ici', confirm: 'une phrase unique ici' })).status).toBe(302);
    expect((await a.post(path, { password: 'une phrase unique ici', confirm: 'une phrase unique ici' })).status).toBe(410);
    expect(await count(t.db, 'member_signups', ['email', 'rita@once.fr'])).toBe(1);
    const before = await count(t.db, 'mail_outbox', ['to_address', 'flood@once.fr']);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await agent(t).post('/extranet/inscription', { siret: c.siret, name: 'Flood', email: 'flood@once.fr' })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await count(t.db, 'mail_outbox', ['to_address', 'flood@once.fr'])) - before).toBe(3);
  });

  it('a daily job deletes unconfirmed sign-ups after a week and expires old invitations', async () => {
    const c = await makeCompany(t.db);
    await agent(t).post('/extranet/inscription', { siret: c.siret, name: 'Oubli', email: 'oubli@stale.fr' });
    await agent(t).post('/extranet/inscription', { siret: c.siret, name: 'Récent', email: 'recent@stale.fr' });
    const { a: staff } = await staffAgent();
    await staff.post('/gestion-extranet/invitations', { company_id: String(c.id), name: 'Vieux', email: 'vieux@stale.fr', role: 'member' });
    const old = new Date(Date.now() - 8 * 86400_000).toISOString();
    await t.db.updateTable('member_signups').set({ created_at: old }).where('email', '=', 'oubli@stale.fr').execute();
    await t.db.updateTable('member_invitations').set({ created_at: old }).where('email', '=', 'vieux@stale.fr').execute();
    const link = linkIn((await lastMailTo('oubli@stale.fr')).text_body);
    const { enqueue } = await import('../src/platform/jobs/index.js');
    await enqueue(t.db, 'extranet.purge');
    await t.app.jobs.tick();
    expect(await count(t.db, 'member_signups', ['email', 'oubli@stale.fr'])).toBe(0);
    expect(await count(t.db, 'member_signups', ['email', 'recent@stale.fr'])).toBe(1);
    expect((await t.db.selectFrom('member_invitations').select('status').where('email', '=', 'vieux@stale.fr').executeTakeFirstOrThrow()).status).toBe('expired');
    expect((await agent(t).get(link)).status).toBe(410);
  });

  it('a company administrator invites a colleague; a plain member cannot', async () => {
    const c = await makeCompany(t.db);
    const admin = await makeMember(t.db, [c.id], 'administrator');
    const plain = await makeMember(t.db, [c.id], 'member');
    const pa = await memberAgent(t, plain.email);
    expect((await pa.get('/extranet/equipe')).status).toBe(403);
    expect((await pa.post('/extranet/equipe/invitations', { name: 'X', email: 'x@x.fr', role: 'administrator' })).status).toBe(403);
    const aa = await memberAgent(t, admin.email);
    expect((await aa.get('/extranet/equipe')).status).toBe(200);
    expect((await aa.post('/extranet/equipe/invitations', { name: 'Coline', email: 'coline@ent.fr', role: 'member' })).status).toBe(302);
    const path = linkIn((await lastMailTo('coline@ent.fr')).text_body);
    expect((await agent(t).post(path, { password: 'encore une phrase sûre', confirm: 'encore une phrase sûre' })).status).toBe(302);
    const row = await t.db.selectFrom('member_memberships').innerJoin('member_accounts', 'member_accounts.id', 'member_memberships.account_id').select(['role', 'origin', 'company_id']).where('email', '=', 'coline@ent.fr').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'member', origin: 'member_invitation', company_id: c.id });
  });

  it('a pending invitation is listed alike on the team page and the company panel, cancellable only by those who manage', async () => {
    const c = await makeCompany(t.db);
    const admin = await makeMember(t.db, [c.id], 'administrator');
    const aa = await memberAgent(t, admin.email);
    expect((await aa.post('/extranet/equipe/invitations', { name: 'Odile Attente', email: 'odile@attente.fr', role: 'member' })).status).toBe(302);
    const inv = await t.db.selectFrom('member_invitations').select('id').where('email', '=', 'odile@attente.fr').executeTakeFirstOrThrow();
    const team = (await aa.get('/extranet/equipe')).body;
    for (const s of ['Odile Attente', 'odile@attente.fr', `/extranet/equipe/invitations/${inv.id}/annuler`]) expect(team).toContain(s);
    const panel = t.app.ctx.panelsFor('company').find((p) => p.order === 60)!;
    const { renderToString } = await import('preact-render-to-string');
    const staff = await makeUser(t.db, ['documentation']);
    const view = (permissions: string[]) => ({ t: t.app.i18n.translator('fr'), locale: 'fr' as const, actor: { id: staff.id, label: staff.email, kind: 'staff' as const, roles: [], permissions: new Set(permissions) }, csrf: '', nav: [], demo: false, cciName: 'CCI', flashes: [], path: '/', warnings: [] });
    const managing = renderToString((await panel.render(t.app.ctx, view(['extranet:read', 'extranet:manage']), c.id))!);
    // The same line on both sides: name, address, role, date.
    const line = /<li>Odile Attente <span class="muted">&lt;odile@attente\.fr(&gt;|>)<\/span> — Membre — \d/;
    expect(team).toMatch(line);
    expect(managing).toMatch(line);
    expect(managing).toContain(`/gestion-extranet/invitations/${inv.id}/annuler`);
    const reading = renderToString((await panel.render(t.app.ctx, view(['extranet:read']), c.id))!);
    expect(reading).toContain('Odile Attente');
    expect(reading).not.toContain('/annuler');
    // Cancelled from the team page, it leaves both lists.
    expect((await aa.post(`/extranet/equipe/invitations/${inv.id}/annuler`)).status).toBe(302);
    expect((await aa.get('/extranet/equipe')).body).not.toContain('odile@attente.fr');
    expect(renderToString((await panel.render(t.app.ctx, view(['extranet:read', 'extranet:manage']), c.id))!)).not.toContain('odile@attente.fr');
  });

  it('an administrator changes a colleague’s role and removes them, but cannot remove themselves', async () => {
    const c = await makeCompany(t.db);
    const admin = await makeMember(t.db, [c.id], 'administrator');
    const colleague = await makeMember(t.db, [c.id], 'member');
    const membership = (accountId: number) => t.db.selectFrom('member_memberships').select(['id', 'role', 'status']).where('account_id', '=', accountId).where('company_id', '=', c.id).executeTakeFirstOrThrow();
    const aa = await memberAgent(t, admin.email);
    const own = await membership(admin.id);
    const audits = await count(t.db, 'audit_log', ['entity', 'member_membership']);
    expect((await aa.post(`/extranet/equipe/${own.id}/retirer`)).status).toBe(409);
    expect(await membership(admin.id)).toMatchObject({ status: 'active', role: 'administrator' });
    expect(await count(t.db, 'audit_log', ['entity', 'member_membership'])).toBe(audits);
    const theirs = await membership(colleague.id);
    expect((await aa.post(`/extranet/equipe/${theirs.id}/role`, { role: 'administrator' })).status).toBe(302);
    expect(await membership(colleague.id)).toMatchObject({ role: 'administrator' });
    expect((await aa.post(`/extranet/equipe/${theirs.id}/retirer`)).status).toBe(302);
    expect(await membership(colleague.id)).toMatchObject({ status: 'revoked' });
    expect(await count(t.db, 'audit_log', ['entity', 'member_membership'])).toBe(audits + 2);
  });

  it('SIRET sign-up: same answer whatever is known, e-mail confirmation, then the approval queue', async () => {
    const c = await makeCompany(t.db, 'Garage Petit');
    const known = await makeMember(t.db, [c.id]);
    const a = agent(t);
    await a.get('/extranet/inscription');
    const r1 = await a.post('/extranet/inscription', { siret: c.siret, name: 'Paul Petit', email: 'paul@garage-petit.fr' });
    const r2 = await agent(t).post('/extranet/inscription', { siret: siretFor(987654), name: 'Paul Petit', email: known.email });
    expect(r1.status).toBe(200);
    expect(r2.status).toBe(200);
    const flash = (b: string) => b.match(/<p class="flash flash-success"[^>]*>[^<]*/)?.[0];
    expect(flash(r1.body)).toBeDefined();
    expect(flash(r1.body)).toBe(flash(r2.body));
    expect((await agent(t).post('/extranet/inscription', { siret: '12345678901234', name: 'X', email: 'x@x.fr' })).status).toBe(422);
    // Confirmation: choose a password; the request joins the queue.
    const path = linkIn((await lastMailTo('paul@garage-petit.fr')).text_body);
    expect((await a.post(path, { password: 'une phrase du garage', confirm: 'une phrase du garage' })).status).toBe(302);
    const paul = await memberAgent(t, 'paul@garage-petit.fr', 'une phrase du garage');
    expect((await paul.get('/extranet')).body).toContain('en cours d’examen');
    expect((await paul.get('/extranet/mon-entreprise')).status).toBe(403);
    const { a: staff } = await staffAgent();
    const queue = await staff.get('/gestion-extranet/inscriptions');
    expect(queue.body).toContain('paul@garage-petit.fr');
    expect(queue.body).toContain('Garage Petit');
    const search = await staff.get(`/gestion-extranet/inscriptions?q=${c.siret.slice(0, 9)}`);
    expect(search.body).toMatch(new RegExp(`<th scope="row">${c.id}</th>`));
    const signup = await t.db.selectFrom('member_signups').selectAll().where('email', '=', 'paul@garage-petit.fr').executeTakeFirstOrThrow();
    expect((await staff.post(`/gestion-extranet/inscriptions/${signup.id}/approuver`, { company_id: String(c.id), role: 'member', version: String(signup.version) })).status).toBe(302);
    expect((await lastMailTo('paul@garage-petit.fr')).subject).toMatch(/ouvert/);
    expect((await paul.get('/extranet/mon-entreprise')).body).toContain('Garage Petit');
    // The other request (known address, unknown SIRET) is refused with a reason sent by mail.
    const path2 = linkIn((await lastMailTo(known.email)).text_body);
    expect((await agent(t).get(path2)).body).toContain('déjà un compte');
    expect((await agent(t).post(path2, {})).status).toBe(302);
    const s2 = await t.db.selectFrom('member_signups').selectAll().where('email', '=', known.email).executeTakeFirstOrThrow();
    expect((await staff.post(`/gestion-extranet/inscriptions/${s2.id}/refuser`, { reason: '', version: String(s2.version) })).status).toBe(422);
    expect((await staff.post(`/gestion-extranet/inscriptions/${s2.id}/refuser`, { reason: 'SIRET inconnu de nos services', version: String(s2.version) })).status).toBe(302);
    expect((await lastMailTo(known.email)).text_body).toContain('SIRET inconnu de nos services');
  });
});

describe('Mon entreprise: corrections', () => {
  it('changes nothing until accepted, then applies only the accepted fields through the registry', async () => {
    const c = await makeCompany(t.db, 'Imprimerie Roux');
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    const form = await a.get('/extranet/mon-entreprise/corriger');
    expect(form.status).toBe(200);
    expect((await a.post('/extranet/mon-entreprise/corrections', { phone: 'pas un numéro !' })).status).toBe(422);
    expect((await a.post('/extranet/mon-entreprise/corrections', { phone: '04 77 00 00 00' })).status).toBe(422); // nothing changed
    const res = await a.post('/extranet/mon-entreprise/corrections', { phone: '04 77 12 34 56', website: 'https://apres.example.fr', street_name: 'Rue Neuve', postal_code: '42000', city: 'Saint-Étienne' });
    expect(res.status).toBe(302);
    const company = () => t.db.selectFrom('companies').select(['phone', 'website', 'version']).where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(await company()).toMatchObject({ phone: '04 77 00 00 00', website: 'https://avant.example.fr' });
    const cr = await t.db.selectFrom('member_change_requests').selectAll().where('company_id', '=', c.id).executeTakeFirstOrThrow();
    const { a: staff } = await staffAgent();
    const page = await staff.get(`/gestion-extranet/corrections/${cr.id}`);
    expect(page.body).toContain('04 77 12 34 56');
    expect(page.body).toContain('https://avant.example.fr');
    // Refusing part needs a reason.
    expect((await staff.post(`/gestion-extranet/corrections/${cr.id}/decision`, { accepted: ['phone'], reason: '', version: String(cr.version), decision: 'apply' })).status).toBe(422);
    expect((await staff.post(`/gestion-extranet/corrections/${cr.id}/decision`, { accepted: ['phone', 'street_name'], reason: 'Le site indiqué ne répond pas', version: String(cr.version), decision: 'apply' })).status).toBe(302);
    expect(await company()).toMatchObject({ phone: '04 77 12 34 56', website: 'https://avant.example.fr' });
    const est = await t.db.selectFrom('establishments').select('street_name').where('company_id', '=', c.id).executeTakeFirstOrThrow();
    expect(est.street_name).toBe('RUE NEUVE');
    const mine = await a.get(`/extranet/mon-entreprise/corrections/${cr.id}`);
    expect(mine.body).toContain('Acceptée en partie');
    expect(mine.body).toContain('Le site indiqué ne répond pas');
    expect((await a.get('/extranet/mon-entreprise')).body).toContain('04 77 12 34 56');
    // Decided once only.
    expect((await staff.post(`/gestion-extranet/corrections/${cr.id}/decision`, { accepted: ['website'], reason: '', version: String(cr.version + 1), decision: 'apply' })).status).toBe(409);
  });
});

describe('Mon entreprise: a new contact', () => {
  it('is proposed by the member and added to the register only when accepted; the portal lists what waits', async () => {
    const c = await makeCompany(t.db, 'Chaudronnerie Gay');
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    expect((await a.post('/extranet/mon-entreprise/corrections', { contact_first_name: 'Sans', contact_email: 'pas-une-adresse' })).status).toBe(422);
    expect((await a.post('/extranet/mon-entreprise/corrections', { contact_first_name: 'Lucie', contact_last_name: 'Gay', contact_role: 'Gérante', contact_email: 'lucie@gay.fr' })).status).toBe(302);
    expect(await count(t.db, 'contacts', ['company_id', c.id])).toBe(0);
    const { a: staff } = await staffAgent();
    expect((await staff.get('/portail')).body).toContain('correction(s) proposée(s) par des ressortissants');
    const cr = await t.db.selectFrom('member_change_requests').selectAll().where('company_id', '=', c.id).executeTakeFirstOrThrow();
    const page = await staff.get(`/gestion-extranet/corrections/${cr.id}`);
    expect(page.body).toContain('Lucie Gay — Gérante — lucie@gay.fr');
    expect((await staff.post(`/gestion-extranet/corrections/${cr.id}/decision`, { accepted: ['new_contact'], reason: '', version: String(cr.version), decision: 'apply' })).status).toBe(302);
    const contact = await t.db.selectFrom('contacts').selectAll().where('company_id', '=', c.id).executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ first_name: 'Lucie', last_name: 'Gay', role: 'Gérante', email: 'lucie@gay.fr' });
    expect((await a.get('/extranet/contacts')).body).toContain('Gay');
  });
});

describe('Mes demandes', () => {
  it('a request with an attachment becomes a conversation; statuses, notifications with a link only, response time', async () => {
    const c = await makeCompany(t.db, 'Fromagerie Blanc');
    const m = await makeMember(t.db, [c.id]);
    const { a: staff, u } = await staffAgent();
    const a = await memberAgent(t, m.email);
    await a.get('/extranet/demandes/nouvelle');
    const bad = await postMultipart(t, a, '/extranet/demandes', { category: 'funding', subject: 'Aide', body: 'Bonjour' }, [{ name: 'attachments', filename: 'devis.pdf', type: 'application/pdf', data: Buffer.from('MZ\x90\x00 not a pdf') }]);
    expect(bad.status).toBe(422);
    expect(await count(t.db, 'member_requests', ['company_id', c.id])).toBe(0);
    const big = await postMultipart(t, a, '/extranet/demandes', { category: 'funding', subject: 'Aide', body: 'Bonjour' }, [{ name: 'attachments', filename: 'gros.pdf', type: 'application/pdf', data: Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)]) }]);
    expect(big.status).toBe(422);
    expect(await count(t.db, 'member_requests', ['company_id', c.id])).toBe(0);
    const ok = await postMultipart(t, a, '/extranet/demandes', { category: 'funding', subject: 'Aide à l’export', body: 'Secret: notre chiffre est 42 M€' }, [{ name: 'attachments', filename: 'devis.pdf', type: 'text/plain', data: PDF }]);
    expect(ok.status).toBe(302);
    const id = Number(String(ok.headers.location).split('/').pop());
    const req = await t.db.selectFrom('member_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(req).toMatchObject({ status: 'new', category: 'funding', company_id: c.id });
    const att = await t.db.selectFrom('member_attachments').select(['id', 'content_type']).where('request_id', '=', id).executeTakeFirstOrThrow();
    expect(att.content_type).toBe('application/pdf');
    const staffMail = await lastMailTo(u.email);
    expect(staffMail.text_body).toContain(`/gestion-extranet/demandes/${id}`);
    expect(staffMail.text_body).not.toContain('42 M€');
    expect(staffMail.subject).not.toContain('export');
    // Staff read, download, reply.
    expect((await staff.get(`/gestion-extranet/demandes/${id}`)).body).toContain('42 M€');
    const dl = await staff.get(`/gestion-extranet/pieces-jointes/${att.id}`);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-disposition']).toMatch(/^attachment/);
    const reply = await postMultipart(t, staff, `/gestion-extranet/demandes/${id}/reponse`, { body: 'Pouvez-vous préciser le pays ?', status: 'waiting_member', version: String(req.version) }, [{ name: 'attachments', filename: 'guide.png', type: 'image/png', data: PNG }]);
    expect(reply.status).toBe(302);
    const after = await t.db.selectFrom('member_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(after.status).toBe('waiting_member');
    expect(after.first_response_at).not.toBeNull();
    expect(after.assignee_id).toBe(u.id);
    const memberMail = await lastMailTo(m.email);
    expect(memberMail.text_body).toContain(`/extranet/demandes/${id}`);
    expect(memberMail.text_body).not.toContain('pays');
    const thread = await a.get(`/extranet/demandes/${id}`);
    expect(thread.body).toContain('Pouvez-vous préciser le pays ?');
    expect(thread.body).toContain('guide.png');
    expect((await a.post(`/extranet/demandes/${id}/messages`, { body: 'Le Canada.' })).status).toBe(302);
    // A staff reply based on the page before the member's message keeps the text and says why.
    const stale = await staff.post(`/gestion-extranet/demandes/${id}/reponse`, { body: 'Réponse écrite trop tard', status: 'waiting_member', version: String(after.version) });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('Réponse écrite trop tard');
    expect(stale.body).toContain('Le Canada.');
    expect(await count(t.db, 'member_request_messages', ['request_id', id])).toBe(3);
    expect((await t.db.selectFrom('member_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('in_progress');
    const queue = await staff.get('/gestion-extranet/demandes?categorie=funding');
    expect(queue.body).toContain('Aide à l’export');
    expect(queue.body).toContain('Délais de première réponse');
    expect((await staff.post(`/gestion-extranet/demandes/${id}/cloturer`, { version: String(after.version + 1) })).status).toBe(302);
    expect((await a.post(`/extranet/demandes/${id}/messages`, { body: 'Encore une chose' })).status).toBe(409);
  });

  it('measures first-response times by category and filters the queue by company', async () => {
    const c = await makeCompany(t.db, 'Chronos SARL');
    const m = await makeMember(t.db, [c.id]);
    const created = new Date(Date.now() - 3 * 3600_000).toISOString();
    const mk = async (minutes: number | null) => {
      const r = await t.db.insertInto('member_requests').values({ company_id: c.id, account_id: m.id, category: 'international', subject: `Délai ${minutes}`, status: 'in_progress', assignee_id: null, first_response_at: minutes === null ? null : new Date(Date.parse(created) + minutes * 60_000).toISOString(), last_message_at: created, closed_at: null, created_at: created, updated_at: created }).returning('id').executeTakeFirstOrThrow();
      return r.id;
    };
    await mk(30);
    await mk(90);
    await mk(null);
    const { responseStats } = await import('../src/modules/extranet/requests.service.js');
    const intl = (await responseStats(t.db)).find((s) => s.category === 'international')!;
    const { a: staff } = await staffAgent();
    const page = await staff.get(`/gestion-extranet/demandes?entreprise=${c.id}&statut=`);
    expect(page.body).toContain('Délai 30');
    expect(page.body).toContain('Délai null');
    expect(page.body).not.toContain('Aide à l’export');
    // No other test of this file uses this category: median and average of 30 and 90 min.
    expect(intl).toMatchObject({ total: 3, answered: 2, medianMinutes: 60, averageMinutes: 60 });
  });

  it('lists the requests waiting for the member first', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    await a.post('/extranet/demandes', { category: 'other', subject: 'Ancienne question', body: 'x' });
    await a.post('/extranet/demandes', { category: 'other', subject: 'Récente question', body: 'y' });
    const body1 = (await a.get('/extranet/demandes')).body;
    expect(body1.indexOf('Récente question')).toBeLessThan(body1.indexOf('Ancienne question'));
    await t.db.updateTable('member_requests').set({ status: 'waiting_member' }).where('subject', '=', 'Ancienne question').where('company_id', '=', c.id).execute();
    const body2 = (await a.get('/extranet/demandes')).body;
    expect(body2.indexOf('Ancienne question')).toBeLessThan(body2.indexOf('Récente question'));
  });

  it('rate-limits request creation per member', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    let last = 0;
    for (let i = 0; i < 11; i++) last = (await a.post('/extranet/demandes', { category: 'other', subject: `Question ${i}`, body: 'Bonjour' })).status;
    expect(last).toBe(429);
    expect(await count(t.db, 'member_requests', ['company_id', c.id])).toBe(10);
  });
});

describe('timeline, consent, company switch', () => {
  it('switches between the companies a person belongs to, and only those', async () => {
    const c1 = await makeCompany(t.db, 'Alpha SARL');
    const c2 = await makeCompany(t.db, 'Beta SAS');
    const other = await makeCompany(t.db, 'Gamma SA');
    const m = await makeMember(t.db, [c1.id, c2.id]);
    const a = await memberAgent(t, m.email);
    const home = await a.get('/extranet');
    expect(home.body).toContain('switch-company');
    expect((await a.post('/extranet/entreprise-courante', { company_id: String(c2.id), next: '/extranet/mon-entreprise' })).status).toBe(302);
    expect((await a.get('/extranet/mon-entreprise')).body).toContain('Beta SAS');
    expect((await a.post('/extranet/entreprise-courante', { company_id: String(other.id) })).status).toBe(404);
    expect((await a.get('/extranet/mon-entreprise')).body).toContain('Beta SAS');
    // A revoked membership takes effect at once, even for the selected company.
    await t.db.updateTable('member_memberships').set({ status: 'revoked' }).where('account_id', '=', m.id).where('company_id', '=', c2.id).execute();
    expect((await a.get('/extranet/mon-entreprise')).body).toContain('Alpha SARL');
  });

  it('records each consent change with its date and origin', async () => {
    const c = await makeCompany(t.db);
    const contact = await makeContact(t.db, c.id, 'Bernard');
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    expect((await a.get('/extranet/contacts')).body).toContain('Bernard');
    expect((await a.post(`/extranet/contacts/${contact}/preferences`, { channels: ['newsletter'] })).status).toBe(302);
    expect((await a.post(`/extranet/contacts/${contact}/preferences`, { channels: ['newsletter', 'events'] })).status).toBe(302);
    // The registry's consent record (one for both sides): an unticked box is an explicit "no".
    const events = await t.db.selectFrom('contact_consent_events').selectAll().where('contact_id', '=', contact).orderBy('id').execute();
    expect(events.map((e) => [e.channel, e.value, e.origin])).toEqual([
      ['newsletter', 'granted', 'extranet'],
      ['events', 'refused', 'extranet'],
      ['events', 'granted', 'extranet'],
    ]);
    expect(events[0].actor_label).toBe(`membre:${m.email}`);
    expect((await a.get('/extranet/contacts')).body).toContain('extranet');
    // Staff see the member's choices on the company page panel.
    const panel = t.app.ctx.panelsFor('company').find((p) => p.order === 60)!;
    const { renderToString } = await import('preact-render-to-string');
    const staffView = { t: t.app.i18n.translator('fr'), locale: 'fr' as const, actor: { id: 1, label: 's', kind: 'staff' as const, roles: ['documentation'], permissions: new Set(['registry:read', 'extranet:manage', 'extranet:read']) }, csrf: '', nav: [], demo: false, cciName: 'CCI', flashes: [], path: '/', warnings: [] };
    const html = renderToString((await panel.render(t.app.ctx, staffView, c.id))!);
    expect(html).toContain('Paul Bernard');
    expect(html).toContain('les invitations aux événements : Oui');
  });

  it('the timeline shows the company’s requests and corrections, and the home page the latest', async () => {
    const c = await makeCompany(t.db);
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    await a.post('/extranet/demandes', { category: 'training', subject: 'Formation Excel', body: 'Bonjour' });
    const tl = await a.get('/extranet/suivi');
    expect(tl.body).toContain('Formation Excel');
    expect((await a.get('/extranet')).body).toContain('Formation Excel');
  });

  it('the company page shows who has access and what is pending', async () => {
    const c = await makeCompany(t.db, 'Panneaux Verts');
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    await a.post('/extranet/demandes', { category: 'other', subject: 'Question panneau', body: 'Bonjour' });
    const { panelsFor } = t.app.ctx;
    const panel = panelsFor('company').find((p) => p.order === 60)!;
    const admin = await makeUser(t.db, ['documentation']);
    const { renderToString } = await import('preact-render-to-string');
    const view = { t: t.app.i18n.translator('fr'), locale: 'fr' as const, actor: { id: admin.id, label: admin.email, kind: 'staff' as const, roles: ['documentation'], permissions: new Set(['registry:read', 'extranet:manage', 'extranet:requests', 'extranet:read']) }, csrf: '', nav: [], demo: false, cciName: 'CCI', flashes: [], path: '/', warnings: [] };
    const html = renderToString((await panel.render(t.app.ctx, view, c.id))!);
    expect(html).toContain(m.email);
    expect(html).toContain('Question panneau');
    const memberView = { ...view, actor: { id: null, label: 'm', kind: 'member' as const, roles: [], permissions: new Set(['member:use']) } };
    expect(await panel.render(t.app.ctx, memberView, c.id)).toBeNull();
  });
});

describe('messages', () => {
  it('every extranet page has all its texts, in French and in English', async () => {
    const c = await makeCompany(t.db);
    await makeContact(t.db, c.id);
    const m = await makeMember(t.db, [c.id]);
    const a = await memberAgent(t, m.email);
    await a.post('/extranet/demandes', { category: 'other', subject: 'Question', body: 'Bonjour' });
    await a.post('/extranet/mon-entreprise/corrections', { phone: '04 11 22 33 44' });
    const req = await t.db.selectFrom('member_requests').select('id').where('company_id', '=', c.id).executeTakeFirstOrThrow();
    const cr = await t.db.selectFrom('member_change_requests').select('id').where('company_id', '=', c.id).executeTakeFirstOrThrow();
    const { a: staff } = await staffAgent();
    const anon = agent(t);
    const rawKey = /\b(extranet|auth|common|field)\.[a-z_]+(\.[a-z_]+)*\b(?![@/])/g;
    for (const lang of ['fr', 'en']) {
      for (const who of [a, staff, anon]) await who.get(`/lang/${lang}?next=/`);
      const pages: [typeof a, string][] = [
        [anon, '/extranet/connexion'],
        [anon, '/extranet/inscription'],
        [anon, '/extranet/mot-de-passe-oublie'],
        [anon, '/extranet/invitation/nope'],
        ...['/extranet', '/extranet/mon-entreprise', '/extranet/mon-entreprise/corriger', `/extranet/mon-entreprise/corrections/${cr.id}`, '/extranet/demandes', '/extranet/demandes/nouvelle', `/extranet/demandes/${req.id}`, '/extranet/suivi', '/extranet/contacts', '/extranet/equipe', '/extranet/compte', '/extranet/compte/double-authentification'].map((u) => [a, u] as [typeof a, string]),
        ...['/gestion-extranet', '/gestion-extranet/comptes', `/gestion-extranet/comptes/${m.id}`, '/gestion-extranet/inscriptions', '/gestion-extranet/corrections', `/gestion-extranet/corrections/${cr.id}`, '/gestion-extranet/demandes', `/gestion-extranet/demandes/${req.id}`, '/gestion-extranet/routage', `/gestion-extranet/invitations/nouvelle?entreprise=${c.id}`].map((u) => [staff, u] as [typeof a, string]),
      ];
      for (const [who, url] of pages) {
        const res = await who.get(url);
        expect([200, 410], `${lang} ${url}`).toContain(res.status);
        const text = res.body.replace(/<[^>]+>/g, ' ');
        expect(text.match(rawKey) ?? [], `${lang} ${url}`).toEqual([]);
      }
    }
  });
});

