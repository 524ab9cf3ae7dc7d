// /api/v1/holidays (public: holidays are public facts, like a calendar printed in a diary) and
// /api/v1/leave/… (a token with the leave:read scope, or a session: the caller's own balances
// and quotes). Handlers and schemas; leave.routes.ts lists them with their access.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { ModuleContext } from '../../platform/module.js';
import { holidays, isCalendar, isValidYear } from './holidays.js';
import type { LeaveDb } from './leave.table.js';
import { balancesOf, quote } from './requests.service.js';

type Ctx = ModuleContext<LeaveDb>;

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });

/**
 * A 400 naming each bad parameter in the caller's language: the platform answers a validation
 * error this way (problem+json, `errors` translated), so the check lives in the handler and
 * the messages are the module's, not the schema validator's English.
 */
function badQuery(fields: Record<string, string>): Error {
  return Object.assign(new Error('invalid query'), { statusCode: 400, validation: Object.entries(fields).map(([name, message]) => ({ instancePath: `/${name}`, message, params: {} })) });
}

const HolidaysQuery = Type.Object({
  year: Type.Optional(Type.String({ description: 'the year, 1583–9999 (required)', examples: ['2026'] })),
  calendar: Type.Optional(Type.String({ description: '`general` (default) or `alsace-moselle` (adds Good Friday and 26 December)', examples: ['general', 'alsace-moselle'] })),
});
const HolidayOut = Type.Object({ date: Type.String({ format: 'date' }), name: Type.String({ description: 'French name' }) });

export const holidaysSchema: FastifySchema = {
  tags: ['leave'],
  summary: 'French public holidays of a year (Code du travail L3133-1; Alsace-Moselle adds Good Friday and 26 December), in date order',
  description: 'Public: no token needed. Computed (Easter-based), never stored. A bad year or calendar answers 400 with a message per parameter.',
  security: [],
  querystring: HolidaysQuery,
  response: { 200: Type.Array(HolidayOut), 400: Problem },
};

export async function handleHolidaysApi(req: FastifyRequest, reply: FastifyReply) {
  const query = req.query as Static<typeof HolidaysQuery>;
  const fields: Record<string, string> = {};
  const year = /^\d{4}$/.test(query.year ?? '') ? Number(query.year) : NaN;
  if (!isValidYear(year)) fields.year = 'leave.year_invalid';
  const calendar = query.calendar ?? 'general';
  if (!isCalendar(calendar)) fields.calendar = 'leave.calendar_invalid';
  if (Object.keys(fields).length) throw badQuery(fields);
  reply.header('cache-control', 'public, max-age=86400');
  return holidays(year, calendar as 'general').map(({ date, name }) => ({ date, name }));
}

const QuoteQuery = Type.Object({
  kind: Type.String({ description: 'kind code (CP, RTT, AUT…)', maxLength: 12 }),
  start: Type.String({ description: 'first day, YYYY-MM-DD', maxLength: 10 }),
  end: Type.String({ description: 'last day, YYYY-MM-DD', maxLength: 10 }),
  startHalf: Type.Optional(Type.String({ description: '`afternoon`: the first day counts ½ (leave starts at noon); `morning` or empty: whole day', maxLength: 9 })),
  endHalf: Type.Optional(Type.String({ description: '`morning`: the last day counts ½ (leave ends at noon); `afternoon` or empty: whole day', maxLength: 9 })),
});
const BalanceOut = Type.Object({
  period: Type.String(),
  periodEnd: Type.String(),
  carried: Type.Number(),
  accrued: Type.Number(),
  accruedFullPeriod: Type.Number(),
  adjusted: Type.Number(),
  taken: Type.Number(),
  pending: Type.Number(),
  available: Type.Number(),
});
const QuoteOut = Type.Object({
  kind: Type.String(),
  unit: Type.String({ description: 'ouvrables (Monday–Saturday) or ouvres (Monday–Friday)' }),
  calendar: Type.String(),
  days: Type.Number({ description: 'days the request counts, halves included' }),
  lines: Type.Array(Type.Object({ date: Type.String(), counts: Type.Number(), skipped: Type.Optional(Type.String()), holiday: Type.Optional(Type.String()) })),
  balance: Type.Union([BalanceOut, Type.Null()], { description: 'null for kinds without a balance' }),
  after: Type.Union([Type.Number(), Type.Null()], { description: 'available after this request' }),
});

export const quoteSchema: FastifySchema = {
  tags: ['leave'],
  summary: 'What a leave request of the caller would count, and the balance before and after (nothing is saved)',
  description: 'Token scope `leave:read`. Bad input (dates, halves, zero days, too far in the past) answers 422 with a message per field; overlap and balance are told by `after` and checked when the request is filed.',
  querystring: QuoteQuery,
  response: { 200: QuoteOut, 401: Problem, 403: Problem, 422: Problem },
};

export async function handleQuoteApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  const query = req.query as Static<typeof QuoteQuery>;
  const qt = await quote(db, req.actor, req.actor.id ?? 0, { kind: query.kind, start: query.start, end: query.end, startHalf: query.startHalf ?? '', endHalf: query.endHalf ?? '' });
  return { kind: qt.kind.code, unit: qt.unit, calendar: qt.calendar, days: qt.days, lines: qt.lines, balance: qt.balance, after: qt.after };
}

export const balancesSchema: FastifySchema = {
  tags: ['leave'],
  summary: 'The caller’s balances per kind for the current reference period',
  description: 'Token scope `leave:read`.',
  response: { 200: Type.Array(Type.Object({ kind: Type.String(), balance: BalanceOut })), 401: Problem, 403: Problem },
};

export async function handleBalancesApi(req: FastifyRequest, _reply: FastifyReply, { db }: Ctx) {
  return (await balancesOf(db, req.actor.id ?? 0)).map((b) => ({ kind: b.kind.code, balance: b.balance }));
}
