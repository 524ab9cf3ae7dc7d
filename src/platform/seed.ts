// Demo accounts: one per role, on an empty database, never in production.
import { ROLES } from './access/permissions.js';
import { SYSTEM_ACTOR } from './audit/audit.js';
import { createUser } from './auth/users.js';
import type { AnyDb } from './db/index.js';
import type { PlatformDb } from './db/typed.js';

export const DEMO_PASSWORD = 'demo-consulaire-2026';

export const DEMO_USERS: { email: string; name: string; role: (typeof ROLES)[number] }[] = [
  { email: 'admin@demo.cci.fr', name: 'Alice Administratrice', role: 'admin' },
  { email: 'direction@demo.cci.fr', name: 'Didier Directeur', role: 'direction' },
  { email: 'manager@demo.cci.fr', name: 'Martine Manager', role: 'manager' },
  { email: 'conseiller@demo.cci.fr', name: 'Claire Conseillère', role: 'adviser' },
  { email: 'documentation@demo.cci.fr', name: 'Damien Documentaliste', role: 'documentation' },
  { email: 'redacteur@demo.cci.fr', name: 'Rémi Rédacteur', role: 'editor' },
  { email: 'webmestre@demo.cci.fr', name: 'Wanda Webmestre', role: 'webmaster' },
  { email: 'rh@demo.cci.fr', name: 'Hélène RH', role: 'hr' },
  { email: 'compta@demo.cci.fr', name: 'Camille Comptable', role: 'accounting' },
  { email: 'formation@demo.cci.fr', name: 'Fabien Formateur', role: 'training' },
  { email: 'collaborateur@demo.cci.fr', name: 'Colin Collaborateur', role: 'staff' },
];

export async function isEmptyDatabase(caller: AnyDb): Promise<boolean> {
  const db: PlatformDb = caller;
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n) === 0;
}

export async function seedDemoUsers(db: AnyDb): Promise<void> {
  for (const u of DEMO_USERS) {
    await createUser(db, SYSTEM_ACTOR, { email: u.email, name: u.name, roles: [u.role], password: DEMO_PASSWORD });
  }
}
