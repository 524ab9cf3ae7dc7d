// Every route of the workspaces: method, path, who may call it, the handler that answers. Routes
// ask for portal access only; the service opens a workspace for its members alone (404 for
// anyone else) and keeps members and archiving to its leads.
import type { RouteTable } from '../../platform/http/routes.js';
import type { WorkspacesDb } from './workspaces.table.js';
import {
  handleAddDocument, handleAddTask, handleArchive, handleCreateWorkspace, handleDownload, handleMyWorkspaces, handlePostMessage, handleRecordDecision, handleSetMember, handleSetTaskStatus,
  handleWorkspace,
} from './workspaces.web.js';

export const workspacesWebRoutes: RouteTable<WorkspacesDb> = [
  ['GET', '/espaces', { permission: 'portal:use' }, handleMyWorkspaces],
  ['POST', '/espaces', { permission: 'workspace:create' }, handleCreateWorkspace],
  ['GET', '/espaces/:id', { permission: 'portal:use' }, handleWorkspace],
  ['POST', '/espaces/:id/messages', { permission: 'portal:use' }, handlePostMessage],
  ['POST', '/espaces/:id/decisions', { permission: 'portal:use' }, handleRecordDecision],
  ['POST', '/espaces/:id/taches', { permission: 'portal:use' }, handleAddTask],
  ['POST', '/espaces/:id/membres', { permission: 'portal:use' }, handleSetMember],
  ['POST', '/espaces/:id/archiver', { permission: 'portal:use' }, handleArchive],
  ['POST', '/espaces/:id/taches/:task/statut', { permission: 'portal:use' }, handleSetTaskStatus],
  ['POST', '/espaces/:id/documents', { permission: 'portal:use' }, handleAddDocument],
  ['GET', '/espaces/:id/documents/:version/:name', { permission: 'portal:use' }, handleDownload],
];
