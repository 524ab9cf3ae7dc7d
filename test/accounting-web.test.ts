// Accounting through HTTP, the API and the command line: access per role, the manual OD entry
// form, the FEC checked by an independent validator written here, the pain.001 checked against
// the ISO 20022 XSD (xmllint-wasm), and `consulaire fec` / `consulaire sepa --latest`.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { accountingModule, postEntry, queuePayment, setDebtorAccount, type EntryInput } from '../src/modules/accounting/index.js';
import { run } from '../src/main.js';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import type { User } from '../src/platform/auth/users.js';
import { agent, api, count, createTestApp, makeUser, type Agent, type TestApp } from './helpers.js';

let t: TestApp;
let accountant: User;
let payer: User;
let direction: User;
let staff: User;
let asAccountant: Agent;
let asPayer: Agent;
let asDirection: Agent;
let asStaff: Agent;

beforeAll(async () => {
  t = await createTestApp({ modules: [accountingModule] });
  [accountant, payer, direction, staff] = await Promise.all([makeUser(t.db, ['accounting']), makeUser(t.db, ['accounting']), makeUser(t.db, ['direction']), makeUser(t.db, ['staff'])]);
  [asAccountant, asPayer, asDirection, asStaff] = [agent(t), agent(t), agent(t), agent(t)];
  await asAccountant.signIn(accountant.email);
  await asPayer.signIn(payer.email);
  await asDirection.signIn(direction.email);
  await asStaff.signIn(staff.email);
});
afterAll(async () => t?.close());

