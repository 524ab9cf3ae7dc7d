// The list of modules of Consulaire, in navigation order. Adding a module = one line here.
import type { ConsulaireModule } from '../platform/module.js';
import { adminModule } from './admin/index.js';
import { contentModule } from './content/index.js';
import { directoryModule } from './directory/index.js';
import { workspacesModule } from './workspaces/index.js';
import { crmModule } from './crm/index.js';
import { extranetModule } from './extranet/index.js';
import { registryModule } from './registry/index.js';
import { accountingModule } from './accounting/index.js';
import { leaveModule } from './leave/index.js';
import { mapModule } from './map/index.js';
import { reportsModule } from './reports/index.js';
import { expensesModule } from './expenses/index.js';
import { approvalsModule } from './approvals/index.js';
import { trainingModule } from './training/index.js';
import { mailingModule } from './mailing/index.js';
import { apprenticeshipModule } from './apprenticeship/index.js';
import { steeringModule } from './steering/index.js';
import { statsModule } from './stats/index.js';
import { messagesModule } from './messages/index.js';

export const MODULES: readonly ConsulaireModule[] = [adminModule, registryModule, crmModule, contentModule, directoryModule, workspacesModule, extranetModule, messagesModule, accountingModule, approvalsModule, leaveModule, mailingModule, apprenticeshipModule, expensesModule, trainingModule, steeringModule, statsModule, mapModule, reportsModule];
