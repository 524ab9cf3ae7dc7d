// The extranet's activity figures for the statistics (ConsulaireModule.kpis): member accounts,
// requests received and answered within the target, change requests.
import type { Kpi, KpiPeriod, ModuleContext } from '../../platform/module.js';
import type { ExtranetDb } from './extranet.table.js';

/** The answer target of a member's request, counted in hours from its creation. */
export const ANSWER_TARGET_HOURS = 48;

export async function extranetKpis(ctx: ModuleContext, p: KpiPeriod): Promise<Kpi[]> {
  const db: ExtranetDb = ctx.reads;
  const [accounts, requests, changes] = await Promise.all([
    db.selectFrom('member_accounts').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'active').where('created_at', '<', p.to).executeTakeFirst(),
    db.selectFrom('member_requests').select(['created_at', 'first_response_at']).where('created_at', '>=', p.from).where('created_at', '<', p.to).execute(),
    db.selectFrom('member_change_requests').select((eb) => eb.fn.countAll().as('n')).where('created_at', '>=', p.from).where('created_at', '<', p.to).executeTakeFirst(),
  ]);
  const inTime = requests.filter((r) => r.first_response_at !== null && Date.parse(r.first_response_at) - Date.parse(r.created_at) <= ANSWER_TARGET_HOURS * 3_600_000).length;
  return [
    { key: 'extranet.accounts', label: { fr: 'Comptes ressortissants actifs (fin de période)', en: 'Active member accounts (end of period)' }, value: Number(accounts?.n ?? 0) },
    { key: 'extranet.requests', label: { fr: 'Demandes reçues', en: 'Requests received' }, value: requests.length },
    { key: 'extranet.requests_in_time', label: { fr: `Demandes reçues et répondues sous ${ANSWER_TARGET_HOURS} h`, en: `Requests received and answered within ${ANSWER_TARGET_HOURS} h` }, value: inTime },
    { key: 'extranet.change_requests', label: { fr: 'Demandes de modification de fiche', en: 'Record change requests' }, value: Number(changes?.n ?? 0) },
  ];
}
