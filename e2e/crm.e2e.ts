// The CRM in real Chromium: the adviser files a visit report on a 360 px phone, loses the
// network, saves (kept on the phone, "waiting to be sent"), gets the network back, and the report
// arrives exactly once. Then the pipeline board's keyboard move, and an axe scan of every CRM page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createContact } from '../src/modules/registry/index.js';
import { createManualCompany } from '../src/modules/registry/company.service.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;
let companyId: number;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const db = server.database.db;
  companyId = await createManualCompany(db, SYSTEM_ACTOR, { name: 'Zéphyr Cycles', streetName: 'Rue de la Paix', streetNumber: '3', postalCode: '42000', communeCode: '42218' });
  await createContact(db, SYSTEM_ACTOR, companyId, { firstName: 'Léa', lastName: 'Vélo', role: 'Gérante' });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const visitsOf = async (notes: string) => Number((await server.database.db.selectFrom('crm_visits').select((eb) => eb.fn.countAll().as('n')).where('notes', '=', notes).executeTakeFirstOrThrow()).n);


async function waitFor(check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached');
}

describe('CRM in a browser', () => {
  it('files a visit on a phone while offline; it is sent when the network returns, exactly once', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    // The demo seed gave the demo adviser some activity and a manager.
    const demoVisits = await server.database.db.selectFrom('crm_visits').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(demoVisits.n)).toBeGreaterThan(0);
    await page.goto(`${server.url}/crm`);
    await expectAccessible(page);
    expect(await page.content()).toContain('Relancer pour la proposition');
    await page.goto(`${server.url}/crm/visites/nouvelle`);
    await expectAccessible(page);
    // The service worker keeps a copy of the form: it opens with no network at all.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await ctx.setOffline(true);
    await page.goto(`${server.url}/crm/visites/nouvelle`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Nouvelle visite');
    await ctx.setOffline(false);
    await page.goto(`${server.url}/crm/visites/nouvelle`);
    // Two keystrokes find the company (htmx), then its people appear.
    await page.getByLabel(/Rechercher l’entreprise/).pressSequentially('zé', { delay: 50 });
    await page.getByLabel(/Zéphyr Cycles/).check();
    await page.getByLabel(/Léa Vélo/).check();
    await page.getByLabel('Numérique').check();
    const notes = `Visite hors réseau ${Date.now()}`;
    await page.getByLabel('Notes', { exact: true }).fill(notes);
    await page.getByLabel('Suite 1', { exact: true }).fill('Envoyer le diagnostic');
    await page.getByLabel('Échéance de la suite 1').fill(new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10));
    await expectAccessible(page);

    await ctx.setOffline(true);
    await page.getByRole('button', { name: 'Enregistrer la visite' }).click();
    await expect.poll(() => page.locator('#offline-status').textContent()).toContain('en attente d’envoi');
    expect(await visitsOf(notes)).toBe(0);
    const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('consulaire.crm.outbox') ?? '[]').length);
    expect(queued).toBe(1);

    await ctx.setOffline(false);
    await waitFor(async () => (await visitsOf(notes)) === 1);
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('consulaire.crm.outbox') ?? '[]').length)).toBe(0);
    // Reloading (another flush) does not send it again.
    await page.goto(`${server.url}/crm/visites`);
    await page.waitForTimeout(500);
    expect(await visitsOf(notes)).toBe(1);
    expect(await page.content()).toContain('Zéphyr Cycles');
    const tasks = await server.database.db.selectFrom('crm_tasks').select('title').where('title', '=', 'Envoyer le diagnostic').execute();
    expect(tasks).toHaveLength(1);
    // The page fits a 360 px screen (no horizontal scrolling of the document).
    await page.goto(`${server.url}/crm/visites/nouvelle`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await ctx.close();
  });

  it('keeps an offline report through an expired session and sends it after signing in again', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    await page.goto(`${server.url}/crm/visites/nouvelle?entreprise=${companyId}`);
    const notes = `Visite longue coupure ${Date.now()}`;
    await page.getByLabel('Notes', { exact: true }).fill(notes);
    await ctx.setOffline(true);
    await page.getByRole('button', { name: 'Enregistrer la visite' }).click();
    await expect.poll(() => page.locator('#offline-status').textContent()).toContain('en attente d’envoi');
    // Hours later, the session is gone.
    await server.database.db.deleteFrom('sessions').execute();
    await ctx.setOffline(false);
    await expect.poll(() => page.locator('#offline-status').textContent()).toContain('reconnectez-vous');
    expect(await visitsOf(notes)).toBe(0);
    await signIn(page, server.url, 'conseiller@demo.cci.fr'); // new session, new CSRF token
    await page.goto(`${server.url}/crm`);
    await waitFor(async () => (await visitsOf(notes)) === 1);
    await page.reload();
    await page.waitForTimeout(500);
    expect(await visitsOf(notes)).toBe(1);
    await ctx.close();
  });

  it('never sends a report left by an expired session under the name of someone else who signs in next', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    await page.goto(`${server.url}/crm/visites/nouvelle?entreprise=${companyId}`);
    const notes = `Visite d’un autre ${Date.now()}`;
    await page.getByLabel('Notes', { exact: true }).fill(notes);
    await ctx.setOffline(true);
    await page.getByRole('button', { name: 'Enregistrer la visite' }).click();
    await expect.poll(() => page.locator('#offline-status').textContent()).toContain('en attente d’envoi');
    // A second report being typed stays as a draft.
    await page.getByLabel('Notes', { exact: true }).fill('Brouillon d’un autre');
    await expect.poll(() => page.evaluate(() => localStorage.getItem('consulaire.crm.draft'))).toContain('Brouillon d’un autre');
    // The session expires; the phone is handed to a colleague, who signs in.
    await server.database.db.deleteFrom('sessions').execute();
    await ctx.setOffline(false);
    await signIn(page, server.url, 'manager@demo.cci.fr');
    await page.goto(`${server.url}/crm/visites/nouvelle`);
    await expect.poll(() => page.locator('#offline-discarded').textContent()).toBe(
      '2 visite(s) gardée(s) sur cet appareil par une autre personne ont été effacée(s) sans être envoyée(s).',
    );
    expect(await page.getByLabel('Notes', { exact: true }).inputValue()).toBe(''); // not restored into the colleague's form
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('consulaire.crm.outbox') ?? '[]').length)).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem('consulaire.crm.draft'))).toBeNull();
    await expectAccessible(page);
    await page.waitForTimeout(500);
    expect(await visitsOf(notes)).toBe(0);
    // Said once: the next page has nothing to say, and the author signing in again finds nothing to send.
    await page.goto(`${server.url}/crm`);
    expect(await page.locator('#offline-discarded').textContent()).toBe('');
    await server.database.db.deleteFrom('sessions').execute();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    await page.goto(`${server.url}/crm`);
    await page.waitForTimeout(500);
    expect(await visitsOf(notes)).toBe(0);
    await ctx.close();
  });

  it('clears the drafts kept on this device at sign-out, and says so before and after (issue #19, 7b)', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    // The server stays out of reach for visit reports only (the sign-out must get through).
    await page.route('**/crm/visites', (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue()));
    await page.goto(`${server.url}/crm/visites/nouvelle?entreprise=${companyId}`);
    const notes = `Brouillon à effacer ${Date.now()}`;
    await page.getByLabel('Notes', { exact: true }).fill(notes);
    await page.getByRole('button', { name: 'Enregistrer la visite' }).click();
    await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('consulaire.crm.outbox') ?? '[]').length)).toBe(1);
    // A second report being typed is kept as a draft.
    await page.getByLabel('Notes', { exact: true }).fill('Deuxième brouillon');
    await expect.poll(() => page.evaluate(() => localStorage.getItem('consulaire.crm.draft'))).toContain('Deuxième brouillon');
    const notice = page.locator('#unsent-drafts');
    await expect.poll(() => notice.textContent()).toBe('2 brouillons non envoyés seront effacés à la déconnexion.');
    expect(await notice.isVisible()).toBe(true);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${server.url}/connexion`);
    expect(await page.locator('.flash').first().textContent()).toContain('Les brouillons gardés sur cet appareil (2) ont été effacés.');
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    expect(await visitsOf(notes)).toBe(0);
    await ctx.close();
  });

  it('moves a deal with the keyboard on the board, and every CRM page passes axe', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'conseiller@demo.cci.fr');
    await page.goto(`${server.url}/crm/affaires/nouvelle?entreprise=${companyId}`);
    await expectAccessible(page);
    await page.getByLabel(/^Intitulé/).fill('Diagnostic numérique Zéphyr');
    await page.getByLabel(/^Montant/).fill('1 500');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForURL(/\/crm\/affaires\/\d+$/);
    await expectAccessible(page);
    const dealUrl = page.url();

    await page.goto(`${server.url}/crm/affaires/tableau`);
    await expectAccessible(page);
    const select = page.getByLabel('Étape de « Diagnostic numérique Zéphyr »');
    await select.focus();
    await select.selectOption({ label: 'Négociation' });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Affaire déplacée.').waitFor();
    const moved = await server.database.db
      .selectFrom('crm_deals as d')
      .innerJoin('crm_stages as s', 's.id', 'd.stage_id')
      .select('s.code')
      .where('d.title', '=', 'Diagnostic numérique Zéphyr')
      .executeTakeFirstOrThrow();
    expect(moved.code).toBe('negotiation');
    // Drag and drop: the card goes back to "Qualifiée".
    await page.goto(`${server.url}/crm/affaires/tableau`);
    const card = page.locator('.crm-card', { hasText: 'Diagnostic numérique Zéphyr' });
    const reloaded = page.waitForEvent('load'); // crm-board.js reloads the board after the move
    await card.dragTo(page.locator('.board-column', { has: page.getByRole('heading', { name: /^Qualifiée/ }) }));
    await reloaded;
    await expect
      .poll(async () => (await server.database.db.selectFrom('crm_deals as d').innerJoin('crm_stages as s', 's.id', 'd.stage_id').select('s.code').where('d.title', '=', 'Diagnostic numérique Zéphyr').executeTakeFirstOrThrow()).code)
      .toBe('qualified');
    await page.goto(dealUrl);
    // The stage history table lists the moves.
    expect(await page.getByRole('region', { name: 'Historique des étapes' }).textContent()).toContain('Négociation');

    for (const path of ['/crm', '/crm/visites', '/crm/taches', '/crm/affaires', '/crm/portefeuille', '/crm/calendrier', `/crm/entreprises/${companyId}/chronologie`, `/registre/entreprises/${companyId}`]) {
      await page.goto(`${server.url}${path}`);
      await expectAccessible(page);
    }
    // The company page's CRM panel filters its timeline in place (htmx).
    await page.goto(`${server.url}/registre/entreprises/${companyId}`);
    const panel = page.locator(`#crm-tl-${companyId}`);
    await panel.getByRole('link', { name: 'Affaires' }).click();
    await expect.poll(() => panel.locator('li[data-kind]').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-kind')))])).toEqual(['deal']);
    expect(new URL(page.url()).pathname).toBe(`/registre/entreprises/${companyId}`);
    await expectAccessible(page);
    const firstVisit = await server.database.db.selectFrom('crm_visits').select('id').orderBy('id').executeTakeFirst();
    if (firstVisit) {
      await page.goto(`${server.url}/crm/visites/${firstVisit.id}`);
      await expectAccessible(page);
    }
    await ctx.close();

    const mgr = await newContext(browser);
    const p2 = await mgr.newPage();
    await signIn(p2, server.url, 'manager@demo.cci.fr');
    for (const path of ['/crm/rapports', '/crm/portefeuille/attribuer', '/crm/affaires/tableau?portee=team']) {
      await p2.goto(`${server.url}${path}`);
      await expectAccessible(p2);
    }
    await mgr.close();

    const adm = await newContext(browser);
    const p3 = await adm.newPage();
    await signIn(p3, server.url, 'direction@demo.cci.fr');
    await p3.goto(`${server.url}/crm/parametres`);
    await expectAccessible(p3);
    await adm.close();
  });
});
