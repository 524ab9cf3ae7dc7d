// Registry pages and API: search relevance in French, facets, permissions (who may edit, merge,
// export), stale edits refused, partial diffusion, exports, merge, GDPR, API with scopes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { createApiToken } from '../src/platform/auth/api-tokens.js';
import { createContact, parseSearch, searchEstablishments } from '../src/modules/registry/index.js';
import { invalidateSearchCache } from '../src/modules/registry/search.service.js';
import { rebuildFacetSummary } from '../src/modules/registry/facet-summary.js';
import { createManualCompany } from '../src/modules/registry/company.service.js';
import { mergeCompanies } from '../src/modules/registry/admin.service.js';
import { importSireneStock } from '../src/modules/registry/import.service.js';
import { nafLabel } from '../src/modules/registry/reference.js';
import { agent, api, count, createTestApp, makeUser, type TestApp } from './helpers.js';

const SAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'modules', 'registry', 'reference', 'sample');
let t: TestApp;
let socgen: number;
beforeAll(async () => {
  t = await createTestApp();
  await importSireneStock(t.db, { unitsFile: path.join(SAMPLE, 'StockUniteLegale_utf8.csv'), establishmentsFile: path.join(SAMPLE, 'StockEtablissement_utf8.csv'), territory: ['42', '69'], actor: SYSTEM_ACTOR });
  socgen = await t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name: 'Société Générale', postalCode: '42000', communeCode: '42218', streetName: 'Place Jean Jaurès', streetNumber: '1' }));
  await t.db.transaction().execute((trx) => createContact(trx, SYSTEM_ACTOR, socgen, { firstName: 'Hélène', lastName: 'Chevrier', email: 'h.chevrier@socgen-loire.fr' }));
});
afterAll(async () => t?.close());

async function as(roles: string[]) {
  const u = await makeUser(t.db, roles);
  const a = agent(t);
  await a.signIn(u.email);
  return a;
}
const names = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/registre\/entreprises\/(\d+)">([^<]*)<\/a>/g)].map((m) => m[2]);

