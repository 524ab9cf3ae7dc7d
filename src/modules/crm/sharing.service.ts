// Changing only what the company sees of a deal, a visit or a task (the API's /sharing calls):
// the same rules as the full forms — who may change the record, a member title when shared —
// and the same audit.
import { record, type Actor } from '../../platform/audit/audit.js';
import { updateWithVersion } from '../../platform/db/locking.js';
import { invalid, notFound } from '../../platform/errors.js';
import type { CrmDb } from './crm.table.js';
import { assertCanEdit } from './policy.js';
import { auditableSharing, checkSharing, type SharingInput } from './sharing.js';


export type SharedKind = 'deal' | 'visit' | 'task';
const TABLE = { deal: 'crm_deals', visit: 'crm_visits', task: 'crm_tasks' } as const;

export async function updateSharing(db: CrmDb, actor: Actor, kind: SharedKind, id: number, input: SharingInput & { version: number }): Promise<void> {
  const table = TABLE[kind];
  const before = (await db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()) as
    | { owner_id: number; company_id: number | null; created_by?: number | null; shared_with_company: number; member_title: string; member_summary: string; amount_shared_with_company?: number }
    | undefined;
  if (!before) throw notFound(`crm.${kind}_not_found`);
  // A task may also be changed by whoever created it (as setTaskDone and updateTask).
  if (!(kind === 'task' && before.created_by === actor.id)) await assertCanEdit(db, actor, before.owner_id);
  const fields: Record<string, string> = {};
  const sharing = checkSharing(fields, input, before);
  if (sharing.shared_with_company && before.company_id === null) fields.shared_with_company = 'crm.sharing.no_company';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  const amount = kind === 'deal' ? { amount_shared_with_company: (input.amountSharedWithCompany ?? before.amount_shared_with_company === 1) ? 1 : 0 } : {};
  const patch = { ...sharing, ...amount };
  await updateWithVersion(db, table, id, input.version, patch);
  await record(db, actor, { entity: `crm_${kind}`, entityId: id, action: 'share', before: auditableSharing(before), after: auditableSharing(patch) });
}
