// Factories for the CRM tests: companies and contacts made through the registry's own services
// (so search text and history are real), CRM users with their managers.
import { SYSTEM_ACTOR, type Actor } from '../src/platform/audit/audit.js';
import { permissionsOf } from '../src/platform/access/permissions.js';
import { setManager, type User } from '../src/platform/auth/users.js';
import type { AnyDb } from '../src/platform/db/index.js';
import { createContact } from '../src/modules/registry/index.js';
import { createManualCompany } from '../src/modules/registry/company.service.js';
import { expect } from 'vitest';
import { agent, makeUser, type Agent, type TestApp } from './helpers.js';

let n = 0;
export async function company(db: AnyDb, name?: string, opts: { nafCode?: string; communeCode?: string; postalCode?: string } = {}): Promise<number> {
  n++;
  return createManualCompany(db, SYSTEM_ACTOR, { name: name ?? `Société Test ${n} ${Math.random().toString(36).slice(2, 6)}`, streetName: 'Rue de la Paix', streetNumber: '1', postalCode: opts.postalCode ?? '42000', communeCode: opts.communeCode ?? '42218', nafCode: opts.nafCode });
}

export async function contact(db: AnyDb, companyId: number, lastName = 'Martin'): Promise<number> {
  return (await createContact(db, SYSTEM_ACTOR, companyId, { firstName: 'Anne', lastName })).id;
}

export function actorOf(u: User): Actor {
  return { id: u.id, label: u.email, kind: 'staff', roles: u.roles, permissions: permissionsOf(u.roles) };
}

/** A manager with two advisers, another adviser outside the team, a direction member. */
export async function team(db: AnyDb) {
  const manager = await makeUser(db, ['manager']);
  const adviser = await makeUser(db, ['adviser']);
  const colleague = await makeUser(db, ['adviser']);
  const outsider = await makeUser(db, ['adviser']);
  const otherManager = await makeUser(db, ['manager']);
  const direction = await makeUser(db, ['direction']);
  await setManager(db, SYSTEM_ACTOR, adviser.id, manager.id);
  await setManager(db, SYSTEM_ACTOR, colleague.id, manager.id);
  await setManager(db, SYSTEM_ACTOR, outsider.id, otherManager.id);
  return { manager, adviser, colleague, outsider, otherManager, direction };
}

/** The CRM team of `team()`, each member signed in with an agent of their own (crm and crm-sharing tests). */
export async function signedInTeam(t: TestApp) {
  const people = await team(t.db);
  const as: Record<string, Agent> = {};
  for (const [k, u] of Object.entries(people)) {
    as[k] = agent(t);
    expect((await as[k].signIn(u.email)).status).toBe(302);
  }
  return { people, as };
}