describe('search', () => {
  it('ignores accents and case, matches prefixes, identifiers with spaces, streets, towns, postal codes and contacts', async () => {
    const a = await as(['staff']);
    expect(names((await a.get('/registre?q=societe+generale')).body)).toContain('Société Générale');
    expect(names((await a.get('/registre?q=SOCIÉTÉ')).body)).toContain('Société Générale');
    expect(names((await a.get('/registre?q=boulang')).body).some((n) => /BOULANG/i.test(n))).toBe(true);
    expect(names((await a.get('/registre?q=librairie+chev')).body)).toEqual(['LIBRAIRIE CHEVALIER']);
    expect(names((await a.get('/registre?q=907+173+553')).body)).toEqual(['LIBRAIRIE CHEVALIER']);
    expect(names((await a.get('/registre?q=9071+7355+3000+13')).body)).toEqual(['LIBRAIRIE CHEVALIER']);
    expect(names((await a.get('/registre?q=helene+chevrier')).body)).toEqual(['Société Générale']);
    expect(names((await a.get('/registre?q=boulevard+brotteaux')).body)).toContain('LIBRAIRIE CHEVALIER');
    expect(names((await a.get('/registre?q=villefranche')).body)).toContain('LIBRAIRIE CHEVALIER');
    const pc = names((await a.get('/registre?q=69400')).body);
    expect(pc.length).toBeGreaterThan(0);
    expect(names((await a.get('/registre?q=zzzzzz')).body)).toEqual([]);
  });

  it('a SIREN or SIRET typed counts what it shows: total, pages and facets follow the number', async () => {
    const a = await as(['staff']);
    for (const q of ['90717355300013', '907+173+553+00013', '907173553']) {
      const page = await a.get(`/registre?q=${q}`);
      expect(names(page.body)).toEqual(['LIBRAIRIE CHEVALIER']);
      expect(page.body).toMatch(/class="results-count">1 résultat/);
      expect(page.body).not.toContain("rel=\"next\"");
    }
    const r = await searchEstablishments(t.db, parseSearch({ q: '907173553' }));
    expect(r.total).toBe(1);
    // Every facet value counts within the one match.
    for (const values of Object.values(r.facets)) for (const v of values) expect(v.count).toBeLessThanOrEqual(1);
  });

  it('shows facet counts, filters by them, hides closed establishments unless asked, and keeps the search in the URL', async () => {
    const a = await as(['staff']);
    const all = await a.get('/registre');
    expect(all.status).toBe(200);
    expect(all.body).toContain('Section NAF');
    expect(all.body).toMatch(/href="\/registre\?department=42"/);
    const closedSiret = '75216991200017';
    expect((await a.get(`/registre?q=${closedSiret}`)).body).not.toContain('RUE DE LA REPUBLIQUE');
    expect(names((await a.get(`/registre?q=${closedSiret}&status=closed`)).body)).toHaveLength(1);
    const loire = await t.app.fastify.inject({ url: '/api/v1/establishments' });
    expect(loire.statusCode).toBe(401);
    const r42 = await a.get('/registre?department=42');
    const r69 = await a.get('/registre?department=69');
    const n = (h: string) => Number((h.match(/(\d[\d\u202f ]*) résultat/) ?? ['', '0'])[1].replace(/\D/g, ''));
    const total = n(all.body);
    expect(n(r42.body) + n(r69.body)).toBe(total);
    // htmx asks for the results fragment only
    const frag = await a.get('/registre?q=librairie', { 'hx-request': 'true' });
    expect(frag.body.startsWith('<div id="registre-resultats"')).toBe(true);
  });

  it('counts facets consistently with the total, with words, filters, both and neither', async () => {
    const active = async (dep?: string) => {
      let q = t.db.selectFrom('establishments').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'active');
      if (dep) q = q.where('department', '=', dep);
      return Number(((await q.executeTakeFirstOrThrow()) as { n: number }).n);
    };
    for (const qs of ['', 'q=librairie', 'department=69', 'q=rue&department=69', 'q=rue&section=G']) {
      invalidateSearchCache();
      const r = await searchEstablishments(t.db, parseSearch(Object.fromEntries(new URLSearchParams(qs))));
      // every establishment has a department (not always a NAF code: hand-typed companies)
      expect([qs, r.facets.department.reduce((n, x) => n + x.count, 0)]).toEqual([qs, r.total]);
      expect(r.items.length).toBe(Math.min(25, r.total));
    }
    invalidateSearchCache();
    expect((await searchEstablishments(t.db, parseSearch({}))).total).toBe(await active());
    expect((await searchEstablishments(t.db, parseSearch({ department: '69' }))).total).toBe(await active('69'));
    expect((await searchEstablishments(t.db, parseSearch({ department: '69' }))).facets.department).toEqual([{ value: '69', count: await active('69') }]);
    const withSection = await t.db.selectFrom('establishments').select(['naf_section', (eb) => eb.fn.countAll().as('n')]).where('status', '=', 'active').where('naf_section', 'is not', null).groupBy('naf_section').execute();
    invalidateSearchCache();
    const sections = (await searchEstablishments(t.db, parseSearch({}))).facets.section;
    expect(Object.fromEntries(sections.map((x) => [x.value, x.count]))).toEqual(Object.fromEntries(withSection.map((x) => [x.naf_section, Number(x.n)])));
  });

  it('keeps the facet summary exact through edits: triggers agree with a full recount', async () => {
    const summary = async () =>
      (await t.db.selectFrom('registry_facet_counts').select(['status', 'f1', 'v1', 'f2', 'v2', 'n']).where('n', '>', 0).orderBy('status').orderBy('f1').orderBy('v1').orderBy('f2').orderBy('v2').execute()).map((x) => ({ ...x, n: Number(x.n) }));
    expect((await summary()).length).toBeGreaterThan(0);
    const before = (await searchEstablishments(t.db, parseSearch({ department: '69' }))).total;
    const id = await t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name: 'Chocolaterie des Pentes', postalCode: '69001', communeCode: '69381', streetName: 'Montée de la Grande Côte', nafCode: '10.82Z' }));
    invalidateSearchCache();
    expect((await searchEstablishments(t.db, parseSearch({ department: '69' }))).total).toBe(before + 1);
    // an update of facet columns and status (closing, moving) goes through the update trigger
    await t.db.updateTable('establishments').set({ status: 'closed', department: '42', commune_code: '42218' }).where('company_id', '=', id).execute();
    invalidateSearchCache();
    expect((await searchEstablishments(t.db, parseSearch({ department: '69' }))).total).toBe(before);
    const kept = await summary();
    await rebuildFacetSummary(t.db);
    expect(await summary()).toEqual(kept);
  });

  it('saves a named segment holding the query', async () => {
    const a = await as(['adviser']);
    const res = await a.post('/registre/segments', { name: 'Librairies de la Loire', query: 'q=librairie&department=42' });
    expect(res.status).toBe(302);
    expect((await a.get('/registre')).body).toContain('href="/registre?q=librairie&amp;department=42"');
  });

  it('lets the owner or the documentation service delete a segment, nobody else', async () => {
    const owner = await as(['adviser']);
    await owner.post('/registre/segments', { name: 'Garages du Rhône', query: 'q=garage&department=69' });
    const seg = await t.db.selectFrom('registry_segments').select('id').where('name', '=', 'Garages du Rhône').executeTakeFirstOrThrow();
    const other = await as(['adviser']);
    expect((await other.get('/registre')).body).not.toContain(`/registre/segments/${seg.id}/supprimer`);
    expect((await other.post(`/registre/segments/${seg.id}/supprimer`, {})).status).toBe(403);
    expect(await count(t.db, 'registry_segments', ['id', seg.id])).toBe(1);
    expect((await owner.get('/registre')).body).toContain(`/registre/segments/${seg.id}/supprimer`);
    expect((await owner.post(`/registre/segments/${seg.id}/supprimer`, {})).status).toBe(302);
    expect(await count(t.db, 'registry_segments', ['id', seg.id])).toBe(0);
    expect((await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'registry_segment').where('entity_id', '=', String(seg.id)).execute()).map((x) => x.action)).toEqual(['create', 'delete']);
    expect((await owner.post(`/registre/segments/${seg.id}/supprimer`, {})).status).toBe(404);
    // the documentation service tidies the shared list
    await owner.post('/registre/segments', { name: 'Cafés', query: 'q=cafe' });
    const cafe = await t.db.selectFrom('registry_segments').select('id').where('name', '=', 'Cafés').executeTakeFirstOrThrow();
    const doc = await as(['documentation']);
    expect((await doc.post(`/registre/segments/${cafe.id}/supprimer`, {})).status).toBe(302);
    expect(await count(t.db, 'registry_segments', ['id', cafe.id])).toBe(0);
  });
});

