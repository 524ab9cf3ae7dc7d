// The registry module ("fichier consulaire", M1): companies (SIREN), establishments (SIRET),
// contacts, SIRENE import, search. Other modules import ONLY from this file.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import { defineModule, type SearchHit } from '../../platform/module.js';
import type { CallerDb } from '../../platform/db/typed.js';
import { mountRoutes } from '../../platform/http/routes.js';
import * as admin from './admin.service.js';
import * as audience from './audience.service.js';
import * as company from './company.service.js';
import * as consent from './consent.service.js';
import { importSireneStock } from './import.service.js';
import { runImportJob, type ImportJobPayload } from './import-runs.service.js';
import * as kpis from './kpis.js';
import { registryMessages } from './messages.js';
import { registryApiRoutes, registryWebRoutes } from './registry.routes.js';
import type { RegistryDb } from './registry.table.js';
import * as search from './search.service.js';
import * as summary from './facet-summary.js';
import { formatSiren } from './rules.js';

// What other modules may call. They pass their own handle (CallerDb, docs/MODULES.md), which
// Kysely would not take where a RegistryDb is expected; each export is the service itself, seen
// with CallerDb as its first parameter (a Kysely<any> is a RegistryDb, so no cast and no wrapper).
type ForCaller<F> = F extends (db: RegistryDb, ...rest: infer A) => infer R ? (db: CallerDb, ...rest: A) => R : never;

