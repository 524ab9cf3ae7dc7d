// Letters ("courriers"): a template as personalised letters in one PDF per batch, for the
// establishments of a registry segment whose company has no contact with an e-mail address.
// Each company written to gets a line on its registry page (the module's panel).
//
// Address block for a DL envelope (110 × 220 mm) with the window on the right, A4 folded in
// three: the block starts 100 mm from the left edge and 48 mm from the top, 90 mm wide, at most
// 6 lines of at most 38 characters (La Poste's recommendation for the address, norm NF Z 10-011:
// recipient, complement, number and street, locality, postcode and CITY in capitals). The
// window of a DL envelope is 45 × 100 mm placed 20 mm from the right and 15 mm from the bottom
// of the envelope; folded in three, 45–50 mm from the top of the sheet falls inside it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import { findSegment, parseSearch, searchAudience, searchEstablishmentsStream, type SearchItem } from '../registry/index.js';
import { CompiledTemplate } from './blocks.js';
import { getTemplate } from './campaigns.service.js';
import type { LetterBatch, MailingDb } from './mailing.table.js';
import { assertCanWrite } from './policy.js';

const MM = 72 / 25.4;
/** Address block of a right-window DL envelope: left, top, width (mm). */
export const ADDRESS_BLOCK = { left: 100, top: 48, width: 90, maxLines: 6, maxChars: 38 } as const;
/** Letters in one batch (a larger segment is split by the person: one PDF stays printable). */
export const MAX_LETTERS = 2000;

/** The postal address lines of an establishment (at most 6 of at most 38 characters, the last in capitals). */
export function addressLines(e: Pick<SearchItem, 'name' | 'sign' | 'streetNumber' | 'streetType' | 'streetName' | 'postalCode' | 'city'>): string[] {
  const cut = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, ADDRESS_BLOCK.maxChars);
  const lines = [cut(e.name)];
  if (e.sign && e.sign !== e.name) lines.push(cut(e.sign));
  const street = [e.streetNumber, e.streetType, e.streetName].filter(Boolean).join(' ');
  if (street) lines.push(cut(street));
  lines.push(cut(`${e.postalCode ?? ''} ${(e.city ?? '').toUpperCase()}`));
  return lines.filter(Boolean).slice(0, ADDRESS_BLOCK.maxLines);
}

interface LetterInput {
  name: string;
  template_id: number | undefined;
  segment_id: number | undefined;
}

/** Writes the batch's PDF and records every company written to. */
export async function createLetterBatch(db: MailingDb, actor: Actor, dataDir: string, cciName: string, input: LetterInput): Promise<LetterBatch> {
  assertCanWrite(actor);
  const errors: FieldErrors = {};
  const name = input.name.trim().slice(0, 200);
  if (!name) errors.name = 'field.required';
  const template = input.template_id ? await getTemplate(db, input.template_id).catch(() => undefined) : undefined;
  if (!template) errors.template_id = 'mailing.template_required';
  const segment = input.segment_id ? await findSegment(db, input.segment_id) : undefined;
  if (!segment) errors.segment_id = 'mailing.segment_required';
  if (Object.keys(errors).length || !template || !segment) throw invalid('common.invalid', errors);

  const search = parseSearch(Object.fromEntries(new URLSearchParams(segment.query)));
  const withEmail = new Set<number>();
  for await (const page of searchAudience(db, search)) for (const c of page) withEmail.add(c.companyId);
  const targets: SearchItem[] = [];
  for await (const page of searchEstablishmentsStream(db, search)) {
    for (const e of page) {
      if (withEmail.has(e.companyId) || e.diffusion === 'partial' || !e.postalCode) continue;
      targets.push(e);
      if (targets.length > MAX_LETTERS) throw invalid('mailing.letters_too_many', { segment_id: 'mailing.letters_too_many' }, { max: MAX_LETTERS });
    }
  }
  if (targets.length === 0) throw invalid('mailing.list_empty', { segment_id: 'mailing.letters_none' });

  const tpl = new CompiledTemplate(template.subject, template.body);
  const pdf = await renderLetters(tpl, cciName, targets);
  const now = nowIso();
  const batch = await db.insertInto('mailing_letter_batches').values({ name, template_id: template.id, segment_id: segment.id, letters: targets.length, storage_key: '', created_by: actor.id, created_by_name: actor.label, created_at: now }).returningAll().executeTakeFirstOrThrow();
  const key = `mailing/letters/${batch.id}.pdf`;
  mkdirSync(path.join(dataDir, 'mailing', 'letters'), { recursive: true });
  writeFileSync(path.join(dataDir, key), pdf);
  await db.updateTable('mailing_letter_batches').set({ storage_key: key }).where('id', '=', batch.id).execute();
  const items = targets.map((e) => ({ batch_id: batch.id, company_id: e.companyId, establishment_id: e.id }));
  for (let i = 0; i < items.length; i += 500) await db.insertInto('mailing_letter_items').values(items.slice(i, i + 500)).execute();
  await record(db, actor, { entity: 'mailing_letters', entityId: batch.id, action: 'create', after: { name, template: template.id, segment: segment.id, letters: targets.length } });
  return { ...batch, storage_key: key };
}

