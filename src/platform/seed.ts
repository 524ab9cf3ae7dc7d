// Demo accounts: one per role, on an empty database, never in production.
import { permissionsOf, ROLES } from './access/permissions.js';
import { SYSTEM_ACTOR, type Actor } from './audit/audit.js';
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

/**
 * The staff actor of a demo account, with the permissions of its roles, or undefined when the
 * account is absent (a module seeding after someone removed it). Demo seeds act as real people
 * so that their records carry authors and audit rows like any other.
 */
export async function demoActor(caller: AnyDb, email: string): Promise<Actor | undefined> {
  const db: PlatformDb = caller;
  const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (!user) return undefined;
  const roles = (await db.selectFrom('user_roles').select('role').where('user_id', '=', user.id).execute()).map((r) => r.role);
  return { id: user.id, label: email, kind: 'staff', roles, permissions: permissionsOf(roles) };
}
