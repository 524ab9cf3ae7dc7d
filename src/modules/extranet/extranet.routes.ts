// Every route of the extranet module: method, path, who may call it, the handler that answers.
// Member pages declare the member audience (`audience: 'member'`); those of the current company
// add `member:use`, the team pages `member:admin`. The pages before sign-in are open to anyone
// but read the member session (`audience: 'member', public: true`), so a pending second-factor
// step or a signed-in member is seen. Services check the scope's company on every record.
import type { RouteTable } from '../../platform/http/routes.js';
import { handleRequestApi, handleRequestsApi, handleResponseTimesApi, requestSchema, requestsSchema, responseTimesSchema } from './extranet.api.js';
import * as member from './extranet.member.web.js';
import * as staff from './extranet.staff.web.js';
import type { ExtranetDb } from './extranet.table.js';

export const extranetMemberRoutes: RouteTable<ExtranetDb> = [
  // before sign-in
  ['GET', '/extranet/connexion', { audience: 'member', public: true }, member.handleSignInPage],
  ['POST', '/extranet/connexion', { audience: 'member', public: true }, member.handleSignIn],
  ['GET', '/extranet/connexion/code', { audience: 'member', public: true }, member.handleSecondFactorPage],
  ['POST', '/extranet/connexion/code', { audience: 'member', public: true }, member.handleSecondFactor],
  ['POST', '/extranet/deconnexion', { audience: 'member', public: true }, member.handleSignOut],
  ['GET', '/extranet/mot-de-passe-oublie', { audience: 'member', public: true }, member.handleForgotPage],
  ['POST', '/extranet/mot-de-passe-oublie', { audience: 'member', public: true }, member.handleForgot],
  ['GET', '/extranet/mot-de-passe/:token', { audience: 'member', public: true }, member.handleResetPage],
  ['POST', '/extranet/mot-de-passe/:token', { audience: 'member', public: true }, member.handleReset],
  ['GET', '/extranet/invitation/:token', { audience: 'member', public: true }, member.handleLinkPage],
  ['POST', '/extranet/invitation/:token', { audience: 'member', public: true }, member.handleFollowLink],
  ['GET', '/extranet/inscription', { audience: 'member', public: true }, member.handleSignupPage],
  ['POST', '/extranet/inscription', { audience: 'member', public: true }, member.handleSignup],
  ['GET', '/extranet/inscription/:token', { audience: 'member', public: true }, member.handleLinkPage],
  ['POST', '/extranet/inscription/:token', { audience: 'member', public: true }, member.handleFollowLink],
  // the member's own account, with or without a company
  ['GET', '/extranet', { audience: 'member' }, member.handleHome],
  ['POST', '/extranet/entreprise-courante', { audience: 'member' }, member.handleSwitchCompany],
  ['GET', '/extranet/compte', { audience: 'member' }, member.handleAccount],
  ['POST', '/extranet/compte/mot-de-passe', { audience: 'member' }, member.handleChangePassword],
  ['GET', '/extranet/compte/double-authentification', { audience: 'member' }, member.handleTotpEnrolPage],
  ['POST', '/extranet/compte/double-authentification', { audience: 'member' }, member.handleEnableTotp],
  ['POST', '/extranet/compte/double-authentification/desactiver', { audience: 'member' }, member.handleDisableTotp],
  // the current company's pages
  ['GET', '/extranet/mon-entreprise', { audience: 'member', permission: 'member:use' }, member.handleCompany],
  ['GET', '/extranet/mon-entreprise/corriger', { audience: 'member', permission: 'member:use' }, member.handleCorrectionForm],
  ['POST', '/extranet/mon-entreprise/corrections', { audience: 'member', permission: 'member:use' }, member.handleProposeCorrection],
  ['GET', '/extranet/mon-entreprise/corrections/:id', { audience: 'member', permission: 'member:use' }, member.handleCorrection],
  ['GET', '/extranet/demandes', { audience: 'member', permission: 'member:use' }, member.handleRequests],
  ['GET', '/extranet/demandes/nouvelle', { audience: 'member', permission: 'member:use' }, member.handleNewRequestForm],
  ['POST', '/extranet/demandes', { audience: 'member', permission: 'member:use' }, member.handleCreateRequest],
  ['GET', '/extranet/demandes/:id', { audience: 'member', permission: 'member:use' }, member.handleRequest],
  ['POST', '/extranet/demandes/:id/messages', { audience: 'member', permission: 'member:use' }, member.handleAddMessage],
  ['POST', '/extranet/demandes/:id/cloturer', { audience: 'member', permission: 'member:use' }, member.handleCloseRequest],
  ['GET', '/extranet/pieces-jointes/:id', { audience: 'member', permission: 'member:use' }, member.handleAttachment],
  ['GET', '/extranet/suivi', { audience: 'member', permission: 'member:use' }, member.handleTimeline],
  ['GET', '/extranet/actualites', { audience: 'member', permission: 'member:use' }, member.handleNews],
  ['GET', '/extranet/actualites/:ref', { audience: 'member', permission: 'member:use' }, member.handlePublishedItem],
  ['GET', '/extranet/evenements', { audience: 'member', permission: 'member:use' }, member.handleEvents],
  ['GET', '/extranet/evenements/:ref', { audience: 'member', permission: 'member:use' }, member.handlePublishedItem],
  ['GET', '/extranet/documents', { audience: 'member', permission: 'member:use' }, member.handleDocuments],
  ['GET', '/extranet/contacts', { audience: 'member', permission: 'member:use' }, member.handleContacts],
  ['POST', '/extranet/contacts/:id/preferences', { audience: 'member', permission: 'member:use' }, member.handleSetPreferences],
  // the current company's team (its administrators)
  ['GET', '/extranet/equipe', { audience: 'member', permission: 'member:admin' }, member.handleTeam],
  ['POST', '/extranet/equipe/invitations', { audience: 'member', permission: 'member:admin' }, member.handleInviteColleague],
  ['POST', '/extranet/equipe/invitations/:id/annuler', { audience: 'member', permission: 'member:admin' }, member.handleCancelColleagueInvitation],
  ['POST', '/extranet/equipe/:id/role', { audience: 'member', permission: 'member:admin' }, member.handleSetColleagueRole],
  ['POST', '/extranet/equipe/:id/retirer', { audience: 'member', permission: 'member:admin' }, member.handleRemoveColleague],
];

