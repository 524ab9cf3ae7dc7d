// Every route of the registry: method, path, who may call it, the handler that answers (and,
// for the API, its schema). Services check the record rules beyond the route's permission
// (policy.ts: a merged company, who saved a segment).
import type { RouteTable } from '../../platform/http/routes.js';
import {
  companySchema, createCompanySchema, createContactSchema, handleCompanyApi, handleCreateCompanyApi, handleCreateContactApi, handleSearchEstablishments, handleUpdateCompanyApi, searchEstablishmentsSchema,
  updateCompanySchema,
} from './registry.api.js';
import type { RegistryDb } from './registry.table.js';
import {
  handleAddNote, handleAddTag, handleCompany, handleCreateCompany, handleCreateContact, handleDeleteSegment, handleDismissDuplicate, handleDuplicates, handleEditCompanyForm, handleEditContactForm,
  handleEraseContact, handleExportContact, handleExportCsv, handleExportXlsx, handleExportProspecting, handleImport, handleImports, handleCancelImport, handleMerge, handleNewCompanyForm, handleNewContactForm, handleRemoveTag, handleSaveConsent,
  handleSaveSegment, handleSearch, handleSearchFacets, handleUpdateCompany, handleUpdateContact, handleUploadImport,
} from './registry.web.js';

export const registryWebRoutes: RouteTable<RegistryDb> = [
  ['GET', '/registre', { permission: 'registry:read' }, handleSearch],
  ['GET', '/registre/facettes', { permission: 'registry:read' }, handleSearchFacets],
  ['POST', '/registre/segments/:id/supprimer', { permission: 'registry:read' }, handleDeleteSegment],
  ['POST', '/registre/segments', { permission: 'registry:read' }, handleSaveSegment],
  ['GET', '/registre/export.csv', { permission: 'registry:export' }, handleExportCsv],
  ['GET', '/registre/export.xlsx', { permission: 'registry:export' }, handleExportXlsx],
  ['GET', '/registre/export-prospection.csv', { permission: 'registry:export' }, handleExportProspecting],
  ['GET', '/registre/entreprises/nouvelle', { permission: 'registry:edit' }, handleNewCompanyForm],
  ['POST', '/registre/entreprises', { permission: 'registry:edit' }, handleCreateCompany],
  ['GET', '/registre/entreprises/:id', { permission: 'registry:read' }, handleCompany],
  ['GET', '/registre/entreprises/:id/modifier', { permission: 'registry:edit' }, handleEditCompanyForm],
  ['POST', '/registre/entreprises/:id', { permission: 'registry:edit' }, handleUpdateCompany],
  ['GET', '/registre/entreprises/:id/contacts/nouveau', { permission: 'registry:edit' }, handleNewContactForm],
  ['POST', '/registre/entreprises/:id/contacts', { permission: 'registry:edit' }, handleCreateContact],
  ['GET', '/registre/contacts/:id/modifier', { permission: 'registry:edit' }, handleEditContactForm],
  ['POST', '/registre/contacts/:id/consentements', { permission: 'registry:edit' }, handleSaveConsent],
  ['POST', '/registre/contacts/:id', { permission: 'registry:edit' }, handleUpdateContact],
  ['GET', '/registre/contacts/:id/export.json', { permission: 'registry:personal_data' }, handleExportContact],
  ['POST', '/registre/contacts/:id/effacer', { permission: 'registry:personal_data' }, handleEraseContact],
  ['POST', '/registre/entreprises/:id/etiquettes', { permission: 'registry:edit' }, handleAddTag],
  ['POST', '/registre/entreprises/:id/etiquettes/retirer', { permission: 'registry:edit' }, handleRemoveTag],
  ['POST', '/registre/entreprises/:id/notes', { permission: 'registry:edit' }, handleAddNote],
  ['GET', '/registre/doublons', { permission: 'registry:merge' }, handleDuplicates],
  ['POST', '/registre/doublons/fusion', { permission: 'registry:merge' }, handleMerge],
  ['POST', '/registre/doublons/ignorer', { permission: 'registry:merge' }, handleDismissDuplicate],
  ['GET', '/registre/imports', { permission: 'registry:import' }, handleImports],
  ['POST', '/registre/imports', { permission: 'registry:import' }, handleUploadImport],
  ['GET', '/registre/imports/:id', { permission: 'registry:import' }, handleImport],
  ['POST', '/registre/imports/:id/annuler', { permission: 'registry:import' }, handleCancelImport],
];

/** Mounted under /api/v1; token scopes are in platform/access/permissions.ts. */
export const registryApiRoutes: RouteTable<RegistryDb> = [
  ['GET', '/establishments', { permission: 'registry:read' }, handleSearchEstablishments, searchEstablishmentsSchema],
  ['GET', '/companies/:siren', { permission: 'registry:read' }, handleCompanyApi, companySchema],
  ['POST', '/companies', { permission: 'registry:edit' }, handleCreateCompanyApi, createCompanySchema],
  ['PATCH', '/companies/:siren', { permission: 'registry:edit' }, handleUpdateCompanyApi, updateCompanySchema],
  ['POST', '/companies/:siren/contacts', { permission: 'registry:edit' }, handleCreateContactApi, createContactSchema],
];
