// Messages in a browser: a member on a phone-sized screen reads the adviser's conversation from
// the extranet, answers it and writes a new one; an adviser finds the new one in "À attribuer",
// takes it and replies; axe scans of every messages page, staff and member.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { crmModule } from '../src/modules/crm/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { DEMO_MEMBER_EMAIL, extranetModule } from '../src/modules/extranet/index.js';
import { messagesModule } from '../src/modules/messages/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { DEMO_PASSWORD, expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [registryModule, crmModule, extranetModule, directoryModule, messagesModule]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('messages in a browser', () => {
  it('a member answers and writes on a phone; an adviser takes the new conversation and replies', async () => {
    const memberCtx = await newContext(browser, { mobile: true });
    const member = await memberCtx.newPage();
    await member.goto(`${server.url}/extranet/connexion`);
    await member.getByLabel(/Adresse e-mail/).fill(DEMO_MEMBER_EMAIL);
    await member.getByLabel(/^Mot de passe/).fill(DEMO_PASSWORD);
    await member.getByRole('button', { name: 'Se connecter' }).click();
    await member.waitForURL((u) => u.pathname === '/extranet');

    await member.goto(`${server.url}/extranet/messages`);
    await expectAccessible(member);
    await member.getByRole('link', { name: /Suite à notre visite/ }).click();
    await member.waitForURL(/\/extranet\/messages\/\d+$/);
    await expectAccessible(member);
    await member.getByLabel('Message').fill('Le devis est prêt, je vous l’envoie demain.');
    await member.getByRole('button', { name: 'Envoyer' }).click();
    await member.waitForURL(/\/extranet\/messages\/\d+/);
    await expect(member.locator('main').textContent()).resolves.toContain('Le devis est prêt');

    await member.goto(`${server.url}/extranet/messages/nouveau`);
    await expectAccessible(member);
    await member.getByLabel('Objet').fill('Demande de rendez-vous export');
    await member.getByLabel('Message').fill('Pouvons-nous vous rencontrer en juin ?');
    await member.getByRole('button', { name: 'Envoyer' }).click();
    await member.waitForURL(/\/extranet\/messages\/\d+$/);
    const memberThread = new URL(member.url()).pathname;

    const staffCtx = await newContext(browser);
    const staff = await staffCtx.newPage();
    await signIn(staff, server.url, 'conseiller@demo.cci.fr');
    await staff.goto(`${server.url}/messages?boite=unassigned`);
    await expectAccessible(staff);
    await staff.getByRole('link', { name: 'Demande de rendez-vous export' }).click();
    await staff.waitForURL(/\/messages\/\d+$/);
    await expectAccessible(staff);
    await staff.getByLabel('Attribuer à').selectOption({ label: 'Claire Conseillère' });
    await staff.getByRole('button', { name: 'Attribuer' }).click();
    await staff.waitForURL(/\/messages\/\d+$/);
    await staff.getByLabel('Message').fill('Bien sûr : le 12 juin à 10 h vous convient-il ?');
    await staff.getByRole('button', { name: 'Envoyer' }).click();
    await staff.waitForURL(/\/messages\/\d+/);
    await staff.goto(`${server.url}/messages/nouveau`);
    await expectAccessible(staff);

    await member.goto(`${server.url}${memberThread}`);
    await expect(member.locator('main').textContent()).resolves.toContain('le 12 juin à 10 h');
    await member.goto(`${server.url}/extranet/suivi`);
    await expect(member.locator('main').textContent()).resolves.toContain('Demande de rendez-vous export');
    await expectAccessible(member);
    await memberCtx.close();
    await staffCtx.close();
  });
});
