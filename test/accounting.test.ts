// Accounting services: IBAN/BIC checks, balanced entries and their gapless numbering, closing,
// reversal, payment orders and batches (orderer ≠ payer). Service level, one database per file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidBic, isValidIban, normaliseIban, postEntry, queuePayment, createPaymentBatch, setDebtorAccount, type EntryInput } from '../src/modules/accounting/index.js';
import { closePeriod, reverseEntry } from '../src/modules/accounting/entries.service.js';
import { sepaText } from '../src/modules/accounting/iban.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { isAppError, type AppError } from '../src/platform/errors.js';
import { actorOf } from './crm-fixtures.js';
import { count, makeUser, testDatabase, type TestDatabase } from './helpers.js';

let t: TestDatabase;
beforeAll(async () => (t = await testDatabase()));
afterAll(async () => t?.drop());

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

const sale = (over: Partial<EntryInput> = {}): EntryInput => ({
  journal: 'VE',
  date: '2026-03-02',
  label: 'Facture formation Excel',
  pieceRef: 'F2026-0001',
  source: { module: 'test', id: 1 },
  lines: [
    { account: '411', accountLabel: 'Clients', auxAccount: 'C0001', auxLabel: 'Boulangerie Martin', debitCents: 120000, creditCents: 0 },
    { account: '7061', accountLabel: 'Prestations de formation', debitCents: 0, creditCents: 100000 },
    { account: '44571', accountLabel: 'TVA collectée', debitCents: 0, creditCents: 20000 },
  ],
  ...over,
});

