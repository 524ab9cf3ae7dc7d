// Every route of the approval engine. Staff pages ask for portal access: who may see or act on a
// request is decided by the service (requester, seat on a step, approvals:admin; 404 for anyone
// else). The signed e-mail link is public, its token being the key; it re-checks the approver.
import type { RouteTable } from '../../platform/http/routes.js';
import type { ApprovalsDb } from './approvals.table.js';
import { handleCreateType, handleEditType, handleExportType, handleNewTypeForm, handleTypeForm, handleTypes } from './admin.web.js';
import {
  handleAttachment, handleCancel, handleChooseType, handleDecide, handleDeputyForm, handleEdit, handleEditForm, handleFileRequest, handleLinkAct, handleLinkPage, handleMyRequests, handleNewRequestForm, handleRequest,
  handleResubmit, handleSetDeputy, handleToApprove, handleWithdraw,
} from './approvals.web.js';

export const approvalsWebRoutes: RouteTable<ApprovalsDb> = [
  ['GET', '/demandes', { permission: 'portal:use' }, handleMyRequests],
  ['GET', '/demandes/a-approuver', { permission: 'portal:use' }, handleToApprove],
  ['GET', '/demandes/nouvelle', { permission: 'portal:use' }, handleChooseType],
  ['GET', '/demandes/nouvelle/:code', { permission: 'portal:use' }, handleNewRequestForm],
  ['POST', '/demandes/nouvelle/:code', { permission: 'portal:use' }, handleFileRequest],
  ['GET', '/demandes/suppleant', { permission: 'portal:use' }, handleDeputyForm],
  ['POST', '/demandes/suppleant', { permission: 'portal:use' }, handleSetDeputy],
  ['GET', '/demandes/types', { permission: 'approvals:admin' }, handleTypes],
  ['GET', '/demandes/types/nouveau', { permission: 'approvals:admin' }, handleNewTypeForm],
  ['POST', '/demandes/types/nouveau', { permission: 'approvals:admin' }, handleCreateType],
  ['GET', '/demandes/types/:id', { permission: 'approvals:admin' }, handleTypeForm],
  ['POST', '/demandes/types/:id', { permission: 'approvals:admin' }, handleEditType],
  ['GET', '/demandes/types/:id/export.csv', { permission: 'approvals:admin' }, handleExportType],
  ['GET', '/demandes/:id', { permission: 'portal:use' }, handleRequest],
  ['POST', '/demandes/:id/decider', { permission: 'portal:use' }, handleDecide],
  ['POST', '/demandes/:id/retirer', { permission: 'portal:use' }, handleWithdraw],
  ['POST', '/demandes/:id/soumettre', { permission: 'portal:use' }, handleResubmit],
  ['POST', '/demandes/:id/annuler', { permission: 'portal:use' }, handleCancel],
  ['GET', '/demandes/:id/pieces/:field', { permission: 'portal:use' }, handleAttachment],
  ['GET', '/demandes/:id/modifier', { permission: 'portal:use' }, handleEditForm],
  ['POST', '/demandes/:id/modifier', { permission: 'portal:use' }, handleEdit],
  ['GET', '/approbations/lien/:token', { public: true }, handleLinkPage],
  ['POST', '/approbations/lien/:token', { public: true }, handleLinkAct],
];
