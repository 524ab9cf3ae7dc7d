// The staff directory (M5): people with their service, job, phones, office, photo, manager and
// skills; services as an org chart; search by name, service or skill. See README.md.
import { SYSTEM_ACTOR } from '../../platform/audit/audit.js';
import type { CallerDb } from '../../platform/db/typed.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import * as svc from './directory.service.js';
import type { DirectoryDb } from './directory.table.js';
import { directoryWebRoutes } from './directory.routes.js';
import { directoryMessages } from './messages.js';

/** People by name, job, skill or service (with its sub-services), for other modules. */
export function searchPeople(db: CallerDb, filter: svc.PeopleFilter, limit = 50, offset = 0) {
  return svc.searchPeople(db, filter, limit, offset);
}

/** The services (for a choice list: assign a conversation to a service…). */
export function listServices(db: CallerDb): Promise<svc.Service[]> {
  return svc.listServices(db);
}

/** The service a staff member belongs to, if any. */
export function serviceOfUser(db: CallerDb, userId: number): Promise<number | null> {
  return svc.serviceOfUser(db, userId);
}

/** The active staff of a service. */
export function serviceMembers(db: CallerDb, serviceId: number): Promise<{ id: number; name: string; email: string }[]> {
  return svc.serviceMembers(db, serviceId);
}

export const directoryModule = defineModule({
  name: 'directory',
  messages: directoryMessages,
  nav: [
    { section: 'nav.section.directory', label: 'directory.nav.people', href: '/annuaire', permission: 'portal:use', order: 1 },
    { section: 'nav.section.directory', label: 'directory.nav.org_chart', href: '/annuaire/services', permission: 'portal:use', order: 2 },
  ],
  web: (app, ctx) => mountRoutes(app, ctx, directoryWebRoutes),
  search: {
    permission: 'portal:use',
    async search(ctx, _actor, q, limit) {
      const { items } = await searchPeople(ctx.db, { q }, limit);
      return items.map((p) => ({ kind: 'directory.kind.person', title: p.name, subtitle: [p.job_title, p.service_name].filter(Boolean).join(' · ') || undefined, href: `/annuaire/personnes/${p.id}` }));
    },
  },
  async seedDemo(ctx, log) {
    const db: DirectoryDb = ctx.db;
    const users = await db.selectFrom('users').select(['id', 'email']).execute();
    const u = (email: string) => users.find((x) => x.email === email)?.id;
    const mk = (name: string, parent: number | null, head?: number, description = '') => db.transaction().execute((trx) => svc.createService(trx, SYSTEM_ACTOR, { name, parent_id: parent ? String(parent) : '', head_user_id: head ? String(head) : '', description }));
    const dg = await mk('Direction générale', null, u('direction@demo.cci.fr'), 'Pilotage de la CCI, relations avec les élus.');
    const appui = await mk('Appui aux entreprises', dg.id, u('manager@demo.cci.fr'), 'Création, développement, export, numérique.');
    const comm = await mk('Communication', dg.id, u('webmestre@demo.cci.fr'), 'Sites, publications, relations presse.');
    const formation = await mk('Centre de formation', dg.id, u('formation@demo.cci.fr'), 'Formation continue et apprentissage.');
    const doc = await mk('Documentation et fichier consulaire', appui.id, u('documentation@demo.cci.fr'));
    const rh = await mk('Ressources humaines', dg.id, u('rh@demo.cci.fr'));
    const compta = await mk('Comptabilité', dg.id, u('compta@demo.cci.fr'));
    const si = await mk('Systèmes d’information', dg.id, u('admin@demo.cci.fr'));
    const profiles: [string, number, string, string, string, string][] = [
      ['direction@demo.cci.fr', dg.id, 'Directeur général', '04 77 00 00 01', 'Bureau 301', 'pilotage, finances publiques'],
      ['manager@demo.cci.fr', appui.id, 'Responsable du pôle entreprises', '04 77 00 00 10', 'Bureau 210', 'management, export, industrie'],
      ['conseiller@demo.cci.fr', appui.id, 'Conseillère d’entreprises', '04 77 00 00 11', 'Bureau 212', 'création d’entreprise, commerce, financement'],
      ['documentation@demo.cci.fr', doc.id, 'Documentaliste', '04 77 00 00 12', 'Bureau 105', 'SIRENE, qualité des données'],
      ['redacteur@demo.cci.fr', comm.id, 'Rédacteur', '04 77 00 00 20', 'Bureau 120', 'rédaction, réseaux sociaux, photo'],
      ['webmestre@demo.cci.fr', comm.id, 'Webmestre', '04 77 00 00 21', 'Bureau 121', 'web, accessibilité, RGAA'],
      ['rh@demo.cci.fr', rh.id, 'Responsable RH', '04 77 00 00 30', 'Bureau 302', 'paie, recrutement, droit social'],
      ['compta@demo.cci.fr', compta.id, 'Comptable', '04 77 00 00 31', 'Bureau 303', 'comptabilité publique, FEC, SEPA'],
      ['formation@demo.cci.fr', formation.id, 'Responsable formation', '04 77 00 00 40', 'Bâtiment B', 'apprentissage, ingénierie pédagogique, anglais'],
      ['collaborateur@demo.cci.fr', appui.id, 'Assistant', '04 77 00 00 13', 'Accueil', 'accueil, formalités'],
      ['admin@demo.cci.fr', si.id, 'Responsable des systèmes d’information', '04 77 00 00 50', 'Bureau 010', 'sécurité, réseaux, sauvegardes'],
    ];
    for (const [email, serviceId, job, phone, office, skills] of profiles) {
      const id = u(email);
      if (id) await db.transaction().execute((trx) => svc.saveProfile(trx, SYSTEM_ACTOR, id, { service_id: String(serviceId), job_title: job, phone, office, skills }));
    }
    log('Directory: 8 services (org chart) and staff profiles.');
  },
});
