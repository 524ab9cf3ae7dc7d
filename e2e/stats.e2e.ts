// Statistics and steering in a browser: the direction reads the dashboard (charts with their
// tables), moves to the previous month, subscribes to the monthly report and opens the archive;
// then compares the master plan's scenarios (the first level's wrong stated total flagged),
// adds a line to a scenario and reads the action plan's timeline; a visitor opts out of the
// audience measurement on a phone. Axe scans of every page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { contentModule } from '../src/modules/content/index.js';
import { statsModule } from '../src/modules/stats/index.js';
import { addMonths, parisMonth } from '../src/modules/stats/periods.js';
import { steeringModule } from '../src/modules/steering/index.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [contentModule, steeringModule, statsModule]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('statistics and steering in a browser', () => {
  it('the direction reads the dashboard, subscribes, opens last month’s report', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'direction@demo.cci.fr');
    await page.goto(`${server.url}/statistiques`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Statistiques mensuelles');
    await expect(page.locator('svg[role="img"]').count()).resolves.toBeGreaterThan(2);
    await expectAccessible(page);
    const last = addMonths(parisMonth(new Date()), -1);
    await page.getByRole('textbox', { name: 'Mois' }).fill(last);
    await page.getByRole('button', { name: 'Afficher' }).click();
    await page.waitForURL(new RegExp(`mois=${last}`));
    const views = page.getByRole('row', { name: /Pages vues/ }).first();
    await expect(views.locator('td').first().textContent()).resolves.toMatch(/\d/);
    // The demo subscribed the direction: unsubscribe, then subscribe again.
    await page.getByRole('button', { name: 'Ne plus recevoir le rapport mensuel' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Vous ne recevrez plus le rapport mensuel.');
    await page.getByRole('button', { name: 'Recevoir le rapport mensuel par courriel' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Vous êtes abonné(e) au rapport mensuel.');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Rapports mensuels' }).first().click();
    await expectAccessible(page);
    await page.locator(`a[href="/statistiques/rapports/${last}"]`).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Pages vues');
    await expectAccessible(page);
    await ctx.close();
  });

  it('the committee compares the scenarios, adds a line, reads the timeline', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'direction@demo.cci.fr');
    await page.goto(`${server.url}/pilotage`);
    const table = page.locator('#steering-comparison');
    await expect(table.textContent()).resolves.toContain('Le souhaitable');
    await expect(page.getByText('Total annoncé erroné').count()).resolves.toBe(1);
    await expect(page.locator('main').textContent()).resolves.toMatch(/115\s000\sF/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Le minimum' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Hébergement de la messagerie');
    await expectAccessible(page);
    await page.getByLabel('Libellé').fill('Formation des commerciaux');
    await page.getByLabel('Nature').selectOption('running');
    await page.getByLabel('Montant (€)').fill('1 500');
    await page.getByRole('button', { name: 'Ajouter la ligne' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Formation des commerciaux');
    await page.goto(`${server.url}/pilotage/plan`);
    await expect(page.locator('svg[role="img"] title').textContent()).resolves.toContain('Calendrier des projets');
    await expectAccessible(page);
    await page.goto(`${server.url}/pilotage/decisions`);
    await expectAccessible(page);
    await ctx.close();
  });

  it('a visitor opts out of the audience measurement on a phone', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/mesure-audience`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Ne plus compter mes visites' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('Vos visites ne sont pas comptées sur ce navigateur.');
    await expectAccessible(page);
    await ctx.close();
  });
});
