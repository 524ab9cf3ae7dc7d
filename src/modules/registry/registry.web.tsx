// Handlers of the registry's pages (/registre…), listed with their permission in
// registry.routes.ts. Services check the record rules (policy.ts) and audit every write in the
// handler's transaction. Searches, exports and the company page read off the request path
// (ctx.reads, ctx.quickReads: ADR 0009); writes and edit forms stay on ctx.db.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { nowIso } from '../../platform/db/index.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { int, onInvalid, requireId, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { deleteSegment, dismissDuplicate, eraseContact, exportContactData, listDuplicates, listSegments, mergeCompanies, saveSegment } from './admin.service.js';
import { addNote, addTag, companyRecord, createContact, createManualCompany, getCompanyRow, getContactRow, removeTag, updateCompany, updateContact, type ContactInput } from './company.service.js';
import { consentHistory, contactConsents, setContactConsent } from './consent.service.js';
import { csvExport, prospectingExport, recordExport, xlsxExport } from './export.service.js';
import { cancelImport, getImport, listImports, queueImport } from './import-runs.service.js';
import { checkSireneHeaders } from './import.service.js';
import type { ContactRow, RegistryDb } from './registry.table.js';
import { FEW_RESULTS, hasWords, parseSearch, searchEstablishments, searchFacets, suggestSpelling } from './search.service.js';
import { DuplicatesPage, ImportPage, ImportsPage, ImportStatus } from './views/admin.js';
import { CompanyFormPage, CompanyPage, ContactFormPage, type CompanyFormValues, type ContactConsentView, type ContactFormValues } from './views/company.js';
import { FacetPanel, Results, SearchPage } from './views/search.js';

type Ctx = ModuleContext<RegistryDb>;

const companyId = (req: FastifyRequest) => requireId(req, 'id', 'registry.company_not_found');
const contactId = (req: FastifyRequest) => requireId(req, 'id', 'registry.contact_not_found');

function contactForm(body: unknown): ContactFormValues {
  return {
    firstName: str(body, 'firstName', 200),
    lastName: str(body, 'lastName', 200),
    role: str(body, 'role', 300),
    email: str(body, 'email', 300),
    phone: str(body, 'phone', 50),
    isOfficer: str(body, 'isOfficer') === '1',
    consent: str(body, 'consent', 20),
    consentDate: str(body, 'consentDate', 20),
    consentSource: str(body, 'consentSource', 300),
    version: int(body, 'version'),
  };
}
const toContactInput = (v: ContactFormValues): ContactInput => ({ ...v, lastName: v.lastName ?? '', consent: (v.consent || 'unknown') as ContactInput['consent'] });

function companyForm(body: unknown): CompanyFormValues {
  const names = ['name', 'acronym', 'legalForm', 'nafCode', 'headcountBand', 'creationDate', 'phone', 'email', 'website', 'description', 'activityText', 'status', 'siren', 'siret', 'countryCode', 'streetNumber', 'streetType', 'streetName', 'postalCode', 'communeCode', 'city'] as const;
  const v: CompanyFormValues = { version: int(body, 'version') };
  for (const n of names) (v as Record<string, unknown>)[n] = str(body, n, n === 'description' ? 4000 : 1000);
  if (str(body, 'confirmDuplicate', 1) === '1') v.confirmDuplicate = true;
  return v;
}

/**
 * The small forms of the search and company pages (segment name, tag, note) come back to their
 * page: a refused value is said in a flash (`code`) rather than a form shown again.
 */
async function flashIfInvalid(reply: FastifyReply, code: string, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (e) {
    if (!(isAppError(e) && e.kind === 'invalid')) throw e;
    reply.flash('error', code);
    return false;
  }
}

// ——— search, segments, exports ———

export async function handleSearch(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const query = req.query as Record<string, unknown>;
  const s = parseSearch(query);
  // Counts and facets over a million rows: off the request thread (ctx.reads, ADR 0009). A
  // search with words shows its page first and loads its facets apart (/registre/facettes, ADR
  // 0013), unless asked inline (facets=1: the link given to browsers without JavaScript).
  const lazyFacets = hasWords(s) && query.facets !== '1';
  const result = await searchEstablishments(reads, s, { facets: !lazyFacets });
  const suggestion = hasWords(s) && result.total < FEW_RESULTS && s.page === 1 ? await suggestSpelling(reads, s.q) : undefined;
  if (req.isHtmx) return reply.render(<Results ctx={req.view()} s={s} result={result} lazyFacets={lazyFacets} suggestion={suggestion} />);
  return reply.render(<SearchPage ctx={req.view()} s={s} result={result} segments={await listSegments(db)} lazyFacets={lazyFacets} suggestion={suggestion} />);
}

