// Every route of the apprenticeship-tax module: method, path, who may call it, the handler.
// Members: their current company only (member:use; the services take the company the
// extranet's resolver verified). Staff: apprenticeship:follow (board, targets, export, every
// school's results) and apprenticeship:manage (settings). A school's results page is open to
// any staff member at the route; the service lets through only followers and the school's
// directors (per-school grant), others get 404. Public: the calculator and the unsubscription.
import type { RouteTable } from '../../platform/http/routes.js';
import { handleQuoteApi, handleUnsubscribeApi, quoteSchema, unsubscribeSchema } from './apprenticeship.api.js';
import type { ApprenticeshipDb } from './apprenticeship.table.js';
import * as w from './apprenticeship.web.js';

export const apprenticeshipWebRoutes: RouteTable<ApprenticeshipDb> = [
  // members, in the extranet
  ['GET', '/extranet/taxe-apprentissage', { audience: 'member', permission: 'member:use' }, w.handleMemberPage],
  ['POST', '/extranet/taxe-apprentissage/declaration', { audience: 'member', permission: 'member:use' }, w.handleSaveDeclaration],
  ['POST', '/extranet/taxe-apprentissage/import', { audience: 'member', permission: 'member:use' }, w.handleImportCsv],
  ['POST', '/extranet/taxe-apprentissage/promesses', { audience: 'member', permission: 'member:use' }, w.handleSavePledges],
  ['POST', '/extranet/taxe-apprentissage/confirmation', { audience: 'member', permission: 'member:use' }, w.handleConfirm],
  ['GET', '/extranet/taxe-apprentissage/recapitulatif.pdf', { audience: 'member', permission: 'member:use' }, w.handleSummaryPdf],
  // staff: follow-up
  ['GET', '/taxe-apprentissage', { permission: 'apprenticeship:follow' }, w.handleBoard],
  ['GET', '/taxe-apprentissage/export', { permission: 'apprenticeship:follow' }, w.handleExport],
  ['GET', '/taxe-apprentissage/cibles', { permission: 'apprenticeship:follow' }, w.handleTargets],
  ['POST', '/taxe-apprentissage/cibles/:id/contact', { permission: 'apprenticeship:follow' }, w.handleMarkContacted],
  ['POST', '/taxe-apprentissage/cibles/:id/conseiller', { permission: 'apprenticeship:follow' }, w.handleTakeTarget],
  ['GET', '/taxe-apprentissage/ecoles/:id/resultats', { permission: 'portal:use' }, w.handleResults],
  // staff: settings
  ['GET', '/taxe-apprentissage/campagnes', { permission: 'apprenticeship:manage' }, w.handleSettings],
  ['POST', '/taxe-apprentissage/campagnes', { permission: 'apprenticeship:manage' }, w.handleCreateCampaign],
  ['GET', '/taxe-apprentissage/campagnes/:id', { permission: 'apprenticeship:manage' }, w.handleCampaign],
  ['POST', '/taxe-apprentissage/campagnes/:id', { permission: 'apprenticeship:manage' }, w.handleUpdateCampaign],
  ['POST', '/taxe-apprentissage/campagnes/:id/objectifs', { permission: 'apprenticeship:manage' }, w.handleSetGoals],
  ['POST', '/taxe-apprentissage/campagnes/:id/cibles', { permission: 'apprenticeship:manage' }, w.handleRefreshTargets],
  ['POST', '/taxe-apprentissage/ecoles', { permission: 'apprenticeship:manage' }, w.handleCreateSchool],
  ['GET', '/taxe-apprentissage/ecoles/:id', { permission: 'apprenticeship:manage' }, w.handleSchool],
  ['POST', '/taxe-apprentissage/ecoles/:id', { permission: 'apprenticeship:manage' }, w.handleUpdateSchool],
  ['POST', '/taxe-apprentissage/ecoles/:id/acces', { permission: 'apprenticeship:manage' }, w.handleGrant],
  ['POST', '/taxe-apprentissage/ecoles/:id/acces/:userId/retirer', { permission: 'apprenticeship:manage' }, w.handleRevoke],
  ['POST', '/taxe-apprentissage/modeles/:code', { permission: 'apprenticeship:manage' }, w.handleUpdateTemplate],
  // public: the page of the unsubscribe link (a form with CSRF; mail clients use the API's POST)
  ['GET', '/taxe-apprentissage/desinscription/:token', { public: true }, w.handleUnsubscribePage],
  ['POST', '/taxe-apprentissage/desinscription/:token', { public: true }, w.handleUnsubscribeConfirm],
];

/** Mounted under /api/v1. */
export const apprenticeshipApiRoutes: RouteTable<ApprenticeshipDb> = [
  ['POST', '/apprenticeship-tax/quote', { public: true }, handleQuoteApi, quoteSchema],
  ['POST', '/apprenticeship-tax/unsubscribe/:token', { public: true }, handleUnsubscribeApi, unsubscribeSchema],
];
