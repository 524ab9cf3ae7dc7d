// Every route of the directory: method, path, who may call it, the handler that answers. Editing a
// profile needs only portal:use here: the service lets a person edit their own entry and
// directory:edit anyone's.
import type { RouteTable } from '../../platform/http/routes.js';
import type { DirectoryDb } from './directory.table.js';
import {
  handleCreateService, handleEditServiceForm, handleNewServiceForm, handleOrgChart, handlePerson, handlePhoto, handleProfileForm, handleSavePhoto, handleSaveProfile, handleSearch, handleService,
  handleUpdateService,
} from './directory.web.js';

export const directoryWebRoutes: RouteTable<DirectoryDb> = [
  ['GET', '/annuaire', { permission: 'portal:use' }, handleSearch],
  ['GET', '/annuaire/personnes/:id', { permission: 'portal:use' }, handlePerson],
  ['GET', '/annuaire/personnes/:id/modifier', { permission: 'portal:use' }, handleProfileForm],
  ['POST', '/annuaire/personnes/:id/modifier', { permission: 'portal:use' }, handleSaveProfile],
  ['POST', '/annuaire/personnes/:id/photo', { permission: 'portal:use' }, handleSavePhoto],
  ['GET', '/annuaire/photos/:id', { permission: 'portal:use' }, handlePhoto],
  ['GET', '/annuaire/services', { permission: 'portal:use' }, handleOrgChart],
  ['GET', '/annuaire/services/nouveau', { permission: 'directory:edit' }, handleNewServiceForm],
  ['POST', '/annuaire/services', { permission: 'directory:edit' }, handleCreateService],
  ['GET', '/annuaire/services/:id', { permission: 'portal:use' }, handleService],
  ['GET', '/annuaire/services/:id/modifier', { permission: 'directory:edit' }, handleEditServiceForm],
  ['POST', '/annuaire/services/:id', { permission: 'directory:edit' }, handleUpdateService],
];
