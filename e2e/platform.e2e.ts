// Journeys of the platform in real Chromium: sign in, navigate, switch language, keyboard
// only, phone width, admin creates a user, sign out — with an axe scan of each page.
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

describe('platform in a browser', () => {
  it('signs in, navigates, switches language, creates a user, signs out — every page accessible', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const visited: string[] = [];
    const scan = async () => {
      await expectAccessible(page);
      visited.push(new URL(page.url()).pathname);
    };

    await page.goto(`${server.url}/connexion`);
    await scan();
    await expect(page.title()).resolves.toContain('Connexion');

    // A wrong password is refused with the generic message.
    await page.getByLabel('Adresse e-mail').fill('admin@demo.cci.fr');
    await page.getByLabel(/^Mot de passe/).fill('wrong password here');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('Adresse e-mail ou mot de passe incorrect');
    await scan();

    await signIn(page, server.url, 'admin@demo.cci.fr');
    expect(new URL(page.url()).pathname).toBe('/portail');
    await scan();

    // Navigation built from the permissions: the admin sees the administration section.
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Utilisateurs' }).click();
    await page.waitForURL('**/admin/utilisateurs');
    await scan();

    // Create a user through the form; the list shows them.
    await page.getByRole('link', { name: 'Nouvel utilisateur' }).click();
    await scan();
    // Submitting empty shows field errors, focused summary, nothing created.
    await page.getByRole('button', { name: 'Créer' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Ce champ est obligatoire');
    await scan();
    await page.getByLabel(/^Nom/).fill('Bérénice Nouvelle');
    await page.getByLabel(/^Adresse e-mail/).fill('berenice@demo.cci.fr');
    await page.getByLabel('Conseiller (commercial)').check();
    await page.getByRole('button', { name: 'Créer' }).click();
    await page.waitForURL(/\/admin\/utilisateurs\/\d+$/);
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('invitation');
    await scan();

    for (const path of ['/admin/roles', '/admin/audit', '/admin/boite-envoi', '/admin/jetons', '/admin/parametres', '/admin/taches', '/compte', '/recherche?q=demo']) {
      await page.goto(server.url + path);
      await scan();
    }
    // The invitation is in the outbox (demo mode keeps mails).
    await page.goto(`${server.url}/admin/boite-envoi`);
    await expect(page.getByRole('cell', { name: 'berenice@demo.cci.fr' }).count()).resolves.toBeGreaterThan(0);

    // Switch to English, remembered across pages.
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.goto(`${server.url}/portail`);
    await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(true);
    await scan();
    await page.getByRole('link', { name: 'Français' }).click();

    // 404 in the same shell.
    const res = await page.goto(`${server.url}/nulle-part`);
    expect(res?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('Page introuvable');
    await scan();

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL('**/connexion');
    await page.goto(`${server.url}/portail`);
    expect(new URL(page.url()).pathname).toBe('/connexion');
    await ctx.close();
  });

  it('works with the keyboard only', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/connexion`);
    // The first Tab reaches the skip link.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Aller au contenu');
    await page.locator('#f-email').focus();
    await page.keyboard.type('conseiller@demo.cci.fr');
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo-consulaire-2026');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/portail');
    await ctx.close();
  });

  it('is usable on a phone: menu behind a toggle, no horizontal scroll', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'admin@demo.cci.fr');
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await expect(nav.isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect(nav.isVisible()).resolves.toBe(true);
    for (const path of ['/portail', '/admin/utilisateurs', '/admin/audit', '/compte']) {
      await page.goto(server.url + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(1);
      await expectAccessible(page);
    }
    await ctx.close();
  });
});
