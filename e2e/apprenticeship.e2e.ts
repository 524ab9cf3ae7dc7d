// The apprenticeship-tax campaign in a browser: a member (phone-sized screen) enters the payroll,
// sees the tax, pledges 60 % of the solde to a CCI school and downloads the PDF summary; staff
// then see the pledge on the follow-up board and the school's results. Axe scans of every page.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apprenticeshipModule } from '../src/modules/apprenticeship/index.js';
import { DEMO_MEMBER_EMAIL, extranetModule } from '../src/modules/extranet/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { DEMO_PASSWORD, expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [registryModule, extranetModule, apprenticeshipModule]);
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('apprenticeship tax in a browser', () => {
  it('a member enters the payroll, pledges 60 % to a CCI school and downloads the summary; staff see it', async () => {
    const memberCtx = await newContext(browser, { mobile: true });
    const member = await memberCtx.newPage();
    await member.goto(`${server.url}/extranet/connexion`);
    await member.getByLabel(/Adresse e-mail/).fill(DEMO_MEMBER_EMAIL);
    await member.getByLabel(/^Mot de passe/).fill(DEMO_PASSWORD);
    await member.getByRole('button', { name: 'Se connecter' }).click();
    await member.waitForURL((u) => u.pathname === '/extranet');
    // The member navigation links the page (folded behind "Menu" at phone width).
    await expect(member.locator('nav a[href="/extranet/taxe-apprentissage"]').count()).resolves.toBe(1);
    await member.goto(`${server.url}/extranet/taxe-apprentissage`);
    await expectAccessible(member);
    const company = ((await member.locator('main p').first().textContent()) ?? '').replace(/^Pour /, '').replace(/\.$/, '');
    expect(company.length).toBeGreaterThan(2);

    await member.getByLabel(/Masse salariale brute/).fill('1 000 000');
    await member.getByLabel(/Effectif moyen annuel/).fill('300');
    await member.getByLabel(/Dont alternants/).fill('2');
    await member.getByRole('button', { name: 'Calculer ma taxe' }).click();
    await member.waitForURL(/\/extranet\/taxe-apprentissage/);
    const amounts = (await member.locator('#appr-amounts').locator('..').textContent()) ?? '';
    expect(amounts.replace(/\s/g, ' ')).toMatch(/5 900 €.*900 €.*4 000 €.*10 800 €/);
    await expectAccessible(member);

    await member.getByLabel(/Part du solde pour École de commerce de la CCI/).fill('60');
    await member.getByRole('button', { name: 'Enregistrer mes intentions' }).click();
    await member.waitForURL(/\/extranet\/taxe-apprentissage/);
    await expect(member.getByRole('table', { name: 'Vos intentions' }).textContent()).resolves.toMatch(/École de commerce de la CCI\s*60\s%\s*540\s€/);
    await expectAccessible(member);

    const [download] = await Promise.all([member.waitForEvent('download'), member.getByRole('link', { name: /Télécharger le récapitulatif/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^taxe-apprentissage-\d{4}\.pdf$/);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 4).toString()).toBe('%PDF');
    await memberCtx.close();

    // Staff: the follow-up board and the school's results show the pledge.
    const staffCtx = await newContext(browser);
    const staff = await staffCtx.newPage();
    await signIn(staff, server.url, 'formation@demo.cci.fr');
    await staff.goto(`${server.url}/taxe-apprentissage`);
    await expectAccessible(staff);
    const schoolRow = staff.getByRole('row', { name: /École de commerce de la CCI/ });
    // the 2027 campaign's only pledge so far (the demo's are in 2025 and 2026)
    await expect(schoolRow.textContent()).resolves.toMatch(/540\s€/);
    await schoolRow.getByRole('link').click();
    await staff.waitForURL(/\/resultats/);
    await expect(staff.locator('main').textContent()).resolves.toContain(company);
    await expectAccessible(staff);
    for (const path of ['/taxe-apprentissage/cibles', '/taxe-apprentissage/campagnes']) {
      await staff.goto(`${server.url}${path}`);
      await expectAccessible(staff);
    }
    await staff.getByRole('link', { name: 'École de commerce de la CCI' }).click();
    await expectAccessible(staff);
    await staffCtx.close();
  }, 180_000);
});
