// What other modules plug into the engine without the engine importing them: the owner of a
// system type (leave…) registers its callbacks from its own index.ts, at import time; the leave
// module gives the public holidays used to count working days.
import type { Actor } from '../../platform/audit/audit.js';
import type { ApprovalRequestRow } from './approvals.table.js';
import type { Kysely } from 'kysely';

export type HookAction = 'approved' | 'refused' | 'withdrawn' | 'cancelled' | 'changesRequested';

export interface OwnerEvent {
  /** the request as it is after the transition */
  request: ApprovalRequestRow;
  actor: Actor;
  action: HookAction;
  comment: string | null;
}

/**
 * Called inside the transaction of the transition, with the same handle (a transaction): the
 * owner's writes commit with the decision or not at all. An AppError thrown here aborts the
 * transition and reaches the caller (e.g. "the balance no longer covers this leave").
 */
// Untyped on purpose: the hook gets the engine's transaction and uses it as its owner's own handle
// (LeaveDb, ExpensesDb…). Kysely is invariant in its tables, so no typed handle of the engine is
// assignable to the owners' ones (nor the reverse, even through method bivariance); the caller's-handle type
// (the same Kysely<any>) may only appear in index.ts. This is the one seam where a module's handle
// crosses into another's, the same as what index.ts exports take.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OwnerHook = (db: Kysely<any>, event: OwnerEvent) => Promise<void>;
export type OwnerHooks = Partial<Record<HookAction, OwnerHook>>;

const owners = new Map<string, OwnerHooks>();

export function registerOwnerHooks(owner: string, hooks: OwnerHooks): void {
  owners.set(owner, hooks);
}

export function ownerHook(owner: string, action: HookAction): OwnerHook | undefined {
  return owners.get(owner)?.[action];
}

/**
 * Owners whose requests are read only on their route (the requester and the approvers of its
 * steps): approvals:admin (HR) reads every request of the engine's own types and of leave, but an
 * expense claim or a purchase is none of HR's business — its title and amount stay with the
 * requester, the approvers and the owning module's own readers (accounting).
 */
const routeOnly = new Set<string>();

export function keepRequestsToTheirRoute(owner: string): void {
  routeOnly.add(owner);
}

/** May approvals:admin read every request of types owned by `owner`? */
export function adminReadsRequestsOf(owner: string): boolean {
  return !routeOnly.has(owner);
}

/** Owners whose requests approvals:admin does not read (the list "every request" leaves them out). */
export function routeOnlyOwners(): string[] {
  return [...routeOnly];
}

let holiday: (isoDate: string) => boolean = () => false;

/** Public holidays for working-day counts (reminders, escalation); weekends are always skipped. */
export function setHolidayCalendar(isHoliday: (isoDate: string) => boolean): void {
  holiday = isHoliday;
}

export function isHoliday(isoDate: string): boolean {
  return holiday(isoDate);
}
