// Demo content: sections and rights, news for each audience, a page tree, events, a document,
// pinned links, and items at every workflow step (a draft, one awaiting review, one scheduled).
import type { Actor } from '../../platform/audit/audit.js';
import { findUserByEmail } from '../../platform/auth/users.js';
import type { ModuleContext } from '../../platform/module.js';
import { permissionsOf } from '../../platform/access/permissions.js';
import { utcToParis } from './content.dates.js';
import * as svc from './content.service.js';
import type { ContentDb, Kind } from './content.table.js';

async function actorFor(ctx: ModuleContext, email: string): Promise<Actor | undefined> {
  const u = await findUserByEmail(ctx.db, email);
  if (!u) return undefined;
  return { id: u.id, label: u.email, kind: 'staff', roles: u.roles, permissions: permissionsOf(u.roles) };
}

const p = (...xs: string[]) => xs.map((x) => `<p>${x}</p>`).join('');

export async function seedContent(ctx: ModuleContext, log: (line: string) => void): Promise<void> {
  const editor = await actorFor(ctx, 'redacteur@demo.cci.fr');
  const webmaster = await actorFor(ctx, 'webmestre@demo.cci.fr');
  const trainer = await actorFor(ctx, 'formation@demo.cci.fr');
  if (!editor || !webmaster || !trainer) return;
  const db: ContentDb = ctx.db;
  const tx = <T>(fn: (trx: ContentDb) => Promise<T>) => db.transaction().execute(fn);

  const comm = await tx((trx) => svc.createSection(trx, webmaster, { name: 'Communication', description: 'Actualités et pages institutionnelles' }));
  const training = await tx((trx) => svc.createSection(trx, webmaster, { name: 'Formation', description: 'Pages et actualités du centre de formation' }));
  // The training service edits its own section; the webmaster publishes everywhere.
  await tx((trx) => svc.setSectionRight(trx, webmaster, training.id, trainer.id!, 'edit'));
  await tx((trx) => svc.setSectionRight(trx, webmaster, training.id, editor.id!, 'edit'));
  const procedures = await tx((trx) => svc.createFolder(trx, webmaster, { name: 'Procédures internes' }));
  const guides = await tx((trx) => svc.createFolder(trx, webmaster, { name: 'Guides pour les entreprises' }));
  for (const l of [
    { title: 'Annuaire du personnel', url: '/annuaire' },
    { title: 'Recherche globale', url: '/recherche' },
    { title: 'Site public de la CCI', url: '/' },
  ])
    await tx((trx) => svc.addLink(trx, webmaster, l));

  const make = async (kind: Kind, input: svc.ItemInput, step: 'draft' | 'submitted' | 'published' | 'scheduled' = 'published', who = editor) => {
    const item = await tx((trx) => svc.createItem(trx, who, kind, input));
    if (step === 'draft') return item;
    let it = await tx((trx) => svc.submitItem(trx, who, item.id, item.version));
    if (step === 'submitted') return it;
    const at = step === 'scheduled' ? utcToParis(new Date(Date.now() + 3 * 86400_000).toISOString()) : undefined;
    it = await tx((trx) => svc.publishItem(trx, webmaster, it.id, it.version, { at }));
    return it;
  };
  const today = new Date();
  const daysAgo = (n: number) => new Date(today.getTime() - n * 86400_000).toISOString().slice(0, 10);
  const inDays = (n: number, h = 9) => utcToParis(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + n, h - 1)).toISOString());
  const sec = (s: { id: number }) => String(s.id);

  // Public news
  await make('news', { title: 'La CCI lance son nouveau programme d’accompagnement à l’export', summary: 'Un parcours de six mois pour les PME qui visent leurs premiers marchés étrangers.', body: p('Le programme réunit diagnostic, formation et mise en relation avec les partenaires de la Team France Export.', 'Les candidatures sont ouvertes jusqu’à la fin du mois.') + '<h2>Pour qui ?</h2><ul><li>PME industrielles</li><li>Entreprises de services</li></ul>', audiences: ['public', 'extranet', 'intranet'], section_id: sec(comm), news_date: daysAgo(2) });
  await make('news', { title: 'Formalités : le guichet unique évolue', summary: 'Ce qui change pour les créateurs d’entreprise.', body: p('Depuis janvier, toutes les formalités passent par le guichet unique. Nos conseillers vous accompagnent.'), audiences: ['public'], section_id: sec(comm), news_date: daysAgo(6) });
  // Extranet (members) news
  await make('news', { title: 'Espace ressortissants : déclarez votre masse salariale', summary: 'La campagne de la taxe d’apprentissage est ouverte dans votre espace.', body: p('Connectez-vous à votre espace pour déclarer votre masse salariale et choisir les écoles de la CCI.'), audiences: ['extranet'], section_id: sec(comm), news_date: daysAgo(1) });
  await make('news', { title: 'Webinaire réservé aux adhérents : la cybersécurité des TPE', summary: 'Inscription dans votre espace ressortissant.', body: p('Un webinaire d’une heure avec un expert de la gendarmerie.'), audiences: ['extranet'], section_id: sec(comm), news_date: daysAgo(4) });
  // Intranet (staff) news
  await make('news', { title: 'Déménagement du service formation', summary: 'Le service formation s’installe au 2e étage à partir de lundi.', body: p('Merci de mettre à jour vos favoris : les salles de formation restent au rez-de-chaussée.'), audiences: ['intranet'], section_id: sec(training), news_date: daysAgo(1) }, 'published', trainer);
  await make('news', { title: 'Comité de pilotage du système d’information : compte rendu', summary: 'Les décisions de la dernière réunion sont en ligne dans l’espace du comité.', body: p('Le comité a validé le plan d’action et le calendrier des phases.'), audiences: ['intranet'], section_id: sec(comm), news_date: daysAgo(3) });
  // Workflow examples
  await make('news', { title: 'Brouillon : retour sur le salon des entrepreneurs', summary: 'À compléter.', body: p('Brouillon en cours de rédaction.'), audiences: ['public'], section_id: sec(comm) }, 'draft');
  await make('news', { title: 'Nouvelles sessions de formation au management', summary: 'Calendrier du premier semestre.', body: p('Six sessions de deux jours, à Saint-Étienne et à Lyon.'), audiences: ['public', 'extranet'], section_id: sec(training) }, 'submitted', trainer);
  await make('news', { title: 'Vœux de la présidence', summary: 'Message de la présidente à toutes les entreprises du territoire.', body: p('Publication programmée.'), audiences: ['public', 'intranet'], section_id: sec(comm) }, 'scheduled');

  // Page tree (public)
  const about = await make('page', { title: 'La CCI', slug: 'la-cci', summary: 'Qui nous sommes, nos missions, nos élus.', body: p('La Chambre de commerce et d’industrie représente les entreprises du commerce, de l’industrie et des services de son territoire.'), audiences: ['public'], section_id: sec(comm), position: '1' });
  await make('page', { title: 'Nos missions', slug: 'nos-missions', summary: 'Représenter, accompagner, former.', body: '<h2>Représenter</h2>' + p('Porter la voix des entreprises auprès des pouvoirs publics.') + '<h2>Accompagner</h2>' + p('Création, transmission, export, numérique.') + '<table><caption>Nos services en chiffres</caption><thead><tr><th scope="col">Service</th><th scope="col">Entreprises accompagnées</th></tr></thead><tbody><tr><td>Création</td><td>1 250</td></tr><tr><td>Export</td><td>310</td></tr></tbody></table>', audiences: ['public'], section_id: sec(comm), parent_id: String(about.id), position: '1' });
  await make('page', { title: 'Formation continue', slug: 'formation-continue', summary: 'Le catalogue du centre de formation.', body: p('Management, langues, numérique, sécurité : plus de 200 formations inter et intra-entreprises.'), audiences: ['public', 'extranet'], section_id: sec(training), position: '2' }, 'published', trainer);
  await make('page', { title: 'Vie interne', slug: 'vie-interne', summary: 'Informations pratiques pour le personnel.', body: p('Restaurant d’entreprise, parking, badge d’accès, contacts utiles.'), audiences: ['intranet'], section_id: sec(comm), position: '1' });

  // Events
  await make('event', { title: 'Rencontres de l’export', summary: 'Une journée d’ateliers et de rendez-vous d’affaires.', body: p('Programme complet et inscription en ligne.'), audiences: ['public', 'extranet'], section_id: sec(comm), event_start: inDays(20, 9), event_end: inDays(20, 17), event_place: 'CCI — Saint-Étienne, salle des assemblées', event_link: 'https://www.example.fr/inscription' });
  await make('event', { title: 'Pot de fin d’année du personnel', summary: 'Salle du conseil, 17 h.', body: p('Tout le personnel est convié.'), audiences: ['intranet'], section_id: sec(comm), event_start: inDays(15, 17), event_place: 'Salle du conseil' });

  // A document in a folder, with a PDF version
  const doc = await make('document', { title: 'Procédure de demande de congés', summary: 'Le circuit de validation des congés.', body: '', audiences: ['intranet'], section_id: sec(comm), folder_id: String(procedures.id) }, 'draft');
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');
  let it = await tx((trx) => svc.addDocumentVersion(trx, ctx.config.dataDir, editor, doc.id, doc.version, { bytes: pdf, filename: 'procedure-conges.pdf', note: 'Première version' }));
  it = await tx((trx) => svc.submitItem(trx, editor, it.id, it.version));
  await tx((trx) => svc.publishItem(trx, webmaster, it.id, it.version));
  const guide = await make('document', { title: 'Guide de la création d’entreprise', summary: 'Les étapes clés, de l’idée à l’immatriculation.', body: '', audiences: ['public', 'extranet'], section_id: sec(comm), folder_id: String(guides.id) }, 'draft');
  let g = await tx((trx) => svc.addDocumentVersion(trx, ctx.config.dataDir, editor, guide.id, guide.version, { bytes: pdf, filename: 'guide-creation.pdf', note: 'Édition 2026' }));
  g = await tx((trx) => svc.submitItem(trx, editor, g.id, g.version));
  await tx((trx) => svc.publishItem(trx, webmaster, g.id, g.version));
  log('Content: sections, news for each audience, pages, events, documents, pinned links.');
}
