// HTML routes of the registry (/registre…). Each route declares its permission; services check
// the rest and audit every write in the route's transaction.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { getJob, enqueue } from '../../platform/jobs/index.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { idParam, int, str } from '../../platform/http/forms.js';
import type { ModuleContext } from '../../platform/module.js';
import { nowIso } from '../../platform/db/index.js';
import { canDeleteSegment, deleteSegment, dismissDuplicate, eraseContact, exportContactData, listDuplicates, listSegments, mergeCompanies, saveSegment } from './admin.service.js';
import { addNote, addTag, createContact, createManualCompany, findCompanyRow, findContactRow, getCompanyRow, listCompanyChanges, listCompanyTags, listContactRows, listNotes, removeTag, updateCompany, updateContact, type ContactInput } from './company.service.js';
import { csvExport, xlsxExport } from './export.service.js';
import type { RegistryDb } from './registry.table.js';
import { parseSearch, searchEstablishments } from './search.service.js';
import { DuplicatesPage, ImportPage, ImportsPage, ImportStatus, type ImportView } from './views/admin.js';
import { CompanyFormPage, CompanyPage, ContactFormPage, type CompanyFormValues, type ContactConsentView, type ContactFormValues } from './views/company.js';
import { consentHistory, contactConsents, setContactConsent } from './consent.service.js';
import type { ContactRow } from './registry.table.js';
import { Results, SearchPage } from './views/search.js';

function companyId(req: FastifyRequest): number {
  const id = idParam((req.params as { id: string }).id);
  if (id === undefined) throw new AppError('not_found', 'registry.company_not_found');
  return id;
}

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
  return v;
}

export function importView(row: { id: number; started_at: string; finished_at: string | null; status: string; actor_label: string; units_file: string | null; establishments_file: string | null; stats: string; error: string | null }, job?: { status: string; progress: string | null; last_error: string | null }): ImportView {
  const status = row.status === 'running' && job ? (job.status === 'queued' ? 'queued' : job.status === 'failed' ? 'failed' : row.status) : row.status;
  return { ...row, status, stats: JSON.parse(row.stats || '{}'), error: row.error ?? (job?.status === 'failed' ? job.last_error : null), progress: job?.progress ? JSON.parse(job.progress) : null };
}

