// /api/v1/steering/scenarios: every scenario with its lines and the totals computed from them,
// amounts in euros (numbers). Extra fields: each line's category and original francs, the stated
// totals that disagree with the lines, payback and 3/5-year figures.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { ModuleContext } from '../../platform/module.js';
import { listScenarioViews } from './scenario.service.js';
import type { SteeringDb } from './steering.table.js';

type Ctx = ModuleContext<SteeringDb>;

const Kind = Type.Union([Type.Literal('investment'), Type.Literal('running'), Type.Literal('gain')]);
const Totals = Type.Object({ investment: Type.Number(), running: Type.Number(), gain: Type.Number() });
const LineOut = Type.Object({
  label: Type.String(),
  kind: Kind,
  amount: Type.Number({ description: 'euros' }),
  category: Type.String(),
  francs: Type.Union([Type.Number(), Type.Null()], { description: 'the amount as written in francs (historic plan), else null' }),
  projectId: Type.Union([Type.Integer(), Type.Null()]),
});
const ScenarioOut = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  historic: Type.Boolean({ description: 'amounts typed in francs (1 € = 6.55957 F)' }),
  lines: Type.Array(LineOut),
  totals: Totals,
  totalsFrancs: Type.Union([Totals, Type.Null()]),
  discrepancies: Type.Array(Type.Object({ kind: Kind, stated: Type.Number(), computed: Type.Number(), difference: Type.Number() }), { description: 'stated totals (as written) that disagree with the lines, euros' }),
  paybackYears: Type.Union([Type.Number(), Type.Null()]),
  cost3: Type.Number(),
  cost5: Type.Number(),
  net3: Type.Number(),
  net5: Type.Number(),
});

export const scenariosSchema: FastifySchema = {
  tags: ['steering'],
  summary: 'Costed scenarios with their lines and the totals computed from the lines (euros)',
  description: 'Token scope `steering:read`. Totals are always the sums of the lines; a stated total that disagrees is listed in `discrepancies`, never as a total.',
  response: { 200: Type.Array(ScenarioOut) },
};

const euros = (cents: number) => cents / 100;

export async function handleScenariosApi(_req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const views = await listScenarioViews(db);
  return views.map(({ scenario, lines, figures }) => ({
    id: scenario.id,
    name: scenario.name,
    historic: scenario.historic === 1,
    lines: lines.map((l) => ({ label: l.label, kind: l.kind, amount: euros(l.amount_cents), category: l.category, francs: l.francs, projectId: l.project_id })),
    totals: { investment: euros(figures.totals.investment), running: euros(figures.totals.running), gain: euros(figures.totals.gain) },
    totalsFrancs: figures.francs,
    discrepancies: figures.discrepancies.map((d) => ({ kind: d.kind, stated: euros(d.stated), computed: euros(d.computed), difference: euros(d.difference) })),
    paybackYears: figures.paybackYears,
    cost3: euros(figures.cost3),
    cost5: euros(figures.cost5),
    net3: euros(figures.net3),
    net5: euros(figures.net5),
  }));
}
