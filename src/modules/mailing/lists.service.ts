// Lists, subscriptions with double opt-in, unsubscribes, preferences and suppressions.
//
// One consent record: a person's consent per channel is the registry's (contact_consent_events,
// through registry's index.ts). When a subscriber's address is a registry contact, confirming
// grants that contact's `newsletter` channel and a global opt-out refuses `newsletter` and
// `prospecting` there; at send time a contact whose registry consent says 'refused' is left out,
// whatever the list says. A subscription row holds list membership and the proof of the double
// opt-in (when, from where, which wording, IP truncated) — the proof, not a second consent.
// Addresses that are no contact are protected by the suppression list (global opt-out, bounces).
import type { Actor } from '../../platform/audit/audit.js';
import { record } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { conflict, invalid, notFound, type FieldErrors } from '../../platform/errors.js';
import type { Mailer } from '../../platform/mail/index.js';
import { contactConsents, contactsByEmail, findSegment, parseSearch, searchAudience, setContactConsent } from '../registry/index.js';
import { checkAddress, HEADER_BREAK, isProfessional, normalise, truncateIp } from './addresses.js';
import type { MergeValues } from './blocks.js';
import type { MailingDb, MailingList, Subscriber } from './mailing.table.js';
import { text, type Lang } from './messages.js';
import { assertCanWrite } from './policy.js';
import { confirmToken, preferencesToken, readConfirmToken } from './tokens.js';

/** The registry is written by the mailing module on the person's own request (link or form). */
const CONSENT_ACTOR = (label: string): Actor => ({ id: null, label, kind: 'system', roles: [], permissions: new Set(['registry:edit']) });

export async function listLists(db: MailingDb, opts: { archived?: boolean } = {}): Promise<(MailingList & { members: number })[]> {
  const lists = await db.selectFrom('mailing_lists').selectAll().where('archived', '=', opts.archived ? 1 : 0).orderBy('name').execute();
  const counts = await db.selectFrom('mailing_subscribers').select(['list_id', (eb) => eb.fn.countAll<number>().as('n')]).where('status', '=', 'confirmed').groupBy('list_id').execute();
  const byList = new Map(counts.map((c) => [c.list_id, Number(c.n)]));
  return lists.map((l) => ({ ...l, members: byList.get(l.id) ?? 0 }));
}

export async function publicLists(db: MailingDb): Promise<MailingList[]> {
  return db.selectFrom('mailing_lists').selectAll().where('archived', '=', 0).where('public', '=', 1).where('kind', '=', 'subscription').orderBy('name').execute();
}

export async function getList(db: MailingDb, id: number): Promise<MailingList> {
  const l = await db.selectFrom('mailing_lists').selectAll().where('id', '=', id).executeTakeFirst();
  if (!l) throw notFound('mailing.list_not_found');
  return l;
}

export interface ListInput {
  name: string;
  description: string;
  kind: string;
  segment_id?: number;
  public: boolean;
  wording: string;
}

async function checkList(db: MailingDb, input: ListInput) {
  const errors: FieldErrors = {};
  const name = input.name.trim();
  if (!name) errors.name = 'field.required';
  if (input.kind !== 'subscription' && input.kind !== 'segment') errors.kind = 'field.invalid';
  if (input.kind === 'segment') {
    if (!input.segment_id || !(await findSegment(db, input.segment_id))) errors.segment_id = 'mailing.segment_required';
  }
  const wording = input.wording.trim();
  if (input.kind === 'subscription' && input.public && !wording) errors.wording = 'mailing.wording_required';
  if (Object.keys(errors).length) throw invalid('common.invalid', errors);
  return {
    name: name.slice(0, 200),
    description: input.description.trim().slice(0, 2000),
    kind: input.kind as 'subscription' | 'segment',
    segment_id: input.kind === 'segment' ? input.segment_id! : null,
    public: input.kind === 'subscription' && input.public ? 1 : 0,
    wording: wording.slice(0, 2000),
  };
}

