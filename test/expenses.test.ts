// Expenses on both databases: rates as dated configuration, the refund profile (IBAN), an expense
// claim from draft to posted (ceilings, receipts downscaled, mileage on the cumulative yearly
// distance across two claims, duplicates shown to the checker, payment queued with accounting and
// the HA entry), spending requests below and above the direction threshold, every refusal of bad
// input (4xx, message, nothing written), permissions per role and the API.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountingModule, createPaymentBatch, setDebtorAccount } from '../src/modules/accounting/index.js';
import { approvalsModule } from '../src/modules/approvals/index.js';
import { contentModule } from '../src/modules/content/index.js';
import { expensesModule } from '../src/modules/expenses/index.js';
import { registryModule } from '../src/modules/registry/index.js';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { SYSTEM_ACTOR, type Actor } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { makeCompany, postMultipart, PDF } from './extranet-helpers.js';
import { agent, api, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';

let t: TestApp;
let staff: Agent, colleague: Agent, manager: Agent, compta: Agent, direction: Agent;
let ids: { staff: number; colleague: number; manager: number; compta: number; direction: number };
let budgetLineId: number;

const today = new Date().toISOString().slice(0, 10);
const IBAN = 'FR7630006000011234567890189';
const actorOf = (id: number, roles: string[]): Actor => ({ id, label: `u${id}`, kind: 'staff', roles, permissions: permissionsOf(roles) });
const claimIdOf = (location: unknown) => Number(String(location).split('/').pop()?.split('#')[0]);

async function photo(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 240, g: 230, b: 200 } } }).jpeg({ quality: 90 }).toBuffer();
}

async function addLine(a: Agent, claimId: number, fields: Record<string, string>, file?: { data: Buffer; filename: string; type: string }) {
  return postMultipart(t, a, `/notes-de-frais/${claimId}/lignes`, fields, file ? [{ name: 'receipt', ...file }] : []);
}

async function newClaim(a: Agent, title: string): Promise<number> {
  const res = await a.post('/notes-de-frais', { title });
  expect(res.status).toBe(302);
  return claimIdOf(res.headers.location);
}

const claimRow = (id: number) => t.db.selectFrom('expense_claims').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const linesOf = (id: number) => t.db.selectFrom('expense_lines').selectAll().where('claim_id', '=', id).orderBy('id').execute();

beforeAll(async () => {
  t = await createTestApp({ modules: [contentModule, registryModule, accountingModule, approvalsModule, expensesModule] });
  const m = await makeUser(t.db, ['manager'], { name: 'Martine Manager' });
  const s = await makeUser(t.db, ['staff'], { name: 'Sophie Salariée' });
  const c = await makeUser(t.db, ['staff'], { name: 'Carl Collègue' });
  const a = await makeUser(t.db, ['accounting'], { name: 'Anne Comptable' });
  const d = await makeUser(t.db, ['direction'], { name: 'Denis Directeur' });
  ids = { staff: s.id, colleague: c.id, manager: m.id, compta: a.id, direction: d.id };
  await t.db.updateTable('users').set({ manager_id: m.id }).where('id', 'in', [s.id, c.id]).execute();
  [staff, colleague, manager, compta, direction] = [agent(t), agent(t), agent(t), agent(t), agent(t)];
  await staff.signIn(s.email);
  await colleague.signIn(c.email);
  await manager.signIn(m.email);
  await compta.signIn(a.email);
  await direction.signIn(d.email);
  expect((await compta.post('/depenses/lignes-budgetaires', { code: 'evt', label: 'Événements', budget: '10 000' })).status).toBe(302);
  budgetLineId = (await t.db.selectFrom('expense_budget_lines').select('id').where('code', '=', 'EVT').executeTakeFirstOrThrow()).id;
});
afterAll(async () => t?.close());

