// Request types without code in real Chromium, on a phone-sized screen: a colleague files a
// "Télétravail" request through the generated form (keyboard only), the manager approves it from
// "À approuver"; axe scans of every approvals page, including the types admin and the signed link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [approvalsModule]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('approvals in a browser', () => {
  it('a request filed on a phone with the keyboard, approved by the manager; every page passes axe', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'collaborateur@demo.cci.fr');
    await page.goto(`${server.url}/demandes`);
    await expectAccessible(page);
    await page.goto(`${server.url}/demandes/nouvelle`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Télétravail' }).click();
    await expectAccessible(page);
    // Submitted empty: the error summary and each field's message, still accessible.
    await page.getByRole('button', { name: 'Soumettre' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Période');
    await expectAccessible(page);
    await page.getByLabel('Du').first().fill('2027-01-04');
    await page.getByLabel('Au').first().fill('2027-03-26');
    await page.getByLabel('Jours de la semaine').fill('mardi');
    await page.getByLabel('J’ai l’équipement nécessaire').focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Soumettre' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/demandes\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/Demande n° \d+/);
    await expectAccessible(page);
    const requestUrl = page.url();
    await page.goto(`${server.url}/demandes/suppleant`);
    await expectAccessible(page);
    await ctx.close();

    const mctx = await newContext(browser, { mobile: true });
    const m = await mctx.newPage();
    await signIn(m, server.url, 'manager@demo.cci.fr');
    await m.goto(`${server.url}/demandes/a-approuver`);
    await expectAccessible(m);
    await m.goto(requestUrl);
    await expectAccessible(m);
    await m.getByRole('button', { name: 'Approuver' }).click();
    await expect(m.locator('.flash-success').textContent()).resolves.toContain('Votre approbation est enregistrée.');
    await expect(m.locator('.badge').first().textContent()).resolves.toBe('Approuvée');
    await mctx.close();
  });

  it('the types admin and the signed link page pass axe', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'rh@demo.cci.fr');
    await page.goto(`${server.url}/demandes/types`);
    await expectAccessible(page);
    await page.goto(`${server.url}/demandes/types/nouveau`);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expectAccessible(page);
    await page.goto(`${server.url}/demandes/types`);
    await page.getByRole('link', { name: 'Demande de formation' }).click();
    await expectAccessible(page);
    // The e-mail to HR for the request waiting at its step carries a signed link.
    const deadline = Date.now() + 10_000;
    let body = '';
    while (!body && Date.now() < deadline) {
      const mail = await server.database.db.selectFrom('mail_outbox').select('text_body').where('to_address', '=', 'rh@demo.cci.fr').orderBy('id', 'desc').executeTakeFirst();
      body = mail?.text_body ?? '';
      if (!body) await new Promise((r) => setTimeout(r, 200));
    }
    const url = /https?:\/\/\S+\/approbations\/lien\/\S+/.exec(body)?.[0];
    expect(url).toBeTruthy();
    const anon = await (await newContext(browser, { mobile: true })).newPage();
    await anon.goto(url!);
    await expect(anon.getByRole('button', { name: 'Approuver' }).isVisible()).resolves.toBe(true);
    await expectAccessible(anon);
    await ctx.close();
  });
});