export async function createList(db: MailingDb, actor: Actor, input: ListInput): Promise<MailingList> {
  assertCanWrite(actor);
  const v = await checkList(db, input);
  const now = nowIso();
  const row = await db.insertInto('mailing_lists').values({ ...v, archived: 0, created_by: actor.id, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'mailing_list', entityId: row.id, action: 'create', after: v });
  return row;
}

export async function updateList(db: MailingDb, actor: Actor, id: number, version: number, input: ListInput & { archived: boolean }): Promise<void> {
  assertCanWrite(actor);
  const before = await getList(db, id);
  const v = { ...(await checkList(db, input)), archived: input.archived ? 1 : 0 };
  const res = await db.updateTable('mailing_lists').set({ ...v, updated_at: nowIso(), version: before.version + 1 }).where('id', '=', id).where('version', '=', version).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw conflict('common.conflict');
  await record(db, actor, { entity: 'mailing_list', entityId: id, action: 'update', before: { name: before.name, description: before.description, kind: before.kind, segment_id: before.segment_id, public: before.public, wording: before.wording, archived: before.archived }, after: v });
}

export async function listSubscribers(db: MailingDb, listId: number, limit = 200): Promise<Subscriber[]> {
  return db.selectFrom('mailing_subscribers').selectAll().where('list_id', '=', listId).orderBy('id', 'desc').limit(limit).execute();
}

// ————— subscriptions: double opt-in —————

export interface SubscribeInput {
  listId: number;
  email: string;
  firstName: string;
  lastName: string;
  source: 'public' | 'extranet' | 'staff';
  ip?: string;
  lang: Lang;
}

/**
 * A subscription request: the person gets a confirmation mail with a signed link valid 7 days;
 * nothing is sent to them until they follow it. The same answer whether the address was new,
 * pending or already confirmed (the form does not tell who is subscribed).
 */
export async function requestSubscription(db: MailingDb, mailer: Mailer, ctx: { secret: string; publicUrl: string }, input: SubscribeInput, staff?: Actor): Promise<void> {
  if (input.source === 'staff' && !staff) throw invalid('common.invalid', { email: 'mailing.not_allowed' });
  if (staff) assertCanWrite(staff);
  const errors: FieldErrors = {};
  const addr = checkAddress(input.email);
  if (!addr.ok) errors.email = addr.code;
  for (const f of ['firstName', 'lastName'] as const) if (HEADER_BREAK.test(input[f]) || input[f].length > 100) errors[f === 'firstName' ? 'first_name' : 'last_name'] = 'field.invalid';
  const list = await db.selectFrom('mailing_lists').selectAll().where('id', '=', input.listId).where('archived', '=', 0).where('kind', '=', 'subscription').executeTakeFirst();
  if (!list || (input.source !== 'staff' && !list.public)) errors.list_id = 'mailing.list_not_found';
  if (Object.keys(errors).length || !addr.ok || !list) throw invalid('common.invalid', errors);
  const now = nowIso();
  const existing = await db.selectFrom('mailing_subscribers').selectAll().where('list_id', '=', list.id).where('email_norm', '=', addr.norm).executeTakeFirst();
  if (existing?.status === 'confirmed') return;
  const contact = (await contactsByEmail(db, addr.norm))[0];
  const values = { email: addr.email, first_name: input.firstName.trim(), last_name: input.lastName.trim(), contact_id: contact?.id ?? null, status: 'pending' as const, source: input.source, wording: list.wording, ip: truncateIp(input.ip), requested_at: now, confirmed_at: null, unsubscribed_at: null, updated_at: now };
  const id = existing
    ? (await db.updateTable('mailing_subscribers').set(values).where('id', '=', existing.id).returning('id').executeTakeFirstOrThrow()).id
    : (await db.insertInto('mailing_subscribers').values({ ...values, list_id: list.id, email_norm: addr.norm }).returning('id').executeTakeFirstOrThrow()).id;
  await record(db, staff ?? { id: null, label: addr.norm, kind: 'anonymous', roles: [], permissions: new Set(), ip: truncateIp(input.ip) ?? undefined }, { entity: 'mailing_subscriber', entityId: id, action: 'request', after: { list: list.id, source: input.source, ip: values.ip } });
  const link = `${ctx.publicUrl}/abonnements/confirmer/${confirmToken(ctx.secret, id)}`;
  await mailer.queue(db, {
    to: addr.email,
    subject: text(input.lang, 'mailing.confirm_mail.subject', { list: list.name }),
    text: text(input.lang, 'mailing.confirm_mail.body', { list: list.name, link, wording: list.wording }),
  });
}

