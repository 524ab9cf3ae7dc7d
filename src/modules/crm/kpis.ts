// The CRM's activity figures for the statistics (ConsulaireModule.kpis): visits done, deals won
// and lost with their amounts, in total and by adviser and by team (the adviser's manager).
import type { Kpi, KpiPeriod, ModuleContext } from '../../platform/module.js';
import type { CrmDb } from './crm.table.js';

export async function crmKpis(ctx: ModuleContext, p: KpiPeriod): Promise<Kpi[]> {
  const db: CrmDb = ctx.reads;
  const [visits, deals] = await Promise.all([
    db
      .selectFrom('crm_visits as v')
      .innerJoin('users as u', 'u.id', 'v.owner_id')
      .leftJoin('users as m', 'm.id', 'u.manager_id')
      .select(['u.name as adviser', 'm.name as team', (eb) => eb.fn.countAll().as('n')])
      .where('v.visit_date', '>=', p.fromDate)
      .where('v.visit_date', '<', p.toDate)
      .groupBy(['u.name', 'm.name'])
      .execute(),
    db
      .selectFrom('crm_deals as d')
      .innerJoin('crm_stages as s', 's.id', 'd.stage_id')
      .innerJoin('users as u', 'u.id', 'd.owner_id')
      .leftJoin('users as m', 'm.id', 'u.manager_id')
      .select(['s.kind', 'u.name as adviser', 'm.name as team', (eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.sum('d.amount_cents').as('amount')])
      .where('s.kind', 'in', ['won', 'lost'])
      .where('d.closed_on', '>=', p.fromDate)
      .where('d.closed_on', '<', p.toDate)
      .groupBy(['s.kind', 'u.name', 'm.name'])
      .execute(),
  ]);
  const out: Kpi[] = [];
  const L = {
    visits: { fr: 'Visites réalisées', en: 'Visits done' },
    won: { fr: 'Affaires gagnées', en: 'Deals won' },
    won_amount: { fr: 'Montant des affaires gagnées', en: 'Amount of deals won' },
    lost: { fr: 'Affaires perdues', en: 'Deals lost' },
    lost_amount: { fr: 'Montant des affaires perdues', en: 'Amount of deals lost' },
  };
  const add = (key: keyof typeof L, value: number, unit: Kpi['unit'], rows: { adviser: string; team: string | null; v: number }[]) => {
    out.push({ key: `crm.${key}`, label: L[key], value, unit });
    const teams = new Map<string, number>();
    for (const r of rows) {
      out.push({ key: `crm.${key}`, label: L[key], value: r.v, unit, group: r.adviser });
      const team = r.team ? `équipe ${r.team}` : 'sans équipe';
      teams.set(team, (teams.get(team) ?? 0) + r.v);
    }
    for (const [team, v] of teams) out.push({ key: `crm.${key}`, label: L[key], value: v, unit, group: team });
  };
  const vs = visits.map((r) => ({ adviser: r.adviser, team: r.team, v: Number(r.n) }));
  add('visits', vs.reduce((a, r) => a + r.v, 0), 'count', vs);
  for (const kind of ['won', 'lost'] as const) {
    const rows = deals.filter((d) => d.kind === kind);
    const counts = rows.map((r) => ({ adviser: r.adviser, team: r.team, v: Number(r.n) }));
    const amounts = rows.map((r) => ({ adviser: r.adviser, team: r.team, v: Number(r.amount ?? 0) }));
    add(kind, counts.reduce((a, r) => a + r.v, 0), 'count', counts);
    add(`${kind}_amount`, amounts.reduce((a, r) => a + r.v, 0), 'cents', amounts);
  }
  return out;
}
