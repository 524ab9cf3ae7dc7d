// The contract other modules rely on (CRM, extranet): tables and index.ts functions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.js';
import { applyCompanyCorrection, companyHref, createContact, findCompany, getCompany, listCompanyChanges, listContacts, searchCompaniesForPicker, findContact } from '../src/modules/registry/index.js';
import { createManualCompany } from '../src/modules/registry/company.service.js';
import { count, createTestApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('registry contract', () => {
  it('creates a manual company, finds it, adds a contact, corrects it, lists the history', async () => {
    const id = await t.db.transaction().execute((trx) =>
      createManualCompany(trx, SYSTEM_ACTOR, { name: 'Société Générale de Mécanique', siren: '732829320', postalCode: '42000', communeCode: '42218', streetName: 'rue de la Paix', streetNumber: '3', nafCode: '25.62B' }),
    );
    const c = await getCompany(t.db, id);
    expect(c).toMatchObject({ siren: '732829320', name: 'Société Générale de Mécanique', postalCode: '42000', communeCode: '42218', city: 'SAINT-ÉTIENNE', status: 'active', diffusion: 'public', nafCode: '25.62B' });
    expect(companyHref(id)).toBe(`/registre/entreprises/${id}`);
    expect(await findCompany(t.db, 999999)).toBeUndefined();
    await expect(getCompany(t.db, 999999)).rejects.toMatchObject({ kind: 'not_found' });

    expect((await searchCompaniesForPicker(t.db, 'societe generale', 5)).map((x) => x.id)).toEqual([id]);
    expect((await searchCompaniesForPicker(t.db, 'MECA', 5)).map((x) => x.id)).toEqual([id]);
    expect((await searchCompaniesForPicker(t.db, '732 829 320', 5)).map((x) => x.id)).toEqual([id]);

    const contact = await t.db.transaction().execute((trx) => createContact(trx, SYSTEM_ACTOR, id, { firstName: 'Émilie', lastName: 'Durand', role: 'Gérante', email: 'E.Durand@example.fr' }));
    expect(await listContacts(t.db, id)).toEqual([{ id: contact.id, companyId: id, firstName: 'Émilie', lastName: 'Durand', role: 'Gérante', email: 'e.durand@example.fr', phone: null }]);
    expect(await findContact(t.db, contact.id)).toMatchObject({ lastName: 'Durand' });
    // the contact's name makes the company findable
    expect((await searchCompaniesForPicker(t.db, 'emilie durand', 5)).map((x) => x.id)).toEqual([id]);
    await expect(t.db.transaction().execute((trx) => createContact(trx, SYSTEM_ACTOR, id, { lastName: '', email: 'nope' }))).rejects.toMatchObject({ kind: 'invalid', fields: { lastName: 'field.required', email: 'registry.invalid_email' } });

    const before = await count(t.db, 'registry_changes');
    await t.db.transaction().execute((trx) => applyCompanyCorrection(trx, SYSTEM_ACTOR, id, { phone: '04 77 00 00 00', postalCode: '69002', communeCode: '69382', streetName: 'quai Saint-Antoine' }, 1));
    expect(await getCompany(t.db, id)).toMatchObject({ postalCode: '69002', communeCode: '69382' });
    expect(await count(t.db, 'registry_changes')).toBeGreaterThan(before);
    const changes = await listCompanyChanges(t.db, id, 10);
    expect(changes[0].source).toBe('correction');
    expect(changes.some((ch) => ch.changes.phone?.[1] === '04 77 00 00 00')).toBe(true);
    // a stale version is refused, nothing changed
    await expect(t.db.transaction().execute((trx) => applyCompanyCorrection(trx, SYSTEM_ACTOR, id, { phone: '04 00 00 00 00' }, 1))).rejects.toMatchObject({ kind: 'conflict' });
    // postal code must match the commune
    await expect(t.db.transaction().execute((trx) => applyCompanyCorrection(trx, SYSTEM_ACTOR, id, { postalCode: '42000', communeCode: '69382' }, 2))).rejects.toMatchObject({ kind: 'invalid', fields: { postalCode: 'registry.postal_code_mismatch' } });
  });
});
