// Extranet journeys in real Chromium: a staff invitation → first sign-in → correction proposed
// → accepted by the documentation service → the member sees the change; a request
// conversation; an axe scan of every extranet page (member pages also at phone width).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';
import { makeCompany, makeContact, type TestCompany } from '../test/extranet-helpers.js';
import { publishedDocument, publishedItem } from '../test/content-helpers.js';

let server: Server;
let browser: Browser;
let company: TestCompany;
const MEMBER = 'helene@verrerie-loire.fr';
const MEMBER_PASSWORD = 'une phrase de passe verte';
const published = { news: 0, event: 0 };

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  company = await makeCompany(server.database.db, 'Verrerie de la Loire');
  await makeContact(server.database.db, company.id, 'Verrier');
  // What the CCI publishes for members, read on /extranet/actualites, /evenements, /documents.
  published.news = await publishedItem(server.database.db, 'news', ['extranet'], { title: 'Nouvelles aides à l’export', summary: 'Le point sur les dispositifs régionaux.', body: '<h2>Qui peut en bénéficier ?</h2><p>Les entreprises de moins de <strong>250 salariés</strong>.</p>' });
  published.event = await publishedItem(server.database.db, 'event', ['extranet'], { title: 'Petit-déjeuner des exportateurs', event_place: 'CCI, salle Vauban' });
  await publishedDocument(server.database.db, server.config.dataDir, ['extranet'], 'guide-export');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});


async function lastLinkTo(email: string): Promise<string> {
  const row = await server.database.db.selectFrom('mail_outbox').select('text_body').where('to_address', '=', email).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return (row.text_body as string).match(/https?:\/\/\S+/)![0];
}

async function memberSignIn(page: Page, email: string, password: string) {
  await page.goto(`${server.url}/extranet/connexion`);
  await page.getByLabel(/Adresse e-mail/).fill(email);
  await page.getByLabel(/^Mot de passe/).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL((u) => u.pathname === '/extranet');
}

