// Demo data of the training centre: 10 courses, two rooms, three trainers (two contract, one
// salaried), sessions last month (attended, signed, certificates, invoices, surveys) and in the
// coming weeks (enrolments of the demo member company and others, one on the waiting list),
// and two contract trainers paid for last month: their months validated by the training demo
// user (formation@) and their payment orders batched by the accounting demo user (compta@).
import type { Actor } from '../../platform/audit/audit.js';
import type { ModuleContext } from '../../platform/module.js';
import { demoActor } from '../../platform/seed.js';
import { createPaymentBatch } from '../accounting/index.js';
import { DEMO_MEMBER_EMAIL, memberAccount } from '../extranet/index.js';
import { answerSurvey, markAttendance, sign } from './attendance.service.js';
import { createCourse, saveRoom, saveTrainer, type CourseInput } from './catalogue.service.js';
import { addDays, previousMonth, todayInParis, weekdayOf } from './dates.js';
import { enrol } from './enrolment.service.js';
import { issueInvoices } from './invoice.service.js';
import type { MailDeps } from './mails.js';
import { declareMonth, generateMonth, validateMonth } from './pay.service.js';
import { createSession, setSessionStatus, slotsOf } from './sessions.service.js';
import type { TrainingDb } from './training.table.js';

const ACCESS = 'Locaux de plain-pied accessibles en fauteuil roulant ; référent handicap joignable au 04 77 00 00 00 pour toute adaptation (supports agrandis, rythme, interprète LSF).';
const COURSES: [code: string, title: string, hours: number, price: number, summary: string, objectives: string, programme: string][] = [
  ['EXCEL-TCD', 'Excel : tableaux croisés dynamiques', 7, 390, 'Analyser ses données de gestion en une journée.', 'Construire et mettre en forme un tableau croisé dynamique ; filtrer, regrouper, calculer ; présenter un graphique croisé.', 'Préparer la source de données\n\nCréer le tableau croisé\n\nCalculs et regroupements\n\nGraphiques croisés et segments'],
  ['MGT-1', 'Manager une équipe de proximité', 14, 790, 'Les fondamentaux du management pour les nouveaux managers.', 'Adopter une posture de manager ; fixer des objectifs ; conduire un entretien ; gérer un désaccord.', 'Rôle et posture\n\nObjectifs SMART et délégation\n\nEntretiens individuels\n\nGestion des tensions'],
  ['SST', 'Sauveteur secouriste du travail (SST)', 14, 320, 'Certification INRS : porter secours sur le lieu de travail.', 'Protéger, examiner, alerter, secourir ; contribuer à la prévention des risques.', 'Cadre juridique\n\nProtéger et alerter\n\nGestes de secours\n\nÉvaluation certificative'],
  ['COMPTA-BASES', 'Les bases de la comptabilité', 21, 950, 'Lire et comprendre les documents comptables de son entreprise.', 'Comprendre la partie double ; lire un bilan et un compte de résultat ; passer les écritures courantes.', 'Principes et plan comptable\n\nÉcritures courantes\n\nTVA\n\nClôture et documents de synthèse'],
  ['NEGO-ACHAT', 'Négocier ses achats', 14, 820, 'Préparer et mener une négociation avec ses fournisseurs.', 'Préparer une négociation ; connaître ses marges de manœuvre ; conclure un accord durable.', 'Préparation\n\nTechniques de négociation\n\nJeux de rôle\n\nContractualiser'],
  ['RGPD-PME', 'RGPD : mettre son entreprise en conformité', 7, 450, 'Le RGPD appliqué aux petites entreprises, pas à pas.', 'Tenir un registre des traitements ; informer les personnes ; sécuriser les données.', 'Principes\n\nRegistre et base légale\n\nDroits des personnes\n\nSécurité et sous-traitants'],
  ['ANGLAIS-PRO', 'Anglais professionnel : réunions et téléphone', 21, 1050, 'Prendre la parole en anglais en situation professionnelle.', 'Conduire un appel ; participer à une réunion ; rédiger un courriel clair.', 'Téléphone\n\nRéunions\n\nÉcrits professionnels\n\nMises en situation'],
  ['VENTE-TEL', 'Prospecter et vendre par téléphone', 14, 690, 'Obtenir des rendez-vous qualifiés par téléphone.', 'Préparer un argumentaire ; franchir les barrages ; traiter les objections.', 'Préparation\n\nAccroche et découverte\n\nObjections\n\nSuivi et relance'],
  ['WEB-SEO', 'Référencer son site internet', 7, 420, 'Les clés du référencement naturel pour les commerçants.', 'Choisir ses mots-clés ; optimiser ses pages ; suivre ses résultats.', 'Fonctionnement des moteurs\n\nMots-clés\n\nContenus et balises\n\nMesure'],
  ['CREA-ENT', '5 jours pour entreprendre', 35, 0, 'Le parcours des créateurs et repreneurs d’entreprise.', 'Construire son projet : marché, statut, prévisionnel, financement.', 'Étude de marché\n\nStatuts juridiques\n\nPrévisionnel financier\n\nFinancements et aides\n\nPrésentation du projet'],
];

