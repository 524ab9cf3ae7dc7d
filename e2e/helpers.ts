// Browser journeys: the real server (the app built as `serve --demo` builds it) listening on a
// random loopback port, driven by Debian's Chromium through playwright-core, with an axe-core
// accessibility scan of each page visited.
import { expect } from 'vitest';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { MODULES } from '../src/modules/index.js';
import { useFastHashingForTests } from '../src/platform/auth/password.js';
import { openDatabase, type Database } from '../src/platform/db/index.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { seedDemoUsers, DEMO_PASSWORD } from '../src/platform/seed.js';
import type { ConsulaireModule } from '../src/platform/module.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export { DEMO_PASSWORD };

export interface Server {
  url: string;
  app: App;
  config: Config;
  database: Database;
  stop(): Promise<void>;
}

/**
 * Starts the portal with the demo CCI on a fresh SQLite database (or DATABASE_URL). A journey
 * may pass a subset of the modules so that it does not depend on the others' demo data.
 */
export async function startServer(env: Record<string, string> = {}, modules: readonly ConsulaireModule[] = MODULES): Promise<Server> {
  useFastHashingForTests();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'consulaire-e2e-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', ...env } as NodeJS.ProcessEnv);
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir });
  await migrateToLatest(database.db);
  await seedDemoUsers(database.db);
  const app = await buildApp({ config, database, modules, logger: false });
  for (const m of modules) if (m.seedDemo) await m.seedDemo(app.ctx, () => {});
  await app.fastify.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.fastify.server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  // Links in e-mails must point at this server.
  (config as { publicUrl: string }).publicUrl = url;
  app.jobs.start(200);
  return {
    url,
    app,
    config,
    database,
    async stop() {
      await app.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** A browser context: bypassCSP only so that the axe script can be injected for the scan. */
export async function newContext(browser: Browser, opts: { mobile?: boolean; locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    bypassCSP: true,
    locale: opts.locale ?? 'fr-FR',
    viewport: opts.mobile ? { width: 360, height: 740 } : { width: 1280, height: 900 },
    ...(opts.mobile ? { isMobile: true, hasTouch: true } : {}),
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** Runs axe (WCAG 2.1 A/AA rules) on the page; returns serious and critical violations. */
export async function axeScan(page: Page): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Formats violations for an assertion message. */
export function describeViolations(url: string, v: AxeViolation[]): string {
  return v.map((x) => `${url}: [${x.impact}] ${x.id} — ${x.help} — ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}

/** Fails the test on any serious or critical axe violation of the page, each one listed. */
export async function expectAccessible(page: Page): Promise<void> {
  const v = await axeScan(page);
  expect(v, describeViolations(page.url(), v)).toEqual([]);
}

export async function signIn(page: Page, base: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${base}/connexion`);
  await page.getByLabel(/Adresse e-mail|E-mail address/).fill(email);
  await page.getByLabel(/^Mot de passe|^Password/).fill(password);
  await page.getByRole('button', { name: /Se connecter|Sign in/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/connexion'));
}
