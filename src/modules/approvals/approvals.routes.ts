// Every route of the approval engine. Staff pages ask for portal access: who may see or act on a
// request is decided by the service (requester, seat on a step, approvals:admin); the signed
// link is public, its token being the key, and re-checks the approver when used.
import type { RouteTable } from '../../platform/http/routes.js';
import type { ApprovalsDb } from './approvals.table.js';
export const approvalsWebRoutes: RouteTable<ApprovalsDb> = [];
