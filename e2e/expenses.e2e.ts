// Expenses in a browser: a spending request above the threshold goes to the manager, then reaches
// direction, who approves it; an expense claim with a photographed receipt is filled and sent on a
// phone-sized screen; accounting's pages, the budget lines and the rates pass axe.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { accountingModule } from '../src/modules/accounting/index.js';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { expensesModule } from '../src/modules/expenses/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [contentModule, registryModule, accountingModule, approvalsModule, expensesModule]);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function decideAs(email: string, path: string, expectInList: string) {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await signIn(page, server.url, email);
  await page.goto(`${server.url}/depenses`);
  await expect(page.locator('main').textContent()).resolves.toContain(expectInList);
  await expectAccessible(page);
  await page.goto(`${server.url}${path}`);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL((u) => u.pathname === path);
  await expect(page.locator('.flash-success').textContent()).resolves.toContain('Décision enregistrée');
  await ctx.close();
}

describe('expenses in a browser', () => {
  it('a spending request above the threshold reaches direction after the manager, and is approved', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'collaborateur@demo.cci.fr');
    await page.goto(`${server.url}/depenses/nouvelle`);
    await expectAccessible(page);
    await page.getByLabel('Objet de la dépense').fill('Salon des entrepreneurs : stand');
    await page.getByLabel(/Montant estimé/).fill('3 200,00');
    await page.getByLabel('Ligne budgétaire').selectOption({ label: 'EVT — Événements et salons' });
    await page.getByLabel('Fournisseur (s’il n’est pas dans le fichier)').fill('Loire Expo Services');
    await page.getByLabel('Justification du besoin').fill('Stand de 12 m² pour les conseillers création.');
    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.waitForURL(/\/depenses\/\d+$/);
    const path = new URL(page.url()).pathname;
    await expect(page.locator('main').textContent()).resolves.toContain('En validation');
    await expectAccessible(page);

    await decideAs('manager@demo.cci.fr', path, 'Salon des entrepreneurs');
    await page.reload();
    await expect(page.locator('main').textContent()).resolves.toContain('En validation');
    await decideAs('direction@demo.cci.fr', path, 'Salon des entrepreneurs');
    await page.reload();
    const main = await page.locator('main').textContent();
    expect(main).toContain('Approuvée');
    expect(main).toContain('Approuvée définitivement');
    await ctx.close();
  });

  it('an expense claim with a photographed receipt is filled and sent on a phone', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'collaborateur@demo.cci.fr');
    await page.goto(`${server.url}/notes-de-frais`);
    await expectAccessible(page);
    await page.getByLabel('Objet de la note (mission, mois…)').fill('Rendez-vous à Roanne');
    await page.getByRole('button', { name: 'Créer la note' }).click();
    await page.waitForURL(/\/notes-de-frais\/\d+$/);
    await expectAccessible(page);

    const photo = await sharp({ create: { width: 2400, height: 3200, channels: 3, background: { r: 250, g: 248, b: 240 } } }).jpeg().toBuffer();
    const today = new Date().toISOString().slice(0, 10);
    await page.getByLabel('Date de la dépense').fill(today);
    await page.getByLabel('Catégorie').selectOption('meal_restaurant');
    await page.getByLabel(/Montant TTC/).fill('26,90');
    await page.getByLabel(/Fournisseur \(restaurant/).fill('Le Central');
    await page.getByLabel(/Justificatif/).setInputFiles({ name: 'ticket.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByRole('button', { name: 'Ajouter une ligne' }).click();
    await page.waitForURL(/\/notes-de-frais\/\d+/);
    const main = await page.locator('main').textContent();
    expect(main).toContain('Plafonné à 21,40');
    await expectAccessible(page);
    // The receipt was kept, downscaled.
    const href = await page.getByRole('link', { name: 'voir' }).getAttribute('href');
    const res = await page.request.get(`${server.url}${href}`);
    expect(res.status()).toBe(200);
    const meta = await sharp(await res.body()).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(2000);

    await page.getByRole('button', { name: 'Envoyer pour validation' }).click();
    await page.waitForURL(/\/notes-de-frais\/\d+$/);
    await expect(page.locator('main').textContent()).resolves.toContain('En validation');
    await expectAccessible(page);
    // Nothing wider than the phone's screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await ctx.close();
  });

  it('accounting’s list, a claim to check, budget lines and rates pass axe', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'compta@demo.cci.fr');
    for (const url of ['/notes-de-frais/controle', '/depenses/lignes-budgetaires', '/notes-de-frais/baremes', '/notes-de-frais/profil']) {
      await page.goto(`${server.url}${url}`);
      await expectAccessible(page);
    }
    await page.goto(`${server.url}/notes-de-frais/controle`);
    await page.getByRole('link', { name: 'Formation INPI à Paris' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Plafonné');
    await expectAccessible(page);
    await ctx.close();
  });
});
