// Every route of the CRM: method, path, who may call it, the handler that answers. Routes declare
// the coarse permission; the services check each record (policy.ts: owner, manager, direction).
import type { RouteTable } from '../../platform/http/routes.js';
import {
  createDealSchema, createTaskSchema, dealSchema, dealSharingSchema, dealsSchema, handleCreateDealApi, handleCreateTaskApi, handleDealApi, handleDealsApi, handleMoveDealApi, handleRecordVisitApi,
  handleShareDealApi, handleShareTaskApi, handleShareVisitApi, handleTaskDoneApi, handleTasksApi, handleVisitApi, handleVisitsApi, moveDealSchema, recordVisitSchema, taskDoneSchema, taskSharingSchema,
  tasksSchema, visitSchema, visitSharingSchema, visitsSchema,
} from './crm.api.js';
import type { CrmDb } from './crm.table.js';
import {
  handleAddNote, handleAssignForm, handleAssignPortfolio, handleBoard, handleCalendar, handleCalendarFeed, handleCompanyChoices, handleCompleteTask, handleCreateCalendarToken, handleCreateDeal,
  handleCreateTask, handleDeal, handleDeals, handleEditDealForm, handleEditTaskForm, handleEditVisitForm, handleHome, handleMoveDeal, handleNewDealForm, handleNewVisitForm, handlePeopleChoices,
  handlePortfolio, handleRecordVisit, handleReopenTask, handleReportExport, handleReports, handleRevokeCalendarToken, handleSaveDeal, handleSaveService, handleSaveStage, handleSaveTask,
  handleSaveTopic, handleSaveVisit, handleServiceWorker, handleSettings, handleTakeCompany, handleTasks, handleTimeline, handleVisit, handleVisits,
} from './crm.web.js';

