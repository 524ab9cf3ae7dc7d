// /api/v1 of the registry: search establishments (with facets), read a company by SIREN,
// create and update companies, add contacts. TypeBox schemas validate and document (OpenAPI).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ModuleContext } from '../../platform/module.js';
import { companyIdForSiren, createContact, createManualCompany, getCompanyRow, getContactRow, listContactRows, updateCompany } from './company.service.js';
import type { ContactRow, RegistryDb } from './registry.table.js';
import { PARTIAL_NAME } from './sirene.mapping.js';
import { companyItems, FACETS, parseSearch, searchEstablishments, type SearchItem } from './search.service.js';

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
  exact: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true')], { description: 'count every match of a search with words (by default counted up to 10,000: totalExact false beyond)' })),
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
const SearchOut = Type.Object({
  items: Type.Array(EstablishmentOut),
  total: Type.Integer({ description: 'matches, or 10,000 when totalExact is false' }),
  totalExact: Type.Boolean({ description: 'false: more than 10,000 matches, not all counted (ask exact=1); the facets then count the first 10,000' }),
  facets: Type.Object(Object.fromEntries(FACETS.map((f) => [f, FacetOut]))),
});

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
  /** true when the caller knows a record with a similar name exists at this postal code (else 422 on `name`) */
  confirmDuplicate: Type.Optional(Type.Boolean()),
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

/** API output hides a partial unit's personal fields: the API is not a staff screen. */
function estOut(x: SearchItem): Static<typeof EstablishmentOut> {
  const partial = x.diffusion === 'partial';
  return {
    id: x.id, companyId: x.companyId, siret: x.siret, siren: x.siren, name: partial && x.legalForm === '1000' ? PARTIAL_NAME : x.name, sign: partial ? null : x.sign,
    isHeadOffice: x.isHeadOffice, nafCode: x.nafCode, legalForm: x.legalForm, headcountBand: x.headcountBand,
    address: partial ? null : [x.streetNumber, x.streetType, x.streetName].filter(Boolean).join(' ') || null, communeCode: x.communeCode, postalCode: x.postalCode, city: x.city,
    status: x.status, diffusion: x.diffusion, latitude: partial ? null : x.latitude, longitude: partial ? null : x.longitude,
  };
}

const errors = { 400: Problem, 401: Problem, 403: Problem };

// The schemas of each route (registry.routes.ts): validation, and the OpenAPI document.
export const searchEstablishmentsSchema = { tags: ['registry'], summary: 'Search establishments (same query as /registre)', querystring: EstablishmentQuery, response: { 200: SearchOut, ...errors } };
export const companySchema = { tags: ['registry'], summary: 'A company by SIREN, with its establishments and contacts', params: SirenParam, response: { 200: CompanyOut, 404: Problem, ...errors } };
export const createCompanySchema = { tags: ['registry'], summary: 'Create a company SIRENE does not have (foreign or not yet registered)', body: CompanyCreate, response: { 201: CompanyOut, 422: Problem, ...errors } };
export const updateCompanySchema = { tags: ['registry'], summary: 'Update a company (optimistic locking: send the version you read)', params: SirenParam, body: CompanyPatch, response: { 200: CompanyOut, 404: Problem, 409: Problem, 422: Problem, ...errors } };
export const createContactSchema = { tags: ['registry'], summary: 'Add a contact to a company', params: SirenParam, body: ContactCreate, response: { 201: ContactOut, 404: Problem, 422: Problem, ...errors } };

type Ctx = ModuleContext<RegistryDb>;

function contactOut(k: ContactRow): Static<typeof ContactOut> {
  return { id: k.id, firstName: k.first_name, lastName: k.last_name, role: k.role, email: k.email, phone: k.phone, consent: k.consent, consentDate: k.consent_date, consentSource: k.consent_source };
}

/** A company as the API gives it: no contacts and no personal fields for a unit in partial diffusion. */
async function companyOut(db: RegistryDb, id: number): Promise<Static<typeof CompanyOut>> {
  const c = await getCompanyRow(db, id);
  const partial = c.diffusion === 'partial';
  const establishments = await companyItems(db, id);
  const contacts = partial ? [] : await listContactRows(db, id);
  return {
    id: c.id, siren: c.siren, name: partial && c.legal_form === '1000' ? PARTIAL_NAME : c.name, version: c.version, legalForm: c.legal_form, nafCode: c.naf_code, headcountBand: c.headcount_band,
    creationDate: c.creation_date, status: c.status, diffusion: c.diffusion, phone: c.phone, email: c.email, website: c.website,
    establishments: establishments.map(estOut),
    contacts: contacts.map(contactOut),
  };
}

const sirenOf = (req: FastifyRequest) => (req.params as Static<typeof SirenParam>).siren;

export async function handleSearchEstablishments(req: FastifyRequest, _reply: FastifyReply, { reads }: Ctx) {
  const q = req.query as Static<typeof EstablishmentQuery>;
  const s = parseSearch(q as Record<string, unknown>, q.perPage ?? 50);
  const res = await searchEstablishments(reads, s);
  return { items: res.items.map(estOut), total: res.total, totalExact: res.totalExact, facets: res.facets };
}

export async function handleCompanyApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return companyOut(db, await companyIdForSiren(db, sirenOf(req)));
}

export async function handleCreateCompanyApi(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = await db.transaction().execute((trx) => createManualCompany(trx, req.actor, req.body as Static<typeof CompanyCreate>));
  return reply.code(201).send(await companyOut(db, id));
}

export async function handleUpdateCompanyApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const id = await companyIdForSiren(db, sirenOf(req));
  const { version, ...fields } = req.body as Static<typeof CompanyPatch>;
  await db.transaction().execute((trx) => updateCompany(trx, req.actor, id, version, fields));
  return companyOut(db, id);
}

export async function handleCreateContactApi(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const id = await companyIdForSiren(db, sirenOf(req));
  const c = await db.transaction().execute((trx) => createContact(trx, req.actor, id, req.body as Static<typeof ContactCreate>));
  return reply.code(201).send(contactOut(await getContactRow(db, c.id)));
}
