// Intranet journeys in real Chromium: the portal home (news, events, links, "à traiter"), the
// staff directory and org chart, a workspace (post, decide, assign), the content back office —
// every page scanned by axe, on a desktop and at phone width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext, type Server, signIn } from './helpers.js';
import { startContentServer } from './content-helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startContentServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});


describe('intranet in a browser', () => {
  it('portal home, directory, workspace and back office pages are accessible and work', async () => {
    for (const mobile of [false, true]) {
      const ctx = await newContext(browser, { mobile });
      const page = await ctx.newPage();
      await signIn(page, server.url, 'webmestre@demo.cci.fr');
      await page.goto(`${server.url}/portail`);
      await expect(page.getByRole('heading', { name: 'Actualités internes' }).count()).resolves.toBe(1);
      await expect(page.getByText('Déménagement du service formation').count()).resolves.toBe(1);
      await expect(page.getByRole('link', { name: 'Annuaire du personnel' }).first().isVisible()).resolves.toBe(true);
      // The webmaster has the training news waiting for review and a task of the committee.
      await expect(page.getByText('À relire : Nouvelles sessions de formation au management').count()).resolves.toBe(1);
      await expect(page.getByText(/Rédiger la charte de l’intranet/).count()).resolves.toBe(1);
      await expectAccessible(page);
      for (const u of ['/intranet/actualites', '/intranet/evenements', '/intranet/documents', '/intranet/pages', '/intranet/pages/vie-interne', '/annuaire', '/annuaire?q=helene', '/annuaire/services', '/espaces', '/contenus', '/contenus/arborescence', '/contenus/relecture', '/contenus/reglages', '/contenus/nouveau?type=event', '/contenus/nouveau?type=page', '/recherche?q=export']) {
        await page.goto(`${server.url}${u}`);
        await expectAccessible(page);
      }
      await page.goto(`${server.url}/annuaire/services`);
      await page.getByRole('link', { name: 'Communication' }).click();
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Rémi Rédacteur' }).first().click();
      await expect(page.getByText('Rédacteur').first().isVisible()).resolves.toBe(true);
      await expectAccessible(page);
      await page.goto(`${server.url}/contenus`);
      await page.getByRole('link', { name: 'La CCI', exact: true }).click();
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Révisions' }).click();
      await expectAccessible(page);
      await ctx.close();
    }
  });

  it('a committee member posts, records a decision and assigns a task', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'direction@demo.cci.fr');
    await page.goto(`${server.url}/espaces`);
    await page.getByRole('link', { name: 'Comité de pilotage du schéma directeur' }).click();
    await expectAccessible(page);
    await page.getByLabel(/^Votre message/).fill('Prochaine réunion le 15.');
    await page.getByRole('button', { name: 'Publier le message' }).click();
    await expect(page.getByText('Prochaine réunion le 15.').isVisible()).resolves.toBe(true);
    await page.locator('#f-dec-date').fill('2026-11-28');
    await page.locator('#f-dec-by').fill('Le comité');
    await page.locator('#f-dec-title').fill('Lancement de la phase 2');
    await page.getByRole('button', { name: 'Consigner la décision' }).click();
    await expect(page.getByText('Lancement de la phase 2').isVisible()).resolves.toBe(true);
    await page.locator('#f-task-title').fill('Réserver la salle');
    await page.locator('#f-task-owner').selectOption({ label: 'Martine Manager' });
    await page.getByRole('button', { name: 'Ajouter la tâche' }).click();
    await expect(page.getByRole('cell', { name: 'Réserver la salle' }).isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    // The owner finds it on their home page.
    const other = await (await newContext(browser)).newPage();
    await signIn(other, server.url, 'manager@demo.cci.fr');
    await other.goto(`${server.url}/portail`);
    await expect(other.getByText(/Réserver la salle/).count()).resolves.toBe(1);
  });
});
