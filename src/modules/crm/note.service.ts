// Notes on a company written from the CRM (a phone call, a remark): they appear on the company's
// timeline. A confidential note is shown to its author and the author's managers only.
import { record, type Actor } from '../../platform/audit/audit.js';
import { nowIso } from '../../platform/db/index.js';
import { AppError, invalid } from '../../platform/errors.js';
import { findCompany } from '../registry/index.js';
import type { CrmDb, NoteRow } from './crm.table.js';


export async function addCompanyNote(db: CrmDb, actor: Actor, companyId: number, input: { body: string; confidential: boolean }): Promise<NoteRow> {
  if (actor.id === null) throw new AppError('forbidden', 'common.forbidden');
  const body = input.body.trim();
  const fields: Record<string, string> = {};
  if (!body) fields.body = 'field.required';
  else if (body.length > 5000) fields.body = 'field.too_long';
  if (!(await findCompany(db, companyId))) fields.company_id = 'crm.company_unknown';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields, { max: 5000 });
  const now = nowIso();
  const row = await db
    .insertInto('crm_notes')
    .values({ company_id: companyId, author_id: actor.id, body, confidential: input.confidential ? 1 : 0, created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  await record(db, actor, { entity: 'crm_note', entityId: row.id, action: 'create', after: { company_id: companyId, body: input.confidential ? '(confidentiel)' : body, confidential: row.confidential } });
  return row;
}