/** The facet panel of a search, loaded by htmx once its results are shown. */
export async function handleSearchFacets(req: FastifyRequest, reply: FastifyReply, { reads }: Ctx) {
  const s = parseSearch(req.query as Record<string, unknown>);
  return reply.render(<FacetPanel ctx={req.view()} s={s} result={await searchFacets(reads, s)} refineCount />);
}

export async function handleDeleteSegment(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'common.not_found');
  await db.transaction().execute((trx) => deleteSegment(trx, req.actor, id));
  reply.flash('success', 'registry.segment_deleted');
  return reply.redirect('/registre');
}

export async function handleSaveSegment(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const query = str(req.body, 'query', 2000);
  const saved = await flashIfInvalid(reply, 'registry.segment_name_required', () => db.transaction().execute((trx) => saveSegment(trx, req.actor, str(req.body, 'name', 200), query)));
  if (saved) reply.flash('success', 'registry.segment_saved');
  return reply.redirect(`/registre${query ? '?' + query : ''}`);
}

/** The search as a file: audited first (on db), then streamed from the heavy-read lane. */
async function exportSearch(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx, format: 'csv' | 'xlsx') {
  const s = parseSearch(req.query as Record<string, unknown>);
  await db.transaction().execute((trx) => recordExport(trx, req.actor, format, req.url.split('?')[1] ?? ''));
  const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return reply
    .header('content-type', type)
    .header('content-disposition', `attachment; filename="registre-${nowIso().slice(0, 10)}.${format}"`)
    .send(format === 'csv' ? csvExport(reads, s) : xlsxExport(reads, s));
}

export const handleExportCsv = (req: FastifyRequest, reply: FastifyReply, ctx: Ctx) => exportSearch(req, reply, ctx, 'csv');

/** The prospecting file of the search (B2B rules applied): audited like the other exports. */
export async function handleExportProspecting(req: FastifyRequest, reply: FastifyReply, { db, reads }: Ctx) {
  const s = parseSearch(req.query as Record<string, unknown>);
  await db.transaction().execute((trx) => recordExport(trx, req.actor, 'prospecting', req.url.split('?')[1] ?? ''));
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="prospection-${nowIso().slice(0, 10)}.csv"`)
    .send(prospectingExport(reads, s));
}
export const handleExportXlsx = (req: FastifyRequest, reply: FastifyReply, ctx: Ctx) => exportSearch(req, reply, ctx, 'xlsx');

// ——— companies ———

export async function handleNewCompanyForm(req: FastifyRequest, reply: FastifyReply) {
  return reply.render(<CompanyFormPage ctx={req.view()} values={{ countryCode: 'FR' }} />);
}

export async function handleCreateCompany(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const v = companyForm(req.body);
  return onInvalid(
    reply,
    async () => {
      const id = await db.transaction().execute((trx) => createManualCompany(trx, req.actor, { ...v, status: undefined }));
      reply.flash('success', 'registry.company_created');
      return reply.redirect(`/registre/entreprises/${id}`);
    },
    (errors) => <CompanyFormPage ctx={req.view()} values={v} errors={errors} />,
  );
}

export async function handleCompany(req: FastifyRequest, reply: FastifyReply, ctx: Ctx) {
  const id = companyId(req);
  // A chain's page reads hundreds of establishments: on the quick lane, beside the searches,
  // on one leased connection (one place in the queue, not seven).
  const read = await ctx.quickReads.connection().execute((q) => companyRecord(q, req.actor, id));
  if (!read) throw new AppError('not_found', 'registry.company_not_found');
  const { contactIds, ...d } = read;
  const view = req.view();
  const panels = (await Promise.all(ctx.panelsFor('company').map((p) => p.render(ctx, view, id)))).filter((x) => x !== null);
  const consents = await contactConsents(ctx.db, contactIds);
  return reply.render(<CompanyPage ctx={view} d={{ ...d, panels, consents }} />);
}

export async function handleEditCompanyForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const c = await getCompanyRow(db, companyId(req));
  return reply.render(
    <CompanyFormPage
      ctx={req.view()}
      companyId={c.id}
      companyName={c.name}
      values={{ name: c.name, acronym: c.acronym ?? '', legalForm: c.legal_form ?? '', nafCode: c.naf_code ?? '', headcountBand: c.headcount_band ?? '', creationDate: c.creation_date ?? '', phone: c.phone ?? '', email: c.email ?? '', website: c.website ?? '', description: c.description ?? '', activityText: c.activity_text ?? '', status: c.status, version: c.version }}
    />,
  );
}

export async function handleUpdateCompany(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = companyId(req);
  const v = companyForm(req.body);
  const fields = { name: v.name, acronym: v.acronym, legalForm: v.legalForm, nafCode: v.nafCode, headcountBand: v.headcountBand, creationDate: v.creationDate, phone: v.phone, email: v.email, website: v.website, description: v.description, activityText: v.activityText, status: (v.status || undefined) as 'active' | undefined };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => updateCompany(trx, req.actor, id, v.version ?? -1, fields));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/registre/entreprises/${id}`);
    },
    async (errors) => <CompanyFormPage ctx={req.view()} companyId={id} companyName={(await getCompanyRow(db, id)).name} values={v} errors={errors} />,
    { conflict: true },
  );
}

