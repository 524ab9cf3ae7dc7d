// The training centre in a browser: a member enrols an employee from the extranet (phone-sized
// screen), the training staff confirm, the trainee signs the attendance sheet on a tablet-sized
// page by drawing on the signature pad, and the certificate appears for the member; axe scans of
// every page on the way, and of the public catalogue and the staff pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { accountingModule } from '../src/modules/accounting/index.js';
import { extranetModule } from '../src/modules/extranet/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { trainingModule } from '../src/modules/training/index.js';
import { addDays, todayInParis, weekdayOf } from '../src/modules/training/dates.js';
import { addSlot, createSession, removeSlot, slotsOf } from '../src/modules/training/sessions.service.js';
import { demoActor } from '../src/platform/seed.js';
import { DEMO_PASSWORD, expectAccessible, launchBrowser, newContext, type Server, signIn, startServer } from './helpers.js';

let server: Server;
let browser: Browser;
let sessionId: number;
let slotId: number;
const today = todayInParis();

beforeAll(async () => {
  server = await startServer({}, [registryModule, extranetModule, accountingModule, trainingModule]);
  browser = await launchBrowser();
  // A remote session of the SEO course on today's morning only (so it can be signed today).
  const db = server.app.ctx.db;
  const staff = (await demoActor(db, 'formation@demo.cci.fr'))!;
  const course = await db.selectFrom('training_courses').select('id').where('code', '=', 'WEB-SEO').executeTakeFirstOrThrow();
  const trainer = await db.selectFrom('training_trainers').select('id').where('name', '=', 'Karim Benali').executeTakeFirstOrThrow();
  const weekend = weekdayOf(today) === 0 || weekdayOf(today) === 6;
  const s = await db.transaction().execute((trx) =>
    createSession(trx, staff, { course_id: String(course.id), kind: 'inter', company_id: '', room_id: '', trainer_id: String(trainer.id), remote: true, start_date: today, end_date: weekend ? addDays(today, 2) : today, pattern: 'am', min_trainees: '1', max_trainees: '8', price: '', notes: '' }),
  );
  sessionId = s.id;
  if (weekend) await db.transaction().execute((trx) => addSlot(trx, staff, sessionId, { day: today, half: 'am' }));
  for (const x of await slotsOf(db, sessionId)) if (x.day !== today) await db.transaction().execute((trx) => removeSlot(trx, staff, sessionId, x.id));
  slotId = (await slotsOf(db, sessionId))[0].id;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function memberSignIn(page: Page) {
  await page.goto(`${server.url}/extranet/connexion`);
  await page.getByLabel(/Adresse e-mail/).fill('membre@demo-entreprise.fr');
  await page.getByLabel(/^Mot de passe/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL((u) => u.pathname === '/extranet');
}

describe('training centre in a browser', () => {
  it('member enrols an employee, staff confirm, the trainee signs on a tablet, the certificate appears for the member', async () => {
    // The member, on a phone.
    const memberCtx = await newContext(browser, { mobile: true });
    const member = await memberCtx.newPage();
    await memberSignIn(member);
    // The extranet's navigation lists the training pages (folded behind "Menu" on a phone).
    await expect(member.locator('#main-nav a[href="/extranet/formations"]').count()).resolves.toBe(1);
    await member.goto(`${server.url}/extranet/formations`);
    await expectAccessible(member);
    await member.getByRole('link', { name: 'Référencer son site internet' }).click();
    await expectAccessible(member);
    const card = member.locator(`section[aria-labelledby="s-${sessionId}"]`);
    await card.locator('summary').click();
    await card.getByLabel(/Nom et prénom du stagiaire/).fill('Jeanne Web');
    await card.getByLabel(/E-mail du stagiaire/).fill('jeanne.web@demo-entreprise.fr');
    await card.getByLabel(/^Financement/).selectOption('company');
    await card.getByRole('button', { name: 'Inscrire un salarié' }).click();
    await member.waitForURL(/\/extranet\/formations\/stagiaires\/\d+$/);
    await expect(member.locator('main').textContent()).resolves.toContain('Demandée');
    await expectAccessible(member);
    const enrolmentPath = new URL(member.url()).pathname;

    // The training staff confirm it.
    const staffCtx = await newContext(browser);
    const staff = await staffCtx.newPage();
    await signIn(staff, server.url, 'formation@demo.cci.fr');
    await staff.goto(`${server.url}/formation/sessions/${sessionId}`);
    await expectAccessible(staff);
    await staff.getByRole('row', { name: /Jeanne Web/ }).getByRole('button', { name: 'Confirmer' }).click();
    await staff.waitForLoadState('networkidle');
    await expect(staff.getByRole('row', { name: /Jeanne Web/ }).textContent()).resolves.toContain('Confirmée');

    // The sign-in sheet on a tablet: the trainee draws a signature on the pad.
    const tabletCtx = await browser.newContext({ bypassCSP: true, locale: 'fr-FR', viewport: { width: 768, height: 1024 }, isMobile: true, hasTouch: true });
    const tablet = await tabletCtx.newPage();
    await signIn(tablet, server.url, 'formation@demo.cci.fr');
    await tablet.goto(`${server.url}/formation/emargement/${slotId}`);
    await expectAccessible(tablet);
    const sheet = tablet.locator('li.training-sign-card', { hasText: 'Jeanne Web' });
    const pad = sheet.locator('svg.training-pad-surface');
    await pad.waitFor();
    const box = (await pad.boundingBox())!;
    await tablet.mouse.move(box.x + 20, box.y + box.height / 2);
    await tablet.mouse.down();
    for (let i = 1; i <= 12; i++) await tablet.mouse.move(box.x + 20 + i * 25, box.y + box.height / 2 + (i % 2 ? -20 : 20));
    await tablet.mouse.up();
    await expect(sheet.locator('input[name="signature"]').inputValue()).resolves.toMatch(/^M\d+ \d+ L/);
    await sheet.getByRole('button', { name: 'Signer' }).click();
    await tablet.waitForURL(new RegExp(`/formation/emargement/${slotId}$`));
    await expect(tablet.locator('li.training-sign-card', { hasText: 'Jeanne Web' }).textContent()).resolves.toContain('Signé');
    await expectAccessible(tablet);

    // The member now finds the certificates.
    await member.goto(`${server.url}${enrolmentPath}`);
    const link = member.getByRole('link', { name: 'Certificat de réalisation (PDF)' });
    await expect(link.count()).resolves.toBe(1);
    const pdf = await member.request.get(`${server.url}${await link.getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    await expectAccessible(member);
    await Promise.all([memberCtx.close(), staffCtx.close(), tabletCtx.close()]);
  });

  it('the public catalogue and the staff pages pass axe', async () => {
    const anon = await (await newContext(browser, { mobile: true })).newPage();
    await anon.goto(`${server.url}/formations`);
    await expectAccessible(anon);
    await anon.goto(`${server.url}/formations/excel-tableaux-croises-dynamiques`);
    await expectAccessible(anon);
    // The hot survey of a trainee of last month's sessions (its secret link), on a phone.
    const token = (await server.app.ctx.db.selectFrom('training_enrolments').select('survey_token').where('trainee_email', '=', 'hugo.perret@demo-entreprise.fr').orderBy('id').executeTakeFirstOrThrow()).survey_token;
    await anon.goto(`${server.url}/formations/avis/${token}`);
    await expectAccessible(anon);
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await signIn(page, server.url, 'formation@demo.cci.fr');
    for (const path of ['/formation', '/formation/sessions/nouvelle', '/formation/catalogue', '/formation/ressources', '/formation/factures', `/formation/paie?mois=${today.slice(0, 7)}`, '/formation/paie/1', '/formation/catalogue/1', '/formation/formateurs/1', '/formation/sessions/1', '/formation/emargement/1', '/formation/bilans']) {
      await page.goto(`${server.url}${path}`);
      await expectAccessible(page);
    }
    await ctx.close();
  });
});
