// Every route of the mailing module: method, path, who may call it, the handler that answers.
// Staff pages need mailing:write (reading and preparing), mailing:send (sending) or
// mailing:admin (settings); the public routes are keyed by the signed token in their URL.
import type { RouteTable } from '../../platform/http/routes.js';
import { handleWebhook, webhookSchema } from './mailing.api.js';
import type { MailingDb } from './mailing.table.js';
import {
  handleAddSubscriber, handleCampaign, handleCampaignAction, handleCampaigns, handleCreateCampaign, handleCreateLetters, handleCreateList, handleCreateTemplate, handleLetterPdf, handleLetters, handleList,
  handleLists, handlePreview, handlePreviewHtml, handleResendPresumed, handleRetry, handleSaveSettings, handleSend, handleSettings, handleTemplate, handleTemplates, handleTestSend, handleUpdateCampaign, handleUpdateList,
  handleUpdateTemplate,
} from './mailing.web.js';
import {
  handleArchive, handleArchived, handleClick, handleConfirm, handleConfirmPage, handleOpen, handlePreferences, handleSavePreferences, handleSubscribe, handleSubscribePage, handleUnsubscribe, handleUnsubscribePage,
} from './public.web.js';

export const mailingWebRoutes: RouteTable<MailingDb> = [
  ['GET', '/mailing/campagnes', { permission: 'mailing:write' }, handleCampaigns],
  ['POST', '/mailing/campagnes', { permission: 'mailing:write' }, handleCreateCampaign],
  ['GET', '/mailing/campagnes/:campaign', { permission: 'mailing:write' }, handleCampaign],
  ['POST', '/mailing/campagnes/:campaign', { permission: 'mailing:write' }, handleUpdateCampaign],
  ['GET', '/mailing/campagnes/:campaign/apercu', { permission: 'mailing:write' }, handlePreview],
  ['GET', '/mailing/campagnes/:campaign/apercu.html', { permission: 'mailing:write' }, handlePreviewHtml],
  ['POST', '/mailing/campagnes/:campaign/test', { permission: 'mailing:write' }, handleTestSend],
  ['POST', '/mailing/campagnes/:campaign/envoyer', { permission: 'mailing:send' }, handleSend],
  ['POST', '/mailing/campagnes/:campaign/action', { permission: 'mailing:send' }, handleCampaignAction],
  ['POST', '/mailing/campagnes/:campaign/relancer', { permission: 'mailing:send' }, handleRetry],
  ['POST', '/mailing/campagnes/:campaign/renvoyer', { permission: 'mailing:send' }, handleResendPresumed],
  ['GET', '/mailing/listes', { permission: 'mailing:write' }, handleLists],
  ['POST', '/mailing/listes', { permission: 'mailing:write' }, handleCreateList],
  ['GET', '/mailing/listes/:list', { permission: 'mailing:write' }, handleList],
  ['POST', '/mailing/listes/:list', { permission: 'mailing:write' }, handleUpdateList],
  ['POST', '/mailing/listes/:list/abonnes', { permission: 'mailing:write' }, handleAddSubscriber],
  ['GET', '/mailing/modeles', { permission: 'mailing:write' }, handleTemplates],
  ['POST', '/mailing/modeles', { permission: 'mailing:write' }, handleCreateTemplate],
  ['GET', '/mailing/modeles/:template', { permission: 'mailing:write' }, handleTemplate],
  ['POST', '/mailing/modeles/:template', { permission: 'mailing:write' }, handleUpdateTemplate],
  ['GET', '/mailing/courriers', { permission: 'mailing:write' }, handleLetters],
  ['POST', '/mailing/courriers', { permission: 'mailing:write' }, handleCreateLetters],
  ['GET', '/mailing/courriers/:batch', { permission: 'mailing:write' }, handleLetterPdf],
  ['GET', '/mailing/reglages', { permission: 'mailing:admin' }, handleSettings],
  ['POST', '/mailing/reglages', { permission: 'mailing:admin' }, handleSaveSettings],
  // public site and extranet: subscription with double opt-in
  ['GET', '/abonnements', { public: true }, handleSubscribePage],
  ['POST', '/abonnements', { public: true }, handleSubscribe],
  ['GET', '/extranet/lettres-information', { audience: 'member' }, handleSubscribePage],
  ['POST', '/extranet/lettres-information', { audience: 'member' }, handleSubscribe],
  ['GET', '/abonnements/confirmer/:token', { public: true }, handleConfirmPage],
  ['POST', '/abonnements/confirmer/:token', { public: true }, handleConfirm],
  ['GET', '/abonnements/preferences/:token', { public: true }, handlePreferences],
  ['POST', '/abonnements/preferences/:token', { public: true }, handleSavePreferences],
  // List-Unsubscribe: GET shows the choice; POST is RFC 8058's one click (no cookie, no CSRF token)
  ['GET', '/desabonnement/:token', { public: true }, handleUnsubscribePage],
  ['POST', '/desabonnement/:token', { public: true, oneClick: true }, handleUnsubscribe],
  ['GET', '/lettres-information', { public: true }, handleArchive],
  ['GET', '/lettres-information/:campaign', { public: true }, handleArchived],
  ['GET', '/m/clic/:token', { public: true }, handleClick],
  ['GET', '/m/ouverture/:token', { public: true }, handleOpen],
];

/** Mounted under /api/v1. */
export const mailingApiRoutes: RouteTable<MailingDb> = [['POST', '/mailing/events', { public: true }, handleWebhook, webhookSchema]];