// ——— contacts ———

export async function handleNewContactForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const c = await getCompanyRow(db, companyId(req));
  return reply.render(<ContactFormPage ctx={req.view()} company={c} values={{ consent: 'unknown' }} />);
}

export async function handleCreateContact(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = companyId(req);
  const v = contactForm(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => createContact(trx, req.actor, id, toContactInput(v)));
      reply.flash('success', 'registry.contact_added');
      return reply.redirect(`/registre/entreprises/${id}#contacts`);
    },
    async (errors) => <ContactFormPage ctx={req.view()} company={await getCompanyRow(db, id)} values={v} errors={errors} />,
  );
}

/** A contact's consent per channel with its history, and the consent form's values and errors when it is shown again. */
async function consentView(db: RegistryDb, id: number, extra: Pick<ContactConsentView, 'values' | 'errors'> = {}): Promise<ContactConsentView> {
  return { states: (await contactConsents(db, [id])).get(id)!, history: await consentHistory(db, [id]), ...extra };
}

/** The contact page: the contact form as stored, and the consent section. */
async function contactPage(req: FastifyRequest, db: RegistryDb, c: ContactRow, consent: ContactConsentView) {
  const values = { firstName: c.first_name, lastName: c.last_name, role: c.role ?? '', email: c.email ?? '', phone: c.phone ?? '', isOfficer: c.is_officer === 1, consent: c.consent, consentDate: c.consent_date ?? '', consentSource: c.consent_source ?? '', version: c.version };
  return <ContactFormPage ctx={req.view()} company={await getCompanyRow(db, c.company_id)} contactId={c.id} values={values} consent={consent} />;
}

export async function handleEditContactForm(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const c = await getContactRow(db, contactId(req));
  return reply.render(await contactPage(req, db, c, await consentView(db, c.id)));
}

/** Consent per channel: the same record members change on the extranet (consent.service.ts). */
export async function handleSaveConsent(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const c = await getContactRow(db, contactId(req));
  const values = { newsletter: str(req.body, 'newsletter', 20), events: str(req.body, 'events', 20), source: str(req.body, 'source', 300) };
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => setContactConsent(trx, req.actor, c.id, { newsletter: values.newsletter, events: values.events }, { source: values.source }));
      reply.flash('success', 'registry.consent_saved');
      return reply.redirect(`/registre/contacts/${c.id}/modifier#consentements`);
    },
    async (errors) => contactPage(req, db, c, await consentView(db, c.id, { values, errors })),
  );
}

export async function handleUpdateContact(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const c = await getContactRow(db, contactId(req));
  const v = contactForm(req.body);
  return onInvalid(
    reply,
    async () => {
      await db.transaction().execute((trx) => updateContact(trx, req.actor, c.id, v.version ?? -1, toContactInput(v)));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/registre/entreprises/${c.company_id}#contacts`);
    },
    async (errors) => <ContactFormPage ctx={req.view()} company={await getCompanyRow(db, c.company_id)} contactId={c.id} values={v} errors={errors} />,
    { conflict: true },
  );
}

/** GDPR right of access: what the registry holds on the person, as a JSON file (audited). */
export async function handleExportContact(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = contactId(req);
  const data = await db.transaction().execute((trx) => exportContactData(trx, req.actor, id));
  return reply.header('content-disposition', `attachment; filename="contact-${id}.json"`).type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
}

export async function handleEraseContact(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = contactId(req);
  const companyOf = await db.transaction().execute((trx) => eraseContact(trx, req.actor, id));
  reply.flash('success', 'registry.contact_erased');
  return reply.redirect(`/registre/entreprises/${companyOf}#contacts`);
}