export const crmWebRoutes: RouteTable<CrmDb> = [
  ['GET', '/crm/sw.js', { public: true }, handleServiceWorker],
  ['GET', '/crm', { permission: 'crm:use' }, handleHome],
  // company pickers of the visit and deal forms (htmx)
  ['GET', '/crm/entreprises/choix', { permission: 'crm:use' }, handleCompanyChoices],
  ['GET', '/crm/entreprises/:id/personnes', { permission: 'crm:use' }, handlePeopleChoices],
  // visits
  ['GET', '/crm/visites', { permission: 'crm:use' }, handleVisits],
  ['GET', '/crm/visites/nouvelle', { permission: 'crm:write' }, handleNewVisitForm],
  ['POST', '/crm/visites', { permission: 'crm:write' }, handleRecordVisit],
  ['GET', '/crm/visites/:id', { permission: 'crm:use' }, handleVisit],
  ['GET', '/crm/visites/:id/modifier', { permission: 'crm:write' }, handleEditVisitForm],
  ['POST', '/crm/visites/:id', { permission: 'crm:write' }, handleSaveVisit],
  // tasks
  ['GET', '/crm/taches', { permission: 'crm:use' }, handleTasks],
  ['POST', '/crm/taches', { permission: 'crm:write' }, handleCreateTask],
  ['GET', '/crm/taches/:id', { permission: 'crm:write' }, handleEditTaskForm],
  ['POST', '/crm/taches/:id', { permission: 'crm:write' }, handleSaveTask],
  ['POST', '/crm/taches/:id/terminer', { permission: 'crm:write' }, handleCompleteTask],
  ['POST', '/crm/taches/:id/rouvrir', { permission: 'crm:write' }, handleReopenTask],
  // deals
  ['GET', '/crm/affaires', { permission: 'crm:use' }, handleDeals],
  ['GET', '/crm/affaires/tableau', { permission: 'crm:use' }, handleBoard],
  ['GET', '/crm/affaires/nouvelle', { permission: 'crm:write' }, handleNewDealForm],
  ['POST', '/crm/affaires', { permission: 'crm:write' }, handleCreateDeal],
  ['GET', '/crm/affaires/:id', { permission: 'crm:use' }, handleDeal],
  ['GET', '/crm/affaires/:id/modifier', { permission: 'crm:write' }, handleEditDealForm],
  ['POST', '/crm/affaires/:id', { permission: 'crm:write' }, handleSaveDeal],
  ['POST', '/crm/affaires/:id/etape', { permission: 'crm:write' }, handleMoveDeal],
  // portfolio
  ['GET', '/crm/portefeuille', { permission: 'crm:use' }, handlePortfolio],
  ['GET', '/crm/portefeuille/attribuer', { permission: 'crm:manage' }, handleAssignForm],
  ['POST', '/crm/portefeuille/attribuer', { permission: 'crm:manage' }, handleAssignPortfolio],
  ['POST', '/crm/entreprises/:id/portefeuille', { permission: 'crm:write' }, handleTakeCompany],
  // company timeline and notes
  ['GET', '/crm/entreprises/:id/chronologie', { permission: 'crm:use' }, handleTimeline],
  ['POST', '/crm/entreprises/:id/notes', { permission: 'crm:write' }, handleAddNote],
  // calendar feed (the feed itself: the secret in the URL is the credential)
  ['GET', '/crm/calendrier', { permission: 'crm:use' }, handleCalendar],
  ['POST', '/crm/calendrier', { permission: 'crm:use' }, handleCreateCalendarToken],
  ['POST', '/crm/calendrier/revoquer', { permission: 'crm:use' }, handleRevokeCalendarToken],
  ['GET', '/crm/calendrier/:token', { public: true }, handleCalendarFeed],
  // reports
  ['GET', '/crm/rapports', { permission: 'crm:reports' }, handleReports],
  ['GET', '/crm/rapports/export', { permission: 'crm:reports' }, handleReportExport],
  // settings
  ['GET', '/crm/parametres', { permission: 'crm:settings' }, handleSettings],
  ['POST', '/crm/parametres/sujets', { permission: 'crm:settings' }, handleSaveTopic],
  ['POST', '/crm/parametres/sujets/:id', { permission: 'crm:settings' }, handleSaveTopic],
  ['POST', '/crm/parametres/prestations', { permission: 'crm:settings' }, handleSaveService],
  ['POST', '/crm/parametres/prestations/:id', { permission: 'crm:settings' }, handleSaveService],
  ['POST', '/crm/parametres/etapes', { permission: 'crm:settings' }, handleSaveStage],
  ['POST', '/crm/parametres/etapes/:id', { permission: 'crm:settings' }, handleSaveStage],
];

/** Mounted under /api/v1. Reading: scope crm:read (crm:use); writing: scope crm:write. */
export const crmApiRoutes: RouteTable<CrmDb> = [
  ['GET', '/visits', { permission: 'crm:use' }, handleVisitsApi, visitsSchema],
  ['GET', '/visits/:id', { permission: 'crm:use' }, handleVisitApi, visitSchema],
  ['POST', '/visits', { permission: 'crm:write' }, handleRecordVisitApi, recordVisitSchema],
  ['GET', '/deals', { permission: 'crm:use' }, handleDealsApi, dealsSchema],
  ['GET', '/deals/:id', { permission: 'crm:use' }, handleDealApi, dealSchema],
  ['POST', '/deals', { permission: 'crm:write' }, handleCreateDealApi, createDealSchema],
  ['POST', '/deals/:id/stage', { permission: 'crm:write' }, handleMoveDealApi, moveDealSchema],
  ['GET', '/tasks', { permission: 'crm:use' }, handleTasksApi, tasksSchema],
  ['POST', '/tasks', { permission: 'crm:write' }, handleCreateTaskApi, createTaskSchema],
  ['POST', '/tasks/:id/done', { permission: 'crm:write' }, handleTaskDoneApi, taskDoneSchema],
  ['POST', '/deals/:id/sharing', { permission: 'crm:write' }, handleShareDealApi, dealSharingSchema],
  ['POST', '/visits/:id/sharing', { permission: 'crm:write' }, handleShareVisitApi, visitSharingSchema],
  ['POST', '/tasks/:id/sharing', { permission: 'crm:write' }, handleShareTaskApi, taskSharingSchema],
];
