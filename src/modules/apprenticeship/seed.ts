// Demo data: two CCI schools, the 2025 and 2026 campaigns (closed: payrolls, pledges and
// confirmations from demo companies, so "against last year" shows) and the 2027 campaign
// (windows ahead: members can enter their payroll and pledge), the reminder templates as
// migrated, and a staff member as the director of the first school.
import type { Actor } from '../../platform/audit/audit.js';
import type { ModuleContext } from '../../platform/module.js';
import { demoActor } from '../../platform/seed.js';
import { parseSearch, searchEstablishments } from '../registry/index.js';
import type { ApprenticeshipDb } from './apprenticeship.table.js';
import { createCampaign, createSchool, grantSchool, setGoals } from './campaign.service.js';
import { confirmAllocation, saveDeclaration, savePledges } from './member.service.js';

export async function seedApprenticeship(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: ApprenticeshipDb = ctx.db;
  const admin = await demoActor(db, 'admin@demo.cci.fr');
  if (!admin) return;
  const tx = <T>(fn: (trx: ApprenticeshipDb) => Promise<T>) => db.transaction().execute(fn);
  const schools = [
    await tx((trx) =>
      createSchool(trx, admin, { name: 'École de commerce de la CCI', siret: '13000253200013', uai: '0691234A', trainings: 'Bachelor commerce, BTS NDRC, BTS MCO', contactName: 'Claire Fontaine', contactEmail: 'ecole@demo.cci.fr', contactPhone: '04 72 00 00 01' }),
    ),
    await tx((trx) =>
      createSchool(trx, admin, { name: 'CFA des métiers de la CCI', siret: '13000253200021', uai: '0695678B', trainings: 'CAP cuisine, BP boulanger, BTS hôtellerie-restauration', contactName: 'Paul Meunier', contactEmail: 'cfa@demo.cci.fr', contactPhone: '04 72 00 00 02' }),
    ),
  ];
  const windows = (y: number) => [
    { opens: `${y}-05-26`, closes: `${y}-06-27` },
    { opens: `${y}-07-14`, closes: `${y}-10-24` },
  ];
  const campaigns = [];
  for (const year of [2025, 2026, 2027]) {
    const c = await tx((trx) => createCampaign(trx, admin, { year: String(year), title: `Campagne de taxe d’apprentissage ${year}`, segment: '', windows: windows(year) }));
    const goals = year === 2025 ? ['40000', '25000'] : year === 2026 ? ['50000', '30000'] : ['60000', '35000'];
    await tx((trx) => setGoals(trx, admin, c.id, { schoolIds: schools.map((s) => String(s.id)), goals: { [schools[0].id]: goals[0], [schools[1].id]: goals[1] } }));
    campaigns.push(c);
  }
  // Targets and answers: the first companies of the register.
  const items = (await searchEstablishments(db, { ...parseSearch({ sort: 'name' }, 200), page: 1 }, { facets: false })).items;
  const companies = [...new Map(items.map((i) => [i.companyId, i])).values()].slice(0, 120);
  for (const c of campaigns) {
    await db
      .insertInto('apprenticeship_targets')
      .values(companies.map((co, i) => ({ campaign_id: c.id, company_id: co.companyId, name: co.name.slice(0, 200), naf_section: co.nafCode?.slice(0, 2) ?? null, department: co.communeCode?.slice(0, 2) ?? null, contacted_at: i % 3 === 0 ? `${c.year}-04-1${i % 10}T09:00:00.000Z` : null, adviser_id: null })))
      .execute();
  }
  const memberActor = (companyId: number): Actor => ({ id: null, label: 'membre:démonstration', kind: 'member', roles: ['administrator'], permissions: new Set(['member:use']), memberOf: { companyIds: [companyId], current: companyId } });
  let answered = 0;
  for (const [k, c] of campaigns.slice(0, 2).entries()) {
    for (const [i, co] of companies.slice(k * 5, k * 5 + 30).entries()) {
      const actor = memberActor(co.companyId);
      const payroll = String(300_000 + ((i * 7919) % 40) * 95_000);
      const employees = String(10 + ((i * 31) % 400));
      const workStudy = String((i * 3) % 9);
      await tx((trx) => saveDeclaration(trx, actor, co.companyId, c, { payroll, employees, workStudyEmployees: workStudy }));
      const shares = { [schools[0].id]: String(20 + (i % 5) * 10), [schools[1].id]: i % 2 ? '20' : '0' };
      try {
        await tx((trx) => savePledges(trx, actor, co.companyId, c, shares, `${c.year}-05-01`));
        if (i % 3 !== 2) await tx((trx) => confirmAllocation(trx, actor, co.companyId, c, { [schools[0].id]: shares[schools[0].id], [schools[1].id]: i % 4 === 1 ? '10' : shares[schools[1].id] }, `${c.year}-10-01`));
        answered++;
      } catch {
        // Alsace-Moselle companies owe no solde: nothing to pledge.
      }
    }
  }
  // The school's director: a staff member who sees that school's results only (a grant, not a role).
  if (await demoActor(db, 'collaborateur@demo.cci.fr')) await tx((trx) => grantSchool(trx, admin, schools[0].id, 'collaborateur@demo.cci.fr'));
  log(`Taxe d’apprentissage : 2 écoles, campagnes 2025, 2026 et 2027, ${companies.length} entreprises ciblées, ${answered} promesses.`);
}
