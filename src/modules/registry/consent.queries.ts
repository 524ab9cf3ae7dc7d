// SQL of contacts' consent events (table contact_consent_events). No rules, no permissions: the
// rules are in consent.service.ts; company.service.ts appends the prospecting events of its
// contact form through here (no import cycle between the two services).
import type { Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import type { ContactConsentEventsTable, RegistryDb } from './registry.table.js';


export type ConsentChannel = ContactConsentEventsTable['channel'];
export type ConsentValue = ContactConsentEventsTable['value'];

/** A member acts on the extranet; anyone else (staff, command line) on the registry. */
export const originOf = (actor: Actor): ContactConsentEventsTable['origin'] => (actor.kind === 'member' ? 'extranet' : 'registry');

export async function appendConsentEvent(db: RegistryDb, actor: Actor, e: { contactId: number; channel: ConsentChannel; value: ConsentValue; source?: string | null }): Promise<void> {
  await db
    .insertInto('contact_consent_events')
    .values({ contact_id: e.contactId, channel: e.channel, value: e.value, origin: originOf(actor), source: e.source ?? null, actor_id: actor.kind === 'staff' ? actor.id : null, actor_label: actor.label, at: nowIso() })
    .execute();
}

/** Every event of these contacts, oldest first (ids in chunks: SQLite caps bound parameters). */
export async function consentEventsOf(db: RegistryDb, contactIds: readonly number[]) {
  const out = [];
  for (let i = 0; i < contactIds.length; i += 1000) {
    out.push(...(await db.selectFrom('contact_consent_events').selectAll().where('contact_id', 'in', contactIds.slice(i, i + 1000)).orderBy('id').execute()));
  }
  return out;
}
