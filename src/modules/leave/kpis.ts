// Leave's activity figures for the statistics (ConsulaireModule.kpis): requests filed, days
// approved (absences of the period, whatever their kind: no personal detail leaves the module).
import type { Kpi, KpiPeriod, ModuleContext } from '../../platform/module.js';
import type { LeaveDb } from './leave.table.js';

export async function leaveKpis(ctx: ModuleContext, p: KpiPeriod): Promise<Kpi[]> {
  const db: LeaveDb = ctx.reads;
  const [filed, taken] = await Promise.all([
    db.selectFrom('leave_requests').select((eb) => eb.fn.countAll().as('n')).where('created_at', '>=', p.from).where('created_at', '<', p.to).where('status', '!=', 'recorded').executeTakeFirst(),
    db.selectFrom('leave_requests').select((eb) => eb.fn.sum('days').as('n')).where('start_date', '>=', p.fromDate).where('start_date', '<', p.toDate).where('status', 'in', ['approved', 'cancellation_pending']).executeTakeFirst(),
  ]);
  return [
    { key: 'leave.requests', label: { fr: 'Demandes de congé déposées', en: 'Leave requests filed' }, value: Number(filed?.n ?? 0) },
    { key: 'leave.days', label: { fr: 'Jours de congé accordés (débutant dans la période)', en: 'Leave days granted (starting in the period)' }, value: Number(taken?.n ?? 0) },
  ];
}
