// A contact's consent, per channel: the one consent record of Consulaire. Staff set it on the
// registry's contact page; a member of the contact's company sets newsletters and event
// invitations on the extranet, through `setContactConsent` (exported by index.ts). Every change
// is an event (date, origin, author) in contact_consent_events, audited on the contact, and a
// line of the company's registry history.
import { sql } from 'kysely';
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { invalid, notFound } from '../../platform/errors.js';
import { findContactRow, recordChange } from './company.service.js';
import { appendConsentEvent, consentEventsOf, originOf, type ConsentChannel, type ConsentValue } from './consent.queries.js';
import { assertCanEditRegistry } from './policy.js';
import type { RegistryDb } from './registry.table.js';

export type { ConsentChannel, ConsentValue } from './consent.queries.js';


export const CONSENT_CHANNELS: readonly ConsentChannel[] = ['prospecting', 'newsletter', 'events'];
export const CONSENT_VALUES: readonly ConsentValue[] = ['unknown', 'granted', 'refused'];

export interface ConsentState {
  value: ConsentValue;
  /** when it was given or last changed (prospecting: the date typed on the contact) */
  at: string | null;
  origin: 'registry' | 'extranet' | null;
  by: string | null;
  source: string | null;
}

export interface ConsentEvent {
  id: number;
  contactId: number;
  channel: ConsentChannel;
  value: ConsentValue;
  origin: 'registry' | 'extranet';
  source: string | null;
  by: string;
  at: string;
}

const UNKNOWN: ConsentState = { value: 'unknown', at: null, origin: null, by: null, source: null };

/** Current consent of each contact on every channel (for pages, and for mailing modules). */
export async function contactConsents(db: RegistryDb, contactIds: readonly number[]): Promise<Map<number, Record<ConsentChannel, ConsentState>>> {
  const out = new Map<number, Record<ConsentChannel, ConsentState>>();
  if (contactIds.length === 0) return out;
  for (const id of contactIds) out.set(id, { prospecting: UNKNOWN, newsletter: UNKNOWN, events: UNKNOWN });
  for (const e of await consentEventsOf(db, contactIds)) {
    out.get(e.contact_id)![e.channel] = { value: e.value, at: iso(e.at), origin: e.origin, by: e.actor_label, source: e.source };
  }
  // Prospecting's value is the contact's own column (imports and older edits wrote it without
  // an event); the latest event, when there is one, says who and from where.
  for (let i = 0; i < contactIds.length; i += 1000) {
    const rows = await db.selectFrom('contacts').select(['id', 'consent', 'consent_date', 'consent_source']).where('id', 'in', contactIds.slice(i, i + 1000)).execute();
    for (const c of rows) {
      const states = out.get(c.id)!;
      const last = states.prospecting;
      states.prospecting = { value: c.consent, at: c.consent_date ?? last.at, origin: last.origin, by: last.by, source: c.consent_source };
    }
  }
  return out;
}

/** Consent history of these contacts, newest first. */
export async function consentHistory(db: RegistryDb, contactIds: readonly number[], limit = 200): Promise<ConsentEvent[]> {
  const rows = await consentEventsOf(db, contactIds);
  return rows
    .reverse()
    .slice(0, limit)
    .map((e) => ({ id: e.id, contactId: e.contact_id, channel: e.channel, value: e.value, origin: e.origin, source: e.source, by: e.actor_label, at: iso(e.at) }));
}

/**
 * Sets some channels of one contact's consent; records only real changes (an explicit "no"
 * replacing "unknown" is one). Staff need registry:edit; a member only for a contact of the
 * company they are currently acting for (any other contact is "not found", like one that does
 * not exist). Returns the number of channels changed.
 */
export async function setContactConsent(db: RegistryDb, actor: Actor, contactId: number, wanted: Partial<Record<string, string>>, opts: { source?: string } = {}): Promise<number> {
  const contact = await findContactRow(db, contactId);
  if (!contact || contact.erased_at) throw notFound('registry.contact_not_found');
  if (actor.kind === 'member') {
    if (!actor.permissions.has('member:use') || actor.memberOf?.current !== contact.company_id) throw notFound('registry.contact_not_found');
  } else {
    assertCanEditRegistry(actor);
  }
  const errors: Record<string, string> = {};
  for (const [channel, value] of Object.entries(wanted)) {
    if (!(CONSENT_CHANNELS as readonly string[]).includes(channel)) errors[channel] = 'field.invalid';
    else if (!(CONSENT_VALUES as readonly string[]).includes(value ?? '')) errors[channel] = 'field.invalid';
  }
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  const source = (opts.source ?? '').trim().slice(0, 200) || null;

  const current = (await contactConsents(db, [contactId])).get(contactId)!;
  const changes: Record<string, [ConsentValue, ConsentValue]> = {};
  for (const channel of CONSENT_CHANNELS) {
    const value = wanted[channel] as ConsentValue | undefined;
    if (value === undefined || current[channel].value === value) continue;
    changes[channel] = [current[channel].value, value];
    await appendConsentEvent(db, actor, { contactId, channel, value, source });
    if (channel === 'prospecting') {
      // Searches and exports read prospecting from the contact row: kept in step here.
      await db
        .updateTable('contacts')
        .set({ consent: value, consent_date: value === 'unknown' ? null : nowIso().slice(0, 10), consent_source: value === 'unknown' ? null : (source ?? originOf(actor)), updated_at: nowIso(), version: sql`version + 1` })
        .where('id', '=', contactId)
        .execute();
    }
  }
  const changed = Object.keys(changes).length;
  if (changed) {
    await record(db, actor, { entity: 'contact', entityId: contactId, action: 'consent', changes: { ...changes, origin: [null, originOf(actor)] } });
    await recordChange(db, actor, { companyId: contact.company_id, entity: 'contact', entityId: contactId, source: originOf(actor) === 'extranet' ? 'extranet' : 'manual', action: 'consent', changes });
  }
  return changed;
}

/** PostgreSQL returns timestamptz as Date, SQLite as ISO text. */
function iso(v: string | Date): string {
  return v instanceof Date ? v.toISOString() : v;
}
