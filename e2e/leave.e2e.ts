// Leave in a browser: a request made on a phone-sized screen (quote, then send), approved in two
// steps (the manager, then HR) on the approval engine's page, then shown on the team calendar;
// axe scans of every leave page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { directoryModule } from '../src/modules/directory/index.js';
import { leaveModule } from '../src/modules/leave/index.js';
import { addDays, todayInParis } from '../src/modules/leave/dates.js';
import { weekdayOf } from '../src/modules/leave/holidays.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [approvalsModule, directoryModule, leaveModule]);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function approveAs(email: string, approvalPath: string) {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await signIn(page, server.url, email);
  await page.goto(`${server.url}${approvalPath}`);
  await page.getByRole('button', { name: 'Approuver' }).click();
  await page.waitForLoadState('networkidle');
  await ctx.close();
}

describe('leave in a browser', () => {
  it('requested on a phone, approved in two steps, visible on the team calendar', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page: Page = await ctx.newPage();
    await signIn(page, server.url, 'collaborateur@demo.cci.fr');
    await page.goto(`${server.url}/conges`);
    await expectAccessible(page);

    // Tuesday to Thursday, ten weeks ahead (clear of the demo's requests)
    const today = todayInParis();
    const tuesday = addDays(today, 70 + ((9 - weekdayOf(today)) % 7));
    await page.getByLabel('Type d’absence').selectOption('CP');
    await page.getByLabel('Premier jour').fill(tuesday);
    await page.getByLabel('Dernier jour').fill(addDays(tuesday, 2));
    await page.getByRole('button', { name: 'Calculer les jours' }).click();
    await expect(page.locator('#leave-quote').textContent()).resolves.toMatch(/Cette demande compte \d/);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Envoyer la demande' }).click();
    await page.waitForURL(/\/conges\/\d+$/);
    await expect(page.locator('main').textContent()).resolves.toContain('En attente de validation');
    await expectAccessible(page);
    const approvalPath = await page.getByRole('link', { name: 'Suivi de la validation' }).getAttribute('href');
    expect(approvalPath).toMatch(/^\/demandes\/\d+$/);
    const leavePath = new URL(page.url()).pathname;

    await approveAs('manager@demo.cci.fr', approvalPath!);
    await page.reload();
    await expect(page.locator('main').textContent()).resolves.toContain('En attente de validation');
    await approveAs('rh@demo.cci.fr', approvalPath!);
    await page.goto(`${server.url}${leavePath}`);
    await expect(page.locator('main').textContent()).resolves.toContain('Approuvée');

    await page.goto(`${server.url}/conges/equipe?mois=${tuesday.slice(0, 7)}`);
    const row = page.getByRole('row', { name: /Colin Collaborateur/ });
    await expect(row.locator('td.leave-a').count()).resolves.toBeGreaterThanOrEqual(3);
    await expectAccessible(page);
    await ctx.close();
  });

  it('HR pages pass axe', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'rh@demo.cci.fr');
    await page.goto(`${server.url}/conges/rh`);
    await expectAccessible(page);
    await page.goto(`${server.url}/conges/equipe`);
    await expectAccessible(page);
    await ctx.close();
  });
});