/** The Monday of the week `weeks` after the one containing `iso`. */
function mondayAfter(iso: string, weeks: number): string {
  const wd = weekdayOf(iso);
  return addDays(iso, (wd === 0 ? -6 : 1 - wd) + 7 * weeks);
}

export async function seedTraining(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: TrainingDb = ctx.db;
  const staff = await demoActor(db, 'formation@demo.cci.fr');
  const accountant = await demoActor(db, 'compta@demo.cci.fr');
  if (!staff) return;
  const tx = <T>(fn: (trx: TrainingDb) => Promise<T>) => db.transaction().execute(fn);
  const mail: MailDeps = { mailer: ctx.mailer, publicUrl: ctx.config.publicUrl, cciName: await ctx.settings.get('cci.name') };
  const today = todayInParis();

  const courseIds: number[] = [];
  for (const [code, title, hours, price, summary, objectives, programme] of COURSES) {
    const input: CourseInput = {
      code,
      title,
      summary,
      objectives,
      programme,
      prerequisites: code === 'EXCEL-TCD' ? 'Connaître les bases d’Excel (saisie, formules simples).' : 'Aucun.',
      audience: 'Dirigeants et salariés des entreprises',
      duration_hours: String(hours),
      price: String(price),
      intra_day: '1200',
      vat_exempt: true,
      visibility: code === 'NEGO-ACHAT' ? 'private' : 'public',
      teaching_methods: 'Apports courts, cas pratiques issus des entreprises du territoire, supports remis à chaque stagiaire.',
      assessment: 'Positionnement à l’entrée, exercices en cours, évaluation des acquis en fin de formation.',
      access_delay: 'Inscription jusqu’à 10 jours avant le début de la session.',
      accessibility: ACCESS,
      results: 'Satisfaction 2025 : 4,6 / 5 ; 96 % de réussite aux évaluations.',
      active: true,
    };
    courseIds.push((await tx((trx) => createCourse(trx, staff, input))).id);
  }
  const fauriel = await tx((trx) => saveRoom(trx, staff, null, { name: 'Salle Fauriel', capacity: '14', equipment: 'Vidéoprojecteur, paperboard, boucle magnétique', accessible: true }));
  const info = await tx((trx) => saveRoom(trx, staff, null, { name: 'Salle informatique', capacity: '10', equipment: '10 postes, logiciels bureautiques', accessible: true }));
  const rates = { rate_face: '65', rate_prep: '32,50', rate_remote: '55', bic: '' };
  const vero = await tx((trx) => saveTrainer(trx, staff, null, { ...rates, name: 'Véronique Martin', email: 'v.martin@formateurs-demo.fr', status: 'contract', iban: 'FR76 3000 6000 0112 3456 7890 189', bic: 'AGRIFRPP', skills: 'Bureautique, RGPD' }));
  const karim = await tx((trx) => saveTrainer(trx, staff, null, { ...rates, name: 'Karim Benali', email: 'k.benali@formateurs-demo.fr', status: 'contract', iban: 'FR60 1027 8089 0000 0204 5120 195', skills: 'Management, vente, négociation' }));
  const sylvie = await tx((trx) => saveTrainer(trx, staff, null, { ...rates, name: 'Sylvie Durand', email: 's.durand@demo.cci.fr', status: 'salaried', iban: '', skills: 'Comptabilité, création d’entreprise' }));

  const member = await memberAccount(db, DEMO_MEMBER_EMAIL);
  const companyId = member?.companyIds[0];
  const memberActor: Actor | undefined =
    member && companyId !== undefined ? { id: null, label: `membre:${DEMO_MEMBER_EMAIL}`, kind: 'member', roles: ['administrator'], permissions: new Set(['member:use', 'member:admin']), memberOf: { companyIds: member.companyIds, current: companyId } } : undefined;

  const session = (course: number, room: number | null, trainer: number, start: string, days: number, max = 10) =>
    tx((trx) => createSession(trx, staff, { course_id: String(course), kind: 'inter', company_id: '', room_id: room ? String(room) : '', trainer_id: String(trainer), remote: room === null, start_date: start, end_date: addDays(start, days - 1), pattern: 'day', min_trainees: '3', max_trainees: String(max), price: '', notes: '' }));
  type Person = readonly [name: string, email: string, funding: 'company' | 'opco' | 'self'];
  const people: Person[] = [
    ['Camille Roche', 'camille.roche@demo-entreprise.fr', 'company'],
    ['Hugo Perret', 'hugo.perret@demo-entreprise.fr', 'opco'],
    ['Léa Garnier', 'lea.garnier@exemple-sarl.fr', 'self'],
    ['Nadia Faure', 'nadia.faure@demo-entreprise.fr', 'company'],
  ];
  const staffEnrol = (sessionId: number, [name, email, funding]: Person, own = true) =>
    tx((trx) => enrol(trx, staff, sessionId, { trainee_name: name, trainee_email: email, trainee_job: 'Assistant(e) de gestion', needs: '', funding, opco_name: funding === 'opco' ? 'OPCO EP' : '', opco_ref: funding === 'opco' ? 'EP-2026-0412' : '', company_id: own && companyId !== undefined ? String(companyId) : '' }, mail));

  // Last month: two sessions, one per contract trainer, attended and signed, invoiced.
  const lastMonth = previousMonth(today);
  const pastStart = mondayAfter(`${lastMonth}-01`, 1);
  const past = [await session(courseIds[0], info.id, vero.id, pastStart, 1), await session(courseIds[1], fauriel.id, karim.id, addDays(pastStart, 7), 2)];
  const pastEnrolments: { id: number; survey_token: string | null }[] = [];
  for (const s of past) {
    await tx((trx) => setSessionStatus(trx, staff, s.id, 'confirmed'));
    for (const p of people.slice(0, 3)) {
      const e = await staffEnrol(s.id, p, p[2] !== 'self');
      pastEnrolments.push(e);
      for (const slot of await slotsOf(db, s.id)) {
        // Léa missed an afternoon (justified); everyone else signed on the pad.
        if (p[0] === 'Léa Garnier' && slot.half === 'pm') await tx((trx) => markAttendance(trx, staff, slot.id, { enrolment_id: String(e.id), status: 'excused' }));
        else await tx((trx) => sign(trx, staff, slot.id, { who: String(e.id), signature: `M10 ${40 + (e.id % 7)} L60 20 L110 70 L160 25 L220 60`, typed_confirm: false, typed_name: '' }, slot.day));
      }
    }
    for (const slot of await slotsOf(db, s.id)) await tx((trx) => sign(trx, staff, slot.id, { who: 'trainer', signature: '', typed_confirm: true, typed_name: s.trainer_id === vero.id ? 'Véronique Martin' : 'Karim Benali' }, slot.day));
    await tx((trx) => issueInvoices(trx, staff, s.id, s.end_date));
  }
  for (const [i, e] of pastEnrolments.slice(0, 4).entries()) {
    if (e.survey_token) await tx((trx) => answerSurvey(trx, staff, e.survey_token!, { overall: String(5 - (i % 2)), content: '4', trainer: '5', organisation: String(4 + (i % 2)), recommend: '1', comment: i === 0 ? 'Très concret, exercices utiles.' : '' }));
  }

  // Last month's pay: generated, declared, validated by formation@, batched by compta@.
  await tx((trx) => generateMonth(trx, staff, lastMonth));
  const months = await db.selectFrom('training_pay_months').select(['id', 'trainer_id']).where('month', '=', lastMonth).execute();
  for (const m of months) {
    await tx((trx) => declareMonth(trx, staff, m.id));
    await tx((trx) => validateMonth(trx, staff, m.id, today));
  }
  const orderIds = (await db.selectFrom('training_pay_months').select('payment_order_id').where('month', '=', lastMonth).execute()).map((r) => r.payment_order_id).filter((x): x is number => x !== null);
  let batched = 'not batched';
  if (accountant && orderIds.length) {
    try {
      const b = await tx((trx) => createPaymentBatch(trx, accountant, { executionDate: today, orderIds }));
      batched = `batch ${b.messageId} (${b.count} transfers)`;
    } catch (e) {
      log(`Training: the trainers' payment orders were not batched (${(e as Error).message}).`);
    }
  }

  // Coming weeks: open sessions with the demo member company's enrolments (one waits).
  const future = [
    await session(courseIds[0], info.id, vero.id, mondayAfter(today, 2), 1, 3),
    await session(courseIds[2], fauriel.id, sylvie.id, mondayAfter(today, 3), 2),
    await session(courseIds[3], fauriel.id, sylvie.id, mondayAfter(today, 5), 3),
    await session(courseIds[5], null, vero.id, addDays(mondayAfter(today, 4), 1), 1),
    await session(courseIds[7], fauriel.id, karim.id, addDays(mondayAfter(today, 6), 2), 2),
  ];
  let enrolled = 0;
  const first = future[0];
  await staffEnrol(first.id, people[2], false);
  await staffEnrol(first.id, ['Paul Chabert', 'paul.chabert@exemple-sarl.fr', 'self'], false);
  if (memberActor) {
    for (const [i, p] of [people[0], people[3], people[1]].entries()) {
      await tx((trx) => enrol(trx, memberActor, i < 2 ? first.id : future[1].id, { trainee_name: p[0], trainee_email: p[1], trainee_job: '', needs: i === 1 ? 'Malentendante : placer près de l’intervenant' : '', funding: p[2], opco_name: p[2] === 'opco' ? 'OPCO EP' : '', opco_ref: '' }, mail));
      enrolled++;
    }
  }
  log(`Training: ${COURSES.length} courses, 2 rooms, 3 trainers, ${past.length + future.length} sessions (${past.length} last month with attendance, certificates and invoices), ${enrolled} enrolments of the demo member company (one on the waiting list); last month's pay of 2 trainers validated by formation@ and ${batched} by compta@.`);
}