export function renderLetters(tpl: CompiledTemplate, cciName: string, targets: readonly SearchItem[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 0, autoFirstPage: false, info: { Title: tpl.subjectFor({}), Author: cciName }, lang: 'fr-FR' });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const today = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long' }).format(new Date());
    for (const e of targets) {
      const values = { 'company.name': e.name };
      doc.addPage({ size: 'A4', margin: 0 });
      doc.font('Helvetica-Bold').fontSize(11).text(cciName, 20 * MM, 20 * MM, { width: 70 * MM });
      doc.font('Helvetica').fontSize(11);
      doc.text(addressLines(e).join('\n'), ADDRESS_BLOCK.left * MM, ADDRESS_BLOCK.top * MM, { width: ADDRESS_BLOCK.width * MM, lineGap: 1 });
      doc.text(`Le ${today}`, ADDRESS_BLOCK.left * MM, 95 * MM, { width: ADDRESS_BLOCK.width * MM });
      doc.font('Helvetica-Bold').text(`Objet : ${tpl.subjectFor(values)}`, 20 * MM, 110 * MM, { width: 170 * MM });
      doc.moveDown(1.2);
      for (const b of tpl.letterBlocks(values)) {
        if (b.kind === 'separator') doc.moveDown(0.5);
        else doc.font(b.kind === 'heading' ? 'Helvetica-Bold' : 'Helvetica').fontSize(b.kind === 'heading' ? 12 : 11).text(b.text, 20 * MM, undefined, { width: 170 * MM, align: 'left' });
        doc.moveDown(0.6);
      }
    }
    doc.end();
  });
}

export async function listLetterBatches(db: MailingDb): Promise<LetterBatch[]> {
  return db.selectFrom('mailing_letter_batches').selectAll().orderBy('id', 'desc').limit(100).execute();
}

export async function letterFile(db: MailingDb, dataDir: string, id: number): Promise<{ name: string; bytes: Buffer }> {
  const b = await db.selectFrom('mailing_letter_batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!b || !b.storage_key) throw notFound('mailing.letters_not_found');
  return { name: `courriers-${b.id}.pdf`, bytes: readFileSync(path.join(dataDir, b.storage_key)) };
}

/** The company's mailings for its registry page: letters and campaign e-mails sent to its contacts. */
export async function companyMailings(db: MailingDb, companyId: number, limit = 10): Promise<{ kind: 'letter' | 'email'; label: string; at: string; href: string }[]> {
  const letters = await db
    .selectFrom('mailing_letter_items as i')
    .innerJoin('mailing_letter_batches as b', 'b.id', 'i.batch_id')
    .select(['b.id', 'b.name', 'b.created_at'])
    .where('i.company_id', '=', companyId)
    .groupBy(['b.id', 'b.name', 'b.created_at'])
    .orderBy('b.created_at', 'desc')
    .limit(limit)
    .execute();
  const mails = await db
    .selectFrom('mailing_recipients as r')
    .innerJoin('mailing_campaigns as c', 'c.id', 'r.campaign_id')
    .select(['c.id', 'c.name', (eb) => eb.fn.max('r.sent_at').as('at')])
    .where('r.company_id', '=', companyId)
    .where('r.status', 'in', ['sent', 'bounced'])
    .groupBy(['c.id', 'c.name'])
    .limit(limit)
    .execute();
  return [
    ...letters.map((l) => ({ kind: 'letter' as const, label: l.name, at: l.created_at, href: `/mailing/courriers` })),
    ...mails.map((m) => ({ kind: 'email' as const, label: m.name, at: m.at ?? '', href: `/mailing/campagnes/${m.id}` })),
  ]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, limit);
}
