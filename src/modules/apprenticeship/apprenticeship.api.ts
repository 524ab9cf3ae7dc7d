// /api/v1/apprenticeship-tax/…: the public calculator (no token, rate-limited per address) and
// the one-click unsubscription of RFC 8058 (POST from the mail client, no cookie, no CSRF:
// the API prefix is outside the browser-form checks, and the signed token is the credential).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { AppError } from '../../platform/errors.js';
import type { ModuleContext } from '../../platform/module.js';
import type { ApprenticeshipDb } from './apprenticeship.table.js';
import { quoteTax } from './quote.service.js';
import { unsubscribe } from './reminders.service.js';

type Ctx = ModuleContext<ApprenticeshipDb>;

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });

/** Values are checked by the handler (422 naming the field, in the caller's language), not by the schema's 400. */
const QuoteIn = Type.Object({
  year: Type.Optional(Type.Any({ description: 'year whose rules apply (2014–2019, 2022–next year)', examples: [2026] })),
  payroll: Type.Optional(Type.Any({ description: 'gross payroll in euros (≥ 0, at most 2 decimals)', examples: [1000000] })),
  employees: Type.Optional(Type.Any({ description: 'average annual headcount (≥ 0)', examples: [300] })),
  workStudyEmployees: Type.Optional(Type.Any({ description: 'work-study headcount (apprentices, professionalisation contracts…), ≤ employees', examples: [2] })),
  alsaceMoselle: Type.Optional(Type.Any({ description: 'establishment in Bas-Rhin, Haut-Rhin or Moselle (0.44 %, no solde); default false' })),
});
const QuoteOut = Type.Object({
  main: Type.Number({ description: 'main part (0.59 %; 0.44 % in Alsace-Moselle), euros' }),
  solde: Type.Number({ description: 'balance allocated on SOLTéA (0.09 %; none in Alsace-Moselle), euros' }),
  csa: Type.Number({ description: 'contribution supplémentaire à l’apprentissage, euros' }),
  total: Type.Number({ description: 'main + solde + csa, euros' }),
  parts: Type.Optional(Type.Object({ regional: Type.Number(), quota: Type.Number(), horsQuota: Type.Number() }, { description: '2014–2019 only: the split of the tax, euros' })),
});

export const quoteSchema: FastifySchema = {
  tags: ['apprenticeship'],
  summary: 'Apprenticeship tax of a payroll: main part, solde, CSA and total, in euros (nothing is saved)',
  description:
    'Public: no token needed, limited to 120 calls a minute per address (429 past it). Rules of the year (a rule set per year range; 2014–2019 adds `parts`). Computed in cents, each amount rounded to the euro once. A bad value (negative payroll, more work-study staff than employees, unknown year) answers 422 naming the field in `errors`.',
  security: [],
  body: Type.Optional(QuoteIn),
  response: { 200: QuoteOut, 422: Problem, 429: Problem },
};

// A per-process sliding window per address: the calculator costs no database write, and a
// limit kept in memory is enough to stop one client from hammering it.
const WINDOW_MS = 60_000;
export const QUOTE_LIMIT = 120;
const hits = new Map<string, number[]>();

function takeQuota(ip: string, now = Date.now()): void {
  const recent = (hits.get(ip) ?? []).filter((t) => now - t < WINDOW_MS);
  if (recent.length >= QUOTE_LIMIT) {
    hits.set(ip, recent);
    throw new AppError('rate_limited', 'common.rate_limited');
  }
  recent.push(now);
  hits.set(ip, recent);
  if (hits.size > 10_000) for (const [k, v] of hits) if (!v.some((t) => now - t < WINDOW_MS)) hits.delete(k);
}

export async function handleQuoteApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  takeQuota(req.ip);
  const body = (req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {}) as Static<typeof QuoteIn>;
  const r = await quoteTax(db, body);
  const out: Static<typeof QuoteOut> = { main: r.main, solde: r.solde, csa: r.csa, total: r.total };
  if (r.parts) {
    const e = (c: number) => Math.round(c / 100);
    out.parts = { regional: e(r.parts.regionalCents), quota: e(r.parts.quotaCents), horsQuota: e(r.parts.horsQuotaCents) };
  }
  return out;
}

export const unsubscribeSchema: FastifySchema = {
  tags: ['apprenticeship'],
  summary: 'One-click unsubscription from the apprenticeship-tax reminders (RFC 8058)',
  description: 'Public, called by mail clients with `List-Unsubscribe=One-Click`; the signed token in the path is the credential. Records "refused" on the contact’s prospecting consent (the registry’s record). Idempotent.',
  security: [],
  params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
  response: { 200: Type.Object({ unsubscribed: Type.Boolean(), changed: Type.Boolean() }), 404: Problem },
};

export async function handleUnsubscribeApi(req: FastifyRequest, _reply: FastifyReply, { db, config }: Ctx) {
  const { token } = req.params as { token: string };
  const r = await db.transaction().execute((trx) => unsubscribe(trx, config.sessionSecret, token, req.ip));
  return { unsubscribed: true, changed: r.changed };
}
