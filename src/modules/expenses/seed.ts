// Demo data: budget lines, refund profiles (valid demo IBANs) of the demo team, spending
// requests in every state (one above the threshold waiting for direction) and expense claims in
// every state, from a draft to a claim paid and posted. The team is the one the leave seed put
// under the demo manager; HR and accounting are the demo rh@ and compta@ accounts.
import type { Actor } from '../../platform/audit/audit.js';
import type { ModuleContext } from '../../platform/module.js';
import { demoActor } from '../../platform/seed.js';
import * as claims from './claims.service.js';
import * as config from './config.service.js';
import type { ExpensesDb } from './expenses.table.js';
import { storeReceipt } from './receipts.js';
import * as spending from './spending.service.js';

/** A French IBAN with its check digits computed (ISO 13616: mod 97 of BBAN + "FR00"). */
export function demoIban(bban: string): string {
  const digits = (bban + 'FR00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const ch of digits) rest = (rest * 10 + Number(ch)) % 97;
  return `FR${String(98 - rest).padStart(2, '0')}${bban}`;
}

/** A one-page PDF receipt (the demo's "scan"). */
function demoPdf(text: string): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n% ${text}\ntrailer<</Root 1 0 R>>\n%%EOF\n`, 'latin1');
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);

export async function seedExpenses(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: ExpensesDb = ctx.db;
  const [admin, manager, direction, compta, staff, adviser, doc, editor] = await Promise.all(
    ['admin@demo.cci.fr', 'manager@demo.cci.fr', 'direction@demo.cci.fr', 'compta@demo.cci.fr', 'collaborateur@demo.cci.fr', 'conseiller@demo.cci.fr', 'documentation@demo.cci.fr', 'redacteur@demo.cci.fr'].map((e) => demoActor(db, e)),
  );
  if (!admin || !manager || !direction || !compta || !staff || !adviser || !doc || !editor) return;
  const tx = <T>(fn: (trx: ExpensesDb) => Promise<T>) => db.transaction().execute(fn);
  // The demo team reports to the manager (the leave seed did it already; this holds without it).
  for (const a of [staff, adviser, doc, editor]) await db.updateTable('users').set({ manager_id: manager.id! }).where('id', '=', a.id!).where('manager_id', 'is', null).execute();
  const lines = [
    ['EVT', 'Événements et salons', '45000'],
    ['FORM', 'Formation du personnel', '30000'],
    ['INFO', 'Matériel et logiciels', '60000'],
    ['COM', 'Communication et impression', '25000'],
  ];
  const budget: Record<string, number> = {};
  for (const [code, label, amount] of lines) budget[code] = (await tx((trx) => config.createBudgetLine(trx, admin, { code, label, budget: amount }))).id;
  let made = 0;
  let account = 0;
  for (const a of [staff, adviser, doc, editor, manager]) {
    // Bank 30006, branch 00001, an 11-digit account number, a 2-digit RIB key: a 23-character French BBAN.
    const bban = `3000600001${String(4200000 + ++account).padStart(11, '0')}${String(10 + account * 7).slice(-2)}`;
    try {
      await tx((trx) => config.saveProfile(trx, a, { iban: demoIban(bban), bic: 'AGRIFRPP', vehicle_cv: a === adviser ? '5' : a === doc ? '4' : '', vehicle_electric: a === doc }));
    } catch (e) {
      log(`Expenses: the demo refund profile of ${a.label} was not saved (${(e as Error).message}).`);
    }
  }
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      made++;
    } catch (e) {
      log(`Expenses: the demo ${what} was not created (${(e as Error).message}${(e as { fields?: unknown }).fields ? ' ' + JSON.stringify((e as { fields?: unknown }).fields) : ''}).`);
    }
  };

  // ——— spending requests
  const file = (who: Actor, title: string, amount: string, line: string, supplier: string, why: string) =>
    tx((trx) => spending.createSpending(trx, who, { title, amount, budget_line_id: String(budget[line]), supplier_company_id: '', supplier_name: supplier, justification: why }));
  const decideS = (who: Actor, id: number, d: 'approve' | 'refuse' | 'send_back', comment = '') => tx((trx) => spending.decideSpending(trx, who, id, d, comment));
  await attempt('spending request pending at the manager', () => file(staff, 'Cartouches et papier pour l’accueil', '280,00', 'INFO', 'Bureau Vallée Saint-Étienne', 'Stock épuisé avant la rentrée des formations.'));
  await attempt('spending request waiting for direction', async () => {
    const s = await file(adviser, 'Stand au salon Industrie Lyon', '4 800,00', 'EVT', 'GL events Exhibitions', 'Présence de la CCI au salon, 3 jours, stand de 18 m² pour les conseillers industrie.');
    await decideS(manager, s.id, 'approve', 'D’accord, à valider par la direction (au-delà du seuil).');
  });
  await attempt('spending request approved by direction', async () => {
    const s = await file(doc, 'Abonnement base de données juridiques', '2 150,00', 'INFO', 'Lexbase', 'Renouvellement annuel, utilisé par le service formalités.');
    await decideS(manager, s.id, 'approve');
    await decideS(direction, s.id, 'approve', 'Accordé pour un an.');
  });
  await attempt('spending request approved', async () => {
    const s = await file(editor, 'Impression du guide des aides 2027', '640,00', 'COM', 'Imprimerie Reboul', '500 exemplaires pour les permanences.');
    await decideS(manager, s.id, 'approve');
  });
  await attempt('refused spending request', async () => {
    const s = await file(staff, 'Fauteuil ergonomique', '890,00', 'INFO', 'Bureau Vallée Saint-Étienne', 'Mal de dos.');
    await decideS(manager, s.id, 'refuse', 'À voir avec la médecine du travail, qui le prend en charge.');
  });
  await attempt('spending request sent back', async () => {
    const s = await file(adviser, 'Formation Excel avancé', '1 200,00', 'FORM', 'Cegos', 'Tableaux de bord du portefeuille.');
    await decideS(manager, s.id, 'send_back', 'Joignez un deuxième devis, s’il vous plaît.');
  });
  await attempt('withdrawn spending request', async () => {
    const s = await file(editor, 'Banque d’images', '300,00', 'COM', 'Adobe Stock', 'Illustrations des actualités.');
    await tx((trx) => spending.withdrawSpending(trx, editor, s.id));
  });

  // ——— expense claims
  const receipt = async (text: string) => {
    const r = await storeReceipt(ctx.config.dataDir, { bytes: demoPdf(text), filename: `${text}.pdf` });
    if ('error' in r) throw new Error(r.error);
    return r;
  };
  const line = (category: string, days: number, amount: string, supplier: string, description = '', km = '', cv = '') => ({ spent_on: daysAgo(days), category, description, supplier, amount, distance_km: km, fiscal_cv: cv, electric: false });
  const claim = async (who: Actor, title: string, items: ReturnType<typeof line>[]) => {
    const c = await tx((trx) => claims.createClaim(trx, who, { title }));
    for (const [i, l] of items.entries()) {
      const r = l.category === 'mileage' || l.category === 'meal_workplace' ? undefined : await receipt(`${title}-${i}-${who.id}`);
      await tx((trx) => claims.addLine(trx, who, c.id, l, r));
    }
    return c.id;
  };
  const submit = (who: Actor, id: number) => tx((trx) => claims.submitClaim(trx, who, id));
  const decideC = (who: Actor, id: number, d: 'approve' | 'refuse' | 'send_back', comment = '') => tx((trx) => claims.decideClaim(trx, who, id, d, comment));
  await attempt('draft claim', () => claim(staff, 'Déplacement à Roanne (brouillon)', [line('train', 3, '23,40', 'SNCF'), line('meal_restaurant', 3, '19,90', 'Brasserie du Marché')]));
  await attempt('claim at the manager', async () => {
    const id = await claim(adviser, 'Visites entreprises — Forez', [line('mileage', 12, '', '', 'Saint-Étienne – Montbrison – Feurs, visites', '142', '5'), line('meal_restaurant', 12, '27,50', 'Le Bistrot Forézien'), line('parking', 12, '6,20', 'Indigo Montbrison')]);
    await submit(adviser, id);
  });
  await attempt('claim at accounting’s check (over the ceiling)', async () => {
    const id = await claim(doc, 'Formation INPI à Paris', [line('train', 20, '112,00', 'SNCF'), line('lodging_paris', 20, '139,00', 'Hôtel Mercure Paris Gare de Lyon'), line('meal_restaurant', 20, '31,00', 'Le Train Bleu')]);
    await submit(doc, id);
    await decideC(manager, id, 'approve');
  });
  await attempt('claim checked, to pay', async () => {
    const id = await claim(editor, 'Reportage salon Made in Loire', [line('taxi', 30, '18,50', 'Taxi Stéphanois'), line('meal_travel', 30, '9,80', 'Boulangerie Paul')]);
    await submit(editor, id);
    await decideC(manager, id, 'approve');
    await decideC(compta, id, 'approve', 'Conforme.');
  });
  await attempt('claim paid and posted', async () => {
    const id = await claim(adviser, 'Visites entreprises — Gier', [line('mileage', 40, '', '', 'Saint-Étienne – Rive-de-Gier – Saint-Chamond', '86', '5'), line('tolls', 40, '4,30', 'APRR')]);
    await submit(adviser, id);
    await decideC(manager, id, 'approve');
    await decideC(compta, id, 'approve');
    await tx((trx) => claims.payClaim(trx, compta, id));
    await tx((trx) => claims.postClaim(trx, compta, id));
  });
  await attempt('claim paid, to post', async () => {
    const id = await claim(staff, 'Permanence à Firminy', [line('parking', 45, '3,60', 'Parking de l’Hôtel de ville')]);
    await submit(staff, id);
    await decideC(manager, id, 'approve');
    await decideC(compta, id, 'approve');
    await tx((trx) => claims.payClaim(trx, compta, id));
  });
  await attempt('refused claim', async () => {
    const id = await claim(staff, 'Repas d’équipe', [line('meal_restaurant', 8, '64,00', 'La Table de Marie')]);
    await submit(staff, id);
    await decideC(manager, id, 'refuse', 'Repas d’équipe non pris en charge en note de frais : passez par une demande de dépenses.');
  });
  await attempt('claim sent back', async () => {
    const id = await claim(doc, 'Rendez-vous greffe', [line('taxi', 6, '22,00', 'G7'), line('taxi', 6, '22,00', 'G7')]);
    await submit(doc, id);
    await decideC(manager, id, 'send_back', 'Deux fois le même taxi ? Retirez le doublon.');
  });
  await attempt('withdrawn claim', async () => {
    const id = await claim(editor, 'Achat de timbres', [line('other', 15, '12,80', 'La Poste')]);
    await submit(editor, id);
    await tx((trx) => claims.withdrawClaim(trx, editor, id));
  });
  log(`Expenses: 4 budget lines, 5 refund profiles, ${made} spending requests and expense claims (every state; one request above the threshold waiting for direction; claims from draft to paid and posted).`);
}
