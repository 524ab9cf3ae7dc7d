// Steps shared by the training handlers (no SQL here): form actions whose field errors keep the
// service's parameters (a date, a room's capacity), PDF and CSV replies, query parameters.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { isAppError, type FieldErrors } from '../../platform/errors.js';
import { isDate, isMonth, todayInParis } from './dates.js';

/**
 * Runs a form's action; on `invalid` answers 422 with the form again, each field's message
 * already translated with the error's parameters ("Salle déjà réservée le 12/03/2027…"). With
 * `conflict`, a wrong state answers 409 with the message on top.
 */
export async function formAction(req: FastifyRequest, reply: FastifyReply, action: () => Promise<unknown>, form: (errors: FieldErrors) => VNode | Promise<VNode>, opts: { conflict?: boolean } = {}): Promise<unknown> {
  try {
    return await action();
  } catch (e) {
    if (isAppError(e) && e.kind === 'invalid') {
      const fields: FieldErrors = {};
      for (const [k, v] of Object.entries(e.fields)) fields[k] = req.t(v, e.params);
      if (!Object.keys(fields).length) fields._form = req.t(e.code, e.params);
      return reply.render(await form(fields), 422);
    }
    if (opts.conflict && isAppError(e) && e.kind === 'conflict') return reply.render(await form({ _form: req.t(e.code, e.params) }), 409);
    throw e;
  }
}

export function sendPdf(reply: FastifyReply, name: string, pdf: Buffer) {
  return reply.header('content-type', 'application/pdf').header('content-disposition', `inline; filename="${name.replace(/[^\w.-]+/g, '_')}.pdf"`).header('cache-control', 'private, no-store').send(pdf);
}

const queryOf = (req: FastifyRequest) => req.query as Record<string, unknown>;
/** A 400 with the parameter named, like the platform's schema errors. */
export function badParam(name: string): Error {
  return Object.assign(new Error(`invalid ${name}`), { statusCode: 400, validation: [{ instancePath: `/${name}`, message: 'common.invalid', params: {} }] });
}
export function dateQuery(req: FastifyRequest, name: string, fallback: string): string {
  const v = queryOf(req)[name];
  if (v === undefined || v === '') return fallback;
  if (typeof v !== 'string' || !isDate(v)) throw badParam(name);
  return v;
}
export function monthQuery(req: FastifyRequest): string {
  const v = queryOf(req).mois;
  if (v === undefined || v === '') return todayInParis().slice(0, 7);
  if (typeof v !== 'string' || !isMonth(v)) throw badParam('mois');
  return v;
}
export function yearQuery(req: FastifyRequest): string {
  const v = queryOf(req).annee;
  if (v === undefined || v === '') return todayInParis().slice(0, 4);
  if (typeof v !== 'string' || !/^(19|20)\d{2}$/.test(v)) throw badParam('annee');
  return v;
}
export function pageQuery(req: FastifyRequest): number {
  const v = queryOf(req).page;
  return typeof v === 'string' && /^\d{1,5}$/.test(v) && Number(v) > 0 ? Number(v) : 1;
}
export const textQuery = (req: FastifyRequest, name: string, max = 100) => {
  const v = queryOf(req)[name];
  return typeof v === 'string' ? v.slice(0, max).trim() : '';
};
