// Unsubscribing from a message: the one-click POST of RFC 8058 (no cookie, no CSRF token: the
// signed token in the URL is the proof), the page behind the link (confirm, or choose lists),
// and the mailto address of List-Unsubscribe. Idempotent: a second click changes nothing.
import { notFound } from '../../platform/errors.js';
import { getList, unsubscribeEverywhere, unsubscribeFromList } from './lists.service.js';
import type { MailingDb, MailingList } from './mailing.table.js';
import { readUnsubscribeToken } from './tokens.js';

export interface UnsubscribeTarget {
  recipientId: number;
  campaignId: number;
  email: string;
  emailNorm: string;
  list: MailingList;
}

export async function unsubscribeTarget(db: MailingDb, secret: string, token: string): Promise<UnsubscribeTarget> {
  const recipientId = readUnsubscribeToken(secret, token);
  if (recipientId === null) throw notFound('mailing.link_invalid');
  const r = await db.selectFrom('mailing_recipients as r').innerJoin('mailing_campaigns as c', 'c.id', 'r.campaign_id').select(['r.id', 'r.campaign_id', 'r.email', 'r.email_norm', 'c.list_id']).where('r.id', '=', recipientId).executeTakeFirst();
  if (!r) throw notFound('mailing.link_invalid');
  return { recipientId: r.id, campaignId: r.campaign_id, email: r.email, emailNorm: r.email_norm, list: await getList(db, r.list_id) };
}

/** `list`: this message's list only; `all`: the global opt-out. Returns whether anything changed. */
export async function unsubscribeRecipient(db: MailingDb, recipientId: number, scope: 'list' | 'all', how: string): Promise<boolean> {
  const r = await db.selectFrom('mailing_recipients as r').innerJoin('mailing_campaigns as c', 'c.id', 'r.campaign_id').select(['r.email_norm', 'r.campaign_id', 'c.list_id']).where('r.id', '=', recipientId).executeTakeFirst();
  if (!r) throw notFound('mailing.link_invalid');
  const changed = scope === 'all' ? await unsubscribeEverywhere(db, r.email_norm, how) : await unsubscribeFromList(db, r.email_norm, await getList(db, r.list_id), how);
  if (changed) {
    const c = await db.selectFrom('mailing_campaigns').select('unsubscribes').where('id', '=', r.campaign_id).executeTakeFirstOrThrow();
    await db.updateTable('mailing_campaigns').set({ unsubscribes: c.unsubscribes + 1 }).where('id', '=', r.campaign_id).execute();
  }
  return changed;
}
