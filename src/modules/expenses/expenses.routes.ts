// Every route of the expenses module: method, path, who may call it, the handler that answers.
// Staff read with expenses:use and file with expenses:write; the services open a claim or a
// spending request to its owner, their manager, its approvers and (claims) accounting only — 404
// for anyone else. Accounting's list and payments ask for expenses:check; configuration for
// expenses:admin.
import type { RouteTable } from '../../platform/http/routes.js';
import {
  createClaimSchema, createSpendingSchema, getClaimSchema, getSpendingSchema, handleCreateClaimApi, handleCreateSpendingApi, handleGetClaimApi, handleGetSpendingApi, handleListClaimsApi, handleListSpendingApi, handleSubmitClaimApi,
  handleSubmitSpendingApi, listClaimsSchema, listSpendingSchema, submitClaimSchema, submitSpendingSchema,
} from './expenses.api.js';
import type { ExpensesDb } from './expenses.table.js';
import {
  handleAddLine, handleAddRate, handleBudgetLines, handleCheckList, handleClaim, handleClaims, handleCreateBudgetLine, handleCreateClaim, handleCreateSpending, handleDecideClaim, handleDecideSpending, handleNewSpending, handlePayClaim,
  handlePostClaim, handleProfile, handleQuote, handleRates, handleReceipt, handleRemoveLine, handleResubmitSpending, handleSaveProfile, handleSpending, handleSpendingList, handleSubmitClaim, handleSupplierSearch, handleToggleBudgetLine,
  handleWithdrawClaim, handleWithdrawSpending,
} from './expenses.web.js';

export const expensesWebRoutes: RouteTable<ExpensesDb> = [
  ['GET', '/notes-de-frais', { permission: 'expenses:use' }, handleClaims],
  ['POST', '/notes-de-frais', { permission: 'expenses:write' }, handleCreateClaim],
  ['GET', '/notes-de-frais/profil', { permission: 'expenses:use' }, handleProfile],
  ['POST', '/notes-de-frais/profil', { permission: 'expenses:write' }, handleSaveProfile],
  ['GET', '/notes-de-frais/controle', { permission: 'expenses:check' }, handleCheckList],
  ['GET', '/notes-de-frais/baremes', { permission: 'expenses:admin' }, handleRates],
  ['POST', '/notes-de-frais/baremes', { permission: 'expenses:admin' }, handleAddRate],
  ['GET', '/notes-de-frais/:id', { permission: 'expenses:use' }, handleClaim],
  ['POST', '/notes-de-frais/:id/lignes', { permission: 'expenses:write' }, handleAddLine],
  ['POST', '/notes-de-frais/:id/lignes/:line/supprimer', { permission: 'expenses:write' }, handleRemoveLine],
  ['GET', '/notes-de-frais/:id/justificatifs/:line', { permission: 'expenses:use' }, handleReceipt],
  ['POST', '/notes-de-frais/:id/soumettre', { permission: 'expenses:write' }, handleSubmitClaim],
  ['POST', '/notes-de-frais/:id/retirer', { permission: 'expenses:write' }, handleWithdrawClaim],
  ['POST', '/notes-de-frais/:id/decider', { permission: 'expenses:use' }, handleDecideClaim],
  ['POST', '/notes-de-frais/:id/payer', { permission: 'expenses:check' }, handlePayClaim],
  ['POST', '/notes-de-frais/:id/comptabiliser', { permission: 'expenses:check' }, handlePostClaim],
  ['GET', '/depenses', { permission: 'expenses:use' }, handleSpendingList],
  ['GET', '/depenses/nouvelle', { permission: 'expenses:write' }, handleNewSpending],
  ['POST', '/depenses', { permission: 'expenses:write' }, handleCreateSpending],
  ['GET', '/depenses/fournisseurs', { permission: 'expenses:write' }, handleSupplierSearch],
  ['GET', '/depenses/lignes-budgetaires', { permission: 'expenses:admin' }, handleBudgetLines],
  ['POST', '/depenses/lignes-budgetaires', { permission: 'expenses:admin' }, handleCreateBudgetLine],
  ['POST', '/depenses/lignes-budgetaires/:id', { permission: 'expenses:admin' }, handleToggleBudgetLine],
  ['GET', '/depenses/:id', { permission: 'expenses:use' }, handleSpending],
  ['GET', '/depenses/:id/devis/:file', { permission: 'expenses:use' }, handleQuote],
  ['POST', '/depenses/:id/decider', { permission: 'expenses:use' }, handleDecideSpending],
  ['POST', '/depenses/:id/retirer', { permission: 'expenses:write' }, handleWithdrawSpending],
  ['POST', '/depenses/:id/renvoyer', { permission: 'expenses:write' }, handleResubmitSpending],
];

/** Mounted under /api/v1. */
export const expensesApiRoutes: RouteTable<ExpensesDb> = [
  ['GET', '/expenses/claims', { permission: 'expenses:use' }, handleListClaimsApi, listClaimsSchema],
  ['POST', '/expenses/claims', { permission: 'expenses:write' }, handleCreateClaimApi, createClaimSchema],
  ['GET', '/expenses/claims/:id', { permission: 'expenses:use' }, handleGetClaimApi, getClaimSchema],
  ['POST', '/expenses/claims/:id/submit', { permission: 'expenses:write' }, handleSubmitClaimApi, submitClaimSchema],
  ['GET', '/expenses/spending-requests', { permission: 'expenses:use' }, handleListSpendingApi, listSpendingSchema],
  ['POST', '/expenses/spending-requests', { permission: 'expenses:write' }, handleCreateSpendingApi, createSpendingSchema],
  ['GET', '/expenses/spending-requests/:id', { permission: 'expenses:use' }, handleGetSpendingApi, getSpendingSchema],
  ['POST', '/expenses/spending-requests/:id/submit', { permission: 'expenses:write' }, handleSubmitSpendingApi, submitSpendingSchema],
];
