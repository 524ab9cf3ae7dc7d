// Every route of the training module: method, path, who may call it, the handler that answers.
// Public: the catalogue and the hot survey (by its secret link). Members (extranet audience,
// member:use): their company's enrolments only — the services filter on the company the
// extranet's resolver verified. Staff: training:manage; reports: training:reports.
import type { RouteTable } from '../../platform/http/routes.js';
import { coursesSchema, handleCoursesApi } from './training.api.js';
import * as m from './training.member.web.js';
import type { TrainingDb } from './training.table.js';
import * as s from './training.web.js';

export const trainingWebRoutes: RouteTable<TrainingDb> = [
  // public site
  ['GET', '/formations', { public: true }, m.handleCatalogue],
  ['GET', '/formations/:slug', { public: true }, m.handleCourse],
  ['GET', '/formations/avis/:token', { public: true }, m.handleSurvey],
  ['POST', '/formations/avis/:token', { public: true }, m.handleAnswerSurvey],
  // extranet (member of the current company)
  ['GET', '/extranet/formations', { audience: 'member', permission: 'member:use' }, m.handleMemberCatalogue],
  ['GET', '/extranet/formations/mes-inscriptions', { audience: 'member', permission: 'member:use' }, m.handleMemberEnrolments],
  ['GET', '/extranet/formations/:slug', { audience: 'member', permission: 'member:use' }, m.handleMemberCourse],
  ['POST', '/extranet/formations/sessions/:id/inscrire', { audience: 'member', permission: 'member:use' }, m.handleMemberEnrol],
  ['GET', '/extranet/formations/stagiaires/:id', { audience: 'member', permission: 'member:use' }, m.handleMemberEnrolment],
  ['POST', '/extranet/formations/stagiaires/:id/annuler', { audience: 'member', permission: 'member:use' }, m.handleMemberCancel],
  ['GET', '/extranet/formations/stagiaires/:id/convention.pdf', { audience: 'member', permission: 'member:use' }, m.handleMemberConventionPdf],
  ['GET', '/extranet/formations/stagiaires/:id/certificat-realisation.pdf', { audience: 'member', permission: 'member:use' }, m.handleMemberCompletionPdf],
  ['GET', '/extranet/formations/stagiaires/:id/attestation-assiduite.pdf', { audience: 'member', permission: 'member:use' }, m.handleMemberAttendancePdf],
  // staff: planning and sessions
  ['GET', '/formation', { permission: 'training:manage' }, s.handlePlanning],
  ['GET', '/formation/sessions/nouvelle', { permission: 'training:manage' }, s.handleNewSession],
  ['POST', '/formation/sessions', { permission: 'training:manage' }, s.handleCreateSession],
  ['GET', '/formation/sessions/:id', { permission: 'training:manage' }, s.handleSession],
  ['POST', '/formation/sessions/:id', { permission: 'training:manage' }, s.handleUpdateSession],
  ['POST', '/formation/sessions/:id/demi-journees', { permission: 'training:manage' }, s.handleAddSlot],
  ['POST', '/formation/sessions/:id/demi-journees/:slot/retirer', { permission: 'training:manage' }, s.handleRemoveSlot],
  ['POST', '/formation/sessions/:id/confirmer', { permission: 'training:manage' }, s.handleConfirmSession],
  ['POST', '/formation/sessions/:id/annuler', { permission: 'training:manage' }, s.handleCancelSession],
  ['POST', '/formation/sessions/:id/inscriptions', { permission: 'training:manage' }, s.handleStaffEnrol],
  ['POST', '/formation/sessions/:id/factures', { permission: 'training:manage' }, s.handleIssueInvoices],
  ['POST', '/formation/sessions/:id/enquete', { permission: 'training:manage' }, s.handleSendSurveys],
  ['POST', '/formation/sessions/:id/certificats', { permission: 'training:manage' }, s.handleSendCertificates],
  // staff: enrolments and their documents
  ['POST', '/formation/stagiaires/:id/confirmer', { permission: 'training:manage' }, s.handleConfirmEnrolment],
  ['POST', '/formation/stagiaires/:id/annuler', { permission: 'training:manage' }, s.handleStaffCancel],
  ['GET', '/formation/stagiaires/:id/convention.pdf', { permission: 'training:manage' }, s.handleConventionPdf],
  ['GET', '/formation/stagiaires/:id/certificat-realisation.pdf', { permission: 'training:manage' }, s.handleCompletionPdf],
  ['GET', '/formation/stagiaires/:id/attestation-assiduite.pdf', { permission: 'training:manage' }, s.handleAttendancePdf],
  // staff: attendance (tablet page), marks, scanned sheets
  ['GET', '/formation/emargement/:slot', { permission: 'training:manage' }, s.handleSignPage],
  ['POST', '/formation/emargement/:slot', { permission: 'training:manage' }, s.handleSign],
  ['POST', '/formation/emargement/:slot/presence', { permission: 'training:manage' }, s.handleMark],
  ['POST', '/formation/emargement/:slot/scan', { permission: 'training:manage' }, s.handleScan],
  ['GET', '/formation/emargement/:slot/scan', { permission: 'training:manage' }, s.handleScanFile],
  // staff: catalogue, rooms, trainers
  ['GET', '/formation/catalogue', { permission: 'training:manage' }, s.handleCourses],
  ['GET', '/formation/catalogue/nouvelle', { permission: 'training:manage' }, s.handleNewCourse],
  ['POST', '/formation/catalogue', { permission: 'training:manage' }, s.handleCreateCourse],
  ['GET', '/formation/catalogue/:id', { permission: 'training:manage' }, s.handleEditCourse],
  ['POST', '/formation/catalogue/:id', { permission: 'training:manage' }, s.handleUpdateCourse],
  ['GET', '/formation/ressources', { permission: 'training:manage' }, s.handleResources],
  ['POST', '/formation/salles', { permission: 'training:manage' }, s.handleCreateRoom],
  ['POST', '/formation/salles/:id', { permission: 'training:manage' }, s.handleUpdateRoom],
  ['POST', '/formation/formateurs', { permission: 'training:manage' }, s.handleCreateTrainer],
  ['GET', '/formation/formateurs/:id', { permission: 'training:manage' }, s.handleTrainer],
  ['POST', '/formation/formateurs/:id', { permission: 'training:manage' }, s.handleUpdateTrainer],
  ['POST', '/formation/formateurs/:id/indisponibilites', { permission: 'training:manage' }, s.handleAddUnavailability],
  // staff: invoices
  ['GET', '/formation/factures', { permission: 'training:manage' }, s.handleInvoices],
  ['GET', '/formation/factures/:id/pdf', { permission: 'training:manage' }, s.handleInvoicePdf],
  ['POST', '/formation/factures/:id/avoir', { permission: 'training:manage' }, s.handleCredit],
  // staff: trainers' pay
  ['GET', '/formation/paie', { permission: 'training:manage' }, s.handlePay],
  ['POST', '/formation/paie/generer', { permission: 'training:manage' }, s.handleGenerate],
  ['GET', '/formation/paie/export.csv', { permission: 'training:manage' }, s.handlePayrollCsv],
  ['GET', '/formation/paie/:id', { permission: 'training:manage' }, s.handlePayMonth],
  ['POST', '/formation/paie/:id/heures', { permission: 'training:manage' }, s.handleAddHours],
  ['POST', '/formation/paie/:id/declarer', { permission: 'training:manage' }, s.handleDeclare],
  ['POST', '/formation/paie/:id/valider', { permission: 'training:manage' }, s.handleValidate],
  ['GET', '/formation/paie/:id/releve.pdf', { permission: 'training:manage' }, s.handleStatementPdf],
  // reports
  ['GET', '/formation/bilans', { permission: 'training:reports' }, s.handleReports],
  ['GET', '/formation/bilans/sessions.csv', { permission: 'training:reports' }, s.handleSessionsCsv],
  ['GET', '/formation/bpf.csv', { permission: 'training:reports' }, s.handleBpfCsv],
  ['GET', '/formation/bpf.pdf', { permission: 'training:reports' }, s.handleBpfPdf],
];

/** Mounted under /api/v1. */
export const trainingApiRoutes: RouteTable<TrainingDb> = [['GET', '/training/courses', { public: true }, handleCoursesApi, coursesSchema]];