describe('configuration', () => {
  it('the 2026 rates are seeded; accounting adds a dated rate; bad ones change nothing', async () => {
    const page = await compta.get('/notes-de-frais/baremes');
    expect(page.status).toBe(200);
    for (const v of ['7,50', '10,40', '21,40', '76,60', '56,80', '0,529', '0,394 + 1515']) expect(page.body).toContain(v);
    expect((await staff.get('/notes-de-frais/baremes')).status).toBe(403);
    const before = await count(t.db, 'expense_rates');
    const bad = await compta.post('/notes-de-frais/baremes', { kind: 'meal_restaurant', valid_from: '2027-13-01', amount: '-3' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Date invalide');
    expect(bad.body).toContain('nombre positif');
    const badScale = await compta.post('/notes-de-frais/baremes', { kind: 'mileage', valid_from: '2030-01-01', scale: '3 | 0,5 | nope | 0,3\n7+ | 1 | 1 | 1', bonus: '20' });
    expect(badScale.status).toBe(422);
    expect(await count(t.db, 'expense_rates')).toBe(before);
    expect((await compta.post('/notes-de-frais/baremes', { kind: 'meal_restaurant', valid_from: '2030-01-01', amount: '22,00', note: 'test' })).status).toBe(302);
    expect(await count(t.db, 'expense_rates')).toBe(before + 1);
    expect(await count(t.db, 'audit_log', ['entity', 'expense_rate'])).toBe(1);
    // The same kind twice on one date is refused.
    expect((await compta.post('/notes-de-frais/baremes', { kind: 'meal_restaurant', valid_from: '2030-01-01', amount: '23' })).status).toBe(422);
  });

  it('an invalid IBAN is a 422 on the field, in French and English, and nothing is saved', async () => {
    const bad = await staff.post('/notes-de-frais/profil', { iban: 'FR76 3000 6000 0112 3456 7890 188', vehicle_cv: '5' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('IBAN invalide');
    expect(bad.body).toContain('aria-invalid="true"');
    expect(await count(t.db, 'expense_profiles')).toBe(0);
    const en = agent(t);
    await en.signIn((await t.db.selectFrom('users').select('email').where('id', '=', ids.colleague).executeTakeFirstOrThrow()).email);
    await en.get('/lang/en');
    expect((await en.post('/notes-de-frais/profil', { iban: 'GB00 1234' })).body).toContain('Invalid IBAN');
    expect((await staff.post('/notes-de-frais/profil', { iban: 'fr76 3000 6000 0112 3456 7890 189', vehicle_cv: '5' })).status).toBe(302);
    const profile = await t.db.selectFrom('expense_profiles').selectAll().where('user_id', '=', ids.staff).executeTakeFirstOrThrow();
    expect(profile.iban).toBe(IBAN);
    const audit = await t.db.selectFrom('audit_log').select('changes').where('entity', '=', 'expense_profile').executeTakeFirstOrThrow();
    expect(String(audit.changes)).not.toContain('1234567890189');
  });
});

describe('an expense claim from draft to posted', () => {
  let claim: number;

  it('a line over the ceiling is capped and flagged; a photo is downscaled; bad lines change nothing', async () => {
    claim = await newClaim(staff, 'Mission à Paris');
    const big = await photo(3000, 2000);
    const res = await addLine(staff, claim, { spent_on: today, category: 'meal_restaurant', amount: '31,00', supplier: 'Le Train Bleu' }, { data: big, filename: 'ticket.jpg', type: 'image/jpeg' });
    expect(res.status).toBe(302);
    const [line] = await linesOf(claim);
    expect(line).toMatchObject({ amount_cents: 3100, refund_cents: 2140, capped: 1, ceiling_cents: 2140, receipt_mime: 'image/jpeg' });
    const meta = await sharp(big).metadata();
    expect(meta.width).toBe(3000); // the original…
    const served = await t.app.fastify.inject({ method: 'GET', url: `/notes-de-frais/${claim}/justificatifs/${line.id}`, headers: { cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-security-policy']).toContain('sandbox');
    const kept = await sharp(served.rawPayload).metadata();
    expect(Math.max(kept.width ?? 0, kept.height ?? 0)).toBe(2000); // …kept at 2,000 px at most
    const page = await staff.get(`/notes-de-frais/${claim}`);
    expect(page.body).toContain('Plafonné à 21,40');

    const before = { lines: await count(t.db, 'expense_lines'), audit: await count(t.db, 'audit_log') };
    for (const [fields, field, message] of [
      [{ spent_on: today, category: 'taxi', amount: '0', supplier: 'G7' }, 'amount', 'nombre positif'],
      [{ spent_on: today, category: 'taxi', amount: '-12', supplier: 'G7' }, 'amount', 'nombre positif'],
      [{ spent_on: today, category: 'spa', amount: '12', supplier: 'X' }, 'category', 'catégorie de la liste'],
      [{ spent_on: '2099-01-01', category: 'taxi', amount: '12', supplier: 'G7' }, 'spent_on', 'futur'],
      [{ spent_on: today, category: 'mileage', distance_km: '0', description: 'trajet' }, 'distance_km', '1 à 5 000 km'],
    ] as const) {
      const r = await addLine(staff, claim, fields);
      expect(r.status, field).toBe(422);
      expect(r.body).toContain(message);
      expect(r.body).toContain(`id="f-${field}-error"`);
    }
    expect(await count(t.db, 'expense_lines')).toBe(before.lines);
    expect(await count(t.db, 'audit_log')).toBe(before.audit);
  });

  it('a 30 MB receipt gets a clear 422 and changes nothing; a text file is refused too', async () => {
    const before = { lines: await count(t.db, 'expense_lines'), audit: await count(t.db, 'audit_log') };
    const huge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(30 * 1024 * 1024, 7)]);
    const r = await addLine(staff, claim, { spent_on: today, category: 'taxi', amount: '25', supplier: 'G7' }, { data: huge, filename: 'photo.jpg', type: 'image/jpeg' });
    expect(r.status).toBe(422);
    expect(r.body).toContain('Le justificatif dépasse 10 Mo');
    expect(r.body).toContain('25'); // the values as typed
    const txt = await addLine(staff, claim, { spent_on: today, category: 'taxi', amount: '25', supplier: 'G7' }, { data: Buffer.from('not a receipt'), filename: 'a.exe', type: 'application/octet-stream' });
    expect(txt.status).toBe(422);
    expect(txt.body).toContain('photo (JPEG, PNG, WebP) ou un PDF');
    expect(await count(t.db, 'expense_lines')).toBe(before.lines);
    expect(await count(t.db, 'audit_log')).toBe(before.audit);
  });

  it('mileage is priced on the scale; sending needs receipts; the manager then accounting approve', async () => {
    expect((await addLine(staff, claim, { spent_on: today, category: 'mileage', distance_km: '4900', description: 'Tournée des antennes' })).status).toBe(302);
    const mileage = (await linesOf(claim)).find((l) => l.category === 'mileage')!;
    expect(mileage).toMatchObject({ distance_km: 4900, fiscal_cv: 5, refund_cents: 311640, year_km_before: 0 }); // 4900 × 0.636, the profile's 5 CV
    // A taxi without its receipt: the claim cannot be sent.
    expect((await addLine(staff, claim, { spent_on: today, category: 'taxi', amount: '18,50', supplier: 'G7' })).status).toBe(302);
    const refused = await staff.post(`/notes-de-frais/${claim}/soumettre`);
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('justificatif');
    expect((await claimRow(claim)).status).toBe('draft');
    const taxi = (await linesOf(claim)).find((l) => l.category === 'taxi')!;
    expect((await staff.post(`/notes-de-frais/${claim}/lignes/${taxi.id}/supprimer`)).status).toBe(302);
    expect((await addLine(staff, claim, { spent_on: today, category: 'taxi', amount: '18,50', supplier: 'G7' }, { data: PDF, filename: 'taxi.pdf', type: 'application/pdf' })).status).toBe(302);
    expect((await staff.post(`/notes-de-frais/${claim}/soumettre`)).status).toBe(302);
    let row = await claimRow(claim);
    expect(row).toMatchObject({ status: 'submitted', claimed_cents: 3100 + 311640 + 1850, refund_cents: 2140 + 311640 + 1850 });
    // Nobody approves their own claim; a colleague sees nothing; accounting does not decide before the manager.
    expect((await staff.post(`/notes-de-frais/${claim}/decider`, { decision: 'approve' })).status).toBe(403);
    expect((await colleague.get(`/notes-de-frais/${claim}`)).status).toBe(404);
    expect((await compta.post(`/notes-de-frais/${claim}/decider`, { decision: 'approve' })).status).toBe(403);
    // The manager sees the claim among those to approve, then approves it.
    expect((await manager.get('/notes-de-frais')).body).toContain('Mission à Paris');
    expect((await manager.post(`/notes-de-frais/${claim}/decider`, { decision: 'approve' })).status).toBe(302);
    expect((await claimRow(claim)).status).toBe('submitted');
    // Accounting's list has it to check, with the capped line flagged on its page.
    expect((await compta.get('/notes-de-frais/controle')).body).toContain('Mission à Paris');
    const checkPage = await compta.get(`/notes-de-frais/${claim}`);
    expect(checkPage.body).toContain('Plafonné à 21,40');
    expect((await compta.post(`/notes-de-frais/${claim}/decider`, { decision: 'approve', comment: 'Conforme' })).status).toBe(302);
    row = await claimRow(claim);
    expect(row).toMatchObject({ status: 'checked', ordered_by: ids.manager });
  });

  it('accounting queues the refund (ordered by the manager) and posts it in the HA journal', async () => {
    // The manager holds no expenses:check; the owner may not pay their own claim even with it.
    expect((await manager.post(`/notes-de-frais/${claim}/payer`)).status).toBe(403);
    expect((await compta.post(`/notes-de-frais/${claim}/comptabiliser`)).status).toBe(409); // not paid yet
    expect((await compta.post(`/notes-de-frais/${claim}/payer`)).status).toBe(302);
    const row = await claimRow(claim);
    expect(row.status).toBe('paid');
    const order = await t.db.selectFrom('accounting_payment_orders').selectAll().where('id', '=', row.payment_order_id!).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ amount_cents: row.refund_cents, ordered_by: ids.manager, source_module: 'expenses', source_id: String(claim), status: 'queued' });
    expect(order.iban).toBe(IBAN);
    // The one who ordered it may not batch it; accounting may.
    await t.db.transaction().execute((trx) => setDebtorAccount(trx, actorOf(ids.compta, ['accounting']), { name: 'CCI Test', iban: 'FR1420041010050500013M02606', bic: 'PSSTFRPPLIL' }));
    await expect(t.db.transaction().execute((trx) => createPaymentBatch(trx, actorOf(ids.manager, ['manager', 'accounting']), { executionDate: today, orderIds: [order.id] }))).rejects.toMatchObject({ kind: 'forbidden' });
    const batch = await t.db.transaction().execute((trx) => createPaymentBatch(trx, actorOf(ids.compta, ['accounting']), { executionDate: today, orderIds: [order.id] }));
    expect(batch.totalCents).toBe(row.refund_cents);

    const posted = await compta.post(`/notes-de-frais/${claim}/comptabiliser`);
    expect(posted.status).toBe(302);
    const done = await claimRow(claim);
    expect(done.status).toBe('posted');
    expect(done.entry_number).toBeTruthy();
    const lines = await t.db.selectFrom('accounting_lines').selectAll().where('entry_id', '=', done.entry_id!).execute();
    const sum = (k: 'debit_cents' | 'credit_cents') => lines.reduce((s, l) => s + Number(l[k]), 0);
    expect(sum('debit_cents')).toBe(done.refund_cents);
    expect(sum('credit_cents')).toBe(done.refund_cents);
    expect(lines.find((l) => l.account === '421')?.credit_cents).toBe(done.refund_cents);
    expect(lines.find((l) => l.account === '6251')?.debit_cents).toBe(311640 + 1850);
    expect(lines.find((l) => l.account === '6256')?.debit_cents).toBe(2140);
    expect(await count(t.db, 'audit_log', ['entity', 'expense_claim'])).toBeGreaterThan(6);
  });

  it('a second claim carries the year’s distance: the band of the new total, minus what was granted', async () => {
    const second = await newClaim(staff, 'Tournée de novembre');
    expect((await addLine(staff, second, { spent_on: today, category: 'mileage', distance_km: '200', description: 'Roanne et retour' })).status).toBe(302);
    const [line] = await linesOf(second);
    // (4900 + 200) × 0.357 + 1395 = 3215.70 € for the year, 3116.40 € already granted.
    expect(line).toMatchObject({ year_km_before: 4900, refund_cents: 321570 - 311640 });
    expect((await staff.get(`/notes-de-frais/${second}`)).body).toContain('4900 km');
    // Sent, sent back with a reason, corrected and sent again: the route starts over at the manager.
    expect((await staff.post(`/notes-de-frais/${second}/soumettre`)).status).toBe(302);
    expect((await staff.post(`/notes-de-frais/${second}/lignes/${line.id}/supprimer`)).status).toBe(409); // not editable while submitted
    expect((await manager.post(`/notes-de-frais/${second}/decider`, { decision: 'send_back', comment: 'Précisez le motif.' })).status).toBe(302);
    expect(await claimRow(second)).toMatchObject({ status: 'changes_requested', reason: 'Précisez le motif.' });
    expect((await staff.post(`/notes-de-frais/${second}/lignes/${line.id}/supprimer`)).status).toBe(302);
    expect((await addLine(staff, second, { spent_on: today, category: 'mileage', distance_km: '200', description: 'Roanne et retour : rendez-vous Boiron' })).status).toBe(302);
    expect((await staff.post(`/notes-de-frais/${second}/soumettre`)).status).toBe(302);
    expect(await claimRow(second)).toMatchObject({ status: 'submitted', refund_cents: 321570 - 311640 });
    expect((await manager.get('/notes-de-frais')).body).toContain('Tournée de novembre');
  });

  it('duplicates (same amount, day and supplier, or the same file) are shown to the checker', async () => {
    const other = await newClaim(colleague, 'Même taxi');
    expect((await addLine(colleague, other, { spent_on: today, category: 'taxi', amount: '18,50', supplier: 'g7 ' }, { data: PDF, filename: 'copie.pdf', type: 'application/pdf' })).status).toBe(302);
    // No refund profile yet: the claim is not sent, and the page says why.
    const noIban = await colleague.post(`/notes-de-frais/${other}/soumettre`);
    expect(noIban.status).toBe(422);
    expect(noIban.body).toContain('Renseignez votre IBAN');
    expect((await claimRow(other)).status).toBe('draft');
    await colleague.post('/notes-de-frais/profil', { iban: IBAN });
    expect((await colleague.post(`/notes-de-frais/${other}/soumettre`)).status).toBe(302);
    expect((await manager.post(`/notes-de-frais/${other}/decider`, { decision: 'approve' })).status).toBe(302);
    const page = await compta.get(`/notes-de-frais/${other}`);
    expect(page.body).toContain('même fichier que la ligne de Sophie Salariée');
    // The colleague sees no line of another person's claim.
    expect((await colleague.get(`/notes-de-frais/${other}`)).body).not.toContain('Sophie Salariée');
    // A refusal carries its reason.
    expect((await compta.post(`/notes-de-frais/${other}/decider`, { decision: 'refuse' })).status).toBe(422);
    expect((await compta.post(`/notes-de-frais/${other}/decider`, { decision: 'refuse', comment: 'Doublon du taxi de Sophie.' })).status).toBe(302);
    expect(await claimRow(other)).toMatchObject({ status: 'refused', reason: 'Doublon du taxi de Sophie.' });
  });
});

describe('spending requests', () => {
  it('bad input: amount ≤ 0, unknown budget line, no supplier → 422 with messages, nothing written', async () => {
    const before = { s: await count(t.db, 'expense_spending_requests'), a: await count(t.db, 'approval_requests') };
    const r = await postMultipart(t, staff, '/depenses', { title: 'Stand', amount: '0', budget_line_id: '999999', justification: '' });
    expect(r.status).toBe(422);
    expect(r.body).toContain('nombre positif');
    expect(r.body).toContain('ligne budgétaire n’existe pas');
    expect(r.body).toContain('saisissez son nom');
    expect(await count(t.db, 'expense_spending_requests')).toBe(before.s);
    expect(await count(t.db, 'approval_requests')).toBe(before.a);
  });

  it('below the threshold the manager decides alone; above it, direction approves after the manager', async () => {
    const company = await makeCompany(t.db, 'Imprimerie Fournisseur');
    const small = await postMultipart(t, staff, '/depenses', { title: 'Affiches', amount: '450,00', budget_line_id: String(budgetLineId), supplier_company_id: String(company.id), justification: 'Salon' }, [
      { name: 'quotes', filename: 'devis.pdf', type: 'application/pdf', data: PDF },
      { name: 'quotes', filename: 'devis-2.jpg', type: 'image/jpeg', data: await photo(800, 600) },
    ]);
    expect(small.status).toBe(302);
    const smallId = claimIdOf(small.headers.location);
    const row = await t.db.selectFrom('expense_spending_requests').selectAll().where('id', '=', smallId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ supplier_company_id: company.id, supplier_name: 'Imprimerie Fournisseur', amount_cents: 45000, status: 'pending' });
    expect(await count(t.db, 'expense_quotes', ['spending_request_id', smallId])).toBe(2);
    expect((await manager.post(`/depenses/${smallId}/decider`, { decision: 'approve' })).status).toBe(302);
    expect((await t.db.selectFrom('expense_spending_requests').select('status').where('id', '=', smallId).executeTakeFirstOrThrow()).status).toBe('approved');

    const big = await postMultipart(t, staff, '/depenses', { title: 'Stand au salon', amount: '4 800', budget_line_id: String(budgetLineId), supplier_name: 'GL events', justification: 'Salon régional' });
    expect(big.status).toBe(302);
    const bigId = claimIdOf(big.headers.location);
    expect((await direction.get(`/depenses/${bigId}`)).status).toBe(404); // not its step yet
    expect((await manager.post(`/depenses/${bigId}/decider`, { decision: 'approve' })).status).toBe(302);
    expect((await t.db.selectFrom('expense_spending_requests').select('status').where('id', '=', bigId).executeTakeFirstOrThrow()).status).toBe('pending');
    const page = await direction.get('/depenses');
    expect(page.body).toContain('Stand au salon');
    expect((await direction.get(`/depenses/${bigId}`)).body).toContain('Direction');
    expect((await direction.post(`/depenses/${bigId}/decider`, { decision: 'approve' })).status).toBe(302);
    expect((await t.db.selectFrom('expense_spending_requests').select('status').where('id', '=', bigId).executeTakeFirstOrThrow()).status).toBe('approved');
    const history = (await staff.get(`/depenses/${bigId}`)).body;
    expect(history).toContain('Historique');
    expect(history).toContain('Approuvée définitivement');
    // Others' requests are invisible.
    expect((await colleague.get(`/depenses/${bigId}`)).status).toBe(404);
    expect((await colleague.get(`/depenses/${bigId}/devis/1`)).status).toBe(404);
  });

  it('a request sent back is corrected and goes through the route again', async () => {
    const r = await postMultipart(t, colleague, '/depenses', { title: 'Formation', amount: '900', budget_line_id: String(budgetLineId), supplier_name: 'Cegos', justification: 'Excel' });
    const id = claimIdOf(r.headers.location);
    expect((await manager.post(`/depenses/${id}/decider`, { decision: 'send_back' })).status).toBe(422); // a comment is required
    expect((await manager.post(`/depenses/${id}/decider`, { decision: 'send_back', comment: 'Un deuxième devis ?' })).status).toBe(302);
    expect((await colleague.post(`/depenses/${id}/renvoyer`, { title: 'Formation', amount: '-1', budget_line_id: String(budgetLineId), supplier_name: 'Cegos', justification: 'Excel' })).status).toBe(422);
    expect((await colleague.post(`/depenses/${id}/renvoyer`, { title: 'Formation', amount: '850', budget_line_id: String(budgetLineId), supplier_name: 'Cegos', justification: 'Excel, deux devis' })).status).toBe(302);
    expect(await t.db.selectFrom('expense_spending_requests').select(['status', 'amount_cents']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ status: 'pending', amount_cents: 85000 });
  });
});

describe('permissions and the API', () => {
  it('staff are refused accounting’s and the administrators’ pages; anonymous people are sent to sign in', async () => {
    for (const url of ['/notes-de-frais/controle', '/notes-de-frais/baremes', '/depenses/lignes-budgetaires']) expect((await staff.get(url)).status, url).toBe(403);
    expect((await staff.post(`/notes-de-frais/1/payer`)).status).toBe(403);
    expect((await staff.post('/depenses/lignes-budgetaires', { code: 'X1', label: 'x' })).status).toBe(403);
    const anon = await agent(t).get('/notes-de-frais');
    expect([302, 401]).toContain(anon.status);
  });

  it('per role: HR, direction and a manager of another team are refused accounting’s pages and see no one else’s claim', async () => {
    const hrUser = await makeUser(t.db, ['hr']);
    const otherManager = await makeUser(t.db, ['manager']);
    const claim = await t.db.selectFrom('expense_claims').select(['id', 'approval_id']).where('user_id', '=', ids.staff).where('title', '=', 'Mission à Paris').executeTakeFirstOrThrow();
    // HR reads every request of the approval engine (approvals:admin), but not an expense claim:
    // neither its page on the engine, nor its type's export.
    expect(claim.approval_id).toBeTruthy();
    const hr = agent(t);
    await hr.signIn(hrUser.email);
    expect((await hr.get(`/demandes/${claim.approval_id}`)).status).toBe(404);
    const claimType = await t.db.selectFrom('approval_types').select('id').where('owner', '=', 'expenses').executeTakeFirstOrThrow();
    expect((await hr.get(`/demandes/types/${claimType.id}/export.csv`)).status).toBe(404);
    expect((await manager.get(`/demandes/${claim.approval_id}`)).status).toBe(200); // the approver on its route
    for (const [u, who] of [[hrUser, 'hr'], [otherManager, 'manager']] as const) {
      const a = agent(t);
      await a.signIn(u.email);
      for (const url of ['/notes-de-frais/controle', '/notes-de-frais/baremes', '/depenses/lignes-budgetaires']) expect((await a.get(url)).status, `${who} ${url}`).toBe(403);
      expect((await a.get(`/notes-de-frais/${claim.id}`)).status, who).toBe(404);
      expect((await a.get(`/notes-de-frais/${claim.id}/justificatifs/1`)).status, who).toBe(404);
      expect((await a.post(`/notes-de-frais/${claim.id}/decider`, { decision: 'approve' })).status, who).toBe(404);
      expect((await a.get('/notes-de-frais')).body).not.toContain('Mission à Paris');
    }
    expect((await direction.get(`/notes-de-frais/${claim.id}`)).status).toBe(404);
    // The staff member's manager sees the claim of their team member; accounting sees it once sent.
    expect((await manager.get(`/notes-de-frais/${claim.id}`)).status).toBe(200);
    expect((await compta.get(`/notes-de-frais/${claim.id}`)).status).toBe(200);
  });

  it('a token reads and files the owner’s claims within its scopes; others’ claims are invisible', async () => {
    const read = await createApiToken(t.db, SYSTEM_ACTOR, ids.colleague, { name: 'r', scopes: ['expenses:read'], days: 1 });
    const write = await createApiToken(t.db, SYSTEM_ACTOR, ids.colleague, { name: 'w', scopes: ['expenses:write'], days: 1 });
    const list = await api(t, 'GET', '/api/v1/expenses/claims', read.token);
    expect(list.status).toBe(200);
    expect(list.json().items.every((c: { title: string }) => c.title === 'Même taxi')).toBe(true);
    const mine = await t.db.selectFrom('expense_claims').select('id').where('user_id', '=', ids.staff).executeTakeFirstOrThrow();
    expect((await api(t, 'GET', `/api/v1/expenses/claims/${mine.id}`, read.token)).status).toBe(404);
    const body = { title: 'Par l’API', lines: [{ date: today, category: 'parking', amount: '4,20', supplier: 'Indigo', receipt: { filename: 'p.pdf', contentBase64: PDF.toString('base64') } }] };
    expect((await api(t, 'POST', '/api/v1/expenses/claims', read.token, body)).status).toBe(403);
    const before = await count(t.db, 'expense_claims');
    const bad = await api(t, 'POST', '/api/v1/expenses/claims', write.token, { title: 'Mauvais', lines: [{ date: today, category: 'taxi', amount: '0', supplier: 'G7' }] });
    expect(bad.status).toBe(422);
    expect(bad.json().errors['lines.0.amount']).toBeTruthy();
    expect(await count(t.db, 'expense_claims')).toBe(before);
    const created = await api(t, 'POST', '/api/v1/expenses/claims', write.token, body);
    expect(created.status).toBe(201);
    expect(created.json().lines[0]).toMatchObject({ amountCents: 420, hasReceipt: true });
    const submitted = await api(t, 'POST', `/api/v1/expenses/claims/${created.json().id}/submit`, write.token);
    expect(submitted.status).toBe(200);
    expect(submitted.json().status).toBe('submitted');
    const spend = await api(t, 'POST', '/api/v1/expenses/spending-requests', write.token, { title: 'Licence', amount: '120', budgetLine: 'NOPE', justification: 'x' });
    expect(spend.status).toBe(422);
    expect(spend.json().errors.budget_line_id).toBeTruthy();
    const ok = await api(t, 'POST', '/api/v1/expenses/spending-requests', write.token, { title: 'Licence', amount: '120', budgetLine: 'evt', supplierName: 'Éditeur', justification: 'x' });
    expect(ok.status).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'pending', amountCents: 12000, budgetLine: 'EVT' });
    const doc = (await api(t, 'GET', '/api/openapi.json')).json();
    expect(doc.paths['/api/v1/expenses/claims'].post).toBeTruthy();
    expect(doc.paths['/api/v1/expenses/spending-requests/{id}/submit'].post).toBeTruthy();
  });
});
