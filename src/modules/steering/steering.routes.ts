// Every route of the steering module: method, path, who may call it, the handler that answers.
// Reading asks steering:read (direction, managers); changing asks steering:manage (direction).
import type { RouteTable } from '../../platform/http/routes.js';
import { handleScenariosApi, scenariosSchema } from './steering.api.js';
import type { SteeringDb } from './steering.table.js';
import {
  handleAddLine, handleAddMilestone, handleCreateProject, handleCreateScenario, handleDecisions, handlePlan, handleProject, handleRecordDecision, handleRemoveLine, handleScenario, handleScenarios, handleUpdateProgress,
} from './steering.web.js';

export const steeringWebRoutes: RouteTable<SteeringDb> = [
  ['GET', '/pilotage', { permission: 'steering:read' }, handleScenarios],
  ['POST', '/pilotage/scenarios', { permission: 'steering:manage' }, handleCreateScenario],
  ['GET', '/pilotage/scenarios/:id', { permission: 'steering:read' }, handleScenario],
  ['POST', '/pilotage/scenarios/:id/lignes', { permission: 'steering:manage' }, handleAddLine],
  ['POST', '/pilotage/scenarios/:id/lignes/:lineId/retirer', { permission: 'steering:manage' }, handleRemoveLine],
  ['GET', '/pilotage/plan', { permission: 'steering:read' }, handlePlan],
  ['POST', '/pilotage/projets', { permission: 'steering:manage' }, handleCreateProject],
  ['GET', '/pilotage/projets/:id', { permission: 'steering:read' }, handleProject],
  ['POST', '/pilotage/projets/:id/jalons', { permission: 'steering:manage' }, handleAddMilestone],
  ['POST', '/pilotage/projets/:id/avancement', { permission: 'steering:manage' }, handleUpdateProgress],
  ['GET', '/pilotage/decisions', { permission: 'steering:read' }, handleDecisions],
  ['POST', '/pilotage/decisions', { permission: 'steering:manage' }, handleRecordDecision],
];

/** Mounted under /api/v1. */
export const steeringApiRoutes: RouteTable<SteeringDb> = [['GET', '/steering/scenarios', { permission: 'steering:read' }, handleScenariosApi, scenariosSchema]];
