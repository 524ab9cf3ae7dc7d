// Content journeys in real Chromium: the public site (every page scanned by axe, at desktop and
// phone width), an editor writes with the toolbar editor and submits, the webmaster previews and
// publishes, a public visitor then sees it — and never sees an intranet-only item.
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


describe('public site and content workflow in a browser', () => {
  it('every public page passes axe, on a desktop and on a phone', async () => {
    for (const mobile of [false, true]) {
      const ctx = await newContext(browser, { mobile });
      const page = await ctx.newPage();
      await page.goto(`${server.url}/`);
      await expectAccessible(page);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      await expect(page.locator('meta[name="description"]').getAttribute('content')).resolves.toBeTruthy();
      await expect(page.getByText('partiellement conforme au RGAA').count()).resolves.toBeGreaterThan(0);
      // Intranet-only news never reach the public site.
      await expect(page.getByText('Déménagement du service formation').count()).resolves.toBe(0);
      const urls = ['/actualites', '/evenements', '/documents', '/pages', '/pages/la-cci', '/pages/nos-missions', '/pages/formation-continue', '/rechercher?q=export', '/mentions-legales', '/accessibilite', '/page-qui-n-existe-pas'];
      for (const u of urls) {
        await page.goto(`${server.url}${u}`);
        await expectAccessible(page);
      }
      await page.goto(`${server.url}/actualites`);
      await page.getByRole('link', { name: /programme d’accompagnement à l’export/ }).click();
      await page.waitForURL(/\/actualites\/\d+-/);
      await expectAccessible(page);
      await page.goto(`${server.url}/evenements`);
      await page.getByRole('link', { name: 'Rencontres de l’export' }).click();
      await expectAccessible(page);
      await ctx.close();
    }
  });

  it('editor writes and submits; webmaster previews and publishes; the public sees it by audience', async () => {
    const ed = await newContext(browser);
    const page = await ed.newPage();
    await signIn(page, server.url, 'redacteur@demo.cci.fr');
    await page.goto(`${server.url}/contenus`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Nouvelle actualité' }).click();
    await expectAccessible(page);
    await page.getByLabel(/^Titre/).fill('Salon de l’apprentissage 2027');
    await page.getByLabel(/^Chapeau/).fill('Trois jours pour rencontrer les écoles de la CCI.');
    // The toolbar editor: a heading, a paragraph, a list.
    const editor = page.getByRole('textbox', { name: 'Texte' });
    await editor.click();
    await page.keyboard.type('Au programme');
    await page.getByRole('button', { name: 'Titre de niveau 2' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Paragraphe' }).click();
    await page.keyboard.type('Ateliers et rencontres avec les entreprises.');
    await page.getByLabel('Intranet (personnel)').uncheck();
    await page.getByLabel('Site public').check();
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
    await page.waitForURL(/\/contenus\/\d+$/);
    await expectAccessible(page);
    const itemUrl = page.url();
    await page.getByRole('button', { name: 'Soumettre à la relecture' }).click();
    await expect(page.getByText('En relecture').first().isVisible()).resolves.toBe(true);

    const wm = await newContext(browser);
    const w = await wm.newPage();
    await signIn(w, server.url, 'webmestre@demo.cci.fr');
    await w.goto(`${server.url}/contenus/relecture`);
    await expectAccessible(w);
    await w.getByRole('link', { name: 'Salon de l’apprentissage 2027' }).click();
    await expectAccessible(w);
    await w.getByRole('link', { name: 'Aperçu : Site public' }).click();
    await expect(w.locator('h2', { hasText: 'Au programme' }).count()).resolves.toBe(1);
    await expectAccessible(w);
    // Not online yet.
    const visitor = await (await newContext(browser)).newPage();
    await visitor.goto(`${server.url}/actualites`);
    await expect(visitor.getByText('Salon de l’apprentissage 2027').count()).resolves.toBe(0);
    await w.goto(itemUrl);
    await w.getByRole('button', { name: 'Publier' }).click();
    await expect(w.getByText('Publication enregistrée.').isVisible()).resolves.toBe(true);
    await visitor.goto(`${server.url}/actualites`);
    await visitor.getByRole('link', { name: 'Salon de l’apprentissage 2027' }).click();
    await expect(visitor.locator('h2', { hasText: 'Au programme' }).count()).resolves.toBe(1);
    await expectAccessible(visitor);
    // Staff read the intranet; the public item is not an intranet item.
    await page.goto(`${server.url}/intranet/actualites`);
    await expect(page.getByText('Déménagement du service formation').count()).resolves.toBe(1);
    await expect(page.getByText('Salon de l’apprentissage 2027').count()).resolves.toBe(0);
    await expectAccessible(page);
    await page.goto(`${server.url}/portail`);
    await expectAccessible(page);
  });
});