describe('company page, edits and permissions', () => {
  it('shows identity with VAT number and NAF label, head office first, partial diffusion marked', async () => {
    const a = await as(['staff']);
    const c = await t.db.selectFrom('companies').select('id').where('siren', '=', '907173553').executeTakeFirstOrThrow();
    const page = await a.get(`/registre/entreprises/${c.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('FR'); // VAT
    const key = (12 + 3 * (907173553 % 97)) % 97;
    expect(page.body).toContain(`FR${String(key).padStart(2, '0')}907173553`);
    expect(page.body).toContain(`41.20A — ${nafLabel('41.20A')!.replace(/'/g, '&#39;')}`);
    const p = await t.db.selectFrom('companies').select('id').where('siren', '=', '649293768').executeTakeFirstOrThrow();
    const partial = await a.get(`/registre/entreprises/${p.id}`);
    expect(partial.body).toContain('Diffusion partielle');
    expect((await a.get('/registre/entreprises/999999')).status).toBe(404);
    expect((await a.get('/registre/entreprises/abc')).status).toBe(404);
  });

  it('lets advisers edit with optimistic locking; staff cannot; a stale edit is refused and changes nothing', async () => {
    const staff = await as(['staff']);
    expect((await staff.get(`/registre/entreprises/${socgen}/modifier`)).status).toBe(403);
    expect((await staff.post(`/registre/entreprises/${socgen}`, { name: 'Pirate', version: '1' })).status).toBe(403);
    const adv = await as(['adviser']);
    const form = await adv.get(`/registre/entreprises/${socgen}/modifier`);
    const version = form.body.match(/name="version" value="(\d+)"/)![1];
    const ok = await adv.post(`/registre/entreprises/${socgen}`, { name: 'Société Générale Loire', version, phone: '04 77 00 00 00' });
    expect(ok.status).toBe(302);
    const stale = await adv.post(`/registre/entreprises/${socgen}`, { name: 'Écrasé', version });
    expect(stale.status).toBe(409);
    const row = await t.db.selectFrom('companies').select(['name', 'version']).where('id', '=', socgen).executeTakeFirstOrThrow();
    expect(row.name).toBe('Société Générale Loire');
    const bad = await adv.post(`/registre/entreprises/${socgen}`, { name: '', version: String(row.version), nafCode: '99.99Q', email: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Code NAF inconnu');
    const page = await adv.get(`/registre/entreprises/${socgen}`);
    expect(page.body).toContain('Société Générale Loire');
    // The history names fields in the reader's language, never by their column.
    expect(page.body).toMatch(/Nom : <del class="diff-old">Société Générale<\/del>/);
    expect(page.body).toMatch(/Téléphone : <del class="diff-old">∅<\/del> → <ins class="diff-new">04 77 00 00 00<\/ins>/);
    expect(page.body).not.toMatch(/<li>\s*(name|phone) :/);
    expect(await count(t.db, 'audit_log', ['entity_id', String(socgen)])).toBeGreaterThan(0);
  });

  it('warns before creating a probable duplicate ("ET" / "&", legal forms, punctuation aside); creates it once told; lists the pair', async () => {
    const adv = await as(['adviser']);
    const first = await adv.post('/registre/entreprises', { name: 'MEUNIER ET FILS', postalCode: '42000', communeCode: '42218', streetName: 'Rue Gambetta', streetNumber: '12', countryCode: 'FR' });
    expect(first.status).toBe(302);
    const companies = await count(t.db, 'companies');
    for (const name of ['Meunier & Fils', 'SARL MEUNIER-FILS', 'Ets Meunier et fils']) {
      const again = await adv.post('/registre/entreprises', { name, postalCode: '42000', communeCode: '42218', streetName: 'Rue Gambetta', streetNumber: '12', countryCode: 'FR' });
      expect(again.status, name).toBe(422);
      expect(again.body).toContain('Une fiche au nom proche existe déjà à ce code postal.');
      expect(again.body).toContain('name="confirmDuplicate"');
    }
    expect(await count(t.db, 'companies')).toBe(companies);
    // Another postal code, or another name, is not a duplicate.
    expect((await adv.post('/registre/entreprises', { name: 'Meunier & Fils', postalCode: '69001', communeCode: '69381', countryCode: 'FR' })).status).toBe(302);
    const told = await adv.post('/registre/entreprises', { name: 'Meunier & Fils', postalCode: '42000', communeCode: '42218', streetName: 'Rue Gambetta', streetNumber: '12', countryCode: 'FR', confirmDuplicate: '1' });
    expect(told.status).toBe(302);
    const doc = await as(['documentation']);
    const list = await doc.get('/registre/doublons');
    expect(list.body).toContain('MEUNIER ET FILS');
    expect(list.body).toContain('Meunier &amp; Fils');
  });

  it('says so when a typed city disagrees with the commune code, instead of replacing it', async () => {
    const adv = await as(['adviser']);
    const companies = await count(t.db, 'companies');
    const bad = await adv.post('/registre/entreprises', { name: 'Quincaillerie Ville Fausse', postalCode: '42000', communeCode: '42218', city: 'Lyon', countryCode: 'FR' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Cette ville ne correspond pas au code commune');
    expect(await count(t.db, 'companies')).toBe(companies);
    // The commune's own name, in any case and accents, is fine.
    expect((await adv.post('/registre/entreprises', { name: 'Quincaillerie Ville Juste', postalCode: '42000', communeCode: '42218', city: 'saint-etienne', countryCode: 'FR' })).status).toBe(302);
  });

  it('creates manual companies with validation (Luhn, postal code vs commune)', async () => {
    const adv = await as(['adviser']);
    const bad = await adv.post('/registre/entreprises', { name: 'Test', siren: '123456789', postalCode: '69001', communeCode: '42218', countryCode: 'FR' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('SIREN invalide');
    expect(bad.body).toContain('ne correspond pas à la commune');
    const before = await count(t.db, 'companies');
    const foreign = await adv.post('/registre/entreprises', { name: 'Uhrenfabrik AG', countryCode: 'CH', city: 'Genève', streetName: 'Rue du Rhône 1' });
    expect(foreign.status).toBe(302);
    expect(await count(t.db, 'companies')).toBe(before + 1);
  });

  it('adds contacts with consent date and source', async () => {
    const adv = await as(['adviser']);
    const bad = await adv.post(`/registre/entreprises/${socgen}/contacts`, { lastName: 'Roux', consent: 'granted' });
    expect(bad.status).toBe(422);
    const ok = await adv.post(`/registre/entreprises/${socgen}/contacts`, { firstName: 'Zoé', lastName: 'Roux', consent: 'granted', consentDate: '2026-03-02', consentSource: 'salon Industrie Lyon' });
    expect(ok.status).toBe(302);
    const page = await adv.get(`/registre/entreprises/${socgen}`);
    expect(page.body).toContain('Zoé Roux');
    expect(page.body).toContain('salon Industrie Lyon');
  });
});

describe('exports', () => {
  it('streams CSV with BOM and ; for allowed roles only, without partial units’ personal fields', async () => {
    expect((await (await as(['adviser'])).get('/registre/export.csv')).status).toBe(403);
    const m = await as(['manager']);
    const csv = await m.get('/registre/export.csv?status=all');
    expect(csv.status).toBe(200);
    expect(csv.body.startsWith('\uFEFFsiret;siren;nom')).toBe(true);
    const lines = csv.body.trim().split('\n');
    expect(lines.length - 1).toBe(await count(t.db, 'establishments'));
    // a sole trader with partial diffusion: name, street, sign and coordinates never exported
    const sole = await t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name: 'Jeanne Secret', legalForm: '1000', postalCode: '42000', communeCode: '42218', streetName: 'Rue Cachée', streetNumber: '7' }));
    await t.db.updateTable('companies').set({ diffusion: 'partial' }).where('id', '=', sole).execute();
    await t.db.updateTable('establishments').set({ diffusion: 'partial', sign: 'Chez Jeanne' }).where('company_id', '=', sole).execute();
    const again = (await m.get('/registre/export.csv?status=all')).body;
    expect(again).toContain('Unité non diffusible');
    expect(again).not.toMatch(/Jeanne|CACHEE|Cachée/i);
    const apiUser = await makeUser(t.db, ['adviser']);
    const { token } = await t.db.transaction().execute((trx) => createApiToken(trx, SYSTEM_ACTOR, apiUser.id, { name: 'r', scopes: ['registry:read'], days: 1 }));
    const viaApi = await api(t, 'GET', '/api/v1/establishments?q=jeanne+secret', token);
    expect(viaApi.json().items).toHaveLength(1);
    expect(JSON.stringify(viaApi.json().items)).not.toMatch(/Jeanne|CACHEE|Cachée/i);
    // staff screens show it, with the warning
    const staffPage = await m.get(`/registre/entreprises/${sole}`);
    expect(staffPage.body).toContain('Jeanne Secret');
    expect(staffPage.body).toContain('ne doivent être ni publiées ni utilisées en prospection');
    const xlsx = await m.get('/registre/export.xlsx?department=42');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });

  it('a prospecting file keeps only the contacts one may prospect, with the legal mention; each exclusion tested', async () => {
    const make = (name: string) => t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name, postalCode: '42100', communeCode: '42218', streetName: 'Rue du Prospect', streetNumber: '2' }));
    const open = await make('Prospect Ouvert');
    const hidden = await make('Prospect Non Diffusible');
    await t.db.updateTable('companies').set({ diffusion: 'partial' }).where('id', '=', hidden).execute();
    const contact = (company: number, lastName: string, email: string, consent?: 'refused') =>
      t.db.transaction().execute((trx) => createContact(trx, SYSTEM_ACTOR, company, { firstName: 'Paule', lastName, email, role: 'Gérante', ...(consent ? { consent, consentDate: '2026-01-15', consentSource: 'courrier d’opposition' } : {}) }));
    await contact(open, 'Gardee', 'paule.gardee@prospect-ouvert.fr');
    await contact(open, 'Perso', 'paule.perso@gmail.com');
    await contact(open, 'Opposee', 'paule.opposee@prospect-ouvert.fr', 'refused');
    await contact(hidden, 'Cachee', 'paule.cachee@non-diffusible.fr');
    expect((await (await as(['adviser'])).get('/registre/export-prospection.csv?q=prospect')).status).toBe(403);
    const m = await as(['manager']);
    const file = await m.get('/registre/export-prospection.csv?q=prospect');
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    const lines = file.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('siret;entreprise;enseigne;adresse;code_postal;commune;naf;civilite;prenom;nom;fonction;email;telephone');
    expect(lines[1]).toContain('Fichier de prospection B2B');
    expect(lines[1]).toContain('désinscription');
    expect(file.body).toContain('paule.gardee@prospect-ouvert.fr');
    expect(file.body).toContain('Gérante');
    expect(file.body).not.toContain('gmail.com'); // a consumer mailbox
    expect(file.body).not.toContain('paule.opposee'); // an opposition
    expect(file.body).not.toContain('non-diffusible.fr'); // a unit that asked not to be disclosed
    expect(lines).toHaveLength(3);
    // the export is audited as such; the ordinary export still lists the units
    const audit = await t.db.selectFrom('audit_log').select('entity_id').where('entity', '=', 'registry_export').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.entity_id).toBe('prospecting');
    expect((await m.get('/registre/export.csv?q=prospect')).body).toContain('Prospect Non Diffusible');
  });
});

describe('duplicates, merge and GDPR', () => {
  it('lists a manual record found in SIRENE and merges it keeping contacts, notes and history; only documentation may', async () => {
    // a manual record of a company SIRENE has: same name and postal code
    // Created over the warning (the person said it was another business), as records get created.
    const manual = await t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name: 'Librairie Chevalier', postalCode: '69400', communeCode: '69264', confirmDuplicate: true }));
    await t.db.transaction().execute((trx) => createContact(trx, SYSTEM_ACTOR, manual, { firstName: 'Paul', lastName: 'Chevalier', email: 'paul@librairie-chevalier.fr' }));
    const adv = await as(['adviser']);
    expect((await adv.get('/registre/doublons')).status).toBe(403);
    const doc = await as(['documentation']);
    const list = await doc.get('/registre/doublons');
    expect(list.status).toBe(200);
    expect(list.body).toContain('Librairie Chevalier');
    const target = await t.db.selectFrom('companies').select('id').where('siren', '=', '907173553').executeTakeFirstOrThrow();
    expect((await adv.post('/registre/doublons/fusion', { keep: String(target.id), drop: String(manual) })).status).toBe(403);
    const res = await doc.post('/registre/doublons/fusion', { keep: String(target.id), drop: String(manual) });
    expect(res.status).toBe(302);
    expect(await count(t.db, 'contacts', ['company_id', target.id])).toBeGreaterThanOrEqual(1);
    const dropped = await t.db.selectFrom('companies').select(['merged_into_id']).where('id', '=', manual).executeTakeFirstOrThrow();
    expect(dropped.merged_into_id).toBe(target.id);
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'company').where('entity_id', '=', String(target.id)).execute();
    expect(audit.map((x) => x.action)).toContain('merge');
    const kept = await doc.get(`/registre/entreprises/${target.id}`);
    expect(kept.body).toContain('Entreprise : fusion');
    expect(kept.body).toMatch(/Fiche absorbée : <del class="diff-old">Librairie Chevalier<\/del>/);
    expect(kept.body).not.toContain('absorbed :');
  });

  it('a merged record offers no edit and refuses one (409, nothing changed): the page and the service apply one rule (policy.ts)', async () => {
    const kept = await t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name: 'Atelier Fusionné', postalCode: '42000', communeCode: '42218' }));
    const merged = await t.db.transaction().execute((trx) => createManualCompany(trx, SYSTEM_ACTOR, { name: 'Atelier Fusionne Bis', postalCode: '42000', communeCode: '42218' }));
    await t.db.transaction().execute((trx) => mergeCompanies(trx, SYSTEM_ACTOR, kept, merged));
    const adv = await as(['adviser']);
    const page = await adv.get(`/registre/entreprises/${merged}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(`/registre/entreprises/${merged}/modifier`);
    expect(page.body).not.toContain(`/registre/entreprises/${merged}/contacts/nouveau`);
    expect((await adv.get(`/registre/entreprises/${kept}`)).body).toContain(`/registre/entreprises/${kept}/modifier`);
    const before = await t.db.selectFrom('companies').select(['name', 'version']).where('id', '=', merged).executeTakeFirstOrThrow();
    const edit = await adv.post(`/registre/entreprises/${merged}`, { name: 'Renommée', version: String(before.version) });
    expect(edit.status).toBe(409);
    expect(edit.body).toContain('Cette fiche a été fusionnée dans une autre.');
    expect((await adv.post(`/registre/entreprises/${merged}/contacts`, { lastName: 'Tardif' })).status).toBe(409);
    expect(await t.db.selectFrom('companies').select(['name', 'version']).where('id', '=', merged).executeTakeFirstOrThrow()).toEqual(before);
    expect(await count(t.db, 'contacts', ['company_id', merged])).toBe(0);
    // the audit trail: shown to those who may change the record, not to staff who only read
    expect(page.body).toContain('Journal d’audit');
    expect((await (await as(['staff'])).get(`/registre/entreprises/${kept}`)).body).not.toContain('Journal d’audit');
  });

  it('exports a contact’s data as JSON and erases it (anonymised, audit kept); only documentation may', async () => {
    const c = await t.db.transaction().execute((trx) => createContact(trx, SYSTEM_ACTOR, socgen, { firstName: 'Ana', lastName: 'Gdpr', email: 'ana@example.fr' }));
    const adv = await as(['adviser']);
    expect((await adv.get(`/registre/contacts/${c.id}/export.json`)).status).toBe(403);
    const doc = await as(['documentation']);
    const json = await doc.get(`/registre/contacts/${c.id}/export.json`);
    expect(json.status).toBe(200);
    expect(json.json().contact.email).toBe('ana@example.fr');
    expect((await adv.post(`/registre/contacts/${c.id}/effacer`)).status).toBe(403);
    expect((await doc.post(`/registre/contacts/${c.id}/effacer`)).status).toBe(302);
    const row = await t.db.selectFrom('contacts').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.email).toBeNull();
    expect(row.last_name).toBe('Personne effacée');
    expect(row.erased_at).not.toBeNull();
    expect((await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'contact').where('entity_id', '=', String(c.id)).execute()).map((x) => x.action)).toContain('gdpr_erase');
    expect((await adv.get('/registre?q=ana+gdpr')).body).not.toContain('Société Générale');
  });
});

describe('global search', () => {
  it('answers with registry companies in the portal search', async () => {
    const a = await as(['staff']);
    const res = await a.get('/recherche?q=librairie+chevalier');
    expect(res.status).toBe(200);
    expect(res.body).toContain('LIBRAIRIE CHEVALIER');
    expect(res.body).toMatch(/href="\/registre\/entreprises\/\d+"/);
  });
});

describe('API', () => {
  it('searches with facets, reads a company by SIREN, creates and updates with scopes', async () => {
    const u = await makeUser(t.db, ['adviser']);
    const { token: read } = await t.db.transaction().execute((trx) => createApiToken(trx, SYSTEM_ACTOR, u.id, { name: 'r', scopes: ['registry:read'], days: 1 }));
    const { token: write } = await t.db.transaction().execute((trx) => createApiToken(trx, SYSTEM_ACTOR, u.id, { name: 'w', scopes: ['registry:write'], days: 1 }));
    const s = await api(t, 'GET', '/api/v1/establishments?q=librairie&department=69', read);
    expect(s.status).toBe(200);
    const body = s.json();
    expect(body.total).toBeGreaterThan(0);
    expect(body.items[0]).toMatchObject({ siret: expect.any(String), siren: expect.any(String), name: expect.any(String), status: 'active', diffusion: 'public' });
    expect(body.facets.department[0].value).toBe('69');
    const c = await api(t, 'GET', '/api/v1/companies/907173553', read);
    expect(c.status).toBe(200);
    expect(c.json().establishments.length).toBeGreaterThan(0);
    expect((await api(t, 'GET', '/api/v1/companies/000000000', read)).status).toBe(404);
    expect((await api(t, 'POST', '/api/v1/companies', read, { name: 'X' })).status).toBe(403);
    const bad = await api(t, 'POST', '/api/v1/companies', write, { name: 'X', siren: '111111111', postalCode: '42000', communeCode: '42218' });
    expect(bad.status).toBe(422);
    const created = await api(t, 'POST', '/api/v1/companies', write, { name: 'API SAS', siren: '732829320', postalCode: '42000', communeCode: '42218' });
    expect(created.status).toBe(201);
    const v = created.json().version;
    expect((await api(t, 'PATCH', '/api/v1/companies/732829320', write, { phone: '04 77 11 22 33', version: v })).status).toBe(200);
    expect((await api(t, 'PATCH', '/api/v1/companies/732829320', write, { phone: '04 77 11 22 44', version: v })).status).toBe(409);
    const spec = await t.app.fastify.inject({ url: '/api/openapi.json' });
    expect(spec.body).toContain('/api/v1/establishments');
  });
});