export function registryWeb(app: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;
  const r = db as unknown as RegistryDb;
  const read = { config: { permission: 'registry:read' as const } };
  const edit = { config: { permission: 'registry:edit' as const } };

  app.get('/registre', read, async (req, reply) => {
    const s = parseSearch(req.query as Record<string, unknown>);
    // Counts and facets over a million rows: off the request thread (ctx.reads, ADR 0009).
    const result = await searchEstablishments(ctx.reads, s);
    if (req.isHtmx) return reply.render(<Results ctx={req.view()} s={s} result={result} />);
    const segments = (await listSegments(db)).map((g) => ({ ...g, deletable: canDeleteSegment(req.actor, g) }));
    return reply.render(<SearchPage ctx={req.view()} s={s} result={result} segments={segments} />);
  });

  app.post('/registre/segments/:id/supprimer', read, async (req, reply) => {
    const id = idParam((req.params as { id: string }).id);
    if (id === undefined) throw new AppError('not_found', 'common.not_found');
    await db.transaction().execute((trx) => deleteSegment(trx, req.actor, id));
    reply.flash('success', 'registry.segment_deleted');
    return reply.redirect('/registre');
  });

  app.post('/registre/segments', read, async (req, reply) => {
    const query = str(req.body, 'query', 2000);
    try {
      await db.transaction().execute((trx) => saveSegment(trx, req.actor, str(req.body, 'name', 200), query));
      reply.flash('success', 'registry.segment_saved');
    } catch (e) {
      if (!(isAppError(e) && e.kind === 'invalid')) throw e;
      reply.flash('error', 'registry.segment_name_required');
    }
    return reply.redirect(`/registre${query ? '?' + query : ''}`);
  });

  const exportPerm = { config: { permission: 'registry:export' as const } };
  app.get('/registre/export.csv', exportPerm, async (req, reply) => {
    const s = parseSearch(req.query as Record<string, unknown>);
    await db.transaction().execute(async (trx) => (await import('../../platform/audit/audit.js')).record(trx, req.actor, { entity: 'registry_export', entityId: 'csv', action: 'export', changes: { query: [null, req.url.split('?')[1] ?? ''] } }));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="registre-${nowIso().slice(0, 10)}.csv"`)
      .send(csvExport(ctx.reads, s));
  });
  app.get('/registre/export.xlsx', exportPerm, async (req, reply) => {
    const s = parseSearch(req.query as Record<string, unknown>);
    await db.transaction().execute(async (trx) => (await import('../../platform/audit/audit.js')).record(trx, req.actor, { entity: 'registry_export', entityId: 'xlsx', action: 'export', changes: { query: [null, req.url.split('?')[1] ?? ''] } }));
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="registre-${nowIso().slice(0, 10)}.xlsx"`)
      .send(xlsxExport(ctx.reads, s));
  });

  // ——— manual companies ———
  app.get('/registre/entreprises/nouvelle', edit, async (req, reply) => reply.render(<CompanyFormPage ctx={req.view()} values={{ countryCode: 'FR' }} />));
  app.post('/registre/entreprises', edit, async (req, reply) => {
    const v = companyForm(req.body);
    try {
      const id = await db.transaction().execute((trx) => createManualCompany(trx, req.actor, { ...v, status: undefined } as never));
      reply.flash('success', 'registry.company_created');
      return reply.redirect(`/registre/entreprises/${id}`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<CompanyFormPage ctx={req.view()} values={v} errors={e.fields} />, 422);
      throw e;
    }
  });

  // ——— company page ———
  app.get('/registre/entreprises/:id', read, async (req, reply) => {
    const id = companyId(req);
    // A chain's page reads hundreds of establishments: on the quick lane, beside the searches,
    // on one leased connection (one place in the queue, not seven).
    const read = await ctx.quickReads.connection().execute(async (q) => {
      const company = await findCompanyRow(q, id);
      if (!company) return undefined;
      const contactIds = (await listContactRows(q, id)).map((c) => c.id);
      const [establishments, contacts, tags, notes, changes, audit, mergedInto] = await Promise.all([
        (q as unknown as RegistryDb).selectFrom('establishments').selectAll().where('company_id', '=', id).orderBy('is_head_office', 'desc').orderBy('status').orderBy('siret').limit(500).execute(),
        listContactRows(q, id),
        listCompanyTags(q, id),
        listNotes(q, id),
        listCompanyChanges(q, id, 100),
        (q as unknown as RegistryDb)
          .selectFrom('audit_log')
          .select(['id', 'at', 'actor_label', 'action', 'entity', 'changes'])
          .where((eb) => eb.or([eb.and([eb('entity', '=', 'company'), eb('entity_id', '=', String(id))]), ...(contactIds.length ? [eb.and([eb('entity', '=', 'contact'), eb('entity_id', 'in', contactIds.map(String))])] : [])]))
          .orderBy('id', 'desc')
          .limit(50)
          .execute(),
        company.merged_into_id ? findCompanyRow(q, company.merged_into_id) : Promise.resolve(undefined),
      ]);
      return { company, contactIds, establishments, contacts, tags, notes, changes, audit, mergedInto };
    });
    if (!read) throw new AppError('not_found', 'registry.company_not_found');
    const { company, contactIds, establishments, contacts, tags, notes, changes, audit, mergedInto } = read;
    const view = req.view();
    const panels = (await Promise.all(ctx.panelsFor('company').map((p) => p.render(ctx, view, id)))).filter((x) => x !== null);
    const consents = await contactConsents(db, contactIds);
    return reply.render(<CompanyPage ctx={view} d={{ company, establishments, contacts, tags, notes, changes, audit, panels, consents, mergedInto: mergedInto ? { id: mergedInto.id, name: mergedInto.name } : undefined }} />);
  });

  app.get('/registre/entreprises/:id/modifier', edit, async (req, reply) => {
    const c = await getCompanyRow(db, companyId(req));
    return reply.render(
      <CompanyFormPage
        ctx={req.view()}
        companyId={c.id}
        companyName={c.name}
        values={{ name: c.name, acronym: c.acronym ?? '', legalForm: c.legal_form ?? '', nafCode: c.naf_code ?? '', headcountBand: c.headcount_band ?? '', creationDate: c.creation_date ?? '', phone: c.phone ?? '', email: c.email ?? '', website: c.website ?? '', description: c.description ?? '', activityText: c.activity_text ?? '', status: c.status, version: c.version }}
      />,
    );
  });
  app.post('/registre/entreprises/:id', edit, async (req, reply) => {
    const id = companyId(req);
    const v = companyForm(req.body);
    try {
      await db.transaction().execute((trx) =>
        updateCompany(trx, req.actor, id, v.version ?? -1, { name: v.name, acronym: v.acronym, legalForm: v.legalForm, nafCode: v.nafCode, headcountBand: v.headcountBand, creationDate: v.creationDate, phone: v.phone, email: v.email, website: v.website, description: v.description, activityText: v.activityText, status: (v.status || undefined) as 'active' | undefined }),
      );
      reply.flash('success', 'common.saved');
      return reply.redirect(`/registre/entreprises/${id}`);
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) {
        const c = await getCompanyRow(db, id);
        return reply.render(<CompanyFormPage ctx={req.view()} companyId={id} companyName={c.name} values={v} errors={e.kind === 'invalid' ? e.fields : { _form: e.code }} />, e.kind === 'invalid' ? 422 : 409);
      }
      throw e;
    }
  });

  // ——— contacts ———
  app.get('/registre/entreprises/:id/contacts/nouveau', edit, async (req, reply) => {
    const c = await getCompanyRow(db, companyId(req));
    return reply.render(<ContactFormPage ctx={req.view()} company={c} values={{ consent: 'unknown' }} />);
  });
  app.post('/registre/entreprises/:id/contacts', edit, async (req, reply) => {
    const id = companyId(req);
    const v = contactForm(req.body);
    try {
      await db.transaction().execute((trx) => createContact(trx, req.actor, id, toContactInput(v)));
      reply.flash('success', 'registry.contact_added');
      return reply.redirect(`/registre/entreprises/${id}#contacts`);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<ContactFormPage ctx={req.view()} company={await getCompanyRow(db, id)} values={v} errors={e.fields} />, 422);
      throw e;
    }
  });
  const contactId = (req: FastifyRequest) => {
    const id = idParam((req.params as { id: string }).id);
    if (id === undefined) throw new AppError('not_found', 'registry.contact_not_found');
    return id;
  };
  const consentView = async (id: number, extra: Pick<ContactConsentView, 'values' | 'errors'> = {}): Promise<ContactConsentView> => ({
    states: (await contactConsents(db, [id])).get(id)!,
    history: await consentHistory(db, [id]),
    ...extra,
  });
  const contactPage = async (req: FastifyRequest, reply: FastifyReply, c: ContactRow, consent: ContactConsentView, status = 200) =>
    reply.render(
      <ContactFormPage ctx={req.view()} company={await getCompanyRow(db, c.company_id)} contactId={c.id} values={{ firstName: c.first_name, lastName: c.last_name, role: c.role ?? '', email: c.email ?? '', phone: c.phone ?? '', isOfficer: c.is_officer === 1, consent: c.consent, consentDate: c.consent_date ?? '', consentSource: c.consent_source ?? '', version: c.version }} consent={consent} />,
      status,
    );
  app.get('/registre/contacts/:id/modifier', edit, async (req, reply) => {
    const c = await findContactRow(db, contactId(req));
    if (!c || c.erased_at) throw new AppError('not_found', 'registry.contact_not_found');
    return contactPage(req, reply, c, await consentView(c.id));
  });
  // Consent per channel: the same record members change on the extranet (consent.service.ts).
  app.post('/registre/contacts/:id/consentements', edit, async (req, reply) => {
    const c = await findContactRow(db, contactId(req));
    if (!c || c.erased_at) throw new AppError('not_found', 'registry.contact_not_found');
    const values = { newsletter: str(req.body, 'newsletter', 20), events: str(req.body, 'events', 20), source: str(req.body, 'source', 300) };
    try {
      await db.transaction().execute((trx) => setContactConsent(trx, req.actor, c.id, { newsletter: values.newsletter, events: values.events }, { source: values.source }));
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return contactPage(req, reply, c, await consentView(c.id, { values, errors: e.fields }), 422);
      throw e;
    }
    reply.flash('success', 'registry.consent_saved');
    return reply.redirect(`/registre/contacts/${c.id}/modifier#consentements`);
  });
  app.post('/registre/contacts/:id', edit, async (req, reply) => {
    const id = contactId(req);
    const c = await findContactRow(db, id);
    if (!c || c.erased_at) throw new AppError('not_found', 'registry.contact_not_found');
    const v = contactForm(req.body);
    try {
      await db.transaction().execute((trx) => updateContact(trx, req.actor, id, v.version ?? -1, toContactInput(v)));
      reply.flash('success', 'common.saved');
      return reply.redirect(`/registre/entreprises/${c.company_id}#contacts`);
    } catch (e) {
      if (isAppError(e) && (e.kind === 'invalid' || e.kind === 'conflict')) return reply.render(<ContactFormPage ctx={req.view()} company={await getCompanyRow(db, c.company_id)} contactId={id} values={v} errors={e.kind === 'invalid' ? e.fields : { _form: e.code }} />, e.kind === 'invalid' ? 422 : 409);
      throw e;
    }
  });
  const gdpr = { config: { permission: 'registry:personal_data' as const } };
  app.get('/registre/contacts/:id/export.json', gdpr, async (req, reply) => {
    const data = await db.transaction().execute((trx) => exportContactData(trx, req.actor, contactId(req)));
    return reply.header('content-disposition', `attachment; filename="contact-${contactId(req)}.json"`).type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
  });
  app.post('/registre/contacts/:id/effacer', gdpr, async (req, reply) => {
    const companyOf = await db.transaction().execute((trx) => eraseContact(trx, req.actor, contactId(req)));
    reply.flash('success', 'registry.contact_erased');
    return reply.redirect(`/registre/entreprises/${companyOf}#contacts`);
  });

  // ——— tags and notes ———
  const back = (reply: FastifyReply, id: number, anchor: string) => reply.redirect(`/registre/entreprises/${id}#${anchor}`);
  app.post('/registre/entreprises/:id/etiquettes', edit, async (req, reply) => {
    const id = companyId(req);
    try {
      await db.transaction().execute((trx) => addTag(trx, req.actor, id, str(req.body, 'tag', 100)));
    } catch (e) {
      if (!(isAppError(e) && e.kind === 'invalid')) throw e;
      reply.flash('error', 'registry.tag_required');
    }
    return back(reply, id, 'tags');
  });
  app.post('/registre/entreprises/:id/etiquettes/retirer', edit, async (req, reply) => {
    const id = companyId(req);
    await db.transaction().execute((trx) => removeTag(trx, req.actor, id, str(req.body, 'tag', 100)));
    return back(reply, id, 'tags');
  });
  app.post('/registre/entreprises/:id/notes', edit, async (req, reply) => {
    const id = companyId(req);
    try {
      await db.transaction().execute((trx) => addNote(trx, req.actor, id, str(req.body, 'body', 5000)));
    } catch (e) {
      if (!(isAppError(e) && e.kind === 'invalid')) throw e;
      reply.flash('error', 'registry.note_required');
    }
    return back(reply, id, 'notes');
  });

  // ——— duplicates ———
  const merge = { config: { permission: 'registry:merge' as const } };
  app.get('/registre/doublons', merge, async (req, reply) => reply.render(<DuplicatesPage ctx={req.view()} pairs={await listDuplicates(db)} />));
  app.post('/registre/doublons/fusion', merge, async (req, reply) => {
    const keep = int(req.body, 'keep');
    const drop = int(req.body, 'drop');
    if (keep === undefined || drop === undefined) throw new AppError('invalid', 'common.invalid');
    await db.transaction().execute((trx) => mergeCompanies(trx, req.actor, keep, drop));
    reply.flash('success', 'registry.merged');
    return reply.redirect(`/registre/entreprises/${keep}`);
  });
  app.post('/registre/doublons/ignorer', merge, async (req, reply) => {
    const a = int(req.body, 'a');
    const b = int(req.body, 'b');
    if (a === undefined || b === undefined) throw new AppError('invalid', 'common.invalid');
    await db.transaction().execute((trx) => dismissDuplicate(trx, req.actor, a, b));
    return reply.redirect('/registre/doublons');
  });

  // ——— imports ———
  const imp = { config: { permission: 'registry:import' as const } };
  const listImports = async () => {
    const rows = await r.selectFrom('registry_imports').selectAll().orderBy('id', 'desc').limit(30).execute();
    return Promise.all(rows.map(async (x) => importView(x, x.job_id ? await getJob(db, x.job_id) : undefined)));
  };
  app.get('/registre/imports', imp, async (req, reply) => reply.render(<ImportsPage ctx={req.view()} imports={await listImports()} />));
  app.post('/registre/imports', imp, async (req, reply) => {
    const dir = path.join(ctx.config.dataDir, 'imports');
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
    if (Object.keys(errors).length) return reply.render(<ImportsPage ctx={req.view()} imports={await listImports()} errors={errors} />, 422);
    const { checkSireneHeaders } = await import('./import.service.js');
    try {
      checkSireneHeaders(files.unites, files.etablissements);
    } catch (e) {
      if (isAppError(e) && e.kind === 'invalid') return reply.render(<ImportsPage ctx={req.view()} imports={await listImports()} errors={{ _form: 'registry.import_missing_column_short' }} />, 422);
      throw e;
    }
    const id = await db.transaction().execute(async (trx) => {
      const row = await (trx as unknown as RegistryDb)
        .insertInto('registry_imports')
        .values({ started_at: nowIso(), status: 'running', actor_label: req.actor.label, units_file: names.unites, establishments_file: names.etablissements, stats: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const jobId = await enqueue(trx, 'registry.import', { importId: row.id, unitsFile: files.unites, establishmentsFile: files.etablissements, actorLabel: req.actor.label, actorId: req.actor.id }, { maxAttempts: 1 });
      await (trx as unknown as RegistryDb).updateTable('registry_imports').set({ job_id: jobId }).where('id', '=', row.id).execute();
      return row.id;
    });
    return reply.redirect(`/registre/imports/${id}`);
  });
  app.get('/registre/imports/:id', imp, async (req, reply) => {
    const id = idParam((req.params as { id: string }).id);
    const row = id === undefined ? undefined : await r.selectFrom('registry_imports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('not_found', 'common.not_found');
    const view = importView(row, row.job_id ? await getJob(db, row.job_id) : undefined);
    if (req.isHtmx) return reply.render(<ImportStatus ctx={req.view()} imp={view} />);
    const jobResult = row.job_id ? await getJob(db, row.job_id) : undefined;
    const rejected = jobResult?.result ? ((JSON.parse(jobResult.result) as { rejected?: { line: number; key: string; reason: string; file: string }[] }).rejected ?? []) : [];
    return reply.render(<ImportPage ctx={req.view()} imp={view} rejected={rejected.slice(0, 200)} />);
  });
}
