// Demo: the master plan of 2000 ("schéma directeur", chapter 2 "Chiffrage des scénarios
// proposés") loaded AS WRITTEN — its three levels with their lines in francs (KF × 1,000) and
// the totals the plan states. The first level states an investment of 115 KF while its lines add
// up to 85 KF: the committee's view shows the computed total and flags the stated one. Projects
// follow the plan's three stages (its own dates), with one committee decision.
import type { ModuleContext } from '../../platform/module.js';
import { demoActor } from '../../platform/seed.js';
import { createProject, addMilestone, recordDecision } from './plan.service.js';
import { importHistoricScenario, type HistoricScenario } from './scenario.service.js';
import { listScenarios } from './steering.queries.js';
import type { SteeringDb } from './steering.table.js';

const KF = 1000;

export const MASTER_PLAN: HistoricScenario[] = [
  {
    name: 'Le minimum',
    description: 'Premier niveau du schéma directeur (2000) : messagerie, RNIS, sécurisation.',
    stated: { investment: 115 * KF, running: 150 * KF },
    lines: [
      { label: 'Achat d’Exchange Microsoft (150 postes )', kind: 'investment', category: 'Logiciel', francs: 50 * KF },
      { label: 'Adaptation des P.C pour création des fiches "visite" sur F.C', kind: 'investment', category: 'Matériel', francs: 5 * KF },
      { label: 'Frais de Mise en service RNIS', kind: 'investment', category: 'Réseau', francs: 5 * KF },
      { label: 'Sécurisation des informations', kind: 'investment', category: 'Sécurité', francs: 25 * KF },
      { label: 'Utilisation du RNIS', kind: 'running', category: 'Réseau', francs: 50 * KF },
      { label: 'Hébergement de la messagerie', kind: 'running', category: 'Hébergement', francs: 100 * KF },
      { label: 'Remplacement Transfix par RNIS', kind: 'gain', category: 'Réseau', francs: 36 * KF },
      { label: 'Réduction du nombre de documents papier échangés', kind: 'gain', category: 'Fonctionnement', francs: 12 * KF },
      { label: 'Accroissement des affaires', kind: 'gain', category: 'Activité', francs: 50 * KF },
    ],
  },
  {
    name: 'Le souhaitable',
    description: 'Deuxième niveau : accès au fichier consulaire, taxe d’apprentissage, sites Intranet et Extranet, réseau.',
    stated: { investment: 1600 * KF, running: 400 * KF },
    lines: [
      { label: 'Construction d’applications permettant l’accès au fichier consulaire', kind: 'investment', category: 'Développement', francs: 300 * KF },
      { label: 'Construction d’une couche interface pour saisir la taxe d’apprentissage et amélioration de certains processus', kind: 'investment', category: 'Développement', francs: 250 * KF },
      { label: 'Développement d’un site Intranet', kind: 'investment', category: 'Développement', francs: 250 * KF },
      { label: 'Développement d’un site Extranet', kind: 'investment', category: 'Développement', francs: 300 * KF },
      { label: 'Accroissement de l’ hébergement chez un fournisseur d’accès', kind: 'investment', category: 'Réseau', francs: 100 * KF },
      { label: 'Mise à niveau du parc', kind: 'investment', category: 'Matériel', francs: 200 * KF },
      { label: 'Mise à niveau du réseau (Routeur, Hub).', kind: 'investment', category: 'Réseau', francs: 200 * KF },
      { label: 'Coût Hébergement', kind: 'running', category: 'Hébergement', francs: 300 * KF },
      { label: 'Coût réseau', kind: 'running', category: 'Réseau', francs: 100 * KF },
      { label: 'Accroissement du C.A de 5%', kind: 'gain', category: 'Activité', francs: 500 * KF },
      { label: 'Accroissement de la Taxe d’apprentissage', kind: 'gain', category: 'Activité', francs: 250 * KF },
      { label: 'Réduction des frais de publicité (Revues, etc.)', kind: 'gain', category: 'Fonctionnement', francs: 100 * KF },
    ],
  },
  {
    name: 'L’innovant',
    description: 'Troisième niveau : cartographie, suivi des affaires, portail, sécurité Internet.',
    stated: { investment: 910 * KF, running: 400 * KF },
    lines: [
      { label: 'Logiciel de cartographie', kind: 'investment', category: 'Logiciel', francs: 200 * KF },
      { label: 'Suivi des affaires pour les ressortissants', kind: 'investment', category: 'Développement', francs: 30 * KF },
      { label: 'Logiciel de gestion de prospects, d’affaires', kind: 'investment', category: 'Logiciel', francs: 30 * KF },
      { label: 'Portail', kind: 'investment', category: 'Développement', francs: 30 * KF },
      { label: 'Adaptation des applications existantes', kind: 'investment', category: 'Développement', francs: 120 * KF },
      { label: 'Achat de 5 Firewall (sécurité Internet)', kind: 'investment', category: 'Sécurité', francs: 250 * KF },
      { label: 'Adaptation Réseau : accès rapide à Internet FMS', kind: 'investment', category: 'Réseau', francs: 150 * KF },
      { label: 'Référencement, Publicité sur sites pour Intranet', kind: 'investment', category: 'Communication', francs: 100 * KF },
      { label: 'Coût Hébergement', kind: 'running', category: 'Hébergement', francs: 300 * KF },
      { label: 'Coût réseau', kind: 'running', category: 'Réseau', francs: 100 * KF },
      { label: 'Vente de produits nouveaux (Etudes, etc..)', kind: 'gain', category: 'Activité', francs: 50 * KF },
    ],
  },
];

