// The approval engine's activity figures for the statistics (ConsulaireModule.kpis): requests
// submitted, approved and refused in the period.
import type { Kpi, KpiPeriod, ModuleContext } from '../../platform/module.js';
import type { ApprovalsDb } from './approvals.table.js';

export async function approvalsKpis(ctx: ModuleContext, p: KpiPeriod): Promise<Kpi[]> {
  const db: ApprovalsDb = ctx.reads;
  const [submitted, decided] = await Promise.all([
    db.selectFrom('approval_requests').select((eb) => eb.fn.countAll().as('n')).where('submitted_at', '>=', p.from).where('submitted_at', '<', p.to).executeTakeFirst(),
    db.selectFrom('approval_requests').select(['status', (eb) => eb.fn.countAll().as('n')]).where('decided_at', '>=', p.from).where('decided_at', '<', p.to).groupBy('status').execute(),
  ]);
  const of = (s: string) => Number(decided.find((r) => r.status === s)?.n ?? 0);
  return [
    { key: 'approvals.submitted', label: { fr: 'Demandes internes déposées', en: 'Internal requests submitted' }, value: Number(submitted?.n ?? 0) },
    { key: 'approvals.approved', label: { fr: 'Demandes internes accordées', en: 'Internal requests approved' }, value: of('approved') },
    { key: 'approvals.refused', label: { fr: 'Demandes internes refusées', en: 'Internal requests refused' }, value: of('refused') },
  ];
}
