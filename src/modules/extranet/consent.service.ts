// Consent: a company's member manages its contacts' communication preferences (newsletters,
// event invitations). Every change is an event with its date and origin; the current value is
// the latest event. Contacts come from the registry; only those of the scope's company.
import type { Kysely } from 'kysely';
import { record } from '../../platform/audit/audit.js';
import { nowIso, type AnyDb } from '../../platform/db/index.js';
import { notFound } from '../../platform/errors.js';
import { findContact, listContacts, type ContactSummary } from '../registry/index.js';
import type { ExtranetTables } from './extranet.table.js';
import type { MemberScope } from './scope.js';

const x = (db: AnyDb) => db as Kysely<ExtranetTables>;

export const CHANNELS = ['newsletter', 'events'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Preference {
  value: boolean;
  at: string;
  origin: string;
  by: string;
}

export interface ContactPreferences extends ContactSummary {
  preferences: Partial<Record<Channel, Preference>>;
}

/** Latest preference per contact and channel (for the extranet and for mailing modules). */
export async function preferencesOf(db: AnyDb, contactIds: number[]): Promise<Map<number, Partial<Record<Channel, Preference>>>> {
  const out = new Map<number, Partial<Record<Channel, Preference>>>();
  if (contactIds.length === 0) return out;
  const rows = await x(db).selectFrom('member_consent_events').selectAll().where('contact_id', 'in', contactIds).orderBy('id').execute();
  for (const r of rows) {
    const m = out.get(r.contact_id) ?? {};
    m[r.channel] = { value: r.value === 1, at: r.at, origin: r.origin, by: r.actor_label };
    out.set(r.contact_id, m);
  }
  return out;
}

export async function listCompanyPreferences(db: AnyDb, companyId: number): Promise<ContactPreferences[]> {
  const contacts = await listContacts(db, companyId);
  const prefs = await preferencesOf(db, contacts.map((c) => c.id));
  return contacts.map((c) => ({ ...c, preferences: prefs.get(c.id) ?? {} }));
}

export async function consentHistory(db: AnyDb, companyId: number, limit = 50) {
  return x(db).selectFrom('member_consent_events').selectAll().where('company_id', '=', companyId).orderBy('id', 'desc').limit(limit).execute();
}

/** Sets the wanted channels of one contact of the scope's company; records only real changes. */
export async function setPreferences(db: AnyDb, scope: MemberScope, contactId: number, wanted: string[]): Promise<number> {
  const contact = await findContact(db, contactId);
  // Another company's contact is "not found", exactly like a contact that does not exist.
  if (!contact || contact.companyId !== scope.companyId) throw notFound();
  const current = (await preferencesOf(db, [contactId])).get(contactId) ?? {};
  const at = nowIso();
  let changed = 0;
  for (const channel of CHANNELS) {
    const value = wanted.includes(channel);
    // The first save records an explicit answer, "no" included; later saves only real changes.
    if (current[channel]?.value === value) continue;
    await x(db).insertInto('member_consent_events').values({ company_id: scope.companyId, contact_id: contactId, channel, value: value ? 1 : 0, origin: 'extranet', actor_label: scope.actor.label, at }).execute();
    changed++;
    await record(db, scope.actor, { entity: 'contact_consent', entityId: contactId, action: 'update', changes: { [channel]: [current[channel]?.value ?? null, value] } });
  }
  return changed;
}