/** Follows a confirmation link: the subscription becomes confirmed (idempotent), the proof is kept, the registry contact's newsletter consent granted. */
export async function confirmSubscription(db: MailingDb, secret: string, token: string): Promise<{ list: MailingList; subscriber: Subscriber }> {
  const read = readConfirmToken(secret, token);
  if (read === 'expired') throw notFound('mailing.link_expired');
  if (!read) throw notFound('mailing.link_invalid');
  const sub = await db.selectFrom('mailing_subscribers').selectAll().where('id', '=', read.subscriberId).executeTakeFirst();
  if (!sub) throw notFound('mailing.link_invalid');
  const list = await getList(db, sub.list_id);
  if (sub.status === 'confirmed') return { list, subscriber: sub };
  const now = nowIso();
  const updated = await db.updateTable('mailing_subscribers').set({ status: 'confirmed', confirmed_at: now, unsubscribed_at: null, updated_at: now }).where('id', '=', sub.id).returningAll().executeTakeFirstOrThrow();
  await db.deleteFrom('mailing_suppressions').where('email_norm', '=', sub.email_norm).where('reason', '=', 'unsubscribed').execute();
  const actor = CONSENT_ACTOR(sub.email_norm);
  await record(db, actor, { entity: 'mailing_subscriber', entityId: sub.id, action: 'confirm', after: { list: list.id, wording: sub.wording, requested_at: sub.requested_at, confirmed_at: now, ip: sub.ip, source: sub.source } });
  if (sub.contact_id) await setContactConsent(db, actor, sub.contact_id, { newsletter: 'granted' }, { source: `double opt-in, liste « ${list.name} »`.slice(0, 200) });
  return { list, subscriber: updated };
}

/** The list a subscription belongs to (the confirmation page names it). */
export async function listOfSubscriber(db: MailingDb, subscriberId: number): Promise<MailingList | undefined> {
  return db.selectFrom('mailing_subscribers as s').innerJoin('mailing_lists as l', 'l.id', 's.list_id').selectAll('l').where('s.id', '=', subscriberId).executeTakeFirst();
}

// ————— unsubscribes and preferences —————

/** Unsubscribes an address from one list (idempotent): a subscription list's membership ends; for a segment list, the address is suppressed from prospecting. */
export async function unsubscribeFromList(db: MailingDb, emailNorm: string, list: MailingList, how: string): Promise<boolean> {
  const now = nowIso();
  const actor = CONSENT_ACTOR(emailNorm);
  if (list.kind === 'segment') {
    // A segment is a registry search: the only way out of it is an opposition, i.e. the
    // contacts' prospecting consent refused (what the next sends read).
    let changed = 0;
    for (const c of await contactsByEmail(db, emailNorm)) changed += await setContactConsent(db, actor, c.id, { prospecting: 'refused' }, { source: `désinscription (${how})` });
    if (changed) await record(db, actor, { entity: 'mailing_list', entityId: list.id, action: 'unsubscribe', changes: { email: emailNorm, how } });
    return changed > 0;
  }
  const res = await db.updateTable('mailing_subscribers').set({ status: 'unsubscribed', unsubscribed_at: now, updated_at: now }).where('list_id', '=', list.id).where('email_norm', '=', emailNorm).where('status', '<>', 'unsubscribed').executeTakeFirst();
  const changed = Number(res.numUpdatedRows) > 0;
  if (changed) await record(db, actor, { entity: 'mailing_list', entityId: list.id, action: 'unsubscribe', changes: { email: emailNorm, how } });
  return changed;
}

