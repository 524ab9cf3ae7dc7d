// Workspaces (M5) for committees and working groups: members, documents with versions, a
// discussion thread, a decisions log and tasks. Only members see a workspace. See README.md.
import { demoActor } from '../../platform/seed.js';
import { mountRoutes } from '../../platform/http/routes.js';
import { defineModule } from '../../platform/module.js';
import { workspacesMessages } from './messages.js';
import { workspacesWebRoutes } from './workspaces.routes.js';
import * as svc from './workspaces.service.js';
import type { WorkspacesDb } from './workspaces.table.js';

export const workspacesModule = defineModule({
  name: 'workspaces',
  messages: workspacesMessages,
  nav: [{ section: 'nav.section.workspaces', label: 'workspaces.nav.mine', href: '/espaces', permission: 'portal:use', order: 1 }],
  web: (app, ctx) => mountRoutes(app, ctx, workspacesWebRoutes),
  async todo(ctx, actor, t) {
    const tasks = await svc.myOpenTasks(ctx.db, actor);
    return tasks.map((x) => ({ label: t('workspaces.todo.task', { title: x.title, workspace: x.workspace_name }), href: `/espaces/${x.workspace_id}#taches`, due: x.due_on ?? undefined }));
  },
  search: {
    permission: 'portal:use',
    async search(ctx, actor, q, limit) {
      const needle = q.toLowerCase();
      return (await svc.myWorkspaces(ctx.db, actor))
        .filter((w) => w.name.toLowerCase().includes(needle))
        .slice(0, limit)
        .map((w) => ({ kind: 'workspaces.kind.workspace', title: w.name, href: `/espaces/${w.id}` }));
    },
  },
  async seedDemo(ctx, log) {
    const db: WorkspacesDb = ctx.db;
    const users = await db.selectFrom('users').select(['id', 'email', 'name']).execute();
    const id = (email: string) => users.find((u) => u.email === email)?.id;
    const actorOf = (email: string) => demoActor(db, email);
    const director = await actorOf('direction@demo.cci.fr');
    if (!director) return;
    const tx = <T>(fn: (trx: WorkspacesDb) => Promise<T>) => db.transaction().execute(fn);
    const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
    const groups: [string, 'committee' | 'working_group', string, string[]][] = [
      ['Comité de pilotage du schéma directeur', 'committee', 'Arbitre les priorités, le budget et le calendrier du système d’information.', ['manager@demo.cci.fr', 'admin@demo.cci.fr', 'webmestre@demo.cci.fr', 'rh@demo.cci.fr', 'compta@demo.cci.fr']],
      ['Groupe intranet', 'working_group', 'Portail du personnel, annuaire, espaces de travail.', ['webmestre@demo.cci.fr', 'redacteur@demo.cci.fr', 'collaborateur@demo.cci.fr']],
      ['Groupe extranet', 'working_group', 'Espace des ressortissants et suivi des affaires.', ['documentation@demo.cci.fr', 'conseiller@demo.cci.fr', 'webmestre@demo.cci.fr']],
      ['Groupe sécurité', 'working_group', 'Comptes, droits, sauvegardes, audit.', ['admin@demo.cci.fr', 'rh@demo.cci.fr']],
      ['Groupe communication', 'working_group', 'Site public, lettres d’information, charte éditoriale.', ['webmestre@demo.cci.fr', 'redacteur@demo.cci.fr', 'formation@demo.cci.fr']],
    ];
    for (const [name, kind, description, emails] of groups) {
      const ws = await tx((trx) => svc.createWorkspace(trx, director, { name, kind, description }));
      for (const e of emails) {
        const uid = id(e);
        if (uid) await tx((trx) => svc.setMember(trx, director, ws.id, uid, e === 'webmestre@demo.cci.fr' && kind === 'working_group' ? 'lead' : 'member'));
      }
      if (kind === 'committee') {
        await tx((trx) => svc.recordDecision(trx, director, ws.id, { decided_on: day(-30), title: 'Adoption du schéma directeur et de ses trois phases', detail: 'Phase 1 : fichier consulaire et intranet ; phase 2 : extranet ; phase 3 : formation et statistiques.', decided_by: 'Le comité, à l’unanimité' }));
        await tx((trx) => svc.recordDecision(trx, director, ws.id, { decided_on: day(-7), title: 'Budget de la phase 1 validé', detail: '', decided_by: 'Le directeur général' }));
        await tx((trx) => svc.addTask(trx, director, ws.id, { title: 'Présenter le plan de migration des données', owner_id: id('admin@demo.cci.fr'), due_on: day(10) }));
        await tx((trx) => svc.addTask(trx, director, ws.id, { title: 'Rédiger la charte de l’intranet', owner_id: id('webmestre@demo.cci.fr'), due_on: day(5) }));
        await tx((trx) => svc.addTask(trx, director, ws.id, { title: 'Chiffrer les gains de la dématérialisation', owner_id: id('compta@demo.cci.fr'), due_on: day(20) }));
        await tx((trx) => svc.postMessage(trx, director, ws.id, 'Bienvenue dans l’espace du comité. Les comptes rendus et le relevé de décisions sont ici.'));
        const admin = await actorOf('admin@demo.cci.fr');
        if (admin) await tx((trx) => svc.postMessage(trx, admin, ws.id, 'Le plan de migration sera prêt pour la prochaine réunion.'));
      }
    }
    log('Workspaces: the steering committee (decisions, tasks, discussion) and four working groups.');
  },
});