describe('IBAN and BIC', () => {
  it('accepts real IBANs (spaces, lower case) and refuses a wrong check digit, length or country', () => {
    expect(isValidIban('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(isValidIban('fr7630006000011234567890189')).toBe(true);
    expect(isValidIban('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(isValidIban('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(isValidIban('BE68 5390 0754 7034')).toBe(true);
    expect(isValidIban('FR76 3000 6000 0112 3456 7890 188')).toBe(false); // check digits
    expect(isValidIban('FR76 3000 6000 0112 3456 7890 18')).toBe(false); // FR is 27 long
    expect(isValidIban('DE89 3704 0044 0532 0130 001')).toBe(false); // DE is 22 long
    expect(isValidIban('XX76 3000 6000 0112 3456 7890 189')).toBe(false); // no such country
    expect(isValidIban('FR76-3000-6000-0112-3456-7890-189')).toBe(false);
    expect(isValidIban('')).toBe(false);
    expect(normaliseIban(' fr76 3000 6000 0112 3456 7890 189 ')).toBe('FR7630006000011234567890189');
  });

  it('BIC: 8 or 11 characters AAAABBCC(DDD)', () => {
    expect(isValidBic('AGRIFRPP')).toBe(true);
    expect(isValidBic('AGRIFRPP882')).toBe(true);
    expect(isValidBic('bnpafrppxxx')).toBe(true);
    expect(isValidBic('AGRIFRP')).toBe(false);
    expect(isValidBic('AGRIFRPP88')).toBe(false);
    expect(isValidBic('AGR1FRPP')).toBe(false); // bank code is letters
    expect(isValidBic('AGRI12PP')).toBe(false); // country is letters
  });

  it('SEPA text: accents transliterated, other characters dropped, length cut', () => {
    expect(sepaText('Hélène Œuvray & Fils — façade', 70)).toBe('Helene OEuvray Fils facade');
    expect(sepaText('x'.repeat(200), 140)).toHaveLength(140);
  });
});

describe('entries', () => {
  it('posts a balanced entry with the next number of its journal, and audits it', async () => {
    const a = await postEntry(t.db, SYSTEM_ACTOR, sale());
    const b = await postEntry(t.db, SYSTEM_ACTOR, sale({ pieceRef: 'F2026-0002' }));
    const c = await postEntry(t.db, SYSTEM_ACTOR, sale({ journal: 'AC', pieceRef: 'FA-1', lines: [
      { account: '6226', accountLabel: 'Honoraires', debitCents: 50000, creditCents: 0 },
      { account: '401', accountLabel: 'Fournisseurs', auxAccount: 'F0001', debitCents: 0, creditCents: 50000 },
    ] }));
    expect(a.number).toBe('VE000001');
    expect(b.number).toBe('VE000002');
    expect(c.number).toBe('AC000001');
    const lines = await t.db.selectFrom('accounting_lines').selectAll().where('entry_id', '=', a.id).orderBy('position').execute();
    expect(lines.map((l) => [l.account, Number(l.debit_cents), Number(l.credit_cents)])).toEqual([['411', 120000, 0], ['7061', 0, 100000], ['44571', 0, 20000]]);
    const audit = await t.db.selectFrom('audit_log').selectAll().where('entity', '=', 'accounting_entry').where('entity_id', '=', String(a.id)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].action).toBe('post');
  });

  it('refuses an unbalanced entry, a line with both or neither sides, one line, a bad journal or date: 422 with the field, nothing written', async () => {
    const before = await count(t.db, 'accounting_entries');
    const unbalanced = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ lines: [
      { account: '411', accountLabel: 'Clients', debitCents: 120000, creditCents: 0 },
      { account: '7061', accountLabel: 'Formation', debitCents: 0, creditCents: 100000 },
    ] })));
    expect(unbalanced.kind).toBe('invalid');
    expect(unbalanced.code).toBe('accounting.unbalanced');
    expect(unbalanced.fields.lines).toBe('accounting.unbalanced');
    expect(unbalanced.params).toMatchObject({ debit: '1200,00', credit: '1000,00' });

    const both = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ lines: [
      { account: '411', accountLabel: 'Clients', debitCents: 100, creditCents: 100 },
      { account: '7061', accountLabel: 'Formation', debitCents: 0, creditCents: 0 },
    ] })));
    expect(both.fields['lines.0.debitCents']).toBe('accounting.debit_xor_credit');
    expect(both.fields['lines.1.debitCents']).toBe('accounting.debit_xor_credit');

    const fraction = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ lines: [
      { account: '411', accountLabel: 'Clients', debitCents: 10.5, creditCents: 0 },
      { account: '7061', accountLabel: 'Formation', debitCents: 0, creditCents: 10.5 },
    ] })));
    expect(fraction.fields['lines.0.debitCents']).toBe('accounting.amount_invalid');
    const negative = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ lines: [
      { account: '411', accountLabel: 'Clients', debitCents: -100, creditCents: 0 },
      { account: '7061', accountLabel: 'Formation', debitCents: 0, creditCents: -100 },
    ] })));
    expect(negative.fields['lines.0.debitCents']).toBe('accounting.amount_invalid');

    const single = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ lines: [{ account: '411', accountLabel: 'Clients', debitCents: 100, creditCents: 0 }] })));
    expect(single.fields.lines).toBe('accounting.lines_min');
    // @ts-expect-error a journal that does not exist
    const journal = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ journal: 'XX' })));
    expect(journal.fields.journal).toBe('accounting.journal_unknown');
    const date = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ date: '2026-02-30' })));
    expect(date.fields.date).toBe('accounting.date_invalid');
    const account = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ lines: [
      { account: 'abc', accountLabel: 'Clients', debitCents: 100, creditCents: 0 },
      { account: '7061', accountLabel: '', debitCents: 0, creditCents: 100 },
    ] })));
    expect(account.fields['lines.0.account']).toBe('accounting.account_invalid');
    expect(account.fields['lines.1.accountLabel']).toBe('field.required');
    expect(await count(t.db, 'accounting_entries')).toBe(before);
    // the refused entries used no number: the next one follows without a gap
    const next = await postEntry(t.db, SYSTEM_ACTOR, sale({ pieceRef: 'F2026-0003' }));
    expect(next.number).toBe('VE000003');
  });

  it('a refused entry in a transaction rolls back with it; numbers stay gapless', async () => {
    const journals = await t.db.selectFrom('accounting_journals').select(['code', 'last_number']).where('code', '=', 'OD').executeTakeFirstOrThrow();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await postEntry(trx, SYSTEM_ACTOR, sale({ journal: 'OD' }));
        await postEntry(trx, SYSTEM_ACTOR, sale({ journal: 'OD', date: 'demain' }));
      }),
    ).rejects.toThrow();
    const after = await t.db.selectFrom('accounting_journals').select('last_number').where('code', '=', 'OD').executeTakeFirstOrThrow();
    expect(after.last_number).toBe(journals.last_number);
    expect((await postEntry(t.db, SYSTEM_ACTOR, sale({ journal: 'OD' }))).number).toBe(`OD${String(journals.last_number + 1).padStart(6, '0')}`);
  });

  it('a reversal swaps debit and credit; a closed period refuses postings on or before its date', async () => {
    const accountant = actorOf(await makeUser(t.db, ['accounting']));
    const staff = actorOf(await makeUser(t.db, ['staff']));
    const posted = await postEntry(t.db, SYSTEM_ACTOR, sale({ date: '2026-04-10', pieceRef: 'F-REV' }));
    expect((await failure(reverseEntry(t.db, staff, posted.id, '2026-04-11'))).kind).toBe('forbidden');
    const rev = await reverseEntry(t.db, accountant, posted.id, '2026-04-11');
    const lines = await t.db.selectFrom('accounting_lines').selectAll().where('entry_id', '=', rev.id).orderBy('position').execute();
    expect(lines.map((l) => [l.account, Number(l.debit_cents), Number(l.credit_cents)])).toEqual([['411', 0, 120000], ['7061', 100000, 0], ['44571', 20000, 0]]);
    expect((await failure(reverseEntry(t.db, accountant, posted.id, '2026-04-12'))).code).toBe('accounting.already_reversed');

    expect((await failure(closePeriod(t.db, staff, '2026-04-30'))).kind).toBe('forbidden');
    await closePeriod(t.db, accountant, '2026-04-30');
    const closed = await failure(postEntry(t.db, SYSTEM_ACTOR, sale({ date: '2026-04-30' })));
    expect(closed.fields.date).toBe('accounting.period_closed');
    expect((await postEntry(t.db, SYSTEM_ACTOR, sale({ date: '2026-05-01', pieceRef: 'F-MAY' }))).number).toMatch(/^VE\d{6}$/);
    expect((await failure(closePeriod(t.db, accountant, '2026-03-31'))).fields.closedThrough).toBe('accounting.closing_backwards');
  });
});

