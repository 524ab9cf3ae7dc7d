// Demo data: a few visits, deals and tasks for the demo adviser (conseiller@demo.cci.fr), whose
// manager becomes manager@demo.cci.fr. Uses whatever companies the registry's demo seed created
// (through its public search); without registry data it only sets up the team.
import type { CrmDb } from './crm.table.js';
import { SYSTEM_ACTOR, type Actor } from '../../platform/audit/audit.js';
import { demoActor } from '../../platform/seed.js';
import { setManager } from '../../platform/auth/users.js';
import type { ModuleContext } from '../../platform/module.js';
import { listContacts, searchCompaniesForPicker, type CompanySummary } from '../registry/index.js';
import { listServices, listStages, listTopics } from './catalogue.service.js';
import { addDays, todayParis } from './dates.js';
import { createDeal, moveDeal } from './deal.service.js';
import { assignPortfolio } from './portfolio.service.js';
import { createTask } from './task.service.js';
import { recordVisit } from './visit.service.js';

const actorFor = demoActor;

async function someCompanies(db: CrmDb): Promise<CompanySummary[]> {
  const seen = new Map<number, CompanySummary>();
  // The registry has no "list all" export: a few common words of company names find some.
  for (const q of ['sas', 'sarl', 'boulangerie', 'lyon', 'saint', 'garage', 'transports', 'restaurant', 'conseil', 'industrie']) {
    for (const c of await searchCompaniesForPicker(db, q, 10)) seen.set(c.id, c);
    if (seen.size >= 12) break;
  }
  return [...seen.values()].slice(0, 12);
}

export async function seedCrmDemo(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: CrmDb = ctx.db;
  const adviser = await actorFor(db, 'conseiller@demo.cci.fr');
  const manager = await actorFor(db, 'manager@demo.cci.fr');
  if (!adviser || !manager) return log('crm: demo users missing, nothing seeded');
  await setManager(db, SYSTEM_ACTOR, adviser.id!, manager.id);
  const companies = await someCompanies(db);
  if (companies.length === 0) return log('crm: no registry companies found, only the team was set up');
  try {
    await seedActivity(db, adviser, manager, companies, log);
  } catch (e) {
    // Demo data must never stop the demo from starting.
    log(`crm: demo activity not seeded (${(e as Error).message})`);
  }
}

async function seedActivity(db: CrmDb, adviser: Actor, manager: Actor, companies: CompanySummary[], log: (line: string) => void): Promise<void> {
  const today = todayParis();
  const [topics, stages, services] = await Promise.all([listTopics(db), listStages(db), listServices(db)]);
  await db.transaction().execute(async (trx) => {
    await assignPortfolio(trx, manager, companies.slice(0, 8).map((c) => c.id), adviser.id);
    for (const [i, c] of companies.slice(0, 6).entries()) {
      const contacts = await listContacts(trx, c.id);
      await recordVisit(trx, adviser, {
        companyId: c.id,
        date: addDays(today, -7 * (i + 1)),
        topics: [topics[i % topics.length].code, topics[(i + 3) % topics.length].code],
        contactIds: contacts.slice(0, 1).map((x) => x.id),
        notes: 'Rencontre avec la direction : point sur l’activité et les projets de l’année.',
        needs: i % 2 ? 'Recrutement d’un alternant.' : 'Accompagnement à l’export (salon professionnel).',
        confidentialNotes: i === 0 ? 'Tension de trésorerie évoquée à demi-mot.' : '',
        // Every other visit is shown to the company, in words written for it.
        sharedWithCompany: i % 2 === 0,
        memberTitle: i % 2 === 0 ? `Rendez-vous avec votre conseiller : ${[topics[i % topics.length].label, topics[(i + 3) % topics.length].label].join(', ')}` : '',
        memberSummary: i % 2 === 0 ? 'Nous avons fait le point sur vos projets de l’année ; votre conseiller revient vers vous avec des propositions.' : '',
        followUps: [{ title: i % 2 ? 'Envoyer la documentation' : 'Rappeler pour un rendez-vous', due: addDays(today, i), ownerId: adviser.id! }],
      });
    }
    const open = stages.filter((s) => s.kind === 'open');
    for (const [i, c] of companies.slice(0, 8).entries()) {
      const svc = services[i % services.length];
      // Deals stay internal unless shared: the first two are shown to their company (the first
      // with its amount), the lost one (i = 7) is not.
      const deal = await createDeal(trx, adviser, {
        companyId: c.id,
        title: `${svc.name} — ${c.name}`.slice(0, 200),
        serviceId: svc.id,
        stageId: open[i % open.length].id,
        expectedCloseDate: addDays(today, 20 * (i + 1)),
        sharedWithCompany: i < 2,
        memberTitle: i < 2 ? `Proposition : ${svc.name}`.slice(0, 200) : '',
        amountSharedWithCompany: i === 0,
      });
      if (i === 6) await moveDeal(trx, adviser, deal.id, { stageId: stages.find((s) => s.kind === 'won')!.id, version: deal.version });
      if (i === 7) await moveDeal(trx, adviser, deal.id, { stageId: stages.find((s) => s.kind === 'lost')!.id, lostReason: 'Budget reporté', version: deal.version });
    }
    const late = await createTask(trx, adviser, { title: 'Relancer pour la proposition', due: today, companyId: companies[0].id, sharedWithCompany: true, memberTitle: 'Votre conseiller vous rappelle au sujet de la proposition' });
    // One overdue task, so the home page and the digest have something "en retard" to show.
    await trx.updateTable('crm_tasks').set({ due_date: addDays(today, -3) }).where('id', '=', late.id).execute();
  });
  log(`crm: ${Math.min(companies.length, 6)} visits, ${Math.min(companies.length, 8)} deals, tasks and a portfolio for conseiller@demo.cci.fr`);
}
