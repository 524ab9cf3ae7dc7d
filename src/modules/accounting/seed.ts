// Demo data: the CCI's bank account (a demo IBAN/BIC), a few entries of the current year in
// every journal (a training invoice, a supplier invoice, an expense claim, a manual OD) and two
// expense refunds ordered by the manager and batched by the accountant, so that the demo has a
// pain.001 file (`consulaire sepa --latest`) and a FEC with something in it.
import type { ModuleContext } from '../../platform/module.js';
import { demoActor } from '../../platform/seed.js';
import type { AccountingDb } from './accounting.table.js';
import { todayInParis } from './dates.js';
import { postEntry } from './entries.service.js';
import { createPaymentBatch, queuePayment, setDebtorAccount } from './payments.service.js';

export const DEMO_DEBTOR = { name: 'CCI Démo Loire-Rhône', iban: 'FR48 1027 8073 0000 0201 1740 133', bic: 'CMCIFR2A' };

/** A day of the current year, never after today (the demo starts any day of the year). */
function dayOfYear(today: string, month: number, day: number): string {
  const d = `${today.slice(0, 4)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return d <= today ? d : today;
}

export async function seedAccounting(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: AccountingDb = ctx.db;
  const [accountant, manager] = [await demoActor(db, 'compta@demo.cci.fr'), await demoActor(db, 'manager@demo.cci.fr')];
  if (!accountant || !manager) return;
  const today = todayInParis();
  const tx = <T>(fn: (trx: AccountingDb) => Promise<T>) => db.transaction().execute(fn);
  await tx((trx) => setDebtorAccount(trx, accountant, DEMO_DEBTOR));

  await tx((trx) =>
    postEntry(trx, accountant, {
      journal: 'VE', date: dayOfYear(today, 1, 15), label: 'Formation « Excel avancé » — Boulangerie Martin', pieceRef: 'FAC-DEMO-001', source: { module: 'accounting', id: 'demo-1' },
      lines: [
        { account: '411', accountLabel: 'Clients', auxAccount: 'C0001', auxLabel: 'Boulangerie Martin', debitCents: 144000, creditCents: 0 },
        { account: '7061', accountLabel: 'Prestations de formation', debitCents: 0, creditCents: 120000 },
        { account: '44571', accountLabel: 'TVA collectée', debitCents: 0, creditCents: 24000 },
      ],
    }),
  );
  await tx((trx) =>
    postEntry(trx, accountant, {
      journal: 'AC', date: dayOfYear(today, 2, 3), label: 'Honoraires formateur — atelier export', pieceRef: 'FF-2026-118', source: { module: 'accounting', id: 'demo-2' },
      lines: [
        { account: '6226', accountLabel: 'Honoraires', debitCents: 80000, creditCents: 0 },
        { account: '44566', accountLabel: 'TVA déductible sur autres biens et services', debitCents: 16000, creditCents: 0 },
        { account: '401', accountLabel: 'Fournisseurs', auxAccount: 'F0001', auxLabel: 'Conseil Export SARL', debitCents: 0, creditCents: 96000 },
      ],
    }),
  );
  await tx((trx) =>
    postEntry(trx, accountant, {
      journal: 'HA', date: dayOfYear(today, 3, 10), label: 'Note de frais — déplacement Lyon', pieceRef: 'NDF-DEMO-01', source: { module: 'accounting', id: 'demo-3' },
      lines: [
        { account: '6251', accountLabel: 'Voyages et déplacements', debitCents: 6850, creditCents: 0 },
        { account: '421', accountLabel: 'Personnel - rémunérations dues', auxAccount: 'S0011', auxLabel: 'Colin Collaborateur', debitCents: 0, creditCents: 6850 },
      ],
    }),
  );
  await tx((trx) =>
    postEntry(trx, accountant, {
      journal: 'OD', date: dayOfYear(today, 3, 31), label: 'Reclassement frais de réception', pieceRef: 'OD-DEMO-01', source: { module: 'accounting', id: 'manuel' },
      lines: [
        { account: '6257', accountLabel: 'Réceptions', debitCents: 12000, creditCents: 0 },
        { account: '6256', accountLabel: 'Missions', debitCents: 0, creditCents: 12000 },
      ],
    }),
  );

  // Two refunds ordered (approved) by the manager, paid by the accountant: orderer ≠ payer.
  const orders = [
    { beneficiaryName: 'Colin Collaborateur', iban: 'FR76 3000 4000 0312 3456 7890 143', bic: 'BNPAFRPP', amountCents: 6850, remittance: 'Remboursement note de frais NDF-DEMO-01 deplacement Lyon', auxAccount: 'S0011', id: 'demo-ndf-1' },
    { beneficiaryName: 'Claire Conseillère', iban: 'FR14 2004 1010 0505 0001 3M02 606', bic: 'PSSTFRPP', amountCents: 2140, remittance: 'Remboursement note de frais NDF-DEMO-02 repas client', auxAccount: 'S0004', id: 'demo-ndf-2' },
  ];
  const ids: number[] = [];
  for (const o of orders) {
    const { id } = await tx((trx) =>
      queuePayment(trx, manager, { beneficiaryName: o.beneficiaryName, iban: o.iban, bic: o.bic, amountCents: o.amountCents, remittance: o.remittance, orderedBy: manager.id!, account: '421', auxAccount: o.auxAccount, auxLabel: o.beneficiaryName, source: { module: 'accounting', id: o.id } }),
    );
    ids.push(id);
  }
  const batch = await tx((trx) => createPaymentBatch(trx, accountant, { executionDate: today, orderIds: ids }));
  log(`Comptabilité : 5 écritures, lot de virements ${batch.messageId} (${batch.count} virements), compte de la CCI ${DEMO_DEBTOR.iban}`);
}
