// Every route of the messages: method, path, who may call it, the handler that answers. Staff
// routes ask for portal access; the service shows a conversation only to those policy.maySee
// lets in (404 for anyone else). Member routes are the member audience's, for the company the
// member acts for.
import type { RouteTable } from '../../platform/http/routes.js';
import type { MessagesDb } from './messages.table.js';
import {
  handleAddParticipant, handleAssign, handleClose, handleCreateThread, handleFile, handleInbox, handleMemberCreate, handleMemberFile, handleMemberList, handleMemberNewForm, handleMemberReply,
  handleMemberThread, handleNewThreadForm, handleReopen, handleReply, handleThread,
} from './messages.web.js';

export const messagesWebRoutes: RouteTable<MessagesDb> = [
  ['GET', '/messages', { permission: 'portal:use' }, handleInbox],
  ['GET', '/messages/nouveau', { permission: 'portal:use' }, handleNewThreadForm],
  ['POST', '/messages/nouveau', { permission: 'portal:use' }, handleCreateThread],
  ['GET', '/messages/:id', { permission: 'portal:use' }, handleThread],
  ['POST', '/messages/:id/repondre', { permission: 'portal:use' }, handleReply],
  ['POST', '/messages/:id/attribuer', { permission: 'portal:use' }, handleAssign],
  ['POST', '/messages/:id/participants', { permission: 'portal:use' }, handleAddParticipant],
  ['POST', '/messages/:id/fermer', { permission: 'portal:use' }, handleClose],
  ['POST', '/messages/:id/rouvrir', { permission: 'portal:use' }, handleReopen],
  ['GET', '/messages/:id/fichiers/:file', { permission: 'portal:use' }, handleFile],
  ['GET', '/extranet/messages', { audience: 'member', permission: 'member:use' }, handleMemberList],
  ['GET', '/extranet/messages/nouveau', { audience: 'member', permission: 'member:use' }, handleMemberNewForm],
  ['POST', '/extranet/messages/nouveau', { audience: 'member', permission: 'member:use' }, handleMemberCreate],
  ['GET', '/extranet/messages/:id', { audience: 'member', permission: 'member:use' }, handleMemberThread],
  ['POST', '/extranet/messages/:id/repondre', { audience: 'member', permission: 'member:use' }, handleMemberReply],
  ['GET', '/extranet/messages/:id/fichiers/:file', { audience: 'member', permission: 'member:use' }, handleMemberFile],
];
