// The map in a browser (issue #17): filter the registry, zoom from the territory to a street by
// the clusters, click a point, open the company; draw a zone and save it as a registry segment;
// axe scans of the map page (clusters and choropleth) and of a report with its chart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { crmModule } from '../src/modules/crm/index.js';
import { mapModule } from '../src/modules/map/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { reportsModule } from '../src/modules/reports/index.js';
import { expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer({}, [registryModule, crmModule, mapModule, reportsModule]);
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the map in a browser', () => {
  it('filter, zoom from the territory to a street, open a company; draw a zone and save it as a segment', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'collaborateur@demo.cci.fr');
    await page.goto(`${server.url}/carte`);
    await page.locator('.map-cluster').first().waitFor();
    await expectAccessible(page);

    // filter: NAF section G (trade)
    await page.getByLabel('Section NAF').selectOption('G');
    await page.getByRole('button', { name: 'Afficher' }).click();
    await page.waitForURL(/section=G/);
    await page.locator('.map-cluster, .map-point').first().waitFor();
    const total = await page.evaluate(async () => {
      const r = await fetch('/carte/regroupements.json?section=G&bbox=-180,-90,180,90&zoom=6');
      const fc = (await r.json()) as { features: { properties: { count: number } }[] };
      return fc.features.reduce((a, f) => a + f.properties.count, 0);
    });
    expect(total).toBeGreaterThan(10);

    // zoom in by the clusters, with the keyboard (focus a cluster, Enter): each press goes closer
    await page.waitForLoadState('networkidle');
    const zoomOf = () => page.evaluate(() => (window as unknown as { consulaireMap: { getZoom(): number } }).consulaireMap.getZoom());
    const start = await zoomOf();
    for (let i = 0; i < 3; i++) {
      const before = await zoomOf();
      if (!(await page.locator('.map-cluster').count())) break;
      await page.locator('.map-cluster').first().focus({ timeout: 5000 }).catch(() => undefined);
      await page.keyboard.press('Enter');
      await page.waitForFunction((z) => (window as unknown as { consulaireMap: { getZoom(): number } }).consulaireMap.getZoom() > z, before, { timeout: 5000 }).catch(() => undefined);
      await page.waitForLoadState('networkidle');
    }
    expect(await zoomOf()).toBeGreaterThan(start);
    // then down to a street where a single establishment of the filter stands
    const spot = await page.evaluate(async () => {
      const r = await fetch('/carte/regroupements.json?section=G&bbox=3.6,45.0,5.2,46.4&zoom=17');
      const fc = (await r.json()) as { features: { geometry: { coordinates: [number, number] }; properties: { id?: number; approximate?: boolean } }[] };
      const located = fc.features.filter((f) => f.properties.id !== undefined);
      return (located.find((f) => !f.properties.approximate) ?? located[0])?.geometry.coordinates;
    });
    expect(spot).toBeTruthy();
    await page.evaluate(([lon, lat]) => (window as unknown as { consulaireMap: { setView(c: [number, number], z: number): void } }).consulaireMap.setView([lat, lon], 17), spot!);
    await page.waitForLoadState('networkidle');
    const point = page.locator('.map-point:not(.map-point-partial)').first();
    await point.waitFor();
    await point.focus();
    await page.keyboard.press('Enter');
    const link = page.locator('.leaflet-popup-content a');
    await link.waitFor();
    await link.click();
    await page.waitForURL(/\/registre\/entreprises\/\d+$/);
    await expect(page.locator('h1').textContent()).resolves.toBeTruthy();

    // draw a zone around Lyon's centre and save it as a segment
    await page.goto(`${server.url}/carte`);
    await page.locator('.map-cluster').first().waitFor();
    await page.evaluate(() => (window as unknown as { consulaireMap: { setView(c: [number, number], z: number): void } }).consulaireMap.setView([45.76, 4.84], 11));
    await page.waitForLoadState('networkidle');
    await page.getByRole('button', { name: 'Dessiner une zone' }).click();
    await page.locator('#carte').scrollIntoViewIfNeeded();
    const box = (await page.locator('#carte').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    for (const [dx, dy] of [[-120, -80], [120, -80], [120, 80], [-120, 80]]) await page.mouse.click(cx + dx, cy + dy);
    await page.getByRole('button', { name: 'Terminer la zone' }).click();
    await expect(page.locator('#segment-query').inputValue()).resolves.toMatch(/zone=/);
    await page.getByLabel('Nom du segment').fill('Centre de Lyon (carte)');
    await page.getByRole('button', { name: 'Enregistrer le segment' }).click();
    await page.waitForURL(/\/registre\?.*zone=/);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('Segment enregistré');
    expect(main).toContain('Centre de Lyon (carte)');
    expect(main).toMatch(/Filtré par une zone dessinée sur la carte \(4 sommets\)/);
    await expectAccessible(page);
    await ctx.close();
  }, 300_000);

  it('the choropleth page and a report with its chart pass axe', async () => {
    const ctx = await newContext(browser, { mobile: true });
    const page = await ctx.newPage();
    await signIn(page, server.url, 'manager@demo.cci.fr');
    await page.goto(`${server.url}/carte?layer=choropleth&by=commune&measure=density&method=jenks`);
    await page.locator('#map-legend li').first().waitFor();
    await expectAccessible(page);
    await page.goto(`${server.url}/rapports/nouveau?subject=establishments&dims=section&dims=department&measure=count`);
    await expect(page.locator('svg[role="img"] rect.report-bar').count()).resolves.toBeGreaterThan(3);
    await expectAccessible(page);
    await ctx.close();
  }, 60_000);
});
