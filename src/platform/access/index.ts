// Coarse checks ("may this actor do X at all"). Record rules live in each module's policies.
import type { Actor } from '../audit/audit.js';
import { AppError } from '../errors.js';
import type { Permission } from './permissions.js';

export * from './permissions.js';

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has('*') || actor.permissions.has(permission);
}

/** Throws 401 for anonymous actors, 403 for others, when the permission is missing. */
export function assertCan(actor: Actor, permission: Permission): void {
  if (can(actor, permission)) return;
  throw new AppError(actor.kind === 'anonymous' ? 'unauthenticated' : 'forbidden', 'common.forbidden');
}
