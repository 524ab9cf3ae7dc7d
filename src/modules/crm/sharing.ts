// Sharing with the company: a deal, a visit or a task is shown on the member's extranet only if
// staff said so, under a member-facing wording written for the member (never the internal title,
// notes, owner, probability or lost reason). A deal's amount is shown only with its own flag.

export const MEMBER_TITLE_MAX = 200;
export const MEMBER_SUMMARY_MAX = 2000;

export interface SharingInput {
  sharedWithCompany?: boolean;
  memberTitle?: string;
  memberSummary?: string;
  /** deals only */
  amountSharedWithCompany?: boolean;
}

export interface Sharing {
  shared_with_company: number;
  member_title: string;
  member_summary: string;
}

/**
 * Checks the member-facing wording into `fields` (form field names). A shared item needs a
 * member title; the wording is kept when sharing is switched off, so switching it back on later
 * does not ask for it again.
 */
export function checkSharing(fields: Record<string, string>, input: SharingInput, before?: Partial<Sharing>): Sharing {
  const shared = input.sharedWithCompany ?? before?.shared_with_company === 1;
  const title = (input.memberTitle ?? before?.member_title ?? '').trim();
  const summary = (input.memberSummary ?? before?.member_summary ?? '').trim();
  if (shared && !title) fields.member_title = 'crm.sharing.member_title_required';
  else if (title.length > MEMBER_TITLE_MAX) fields.member_title = 'crm.sharing.member_title_too_long';
  if (summary.length > MEMBER_SUMMARY_MAX) fields.member_summary = 'crm.sharing.member_summary_too_long';
  return { shared_with_company: shared ? 1 : 0, member_title: title, member_summary: summary };
}

/** The sharing part of an audit entry (the wording is what the member reads: kept in full). */
export function auditableSharing(r: Partial<Sharing> & { amount_shared_with_company?: number }) {
  return {
    shared_with_company: r.shared_with_company ?? 0,
    member_title: r.member_title ?? '',
    member_summary: r.member_summary ?? '',
    ...(r.amount_shared_with_company !== undefined ? { amount_shared_with_company: r.amount_shared_with_company } : {}),
  };
}
