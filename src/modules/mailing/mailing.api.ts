// JSON routes of the mailing module (mounted under /api/v1): the relay providers' webhook.
// Handlers and schemas; mailing.routes.ts lists them with their access.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { safeEqual } from '../../platform/auth/secrets.js';
import { AppError } from '../../platform/errors.js';
import type { ModuleContext } from '../../platform/module.js';
import { applyWebhookEvents } from './bounces.service.js';
import { readMailingConfig } from './mailing.config.js';
import type { MailingDb } from './mailing.table.js';

type Ctx = ModuleContext<MailingDb>;

const Problem = Type.Object({ title: Type.String(), status: Type.Integer(), code: Type.String(), errors: Type.Optional(Type.Record(Type.String(), Type.String())) });
const Event = Type.Object({
  type: Type.String({ maxLength: 40, description: '`bounce` (hard or soft by `status`), `hard_bounce`, `soft_bounce`, `complaint` (or `spam`), `unsubscribe`' }),
  email: Type.String({ maxLength: 320 }),
  status: Type.Optional(Type.String({ maxLength: 20, description: 'enhanced status code, e.g. 5.1.1' })),
  reason: Type.Optional(Type.String({ maxLength: 1000 })),
  message_id: Type.Optional(Type.String({ maxLength: 300, description: 'the Message-ID we sent: names the campaign and recipient' })),
});
const EventsBody = Type.Object({ events: Type.Array(Event, { maxItems: 1000 }) });

/**
 * The body is checked in the handler, after the secret: who may call comes before what was
 * sent (a caller without the secret learns 403, never which fields the route expects).
 */
export const webhookSchema: FastifySchema = {
  tags: ['mailing'],
  summary: 'Bounce, complaint and unsubscribe events of a relay provider',
  description:
    'Authenticated by the shared secret MAILING_WEBHOOK_SECRET in the `X-Mailing-Secret` header (no token). Body: `{ "events": [{ "type": "bounce" | "hard_bounce" | "soft_bounce" | "complaint" | "unsubscribe", "email": "…", "status": "5.1.1", "reason": "…", "message_id": "<campaign-C.recipient-R@…>" }] }` (at most 1,000 events; 400 naming the field otherwise). Hard bounces and complaints suppress the address at once, soft bounces after MAILING_SOFT_BOUNCES of them.',
  security: [],
  response: { 200: Type.Object({ recorded: Type.Integer() }), 400: Problem, 403: Problem },
};

function badBody(): Error {
  return Object.assign(new Error('invalid body'), { statusCode: 400, validation: [{ instancePath: '/events', message: 'field.invalid', params: {} }] });
}

export async function handleWebhook(req: FastifyRequest, reply: FastifyReply, { db }: Ctx) {
  const cfg = readMailingConfig();
  const given = String(req.headers['x-mailing-secret'] ?? '');
  if (!cfg.webhookSecret || !given || !safeEqual(given, cfg.webhookSecret)) throw new AppError('forbidden', 'mailing.webhook_forbidden');
  if (!Value.Check(EventsBody, req.body)) throw badBody();
  const body: Static<typeof EventsBody> = req.body;
  const recorded = await db.transaction().execute((trx) => applyWebhookEvents(trx, cfg, body.events));
  return reply.send({ recorded });
}
