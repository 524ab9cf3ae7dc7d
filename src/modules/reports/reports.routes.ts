// Every route of the reports: method, path, who may call it, the handler (and the API's schema).
// The route asks reports:use; the service then asks the subject's own permission of the viewer
// and the owning module applies its rules (a report never shows what its viewer could not see).
import type { RouteTable } from '../../platform/http/routes.js';
import { handleListReportsApi, handleReportDataApi, listReportsSchema, reportDataSchema } from './reports.api.js';
import type { ReportsDb } from './reports.table.js';
import { handleBuilder, handleCreateReport, handleDeleteReport, handleEditReport, handleExportReport, handleReport, handleReports, handleScheduleReport, handleUpdateReport } from './reports.web.js';

export const reportsWebRoutes: RouteTable<ReportsDb> = [
  ['GET', '/rapports', { permission: 'reports:use' }, handleReports],
  ['GET', '/rapports/nouveau', { permission: 'reports:use' }, handleBuilder],
  ['POST', '/rapports', { permission: 'reports:use' }, handleCreateReport],
  ['GET', '/rapports/:id', { permission: 'reports:use' }, handleReport],
  ['GET', '/rapports/:id/modifier', { permission: 'reports:use' }, handleEditReport],
  ['POST', '/rapports/:id', { permission: 'reports:use' }, handleUpdateReport],
  ['POST', '/rapports/:id/planification', { permission: 'reports:use' }, handleScheduleReport],
  ['POST', '/rapports/:id/supprimer', { permission: 'reports:use' }, handleDeleteReport],
  ['GET', '/rapports/:id/export.csv', { permission: 'reports:use' }, handleExportReport],
  ['GET', '/rapports/:id/export.xlsx', { permission: 'reports:use' }, handleExportReport],
];

/** Mounted under /api/v1 (scope reports:read). */
export const reportsApiRoutes: RouteTable<ReportsDb> = [
  ['GET', '/reports', { permission: 'reports:use' }, handleListReportsApi, listReportsSchema],
  ['GET', '/reports/:id', { permission: 'reports:use' }, handleReportDataApi, reportDataSchema],
];
