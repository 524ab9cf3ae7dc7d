// Notes a handler leaves about its request for the modules that watch responses (usage
// statistics): e.g. the public search notes how many results it found, so "searches with no
// result" are counted without the statistics module running the search again. A WeakMap keyed
// by the request: nothing is allocated for the requests that note nothing.
import type { FastifyRequest } from 'fastify';

export type UsageNotes = Record<string, string | number>;
const notes = new WeakMap<FastifyRequest, UsageNotes>();

export function noteUsage(req: FastifyRequest, key: string, value: string | number): void {
  const n = notes.get(req);
  if (n) n[key] = value;
  else notes.set(req, { [key]: value });
}

export function usageNotes(req: FastifyRequest): UsageNotes | undefined {
  return notes.get(req);
}
