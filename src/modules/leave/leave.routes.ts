// Every route of the leave module: method, path, who may call it, the handler that answers.
// Staff routes ask for leave:use; the services open a request to its owner, their manager and
// HR only (404 for anyone else). HR routes ask for leave:hr.
import type { RouteTable } from '../../platform/http/routes.js';
import { balancesSchema, handleBalancesApi, handleHolidaysApi, handleQuoteApi, holidaysSchema, quoteSchema } from './leave.api.js';
import type { LeaveDb } from './leave.table.js';
import {
  handleAddRule, handleAdjust, handleCancelLeave, handleCreateGroup, handleCreateKind, handleCreateLeave, handleHr, handleLeave, handleMyIcal, handleMyLeave, handlePayrollExport, handleQuoteFragment,
  handleRecordAbsence, handleResubmitLeave, handleSetMember, handleTeamCalendar, handleTeamIcal, handleWithdrawLeave,
} from './leave.web.js';

export const leaveWebRoutes: RouteTable<LeaveDb> = [
  ['GET', '/conges', { permission: 'leave:use' }, handleMyLeave],
  ['POST', '/conges', { permission: 'leave:use' }, handleCreateLeave],
  ['GET', '/conges/devis', { permission: 'leave:use' }, handleQuoteFragment],
  ['GET', '/conges/calendrier.ics', { permission: 'leave:use' }, handleMyIcal],
  ['GET', '/conges/equipe', { permission: 'leave:use' }, handleTeamCalendar],
  ['GET', '/conges/equipe.ics', { permission: 'leave:use' }, handleTeamIcal],
  ['GET', '/conges/:id', { permission: 'leave:use' }, handleLeave],
  ['POST', '/conges/:id/retirer', { permission: 'leave:use' }, handleWithdrawLeave],
  ['POST', '/conges/:id/annuler', { permission: 'leave:use' }, handleCancelLeave],
  ['POST', '/conges/:id/renvoyer', { permission: 'leave:use' }, handleResubmitLeave],
  // HR
  ['GET', '/conges/rh', { permission: 'leave:hr' }, handleHr],
  ['GET', '/conges/rh/export', { permission: 'leave:hr' }, handlePayrollExport],
  ['POST', '/conges/rh/groupes', { permission: 'leave:hr' }, handleCreateGroup],
  ['POST', '/conges/rh/regles', { permission: 'leave:hr' }, handleAddRule],
  ['POST', '/conges/rh/personnes', { permission: 'leave:hr' }, handleSetMember],
  ['POST', '/conges/rh/ajustements', { permission: 'leave:hr' }, handleAdjust],
  ['POST', '/conges/rh/absences', { permission: 'leave:hr' }, handleRecordAbsence],
  ['POST', '/conges/rh/types', { permission: 'leave:hr' }, handleCreateKind],
];

/** Mounted under /api/v1. */
export const leaveApiRoutes: RouteTable<LeaveDb> = [
  ['GET', '/holidays', { public: true }, handleHolidaysApi, holidaysSchema],
  ['GET', '/leave/quote', { permission: 'leave:use' }, handleQuoteApi, quoteSchema],
  ['GET', '/leave/balances', { permission: 'leave:use' }, handleBalancesApi, balancesSchema],
];
