// Mailing (#14): lists and double opt-in on the registry's consent record, campaigns sent
// through real SMTP (loopback sink), one-click unsubscribe, bounces by real DSNs to the inbound
// listener and by the webhook, retries, approvals above a threshold, letters, permissions.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve } from '../src/modules/approvals/index.js';
import { bounceListenerPort } from '../src/modules/mailing/index.js';
import { mailingWebRoutes } from '../src/modules/mailing/mailing.routes.js';
import type { MailingDb } from '../src/modules/mailing/mailing.table.js';
import { ONE_CLICK_ROUTES } from './one-click-routes.js';
import { actorOf } from './crm-fixtures.js';
import { makeCompany, makeMember, memberAgent } from './extranet-helpers.js';
import { agent, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';
import { dsn, sendRaw, startSink, type Sink } from './mailing-helpers.js';

let t: TestApp;
let sink: Sink;
let editor: Agent;
let sender: Agent;
let now = () => new Date().toISOString();
/** the sink refuses messages to refuse…@ while this is true (554 after DATA) */
let refusing = true;

beforeAll(async () => {
  Object.assign(process.env, {
    MAILING_RATE: '0',
    MAILING_RATE_PER_DOMAIN: '0',
    MAILING_BOUNCE_PORT: '0',
    MAILING_WEBHOOK_SECRET: 'webhook-secret-0123456789',
    MAILING_RETRY_SECONDS: '0',
    MAILING_APPROVAL_ABOVE: '3',
    MAILING_SOFT_BOUNCES: '2',
    MAILING_BOUNCE_DOMAIN: 'retour.cci.test',
  });
  sink = await startSink({ tempFailOnce: (a, from) => a.startsWith('grey') && from.startsWith('bounces+'), rejectData: (a, from) => refusing && a.startsWith('refuse') && from.startsWith('bounces+') });
  t = await createTestApp({ config: { smtpUrl: sink.url, publicUrl: 'https://cci.test' } });
  editor = agent(t);
  await editor.signIn((await makeUser(t.db, ['editor'])).email);
  sender = agent(t);
  await sender.signIn((await makeUser(t.db, ['webmaster'])).email);
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

/** Runs the due jobs until none is left (a send's next slice, a retry due now, are queued for just after the tick's clock). */
async function run(): Promise<void> {
  for (let i = 0; i < 10 && (await t.app.jobs.tick()) > 0; i++) await new Promise((r) => setTimeout(r, 5));
}
const idFrom = (location: unknown) => Number(String(location).split('/').pop());
const linkIn = (text: string, path: string) => new URL(new RegExp(`https://cci\\.test${path}[^\\s>"]+`).exec(text)![0]).pathname;

async function newList(name: string, extra: Record<string, string> = {}): Promise<number> {
  const res = await editor.post('/mailing/listes', { name, description: '', kind: 'subscription', public: '1', wording: `J’accepte de recevoir ${name}.`, ...extra });
  expect(res.status).toBe(302);
  return idFrom(res.headers.location);
}

/** Subscribes through the public form and confirms from the mail received; returns the message. */
async function subscribe(listId: number, email: string, firstName = ''): Promise<void> {
  const before = sink.messages.length;
  const visitor = agent(t);
  const res = await visitor.post('/abonnements', { list_id: String(listId), email, first_name: firstName, last_name: '' }, { headers: { 'x-forwarded-for': '203.0.113.77' } });
  expect(res.status).toBe(302);
  await run();
  const [mail] = (await sink.waitFor(before + 1)).slice(before);
  expect(mail.to).toEqual([email]);
  const confirm = linkIn(mail.mail.text!, '/abonnements/confirmer/');
  expect((await visitor.get(confirm)).status).toBe(200); // GET shows the button, confirms nothing
  expect((await visitor.post(confirm)).status).toBe(200);
}

describe('lists and double opt-in', () => {
  it('a subscription is confirmed only from the mailed link, with its proof; the registry contact gets the newsletter consent', async () => {
    const listId = await newList('Lettre des commerçants');
    const company = await makeCompany(t.db, 'Boulangerie Proof');
    const contact = await t.db.insertInto('contacts').values({ company_id: company.id, first_name: 'Claire', last_name: 'Martin', email: 'Claire.Martin@boulangerie-proof.fr', is_officer: 0, consent: 'unknown', created_at: now(), updated_at: now() }).returning('id').executeTakeFirstOrThrow();

    const visitor = agent(t);
    expect((await visitor.get('/abonnements')).body).toContain('Lettre des commerçants');
    const res = await visitor.post('/abonnements', { list_id: String(listId), email: 'claire.martin@boulangerie-proof.fr', first_name: 'Claire', last_name: 'Martin' });
    expect(res.status).toBe(302);
    const sub = await t.db.selectFrom('mailing_subscribers').selectAll().where('list_id', '=', listId).executeTakeFirstOrThrow();
    expect(sub.status).toBe('pending');
    expect(sub.contact_id).toBe(contact.id);
    await run();
    const mail = (await sink.waitFor(1)).find((m) => m.to[0] === 'claire.martin@boulangerie-proof.fr')!;
    const confirm = linkIn(mail.mail.text!, '/abonnements/confirmer/');
    // A link scanner's GET changes nothing; a forged or altered token is refused.
    expect((await agent(t).get(confirm)).status).toBe(200);
    expect((await t.db.selectFrom('mailing_subscribers').select('status').where('id', '=', sub.id).executeTakeFirstOrThrow()).status).toBe('pending');
    expect((await visitor.post(confirm.slice(0, -2) + 'xx')).status).toBe(404);
    expect((await visitor.post(confirm)).status).toBe(200);
    expect((await visitor.post(confirm)).status).toBe(200); // idempotent
    const done = await t.db.selectFrom('mailing_subscribers').selectAll().where('id', '=', sub.id).executeTakeFirstOrThrow();
    expect(done.status).toBe('confirmed');
    expect(done.wording).toBe('J’accepte de recevoir Lettre des commerçants.');
    expect(done.confirmed_at).toBeTruthy();
    // One consent record: the registry's newsletter channel, with its event.
    const events = await t.db.selectFrom('contact_consent_events').selectAll().where('contact_id', '=', contact.id).execute();
    expect(events.map((e) => [e.channel, e.value])).toEqual([['newsletter', 'granted']]);
    expect(await count(t.db, 'audit_log', ['entity', 'mailing_subscriber'])).toBeGreaterThanOrEqual(2);
  });

  it('staff may add an address: it still gets the confirmation (double opt-in), audited under their name', async () => {
    const listId = await newList('Liste du salon');
    const before = sink.messages.length;
    const res = await editor.post(`/mailing/listes/${listId}/abonnes`, { email: 'visiteur@salon-pro.fr' });
    expect(res.status).toBe(302);
    await run();
    const [mail] = (await sink.waitFor(before + 1)).slice(before);
    expect([mail.to[0], mail.mail.subject]).toEqual(['visiteur@salon-pro.fr', 'Confirmez votre abonnement à « Liste du salon »']);
    const sub = await t.db.selectFrom('mailing_subscribers').selectAll().where('list_id', '=', listId).executeTakeFirstOrThrow();
    expect([sub.status, sub.source]).toEqual(['pending', 'staff']);
    const audit = await t.db.selectFrom('audit_log').select(['actor_id', 'action']).where('entity', '=', 'mailing_subscriber').where('entity_id', '=', String(sub.id)).executeTakeFirstOrThrow();
    expect(audit.action).toBe('request');
    expect(audit.actor_id).not.toBeNull();
    const bad = await editor.post(`/mailing/listes/${listId}/abonnes`, { email: 'x@y.fr\nBcc: z@y.fr' });
    expect(bad.status).toBe(422);
  });

  it('the proof keeps a truncated IP; an expired link says so', async () => {
    const { truncateIp } = await import('../src/modules/mailing/addresses.js');
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    const { confirmToken } = await import('../src/modules/mailing/tokens.js');
    const old = confirmToken(t.config.sessionSecret, 1, 60, Date.now() - 3600_000);
    const res = await agent(t).get(`/abonnements/confirmer/${old}`);
    expect(res.status).toBe(410);
    expect(res.body).toContain('expiré');
  });

  it('bad input: a header-injection address, a list that is not public → a clear message, nothing changed', async () => {
    const listId = await newList('Liste propre');
    const before = await count(t.db, 'mailing_subscribers');
    const visitor = agent(t);
    const bad = await visitor.post('/abonnements', { list_id: String(listId), email: 'victime@exemple.fr\r\nBcc: tous@exemple.fr', first_name: '', last_name: '' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('retour à la ligne');
    const hidden = await editor.post('/mailing/listes', { name: 'Interne', kind: 'subscription', wording: '' });
    const notPublic = await visitor.post('/abonnements', { list_id: String(idFrom(hidden.headers.location)), email: 'a@exemple.fr' });
    expect(notPublic.status).toBe(422);
    expect(await count(t.db, 'mailing_subscribers')).toBe(before);
  });
});

describe('campaigns', () => {
  it('an unknown merge field is refused at save with its name; a list of 0 is refused at send; nothing changes', async () => {
    const listId = await newList('Liste vide');
    const before = await count(t.db, 'mailing_campaigns');
    const bad = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Essai', subject: 'Bonjour', body: 'Bonjour {{ contact.prenom | "Madame" }}' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('contact.prenom');
    const injected = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Essai', subject: 'Bonjour\r\nBcc: x@exemple.fr', body: 'Texte' });
    expect(injected.status).toBe(422);
    const template = await editor.post('/mailing/modeles', { name: 'M', subject: 'S', body: '[Cliquez](javascript:alert(1))' });
    expect(template.status).toBe(422);
    expect(await count(t.db, 'mailing_campaigns')).toBe(before);
    expect(await count(t.db, 'mailing_templates')).toBe(0);

    const ok = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Vide', subject: 'Bonjour', body: 'Texte' });
    const id = idFrom(ok.headers.location);
    const empty = await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '' });
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('aucun destinataire');
    const c = await t.db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([c.status, c.version]).toEqual(['draft', 1]);
    expect(await count(t.db, 'mailing_recipients', ['campaign_id', id])).toBe(0);
  });

  it('sends each subscriber one personalised message with List-Unsubscribe (https + mailto), One-Click, VERP and a stable Message-ID; retries a 451; one click unsubscribes idempotently', async () => {
    const listId = await newList('Lettre mensuelle');
    await subscribe(listId, 'paul@atelier-paul.fr', 'Paul');
    await subscribe(listId, 'anonyme@atelier-anon.fr');
    await subscribe(listId, 'grey@greylist.fr', 'Grégoire');
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Janvier', subject: 'Bonjour {{ contact.first_name | "Madame, Monsieur" }}', body: '# Janvier\n\nBonjour {{ contact.first_name | "Madame, Monsieur" }},\n\n[Le programme](https://www.cci.fr/agenda)' });
    const id = idFrom(created.headers.location);
    // Preview per recipient and test send.
    const preview = await editor.get(`/mailing/campagnes/${id}/apercu?qui=0`);
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('Bonjour Paul');
    const html = await editor.get(`/mailing/campagnes/${id}/apercu.html?qui=1`);
    expect(html.headers['content-security-policy']).toContain('sandbox');
    expect(html.body).toContain('Bonjour Madame, Monsieur');
    const base = sink.messages.length;
    expect((await editor.post(`/mailing/campagnes/${id}/test`, { test_to: 'moi@cci.test' })).status).toBe(302);
    expect((await sink.waitFor(base + 1))[base].mail.subject).toBe('[TEST] Bonjour Paul');
    // The editor may not send.
    expect((await editor.post(`/mailing/campagnes/${id}/envoyer`, { version: '1' })).status).toBe(403);

    const start = sink.messages.length;
    expect((await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '' })).status).toBe(302);
    await run();
    const got = (await sink.waitFor(start + 3)).slice(start);
    expect(got.map((m) => m.to[0]).sort()).toEqual(['anonyme@atelier-anon.fr', 'grey@greylist.fr', 'paul@atelier-paul.fr']);
    const paul = got.find((m) => m.to[0] === 'paul@atelier-paul.fr')!;
    expect(paul.mail.subject).toBe('Bonjour Paul');
    expect(paul.mail.text).toContain('Bonjour Paul,');
    expect(got.find((m) => m.to[0] === 'anonyme@atelier-anon.fr')!.mail.text).toContain('Bonjour Madame, Monsieur,');
    const rid = (await t.db.selectFrom('mailing_recipients').select('id').where('campaign_id', '=', id).where('email_norm', '=', 'paul@atelier-paul.fr').executeTakeFirstOrThrow()).id;
    expect(paul.mail.messageId).toBe(`<campaign-${id}.recipient-${rid}@retour.cci.test>`);
    expect(paul.from).toMatch(new RegExp(`^bounces\\+${id}-${rid}-[A-Za-z0-9_-]{10}@retour\\.cci\\.test$`));
    expect(paul.mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')!.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const header = paul.mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    expect(header).toMatch(/<https:\/\/cci\.test\/desabonnement\/\d+\.[A-Za-z0-9_-]{22}>/);
    expect(header).toMatch(/<mailto:unsubscribe\+\d+\.[A-Za-z0-9_-]{22}@retour\.cci\.test>/);
    expect(paul.mail.html).toContain('lang="fr"');
    // The greylisted address was retried, and the campaign is finished with everyone sent.
    const c = await t.db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(c.status).toBe('finished');
    const grey = await t.db.selectFrom('mailing_recipients').selectAll().where('campaign_id', '=', id).where('email_norm', '=', 'grey@greylist.fr').executeTakeFirstOrThrow();
    expect([grey.status, grey.attempts]).toEqual(['sent', 1]);

    // One click: POST with no cookie and no CSRF token (RFC 8058), twice.
    const url = /<https:\/\/cci\.test(\/desabonnement\/[^>]+)>/.exec(header)![1];
    const click = () => t.app.fastify.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect((await click()).statusCode).toBe(200);
    expect((await click()).statusCode).toBe(200);
    const subs = await t.db.selectFrom('mailing_subscribers').selectAll().where('list_id', '=', listId).where('email_norm', '=', 'paul@atelier-paul.fr').executeTakeFirstOrThrow();
    expect(subs.status).toBe('unsubscribed');
    expect((await t.db.selectFrom('mailing_campaigns').select('unsubscribes').where('id', '=', id).executeTakeFirstOrThrow()).unsubscribes).toBe(1);
    // A tampered token is refused; GET shows the page and changes nothing.
    expect((await t.app.fastify.inject({ method: 'POST', url: url.slice(0, -1) + (url.endsWith('A') ? 'B' : 'A'), payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404);
    expect((await agent(t).get(url)).body).toContain('Lettre mensuelle');
    // Only that route skips the CSRF check (the adversarial suites know it); the others still demand the token.
    const declared = mailingWebRoutes.filter(([, , access]) => 'oneClick' in access).map(([m, u]) => `${m} ${u}`);
    expect(declared).toEqual([...ONE_CLICK_ROUTES]);
    expect((await t.app.fastify.inject({ method: 'POST', url: '/abonnements', payload: 'list_id=1&email=a%40b.fr', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(403);
    // Statistics without tracking: no open or click figures.
    const page = await sender.get(`/mailing/campagnes/${id}`);
    expect(page.body).toContain('ne sont pas mesurés');
  });

  it('paused before its first slice nothing goes; resumed it finishes; a refused message is listed as failed and retried on demand', async () => {
    const listId = await newList('Lettre en pause');
    await subscribe(listId, 'lecteur@pause.fr');
    await subscribe(listId, 'refuse@politique.fr');
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Pause', subject: 'Objet', body: 'Texte' });
    const id = idFrom(created.headers.location);
    const mails = () => sink.messages.filter((m) => m.from.startsWith(`bounces+${id}-`)).length;
    await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '' });
    const v = async () => String((await t.db.selectFrom('mailing_campaigns').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version);
    expect((await sender.post(`/mailing/campagnes/${id}/action`, { action: 'pause', version: await v() })).status).toBe(302);
    await run();
    expect(mails()).toBe(0);
    expect((await editor.post(`/mailing/campagnes/${id}/action`, { action: 'resume', version: await v() })).status).toBe(403);
    expect((await sender.post(`/mailing/campagnes/${id}/action`, { action: 'resume', version: await v() })).status).toBe(302);
    await run();
    expect(mails()).toBe(1);
    const c = await t.db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(c.status).toBe('finished'); // every recipient sent, bounced or failed
    const page = await sender.get(`/mailing/campagnes/${id}`);
    expect(page.body).toContain('refuse@politique.fr');
    expect(page.body).toContain('Message refused by policy');
    refusing = false;
    expect((await sender.post(`/mailing/campagnes/${id}/relancer`)).status).toBe(302);
    await run();
    expect(mails()).toBe(2);
    expect((await t.db.selectFrom('mailing_campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('finished');
    expect((await sender.post(`/mailing/campagnes/${id}/relancer`)).status).toBe(409); // nothing left to retry
  });

  it('after a dead sender, the takeover settles its claims from its send journal; presumed ones are counted, listed, and resent by hand once (ADR 0012)', async () => {
    const { prepareRecipients } = await import('../src/modules/mailing/send.service.js');
    const { tick } = await import('../src/modules/mailing/campaigns.service.js');
    const listId = await newList('Lettre reprise');
    await subscribe(listId, 'presume@reprise.fr');
    await subscribe(listId, 'renvoye@reprise.fr');
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Reprise', subject: 'Objet', body: 'Texte' });
    const id = idFrom(created.headers.location);
    // What a run killed mid-send leaves: both recipients claimed, the first one journaled (its final dot may have left).
    await t.db.updateTable('mailing_campaigns').set({ status: 'sending' }).where('id', '=', id).execute();
    const db: MailingDb = t.db;
    await prepareRecipients(db, await db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    const [first, second] = await t.db.selectFrom('mailing_recipients').select(['id', 'email']).where('campaign_id', '=', id).orderBy('email').execute();
    expect([first.email, second.email]).toEqual(['presume@reprise.fr', 'renvoye@reprise.fr']);
    await t.db.updateTable('mailing_recipients').set({ status: 'claimed', claimed_by: 's-deadpage0001' }).where('campaign_id', '=', id).execute();
    const dir = path.join(t.config.dataDir, 'mailing', 'journal');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 's-deadpage0001.log'), `${first.id} 0\n`);
    const mails = (to: string) => sink.messages.filter((m) => m.from.startsWith(`bounces+${id}-`) && m.to.includes(to)).length;

    await tick(t.db, 30); // the lease is free: the schedule queues the takeover
    await run();
    expect(mails('presume@reprise.fr')).toBe(0); // presumed delivered: not sent again
    expect(mails('renvoye@reprise.fr')).toBe(1); // no final dot had left: sent, once
    const c = await t.db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([c.status, c.presumed_sent, c.resent_uncertain]).toEqual(['finished', 1, 0]);
    const page = await sender.get(`/mailing/campagnes/${id}`);
    expect(page.body).toContain('Présumés remis');
    expect(page.body).toContain('Renvoyer à presume@reprise.fr');
    expect(page.body).not.toContain('Renvoyer à renvoye@reprise.fr');

    // Bad input changes nothing: another campaign's recipient, a recipient not presumed, no number; an editor may not send.
    expect((await sender.post(`/mailing/campagnes/${id}/renvoyer`, { recipient: String(second.id) })).status).toBe(404);
    expect((await sender.post(`/mailing/campagnes/${id}/renvoyer`, { recipient: 'abc' })).status).toBe(404);
    expect((await sender.post(`/mailing/campagnes/${id + 1000}/renvoyer`, { recipient: String(first.id) })).status).toBe(404);
    expect((await editor.post(`/mailing/campagnes/${id}/renvoyer`, { recipient: String(first.id) })).status).toBe(403);
    expect((await t.db.selectFrom('mailing_campaigns').select('presumed_sent').where('id', '=', id).executeTakeFirstOrThrow()).presumed_sent).toBe(1);

    expect((await sender.post(`/mailing/campagnes/${id}/renvoyer`, { recipient: String(first.id) })).status).toBe(302);
    await run();
    expect(mails('presume@reprise.fr')).toBe(1);
    const after = await t.db.selectFrom('mailing_campaigns').select(['status', 'presumed_sent']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'finished', presumed_sent: 0 });
    expect((await sender.post(`/mailing/campagnes/${id}/renvoyer`, { recipient: String(first.id) })).status).toBe(404); // once
    expect(readdirSync(dir).filter((f) => f.endsWith('.log'))).toEqual([]);
  });

  it('a scheduled campaign waits for its time (Paris time, never in the past), then the schedule starts it', async () => {
    const { tick } = await import('../src/modules/mailing/campaigns.service.js');
    const listId = await newList('Lettre programmée');
    await subscribe(listId, 'plus-tard@programme.fr');
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Programmée', subject: 'Objet', body: 'Texte' });
    const id = idFrom(created.headers.location);
    const past = await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '2020-01-01T09:00' });
    expect(past.status).toBe(422);
    expect(past.body).toContain('date à venir');
    expect((await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '2099-01-01T09:00' })).status).toBe(302);
    const c = await t.db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([c.status, c.scheduled_at]).toEqual(['scheduled', '2099-01-01T08:00:00.000Z']); // Paris time
    const mails = () => sink.messages.filter((m) => m.from.startsWith(`bounces+${id}-`)).length;
    await tick(t.db, 30);
    await run();
    expect(mails()).toBe(0);
    await t.db.updateTable('mailing_campaigns').set({ scheduled_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', id).execute();
    expect(await tick(t.db, 30)).toBeGreaterThanOrEqual(1);
    await run();
    expect(mails()).toBe(1);
    expect((await t.db.selectFrom('mailing_campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('finished');
  });

  it('real DSNs to the listener: a hard bounce suppresses at once, soft ones after the limit; the webhook needs its secret', async () => {
    const listId = await newList('Lettre rebonds');
    await subscribe(listId, 'parti@ancienne-boite.fr');
    await subscribe(listId, 'plein@boite-pleine.fr');
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Rebonds', subject: 'Objet', body: 'Texte' });
    const id = idFrom(created.headers.location);
    const start = sink.messages.length;
    await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '' });
    await run();
    const got = (await sink.waitFor(start + 2)).slice(start);
    const port = bounceListenerPort()!;
    expect(port).toBeGreaterThan(0);
    const hard = got.find((m) => m.to[0] === 'parti@ancienne-boite.fr')!;
    await sendRaw(port, { from: '', to: hard.from }, dsn({ to: hard.from, recipient: 'parti@ancienne-boite.fr', status: '5.1.1' }));
    const soft = got.find((m) => m.to[0] === 'plein@boite-pleine.fr')!;
    await sendRaw(port, { from: '', to: soft.from }, dsn({ to: soft.from, recipient: 'plein@boite-pleine.fr', status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' }));
    const r = await t.db.selectFrom('mailing_recipients').select(['email_norm', 'status']).where('campaign_id', '=', id).orderBy('email_norm').execute();
    expect(r).toEqual([
      { email_norm: 'parti@ancienne-boite.fr', status: 'bounced' },
      { email_norm: 'plein@boite-pleine.fr', status: 'sent' },
    ]);
    const suppressed = async () => (await t.db.selectFrom('mailing_suppressions').select(['email_norm', 'reason']).orderBy('email_norm').execute()).filter((s) => s.email_norm !== 'paul@atelier-paul.fr');
    expect(await suppressed()).toEqual([{ email_norm: 'parti@ancienne-boite.fr', reason: 'hard_bounce' }]);
    // A delayed notice is no bounce; a second soft bounce reaches the limit (2).
    await sendRaw(port, { from: '', to: soft.from }, dsn({ to: soft.from, recipient: 'plein@boite-pleine.fr', status: '4.4.7', action: 'delayed' }));
    expect((await suppressed()).length).toBe(1);
    await sendRaw(port, { from: '', to: soft.from }, dsn({ to: soft.from, recipient: 'plein@boite-pleine.fr', status: '4.2.2' }));
    expect(await suppressed()).toEqual([
      { email_norm: 'parti@ancienne-boite.fr', reason: 'hard_bounce' },
      { email_norm: 'plein@boite-pleine.fr', reason: 'soft_bounces' },
    ]);
    // The listener relays nothing: any other recipient is refused.
    await expect(sendRaw(port, { from: 'x@y.fr', to: 'quelqu.un@exemple.fr' }, 'Subject: x\r\n\r\nx')).rejects.toThrow();
    // Webhook: no secret → 403, nothing recorded; with it, a complaint suppresses.
    const events = { events: [{ type: 'complaint', email: 'fache@plainte.fr' }] };
    expect((await t.app.fastify.inject({ method: 'POST', url: '/api/v1/mailing/events', payload: events })).statusCode).toBe(403);
    expect(await count(t.db, 'mailing_suppressions', ['email_norm', 'fache@plainte.fr'])).toBe(0);
    const malformed = await t.app.fastify.inject({ method: 'POST', url: '/api/v1/mailing/events', payload: { events: 'tout' }, headers: { 'x-mailing-secret': 'webhook-secret-0123456789' } });
    expect(malformed.statusCode).toBe(400);
    const ok = await t.app.fastify.inject({ method: 'POST', url: '/api/v1/mailing/events', payload: events, headers: { 'x-mailing-secret': 'webhook-secret-0123456789' } });
    expect(ok.json()).toEqual({ recorded: 1 });
    expect(await count(t.db, 'mailing_suppressions', ['email_norm', 'fache@plainte.fr'])).toBe(1);
  });

  it('above the threshold the send waits for the approvals engine; approving starts it', async () => {
    const listId = await newList('Grande liste');
    for (const n of [1, 2, 3, 4]) await subscribe(listId, `abonne${n}@grande-liste.fr`);
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Grande campagne', subject: 'Objet', body: 'Texte' });
    const director = await makeUser(t.db, ['direction']); // the engine needs someone to approve
    const id = idFrom(created.headers.location);
    const res = await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '' });
    expect(res.status, res.body.match(/error-summary[\s\S]{0,400}/)?.[0]).toBe(302);
    const waiting = await t.db.selectFrom('mailing_campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(waiting.status).toBe('awaiting_approval');
    const campaignMails = () => sink.messages.filter((m) => m.from.startsWith(`bounces+${id}-`)).length;
    await run();
    expect(campaignMails()).toBe(0);
    const request = await t.db.selectFrom('approval_requests').select(['id', 'version']).where('id', '=', waiting.approval_id!).executeTakeFirstOrThrow();
    await t.db.transaction().execute((trx) => approve(trx, actorOf(director), request.id, request.version));
    expect((await t.db.selectFrom('mailing_campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('sending');
    await run();
    expect(campaignMails()).toBe(4);
    expect((await t.db.selectFrom('mailing_campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('finished');
  });
});

describe('statistics', () => {
  it('opens and clicks only once the CCI turns them on, aggregated; a counted link redirects only to the campaign’s own URL', async () => {
    const director = agent(t);
    await director.signIn((await makeUser(t.db, ['direction'])).email);
    expect((await director.post('/mailing/reglages', { tracking: '1' })).status).toBe(302);
    const listId = await newList('Lettre mesurée');
    await subscribe(listId, 'mesure@lecteur.fr');
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Mesurée', subject: 'Objet', body: '[Agenda](https://www.cci.fr/agenda)' });
    const id = idFrom(created.headers.location);
    const start = sink.messages.length;
    await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '' });
    await run();
    const [m] = (await sink.waitFor(start + 1)).slice(start);
    const click = /https:\/\/cci\.test(\/m\/clic\/[^"\s]+)/.exec(m.mail.html as string)![1];
    const open = /https:\/\/cci\.test(\/m\/ouverture\/[^"\s]+)/.exec(m.mail.html as string)![1];
    const res = await agent(t).get(click);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://www.cci.fr/agenda');
    expect((await agent(t).get(open)).headers['content-type']).toBe('image/gif');
    // A forged signature or another link index: refused, never redirected.
    expect((await agent(t).get(click.replace(/\.[A-Za-z0-9_-]{16}$/, '.AAAAAAAAAAAAAAAA'))).status).toBe(404);
    expect((await agent(t).get(click.replace(`/${id}.0.`, `/${id}.1.`))).status).toBe(404);
    // A forged open pixel counts nothing and is not found.
    expect((await agent(t).get(open.replace(/\.[A-Za-z0-9_-]{16}\.gif$/, '.AAAAAAAAAAAAAAAA.gif'))).status).toBe(404);
    const c = await t.db.selectFrom('mailing_campaigns').select(['opens', 'tracking']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(c).toEqual({ opens: 1, tracking: 1 });
    expect((await t.db.selectFrom('mailing_links').select(['url', 'clicks']).where('campaign_id', '=', id).execute())).toEqual([{ url: 'https://www.cci.fr/agenda', clicks: 1 }]);
    expect((await director.post('/mailing/reglages', {})).status).toBe(302); // off again for the other tests
  });
});

describe('segments and letters', () => {
  it('a segment list takes professional addresses of diffusible units only, without opposed contacts; letters go to companies without e-mail, on their registry page', async () => {
    const mk = async (name: string, diffusion: 'public' | 'partial', email: string | null, consent: 'unknown' | 'refused' = 'unknown') => {
      const c = await makeCompany(t.db, name);
      if (diffusion === 'partial') {
        await t.db.updateTable('companies').set({ diffusion }).where('id', '=', c.id).execute();
        await t.db.updateTable('establishments').set({ diffusion }).where('company_id', '=', c.id).execute();
      }
      if (email) await t.db.insertInto('contacts').values({ company_id: c.id, first_name: 'Jean', last_name: name, email, is_officer: 0, consent, created_at: now(), updated_at: now() }).execute();
      return c;
    };
    await mk('Pro Diffusible', 'public', 'jean@pro-diffusible.fr');
    await mk('Perso Gmail', 'public', 'jean.perso@gmail.com');
    await mk('Non Diffusible', 'partial', 'jean@non-diffusible.fr');
    await mk('Opposant', 'public', 'jean@opposant.fr', 'refused');
    const paper = await mk('Sans Courriel', 'public', null);
    const segment = await t.db.insertInto('registry_segments').values({ name: 'Tout le territoire', query: '', owner_id: null, created_at: now(), updated_at: now() }).returning('id').executeTakeFirstOrThrow();
    const res = await editor.post('/mailing/listes', { name: 'Prospection', kind: 'segment', segment_id: String(segment.id), wording: '' });
    expect(res.status).toBe(302);
    const page = await editor.get(`/mailing/listes/${idFrom(res.headers.location)}`);
    expect(page.body).toMatch(/destinataires ; écartés : \d+ désinscrits ou en échec, 1 opposés, 1 adresses non professionnelles, 1 unités non diffusibles/);
    const listId = idFrom(res.headers.location);
    const created = await editor.post('/mailing/campagnes', { list_id: String(listId), name: 'Prospection', subject: 'Pour {{ company.name | "votre entreprise" }}', body: 'Texte' });
    const id = idFrom(created.headers.location);
    const start = sink.messages.length;
    await sender.post(`/mailing/campagnes/${id}/envoyer`, { version: '1', scheduled_at: '' });
    await run();
    const sent = await t.db.selectFrom('mailing_recipients').select('email_norm').where('campaign_id', '=', id).execute();
    const to = sent.map((r) => r.email_norm);
    expect(to).toContain('jean@pro-diffusible.fr');
    for (const left of ['jean.perso@gmail.com', 'jean@non-diffusible.fr', 'jean@opposant.fr']) expect(to).not.toContain(left);
    const m = (await sink.waitFor(start + to.length)).slice(start).find((x) => x.to[0] === 'jean@pro-diffusible.fr')!;
    expect(m.mail.subject).toBe('Pour Pro Diffusible');
    expect(m.mail.text).toContain('adresse professionnelle'); // the B2B mention
    // Letters: one PDF for the establishments whose company has no e-mail (and is diffusible).
    const tpl = await editor.post('/mailing/modeles', { name: 'Courrier', subject: 'Nos formations', body: 'Madame, Monsieur,\n\nVoici nos formations pour {{ company.name | "votre entreprise" }}.' });
    const letters = await editor.post('/mailing/courriers', { name: 'Lot de décembre', template_id: String(idFrom(tpl.headers.location)), segment_id: String(segment.id) });
    expect(letters.status).toBe(302);
    const batch = await t.db.selectFrom('mailing_letter_batches').selectAll().executeTakeFirstOrThrow();
    const items = await t.db.selectFrom('mailing_letter_items').select('company_id').where('batch_id', '=', batch.id).execute();
    expect(items.map((i) => i.company_id)).toContain(paper.id);
    expect(batch.letters).toBe(items.length);
    const pdf = await editor.get(`/mailing/courriers/${batch.id}`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.body.startsWith('%PDF-')).toBe(true);
    const admin = agent(t);
    await admin.signIn((await makeUser(t.db, ['direction'])).email);
    const companyPage = await admin.get(`/registre/entreprises/${paper.id}`);
    expect(companyPage.body).toContain('Lot de décembre');
  });

  it('the DL address block: at most 6 lines of 38 characters, postcode and CITY last', async () => {
    const { addressLines } = await import('../src/modules/mailing/letters.service.js');
    const lines = addressLines({ name: 'Une raison sociale vraiment très longue qui dépasse', sign: 'Enseigne', streetNumber: '12', streetType: 'RUE', streetName: 'DE LA REPUBLIQUE', postalCode: '42000', city: 'Saint-Étienne' });
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(lines.every((l) => l.length <= 38)).toBe(true);
    expect(lines.at(-1)).toBe('42000 SAINT-ÉTIENNE');
  });
});

describe('permissions', () => {
  it('staff without mailing rights get 403, members 403, anonymous visitors are sent to sign in; settings are for mailing:admin', async () => {
    const staff = agent(t);
    await staff.signIn((await makeUser(t.db, ['staff'])).email);
    for (const url of ['/mailing/campagnes', '/mailing/listes', '/mailing/modeles', '/mailing/courriers']) expect((await staff.get(url)).status).toBe(403);
    expect((await staff.post('/mailing/listes', { name: 'X', kind: 'subscription' })).status).toBe(403);
    expect((await editor.get('/mailing/reglages')).status).toBe(403);
    expect((await sender.post('/mailing/reglages', { tracking: '1' })).status).toBe(403);
    const director = agent(t);
    await director.signIn((await makeUser(t.db, ['direction'])).email);
    expect((await director.get('/mailing/reglages')).status).toBe(200);
    const company = await makeCompany(t.db, 'Membre SA');
    const member = await memberAgent(t, (await makeMember(t.db, [company.id])).email);
    expect((await member.get('/mailing/campagnes')).status).not.toBe(200);
    expect((await member.get('/extranet/lettres-information')).status).toBe(200);
    const anon = await agent(t).get('/mailing/campagnes');
    expect([302, 401]).toContain(anon.status);
  });
});
