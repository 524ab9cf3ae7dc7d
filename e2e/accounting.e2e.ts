// Accounting in a browser: the accountant opens the journals, posts a balanced OD entry (after a
// refused unbalanced one), downloads the FEC, opens the demo's SEPA batch and its pain.001; axe
// scans of every accounting page, one of them on a phone-sized screen.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { accountingModule } from '../src/modules/accounting/index.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [accountingModule]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('accounting in a browser', () => {
  it('journals, an OD entry, the FEC, a batch', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'compta@demo.cci.fr');
    await page.goto(`${server.url}/comptabilite`);
    await expect(page.locator('main').textContent()).resolves.toContain('Virements SEPA CCI-');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Nouvelle écriture d’OD' }).first().click();
    await page.waitForURL(/\/comptabilite\/od\/nouvelle$/);
    await expectAccessible(page);
    await page.getByLabel('Pièce').fill('OD-E2E-1');
    await page.locator('#f-label').fill('Reclassement e2e');
    await page.getByLabel('Compte (ligne 1)').fill('6257');
    await page.getByLabel('Débit en euros (ligne 1)').fill('45,30');
    await page.getByLabel('Compte (ligne 2)').fill('6256');
    await page.getByLabel('Crédit en euros (ligne 2)').fill('45');
    await page.getByRole('button', { name: 'Passer l’écriture' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Écriture déséquilibrée');
    await expectAccessible(page);
    await page.getByLabel('Crédit en euros (ligne 2)').fill('45,30');
    await page.getByRole('button', { name: 'Passer l’écriture' }).click();
    await page.waitForURL(/\/comptabilite\/ecritures\/\d+$/);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/Écriture OD\d{6}/);
    await expectAccessible(page);

    await page.goto(`${server.url}/comptabilite/balance`);
    await expectAccessible(page);
    await page.goto(`${server.url}/comptabilite/grand-livre?account=6257`);
    await expectAccessible(page);

    await page.goto(`${server.url}/comptabilite/fec`);
    await expectAccessible(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Télécharger le FEC' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^\d{9}FEC\d{8}\.txt$/);
    const fec = readFileSync((await download.path())!, 'utf8');
    expect(fec.split('\n')[0]).toBe('JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise');
    expect(fec).toContain('|45,30|');

    await page.goto(`${server.url}/comptabilite/virements`);
    await expectAccessible(page);
    await page.getByRole('link', { name: /^CCI-/ }).first().click();
    await page.waitForURL(/\/comptabilite\/virements\/lots\/\d+$/);
    await expectAccessible(page);
    const [xml] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Télécharger le fichier pain\.001/ }).first().click()]);
    expect(readFileSync((await xml.path())!, 'utf8')).toContain('urn:iso:std:iso:20022:tech:xsd:pain.001.001.03');
    await ctx.close();
  });

  it('the journals page on a phone', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'direction@demo.cci.fr');
    await page.goto(`${server.url}/comptabilite`);
    await expectAccessible(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    expect(width).toBe(true);
    await ctx.close();
  });
});
