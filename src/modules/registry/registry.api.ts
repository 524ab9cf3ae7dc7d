// /api/v1 of the registry: search establishments (with facets), read a company by SIREN,
// create and update companies, add contacts. TypeBox schemas validate and document (OpenAPI).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../platform/errors.js';
import type { ModuleContext } from '../../platform/module.js';
import { createContact, createManualCompany, getCompanyRow, listContactRows, updateCompany } from './company.service.js';
import type { RegistryDb } from './registry.table.js';
import { PARTIAL_NAME } from './sirene.mapping.js';
import { FACETS, parseSearch, searchEstablishments } from './search.service.js';

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Str = Type.String();
const Num = Type.Union([Type.Number(), Type.Null()]);

const List = Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 30 })]));
export const EstablishmentQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'words, prefixes, SIREN or SIRET (spaces allowed)' })),
  section: List,
  division: List,
  department: List,
  commune: List,
  band: List,
  form: List,
  tag: List,
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed'), Type.Literal('all')], { default: 'active' })),
  sort: Type.Optional(Type.Union([Type.Literal('relevance'), Type.Literal('name'), Type.Literal('created'), Type.Literal('headcount')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 400, default: 1 })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const EstablishmentOut = Type.Object({
  id: Type.Integer(),
  companyId: Type.Integer(),
  siret: Nullable(Str),
  siren: Nullable(Str),
  name: Str,
  sign: Nullable(Str),
  isHeadOffice: Type.Boolean(),
  nafCode: Nullable(Str),
  legalForm: Nullable(Str),
  headcountBand: Nullable(Str),
  address: Nullable(Str),
  communeCode: Nullable(Str),
  postalCode: Nullable(Str),
  city: Nullable(Str),
  status: Type.Union([Type.Literal('active'), Type.Literal('closed')]),
  diffusion: Type.Union([Type.Literal('public'), Type.Literal('partial')]),
  latitude: Num,
  longitude: Num,
});
const FacetOut = Type.Array(Type.Object({ value: Str, count: Type.Integer() }));
const SearchOut = Type.Object({ items: Type.Array(EstablishmentOut), total: Type.Integer(), facets: Type.Object(Object.fromEntries(FACETS.map((f) => [f, FacetOut]))) });

const ContactOut = Type.Object({ id: Type.Integer(), firstName: Str, lastName: Str, role: Nullable(Str), email: Nullable(Str), phone: Nullable(Str), consent: Str, consentDate: Nullable(Str), consentSource: Nullable(Str) });
const CompanyOut = Type.Object({
  id: Type.Integer(),
  siren: Nullable(Str),
  name: Str,
  version: Type.Integer(),
  legalForm: Nullable(Str),
  nafCode: Nullable(Str),
  headcountBand: Nullable(Str),
  creationDate: Nullable(Str),
  status: Type.Union([Type.Literal('active'), Type.Literal('ceased')]),
  diffusion: Type.Union([Type.Literal('public'), Type.Literal('partial')]),
  phone: Nullable(Str),
  email: Nullable(Str),
  website: Nullable(Str),
  establishments: Type.Array(EstablishmentOut),
  contacts: Type.Array(ContactOut),
});

const CompanyFields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  acronym: Type.Optional(Type.String({ maxLength: 40 })),
  legalForm: Type.Optional(Type.String({ maxLength: 4 })),
  nafCode: Type.Optional(Type.String({ maxLength: 6 })),
  headcountBand: Type.Optional(Type.String({ maxLength: 2 })),
  creationDate: Type.Optional(Type.String({ maxLength: 10 })),
  phone: Type.Optional(Type.String({ maxLength: 30 })),
  email: Type.Optional(Type.String({ maxLength: 200 })),
  website: Type.Optional(Type.String({ maxLength: 300 })),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  activityText: Type.Optional(Type.String({ maxLength: 1000 })),
};
const CompanyCreate = Type.Object({
  ...CompanyFields,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  siren: Type.Optional(Type.String({ maxLength: 11 })),
  siret: Type.Optional(Type.String({ maxLength: 17 })),
  countryCode: Type.Optional(Type.String({ maxLength: 2 })),
  streetNumber: Type.Optional(Type.String({ maxLength: 10 })),
  streetName: Type.Optional(Type.String({ maxLength: 200 })),
  postalCode: Type.Optional(Type.String({ maxLength: 12 })),
  communeCode: Type.Optional(Type.String({ maxLength: 5 })),
  city: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false });
const CompanyPatch = Type.Object({ ...CompanyFields, status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('ceased')])), version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const ContactCreate = Type.Object({
  firstName: Type.Optional(Type.String({ maxLength: 100 })),
  lastName: Type.String({ maxLength: 100 }),
  role: Type.Optional(Type.String({ maxLength: 200 })),
  email: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Type.Optional(Type.String({ maxLength: 30 })),
  consent: Type.Optional(Type.Union([Type.Literal('unknown'), Type.Literal('granted'), Type.Literal('refused')])),
  consentDate: Type.Optional(Type.String({ maxLength: 10 })),
  consentSource: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });
const SirenParam = Type.Object({ siren: Type.String({ pattern: '^\\d{9}$' }) });