describe('member extranet in a browser', () => {
  it('invite → first sign-in → correction → staff acceptance → the member sees the change', async () => {
    const staffCtx = await newContext(browser);
    const staff = await staffCtx.newPage();
    await signIn(staff, server.url, 'documentation@demo.cci.fr');
    await staff.goto(`${server.url}/gestion-extranet/invitations/nouvelle?entreprise=${company.id}`);
    await expectAccessible(staff);
    await staff.getByLabel(/^Nom/).fill('Hélène Verrier');
    await staff.getByLabel(/^Adresse e-mail/).fill(MEMBER);
    await staff.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await staff.waitForURL((u) => !u.pathname.startsWith('/gestion-extranet/invitations'));

    const memberCtx = await newContext(browser);
    const member = await memberCtx.newPage();
    await member.goto(await lastLinkTo(MEMBER));
    await expectAccessible(member);
    await expect(member.getByText('Verrerie de la Loire').count()).resolves.toBeGreaterThan(0);
    await member.getByLabel(/^Nouveau mot de passe/).fill(MEMBER_PASSWORD);
    await member.getByLabel(/^Confirmer/).fill(MEMBER_PASSWORD);
    await member.getByRole('button', { name: 'Enregistrer' }).click();
    await member.waitForURL(/\/extranet\/connexion/);
    await expectAccessible(member);
    await member.getByLabel(/Adresse e-mail/).fill(MEMBER);
    await member.getByLabel(/^Mot de passe/).fill(MEMBER_PASSWORD);
    await member.getByRole('button', { name: 'Se connecter' }).click();
    await member.waitForURL((u) => u.pathname === '/extranet');
    await expectAccessible(member);
    // The member shell: no staff menus, the member navigation.
    await expect(member.locator('#global-q').count()).resolves.toBe(0);
    await member.getByRole('link', { name: 'Mon entreprise', exact: true }).first().click();
    await member.waitForURL(/\/extranet\/mon-entreprise$/);
    await expectAccessible(member);
    await member.getByRole('link', { name: 'Proposer une correction' }).click();
    await expectAccessible(member);
    await member.getByLabel('Téléphone', { exact: true }).fill('04 77 98 76 54');
    await member.getByRole('button', { name: 'Envoyer la proposition' }).click();
    await member.waitForURL(/\/extranet\/mon-entreprise\/corrections\/\d+$/);
    await expectAccessible(member);
    await expect(member.getByText('En attente').count()).resolves.toBeGreaterThan(0);

    await staff.goto(`${server.url}/gestion-extranet/corrections`);
    await expectAccessible(staff);
    await staff.getByRole('link', { name: 'Verrerie de la Loire' }).click();
    await expectAccessible(staff);
    await expect(staff.getByText('04 77 98 76 54').count()).resolves.toBe(1);
    await staff.getByRole('button', { name: 'Appliquer les champs cochés' }).click();
    await expect(staff.getByText('La décision est enregistrée').isVisible()).resolves.toBe(true);
    await expectAccessible(staff);

    await member.goto(`${server.url}/extranet/mon-entreprise`);
    await expect(member.getByText('04 77 98 76 54').count()).resolves.toBeGreaterThan(0);
    await expect(member.getByText('Acceptée').count()).resolves.toBeGreaterThan(0);
    await staffCtx.close();
    await memberCtx.close();
  });

  it('a request conversation between the member and the CCI', async () => {
    const memberCtx = await newContext(browser);
    const member = await memberCtx.newPage();
    await memberSignIn(member, MEMBER, MEMBER_PASSWORD);
    await member.getByRole('link', { name: 'Mes demandes' }).first().click();
    await expectAccessible(member);
    await member.getByRole('link', { name: 'Nouvelle demande' }).click();
    await expectAccessible(member);
    await member.getByLabel(/^Catégorie/).selectOption('international');
    await member.getByLabel(/^Objet/).fill('Exporter au Japon');
    await member.getByLabel(/^Message/).fill('Quelles aides pour un premier salon à Tokyo ?');
    await member.getByLabel('Pièces jointes').setInputFiles({ name: 'plaquette.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await member.getByRole('button', { name: 'Envoyer la demande' }).click();
    await member.waitForURL(/\/extranet\/demandes\/\d+$/);
    await expectAccessible(member);
    const requestUrl = new URL(member.url()).pathname;

    const staffCtx = await newContext(browser);
    const staff = await staffCtx.newPage();
    await signIn(staff, server.url, 'documentation@demo.cci.fr');
    await staff.goto(`${server.url}/gestion-extranet/demandes`);
    await expectAccessible(staff);
    await staff.getByRole('link', { name: 'Exporter au Japon' }).click();
    await expectAccessible(staff);
    await expect(staff.getByRole('link', { name: 'plaquette.pdf' }).count()).resolves.toBe(1);
    await staff.getByLabel(/^Message/).fill('Bonjour, le dispositif Team France Export peut vous aider. Quel budget ?');
    await staff.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await expect(staff.getByText('Message envoyé').isVisible()).resolves.toBe(true);

    await member.goto(`${server.url}${requestUrl}`);
    await expect(member.getByText('Team France Export').isVisible()).resolves.toBe(true);
    await expect(member.getByText('En attente de votre réponse').count()).resolves.toBeGreaterThan(0);
    await member.getByLabel(/^Message/).fill('Environ 15 000 €.');
    await member.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await expect(member.getByText('Environ 15 000 €.').isVisible()).resolves.toBe(true);
    await expectAccessible(member);
    await staffCtx.close();
    await memberCtx.close();
  });

  it('every extranet page passes axe, member pages also at phone width', async () => {
    for (const mobile of [false, true]) {
      const ctx = await newContext(browser, { mobile });
      const page = await ctx.newPage();
      for (const u of ['/extranet/connexion', '/extranet/inscription', '/extranet/mot-de-passe-oublie', '/extranet/invitation/lien-invalide']) {
        await page.goto(`${server.url}${u}`);
        await expectAccessible(page);
      }
      await memberSignIn(page, MEMBER, MEMBER_PASSWORD);
      for (const u of ['/extranet', '/extranet/mon-entreprise', '/extranet/mon-entreprise/corriger', '/extranet/demandes', '/extranet/suivi', '/extranet/contacts', '/extranet/equipe', '/extranet/compte', '/extranet/compte/double-authentification', '/extranet/demandes/nouvelle', '/extranet/demandes/999999', '/extranet/actualites', `/extranet/actualites/${published.news}`, '/extranet/evenements', `/extranet/evenements/${published.event}`, '/extranet/documents']) {
        await page.goto(`${server.url}${u}`);
        await expectAccessible(page);
        // No horizontal scrolling of the page at 360 px (wide tables scroll inside their region).
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${u} fits`).toBe(true);
      }
      await ctx.close();
    }
    const ctx = await newContext(browser);
    const staff = await ctx.newPage();
    await signIn(staff, server.url, 'documentation@demo.cci.fr');
    for (const u of ['/gestion-extranet', '/gestion-extranet/comptes', '/gestion-extranet/inscriptions', '/gestion-extranet/corrections', '/gestion-extranet/demandes', '/gestion-extranet/routage']) {
      await staff.goto(`${server.url}${u}`);
      await expectAccessible(staff);
    }
    await staff.goto(`${server.url}/gestion-extranet/comptes`);
    await staff.getByRole('link', { name: 'Hélène Verrier' }).click();
    await expectAccessible(staff);
    await ctx.close();
  });
});