export async function seedSteering(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: SteeringDb = ctx.db;
  const actor = await demoActor(db, 'direction@demo.cci.fr');
  if (!actor) return;
  await db.transaction().execute(async (trx) => {
    for (const s of MASTER_PLAN) await importHistoricScenario(trx, actor, s);
    const blank = { owner: String(actor.id ?? ''), planned: '', consumed: '', dependsOn: [] as string[] };
    const committee = await createProject(trx, actor, { ...blank, name: 'Comité de pilotage et comité informatique', phase: 'Première étape', status: 'done', start: '2000-10-01', end: '2000-12-31' });
    const mail = await createProject(trx, actor, { ...blank, name: 'Services de messagerie', phase: 'Première étape', status: 'done', start: '2000-10-01', end: '2000-12-31', planned: '12958.29', consumed: '11500.00', dependsOn: [String(committee.id)] });
    const sites = await createProject(trx, actor, { ...blank, name: 'Sites Intranet et Extranet', phase: 'Deuxième étape', status: 'running', start: '2001-01-01', end: '2001-06-30', planned: '83846.96', consumed: '41000.00', dependsOn: [String(mail.id)] });
    await createProject(trx, actor, { ...blank, name: 'Logiciel de cartographie', phase: 'Troisième étape', status: 'planned', start: '2001-07-01', end: '2002-06-30', planned: '30489.80', dependsOn: [String(sites.id)] });
    await addMilestone(trx, actor, mail.id, { label: 'Fin de la mise en place du premier niveau', due: '2000-12-15' });
    await addMilestone(trx, actor, sites.id, { label: 'Lancement de l’Intranet', due: '2001-04-02' });
    await addMilestone(trx, actor, sites.id, { label: 'Lancement de l’Extranet', due: '2001-06-15' });
    const scenarios = await listScenarios(trx);
    const wanted = scenarios.find((s) => s.name === 'Le souhaitable');
    await recordDecision(trx, actor, { date: '2000-11-20', title: 'Le comité retient le deuxième niveau « Le souhaitable », développé sur environ deux ans (conseil final du schéma directeur).', body: 'Scénarios de développement et de fonctionnement externes.', scenario: wanted ? String(wanted.id) : '', project: String(sites.id) });
  });
  log('steering: master plan of 2000 (3 scenarios, 4 projects, 1 decision)');
}
