// The registry module ("fichier consulaire", M1): companies (SIREN), establishments (SIRET),
// contacts, SIRENE import, search. Other modules import ONLY from this file.
import { defineModule } from '../../platform/module.js';
import { registryMessages } from './messages.js';

export {
  companyHref,
  findCompany,
  getCompany,
  searchCompaniesForPicker,
  listContacts,
  findContact,
  createContact,
  listCompanyChanges,
  applyCompanyCorrection,
  type CompanySummary,
  type ContactSummary,
  type ContactInput,
} from './company.service.js';
export { isValidSiren, isValidSiret, vatNumber } from './rules.js';

export const registryModule = defineModule({
  name: 'registry',
  messages: registryMessages,
  nav: [
    { section: 'nav.section.registry', label: 'nav.registry.search', href: '/registre', permission: 'registry:read', order: 1 },
  ],
});
