// Mailing in a browser: a visitor subscribes on the public site (phone-sized screen), confirms
// from the mail received at the loopback SMTP sink, the webmaster sends the newsletter, the
// visitor receives it and unsubscribes in one click (RFC 8058 POST, no cookie); bad input gets
// a clear message; axe scans of the public and staff pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { mailingModule } from '../src/modules/mailing/index.js';
import { startSink, type Sink } from '../test/mailing-helpers.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;
let sink: Sink;

beforeAll(async () => {
  sink = await startSink();
  server = await startServer({ SMTP_URL: sink.url, MAILING_RATE: '0' }, [approvalsModule, mailingModule]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await sink?.close();
});

async function mailTo(address: string, subject: RegExp, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = sink.messages.find((x) => x.to[0] === address && subject.test(x.mail.subject ?? ''));
    if (m) return m;
    if (Date.now() > end) throw new Error(`no mail "${subject}" to ${address} (got: ${sink.messages.map((x) => `${x.to[0]}: ${x.mail.subject}`).join('; ')})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('mailing in a browser', () => {
  it('subscribe on the public site, confirm from the mail, receive the campaign, unsubscribe in one click', async () => {
    const visitorCtx = await newContext(browser, { mobile: true });
    const page = await visitorCtx.newPage();
    const email = 'lectrice@atelier-lecture.fr';
    await page.goto(`${server.url}/abonnements`);
    await expectAccessible(page);
    // Bad input first: a header-injection attempt is refused with a clear message.
    await page.getByLabel('Votre adresse e-mail').fill('x@exemple.fr%0d%0aBcc:tous@exemple.fr');
    await page.getByRole('button', { name: 'S’abonner' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('adresse e-mail valide');
    await expectAccessible(page);
    await page.getByLabel('Lettre d’information de la CCI').check();
    await page.getByLabel('Votre adresse e-mail').fill(email);
    await page.getByLabel('Prénom').fill('Léa');
    await page.getByRole('button', { name: 'S’abonner' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('message de confirmation');

    const confirmation = await mailTo(email, /Confirmez votre abonnement/);
    const link = /https?:\/\/\S+\/abonnements\/confirmer\/\S+/.exec(confirmation.mail.text!)![0];
    await page.goto(link);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'S’abonner' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('est confirmé');
    await expectAccessible(page);

    // The webmaster sends the newsletter (the demo's draft campaign).
    const staffCtx = await newContext(browser);
    const staff = await staffCtx.newPage();
    await signIn(staff, server.url, 'webmestre@demo.cci.fr');
    await staff.goto(`${server.url}/mailing/campagnes`);
    await expectAccessible(staff);
    await staff.getByRole('link', { name: 'Lettre de janvier' }).click();
    await expectAccessible(staff);
    await staff.getByRole('link', { name: 'Aperçu' }).click();
    await expect(staff.locator('pre.mailing-text').textContent()).resolves.toContain('Bonjour');
    await expectAccessible(staff);
    await staff.goBack();
    await staff.getByRole('button', { name: 'Envoyer maintenant' }).click();
    await expect(staff.locator('.flashes').textContent()).resolves.toContain('Envoi lancé');
    await expectAccessible(staff);

    const newsletter = await mailTo(email, /Les rendez-vous de janvier/);
    expect(newsletter.mail.text).toContain('Bonjour Léa');
    const header = newsletter.mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    const unsubscribe = /<(https?:\/\/[^>]+\/desabonnement\/[^>]+)>/.exec(header)![1];
    // The mail client's one click: a POST without cookie or token.
    const res = await fetch(unsubscribe, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    const again = await fetch(unsubscribe, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(again.status).toBe(200);
    const sub = await server.database.db.selectFrom('mailing_subscribers').select('status').where('email_norm', '=', email).executeTakeFirstOrThrow();
    expect(sub.status).toBe('unsubscribed');
    // The link's page (GET) offers this list or everything; the preference page follows.
    await page.goto(unsubscribe);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Choisir mes abonnements' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain(email);
    await expectAccessible(page);
    await visitorCtx.close();

    // Bad input on the staff side: an unknown merge field is named, nothing saved.
    await staff.goto(`${server.url}/mailing/modeles`);
    await staff.getByLabel('Nom du modèle').fill('Essai');
    await staff.getByLabel('Objet').fill('Bonjour');
    await staff.getByLabel('Contenu').fill('Bonjour {{ contact.prenom }}');
    await staff.getByRole('button', { name: 'Créer' }).click();
    await expect(staff.locator('.error-summary').textContent()).resolves.toContain('contact.prenom');
    await expectAccessible(staff);
    for (const path of ['/mailing/listes', '/mailing/courriers', '/lettres-information']) {
      await staff.goto(`${server.url}${path}`);
      await expectAccessible(staff);
    }
    await staffCtx.close();
  });
});
