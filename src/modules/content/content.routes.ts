// Every route of the content module: method, path, who may call it, the handler that answers.
// Access is coarse here (content:write, content:admin, portal:use…); the services check the
// per-section rights and the state machine.
import type { RouteTable } from '../../platform/http/routes.js';
import { handleItemApi, handleItemsApi, handlePublishedApi, itemSchema, itemsSchema, publishedSchema } from './content.api.js';
import type { ContentDb } from './content.table.js';
import {
  handleAddDocumentVersion, handleAddImage, handleAddLink, handleCancelSchedule, handleCreateFolder, handleCreateItem, handleCreateSection, handleDeleteLink, handleEditForm, handleItem, handleItems,
  handleNewItemForm, handlePageTree, handlePreview, handlePublishItem, handleRestoreRevision, handleReviewQueue, handleRevisions, handleSaveItem, handleSection, handleSendBack, handleSetSectionRight,
  handleSettings, handleSubmitItem, handleUnpublishItem,
} from './content.web.js';
import {
  handleAccessibilityStatement, handleAtomFeed, handleDocuments, handleEvent, handleEventList, handleFile, handleHome, handleIntranetHome, handleLegalNotice, handleMemberFile, handleNewsItem,
  handleNewsList, handlePage, handlePagesIndex, handleRobots, handleRssFeed, handleSearch, handleSitemap,
} from './public.web.js';

export const contentWebRoutes: RouteTable<ContentDb> = [
  // public site
  ['GET', '/', { public: true }, handleHome],
  ['GET', '/actualites', { public: true }, handleNewsList],
  ['GET', '/actualites/:ref', { public: true }, handleNewsItem],
  ['GET', '/evenements', { public: true }, handleEventList],
  ['GET', '/evenements/:ref', { public: true }, handleEvent],
  ['GET', '/pages', { public: true }, handlePagesIndex],
  ['GET', '/pages/:slug', { public: true }, handlePage],
  ['GET', '/documents', { public: true }, handleDocuments],
  ['GET', '/rechercher', { public: true }, handleSearch],
  ['GET', '/mentions-legales', { public: true }, handleLegalNotice],
  ['GET', '/accessibilite', { public: true }, handleAccessibilityStatement],
  ['GET', '/actualites/flux.rss', { public: true }, handleRssFeed],
  ['GET', '/actualites/flux.atom', { public: true }, handleAtomFeed],
  ['GET', '/sitemap.xml', { public: true }, handleSitemap],
  ['GET', '/robots.txt', { public: true }, handleRobots],
  ['GET', '/fichiers/:id', { public: true }, handleFile],
  ['GET', '/fichiers/:id/:name', { public: true }, handleFile],
  // intranet: the same pages for staff, with the intranet's items
  ['GET', '/intranet', { permission: 'portal:use' }, handleIntranetHome],
  ['GET', '/intranet/actualites', { permission: 'portal:use' }, handleNewsList],
  ['GET', '/intranet/actualites/:ref', { permission: 'portal:use' }, handleNewsItem],
  ['GET', '/intranet/evenements', { permission: 'portal:use' }, handleEventList],
  ['GET', '/intranet/evenements/:ref', { permission: 'portal:use' }, handleEvent],
  ['GET', '/intranet/pages', { permission: 'portal:use' }, handlePagesIndex],
  ['GET', '/intranet/pages/:slug', { permission: 'portal:use' }, handlePage],
  ['GET', '/intranet/documents', { permission: 'portal:use' }, handleDocuments],
  ['GET', '/intranet/rechercher', { permission: 'portal:use' }, handleSearch],
  // extranet: files of extranet items, on the member session
  ['GET', '/extranet/contenus/fichiers/:id/:name', { audience: 'member' }, handleMemberFile],
  // back office: the workflow
  ['GET', '/contenus', { permission: 'content:write' }, handleItems],
  ['GET', '/contenus/relecture', { permission: 'content:write' }, handleReviewQueue],
  ['GET', '/contenus/arborescence', { permission: 'content:write' }, handlePageTree],
  ['GET', '/contenus/nouveau', { permission: 'content:write' }, handleNewItemForm],
  ['POST', '/contenus', { permission: 'content:write' }, handleCreateItem],
  ['GET', '/contenus/:id', { permission: 'content:write' }, handleItem],
  ['GET', '/contenus/:id/modifier', { permission: 'content:write' }, handleEditForm],
  ['POST', '/contenus/:id/modifier', { permission: 'content:write' }, handleSaveItem],
  ['POST', '/contenus/:id/soumettre', { permission: 'content:write' }, handleSubmitItem],
  ['POST', '/contenus/:id/renvoyer', { permission: 'content:write' }, handleSendBack],
  ['POST', '/contenus/:id/publier', { permission: 'content:write' }, handlePublishItem],
  ['POST', '/contenus/:id/annuler-programmation', { permission: 'content:write' }, handleCancelSchedule],
  ['POST', '/contenus/:id/depublier', { permission: 'content:write' }, handleUnpublishItem],
  ['POST', '/contenus/:id/revisions/:number/restaurer', { permission: 'content:write' }, handleRestoreRevision],
  ['GET', '/contenus/:id/revisions', { permission: 'content:write' }, handleRevisions],
  ['GET', '/contenus/:id/apercu', { permission: 'content:write' }, handlePreview],
  ['POST', '/contenus/:id/images', { permission: 'content:write' }, handleAddImage],
  ['POST', '/contenus/:id/versions', { permission: 'content:write' }, handleAddDocumentVersion],
  // back office: settings
  ['GET', '/contenus/reglages', { permission: 'content:admin' }, handleSettings],
  ['POST', '/contenus/rubriques', { permission: 'content:admin' }, handleCreateSection],
  ['POST', '/contenus/dossiers', { permission: 'content:admin' }, handleCreateFolder],
  ['POST', '/contenus/liens', { permission: 'content:admin' }, handleAddLink],
  ['POST', '/contenus/liens/:id/supprimer', { permission: 'content:admin' }, handleDeleteLink],
  ['GET', '/contenus/rubriques/:id', { permission: 'content:admin' }, handleSection],
  ['POST', '/contenus/rubriques/:id/droits', { permission: 'content:admin' }, handleSetSectionRight],
];

/** Mounted under /api/v1. */
export const contentApiRoutes: RouteTable<ContentDb> = [
  ['GET', '/content/published', { public: true }, handlePublishedApi, publishedSchema],
  ['GET', '/content/items', { permission: 'content:write' }, handleItemsApi, itemsSchema],
  ['GET', '/content/items/:id', { permission: 'content:write' }, handleItemApi, itemSchema],
];
