// Every route of the accounting module: method, path, who may call it, the handler that answers.
// Reading the books, batches and the FEC asks for accounting:read (accounting, direction,
// admin); changing anything asks for accounting:manage (accounting, admin), and the services
// check it again (and that nobody pays a spending they ordered).
import type { RouteTable } from '../../platform/http/routes.js';
import { batchesSchema, fecSchema, handleBatchesApi, handleFecApi, handlePain001Api, pain001Schema } from './accounting.api.js';
import type { AccountingDb } from './accounting.table.js';
import {
  handleBatch, handleBatchXml, handleClosePeriod, handleCreateBatch, handleEntries, handleEntry, handleFec, handleFecExport, handleLedger, handleMarkPaid, handleNewManualEntry, handlePayments,
  handlePostManualEntry, handleReverseEntry, handleSetDebtor, handleTrialBalance,
} from './accounting.web.js';

export const accountingWebRoutes: RouteTable<AccountingDb> = [
  ['GET', '/comptabilite', { permission: 'accounting:read' }, handleEntries],
  ['GET', '/comptabilite/ecritures/:id', { permission: 'accounting:read' }, handleEntry],
  ['POST', '/comptabilite/ecritures/:id/extourner', { permission: 'accounting:manage' }, handleReverseEntry],
  ['GET', '/comptabilite/od/nouvelle', { permission: 'accounting:manage' }, handleNewManualEntry],
  ['POST', '/comptabilite/od', { permission: 'accounting:manage' }, handlePostManualEntry],
  ['GET', '/comptabilite/balance', { permission: 'accounting:read' }, handleTrialBalance],
  ['GET', '/comptabilite/grand-livre', { permission: 'accounting:read' }, handleLedger],
  ['GET', '/comptabilite/virements', { permission: 'accounting:read' }, handlePayments],
  ['POST', '/comptabilite/virements/lots', { permission: 'accounting:manage' }, handleCreateBatch],
  ['POST', '/comptabilite/virements/compte', { permission: 'accounting:manage' }, handleSetDebtor],
  ['GET', '/comptabilite/virements/lots/:id', { permission: 'accounting:read' }, handleBatch],
  ['GET', '/comptabilite/virements/lots/:id/pain001.xml', { permission: 'accounting:read' }, handleBatchXml],
  ['POST', '/comptabilite/virements/lots/:id/payer', { permission: 'accounting:manage' }, handleMarkPaid],
  ['GET', '/comptabilite/fec', { permission: 'accounting:read' }, handleFec],
  ['GET', '/comptabilite/fec/export', { permission: 'accounting:read' }, handleFecExport],
  ['POST', '/comptabilite/cloture', { permission: 'accounting:manage' }, handleClosePeriod],
];

/** Mounted under /api/v1. */
export const accountingApiRoutes: RouteTable<AccountingDb> = [
  ['GET', '/accounting/fec', { permission: 'accounting:read' }, handleFecApi, fecSchema],
  ['GET', '/accounting/payment-batches', { permission: 'accounting:read' }, handleBatchesApi, batchesSchema],
  ['GET', '/accounting/payment-batches/:id/pain001', { permission: 'accounting:read' }, handlePain001Api, pain001Schema],
];