export const extranetStaffRoutes: RouteTable<ExtranetDb> = [
  ['GET', '/gestion-extranet', { permission: 'extranet:manage' }, staff.handleDashboard],
  // accounts
  ['GET', '/gestion-extranet/comptes', { permission: 'extranet:manage' }, staff.handleMemberAccounts],
  ['GET', '/gestion-extranet/comptes/:id', { permission: 'extranet:manage' }, staff.handleMemberAccount],
  ['POST', '/gestion-extranet/comptes/:id/statut', { permission: 'extranet:manage' }, staff.handleSetAccountStatus],
  ['POST', '/gestion-extranet/acces/:id/retirer', { permission: 'extranet:manage' }, staff.handleRevokeAccess],
  // invitations
  ['GET', '/gestion-extranet/invitations/nouvelle', { permission: 'extranet:manage' }, staff.handleInviteForm],
  ['POST', '/gestion-extranet/invitations', { permission: 'extranet:manage' }, staff.handleInvite],
  ['POST', '/gestion-extranet/invitations/:id/annuler', { permission: 'extranet:manage' }, staff.handleCancelInvitation],
  // sign-up queue
  ['GET', '/gestion-extranet/inscriptions', { permission: 'extranet:manage' }, staff.handleSignups],
  ['POST', '/gestion-extranet/inscriptions/:id/approuver', { permission: 'extranet:manage' }, staff.handleApproveSignup],
  ['POST', '/gestion-extranet/inscriptions/:id/refuser', { permission: 'extranet:manage' }, staff.handleRefuseSignup],
  // corrections
  ['GET', '/gestion-extranet/corrections', { permission: 'extranet:manage' }, staff.handleCorrectionQueue],
  ['GET', '/gestion-extranet/corrections/:id', { permission: 'extranet:manage' }, staff.handleCorrectionToDecide],
  ['POST', '/gestion-extranet/corrections/:id/decision', { permission: 'extranet:manage' }, staff.handleDecideCorrection],
  // requests queue
  ['GET', '/gestion-extranet/demandes', { permission: 'extranet:requests' }, staff.handleQueue],
  ['GET', '/gestion-extranet/demandes/:id', { permission: 'extranet:requests' }, staff.handleThread],
  ['POST', '/gestion-extranet/demandes/:id/reponse', { permission: 'extranet:requests' }, staff.handleReply],
  ['POST', '/gestion-extranet/demandes/:id/assigner', { permission: 'extranet:requests' }, staff.handleAssign],
  ['POST', '/gestion-extranet/demandes/:id/cloturer', { permission: 'extranet:requests' }, staff.handleStaffCloseRequest],
  ['GET', '/gestion-extranet/pieces-jointes/:id', { permission: 'extranet:requests' }, staff.handleStaffAttachment],
  // routing by category
  ['GET', '/gestion-extranet/routage', { permission: 'extranet:manage' }, staff.handleRouting],
  ['POST', '/gestion-extranet/routage', { permission: 'extranet:manage' }, staff.handleSaveRouting],
];

/** Mounted under /api/v1. */
export const extranetApiRoutes: RouteTable<ExtranetDb> = [
  ['GET', '/extranet/requests', { permission: 'extranet:requests' }, handleRequestsApi, requestsSchema],
  ['GET', '/extranet/requests/:id', { permission: 'extranet:requests' }, handleRequestApi, requestSchema],
  ['GET', '/extranet/response-times', { permission: 'extranet:requests' }, handleResponseTimesApi, responseTimesSchema],
];