const FEC_HEADER = ['JournalCode', 'JournalLib', 'EcritureNum', 'EcritureDate', 'CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'PieceRef', 'PieceDate', 'EcritureLib', 'Debit', 'Credit', 'EcritureLet', 'DateLet', 'ValidDate', 'Montantdevise', 'Idevise'];

/**
 * An independent check of a FEC (BOI-CF-IOR-60-40-20 layout as DOMAIN.md states it), written
 * from the rules, not from the exporter: returns the entries it read, throws on the first fault.
 */
function validateFec(text: string, from: string, to: string): { entries: number; lines: number; dates: string[] } {
  const sep = text.includes('\t') && !text.includes('|') ? '\t' : '|';
  const rows = text.split('\n');
  if (rows.pop() !== '') throw new Error('the file does not end with a line break');
  const header = rows.shift()!.split(sep);
  if (header.join(',') !== FEC_HEADER.join(',')) throw new Error(`header: ${header.join(',')}`);
  const ymd = /^(\d{4})(\d{2})(\d{2})$/;
  const isDate = (v: string) => {
    const m = ymd.exec(v);
    if (!m) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
  };
  const cents = (v: string, where: string) => {
    if (!/^\d+,\d{2}$/.test(v)) throw new Error(`${where}: amount "${v}" is not written with a decimal comma and two decimals`);
    return Number(v.replace(',', ''));
  };
  const lo = from.replaceAll('-', '');
  const hi = to.replaceAll('-', '');
  let expected = 1;
  let current: { num: number; date: string; journal: string; debit: number; credit: number; lines: number } | undefined;
  const dates: string[] = [];
  const close = () => {
    if (!current) return;
    if (current.debit !== current.credit || current.debit === 0) throw new Error(`entry ${current.num} is not balanced: ${current.debit} ≠ ${current.credit}`);
    if (current.lines < 2) throw new Error(`entry ${current.num} has ${current.lines} line`);
  };
  rows.forEach((row, i) => {
    const f = row.split(sep);
    const at = `line ${i + 2}`;
    if (f.length !== 18) throw new Error(`${at}: ${f.length} columns`);
    const [journal, journalLib, num, date, account, accountLib, , , pieceRef, pieceDate, label, debit, credit, , dateLet, validDate] = f;
    if (!/^[A-Z0-9]{1,10}$/.test(journal) || !journalLib) throw new Error(`${at}: journal "${journal}" "${journalLib}"`);
    if (!isDate(date) || date < lo || date > hi) throw new Error(`${at}: EcritureDate ${date} outside ${lo}–${hi}`);
    if (!isDate(pieceDate) || !isDate(validDate)) throw new Error(`${at}: PieceDate/ValidDate`);
    if (dateLet && !isDate(dateLet)) throw new Error(`${at}: DateLet`);
    if (!/^\d{3,}/.test(account) || !accountLib || !pieceRef || !label) throw new Error(`${at}: account, its name, the piece and the label are required`);
    const d = cents(debit, at);
    const c = cents(credit, at);
    if (!/^\d+$/.test(num)) throw new Error(`${at}: EcritureNum "${num}"`);
    const n = Number(num);
    if (!current || n !== current.num) {
      close();
      if (n !== expected) throw new Error(`${at}: EcritureNum ${n}, expected ${expected} (continuous)`);
      if (current && date < current.date) throw new Error(`${at}: entry ${n} dated ${date} comes after one dated ${current.date} (date order)`);
      current = { num: n, date, journal, debit: 0, credit: 0, lines: 0 };
      dates.push(date);
      expected++;
    } else if (date !== current.date || journal !== current.journal) throw new Error(`${at}: a line of entry ${n} with another date or journal`);
    current.debit += d;
    current.credit += c;
    current.lines++;
  });
  close();
  return { entries: expected - 1, lines: rows.length, dates };
}

const entry = (date: string, journal: EntryInput['journal'], cents: number, over: Partial<EntryInput> = {}): EntryInput => ({
  journal,
  date,
  label: `Pièce | du ${date}`,
  pieceRef: `P-${date}`,
  source: { module: 'test', id: date },
  lines: [
    { account: '411', accountLabel: 'Clients', auxAccount: 'C0001', auxLabel: 'Société Ça & Là', debitCents: cents, creditCents: 0 },
    { account: '706', accountLabel: 'Prestations de services', debitCents: 0, creditCents: cents },
  ],
  ...over,
});

describe('access', () => {
  it('staff sees nothing; direction reads but changes nothing; anonymous is sent to sign in', async () => {
    for (const url of ['/comptabilite', '/comptabilite/balance', '/comptabilite/grand-livre', '/comptabilite/virements', '/comptabilite/fec', '/comptabilite/fec/export?from=2026-01-01&to=2026-12-31']) {
      expect((await asStaff.get(url)).status, url).toBe(403);
    }
    expect((await asDirection.get('/comptabilite')).status).toBe(200);
    expect((await asDirection.get('/comptabilite/virements')).status).toBe(200);
    expect((await asDirection.get('/comptabilite/od/nouvelle')).status).toBe(403);
    expect((await asDirection.post('/comptabilite/od', { date: '2026-05-05', label: 'x', pieceRef: 'x' })).status).toBe(403);
    expect((await asDirection.post('/comptabilite/cloture', { closedThrough: '2026-01-31' })).status).toBe(403);
    expect((await asDirection.post('/comptabilite/virements/lots', { executionDate: '2026-05-05', orderIds: '1' })).status).toBe(403);
    expect(await count(t.db, 'accounting_closings')).toBe(0);
    const anon = agent(t);
    expect((await anon.get('/comptabilite')).status).toBe(302);
    expect((await api(t, 'GET', '/api/v1/accounting/fec?from=2026-01-01&to=2026-12-31')).status).toBe(401);
  });
});

describe('manual OD entry', () => {
  it('refuses an unbalanced entry with the form as typed (422) and posts a balanced one', async () => {
    const form = { date: '2026-05-05', label: 'Reclassement réception', pieceRef: 'OD-1', account_0: '6257', debit_0: '120,50', account_1: '6256', credit_1: '120' };
    const before = await count(t.db, 'accounting_entries');
    const bad = await asAccountant.post('/comptabilite/od', form);
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Écriture déséquilibrée');
    expect(bad.body).toContain('value="120,50"');
    const unknown = await asAccountant.post('/comptabilite/od', { ...form, account_1: '999', credit_1: '120,50' });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toContain('pas dans le plan comptable');
    const en = agent(t);
    await en.signIn(accountant.email);
    await en.get('/lang/en?next=/portail');
    const english = await en.post('/comptabilite/od', { ...form, debit_0: 'douze' });
    expect(english.status).toBe(422);
    expect(english.body).toContain('Invalid amount: a positive number with at most two decimals.');
    expect(await count(t.db, 'accounting_entries')).toBe(before);

    const ok = await asAccountant.post('/comptabilite/od', { ...form, credit_1: '120,50' });
    expect(ok.status).toBe(302);
    const id = Number(String(ok.headers.location).split('/').pop());
    const page = await asAccountant.get(`/comptabilite/ecritures/${id}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/OD\d{6}/);
    expect(page.body).toContain('120,50');
    expect(await count(t.db, 'audit_log', ['entity', 'accounting_entry'])).toBeGreaterThan(0);
    // the journals page lists it, filtered by journal and account
    const list = await asDirection.get('/comptabilite?journal=OD&account=625');
    expect(list.body).toContain('Reclassement réception');
    expect((await asDirection.get('/comptabilite?journal=VE')).body).not.toContain('Reclassement réception');
    // reversal: direction may not, the accountant may, once
    expect((await asDirection.post(`/comptabilite/ecritures/${id}/extourner`, { date: '2026-05-06' })).status).toBe(403);
    const rev = await asAccountant.post(`/comptabilite/ecritures/${id}/extourner`, { date: '2026-05-06' });
    expect(rev.status).toBe(302);
    expect((await asAccountant.post(`/comptabilite/ecritures/${id}/extourner`, { date: '2026-05-06' })).status).toBe(409);
    expect((await asAccountant.get('/comptabilite/ecritures/999999')).status).toBe(404);
    expect((await asAccountant.get('/comptabilite/ecritures/abc')).status).toBe(404);
  });
});

describe('FEC', () => {
  it('exports the period in date order, numbered continuously, balanced, with the legal name — page, API and command line', async () => {
    // posted out of date order, in several journals, one outside the period
    for (const [date, journal, cents] of [['2026-03-15', 'VE', 10000], ['2026-02-01', 'AC', 2550], ['2026-03-15', 'AC', 99], ['2025-12-31', 'VE', 500], ['2026-02-28', 'VE', 123456789]] as const) {
      await postEntry(t.db, SYSTEM_ACTOR, entry(date, journal, cents));
    }
    const res = await asDirection.get('/comptabilite/fec/export?from=2026-01-01&to=2026-12-31');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="130022742FEC20261231.txt"');
    const fec = validateFec(res.body, '2026-01-01', '2026-12-31');
    const inPeriod = await t.db.selectFrom('accounting_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('entry_date', '>=', '2026-01-01').where('entry_date', '<=', '2026-12-31').executeTakeFirstOrThrow();
    expect(fec.entries).toBe(Number(inPeriod.n));
    expect(fec.dates[0]).toBe('20260201');
    expect(res.body).toContain('|1234567,89|');
    expect(res.body).not.toContain('20251231|');
    expect(res.body).toContain('|Pièce du 2026-03-15|'); // the "|" of a label never splits a column

    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, direction.id, { name: 'fec', scopes: ['accounting:read'], days: 1 });
    const viaApi = await api(t, 'GET', '/api/v1/accounting/fec?from=2026-01-01&to=2026-12-31', token);
    expect(viaApi.status).toBe(200);
    expect(viaApi.body).toBe(res.body);
    const bad = await api(t, 'GET', '/api/v1/accounting/fec?from=2026-13-01&to=2026-01-01', token);
    expect(bad.status).toBe(422);
    expect(bad.json().errors.from).toBeTruthy();
    const badPage = await asDirection.get('/comptabilite/fec/export?from=2026-12-31&to=2026-01-01');
    expect(badPage.status).toBe(422);
    expect(badPage.body).toContain('La date de fin précède la date de début');

    const { token: wrongScope } = await createApiToken(t.db, SYSTEM_ACTOR, staff.id, { name: 'x', scopes: ['registry:read'], days: 1 });
    expect((await api(t, 'GET', '/api/v1/accounting/fec?from=2026-01-01&to=2026-12-31', wrongScope)).status).toBe(403);

    // the command line writes the same file
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'fec-')), 'fec.txt');
    const saved = { ...process.env };
    process.env.DATA_DIR = t.database.dataDir;
    if (t.database.url) process.env.DATABASE_URL = t.database.url;
    else delete process.env.DATABASE_URL;
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await run(['fec', '--from', '2026-01-01', '--to', '2026-12-31', '--out', out]);
      expect(readFileSync(out, 'utf8')).toBe(res.body);
      expect(log.mock.calls.flat().join(' ')).toContain(`${fec.lines} lignes`);
      await expect(run(['fec', '--from', '2026-01-01', '--to', 'demain', '--out', out])).rejects.toMatchObject({ fields: { to: 'accounting.date_invalid' } });
    } finally {
      log.mockRestore();
      process.env = saved;
    }
  });

  it('trial balance and ledger add up', async () => {
    const bal = await asDirection.get('/comptabilite/balance?from=2026-01-01&to=2026-12-31');
    expect(bal.status).toBe(200);
    expect(bal.body).toContain('équilibrée');
    const ledger = await asDirection.get('/comptabilite/grand-livre?account=411&from=2026-01-01&to=2026-12-31');
    expect(ledger.status).toBe(200);
    expect(ledger.body).toMatch(/Solde au 01\/01\/2026 : 5,00\s€ D/);
    expect((await asDirection.get('/comptabilite/grand-livre?account=zz')).status).toBe(422);
    expect((await asDirection.get('/comptabilite/balance?from=x&to=2026-01-01')).status).toBe(422);
  });

  it('a closed period refuses postings and the closing is audited', async () => {
    expect((await asAccountant.post('/comptabilite/cloture', { closedThrough: 'hier' })).status).toBe(422);
    expect((await asAccountant.post('/comptabilite/cloture', { closedThrough: '2026-01-31' })).status).toBe(302);
    expect(await count(t.db, 'audit_log', ['entity', 'accounting_closing'])).toBe(1);
    const refused = await asAccountant.post('/comptabilite/od', { date: '2026-01-15', label: 'Trop tard', pieceRef: 'OD-2', account_0: '6257', debit_0: '1', account_1: '512', credit_1: '1' });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('période est clôturée');
  });
});

describe('SEPA batches', () => {
  it('the orderer cannot batch; another accountant does; the pain.001 is valid against the ISO 20022 XSD', async () => {
    await setDebtorAccount(t.db, SYSTEM_ACTOR, { name: 'Chambre de Commerce et d’Industrie Démo — Région Œste', iban: 'FR48 1027 8073 0000 0201 1740 133', bic: 'CMCIFR2A' });
    const a = await queuePayment(t.db, SYSTEM_ACTOR, { beneficiaryName: 'Éloïse Müller-Garçon', iban: 'DE89 3704 0044 0532 0130 00', amountCents: 12345, remittance: `Remboursement frais — mission à Zürich ${'x'.repeat(95)}`, orderedBy: accountant.id, source: { module: 'test', id: 'A' }, account: '421', auxAccount: 'S0001' });
    const b = await queuePayment(t.db, SYSTEM_ACTOR, { beneficiaryName: 'Formateur <Indépendant> & Cie', iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPP882', amountCents: 80000, remittance: 'Facture F-12', orderedBy: direction.id, source: { module: 'test', id: 'B' } });
    const page = await asAccountant.get('/comptabilite/virements');
    expect(page.body).toContain('vous l’avez ordonné');
    const selfPaid = await asAccountant.post('/comptabilite/virements/lots', { executionDate: '2026-06-01', orderIds: [String(a.id), String(b.id)] });
    expect(selfPaid.status).toBe(403);
    expect(await count(t.db, 'accounting_payment_batches')).toBe(0);
    const none = await asPayer.post('/comptabilite/virements/lots', { executionDate: '2026-06-01' });
    expect(none.status).toBe(422);
    const made = await asPayer.post('/comptabilite/virements/lots', { executionDate: '2026-06-01', orderIds: [String(a.id), String(b.id)] });
    expect(made.status).toBe(302);
    const batchId = Number(String(made.headers.location).split('/').pop());

    const xml = await asDirection.get(`/comptabilite/virements/lots/${batchId}/pain001.xml`);
    expect(xml.status).toBe(200);
    expect(xml.headers['content-type']).toContain('application/xml');
    const xsd = readFileSync(path.join(import.meta.dirname, 'fixtures/pain.001.001.03.xsd'), 'utf8');
    const result = await validateXML({ xml: [{ fileName: 'batch.xml', contents: xml.body }], schema: [{ fileName: 'pain.001.001.03.xsd', contents: xsd }] });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(xml.body).toContain('<NbOfTxs>2</NbOfTxs>');
    expect(xml.body).toContain('<CtrlSum>923.45</CtrlSum>');
    expect(xml.body).toContain('<Nm>Eloise Muller-Garcon</Nm>');
    expect(xml.body).toContain('<IBAN>DE89370400440532013000</IBAN>');
    const ustrd = [...xml.body.matchAll(/<Ustrd>([^<]*)<\/Ustrd>/g)].map((m) => m[1]);
    expect(ustrd.every((u) => u.length <= 140 && /^[A-Za-z0-9/\-?:().,'+ ]+$/.test(u))).toBe(true);
    for (const tag of ['MsgId', 'PmtInfId', 'EndToEndId']) for (const m of xml.body.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))) expect(m[1].length).toBeLessThanOrEqual(35);
    for (const m of xml.body.matchAll(/<Nm>([^<]*)<\/Nm>/g)) expect(m[1].length).toBeLessThanOrEqual(70);

    // the same through the API, and a broken file would be caught by the XSD check
    const { token } = await createApiToken(t.db, SYSTEM_ACTOR, direction.id, { name: 'sepa', scopes: ['accounting:read'], days: 1 });
    const list = await api(t, 'GET', '/api/v1/accounting/payment-batches', token);
    expect(list.status).toBe(200);
    expect(list.json()[0]).toMatchObject({ id: batchId, count: 2, totalCents: 92345, status: 'created' });
    expect((await api(t, 'GET', `/api/v1/accounting/payment-batches/${batchId}/pain001`, token)).body).toBe(xml.body);
    expect((await api(t, 'GET', '/api/v1/accounting/payment-batches/999999/pain001', token)).status).toBe(404);
    const broken = await validateXML({ xml: [{ fileName: 'b.xml', contents: xml.body.replace('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>FREE</ChrgBr>') }], schema: [{ fileName: 'pain.001.001.03.xsd', contents: xsd }] });
    expect(broken.valid).toBe(false);

    // marked paid by the payer, not by the one who ordered
    const batchPage = await asPayer.get(`/comptabilite/virements/lots/${batchId}`);
    expect(batchPage.status).toBe(200);
    const version = /name="version" value="(\d+)"/.exec(batchPage.body)![1];
    expect((await asAccountant.post(`/comptabilite/virements/lots/${batchId}/payer`, { version })).status).toBe(403);
    expect((await asPayer.post(`/comptabilite/virements/lots/${batchId}/payer`, { version })).status).toBe(302);
    expect((await asPayer.post(`/comptabilite/virements/lots/${batchId}/payer`, { version })).status).toBe(409);

    // consulaire sepa --latest writes the stored file
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'sepa-')), 'latest.xml');
    const saved = { ...process.env };
    process.env.DATA_DIR = t.database.dataDir;
    if (t.database.url) process.env.DATABASE_URL = t.database.url;
    else delete process.env.DATABASE_URL;
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await run(['sepa', '--latest', '--out', out]);
      expect(readFileSync(out, 'utf8')).toBe(xml.body);
    } finally {
      log.mockRestore();
      process.env = saved;
    }
  });

  it('the debtor account form refuses a bad IBAN in French and English', async () => {
    const fr = await asAccountant.post('/comptabilite/virements/compte', { name: 'CCI', iban: 'FR76 0000', bic: 'CMCIFR2A' });
    expect(fr.status).toBe(422);
    expect(fr.body).toContain('IBAN invalide');
    const english = agent(t);
    await english.signIn(accountant.email);
    await english.get('/lang/en?next=/portail');
    const en = await english.post('/comptabilite/virements/compte', { name: 'CCI', iban: 'FR76 0000', bic: 'CMCIFR2A' });
    expect(en.status).toBe(422);
    expect(en.body).toContain('Invalid IBAN (country length or check digits).');
    expect((await asDirection.post('/comptabilite/virements/compte', { name: 'CCI', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' })).status).toBe(403);
  });
});
