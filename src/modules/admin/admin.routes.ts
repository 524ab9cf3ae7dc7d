// Every route of the admin module: method, path, who may call it, the handler that answers.
// The platform services behind them (users, tokens, settings) audit each change.
import type { RouteTable } from '../../platform/http/routes.js';
import { auditSchema, handleAuditApi, handleMe, handleUsersApi, meSchema, usersSchema } from './admin.api.js';
import type { AdminDb } from './admin.table.js';
import {
  handleAudit, handleCreateUser, handleDeactivateUser, handleEditUserForm, handleHealth, handleJobs, handleMail, handleNewUserForm, handleOutbox, handleReactivateUser, handleResendInvitation,
  handleRevokeToken, handleRoles, handleSaveSettings, handleSaveUser, handleSendPasswordReset, handleSettings, handleTokens, handleUnlockUser, handleUser, handleUsers,
} from './admin.web.js';

export const adminWebRoutes: RouteTable<AdminDb> = [
  // staff accounts
  ['GET', '/admin/utilisateurs', { permission: 'admin:users' }, handleUsers],
  ['GET', '/admin/utilisateurs/nouveau', { permission: 'admin:users' }, handleNewUserForm],
  ['POST', '/admin/utilisateurs', { permission: 'admin:users' }, handleCreateUser],
  ['GET', '/admin/utilisateurs/:id', { permission: 'admin:users' }, handleUser],
  ['GET', '/admin/utilisateurs/:id/modifier', { permission: 'admin:users' }, handleEditUserForm],
  ['POST', '/admin/utilisateurs/:id', { permission: 'admin:users' }, handleSaveUser],
  ['POST', '/admin/utilisateurs/:id/desactiver', { permission: 'admin:users' }, handleDeactivateUser],
  ['POST', '/admin/utilisateurs/:id/reactiver', { permission: 'admin:users' }, handleReactivateUser],
  ['POST', '/admin/utilisateurs/:id/deverrouiller', { permission: 'admin:users' }, handleUnlockUser],
  ['POST', '/admin/utilisateurs/:id/reinitialiser', { permission: 'admin:users' }, handleSendPasswordReset],
  ['POST', '/admin/utilisateurs/:id/inviter', { permission: 'admin:users' }, handleResendInvitation],
  ['GET', '/admin/roles', { permission: 'admin:users' }, handleRoles],
  // API tokens
  ['GET', '/admin/jetons', { permission: 'admin:users' }, handleTokens],
  ['POST', '/admin/jetons/:id/revoquer', { permission: 'admin:users' }, handleRevokeToken],
  // what happened, what is sent, what runs
  ['GET', '/admin/audit', { permission: 'admin:audit' }, handleAudit],
  ['GET', '/admin/boite-envoi', { permission: 'admin:outbox' }, handleOutbox],
  ['GET', '/admin/boite-envoi/:id', { permission: 'admin:outbox' }, handleMail],
  ['GET', '/admin/taches', { permission: 'admin:jobs' }, handleJobs],
  ['GET', '/admin/sante', { permission: 'admin:jobs' }, handleHealth],
  // CCI settings
  ['GET', '/admin/parametres', { permission: 'admin:settings' }, handleSettings],
  ['POST', '/admin/parametres', { permission: 'admin:settings' }, handleSaveSettings],
];

/** Mounted under /api/v1. */
export const adminApiRoutes: RouteTable<AdminDb> = [
  ['GET', '/me', { signedIn: true }, handleMe, meSchema],
  ['GET', '/users', { permission: 'admin:users' }, handleUsersApi, usersSchema],
  ['GET', '/audit', { permission: 'admin:audit' }, handleAuditApi, auditSchema],
];
