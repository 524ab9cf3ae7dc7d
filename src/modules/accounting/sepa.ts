// pain.001.001.03 (SEPA credit transfer initiation, ISO 20022) built as text: one group header,
// one payment information block (the CCI's account), one CdtTrfTxInf per order. Names and texts
// are transliterated to the restricted Latin set; the tests validate the output with the XSD.
import { normaliseBic, normaliseIban, sepaId, sepaText } from './iban.js';

export interface Debtor {
  name: string;
  iban: string;
  bic: string;
}

export interface SepaTransfer {
  endToEndId: string;
  amountCents: number;
  name: string;
  iban: string;
  bic: string | null;
  remittance: string;
}

export interface Pain001Input {
  messageId: string;
  /** ISO date-time of creation */
  createdAt: string;
  executionDate: string;
  debtor: Debtor;
  transfers: readonly SepaTransfer[];
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** 123456 → "1234.56" (xs:decimal with 2 fraction digits). */
export function sepaAmount(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function el(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

function agent(bic: string | null): string {
  return bic ? `<FinInstnId>${el('BIC', normaliseBic(bic))}</FinInstnId>` : '<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>';
}

export function buildPain001(input: Pain001Input): string {
  const total = input.transfers.reduce((s, t) => s + t.amountCents, 0);
  const count = String(input.transfers.length);
  const created = input.createdAt.replace(/\.\d+Z$/, 'Z');
  const debtorName = sepaText(input.debtor.name, 70);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    '<CstmrCdtTrfInitn>',
    '<GrpHdr>',
    el('MsgId', sepaId(input.messageId)),
    el('CreDtTm', created),
    el('NbOfTxs', count),
    el('CtrlSum', sepaAmount(total)),
    `<InitgPty>${el('Nm', debtorName)}</InitgPty>`,
    '</GrpHdr>',
    '<PmtInf>',
    el('PmtInfId', sepaId(`${input.messageId}-1`)),
    el('PmtMtd', 'TRF'),
    el('BtchBookg', 'true'),
    el('NbOfTxs', count),
    el('CtrlSum', sepaAmount(total)),
    '<PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl></PmtTpInf>',
    el('ReqdExctnDt', input.executionDate),
    `<Dbtr>${el('Nm', debtorName)}</Dbtr>`,
    `<DbtrAcct><Id>${el('IBAN', normaliseIban(input.debtor.iban))}</Id><Ccy>EUR</Ccy></DbtrAcct>`,
    `<DbtrAgt>${agent(input.debtor.bic)}</DbtrAgt>`,
    el('ChrgBr', 'SLEV'),
  ];
  for (const t of input.transfers) {
    out.push(
      '<CdtTrfTxInf>',
      `<PmtId>${el('EndToEndId', sepaId(t.endToEndId) || 'NOTPROVIDED')}</PmtId>`,
      `<Amt><InstdAmt Ccy="EUR">${sepaAmount(t.amountCents)}</InstdAmt></Amt>`,
      t.bic ? `<CdtrAgt>${agent(t.bic)}</CdtrAgt>` : '',
      `<Cdtr>${el('Nm', sepaText(t.name, 70) || 'NOTPROVIDED')}</Cdtr>`,
      `<CdtrAcct><Id>${el('IBAN', normaliseIban(t.iban))}</Id></CdtrAcct>`,
      `<RmtInf>${el('Ustrd', sepaText(t.remittance, 140) || 'NOTPROVIDED')}</RmtInf>`,
      '</CdtTrfTxInf>',
    );
  }
  out.push('</PmtInf>', '</CstmrCdtTrfInitn>', '</Document>', '');
  return out.filter((l) => l !== '').join('\n');
}
