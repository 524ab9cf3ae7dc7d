// The one rule the admin module holds itself: what the CCI settings form accepts. Users, tokens
// and the settings store are platform services; this checks the form and writes through them.
import type { Actor } from '../../platform/audit/audit.js';
import { invalid, type FieldErrors } from '../../platform/errors.js';
import type { Settings } from '../../platform/settings.js';
import type { AdminDb } from './admin.table.js';

/** A département (42, 2A, 974) or a commune's INSEE code (42218, 2A004). */
const TERRITORY_CODE = /^(\d{2}|2A|2B|97\d|\d{5}|2[AB]\d{3})$/;

export interface CciSettingsInput {
  name: string;
  /** codes as typed, separated by commas, semicolons or spaces */
  territory: string;
}

/** Saves the CCI's name and territory (each change audited by the settings store). */
export async function saveCciSettings(db: AdminDb, settings: Settings, actor: Actor, input: CciSettingsInput): Promise<void> {
  const fields: FieldErrors = {};
  const name = input.name;
  if (!name) fields.name = 'field.required';
  else if (name.length > 120) fields.name = 'field.too_long';
  // The territory fixed by the environment is shown read-only and never written.
  const territoryFromEnv = settings.isOverridden('cci.territory');
  const codes = input.territory.split(/[,;\s]+/).map((c) => c.trim().toUpperCase()).filter(Boolean);
  if (!territoryFromEnv && (codes.length === 0 || !codes.every((c) => TERRITORY_CODE.test(c)))) fields.territory = 'admin.territory_invalid';
  if (Object.keys(fields).length) throw invalid('common.invalid', fields);
  await settings.set(actor, 'cci.name', name, db);
  if (!territoryFromEnv) await settings.set(actor, 'cci.territory', codes, db);
}
