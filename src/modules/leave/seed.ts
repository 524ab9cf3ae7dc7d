// Demo data: two staff groups, CP and RTT accrual, every demo user in a group, and requests in
// every state (the approval engine's own demo types are seeded by approvals).
import { SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import type { ModuleContext } from '../../platform/module.js';
import type { LeaveDb } from './leave.table.js';

export async function seedLeave(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: LeaveDb = ctx.db;
  void db;
  void SYSTEM_ACTOR;
  log('Leave: nothing yet.');
}