/** Global opt-out: every list, the suppression list, and the registry contacts' newsletter and prospecting refused (idempotent). */
export async function unsubscribeEverywhere(db: MailingDb, emailNorm: string, how: string): Promise<boolean> {
  const now = nowIso();
  const actor = CONSENT_ACTOR(emailNorm);
  await db.updateTable('mailing_subscribers').set({ status: 'unsubscribed', unsubscribed_at: now, updated_at: now }).where('email_norm', '=', emailNorm).where('status', '<>', 'unsubscribed').execute();
  const inserted = await db.insertInto('mailing_suppressions').values({ email_norm: emailNorm, reason: 'unsubscribed', detail: how.slice(0, 200), created_at: now }).onConflict((oc) => oc.column('email_norm').doNothing()).executeTakeFirst();
  let changed = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 ? 1 : 0;
  for (const c of await contactsByEmail(db, emailNorm)) changed += await setContactConsent(db, actor, c.id, { newsletter: 'refused', prospecting: 'refused' }, { source: `désinscription globale (${how})` });
  if (changed) await record(db, actor, { entity: 'mailing_suppression', entityId: emailNorm, action: 'unsubscribe_all', changes: { how } });
  return changed > 0;
}

export interface Preferences {
  email: string;
  token: string;
  suppressed: boolean;
  lists: { list: MailingList; subscribed: boolean }[];
}

export async function preferencesOf(db: MailingDb, secret: string, emailNorm: string): Promise<Preferences> {
  const subs = await db.selectFrom('mailing_subscribers').selectAll().where('email_norm', '=', emailNorm).execute();
  const lists = await publicLists(db);
  const own = await db.selectFrom('mailing_lists').selectAll().where('id', 'in', subs.length ? subs.map((s) => s.list_id) : [0]).where('archived', '=', 0).execute();
  const all = [...new Map([...lists, ...own].map((l) => [l.id, l])).values()].filter((l) => l.kind === 'subscription');
  const suppressed = Boolean(await db.selectFrom('mailing_suppressions').select('email_norm').where('email_norm', '=', emailNorm).executeTakeFirst());
  return { email: emailNorm, token: preferencesToken(secret, emailNorm), suppressed, lists: all.map((list) => ({ list, subscribed: subs.some((s) => s.list_id === list.id && s.status === 'confirmed') })) };
}

/** The preference page's form: lists kept are left as they are (a new one needs the double opt-in), the others unsubscribed; `everything` is the global opt-out. */
export async function savePreferences(db: MailingDb, emailNorm: string, keep: readonly number[], everything: boolean): Promise<number> {
  if (everything) return (await unsubscribeEverywhere(db, emailNorm, 'page de préférences')) ? 1 : 0;
  let n = 0;
  const subs = await db.selectFrom('mailing_subscribers').select(['list_id']).where('email_norm', '=', emailNorm).where('status', '=', 'confirmed').execute();
  for (const s of subs) if (!keep.includes(s.list_id) && (await unsubscribeFromList(db, emailNorm, await getList(db, s.list_id), 'page de préférences'))) n++;
  return n;
}

// ————— the audience of a list, at send time —————

export interface AudienceMember {
  email: string;
  norm: string;
  domain: string;
  contactId: number | null;
  companyId: number | null;
  subscriberId: number | null;
  fields: MergeValues;
}

/** Why members of a list are left out at send time (shown before a send). */
export interface AudienceCounts {
  included: number;
  suppressed: number;
  refused: number;
  notProfessional: number;
  notDiffusible: number;
  invalid: number;
}

/**
 * Everyone a list reaches now, page by page: confirmed subscribers, or the registry contacts of a
 * segment. Left out: suppressed addresses (global opt-out, bounces); contacts whose registry
 * consent refuses the channel; for segments (B2B prospecting without prior consent) consumer
 * mailbox addresses, non-diffusible units and establishments, and contacts in opposition.
 */
