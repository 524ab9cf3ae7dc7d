// Every route of the statistics module: method, path, who may call it, the handler that answers.
import type { RouteTable } from '../../platform/http/routes.js';
import type { StatsDb } from './stats.table.js';
import { handleDashboard, handleOptOut, handlePrivacy, handleReport, handleReportPdf, handleReports, handleSubscription } from './stats.web.js';

export const statsWebRoutes: RouteTable<StatsDb> = [
  ['GET', '/statistiques', { permission: 'stats:read' }, handleDashboard],
  ['POST', '/statistiques/abonnement', { permission: 'stats:read' }, handleSubscription],
  ['GET', '/statistiques/rapports', { permission: 'stats:read' }, handleReports],
  ['GET', '/statistiques/rapports/:month', { permission: 'stats:read' }, handleReport],
  ['GET', '/statistiques/rapports/:month/pdf', { permission: 'stats:read' }, handleReportPdf],
  // The public site's audience measurement: what is counted, and the opt-out (a preference cookie).
  ['GET', '/mesure-audience', { public: true }, handlePrivacy],
  ['POST', '/mesure-audience', { public: true }, handleOptOut],
];
