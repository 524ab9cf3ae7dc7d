// Consent: a company's member manages its contacts' communication preferences (newsletters,
// event invitations). The record is the registry's (one consent per contact and channel, with
// its history: `setContactConsent`, `contactConsents`, `consentHistory`); staff see and change
// the same record on the registry's contact page. Only contacts of the scope's company.
import { notFound } from '../../platform/errors.js';
import { consentHistory, contactConsents, findContact, listContacts, setContactConsent, type ConsentEvent, type ContactSummary } from '../registry/index.js';
import type { MemberScope } from './scope.js';
import type { ExtranetDb } from './extranet.table.js';

/** The channels members answer for on the extranet (prospecting stays with the CCI). */
export const CHANNELS = ['newsletter', 'events'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Preference {
  value: boolean;
  at: string;
  /** 'extranet' (a member) or 'registry' (the CCI's staff) */
  origin: string;
  by: string;
}

export interface ContactPreferences extends ContactSummary {
  preferences: Partial<Record<Channel, Preference>>;
  /** this contact's consent changes, newest first (every channel) */
  history: ConsentEvent[];
}

/** Latest answer per contact and channel ("unknown" left out), for the extranet and for mailing modules. */
export async function preferencesOf(db: ExtranetDb, contactIds: number[]): Promise<Map<number, Partial<Record<Channel, Preference>>>> {
  const out = new Map<number, Partial<Record<Channel, Preference>>>();
  for (const [id, states] of await contactConsents(db, contactIds)) {
    const m: Partial<Record<Channel, Preference>> = {};
    for (const ch of CHANNELS) {
      const s = states[ch];
      if (s.value !== 'unknown') m[ch] = { value: s.value === 'granted', at: s.at ?? '', origin: s.origin ?? 'registry', by: s.by ?? '' };
    }
    if (Object.keys(m).length) out.set(id, m);
  }
  return out;
}

export async function listCompanyPreferences(db: ExtranetDb, companyId: number): Promise<ContactPreferences[]> {
  const contacts = await listContacts(db, companyId);
  const ids = contacts.map((c) => c.id);
  const [prefs, history] = await Promise.all([preferencesOf(db, ids), consentHistory(db, ids, 1000)]);
  return contacts.map((c) => ({ ...c, preferences: prefs.get(c.id) ?? {}, history: history.filter((e) => e.contactId === c.id).slice(0, 20) }));
}

/** Sets the wanted channels of one contact of the scope's company, through the registry (audited there). */
export async function setPreferences(db: ExtranetDb, scope: MemberScope, contactId: number, wanted: string[]): Promise<number> {
  const contact = await findContact(db, contactId);
  // Another company's contact is "not found", exactly like a contact that does not exist.
  if (!contact || contact.companyId !== scope.companyId) throw notFound();
  // An unticked box is an explicit "no": the first save records it, later saves only changes.
  return setContactConsent(db, scope.actor, contactId, Object.fromEntries(CHANNELS.map((ch) => [ch, wanted.includes(ch) ? 'granted' : 'refused'])));
}
