// Demo data: the CCI's newsletter (public, with its consent wording) and a few confirmed
// subscribers (through the real double opt-in), an events list, a template and a draft campaign,
// and a segment list when the registry has a saved search.
import { demoActor } from '../../platform/seed.js';
import type { ModuleContext } from '../../platform/module.js';
import { listSegments } from '../registry/index.js';
import { createCampaign, saveTemplate } from './campaigns.service.js';
import { confirmSubscription, createList, requestSubscription } from './lists.service.js';
import type { MailingDb } from './mailing.table.js';
import { confirmToken } from './tokens.js';

const BODY = `# Les actualités de votre CCI

Bonjour {{ contact.first_name | "Madame, Monsieur" }},

Voici les rendez-vous du mois pour les entreprises du territoire.

## Atelier « Réussir sa transmission d’entreprise »

Jeudi 14 janvier, de 9 h à 12 h, à la CCI. [Le programme détaillé](https://www.cci.fr/agenda)

- diagnostic de votre entreprise
- rencontre avec un conseiller transmission
- témoignages de repreneurs

[Je m’inscris](https://www.cci.fr/agenda)

---

Bonne lecture, l’équipe de la CCI.`;

export async function seedMailingDemo(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const db: MailingDb = ctx.db;
  const actor = (await demoActor(db, 'direction@demo.cci.fr')) ?? (await demoActor(db, 'admin@demo.cci.fr'));
  if (!actor) return;
  const tx = <T>(fn: (trx: MailingDb) => Promise<T>) => db.transaction().execute(fn);
  const wording = 'J’accepte de recevoir la lettre d’information de la CCI par e-mail. Je peux me désabonner à tout moment par le lien présent dans chaque message.';
  const news = await tx((trx) => createList(trx, actor, { name: 'Lettre d’information de la CCI', description: 'Une lettre par mois : actualités, événements, formations.', kind: 'subscription', public: true, wording }));
  await tx((trx) => createList(trx, actor, { name: 'Invitations aux événements', description: 'Ateliers, réunions d’information, salons.', kind: 'subscription', public: true, wording: 'J’accepte de recevoir les invitations aux événements de la CCI par e-mail.' }));
  const people: [string, string, string][] = [
    ['claire.martin@boulangerie-martin.fr', 'Claire', 'Martin'],
    ['paul.durand@atelier-durand.fr', 'Paul', 'Durand'],
    ['sophie.bernard@transports-bernard.fr', 'Sophie', 'Bernard'],
    ['contact@imprimerie-loire.fr', '', ''],
  ];
  const secret = ctx.config.sessionSecret;
  for (const [email, firstName, lastName] of people) {
    await tx((trx) => requestSubscription(trx, ctx.mailer, { secret, publicUrl: ctx.config.publicUrl }, { listId: news.id, email, firstName, lastName, source: 'public', ip: '203.0.113.42', lang: 'fr' }));
    const sub = await db.selectFrom('mailing_subscribers').select('id').where('list_id', '=', news.id).where('email_norm', '=', email).executeTakeFirstOrThrow();
    await tx((trx) => confirmSubscription(trx, secret, confirmToken(secret, sub.id)));
  }
  const segment = (await listSegments(db))[0];
  if (segment) await tx((trx) => createList(trx, actor, { name: `Prospection : ${segment.name}`, description: 'Segment du fichier consulaire, actualisé à chaque envoi.', kind: 'segment', segment_id: segment.id, public: false, wording: '' }));
  await tx((trx) => saveTemplate(trx, actor, null, null, { name: 'Lettre mensuelle', subject: 'Les rendez-vous du mois, {{ contact.first_name | "chers partenaires" }}', body: BODY }));
  await tx((trx) => createCampaign(trx, actor, { name: 'Lettre de janvier', subject: 'Les rendez-vous de janvier', body: BODY, list_id: news.id }));
  log(`Mailing : 2 listes publiques, ${people.length} abonnés confirmés (double opt-in), 1 modèle, 1 campagne en brouillon.`);
}