describe('payments', () => {
  const order = (orderedBy: number, over: Record<string, unknown> = {}) => ({
    beneficiaryName: 'Hélène Dupré',
    iban: 'FR76 3000 6000 0112 3456 7890 189',
    bic: 'AGRIFRPP882',
    amountCents: 4560,
    remittance: 'Note de frais 12 - déplacement Lyon',
    orderedBy,
    source: { module: 'test', id: 'NF-12' },
    account: '421',
    auxAccount: 'S0007',
    ...over,
  });

  it('queues an order; an invalid IBAN or BIC or amount is refused naming the field', async () => {
    const manager = await makeUser(t.db, ['manager']);
    const iban = await failure(queuePayment(t.db, SYSTEM_ACTOR, order(manager.id, { iban: 'FR76 3000 6000 0112 3456 7890 188' })));
    expect(iban.kind).toBe('invalid');
    expect(iban.fields.iban).toBe('accounting.iban_invalid');
    expect((await failure(queuePayment(t.db, SYSTEM_ACTOR, order(manager.id, { bic: 'AGRI' })))).fields.bic).toBe('accounting.bic_invalid');
    expect((await failure(queuePayment(t.db, SYSTEM_ACTOR, order(manager.id, { amountCents: 0 })))).fields.amountCents).toBe('accounting.amount_invalid');
    expect((await failure(queuePayment(t.db, SYSTEM_ACTOR, order(manager.id, { remittance: 'x'.repeat(141) })))).fields.remittance).toBe('accounting.remittance_too_long');
    expect(await count(t.db, 'accounting_payment_orders')).toBe(0);
    const { id } = await queuePayment(t.db, SYSTEM_ACTOR, order(manager.id));
    const row = await t.db.selectFrom('accounting_payment_orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.iban).toBe('FR7630006000011234567890189');
    expect(row.status).toBe('queued');
  });

  it('the one who ordered a spending may not pay it; another accountant batches it and the bank entry is posted', async () => {
    const orderer = await makeUser(t.db, ['accounting']);
    const payer = await makeUser(t.db, ['accounting']);
    const staff = await makeUser(t.db, ['staff']);
    await queuePayment(t.db, SYSTEM_ACTOR, order(orderer.id, { amountCents: 10000, account: '401', auxAccount: 'F0002', beneficiaryName: 'Formateur Indépendant' }));
    expect((await failure(createPaymentBatch(t.db, actorOf(staff), { executionDate: '2026-06-01' }))).kind).toBe('forbidden');
    expect((await failure(createPaymentBatch(t.db, actorOf(orderer), { executionDate: '2026-06-01' }))).code).toBe('accounting.batch_self_ordered');
    expect((await failure(createPaymentBatch(t.db, actorOf(payer), { executionDate: '2026-06-01' }))).code).toBe('accounting.debtor_missing');
    expect((await failure(setDebtorAccount(t.db, actorOf(staff), { name: 'CCI', iban: 'FR48 1027 8073 0000 0201 1740 133', bic: 'CMCIFR2A' }))).kind).toBe('forbidden');
    expect((await failure(setDebtorAccount(t.db, SYSTEM_ACTOR, { name: 'CCI', iban: 'FR48 1027 8073 0000 0201 1740 134', bic: 'CMCIFR2A' }))).fields.iban).toBe('accounting.iban_invalid');
    await setDebtorAccount(t.db, SYSTEM_ACTOR, { name: 'CCI Démo Loire-Rhône', iban: 'FR48 1027 8073 0000 0201 1740 133', bic: 'CMCIFR2A' });
    const batch = await createPaymentBatch(t.db, actorOf(payer), { executionDate: '2026-06-01' });
    expect(batch.count).toBe(2);
    expect(batch.totalCents).toBe(14560);
    expect(batch.messageId.length).toBeLessThanOrEqual(35);
    const orders = await t.db.selectFrom('accounting_payment_orders').selectAll().execute();
    expect(orders.every((o) => o.status === 'batched' && o.batch_id === batch.id)).toBe(true);
    const stored = await t.db.selectFrom('accounting_payment_batches').selectAll().where('id', '=', batch.id).executeTakeFirstOrThrow();
    expect(stored.xml).toContain('<NbOfTxs>2</NbOfTxs>');
    expect(stored.xml).toContain('<CtrlSum>145.60</CtrlSum>');
    expect(stored.xml).toContain('<Nm>Helene Dupre</Nm>');
    const entry = await t.db.selectFrom('accounting_entries').selectAll().where('id', '=', stored.entry_id!).executeTakeFirstOrThrow();
    expect(entry.journal_code).toBe('BQ');
    const lines = await t.db.selectFrom('accounting_lines').selectAll().where('entry_id', '=', entry.id).orderBy('position').execute();
    expect(lines.map((l) => [l.account, l.aux_account, Number(l.debit_cents), Number(l.credit_cents)])).toEqual([
      ['421', 'S0007', 4560, 0],
      ['401', 'F0002', 10000, 0],
      ['512', null, 0, 14560],
    ]);
    expect((await failure(createPaymentBatch(t.db, actorOf(payer), { executionDate: '2026-06-01' }))).fields.orderIds).toBe('accounting.batch_empty');
  });

  it('an order that names no account settles the third-party account its source credited (an expense claim: 421 and the aux)', async () => {
    const manager = await makeUser(t.db, ['manager']);
    const payer = actorOf(await makeUser(t.db, ['accounting']));
    const before = await queuePayment(t.db, SYSTEM_ACTOR, { beneficiaryName: 'Colin', iban: 'FR7630004000031234567890143', amountCents: 3000, remittance: 'NDF 7', orderedBy: manager.id, source: { module: 'claims', id: 7 } });
    await postEntry(t.db, SYSTEM_ACTOR, { journal: 'HA', date: '2026-06-02', label: 'NDF 7', pieceRef: 'NDF-7', source: { module: 'claims', id: 7 }, lines: [
      { account: '6251', accountLabel: 'Voyages et déplacements', debitCents: 3000, creditCents: 0 },
      { account: '421', accountLabel: 'Personnel', auxAccount: 'S0042', auxLabel: 'Colin', debitCents: 0, creditCents: 3000 },
    ] });
    const after = await queuePayment(t.db, SYSTEM_ACTOR, { beneficiaryName: 'Colin', iban: 'FR7630004000031234567890143', amountCents: 3000, remittance: 'NDF 7 bis', orderedBy: manager.id, source: { module: 'claims', id: 7 } });
    const queued = await t.db.selectFrom('accounting_payment_orders').select(['id', 'account', 'aux_account']).where('id', '=', after.id).executeTakeFirstOrThrow();
    expect([queued.account, queued.aux_account]).toEqual(['421', 'S0042']);
    const batch = await createPaymentBatch(t.db, payer, { executionDate: '2026-06-03', orderIds: [before.id, after.id] });
    const stored = await t.db.selectFrom('accounting_payment_batches').select('entry_id').where('id', '=', batch.id).executeTakeFirstOrThrow();
    const lines = await t.db.selectFrom('accounting_lines').selectAll().where('entry_id', '=', stored.entry_id!).orderBy('position').execute();
    expect(lines.map((l) => [l.account, l.aux_account, Number(l.debit_cents), Number(l.credit_cents)])).toEqual([
      ['421', 'S0042', 3000, 0],
      ['421', 'S0042', 3000, 0],
      ['512', null, 0, 6000],
    ]);
  });
});
