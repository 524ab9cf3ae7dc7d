// Demo data: a "Demande de formation" and a "Télétravail" type defined without code, the demo
// service's management line (manager@ under direction@, her team under her), and requests in
// several states: waiting for the manager, waiting for HR, approved, refused, sent back, a draft.
import { permissionsOf } from '../../platform/access/permissions.js';
import { SYSTEM_ACTOR, type Actor } from '../../platform/audit/audit.js';
import { findUserByEmail, setManager } from '../../platform/auth/users.js';
import type { ModuleContext } from '../../platform/module.js';
import type { ApprovalsDb } from './approvals.table.js';
import * as engine from './engine.service.js';
import { createType } from './types.service.js';

async function actorFor(db: ApprovalsDb, email: string): Promise<Actor | undefined> {
  const u = await findUserByEmail(db, email);
  if (!u) return undefined;
  return { id: u.id, label: u.email, kind: 'staff', roles: u.roles, permissions: permissionsOf(u.roles) };
}

export async function seedApprovalsDemo(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: ApprovalsDb = ctx.db;
  const tx = <T>(fn: (trx: ApprovalsDb) => Promise<T>) => db.transaction().execute(fn);
  const [hr, direction, manager, adviser, colleague, trainer, accounting] = await Promise.all(
    ['rh@demo.cci.fr', 'direction@demo.cci.fr', 'manager@demo.cci.fr', 'conseiller@demo.cci.fr', 'collaborateur@demo.cci.fr', 'formation@demo.cci.fr', 'compta@demo.cci.fr'].map((e) => actorFor(db, e)),
  );
  if (!hr || !direction || !manager || !adviser || !colleague || !trainer || !accounting) return;

  // The management line the steps follow ("manager of the requester"), where none is set yet.
  const line: [Actor, Actor][] = [
    [manager, direction],
    [hr, direction],
    [accounting, direction],
    [adviser, manager],
    [colleague, manager],
    [trainer, manager],
  ];
  for (const [who, boss] of line) {
    const u = await findUserByEmail(db, who.label);
    if (u && u.manager_id === null) await tx((trx) => setManager(trx, SYSTEM_ACTOR, who.id!, boss.id));
  }

  await tx((trx) =>
    createType(trx, hr, {
      code: 'formation',
      name_fr: 'Demande de formation',
      name_en: 'Training request',
      definition: {
        fields: [
          { name: 'intitule', label: { fr: 'Intitulé de la formation', en: 'Training title' }, kind: 'text', required: true, min: 3, max: 150 },
          { name: 'organisme', label: { fr: 'Organisme de formation', en: 'Training provider' }, kind: 'text', required: true },
          { name: 'periode', label: { fr: 'Dates', en: 'Dates' }, kind: 'daterange', required: true },
          { name: 'cout', label: { fr: 'Coût pédagogique', en: 'Tuition cost' }, kind: 'amount', required: true, min: 0, max: 5_000_000 },
          { name: 'modalite', label: { fr: 'Modalité', en: 'Format' }, kind: 'choice', required: true, choices: ['présentiel', 'distanciel', 'mixte'] },
          { name: 'objectif', label: { fr: 'Objectif professionnel', en: 'Professional goal' }, kind: 'longtext', required: true, max: 2000 },
          { name: 'cpf', label: { fr: 'Mobiliser mon CPF', en: 'Use my CPF account' }, kind: 'yesno' },
        ],
        steps: [
          { id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] },
          { id: 'rh', mode: 'any', approvers: [{ kind: 'role', role: 'hr' }] },
          { id: 'direction', mode: 'any', approvers: [{ kind: 'role', role: 'direction' }], when: { field: 'cout', op: 'gt', value: 200_000 } },
        ],
        options: { remindAfterDays: 3, escalateAfterDays: 7, cancellationThroughSteps: false },
      },
    }),
  );
  await tx((trx) =>
    createType(trx, hr, {
      code: 'teletravail',
      name_fr: 'Télétravail',
      name_en: 'Remote work',
      definition: {
        fields: [
          { name: 'periode', label: { fr: 'Période', en: 'Period' }, kind: 'daterange', required: true },
          { name: 'jours', label: { fr: 'Jours de la semaine', en: 'Days of the week' }, kind: 'text', required: true, max: 100 },
          { name: 'motif', label: { fr: 'Motif', en: 'Reason' }, kind: 'longtext', max: 1000 },
          { name: 'equipement', label: { fr: 'J’ai l’équipement nécessaire', en: 'I have the equipment needed' }, kind: 'yesno', required: true },
        ],
        steps: [{ id: 'manager', mode: 'any', approvers: [{ kind: 'manager' }] }],
        options: { remindAfterDays: 2, escalateAfterDays: 5, cancellationThroughSteps: true, resumeAtSendingStep: true },
      },
    }),
  );

  const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
  const training = (intitule: string, cost: string, from: number) => ({ intitule, organisme: 'CCI Formation', periode_from: day(from), periode_to: day(from + 1), cout: cost, modalite: 'présentiel', objectif: 'Mieux accompagner les entreprises du territoire.' });
  const file = (who: Actor, code: string, raw: Record<string, string>, title: string) => tx((trx) => engine.fileFromForm(trx, who, code, { ...raw, _title: title }, true));

  // Waiting for the manager (À traiter on manager@'s portal).
  await file(adviser, 'formation', training('Négociation commerciale', '850', 30), 'Formation négociation commerciale');
  // Approved by the manager, waiting for HR.
  const r2 = await file(colleague, 'formation', training('Excel perfectionnement', '420', 20), 'Excel perfectionnement');
  await tx((trx) => engine.act(trx, manager, r2.id, r2.version, 'approve', 'Utile pour les tableaux de bord.'));
  // Approved all the way (HR then direction above 2 000 €).
  const r3 = await file(trainer, 'formation', training('Ingénierie pédagogique', '2 400', 45), 'Certificat ingénierie pédagogique');
  let cur = await tx((trx) => engine.act(trx, manager, r3.id, r3.version, 'approve'));
  cur = await tx((trx) => engine.act(trx, hr, r3.id, cur.version, 'approve', 'Financement sur le plan de développement des compétences.'));
  await tx((trx) => engine.act(trx, direction, r3.id, cur.version, 'approve'));
  // Remote work: approved, refused, sent back, a draft.
  const remote = (from: number, to: number, jours: string) => ({ periode_from: day(from), periode_to: day(to), jours, motif: '', equipement: '1' });
  const t1 = await file(adviser, 'teletravail', remote(7, 97, 'lundi, jeudi'), 'Télétravail lundi et jeudi');
  await tx((trx) => engine.act(trx, manager, t1.id, t1.version, 'approve'));
  const t2 = await file(colleague, 'teletravail', remote(3, 60, 'lundi, mardi, mercredi'), 'Télétravail trois jours');
  await tx((trx) => engine.act(trx, manager, t2.id, t2.version, 'refuse', 'Trois jours par semaine dépassent l’accord (deux au plus).'));
  const t3 = await file(trainer, 'teletravail', remote(10, 40, 'vendredi'), 'Télétravail le vendredi');
  await tx((trx) => engine.act(trx, manager, t3.id, t3.version, 'send_back', 'Les sessions du vendredi matin sont en présentiel : précisez l’après-midi.'));
  await tx((trx) => engine.fileFromForm(trx, hr, 'teletravail', { ...remote(14, 30, 'mercredi'), _title: 'Télétravail le mercredi' }, false));
  log('Approvals: "Demande de formation" and "Télétravail" types, requests waiting, approved, refused, sent back and a draft.');
}
