// Kysely types of the mailing tables (migration 2026-12-07T0140-mailing-core).
import type { Generated, Selectable } from 'kysely';
import type { PlatformTables } from '../../platform/db/tables.js';
import type { ModuleDb } from '../../platform/db/typed.js';

export const LIST_KINDS = ['subscription', 'segment'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed';
export type CampaignStatus = 'draft' | 'awaiting_approval' | 'scheduled' | 'sending' | 'paused' | 'finished' | 'cancelled';
export type RecipientStatus = 'queued' | 'claimed' | 'sent' | 'bounced' | 'failed';
export type BounceKind = 'hard' | 'soft' | 'complaint';

interface Rec {
  created_at: string;
  updated_at: string;
  version: Generated<number>;
}

export interface MailingListsTable extends Rec {
  id: Generated<number>;
  name: string;
  description: string;
  kind: ListKind;
  segment_id: number | null;
  public: number;
  wording: string;
  archived: number;
  created_by: number | null;
}
export interface MailingSubscribersTable {
  id: Generated<number>;
  list_id: number;
  email: string;
  email_norm: string;
  first_name: string;
  last_name: string;
  contact_id: number | null;
  status: SubscriberStatus;
  source: 'public' | 'extranet' | 'staff';
  wording: string;
  ip: string | null;
  requested_at: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
  updated_at: string;
}
export interface MailingSuppressionsTable {
  email_norm: string;
  reason: 'unsubscribed' | 'hard_bounce' | 'soft_bounces' | 'complaint';
  detail: string;
  created_at: string;
}
export interface MailingBouncesTable {
  id: Generated<number>;
  email_norm: string;
  campaign_id: number | null;
  recipient_id: number | null;
  kind: BounceKind;
  status: string;
  diagnostic: string;
  source: 'dsn' | 'webhook' | 'smtp';
  at: string;
}
export interface MailingTemplatesTable extends Rec {
  id: Generated<number>;
  name: string;
  subject: string;
  body: string;
  created_by: number | null;
}
export interface MailingCampaignsTable extends Rec {
  id: Generated<number>;
  name: string;
  list_id: number;
  subject: string;
  body: string;
  status: CampaignStatus;
  scheduled_at: string | null;
  approval_id: number | null;
  audience: Generated<number>;
  prepared: Generated<number>;
  tracking: Generated<number>;
  opens: Generated<number>;
  unsubscribes: Generated<number>;
  resent_uncertain: Generated<number>;
  /** recipients marked sent at a crash recovery because the dead run's send journal says their final dot may have left (ADR 0012) */
  presumed_sent: Generated<number>;
  lease_owner: string | null;
  lease_until: string | null;
  started_at: string | null;
  finished_at: string | null;
  archived_public: Generated<number>;
  created_by: number | null;
}
export interface MailingRecipientsTable {
  id: Generated<number>;
  campaign_id: number;
  email: string;
  email_norm: string;
  domain: string;
  contact_id: number | null;
  company_id: number | null;
  subscriber_id: number | null;
  fields: string;
  status: RecipientStatus;
  attempts: Generated<number>;
  next_attempt_at: string;
  claimed_by: string | null;
  sent_at: string | null;
  error: string | null;
  /** 1: 'sent' presumed at a crash recovery (journaled, acceptance not recorded) */
  presumed: Generated<number>;
}
export interface MailingLinksTable {
  campaign_id: number;
  idx: number;
  url: string;
  clicks: Generated<number>;
}
export interface MailingLetterBatchesTable {
  id: Generated<number>;
  name: string;
  template_id: number;
  segment_id: number;
  letters: number;
  storage_key: string;
  created_by: number | null;
  created_by_name: string;
  created_at: string;
}
export interface MailingLetterItemsTable {
  batch_id: number;
  company_id: number;
  establishment_id: number;
}

export type MailingList = Selectable<MailingListsTable>;
export type Subscriber = Selectable<MailingSubscribersTable>;
export type Template = Selectable<MailingTemplatesTable>;
export type Campaign = Selectable<MailingCampaignsTable>;
export type Recipient = Selectable<MailingRecipientsTable>;
export type LetterBatch = Selectable<MailingLetterBatchesTable>;

export interface MailingTables extends PlatformTables {
  mailing_lists: MailingListsTable;
  mailing_subscribers: MailingSubscribersTable;
  mailing_suppressions: MailingSuppressionsTable;
  mailing_bounces: MailingBouncesTable;
  mailing_templates: MailingTemplatesTable;
  mailing_campaigns: MailingCampaignsTable;
  mailing_recipients: MailingRecipientsTable;
  mailing_links: MailingLinksTable;
  mailing_letter_batches: MailingLetterBatchesTable;
  mailing_letter_items: MailingLetterItemsTable;
}

/** The mailing module's handle: its tables and the platform's. */
export type MailingDb = ModuleDb<MailingTables>;