export { companyHref, type CorrectableFields, type CompanySummary, type ContactSummary, type ContactInput } from './company.service.js';
export const findCompany: ForCaller<typeof company.findCompany> = company.findCompany;
export const getCompany: ForCaller<typeof company.getCompany> = company.getCompany;
export const findCompanies: ForCaller<typeof company.findCompanies> = company.findCompanies;
export const searchCompaniesForPicker: ForCaller<typeof company.searchCompaniesForPicker> = company.searchCompaniesForPicker;
export const listContacts: ForCaller<typeof company.listContacts> = company.listContacts;
export const findContact: ForCaller<typeof company.findContact> = company.findContact;
export const createContact: ForCaller<typeof company.createContact> = company.createContact;
export const listCompanyChanges: ForCaller<typeof company.listCompanyChanges> = company.listCompanyChanges;
export const applyCompanyCorrection: ForCaller<typeof company.applyCompanyCorrection> = company.applyCompanyCorrection;
export const correctableFields: ForCaller<typeof company.correctableFields> = company.correctableFields;
export const companyIdForSiret: ForCaller<typeof company.companyIdForSiret> = company.companyIdForSiret;
export const findSegment: ForCaller<typeof admin.findSegment> = admin.findSegment;
export const contactConsents: ForCaller<typeof consent.contactConsents> = consent.contactConsents;
export const consentHistory: ForCaller<typeof consent.consentHistory> = consent.consentHistory;
export const setContactConsent: ForCaller<typeof consent.setContactConsent> = consent.setContactConsent;
// mailings (module mailing): the contacts behind a saved search, a subscriber's contact record
export const searchAudience: ForCaller<typeof audience.searchAudience> = audience.searchAudience;
export const searchEstablishmentsStream: ForCaller<typeof audience.searchEstablishmentsStream> = audience.searchEstablishmentsStream;
export const contactsByEmail: ForCaller<typeof audience.contactsByEmail> = audience.contactsByEmail;
export const listSegments: ForCaller<typeof admin.listSegments> = admin.listSegments;
export type { AudienceContact } from './audience.service.js';
export const searchEstablishments: ForCaller<typeof search.searchEstablishments> = search.searchEstablishments;
/** For the statistics: headcount band and NAF division of member companies. */
export const companySizeAndSector: ForCaller<typeof kpis.companySizeAndSector> = kpis.companySizeAndSector;
export const matchingEstablishments: ForCaller<typeof search.matchingEstablishments> = search.matchingEstablishments;
export const saveSegment: ForCaller<typeof admin.saveSegment> = admin.saveSegment;
export const ensureEstablishmentSummary: ForCaller<typeof summary.ensureEstablishmentSummary> = summary.ensureEstablishmentSummary;
export { registerEstablishmentSummary, type EstablishmentSummary } from './facet-summary.js';
export type { RegistryTables } from './registry.table.js';
export { FACET_COLUMNS } from './search-text.js';
export { NAF_SECTIONS, HEADCOUNT_BANDS, HEADCOUNT_ORDER } from './reference.js';
export { EstablishmentQuery } from './registry.api.js';
export { CONSENT_CHANNELS, CONSENT_VALUES, type ConsentChannel, type ConsentValue, type ConsentState, type ConsentEvent } from './consent.service.js';
export { parseSearch, searchToQueryString, parseZone, zoneToString, ZONE_MAX_VERTICES, FACETS, type SearchQuery, type SearchItem, type Zone, type FacetName } from './search.service.js';
export { isProfessionalDomain, isValidSiren, isValidSiret, vatNumber } from './rules.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const registryModule = defineModule({
  name: 'registry',
  messages: registryMessages,
  kpis: kpis.registryKpis,
  nav: [
    { section: 'nav.section.registry', label: 'nav.registry.search', href: '/registre', permission: 'registry:read', order: 1 },
    { section: 'nav.section.registry', label: 'nav.registry.new', href: '/registre/entreprises/nouvelle', permission: 'registry:edit', order: 2 },
    { section: 'nav.section.registry', label: 'nav.registry.imports', href: '/registre/imports', permission: 'registry:import', order: 3 },
    { section: 'nav.section.registry', label: 'nav.registry.duplicates', href: '/registre/doublons', permission: 'registry:merge', order: 4 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, registryWebRoutes),
  api: (app, ctx) => mountRoutes(app, ctx, registryApiRoutes),
  jobs: {
    // Upload in the portal: the files were saved under DATA_DIR/imports by the route.
    'registry.import': async (payload: ImportJobPayload, job) => {
      const { Settings } = await import('../../platform/settings.js');
      const territoryEnv = process.env.CCI_TERRITORY?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      const territory = territoryEnv?.length ? territoryEnv : await new Settings(job.db).get('cci.territory');
      return runImportJob(payload, job, territory);
    },
  },
  search: {
    permission: 'registry:read',
    async search(ctx, _actor, q, limit): Promise<SearchHit[]> {
      const found = await company.searchCompaniesForPicker(ctx.db, q, limit);
      return found.map((c) => ({
        kind: 'registry.kind.company',
        title: c.name,
        subtitle: [c.siren ? formatSiren(c.siren) : null, [c.postalCode, c.city].filter(Boolean).join(' ')].filter(Boolean).join(' · '),
        href: `/registre/entreprises/${c.id}`,
      }));
    },
  },
  async seedDemo(ctx, log) {
    // The shared SIRENE sample (copied into the project), then a few thousand generated
    // establishments so the demo CCI looks alive.
    const territory = await ctx.settings.get('cci.territory');
    const dir = mkdtempSync(path.join(tmpdir(), 'consulaire-demo-'));
    try {
      const sample = path.join(here, 'reference', 'sample');
      copyFileSync(path.join(sample, 'StockUniteLegale_utf8.csv'), path.join(dir, 'u.csv'));
      copyFileSync(path.join(sample, 'StockEtablissement_utf8.csv'), path.join(dir, 'e.csv'));
      const first = await importSireneStock(ctx.db, { unitsFile: path.join(dir, 'u.csv'), establishmentsFile: path.join(dir, 'e.csv'), territory, actor: { ...SYSTEM_ACTOR, label: 'démonstration' } });
      const { seedRegistry } = await import('./seed.service.js');
      const gen = await seedRegistry(ctx.db, { establishments: 2500, territory, seed: 2026 });
      log(`Registre : ${first.stats.establishmentsCreated + gen.stats.establishmentsCreated} établissements, ${gen.contacts} contacts.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
