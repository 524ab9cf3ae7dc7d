// JSON API of the training centre (under /api/v1): the published catalogue, open to anyone
// (the same courses as /formations), with their upcoming open-enrolment sessions.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ModuleContext } from '../../platform/module.js';
import * as catalogue from './catalogue.service.js';
import { todayInParis } from './dates.js';
import { openSessionsOf } from './sessions.service.js';
import type { TrainingDb } from './training.table.js';

const Course = Type.Object({
  code: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  objectives: Type.String(),
  prerequisites: Type.String(),
  durationHours: Type.Number(),
  priceCents: Type.Integer(),
  vatExempt: Type.Boolean(),
  accessibility: Type.String(),
  sessions: Type.Array(Type.Object({ id: Type.Integer(), startDate: Type.String(), endDate: Type.String(), seatsLeft: Type.Integer(), remote: Type.Boolean() })),
});
export const coursesSchema = {
  tags: ['training'],
  summary: 'Published training catalogue with upcoming open-enrolment sessions',
  querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }),
  response: { 200: Type.Object({ items: Type.Array(Course) }) },
};

export async function handleCoursesApi(req: FastifyRequest, reply: FastifyReply, { db }: ModuleContext<TrainingDb>) {
  const { q } = req.query as Static<typeof coursesSchema.querystring>;
  const today = todayInParis();
  const items = [];
  for (const c of await catalogue.listCourses(db, { q, publishedOnly: true })) {
    const sessions = await openSessionsOf(db, c.id, today);
    items.push({
      code: c.code,
      slug: c.slug,
      title: c.title,
      summary: c.summary,
      objectives: c.objectives,
      prerequisites: c.prerequisites,
      durationHours: c.duration_hours,
      priceCents: c.price_cents,
      vatExempt: Boolean(c.vat_exempt),
      accessibility: c.accessibility,
      sessions: sessions.map((s) => ({ id: s.id, startDate: s.start_date, endDate: s.end_date, seatsLeft: Math.max(0, s.max_trainees - s.seated), remote: Boolean(s.remote) })),
    });
  }
  return reply.send({ items });
}
