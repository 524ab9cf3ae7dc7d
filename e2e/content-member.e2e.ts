// A member of the extranet (signed in through the extranet module) gets the extranet's files of
// the content module, never an intranet one; on the public site they see public items only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { extranetModule, DEMO_MEMBER_EMAIL } from '../src/modules/extranet/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { listDocumentsFor } from '../src/modules/content/index.js';
import { DEMO_PASSWORD, expectAccessible, launchBrowser, newContext, type Server } from './helpers.js';
import { startContentServer } from './content-helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startContentServer({}, [registryModule, extranetModule]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a member and the content audiences', () => {
  it('downloads extranet documents, never intranet ones; sees public items only on the public site', async () => {
    const db = server.database.db;
    const [extranetDoc] = await listDocumentsFor(db, 'extranet');
    const [intranetDoc] = await listDocumentsFor(db, 'intranet');
    expect(extranetDoc?.title).toBe('Guide de la création d’entreprise');
    expect(intranetDoc?.title).toBe('Procédure de demande de congés');

    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${server.url}/extranet/connexion`);
    await page.getByLabel(/Adresse e-mail/).fill(DEMO_MEMBER_EMAIL);
    await page.getByLabel(/^Mot de passe/).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL((u) => u.pathname === '/extranet');

    const get = (url: string) => page.evaluate(async (u) => (await fetch(u)).status, url);
    expect(await get(`/extranet/contenus/fichiers/${extranetDoc.documentFileId}/${extranetDoc.fileName}`)).toBe(200);
    expect(await get(`/extranet/contenus/fichiers/${intranetDoc.documentFileId}/${intranetDoc.fileName}`)).toBe(404);
    // A member is not staff: the intranet's file route and pages stay closed.
    expect(await get(`/fichiers/${intranetDoc.documentFileId}/${intranetDoc.fileName}`)).toBe(404);
    await page.goto(`${server.url}/intranet/actualites`);
    expect(new URL(page.url()).pathname).toBe('/connexion');

    await page.goto(`${server.url}/actualites`);
    await expect(page.getByText('La CCI lance son nouveau programme d’accompagnement à l’export').count()).resolves.toBe(1);
    await expect(page.getByText('Espace ressortissants : déclarez votre masse salariale').count()).resolves.toBe(0);
    await expect(page.getByText('Déménagement du service formation').count()).resolves.toBe(0);
    await expectAccessible(page);
  });
});
