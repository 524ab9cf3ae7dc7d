// Reminders of the apprenticeship-tax campaign, on both databases, through a real SMTP server:
// before a window opens and before it closes, once per contact (a second run sends nothing),
// never to a contact who refused prospecting; RFC 8058 headers; one-click unsubscription by a
// POST with no cookie and no CSRF token, idempotent, recorded on the registry's consent record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { contactConsents, createContact } from '../src/modules/registry/index.js';
import { createCampaign, createSchool } from '../src/modules/apprenticeship/campaign.service.js';
import { unsubscribeToken } from '../src/modules/apprenticeship/reminders.service.js';
import { agent, createTestApp, type TestApp } from './helpers.js';
import { startSmtp, type Inbox } from './smtp.js';

let t: TestApp;
let inbox: Inbox;
const Y = new Date().getUTCFullYear() + 1;
const ids = { alice: 0, bruno: 0, refuser: 0 };

beforeAll(async () => {
  inbox = await startSmtp();
  t = await createTestApp({ env: { SMTP_URL: inbox.url, MAIL_FROM: 'cci@demo.cci.fr', PUBLIC_URL: 'https://portail.cci.test' } });
  const now = new Date().toISOString();
  const company = async (name: string) => {
    const c = await t.db.insertInto('companies').values({ name, siren: null, status: 'active', diffusion: 'public', source: 'manual', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    return c.id;
  };
  const [a, b] = [await company('Alpha Mécanique'), await company('Bêta Services')];
  await t.db.transaction().execute(async (trx) => {
    ids.alice = (await createContact(trx, SYSTEM_ACTOR, a, { firstName: 'Alice', lastName: 'Durand', email: 'alice@alpha.fr' })).id;
    ids.refuser = (await createContact(trx, SYSTEM_ACTOR, a, { firstName: 'René', lastName: 'Refus', email: 'rene@alpha.fr', consent: 'refused', consentDate: now.slice(0, 10), consentSource: 'téléphone' })).id;
    await createContact(trx, SYSTEM_ACTOR, a, { firstName: 'Sans', lastName: 'Adresse' });
    ids.bruno = (await createContact(trx, SYSTEM_ACTOR, b, { firstName: 'Bruno', lastName: 'Petit', email: 'bruno@beta.fr' })).id;
    await createSchool(trx, SYSTEM_ACTOR, { name: 'École', siret: '13000253200013', uai: '0691234A', trainings: '', contactName: '', contactEmail: '', contactPhone: '' });
    const c = await createCampaign(trx, SYSTEM_ACTOR, { year: String(Y), title: 'Campagne', segment: '', windows: [{ opens: `${Y}-05-26`, closes: `${Y}-06-27` }] });
    await trx.insertInto('apprenticeship_targets').values([{ campaign_id: c.id, company_id: a, name: 'Alpha Mécanique' }, { campaign_id: c.id, company_id: b, name: 'Bêta Services' }]).execute();
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await inbox?.close();
});

const at = (day: string) => new Date(`${day}T08:00:00Z`);

describe('reminders', () => {
  it('nothing before the reminder is due', async () => {
    await t.app.jobs.tick(at(`${Y}-05-10`));
    expect(await t.db.selectFrom('apprenticeship_reminders').select('id').execute()).toHaveLength(0);
  });

  it('before the window opens: one mail per contact with an address, none to a refusal, RFC 8058 headers', async () => {
    await t.app.jobs.tick(at(`${Y}-05-20`));
    const mails = await inbox.waitFor(2);
    expect(mails.map((m) => (m.to as { text: string }).text).sort()).toEqual(['alice@alpha.fr', 'bruno@beta.fr']);
    const alice = mails.find((m) => (m.to as { text: string }).text === 'alice@alpha.fr')!;
    expect(alice.subject).toContain(`Taxe d’apprentissage ${Y}`);
    expect(alice.text).toContain('Alpha Mécanique');
    expect(alice.text).toContain('https://portail.cci.test/extranet/taxe-apprentissage');
    const line = (name: string) => alice.headerLines.find((h) => h.key === name)?.line ?? '';
    const token = unsubscribeToken(t.config.sessionSecret, ids.alice);
    expect(line('list-unsubscribe')).toContain(`<https://portail.cci.test/api/v1/apprenticeship-tax/unsubscribe/${token}>`);
    expect(line('list-unsubscribe')).toContain('<mailto:cci@demo.cci.fr?subject=');
    expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // The next hourly run the same day sends nothing again.
    await t.app.jobs.tick(new Date(at(`${Y}-05-20`).getTime() + 3600_000));
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.messages).toHaveLength(2);
  });

  it('one-click unsubscription: POST without cookie or CSRF, idempotent, on the consent record', async () => {
    const token = unsubscribeToken(t.config.sessionSecret, ids.alice);
    const post = () => t.app.fastify.inject({ method: 'POST', url: `/api/v1/apprenticeship-tax/unsubscribe/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ unsubscribed: true, changed: true });
    const again = await post();
    expect(JSON.parse(again.body)).toEqual({ unsubscribed: true, changed: false });
    expect((await contactConsents(t.db, [ids.alice])).get(ids.alice)?.prospecting.value).toBe('refused');
    const events = await t.db.selectFrom('contact_consent_events').selectAll().where('contact_id', '=', ids.alice).execute();
    expect(events).toHaveLength(1);
    const forged = await t.app.fastify.inject({ method: 'POST', url: `/api/v1/apprenticeship-tax/unsubscribe/${ids.bruno}.${'A'.repeat(32)}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(forged.statusCode).toBe(404);
    expect((await contactConsents(t.db, [ids.bruno])).get(ids.bruno)?.prospecting.value).toBe('unknown');
  });

  it('the link’s page asks, then confirms with the form (CSRF), and says it is done', async () => {
    const visitor = agent(t);
    const token = unsubscribeToken(t.config.sessionSecret, ids.bruno);
    const page = await visitor.get(`/taxe-apprentissage/desinscription/${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('b…@beta.fr');
    expect((await visitor.post(`/taxe-apprentissage/desinscription/${token}`, {}, { noCsrf: true })).status).toBe(403);
    const done = await visitor.post(`/taxe-apprentissage/desinscription/${token}`);
    expect(done.status).toBe(200);
    expect(done.body).toContain('ne recevra plus');
    expect((await visitor.get('/taxe-apprentissage/desinscription/nimportequoi')).status).toBe(404);
  });

  it('before the window closes: a reminder to who is still subscribed, none to the two who left', async () => {
    const b = (await t.db.selectFrom('apprenticeship_targets').select('company_id').where('name', '=', 'Bêta Services').executeTakeFirstOrThrow()).company_id;
    await t.db.transaction().execute((trx) => createContact(trx, SYSTEM_ACTOR, b, { firstName: 'Carla', lastName: 'Neuve', email: 'carla@beta.fr' }));
    await t.app.jobs.tick(at(`${Y}-06-25`));
    const mails = await inbox.waitFor(3);
    expect(mails).toHaveLength(3);
    expect((mails[2].to as { text: string }).text).toBe('carla@beta.fr');
    expect(mails[2].subject).toContain('SOLTéA ferme le 27 juin');
    await t.app.jobs.tick(at(`${Y}-06-26`));
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.messages).toHaveLength(3);
  });
});
