// Issue #19, the extranet's part: the company page's extranet panel needs its own permission (4),
// request limits per member account under a company ceiling, said in the page (6), one consent
// record shared by the registry and the extranet (7d), refusals audited with the company that was
// targeted (9).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { REQUESTS_PER_COMPANY_PER_HOUR, REQUESTS_PER_MEMBER_PER_HOUR } from '../src/modules/extranet/requests.service.js';
import { agent, api, count, createTestApp, makeUser, type TestApp } from './helpers.js';
import { makeCompany, makeContact, makeMember, memberAgent } from './extranet-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function staffAgent(roles: string[]) {
  const u = await makeUser(t.db, roles);
  const a = agent(t);
  await a.signIn(u.email);
  return { a, u };
}

async function lastRefusal(path: string) {
  const row = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'extranet_access').where('entity_id', '=', path).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return JSON.parse(row.changes as string) as Record<string, unknown>;
}

describe('4. the extranet panel on the registry company page', () => {
  it('is absent for staff without extranet:read (no heading, no e-mail, no subject), present for documentation', async () => {
    const c = await makeCompany(t.db, 'Menuiserie Panneau');
    const m = await makeMember(t.db, [c.id]);
    const member = await memberAgent(t, m.email);
    expect((await member.post('/extranet/demandes', { category: 'other', subject: 'Sujet très confidentiel', body: 'Bonjour' })).status).toBe(302);

    for (const role of ['staff', 'adviser', 'direction']) {
      const { a } = await staffAgent([role]);
      const page = await a.get(`/registre/entreprises/${c.id}`);
      expect(page.status, role).toBe(200);
      expect(page.body, role).toContain('Menuiserie Panneau');
      expect(page.body, role).not.toContain(m.email);
      expect(page.body, role).not.toContain('extranet-panel');
      expect(page.body, role).not.toContain('Sujet très confidentiel');
    }
    const { a: doc } = await staffAgent(['documentation']);
    const page = await doc.get(`/registre/entreprises/${c.id}`);
    expect(page.body).toContain('extranet-panel-title');
    expect(page.body).toContain(m.email);
    expect(page.body).toContain('Sujet très confidentiel');
  });

  it('the API follows the same rule: the registry company carries no extranet data, the requests API needs an answerer', async () => {
    const c = await makeCompany(t.db, 'Atelier API');
    const m = await makeMember(t.db, [c.id]);
    const member = await memberAgent(t, m.email);
    await member.post('/extranet/demandes', { category: 'other', subject: 'Sujet API secret', body: 'Bonjour' });
    const siren = (await t.db.selectFrom('companies').select('siren').where('id', '=', c.id).executeTakeFirstOrThrow()).siren!;
    const adviser = await makeUser(t.db, ['adviser']);
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, adviser.id, { name: 'x', scopes: ['registry:read'], days: 1 });
    const company = await api(t, 'GET', `/api/v1/companies/${siren}`, token);
    expect(company.status).toBe(200);
    expect(company.body).not.toContain(m.email);
    expect(company.body).not.toContain('Sujet API secret');
    expect((await api(t, 'GET', `/api/v1/extranet/requests?companyId=${c.id}`, token)).status).toBe(403);
    const doc = await makeUser(t.db, ['documentation']);
    const { token: docToken } = await createApiToken(t.db, SYSTEM_ACTOR, doc.id, { name: 'x', scopes: ['extranet:read'], days: 1 });
    const queue = await api(t, 'GET', `/api/v1/extranet/requests?companyId=${c.id}`, docToken);
    expect(queue.status).toBe(200);
    expect(queue.body).toContain('Sujet API secret');
  });
});