export async function* listAudience(db: MailingDb, list: MailingList, counts: AudienceCounts = emptyCounts()): AsyncGenerator<AudienceMember[]> {
  const suppressed = async (norms: string[]) => {
    const out = new Set<string>();
    for (let i = 0; i < norms.length; i += 500) {
      for (const r of await db.selectFrom('mailing_suppressions').select('email_norm').where('email_norm', 'in', norms.slice(i, i + 500)).execute()) out.add(r.email_norm);
    }
    return out;
  };
  if (list.kind === 'subscription') {
    let after = 0;
    for (;;) {
      const page = await db.selectFrom('mailing_subscribers').selectAll().where('list_id', '=', list.id).where('status', '=', 'confirmed').where('id', '>', after).orderBy('id').limit(1000).execute();
      if (!page.length) return;
      after = page[page.length - 1].id;
      const sup = await suppressed(page.map((s) => s.email_norm));
      const contactIds = page.flatMap((s) => (s.contact_id ? [s.contact_id] : []));
      const consents = contactIds.length ? await contactConsents(db, contactIds) : new Map();
      const out: AudienceMember[] = [];
      for (const s of page) {
        if (sup.has(s.email_norm)) {
          counts.suppressed++;
          continue;
        }
        if (s.contact_id && consents.get(s.contact_id)?.newsletter.value === 'refused') {
          counts.refused++;
          continue;
        }
        const addr = checkAddress(s.email);
        if (!addr.ok) {
          counts.invalid++;
          continue;
        }
        counts.included++;
        out.push({ email: addr.email, norm: addr.norm, domain: addr.domain, contactId: s.contact_id, companyId: null, subscriberId: s.id, fields: { 'contact.first_name': s.first_name, 'contact.last_name': s.last_name, 'contact.email': addr.email, 'list.name': list.name } });
      }
      if (out.length) yield out;
    }
  }
  const segment = list.segment_id ? await findSegment(db, list.segment_id) : undefined;
  if (!segment) return;
  const search = parseSearch(Object.fromEntries(new URLSearchParams(segment.query)));
  const seen = new Set<string>();
  for await (const page of searchAudience(db, search)) {
    const sup = await suppressed(page.map((c) => normalise(c.email)));
    const out: AudienceMember[] = [];
    for (const c of page) {
      const addr = checkAddress(c.email);
      if (!addr.ok) counts.invalid++;
      else if (seen.has(addr.norm)) continue;
      else if (sup.has(addr.norm)) counts.suppressed++;
      else if (c.prospecting === 'refused') counts.refused++;
      else if (c.companyDiffusion === 'partial' || c.establishmentDiffusion === 'partial') counts.notDiffusible++;
      else if (!isProfessional(addr.domain)) counts.notProfessional++;
      else {
        seen.add(addr.norm);
        counts.included++;
        out.push({ email: addr.email, norm: addr.norm, domain: addr.domain, contactId: c.contactId, companyId: c.companyId, subscriberId: null, fields: { 'contact.first_name': c.firstName, 'contact.last_name': c.lastName, 'contact.civility': c.civility ?? '', 'contact.email': addr.email, 'company.name': c.companyName, 'list.name': list.name } });
      }
    }
    if (out.length) yield out;
  }
}

export const emptyCounts = (): AudienceCounts => ({ included: 0, suppressed: 0, refused: 0, notProfessional: 0, notDiffusible: 0, invalid: 0 });

/** Counts a list's audience now (the campaign page, the approval threshold). */
export async function countAudience(db: MailingDb, list: MailingList): Promise<AudienceCounts> {
  const counts = emptyCounts();
  for await (const page of listAudience(db, list, counts)) void page;
  return counts;
}

export async function listSuppressions(db: MailingDb, limit = 200) {
  return db.selectFrom('mailing_suppressions').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
}
