// The member scope: who is acting and for which company. Every member-side service takes one,
// and every member-side query filters on scope.companyId — the company the resolver verified.
import type { Actor } from '../../platform/audit/audit.js';
import { AppError } from '../../platform/errors.js';
import type { MembershipRole } from './extranet.table.js';

export interface MemberScope {
  actor: Actor;
  accountId: number;
  name: string;
  email: string;
  companyId: number;
  role: MembershipRole;
}

/** Builds the scope from a member actor; refuses (403) a member without a current company. */
export function scopeOf(actor: Actor, account: { id: number; name: string; email: string } | undefined): MemberScope {
  const companyId = actor.memberOf?.current;
  if (actor.kind !== 'member' || !account || companyId === undefined) throw new AppError('forbidden', 'extranet.no_company');
  return {
    actor,
    accountId: account.id,
    name: account.name,
    email: account.email,
    companyId,
    role: actor.permissions.has('member:admin') ? 'administrator' : 'member',
  };
}
