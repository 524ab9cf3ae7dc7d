// Append-only audit log. Services call record() inside the transaction that makes the change, so
// a change and its trace commit (or roll back) together. Nothing updates or deletes audit rows.
import { nowIso, type AnyDb } from '../db/index.js';
import type { PlatformDb } from '../db/typed.js';

/** Who acts, from where: built once per request (or per command-line run) and passed down. */
export interface Actor {
  /** users.id for staff; null for the system, the command line or an anonymous visitor */
  id: number | null;
  label: string;
  kind: 'staff' | 'member' | 'system' | 'anonymous';
  roles: readonly string[];
  permissions: ReadonlySet<string>;
  /** member audience: the company currently selected (extranet) */
  memberOf?: { companyIds: readonly number[]; current?: number };
  requestId?: string;
  ip?: string;
}

export const SYSTEM_ACTOR: Actor = {
  id: null,
  label: 'système',
  kind: 'system',
  roles: [],
  permissions: new Set(['*']),
};

/** Fields never written to the audit log in clear. */
const SECRET_FIELDS = /(password|secret|token|hash)/i;

export type Changes = Record<string, [unknown, unknown]>;

/** Field-by-field before/after of two versions of a record; unchanged fields are left out. */
export function diff(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): Changes {
  const out: Changes = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (k === 'updated_at' || k === 'version' || k === 'created_at') continue;
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    out[k] = SECRET_FIELDS.test(k) ? ['•••', '•••'] : [b, a];
  }
  return out;
}

export interface AuditEntry {
  entity: string;
  entityId: string | number;
  action: string; // create | update | delete | merge | sign_in | …
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  /** explicit changes, when before/after are not the right shape */
  changes?: Changes | Record<string, unknown>;
}

export async function record(caller: AnyDb, actor: Actor, entry: AuditEntry): Promise<void> {
  const db: PlatformDb = caller;
  const changes = entry.changes ?? diff(entry.before, entry.after);
  await db
    .insertInto('audit_log')
    .values({
      at: nowIso(),
      actor_id: actor.id,
      actor_label: actor.label,
      entity: entry.entity,
      entity_id: String(entry.entityId),
      action: entry.action,
      changes: JSON.stringify(changes),
      request_id: actor.requestId ?? null,
      ip: actor.ip ?? null,
    })
    .execute();
}