// ——— tags and notes ———

export async function handleAddTag(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = companyId(req);
  await flashIfInvalid(reply, 'registry.tag_required', () => db.transaction().execute((trx) => addTag(trx, req.actor, id, str(req.body, 'tag', 100))));
  return reply.redirect(`/registre/entreprises/${id}#tags`);
}

export async function handleRemoveTag(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = companyId(req);
  await db.transaction().execute((trx) => removeTag(trx, req.actor, id, str(req.body, 'tag', 100)));
  return reply.redirect(`/registre/entreprises/${id}#tags`);
}

export async function handleAddNote(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = companyId(req);
  await flashIfInvalid(reply, 'registry.note_required', () => db.transaction().execute((trx) => addNote(trx, req.actor, id, str(req.body, 'body', 5000))));
  return reply.redirect(`/registre/entreprises/${id}#notes`);
}

// ——— duplicates ———

export async function handleDuplicates(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<DuplicatesPage ctx={req.view()} pairs={await listDuplicates(db)} />);
}

export async function handleMerge(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const keep = int(req.body, 'keep');
  const drop = int(req.body, 'drop');
  if (keep === undefined || drop === undefined) throw new AppError('invalid', 'common.invalid');
  await db.transaction().execute((trx) => mergeCompanies(trx, req.actor, keep, drop));
  reply.flash('success', 'registry.merged');
  return reply.redirect(`/registre/entreprises/${keep}`);
}

export async function handleDismissDuplicate(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const a = int(req.body, 'a');
  const b = int(req.body, 'b');
  if (a === undefined || b === undefined) throw new AppError('invalid', 'common.invalid');
  await db.transaction().execute((trx) => dismissDuplicate(trx, req.actor, a, b));
  return reply.redirect('/registre/doublons');
}

// ——— imports ———

export async function handleImports(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  return reply.render(<ImportsPage ctx={req.view()} imports={await listImports(db)} />);
}

/** Upload of the two SIRENE files: saved under DATA_DIR/imports (before any transaction), checked, then queued. */
export async function handleUploadImport(req: FastifyRequest, reply: FastifyReply, { db, config }: Ctx) {
  const dir = path.join(config.dataDir, 'imports');
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const names: Record<string, string> = {};
  for await (const part of req.parts()) {
    if (part.type !== 'file') continue;
    if (part.fieldname !== 'unites' && part.fieldname !== 'etablissements') {
      part.file.resume();
      continue;
    }
    const target = path.join(dir, `${randomUUID()}-${part.fieldname}.csv`);
    await pipeline(part.file, createWriteStream(target));
    if (part.file.truncated) throw new AppError('payload_too_large', 'common.payload_too_large');
    files[part.fieldname] = target;
    names[part.fieldname] = part.filename.slice(0, 200);
  }
  const errors: Record<string, string> = {};
  if (!files.unites) errors.unites = 'registry.file_required';
  if (!files.etablissements) errors.etablissements = 'registry.file_required';
  if (Object.keys(errors).length) return reply.render(<ImportsPage ctx={req.view()} imports={await listImports(db)} errors={errors} />, 422);
  return onInvalid(
    reply,
    async () => {
      checkSireneHeaders(files.unites, files.etablissements);
      const id = await db.transaction().execute((trx) => queueImport(trx, req.actor, { units: files.unites, establishments: files.etablissements }, { units: names.unites, establishments: names.etablissements }));
      return reply.redirect(`/registre/imports/${id}`);
    },
    async () => <ImportsPage ctx={req.view()} imports={await listImports(db)} errors={{ _form: 'registry.import_missing_column_short' }} />,
  );
}

/** Cancel button of a running import (audited); the job stops at its next batch. */
export async function handleCancelImport(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = requireId(req, 'id', 'common.not_found');
  await db.transaction().execute((trx) => cancelImport(trx, req.actor, id));
  if (req.isHtmx) {
    const { imp } = await getImport(db, id);
    return reply.render(<ImportStatus ctx={req.view()} imp={imp} />);
  }
  return reply.redirect(`/registre/imports/${id}`);
}

export async function handleImport(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const { imp, rejected } = await getImport(db, requireId(req, 'id', 'common.not_found'));
  if (req.isHtmx) return reply.render(<ImportStatus ctx={req.view()} imp={imp} />);
  return reply.render(<ImportPage ctx={req.view()} imp={imp} rejected={rejected} />);
}