type Item = Awaited<ReturnType<typeof searchEstablishments>>['items'][number];
/** API output hides a partial unit's personal fields: the API is not a staff screen. */
function estOut(x: Item): Static<typeof EstablishmentOut> {
  const partial = x.diffusion === 'partial';
  return {
    id: x.id, companyId: x.companyId, siret: x.siret, siren: x.siren, name: partial && x.legalForm === '1000' ? PARTIAL_NAME : x.name, sign: partial ? null : x.sign,
    isHeadOffice: x.isHeadOffice, nafCode: x.nafCode, legalForm: x.legalForm, headcountBand: x.headcountBand,
    address: partial ? null : [x.streetNumber, x.streetType, x.streetName].filter(Boolean).join(' ') || null, communeCode: x.communeCode, postalCode: x.postalCode, city: x.city,
    status: x.status, diffusion: x.diffusion, latitude: partial ? null : x.latitude, longitude: partial ? null : x.longitude,
  };
}

const errors = { 400: Problem, 401: Problem, 403: Problem };

export function registryApi(api: FastifyInstance, ctx: ModuleContext): void {
  const { db } = ctx;
  const r = db as unknown as RegistryDb;

  api.get('/establishments', { config: { permission: 'registry:read' }, schema: { tags: ['registry'], summary: 'Search establishments (same query as /registre)', querystring: EstablishmentQuery, response: { 200: SearchOut, ...errors } } }, async (req) => {
    const q = req.query as Static<typeof EstablishmentQuery>;
    const s = parseSearch(q as Record<string, unknown>, q.perPage ?? 50);
    const res = await searchEstablishments(ctx.reads, s);
    return { items: res.items.map(estOut), total: res.total, facets: res.facets };
  });

  const companyBySiren = async (siren: string) => {
    const c = await r.selectFrom('companies').select('id').where('siren', '=', siren).executeTakeFirst();
    if (!c) throw new AppError('not_found', 'registry.company_not_found');
    return c.id;
  };
  const companyOut = async (id: number): Promise<Static<typeof CompanyOut>> => {
    const c = await getCompanyRow(db, id);
    const s = parseSearch({ status: 'all' }, 500);
    const ests = await (await import('./search.service.js')).itemColumns(r.selectFrom('establishments as e').where('e.company_id', '=', id) as never).orderBy('e.is_head_office', 'desc').limit(500).execute();
    const partial = c.diffusion === 'partial';
    void s;
    const contacts = partial ? [] : await listContactRows(db, id);
    return {
      id: c.id, siren: c.siren, name: partial && c.legal_form === '1000' ? PARTIAL_NAME : c.name, version: c.version, legalForm: c.legal_form, nafCode: c.naf_code, headcountBand: c.headcount_band,
      creationDate: c.creation_date, status: c.status, diffusion: c.diffusion, phone: c.phone, email: c.email, website: c.website,
      establishments: (ests as Item[]).map((x) => estOut({ ...x, isHeadOffice: (x.isHeadOffice as unknown) === 1 || x.isHeadOffice === true })),
      contacts: contacts.map((k) => ({ id: k.id, firstName: k.first_name, lastName: k.last_name, role: k.role, email: k.email, phone: k.phone, consent: k.consent, consentDate: k.consent_date, consentSource: k.consent_source })),
    };
  };

  api.get('/companies/:siren', { config: { permission: 'registry:read' }, schema: { tags: ['registry'], summary: 'A company by SIREN, with its establishments and contacts', params: SirenParam, response: { 200: CompanyOut, 404: Problem, ...errors } } }, async (req) => companyOut(await companyBySiren((req.params as { siren: string }).siren)));

  api.post('/companies', { config: { permission: 'registry:edit' }, schema: { tags: ['registry'], summary: 'Create a company SIRENE does not have (foreign or not yet registered)', body: CompanyCreate, response: { 201: CompanyOut, 422: Problem, ...errors } } }, async (req, reply) => {
    const id = await db.transaction().execute((trx) => createManualCompany(trx, req.actor, req.body as Static<typeof CompanyCreate>));
    return reply.code(201).send(await companyOut(id));
  });

  api.patch('/companies/:siren', { config: { permission: 'registry:edit' }, schema: { tags: ['registry'], summary: 'Update a company (optimistic locking: send the version you read)', params: SirenParam, body: CompanyPatch, response: { 200: CompanyOut, 404: Problem, 409: Problem, 422: Problem, ...errors } } }, async (req) => {
    const id = await companyBySiren((req.params as { siren: string }).siren);
    const { version, ...fields } = req.body as Static<typeof CompanyPatch>;
    await db.transaction().execute((trx) => updateCompany(trx, req.actor, id, version, fields));
    return companyOut(id);
  });

  api.post('/companies/:siren/contacts', { config: { permission: 'registry:edit' }, schema: { tags: ['registry'], summary: 'Add a contact to a company', params: SirenParam, body: ContactCreate, response: { 201: ContactOut, 404: Problem, 422: Problem, ...errors } } }, async (req, reply) => {
    const id = await companyBySiren((req.params as { siren: string }).siren);
    const c = await db.transaction().execute((trx) => createContact(trx, req.actor, id, req.body as Static<typeof ContactCreate>));
    const row = (await listContactRows(db, id)).find((x) => x.id === c.id)!;
    return reply.code(201).send({ id: row.id, firstName: row.first_name, lastName: row.last_name, role: row.role, email: row.email, phone: row.phone, consent: row.consent, consentDate: row.consent_date, consentSource: row.consent_source });
  });
}