describe('6. request limits: per member account, under a company ceiling, said in the page', () => {
  const file = (a: Awaited<ReturnType<typeof memberAgent>>, subject: string) => a.post('/extranet/demandes', { category: 'other', subject, body: 'Bonjour' });

  it('a member at their limit does not block a colleague; the refusal is a 429 page saying which limit and until when, and writes nothing', async () => {
    const c = await makeCompany(t.db);
    const ma = await makeMember(t.db, [c.id]);
    const mb = await makeMember(t.db, [c.id], 'member');
    const a = await memberAgent(t, ma.email);
    const b = await memberAgent(t, mb.email);
    for (let i = 0; i < REQUESTS_PER_MEMBER_PER_HOUR - 2; i++) expect((await file(a, `Question ${i}`)).status).toBe(302);
    // Close to the limit, the form says how many are left and under which limit.
    const form = await a.get('/extranet/demandes/nouvelle');
    expect(form.body).toContain('Vous pouvez encore déposer 2 demande(s)');
    expect(form.body).toContain(`${REQUESTS_PER_MEMBER_PER_HOUR} demandes par heure et par compte`);
    expect((await file(a, 'Avant-dernière')).status).toBe(302);
    expect((await file(a, 'Dernière')).status).toBe(302);
    const auditBefore = await count(t.db, 'audit_log', ['entity', 'member_request']);
    const refused = await file(a, 'Une de trop');
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('role="alert"');
    expect(refused.body).toContain('c’est la limite par compte');
    expect(refused.body).toMatch(/à partir du \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    expect(refused.body).toContain('Une de trop'); // the text is kept in the form
    expect(await count(t.db, 'member_requests', ['company_id', c.id])).toBe(REQUESTS_PER_MEMBER_PER_HOUR);
    expect(await count(t.db, 'audit_log', ['entity', 'member_request'])).toBe(auditBefore);
    // The colleague still files.
    expect((await file(b, 'Question du collègue')).status).toBe(302);
    expect(await count(t.db, 'member_requests', ['company_id', c.id])).toBe(REQUESTS_PER_MEMBER_PER_HOUR + 1);
    // In English too.
    a.cookies.set('lang', 'en');
    const en = await file(a, 'One too many');
    expect(en.status).toBe(429);
    expect(en.body).toContain('that is the limit per account');
    expect(en.body).toMatch(/from \d{2}\/\d{2}\/\d{4},? \d{2}:\d{2}/);
  });

  it('the company ceiling still holds, whichever account files', async () => {
    const c = await makeCompany(t.db);
    // The company has already filed all but one of its hourly allowance (from many accounts).
    const at = new Date().toISOString();
    await t.db
      .insertInto('sign_in_attempts')
      .values(Array.from({ length: REQUESTS_PER_COMPANY_PER_HOUR - 1 }, () => ({ at, ip: '127.0.0.1', email: `x:request-company:${c.id}`, audience: 'member', success: 1 })))
      .execute();
    const mc = await makeMember(t.db, [c.id]);
    const md = await makeMember(t.db, [c.id]);
    const cAgent = await memberAgent(t, mc.email);
    const dAgent = await memberAgent(t, md.email);
    const form = await dAgent.get('/extranet/demandes/nouvelle');
    expect(form.body).toContain('Votre entreprise peut encore déposer 1 demande(s)');
    expect((await file(cAgent, 'La dernière de l’heure')).status).toBe(302);
    const refused = await file(dAgent, 'Refusée');
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('c’est la limite par entreprise');
    expect(refused.body).toContain(String(REQUESTS_PER_COMPANY_PER_HOUR));
    expect(await count(t.db, 'member_requests', ['company_id', c.id])).toBe(1);
  });
});

describe('9. a refused attempt is audited with the company it targeted', () => {
  it('names the other company (and the record), with the current one as context', async () => {
    const x = await makeCompany(t.db, 'Société X');
    const y = await makeCompany(t.db, 'Société Y');
    const mx = await makeMember(t.db, [x.id]);
    const my = await makeMember(t.db, [y.id]);
    const ay = await memberAgent(t, my.email);
    await ay.post('/extranet/demandes', { category: 'other', subject: 'Demande de Y', body: 'Bonjour' });
    const reqY = await t.db.selectFrom('member_requests').select('id').where('company_id', '=', y.id).executeTakeFirstOrThrow();
    const contactY = await makeContact(t.db, y.id, 'Ygrec');
    const ax = await memberAgent(t, mx.email);

    expect((await ax.get(`/extranet/demandes/${reqY.id}`)).status).toBe(404);
    expect(await lastRefusal(`/extranet/demandes/${reqY.id}`)).toMatchObject({ status: 404, company: y.id, current_company: x.id, target: `member_request:${reqY.id}` });

    expect((await ax.post(`/extranet/demandes/${reqY.id}/messages`, { body: 'intrusion' })).status).toBe(404);
    expect(await lastRefusal(`/extranet/demandes/${reqY.id}/messages`)).toMatchObject({ company: y.id, current_company: x.id });

    expect((await ax.post(`/extranet/contacts/${contactY}/preferences`, { channels: ['newsletter'] })).status).toBe(404);
    expect(await lastRefusal(`/extranet/contacts/${contactY}/preferences`)).toMatchObject({ company: y.id, current_company: x.id, target: `contact:${contactY}` });

    expect((await ax.post('/extranet/entreprise-courante', { company_id: String(y.id) })).status).toBe(404);
    expect(await lastRefusal('/extranet/entreprise-courante')).toMatchObject({ company: y.id, current_company: x.id });

    // A record that does not exist belongs to no company.
    expect((await ax.get('/extranet/demandes/999999')).status).toBe(404);
    expect(await lastRefusal('/extranet/demandes/999999')).toMatchObject({ company: null, current_company: x.id });
  });
});

describe('7d. one consent record: the registry contact’s, per channel, with its history on both sides', () => {
  it('a member opting a contact out of newsletters shows on the registry contact, with date, origin "extranet" and author', async () => {
    const c = await makeCompany(t.db, 'Consentement Sud');
    const contact = await makeContact(t.db, c.id, 'Durand');
    const m = await makeMember(t.db, [c.id]);
    const member = await memberAgent(t, m.email);
    expect((await member.post(`/extranet/contacts/${contact}/preferences`, { channels: ['newsletter', 'events'] })).status).toBe(302);
    expect((await member.post(`/extranet/contacts/${contact}/preferences`, { channels: ['events'] })).status).toBe(302);

    const { a: doc } = await staffAgent(['documentation']);
    const page = await doc.get(`/registre/contacts/${contact}/modifier`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Historique des consentements');
    const history = page.body.slice(page.body.indexOf('Historique des consentements'));
    // Newest first: the opt-out, by the member, from the extranet.
    const firstRow = history.slice(history.indexOf('<tbody'), history.indexOf('</tr>', history.indexOf('<tbody')));
    expect(firstRow).toContain('Lettres d’information');
    expect(firstRow).toContain('s’y oppose');
    expect(firstRow).toContain('extranet');
    expect(firstRow).toContain(`membre:${m.email}`);
    expect(firstRow).toMatch(/\d{2}\/\d{2}\/\d{4}/);
    // The company page says it too, and its history and audit name the change.
    const company = await doc.get(`/registre/entreprises/${c.id}`);
    expect(company.body).toMatch(/Lettres d’information : s’y oppose \(extranet, \d{2}\/\d{2}\/\d{4}/);
    expect(company.body).toContain('Invitations aux événements : accepte');
    expect(company.body).toContain('extranet (un membre de l’entreprise)');
    const audit = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'contact').where('entity_id', '=', String(contact)).where('action', '=', 'consent').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.actor_label).toBe(`membre:${m.email}`);
    expect(JSON.parse(audit.changes as string)).toMatchObject({ newsletter: ['granted', 'refused'] });
    // A plain staff member reads the company page: the consent is registry data, shown to all staff.
    const { a: plain } = await staffAgent(['staff']);
    expect((await plain.get(`/registre/entreprises/${c.id}`)).body).toContain('Lettres d’information : s’y oppose');
  });

  it('staff changing it in the registry shows on the extranet side; a bad value is a 422 that changes nothing', async () => {
    const c = await makeCompany(t.db);
    const contact = await makeContact(t.db, c.id, 'Lefebvre');
    const m = await makeMember(t.db, [c.id]);
    const member = await memberAgent(t, m.email);
    const { a: doc, u } = await staffAgent(['documentation']);
    await doc.get(`/registre/contacts/${contact}/modifier`);
    const saved = await doc.post(`/registre/contacts/${contact}/consentements`, { newsletter: 'granted', events: 'refused', source: 'salon Made in Loire' });
    expect(saved.status).toBe(302);
    const events = await t.db.selectFrom('contact_consent_events').selectAll().where('contact_id', '=', contact).orderBy('id').execute();
    expect(events.map((e) => [e.channel, e.value, e.origin, e.actor_id, e.source])).toEqual([
      ['newsletter', 'granted', 'registry', u.id, 'salon Made in Loire'],
      ['events', 'refused', 'registry', u.id, 'salon Made in Loire'],
    ]);
    const page = await member.get('/extranet/contacts');
    expect(page.body).toMatch(new RegExp(`id="pref-${contact}-newsletter"[^>]*checked`));
    expect(page.body).not.toMatch(new RegExp(`id="pref-${contact}-events"[^>]*checked`));
    expect(page.body).toContain('les lettres d’information : oui');
    expect(page.body).toContain('par la CCI');
    // The exported preferences (for mailing modules) read the same record.
    const { preferencesOf } = await import('../src/modules/extranet/index.js');
    expect((await preferencesOf(t.db, [contact])).get(contact)).toMatchObject({ newsletter: { value: true, origin: 'registry' }, events: { value: false, origin: 'registry' } });

    const before = await count(t.db, 'contact_consent_events', ['contact_id', contact]);
    const bad = await doc.post(`/registre/contacts/${contact}/consentements`, { newsletter: 'peut-être', events: 'granted' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('error-summary');
    expect(await count(t.db, 'contact_consent_events', ['contact_id', contact])).toBe(before);
    // A member cannot reach the registry's form, nor set prospecting through the extranet's.
    expect((await member.post(`/registre/contacts/${contact}/consentements`, { newsletter: 'refused' })).status).not.toBe(302);
    expect((await member.post(`/extranet/contacts/${contact}/preferences`, { channels: ['newsletter', 'events', 'prospecting'] })).status).toBe(302);
    expect((await t.db.selectFrom('contacts').select('consent').where('id', '=', contact).executeTakeFirstOrThrow()).consent).toBe('unknown');
  });

  it('the prospecting consent typed on the contact form enters the same history', async () => {
    const c = await makeCompany(t.db);
    const contact = await makeContact(t.db, c.id, 'Moreau');
    const { a: doc } = await staffAgent(['documentation']);
    const row = await t.db.selectFrom('contacts').selectAll().where('id', '=', contact).executeTakeFirstOrThrow();
    await doc.get(`/registre/contacts/${contact}/modifier`);
    const res = await doc.post(`/registre/contacts/${contact}`, { firstName: 'Paul', lastName: 'Moreau', consent: 'refused', consentDate: '2026-12-01', consentSource: 'appel entrant', version: String(row.version) });
    expect(res.status).toBe(302);
    const events = await t.db.selectFrom('contact_consent_events').selectAll().where('contact_id', '=', contact).execute();
    expect(events.map((e) => [e.channel, e.value, e.origin, e.source])).toEqual([['prospecting', 'refused', 'registry', 'appel entrant']]);
  });
});

describe('7d. the migration moves the extranet’s consent events into the registry without loss', () => {
  it('copies every event in order (value, origin, author, date), then drops the extranet’s table', async () => {
    const { testDatabase } = await import('./helpers.js');
    const migration = await import('../src/platform/db/migrations/2026-12-06T2220-extranet-security.js');
    const fresh = await testDatabase();
    try {
      const db = fresh.db;
      // The schema as it was before: the extranet's own table.
      await migration.down(db);
      const c = await makeCompany(db);
      const k1 = await makeContact(db, c.id, 'Un');
      const k2 = await makeContact(db, c.id, 'Deux');
      const rows = [
        { company_id: c.id, contact_id: k1, channel: 'newsletter', value: 1, origin: 'extranet', actor_label: 'membre:a@x.fr', at: '2026-01-02T10:00:00.000Z' },
        { company_id: c.id, contact_id: k1, channel: 'events', value: 0, origin: 'extranet', actor_label: 'membre:a@x.fr', at: '2026-01-02T10:00:00.000Z' },
        { company_id: c.id, contact_id: k2, channel: 'newsletter', value: 0, origin: 'staff', actor_label: 'Doc Umentaliste', at: '2026-02-03T11:00:00.000Z' },
        { company_id: c.id, contact_id: k1, channel: 'newsletter', value: 0, origin: 'extranet', actor_label: 'membre:b@x.fr', at: '2026-03-04T12:00:00.000Z' },
      ];
      for (const r of rows) await db.insertInto('member_consent_events').values(r).execute();
      await migration.up(db);
      const moved = await db.selectFrom('contact_consent_events').selectAll().orderBy('id').execute();
      expect(moved.map((e) => [e.contact_id, e.channel, e.value, e.origin, e.actor_label, new Date(e.at).toISOString()])).toEqual(
        rows.map((r) => [r.contact_id, r.channel, r.value ? 'granted' : 'refused', r.origin, r.actor_label, r.at]),
      );
      await expect(db.selectFrom('member_consent_events').selectAll().execute()).rejects.toThrow();
    } finally {
      await fresh.drop();
    }
  });
});
